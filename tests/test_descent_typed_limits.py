"""descend with what learners type (issue 12): huge losses are refused with a clear word,
kinks get a subgradient and a note, steps get the lesson that descent cannot move."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.descent.typed import KINK_NOTE, STEP_LESSON, TypedLossError, surface_from_expression

runner = CliRunner()

FLOAT_LIMIT = "descend computes in floating point"


def refusal(text: str) -> str:
    with pytest.raises(TypedLossError) as caught:
        surface_from_expression(text)
    return caught.value.message


@pytest.mark.parametrize("text", ["(x+1)^100000", "(x+y)^100000"])
def test_a_huge_power_is_refused_not_multiplied_out(text: str) -> None:
    """Issue 12: these hung past 90 s (sympy.Poly multiplied them out)."""
    message = refusal(text)
    assert "grows past the largest floating-point number (about 1.8·10^308)" in message
    assert FLOAT_LIMIT in message


@pytest.mark.parametrize(("text", "digits"), [("x^2 + 10^400", "401"), ("1000! x^2", "2,568")])
def test_a_number_no_float_holds_is_refused(text: str, digits: str) -> None:
    """Issue 12: these exited 70 (OverflowError: int too large to convert to float)."""
    assert refusal(text) == (
        f"the loss holds a number with {digits} digits; descend computes in floating point, "
        "which holds numbers up to about 1.8·10^308"
    )


def test_sin_of_a_3800_digit_coefficient_is_refused() -> None:
    assert refusal("sin(10^3800 x)") == (
        "cannot read the loss: the number inside sin(…) has more than 100 digits; "
        "gradtutor works with sin of numbers up to 100 digits"
    )


def test_a_20th_derivative_of_a_power_tower_is_refused() -> None:
    assert refusal("d^20/dx^20(x^x^x^x)").startswith(
        "cannot read the loss: the 20th derivative here grows too large to work out"
    )


@pytest.mark.parametrize(
    ("text", "name"), [("heaviside(x)", "heaviside(x)"), ("sign(x)", "sign(x)")]
)
def test_a_step_gets_the_lesson_that_descent_cannot_move(text: str, name: str) -> None:
    assert refusal(text) == (
        f"{name} is made of steps: {STEP_LESSON}. A smooth stand-in can be descended: "
        "sigmoid(10x) for heaviside(x), tanh(10x) for sign(x)"
    )


def test_a_step_beside_a_smooth_part_moves_along_the_smooth_part() -> None:
    surface = surface_from_expression("heaviside(x) + y^2")
    assert surface.notes == (
        "heaviside(x): the gradient of a step is zero almost everywhere, "
        "so descent moves only through the other terms",
    )
    # away from the step: d/dx = 0, d/dy = 2y (the oracle: y^2)
    assert surface.gradient(np.array([1.0, 1.5])).tolist() == [0.0, 3.0]


def test_abs_at_its_kink_gets_a_subgradient_and_a_note() -> None:
    surface = surface_from_expression("abs(x) + y^2", start=(0.0, 1.0))
    assert surface.gradient(np.array([0.0, 1.0])).tolist() == [0.0, 2.0]  # 0 ∈ ∂|x| at 0
    assert surface.gradient(np.array([-2.0, 1.0])).tolist() == [-1.0, 2.0]
    assert surface.notes == (
        "the start (x=0, y=1) is on the kink of abs(x): the gradient is not defined there, "
        "so descent starts from a subgradient (0 for that term)",
    )
    # the curvature just beside the kink, not 1/h from straddling it
    assert surface.hessian(np.array([0.0, 1.0])) == pytest.approx(np.diag([0.0, 2.0]), abs=1e-6)
    assert surface.lr["default"] == 0.1


def test_a_periodic_abs_gets_the_kink_note() -> None:
    surface = surface_from_expression("abs(sin(x))")
    assert surface.notes == (KINK_NOTE,)


def test_descend_json_on_the_kink_runs_and_carries_the_note() -> None:
    result = runner.invoke(app, ["descend", "abs(x) + y^2", "--start", "0,1", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["surface"]["notes"] == [
        "the start (x=0, y=1) is on the kink of abs(x): the gradient is not defined there, "
        "so descent starts from a subgradient (0 for that term)"
    ]


@pytest.mark.parametrize("text", ["(x+1)^100000", "heaviside(x)", "x^2 + 10^400", "1000! x^2"])
def test_descend_cli_refuses_with_exit_2_not_70(text: str) -> None:
    result = runner.invoke(app, ["descend", text, "--json"])
    assert result.exit_code == 2
