"""Issue 8: verdicts a learner can trust. Each test is named after what went wrong.

Expected values are worked out by hand (or by sympy at the named point), never taken
from the checker's own output.
"""

from __future__ import annotations

import pytest
import sympy

from gradtutor.calculus.equivalence import check
from gradtutor.calculus.numeric import PrecisionLost, compile_expr, evaluate
from gradtutor.calculus.results import Verdict

x = sympy.Symbol("x")

# -- 1. a side that cancels to exactly zero -------------------------------------------

# (expected, answer, point where they differ, expected value there, answer value there)
ZERO_SIDES = [
    ("(x+|x|)^2/4", "x^2", -1, 0, 1),
    ("x(1 + x/|x|)", "2x", -1, 0, -2),
    ("(1 + sign(x))/2", "1", -1, 0, 1),
    ("(x - |x|)/2", "0", -1, -1, 0),
    ("max(x, 0) - x", "0", -1, 1, 0),
    ("sqrt(x^2) - x", "0", -1, 2, 0),
]


@pytest.mark.parametrize(("expected", "answer", "at", "e_value", "a_value"), ZERO_SIDES)
def test_side_cancelling_to_exact_zero_is_not_accepted_for_all_x(
    expected: str, answer: str, at: int, e_value: int, a_value: int
) -> None:
    # Equal for x > 0, different at x = -1: domain_dependent with that point, never equivalent.
    oracle = sympy.sympify(
        expected.replace("|x|", "Abs(x)").replace("max", "Max").replace("x(1", "x*(1")
    )
    assert oracle.subs(x, at) == e_value  # the hand-worked value is right
    result = check(expected, answer)
    assert result.verdict is Verdict.DOMAIN_DEPENDENT
    assert result.counterexample is not None
    assert result.counterexample.point == {"x": at}
    assert (result.counterexample.expected, result.counterexample.answer) == (e_value, a_value)


def test_relu_times_w_x_with_abs_is_not_w_x() -> None:
    result = check("(w x + |w x|)/2", "w x")
    assert result.verdict is Verdict.DOMAIN_DEPENDENT
    point = result.counterexample.point
    assert point["w"] * point["x"] < 0  # where w·x < 0 the ReLU is 0 and w·x is not
    assert result.counterexample.expected == 0


def test_identically_zero_side_is_a_value_so_the_pair_is_decided() -> None:
    # 1/(a-b) + 1/(b-a) is 0; 1/(a-b) - 1/(b-a) is 2/(a-b): different wherever a ≠ b.
    result = check("1/(a-b) + 1/(b-a)", "1/(a-b) - 1/(b-a)")
    assert result.verdict is Verdict.NOT_EQUIVALENT
    point = result.counterexample.point
    assert result.counterexample.expected == 0
    assert result.counterexample.answer == pytest.approx(2 / (point["a"] - point["b"]))


def test_exact_zero_sum_evaluates_to_zero() -> None:
    import mpmath

    f = compile_expr(x + sympy.Abs(x))
    with mpmath.workdps(50):
        assert evaluate(f, {x: mpmath.mpf(-3)}) == 0


def test_tiny_nonzero_sum_is_not_taken_for_an_exact_zero() -> None:
    import mpmath

    # x + 10^-60 - x is 10^-60: 0 at 50 digits, but the 120-digit value shows the truth.
    f = compile_expr(sympy.Add(x, sympy.Rational(1, 10**60), -x, evaluate=False))
    with mpmath.workdps(50):
        value = evaluate(f, {x: mpmath.mpf(2)})
        assert abs(value * mpmath.mpf(10) ** 60 - 1) < mpmath.mpf(10) ** -40


def test_transcendental_zero_at_two_precisions_is_still_not_trusted() -> None:
    import mpmath

    # cosh(x)^2 - sinh(x)^2 is 1, but at x = 1830 both precisions round it to 0.
    f = compile_expr(sympy.cosh(x) ** 2 - sympy.sinh(x) ** 2)
    with mpmath.workdps(50), pytest.raises(PrecisionLost):
        evaluate(f, {x: mpmath.mpf(1830)})


@pytest.mark.parametrize(
    ("expected", "answer"),
    [
        ("cosh(x)^2 - sinh(x)^2", "1"),
        ("ln(1 - sigmoid(x))", "-softplus(x)"),
        ("sigmoid(x)/(1 - sigmoid(x))", "e^x"),
    ],
)
def test_precision_traps_stay_equivalent_after_exact_zero_is_trusted(
    expected: str, answer: str
) -> None:
    assert check(expected, answer).verdict is Verdict.EQUIVALENT


