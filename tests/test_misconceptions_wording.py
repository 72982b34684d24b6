"""Misconception questions name what the learner wrote: the derivative (or its term) that lost
its variable, the expression as typed, never a sub-step such as u³ the learner never saw."""

from __future__ import annotations

import sympy

from gradtutor.calculus.equivalence import check
from gradtutor.calculus.misconceptions import diagnose
from gradtutor.calculus.parsing import parse

X = sympy.Symbol("x")


def _question(task: str, answer: str) -> tuple[str, str]:
    found = diagnose(parse(task, evaluate=False).expr, X, parse(answer).value)
    assert found is not None, (task, answer)
    return found.id, found.question


def test_misconceptions_dropped_variable_names_the_whole_derivative() -> None:
    data = check("d/dx(5x^2)", "10").to_json()
    (feedback,) = [f for f in data["feedback"] if f["kind"] == "misconception"]
    assert feedback["id"] == "dropped_variable"
    assert feedback["message"] == (
        "variable dropped: Where did the variable x go? Replacing x by 1 (or dropping it) "
        "turns 10x into the number 10."
    )


def test_misconceptions_dropped_variable_wording() -> None:
    start = "Where did the variable x go? Replacing x by 1 (or dropping it) turns "
    cases = [
        ("3x^3", "9^2", "9x² into the number 9²."),
        ("3x^3", "9", "9x² into the number 9."),
        ("x^3 + 5x^2", "3x^2 + 10", "the term 10x into the number 10."),
        ("3x^3 + 5x", "9 + 5", "the term 9x² into the number 9."),
        ("x^3 + x^2", "5", "3x² + 2x into the number 5."),
        ("x^2 sin(x)", "2sin(x) + x^2 cos(x)", "the term 2x·sin(x) into 2sin(x)."),
    ]
    for task, answer, end in cases:
        assert _question(task, answer) == ("dropped_variable", start + end), (task, answer)


def test_misconceptions_power_twins_in_a_chain_name_the_typed_power() -> None:
    assert _question("(1 + 2x)^3", "6(1 + 2x)^3") == (
        "power_exponent_not_reduced",
        "When you bring the exponent 3 of (1 + 2x)³ down, what happens to the exponent itself?",
    )
    assert _question("(1 + 2x)^3", "6(1 + 2x)^4") == (
        "power_exponent_increased",
        "Differentiating (1 + 2x)³: does the exponent go up (as in integration) or down?",
    )
    assert _question("(1 + 2x)^3", "2(1 + 2x)^2") == (
        "power_coefficient_missing",
        "You lowered the exponent of (1 + 2x)³. Where did the old exponent 3 go?",
    )
    assert _question("e^(x + 1)", "(x + 1)e^x") == (
        "exp_power_rule_misuse",
        "In e^(x + 1) the variable is in the exponent, not the base. "
        "Does the power rule x^n → n·x^(n−1) apply?",
    )


def test_misconceptions_trig_sign_in_a_chain_says_what_u_is() -> None:
    assert _question("sin(2x)", "-2cos(2x)") == (
        "sign_error_trig",
        "Check the sign (with u = 2x): is the derivative of sin(u) equal to −cos(u)?",
    )
    assert _question("cos(x)", "sin(x)") == (
        "sign_error_trig",
        "Check the sign: is the derivative of cos(x) equal to sin(x)?",
    )


def test_misconceptions_constant_factor_names_only_the_dropped_factor() -> None:
    # 3x³z written 9x²: the 3 was kept, the z dropped
    assert _question("3x^3 z", "9x^2") == (
        "partial_constant_factor_dropped",
        "z is a constant factor in this partial derivative. "
        "Does a constant factor disappear, or stay as a factor?",
    )


def test_misconceptions_quote_expressions_as_typed() -> None:
    assert _question("sin(1 + x^2)", "cos(1 + x^2)") == (
        "chain_inner_missing",
        "You differentiated the outside at u = 1 + x². "
        "Did you multiply by the derivative of the inside, d/dx (1 + x²)?",
    )
    assert _question("x/(1 + x)", "((1 + x) - x)/(1 + x)") == (
        "quotient_denominator_not_squared",
        "What happens to the denominator 1 + x in the quotient rule?",
    )
    assert _question("ln(1 + x^2)", "1/(1 + x^2)") == (
        "log_chain_missing",
        "1/u with u = 1 + x² is only the outer part. Did you multiply by d/dx (1 + x²)?",
    )
