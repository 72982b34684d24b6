"""Terms are shown in the order typed, everywhere (issue 10 item 17).

sympy sorts a sum's terms: 3x^3 - y^2 + 5x + 2 printed as 3x³ + 5x − y² + 2, and within one
`explain grad(...)` the same partial printed as 3x³ + 5 + 2y (its result) and 3x³ + 2y + 5 (the
gradient). Only the order may change: the terms themselves are sympy's."""

from __future__ import annotations

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gradtutor.calculus.equivalence import check
from gradtutor.calculus.parsing import parse
from gradtutor.calculus.printing import pretty, pretty_in_typed_order
from gradtutor.cli.app import app


def test_typed_order_read_as_keeps_the_terms_where_they_were_typed() -> None:
    result = check("d/dx(x^4)", "3x^3 - y^2 + 5x + 2")
    assert result.read_as == "3x³ − y² + 5x + 2"
    assert check("-y^2 + 3x^3 + 5x + 2", "3x^3").expected_read_as == "−y² + 3x³ + 5x + 2"


def test_typed_order_inside_derivatives_gradients_and_functions() -> None:
    assert check("∂/∂x(3x^3 - y^2 + 5x + 2)", "9x^2").expected_read_as == (
        "∂/∂x(3x³ − y² + 5x + 2)"
    )
    grad = check("grad(3x^3 - y^2 + 5x + 2)", "(9x^2, -2y)").expected_read_as
    assert grad == "∇(3x³ − y² + 5x + 2) over (x, y)"
    assert check("sin(1 + x) + x", "x + sin(x+1)").read_as == "x + sin(x + 1)"


def test_typed_order_only_reorders_never_rewrites() -> None:
    # a typed term that is not one of sympy's terms: sympy's own rendering, unchanged
    text = "2(x+1) + 1/2x"
    parsed = parse(text)  # sympy's 5x/2 + 2: no typed term is one of its terms
    assert pretty_in_typed_order(parsed.expr, text) == pretty(parsed.expr) == "5x/2 + 2"
    assert pretty_in_typed_order(parse("x^2").expr, "x^2") == "x²"


def test_typed_order_explain_grad_prints_each_partial_in_one_order() -> None:
    out = CliRunner().invoke(app, ["explain", "grad(3x^3z - y^2 + 5z + 2yz)"]).output
    assert "result: 3x³ + 5 + 2y" in out
    assert "∇f = (∂f/∂x, ∂f/∂y, ∂f/∂z) = (9x²z, −2y + 2z, 3x³ + 5 + 2y)" in out
    assert "3x³ + 2y + 5" not in out


def test_typed_order_explain_grad_keeps_the_simplified_form_when_there_is_one() -> None:
    out = CliRunner().invoke(app, ["explain", "grad(x^2 y + sin(x y))"]).output
    assert "= (y·(2x + cos(xy)), x·(x + cos(xy)))" in out


def test_typed_order_steps_summary_and_correction_agree() -> None:
    out = (
        CliRunner()
        .invoke(app, ["steps", "-"], input="∂/∂z(3x^3z - y^2 + 5z + 2yz)\n= 3x^3 + 5\n")
        .output
    )
    assert "it should have been: 3x³ + 5 + 2y" in out
    assert "the derivative is 3x³ + 5 + 2y" in out


_TERM = st.tuples(
    st.sampled_from(["", "-", "+"]),
    st.integers(1, 9),
    st.sampled_from(["x", "y", "z", "sin(x)", "e^y"]),
    st.integers(1, 4),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TERM, min_size=1, max_size=5))
def test_typed_order_reads_back_to_the_same_value(terms: list) -> None:  # type: ignore[type-arg]
    """Oracle: the reordered text, read again, is equal in value to what was typed."""
    text = " ".join(
        f"{sign or ('+' if i else '')} {c}{v}^{p}" for i, (sign, c, v, p) in enumerate(terms)
    )
    parsed = parse(text)
    shown = pretty_in_typed_order(parsed.expr, text)
    again = parse(shown.replace("−", "-")).value
    assert sympy.simplify(again - parsed.value) == 0, (text, shown)
    # and only the order changed: the same terms as sympy's own rendering
    assert sorted(_terms(shown)) == sorted(_terms(pretty(parsed.expr))), (text, shown)


def _terms(text: str) -> list[str]:
    from gradtutor.calculus.derivation import split_terms

    return [t.replace(" ", "").replace("−", "-").lstrip("+") for t in split_terms(text)]
