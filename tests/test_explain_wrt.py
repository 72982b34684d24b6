"""Issue 8 item 11: explain --wrt is validated, takes several variables, and grad(f, w, b)
is read as check reads it. Partials are checked against sympy.diff."""

from __future__ import annotations

import json

import pytest
import sympy
from typer.testing import CliRunner

from gradtutor.calculus.derive import TaskError, solve_task
from gradtutor.cli.app import app

runner = CliRunner()
w, b, x, y = sympy.symbols("w b x y")
LOSS = (w * x + b - y) ** 2


def _answer(args: list[str]) -> dict:
    result = runner.invoke(app, ["explain", "(w*x+b-y)^2", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("args", [["--wrt", "w,b"], ["--wrt", "w", "--wrt", "b"]])
def test_wrt_several_variables_shows_each_partial(args: list[str]) -> None:
    data = _answer(args)
    assert [d["variable"] for d in data["derivatives"]] == ["w", "b"]
    for component, var in zip(data["gradient"], (w, b), strict=True):
        assert (
            sympy.simplify(sympy.sympify(component.replace("^", "**")) - sympy.diff(LOSS, var)) == 0
        )


def test_wrt_one_variable_is_that_partial() -> None:
    data = _answer(["--wrt", "w"])
    simplified = sympy.sympify(data["derivatives"][0]["simplified"].replace("^", "**"))
    assert sympy.simplify(simplified - sympy.diff(LOSS, w)) == 0


@pytest.mark.parametrize(
    ("wrt", "message"),
    [
        ("2", "--wrt 2: not a variable name"),
        ("sin", "--wrt sin: not a variable name"),
        ("q", "--wrt q: not a variable of (b + w*x - y)^2 (its variables: b, w, x, y)"),
        ("q,w", "--wrt q: not a variable of (b + w*x - y)^2 (its variables: b, w, x, y)"),
        ("w,w", "--wrt names w twice"),
    ],
)
def test_wrt_that_is_not_a_variable_of_the_expression_exits_2(wrt: str, message: str) -> None:
    result = runner.invoke(app, ["explain", "(w*x+b-y)^2", "--wrt", wrt, "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["message"] == message


def test_wrt_with_an_explicit_operator_is_refused() -> None:
    result = runner.invoke(app, ["explain", "d/dx(x^2)", "--wrt", "x"])
    assert result.exit_code == 2
    # the message once stopped at "this task already says", as if cut off
    assert " ".join(result.stderr.split()) == (
        "gradtutor explain: --wrt is for an expression without d/dx: this task already says "
        "which variable (drop --wrt)"
    )


def test_explain_reads_grad_with_named_variables_as_check_does() -> None:
    solution = solve_task("grad((w*x+b-y)^2, w, b)")
    assert [str(d.variable) for d in solution.derivatives] == ["w", "b"]
    for got, var in zip(solution.gradient, (w, b), strict=True):
        assert sympy.simplify(got - sympy.diff(LOSS, var)) == 0


def test_solve_task_refuses_a_wrt_that_is_not_in_the_expression() -> None:
    with pytest.raises(TaskError):
        solve_task("x^2 y", wrt="z")
