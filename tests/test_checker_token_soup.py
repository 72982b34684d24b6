"""Issue 8 item 3: ``check()`` never raises on any string (its bad-input verdict is
``invalid``); a property test feeds it random token soups."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradtutor import check
from gradtutor.calculus.results import Verdict

TOKENS = [
    "x",
    "y",
    "w",
    "b",
    "2",
    "0",
    "1.5",
    "10",
    "e",
    "pi",
    "π",
    "+",
    "-",
    "*",
    "/",
    "^",
    "**",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "|",
    ",",
    "!",
    "'",
    " ",
    "sin",
    "cos",
    "ln",
    "log",
    "exp",
    "sqrt",
    "√",
    "²",
    "³",
    "⁻¹",
    "·",
    "×",
    "−",
    "d/dx",
    "d/dy",
    "∂/∂x",
    "∂",
    "dx",
    "grad(",
    "\\frac{",
    "\\sqrt{",
    "\\sqrt[3]{",
    "\\left(",
    "\\right)",
    "\\cdot",
    "\\ln",
    "\\log_",
    "_",
    "$",
    "=",
    "f'(x)",
    "sigmoid",
    "relu",
    "max(",
    "tanh",
    "sech",
    "asinh",
    "1/2",
    "e^",
    "x^1/2",
    "\\binom{",
    "\\cfrac{",
    "σ",
    "∇",
    ";",
    "\t",
    "é",
    "\x00",
    "🙂",
    "d(",
    ")/dx",
    ")'",
    "∂(",
    ")/∂x",
    "log_b",
    "binomial(",
    "pix",
    "eps",
    "sin ",
    "ln ",
]


@settings(
    max_examples=int(os.environ.get("SOUP_EXAMPLES", "300")),
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
)
@given(
    st.lists(st.sampled_from(TOKENS), max_size=12).map("".join),
    st.lists(st.sampled_from(TOKENS), max_size=12).map("".join),
)
def test_check_raises_nothing_on_token_soup(expected: str, answer: str) -> None:
    result = check(expected, answer, time_limit=2.0)
    assert isinstance(result.verdict, Verdict)
    if result.verdict is Verdict.INVALID:
        assert result.error is not None and result.error.message


def test_python_power_with_fraction_exponent_does_not_crash() -> None:
    # x**1/2 is (x^1)/2; the note that says so used to look for '^' and crash.
    result = check("sqrt(x)", "x**1/2")
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.notes == (
        "read as (x**1)/2; if you meant x**(1/2), that is right: write it with brackets",
    )


def test_python_power_inside_exp_does_not_crash() -> None:
    result = check("x^2", "e**(-x**2/2)")
    assert result.verdict is Verdict.NOT_EQUIVALENT
