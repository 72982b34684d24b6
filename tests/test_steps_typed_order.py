"""``steps`` quotes the task and the learner's terms in the order typed, not sympy's."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gradtutor.cli.app import app

runner = CliRunner()
ENV = {"COLUMNS": "100"}


def test_steps_task_and_corrected_line_keep_the_typed_order() -> None:
    work = "∂/∂z(3x^3z - y^2 + 5z + 2yz)\n= 3x^2 + 5 + 2y\n"
    result = runner.invoke(app, ["steps", "-"], input=work, env=ENV)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "task: ∂/∂z (3x³z − y² + 5z + 2yz)    x and y are held constant",
        "  1 ✗ = 3x^2 + 5 + 2y",
        "      the term ∂/∂z (3x³z) became 3x²",
        "      at x = 3, y = 0.5 this line gives 33, the derivative 87",
        "      it should have been: 3x³ + 5 + 2y",
        "first problem at line 1; the derivative is 3x³ + 5 + 2y",
    ]


def test_steps_first_line_should_be_in_json_keeps_the_learners_order() -> None:
    work = "d/dx(x^3 + 5x^2 + 7x)\n= 3x^2 + 10 + 7\n"
    result = runner.invoke(app, ["steps", "-", "--json"], input=work)
    (line,) = json.loads(result.stdout)["lines"]
    assert line["should_be"] == "3x^2 + 10*x + 7"
    assert line["misconception"] == "dropped_variable"


def test_steps_terms_quote_a_bracketed_sum_as_typed() -> None:
    work = "d/dx(x^2 + 3(1 + x)^2)\n= 2x + 6(1 + x)\n= 2x + 6(1 + x)^2\n"
    result = runner.invoke(app, ["steps", "-"], input=work, env=ENV)
    assert result.stdout.splitlines() == [
        "task: d/dx (x² + 3(1 + x)²)",
        "  1 ✓ = 2x + 6(1 + x)    right",
        "  2 ✗ = 2x + 6(1 + x)^2",
        "      an arithmetic slip: this line does not equal the line before",
        "      the term 6(1 + x) became 6(1 + x)²",
        "      at x = 2 this line gives 58, the derivative 22",
        "      it should have been: 2x + 6x + 6",  # the right term put back in its place
        "first problem at line 2; the derivative is 8x + 6",
    ]
    data = runner.invoke(app, ["steps", "-", "--json"], input=work).stdout
    assert json.loads(data)["lines"][1]["should_be"] == "2x + 6*x + 6"


def test_steps_dropped_minus_term_is_put_back_as_typed() -> None:
    work = "d/dx(x^2 - 3x)\n= 2x - 3\n= 2x\n"
    result = runner.invoke(app, ["steps", "-", "--json"], input=work)
    assert json.loads(result.stdout)["lines"][1]["should_be"] == "2x - 3"  # − stays in place