def test_equivalent_never_rests_on_one_sign_region_when_the_other_was_unusable() -> None:
    # For x < 0, sin(x) + sin(|x|) cancels to 0 in a way numbers can't certify, and
    # 2 sin(x) is not 0 there: agreement for x > 0 alone must not make them equal.
    result = check("sin(x) + sin(|x|)", "2sin(x)")
    assert result.verdict is not Verdict.EQUIVALENT
    assert result.verdict in (Verdict.UNDETERMINED, Verdict.DOMAIN_DEPENDENT)


# -- 1b. a difference too small for the values but not for the difference -----------------


def test_huge_power_plus_one_is_not_the_huge_power() -> None:
    # (x+1)^99999 and (x+1)^99999 + 1 agree to 10^-47000 of their size at x = 2; they differ by 1.
    result = check("(x+1)^99999", "(x+1)^99999 + 1")
    assert result.verdict is Verdict.NOT_EQUIVALENT


def test_huge_power_plus_x_is_not_the_huge_power() -> None:
    result = check("x^99999", "x^99999 + x")
    assert result.verdict is Verdict.NOT_EQUIVALENT


# -- 2. symbolic exponents with a negative base ----------------------------------------


def test_power_of_power_is_not_the_product_exponent_for_negative_base() -> None:
    # ((-8)^2)^(1/2) = 8 but (-8)^(2·1/2) = -8; for x > 0 they agree.
    result = check("(x^y)^z", "x^(yz)")
    assert result.verdict is Verdict.DOMAIN_DEPENDENT
    assert result.counterexample.point == {"x": -8, "y": 2, "z": 0.5}
    assert (result.counterexample.expected, result.counterexample.answer) == (8, -8)
    assert any("whole-number exponent" in f.message for f in result.feedback)


def test_negative_two_to_n_is_not_negative_two_to_n_minus_one() -> None:
    # At n = 1: (-2)^1 = -2 and (-2)^0 = 1.
    result = check("(-2)^n", "(-2)^(n-1)")
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.counterexample.point == {"n": 1}
    assert (result.counterexample.expected, result.counterexample.answer) == (-2, 1)


def test_negative_two_to_n_equals_its_rewriting() -> None:
    assert check("(-2)^n", "(-2)^(n-1)*(-2)").verdict is Verdict.EQUIVALENT


def test_sum_of_exponents_says_which_convention_decided() -> None:
    # (-8)^(1/2 + 1/2) = -8 is real, (-8)^(1/2) is not: equal only by the convention.
    result = check("a^(b+c)", "a^b*a^c")
    assert result.verdict is Verdict.EQUIVALENT
    notes = [f.message for f in result.feedback if f.kind == "method"]
    assert len(notes) == 1
    assert "a = -8, b = 1/2, c = 1/2" in notes[0]
    assert "whole-number exponent" in notes[0]


def test_negative_base_whole_number_variable_exponent_is_real() -> None:
    import mpmath

    n = sympy.Symbol("n")
    f = compile_expr(sympy.Pow(-2, n))
    with mpmath.workdps(50):
        assert evaluate(f, {n: mpmath.mpf(3)}) == -8


# -- 4. easy pairs left undecided; a verdict once found is kept -------------------------


@pytest.mark.parametrize(
    ("expected", "answer", "at"),
    [
        ("(x-2)^600", "(x-2)^599", 1),  # 1 against -1
        ("(x-a)^5999", "(x-a)^6000", None),
        ("1600x^3(x^4+1)^399", "400(x^4+1)^399", 1),  # 1600·2^399 against 400·2^399
    ],
)
def test_huge_power_pairs_are_decided_not_undetermined(
    expected: str, answer: str, at: int | None
) -> None:
    result = check(expected, answer)
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.counterexample is not None


def test_huge_power_derivative_is_decided() -> None:
    # d/dx (x^4+1)^400 = 1600 x^3 (x^4+1)^399 (chain rule), checked by sympy below.
    u = (x**4 + 1) ** 400
    assert sympy.diff(u, x) == 1600 * x**3 * (x**4 + 1) ** 399
    assert check("d/dx((x^4+1)^400)", "1600x^3(x^4+1)^399").verdict is Verdict.EQUIVALENT


def test_verdict_found_is_never_lost_to_feedback(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtutor.calculus import equivalence
    from gradtutor.calculus.timelimit import TimeLimitExceeded

    def _slow_feedback(*args: object, **kwargs: object) -> list[object]:
        raise TimeLimitExceeded("feedback ran out of time")

    monkeypatch.setattr(equivalence, "generic_feedback", _slow_feedback)
    result = check("x^2", "x^3")
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.counterexample is not None
    assert result.feedback == ()


def test_many_exponent_variables_do_not_list_every_combination() -> None:
    # 10 exponent variables: 8^10 combinations of simple values must never be built.
    exponents = "bcdfghkmnp"
    result = check(f"a^({'+'.join(exponents)})", " ".join(f"a^{v}" for v in exponents))
    assert result.verdict is Verdict.EQUIVALENT
