"""The decimal judge against exact rationals (and a few irrationals), and check --tolerance."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from gradtutor.calculus.decimal_answer import judge_decimal, read_decimal, within_tolerance
from gradtutor.calculus.parsing import parse
from gradtutor.cli.app import app


def decimal_text(units: int, places: int) -> str:
    """``units`` × 10^-places written with exactly ``places`` decimals (-3, 2 → '-0.03')."""
    sign = "-" if units < 0 else ""
    digits = str(abs(units)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def significant(text: str) -> int:
    return len(text.lstrip("-").replace(".", "").lstrip("0"))


rationals = st.fractions(min_value=-1000, max_value=1000, max_denominator=10**6).filter(
    lambda r: r != 0
)
places = st.integers(min_value=1, max_value=9)


def nearest(r: Fraction, k: int) -> int:
    scaled = r * 10**k
    return math.floor(scaled + Fraction(1, 2))


@given(rationals, places)
def test_rounded_decimal_is_right_with_three_significant_digits(r: Fraction, k: int) -> None:
    text = decimal_text(nearest(r, k), k)
    judged = judge_decimal(text, sympy.Rational(r.numerator, r.denominator))
    assert judged is not None
    exact = Fraction(nearest(r, k), 10**k) == r
    if exact or significant(text) >= 3:
        assert judged.verdict == "right"
    else:
        assert judged.verdict == "close"
    assert judged.significant_digits == significant(text)


@given(rationals, places)
def test_truncated_decimal_is_accepted_like_a_rounded_one(r: Fraction, k: int) -> None:
    text = decimal_text(math.trunc(r * 10**k), k)
    judged = judge_decimal(text, sympy.Rational(r.numerator, r.denominator))
    assert judged is not None
    if significant(text) >= 3:
        assert judged.verdict == "right"
    else:
        assert judged.verdict in ("right", "close")


@given(rationals, places, st.integers(min_value=2, max_value=50))
def test_a_decimal_off_by_more_than_one_percent_is_wrong(r: Fraction, k: int, off: int) -> None:
    units = nearest(r, k) + off
    typed = Fraction(units, 10**k)
    if abs(typed - r) <= abs(r) / 100:
        return  # within 1%: close, tested below
    judged = judge_decimal(decimal_text(units, k), sympy.Rational(r.numerator, r.denominator))
    assert judged is not None and judged.verdict == "wrong"


@given(rationals)
def test_a_near_miss_within_one_percent_is_close(r: Fraction) -> None:
    # 0.5% too large, written with enough places to show it, and at least 3 figures
    k = 12
    units = nearest(r * Fraction(1005, 1000), k)
    judged = judge_decimal(decimal_text(units, k), sympy.Rational(r.numerator, r.denominator))
    assert judged is not None and judged.verdict == "close"


@pytest.mark.parametrize(
    ("typed", "exact", "verdict", "digits"),
    [
        ("0.0039", "1/256", "close", 2),  # the example: two figures
        ("0.00391", "1/256", "right", 3),
        ("0.00390", "1/256", "right", 3),  # truncated
        ("0.29491790", "3σ(1)(1 - σ(1))/2", "right", 8),  # the example
        ("0.25", "1/4", "right", 2),  # exactly the value
        ("1.414", "sqrt(2)", "right", 4),
        ("1.415", "sqrt(2)", "close", 4),  # neither rounded nor truncated, within 1%
        ("1.5", "sqrt(2)", "wrong", 2),
        ("−0.125", "-1/8", "right", 3),  # a typographic minus
    ],
)
def test_decimal_verdicts_table(typed: str, exact: str, verdict: str, digits: int) -> None:
    judged = judge_decimal(typed, parse(exact).value)
    assert judged is not None
    assert (judged.verdict, judged.significant_digits) == (verdict, digits)


@pytest.mark.parametrize(
    "exact", ["-2(σ(4) - 1)σ(4)(1 - σ(4))/100", "ln(2)/7", "-e^(-3)", "sqrt(2) - 1", "π^3"]
)
@pytest.mark.parametrize("figures", [3, 6, 11])
def test_mpmath_digits_of_irrationals_are_right(exact: str, figures: int) -> None:
    """The regression of the issue: a backprop value correct to 11 figures was rejected."""
    import mpmath

    value = parse(exact).value
    with mpmath.workdps(50):
        typed = mpmath.nstr(
            mpmath.mpf(sympy.N(value, 50)), figures, min_fixed=-50, max_fixed=50, strip_zeros=False
        )
    judged = judge_decimal(typed, value)
    assert judged is not None and (judged.verdict, judged.significant_digits) == ("right", figures)


def test_the_exact_form_is_given_in_plain_syntax() -> None:
    judged = judge_decimal("0.2949", parse("3σ(1)(1 - σ(1))/2").value)
    assert judged is not None
    assert parse(judged.exact_text).value.equals(parse("3σ(1)(1 - σ(1))/2").value)


@pytest.mark.parametrize("typed", ["3", "1e-3", "x", "0.1.2", "1/4", "", ".", "- 0.5x"])
def test_only_plain_decimal_literals_are_judged(typed: str) -> None:
    assert judge_decimal(typed, sympy.Rational(1, 4)) is None


def test_read_decimal_counts_places_and_significant_digits() -> None:
    assert read_decimal("-0.00127074") == (Fraction(-127074, 10**8), 8, 6)
    assert read_decimal(".50") == (Fraction(1, 2), 2, 2)


def test_within_tolerance_is_relative_to_the_expected_value() -> None:
    assert within_tolerance(sympy.Rational(1, 3), sympy.Rational(333, 1000), 0.01)
    assert not within_tolerance(sympy.Rational(1, 3), sympy.Rational(3, 10), 0.01)
    assert not within_tolerance(sympy.Integer(0), sympy.Rational(1, 10**9), 0.5)


runner = CliRunner()


def test_check_tolerance_accepts_a_close_decimal_and_says_so() -> None:
    args = ["check", "3σ(1)(1-σ(1))/2", "0.2949", "--tolerance", "0.001", "--json"]
    result = runner.invoke(app, args)
    data = json.loads(result.stdout)
    assert result.exit_code == 0
    assert data["verdict"] == "equivalent"
    assert data["notes"] == ["equal within the relative tolerance 0.001 (not exactly equal)"]


def test_check_without_tolerance_stays_exact() -> None:
    result = runner.invoke(app, ["check", "3σ(1)(1-σ(1))/2", "0.2949", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["verdict"] == "not_equivalent"


def test_check_tolerance_leaves_expressions_with_variables_exact() -> None:
    result = runner.invoke(app, ["check", "x", "1.0001x", "--tolerance", "0.01", "--json"])
    assert result.exit_code == 1


def test_check_tolerance_out_of_range_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", "1", "2", "--tolerance", "5"])
    assert result.exit_code == 2


def test_check_batch_tolerance_judges_each_line() -> None:
    result = runner.invoke(
        app, ["check", "--batch", "-", "--tolerance", "0.01"], input="1/3\t0.333\n1/3\t0.3\n"
    )
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    assert verdicts == ["equivalent", "not_equivalent"]
    assert result.exit_code == 1
