"""Misconception questions name what the learner wrote: the derivative (or its term) that lost
its variable, the expression as typed, never a sub-step such as u³ the learner never saw."""

from __future__ import annotations

import pytest
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
        "You wrote (x + 1)·e^x. In e^(x + 1) the variable is in the exponent, not the base. "
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
        "You wrote 9x², without z. z is a constant factor in this partial derivative. "
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


# issue 10 item 6: each slip named, and its message quotes what the learner wrote
NAMED_SLIPS = [
    ("e^(2x)", "2x e^(2x-1)", "x", "exp_power_rule_misuse",
     "You wrote 2xe^(2x − 1). In e^(2x) the variable is in the exponent, not the base. "
     "Does the power rule x^n → n·x^(n−1) apply?"),
    ("x y^2", "2x y", "x", "partial_wrong_variable",
     "You wrote 2xy, the derivative of x·y² with respect to y. The task asks ∂/∂x; "
     "y is held constant."),
    ("3x^3 z - y^2 + 5z + 2y z", "9x^2", "x", "partial_constant_factor_dropped",
     "You wrote 9x², without z. z is a constant factor in this partial derivative. "
     "Does a constant factor disappear, or stay as a factor?"),
    ("ln(x)", "1/ln(x)", "x", "log_reciprocal",
     "You wrote 1/ln(x) for the derivative of ln(x): one over the log. "
     "Is d/dx ln x one over ln x, or one over x?"),
    ("e^x", "e^x ln(x)", "x", "exp_log_factor",
     "You wrote e^x·ln(x) for the derivative of e^x: where does the ln come from? "
     "In d/dx aˣ = aˣ·ln a it is ln of the base a, and ln e = 1."),
    ("e^(x^2)", "2x e^(2x)", "x", "exp_exponent_differentiated",
     "You wrote 2xe^(2x): the exponent x² of e^(x²) was differentiated where it stands. "
     "Does the exponent change, or does the whole power stay and get multiplied by d/dx x²?"),
    ("5 sin(x)", "cos(x)", "x", "constant_multiple_dropped",
     "You wrote cos(x) for d/dx (5sin(x)): where did the constant factor 5 go? "
     "A constant multiple stays in the derivative."),
    ("x e^x", "e^x", "x", "product_rule_skipped",
     "You wrote e^x for d/dx (xe^x): the factors' derivatives multiplied, which here is only "
     "one of the product rule's 2 terms. What is the term with the other factor differentiated?"),
    ("2(4x^2)^4", "8*4x^6*8x", "x", "power_of_product_not_distributed",
     "You wrote (4x²)³ as 4x⁶. Is (ab)ⁿ equal to a·bⁿ? Every factor is raised to the power: "
     "4³·x⁶ = 64x⁶."),
    # was "other variable not held constant": −y² → −2y cancelling the dropped 2yz's +2y
    ("3x^3z - y^2 + 5z + 2y z", "3x^3 + 5", "z", "partial_term_dropped",
     "You wrote 3x³ + 5: where is the derivative of the term 2yz? Every term with z in it "
     "has a part in ∂/∂z; only the terms without z give 0."),
    ("x^3", "x^3", "x", "not_differentiated",
     "You wrote x³, the function x³ itself. Did you take its derivative, d/dx x³?"),
    ("x^3", "6x", "x", "differentiated_twice",
     "You wrote 6x, the second derivative of x³: the derivative 3x² differentiated once "
     "more. The task asks for one."),
]  # fmt: skip


@pytest.mark.parametrize(("task", "answer", "variable", "expected", "question"), NAMED_SLIPS)
def test_misconceptions_issue_slips_are_named_quoting_the_answer(
    task: str, answer: str, variable: str, expected: str, question: str
) -> None:

    found = diagnose(parse(task, evaluate=False).expr, sympy.Symbol(variable), parse(answer).value)
    assert found is not None
    assert (found.id, found.question) == (expected, question)


def test_misconceptions_twins_have_their_buggy_formula_as_docstring() -> None:
    from gradtutor.calculus.misconceptions import MISCONCEPTIONS

    for m in MISCONCEPTIONS:
        assert m.twin.__doc__ and "=" in m.twin.__doc__.splitlines()[0], m.id
