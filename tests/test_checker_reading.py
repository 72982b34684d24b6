"""Issue 8 items 6-8: reading what learners write, and saying how it was read.

Every expected derivative is computed by sympy.diff beside the assertion.
"""

from __future__ import annotations

import pytest
import sympy

from gradtutor.calculus.equivalence import check
from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.parsing import parse
from gradtutor.calculus.results import Verdict

x, y = sympy.symbols("x y")


# -- 6. d/dx without brackets applies to the rest at its level ------------------------


def test_unbracketed_d_dx_reads_the_whole_sum_and_says_so() -> None:
    assert sympy.diff(x**2 + 1, x) == 2 * x
    result = check("d/dx x^2 + 1", "2x")
    assert result.verdict is Verdict.EQUIVALENT
    assert result.notes == ("d/dx applies to everything after it: read as d/dx(x² + 1)",)


def test_unbracketed_d_dx_reads_the_whole_product_so_product_rule_is_right() -> None:
    assert sympy.diff(x**2 * sympy.sin(x), x) == x**2 * sympy.cos(x) + 2 * x * sympy.sin(x)
    result = check("d/dx x^2 sin x", "2x sin x + x^2 cos x")
    assert result.verdict is Verdict.EQUIVALENT
    assert not any(f.kind == "extra_term" for f in result.feedback)


def test_unbracketed_single_power_needs_no_note() -> None:
    assert parse("d/dx 3x^3").notes == ()


def test_power_after_bracketed_operand_belongs_to_the_operand() -> None:
    parsed = parse("d/dx (x^4+1)^400")
    assert parsed.expr == sympy.Derivative((x**4 + 1) ** 400, x)


def test_bracketed_operator_stops_at_its_bracket() -> None:
    assert parse("d/dx(x^2) + 1").expr == sympy.Derivative(x**2, x) + 1


# -- 7. Leibniz and prime forms --------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "operand", "var", "order"),
    [
        ("d(x^3)/dx", x**3, x, 1),
        ("d(x^2 sin x)/dx", x**2 * sympy.sin(x), x, 1),
        ("∂(x^2 y)/∂x", x**2 * y, x, 1),
        ("d/dx[x^2]", x**2, x, 1),
        ("(x^3)'", x**3, x, 1),
        ("(x^2 sin x)'", x**2 * sympy.sin(x), x, 1),
        ("(y^3)''", y**3, y, 2),
        ("d^2(x^3)/dx^2", x**3, x, 2),
    ],
)
def test_leibniz_and_prime_forms_are_read_as_derivatives(
    typed: str, operand: sympy.Expr, var: sympy.Symbol, order: int
) -> None:
    assert parse(typed).expr == sympy.Derivative(operand, (var, order))


def test_leibniz_form_checks_against_sympy_diff() -> None:
    right = sympy.diff(x**3, x)
    assert check("d(x^3)/dx", str(right).replace("**", "^")).verdict is Verdict.EQUIVALENT


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("df/dx", "df/dx is the derivative of a function gradtutor can't see"),
        ("3 + dy/dx", "dy/dx is the derivative of a function gradtutor can't see"),
        ("(x y)'", "(…)' is a derivative, but of which variable? this has x, y"),
        ("sin(x)'", "a prime (') is read after a bracket, (x^3)', or in the notes' form x'(…)"),
    ],
)
def test_unreadable_derivative_forms_are_refused_with_a_hint(typed: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(typed)
    assert caught.value.message == message
    assert caught.value.hint


# -- 8. ambiguous input decides a verdict only with a word to the learner ---------------

# (expected, typed answer, the note). Each "that is right" is checked by hand: the other
# reading written out with brackets is equal to the expected answer (sympy below).
AMBIGUOUS_WRONG_READINGS = [
    ("1/(2sqrt(x))", "1/2√x", "read as (1/2)√x; if you meant 1/(2√x), that is right"),
    ("1/(2x)", "1/2x", "read as (1/2)x; if you meant 1/(2x), that is right"),
    ("e^(2x)", "e^2x", "read as (e^2)·x; if you meant e^(2x), that is right"),
    ("sqrt(x)", "x^1/2", "read as (x^1)/2; if you meant x^(1/2), that is right"),
    ("sin(x)^2", "sin x^2", "read as sin(x^2); if you meant sin(x)^2, that is right"),
    ("ln(x/2)", "ln x/2", "read as ln(x)/2; if you meant ln(x/2), that is right"),
]


@pytest.mark.parametrize(
    ("expected", "answer", "note"),
    [
        ("pi*x", "pix", "read as p·i·x; if you meant pi*x, that is right: write pi*x"),
        ("2epsilon", "2eps", "read as e·p·s; if you meant epsilon, that is right: write epsilon"),
        ("lambda x", "lam x", "read as l·a·m; if you meant lambda, that is right: write lambda"),
    ],
)
def test_run_of_letters_says_the_other_reading_is_right(
    expected: str, answer: str, note: str
) -> None:
    result = check(expected, answer)
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.notes == (note,)


@pytest.mark.parametrize(("expected", "answer", "note"), AMBIGUOUS_WRONG_READINGS)
def test_ambiguous_answer_says_the_other_reading_is_right(
    expected: str, answer: str, note: str
) -> None:
    result = check(expected, answer)
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.notes == (note + ": write it with brackets",)


def test_other_readings_in_the_table_really_are_right() -> None:
    oracle = {
        "1/(2√x)": 1 / (2 * sympy.sqrt(x)),
        "1/(2x)": 1 / (2 * x),
        "e^(2x)": sympy.exp(2 * x),
        "x^(1/2)": sympy.sqrt(x),
        "sin(x)^2": sympy.sin(x) ** 2,
        "ln(x/2)": sympy.log(x / 2),
    }
    for other, value in oracle.items():
        assert check(str(value).replace("**", "^"), other).verdict is Verdict.EQUIVALENT


def test_sqrt_derivative_half_root_names_no_misconception_only_the_reading_produces() -> None:
    # 1/2√x read as √x/2 is wrong, but the learner most likely meant 1/(2√x) = d/dx √x.
    assert sympy.diff(sympy.sqrt(x), x) == 1 / (2 * sympy.sqrt(x))
    result = check("d/dx(sqrt(x))", "1/2√x")
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert not any(f.kind == "misconception" for f in result.feedback)
    assert result.notes == (
        "read as (1/2)√x; if you meant 1/(2√x), that is right: write it with brackets",
    )


def test_ambiguity_that_changes_nothing_gets_no_note() -> None:
    # x^1/2 against x: neither x/2 nor √x equals x, so there is nothing to say.
    assert check("x", "x^1/2").notes == ()


def test_right_answer_with_an_ambiguous_reading_says_the_other_would_not_be() -> None:
    result = check("x/2", "1/2x")
    assert result.verdict is Verdict.EQUIVALENT
    assert result.notes == ("read as (1/2)x, which is right; 1/(2x) would be not right",)


def test_non_reduced_exponent_fraction_is_not_ambiguous() -> None:
    assert parse("(x+1)^2/4").notes == ()


def test_grad_inside_an_expression_is_refused_with_a_hint_not_called_unknown() -> None:
    # steps reads its task through the parser: grad(f, w, b) there is refused clearly.
    with pytest.raises(ParseError) as caught:
        parse("grad(x^2 y, x, y)")
    assert caught.value.message == (
        "grad(…) is a vector of partial derivatives, read only as a whole task or answer"
    )
