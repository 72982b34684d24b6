"""Size limits that hold after evaluation (issue 12).

``1000!*1000!``, ``9^4000*9^4000``, ``10^3000*10^3000`` and ``2^(10^6/3)`` each passed
the parser's per-number limits and then exited 70 in check, explain and steps (on either
side); ``sin(10^3800 x)`` did in explain and steps. Now each is a clear error, exit 2.
"""

from __future__ import annotations

import json
import math

import pytest
import sympy
from typer.testing import CliRunner

from gradtutor.calculus.errors import TooLargeError
from gradtutor.calculus.limits import (
    MAX_DIGITS,
    TOO_MANY_DIGITS,
    check_expansion,
    expansion_terms,
    power_digits,
)
from gradtutor.calculus.parsing import parse
from gradtutor.cli.app import app

runner = CliRunner()
x, y, z = sympy.symbols("x y z")

PRODUCTS = ["1000!*1000!", "9^4000*9^4000", "10^3000*10^3000", "2^(10^6/3)"]
PERIODIC = "sin(10^3800 x)"
PERIODIC_MESSAGE = (
    "the number inside sin(…) has more than 100 digits; "
    "gradtutor works with sin of numbers up to 100 digits"
)


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_the_message_states_the_limit() -> None:
    assert TOO_MANY_DIGITS == "a number here would have more than 3,900 digits"


@pytest.mark.parametrize("text", PRODUCTS)
def test_numbers_built_from_allowed_numbers_are_held_to_the_limit(text: str) -> None:
    with pytest.raises(TooLargeError) as caught:
        parse(text)
    assert caught.value.message == TOO_MANY_DIGITS


def test_just_below_the_limit_is_still_read() -> None:
    # 10^1900 * 10^1900 has 3,801 digits: allowed, and exact.
    assert parse("10^1900*10^1900").expr == sympy.Integer(10) ** 3800


@pytest.mark.parametrize("text", PRODUCTS)
@pytest.mark.parametrize("side", ["expected", "answer"])
def test_check_refuses_either_side_with_exit_2(text: str, side: str) -> None:
    pair = (text, "x") if side == "expected" else ("x", text)
    code, out, _ = run("check", *pair, "--json")
    data = json.loads(out)
    assert (code, data["verdict"], data["error"]["side"], data["error"]["message"]) == (
        2,
        "invalid",
        side,
        TOO_MANY_DIGITS,
    )


@pytest.mark.parametrize("text", PRODUCTS)
def test_explain_refuses_with_exit_2(text: str) -> None:
    code, out, _ = run("explain", f"d/dx({text})", "--json")
    assert (code, json.loads(out)["error"]["message"]) == (2, TOO_MANY_DIGITS)


@pytest.mark.parametrize("text", PRODUCTS)
def test_steps_marks_the_line_invalid(text: str) -> None:
    result = runner.invoke(app, ["steps", "--json", "-"], input=f"d/dx(x^2)\n{text}\n")
    line = json.loads(result.stdout)["lines"][0]
    assert (result.exit_code, line["status"], line["message"]) == (1, "invalid", TOO_MANY_DIGITS)


@pytest.mark.parametrize("text", PRODUCTS)
def test_steps_refuses_such_a_task_with_exit_2(text: str) -> None:
    result = runner.invoke(app, ["steps", "--json", "-"], input=f"d/dx({text})\n0\n")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["message"] == (
        f"can't read the task line: {TOO_MANY_DIGITS}"
    )


def test_sin_of_a_3800_digit_coefficient_is_refused_everywhere() -> None:
    code, out, _ = run("check", "x", PERIODIC, "--json")
    assert (code, json.loads(out)["error"]["message"]) == (2, PERIODIC_MESSAGE)
    code, out, _ = run("explain", f"d/dx({PERIODIC})", "--json")
    assert (code, json.loads(out)["error"]["message"]) == (2, PERIODIC_MESSAGE)
    result = runner.invoke(app, ["steps", "--json", "-"], input=f"d/dx(x)\n{PERIODIC}\n")
    line = json.loads(result.stdout)["lines"][0]
    assert (line["status"], line["message"]) == ("invalid", PERIODIC_MESSAGE)


def test_sin_of_a_moderate_coefficient_is_still_worked() -> None:
    code, out, _ = run("check", "d/dx(sin(10^50 x))", "10^50 cos(10^50 x)", "--json")
    assert (code, json.loads(out)["verdict"]) == (0, "equivalent")


# -- cheap estimates before the expensive work ------------------------------------------


@pytest.mark.parametrize(("base", "exponent"), [(2, 1000), (9, 4000), (10, 3000), (7, 333)])
def test_power_digits_matches_the_digits_of_the_exact_power(base: int, exponent: int) -> None:
    estimate = power_digits(sympy.Integer(base), sympy.Integer(exponent))
    assert math.floor(estimate) + 1 == len(str(base**exponent))


def test_a_fractional_power_is_estimated_before_it_is_computed() -> None:
    estimate = power_digits(sympy.Integer(2), sympy.Rational(10**6, 3))
    assert round(estimate) == round(10**6 / 3 * math.log10(2))  # 100,343 digits
    assert estimate > MAX_DIGITS


@pytest.mark.parametrize(
    "expr", [(x + 1) ** 7, (x + y) ** 5, (x + y + z) ** 4, (x + 1) ** 3 * (y + 2) ** 2]
)
def test_expansion_terms_matches_sympy_expand_for_generic_sums(expr: sympy.Expr) -> None:
    assert expansion_terms(expr) == pytest.approx(len(sympy.expand(expr).args))


def test_expansion_of_a_huge_power_is_refused_before_expanding() -> None:
    assert expansion_terms((x + y) ** 100_000) == pytest.approx(100_001)
    with pytest.raises(TooLargeError) as caught:
        check_expansion((x + y + z) ** 1000)  # C(1002, 2) = 501,501 terms
    assert caught.value.message == (
        "multiplied out, this would have about 501,501 terms; gradtutor works with up to 20,000"
    )


def test_a_20th_derivative_of_a_power_tower_is_refused_quickly() -> None:
    with pytest.raises(TooLargeError) as caught:
        _ = parse("d^20/dx^20(x^x^x^x)").value
    assert caught.value.message.startswith("the 20th derivative here grows too large to work out")


def test_a_high_derivative_that_stays_small_is_still_worked() -> None:
    assert parse("d^6/dx^6(x^10)").value == 151200 * x**4
    assert parse("d^8/dx^8(exp(sin(x)))").value == sympy.diff(sympy.exp(sympy.sin(x)), x, 8)


def test_check_of_a_20th_derivative_of_a_power_tower_is_invalid_not_exit_70() -> None:
    code, out, _ = run("check", "--time-limit", "5", "d^20/dx^20(sin(x)^cos(x)^x)", "0", "--json")
    data = json.loads(out)
    assert (code, data["verdict"], data["error"]["side"]) == (2, "invalid", "expected")
    assert data["error"]["message"].startswith("the 20th derivative here grows too large")


def test_explain_of_a_20th_derivative_of_a_power_tower_is_refused() -> None:
    code, out, _ = run("explain", "--time-limit", "5", "d^20/dx^20(x^x^x^x)", "--json")
    assert code == 2
    assert json.loads(out)["error"]["message"].startswith("the 20th derivative here grows")
