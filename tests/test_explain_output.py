"""``explain`` output: the answer for grad and for derivatives inside an expression, JSON errors,
and text wrapped between items (not inside an expression) with no trailing spaces."""

from __future__ import annotations

import io
import json

import pytest
from typer.testing import CliRunner

from gradtutor.calculus.derive import solve_task
from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.parsing import parse
from gradtutor.cli.app import app
from gradtutor.render.console import make_console
from gradtutor.render.explain import GLUE, Wrapped, glued, render_explain

runner = CliRunner()


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["explain", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- answer ----------------------------------------------------------------------------------


def test_explain_json_answer_of_a_gradient_is_the_vector() -> None:
    data = _json("grad(x^2 y)")
    assert data["gradient"] == ["2*x*y", "x^2"]
    assert data["answer"] == "(2*x*y, x^2)"
    data = _json("grad(3x^3z - y^2 + 5z + 2yz)")
    assert data["answer"] == "(" + ", ".join(data["gradient"]) + ")"
    assert data["answer"].count(",") == 2 and data["answer"].startswith("(9*x^2*z, ")


@pytest.mark.parametrize(
    ("task", "answer"),
    [
        ("d/dx(sin(x^2))", "2*x*cos(x^2)"),  # one derivative: that derivative
        ("d^2/dx^2(x^3)", "6*x"),  # the second derivative, not the first
        ("3 d/dx(x^2)", "6*x"),  # was 2*x: the derivative alone, not the task's value
        ("d/dx(x^2) + d/dy(y^3)", "2*x + 3*y^2"),  # was 3*y^2: the last derivative only
    ],
)
def test_explain_json_answer_is_what_the_task_asks_for(task: str, answer: str) -> None:
    assert _json(task)["answer"] == answer


def test_explain_text_gives_the_value_of_derivatives_inside_an_expression() -> None:
    out = io.StringIO()
    make_console(file=out, width=80).print(render_explain(solve_task("3 d/dx(x^2)")))
    assert out.getvalue().endswith("result: 2x\n\nanswer: 6x\n")


# -- errors as JSON --------------------------------------------------------------------------


def _parse_error(text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize(("task", "column"), [("d/dx(x^^2)", 6), ("grad(x^^2)", 6)])
def test_explain_json_bad_input_writes_an_error_object(task: str, column: int) -> None:
    err = _parse_error("x^^2")
    result = runner.invoke(app, ["explain", task, "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": {"message": err.message, "column": column, "hint": err.hint}
    }
    assert result.stderr.startswith(f"gradtutor explain: {err.message}\n")
    assert result.stderr.split("\n")[2] == "  " + " " * column + "^"  # caret under the column


@pytest.mark.parametrize(
    ("text", "inside", "verdict"),
    [
        ("grad(x^2 y)", "x^2 y", "equivalent"),
        (" grad (x^2 y, y) ", "x^2 y, y", "not_equivalent"),  # one component, not two
        ("∇(x^2 y)", "x^2 y", "equivalent"),
        ("∇x^2 y", "x^2 y", "equivalent"),
        ("grad(x)*grad(y)", None, "invalid"),
        ("gradient(x)", None, "invalid"),
        ("grad x", None, "invalid"),
    ],
)
def test_explain_and_check_find_the_same_gradients(
    text: str, inside: str | None, verdict: str
) -> None:
    # explain read ∇x^2 y (check refused it) and both took grad(x)*grad(y) for grad of
    # "x)*grad(y"; one reader now decides for both
    from gradtutor.calculus.equivalence import check
    from gradtutor.calculus.vectors import grad_argument

    found = grad_argument(text)
    assert (found[1] if found else None) == inside
    assert check(text, "(2xy, x^2)").verdict == verdict
    explained = runner.invoke(app, ["explain", text, "--json"])
    assert explained.exit_code == (2 if inside is None else 0)


def test_explain_json_unclear_variable_writes_an_error_object() -> None:
    result = runner.invoke(app, ["explain", "x^2 y", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": {
            "message": "x^2*y has several variables (x, y): which one?",
            "column": None,
            "hint": "write ∂/∂x(x^2*y), add --wrt x, or ask for grad(x^2*y)",
        }
    }
    assert "which one?" in result.stderr


# -- wrapping --------------------------------------------------------------------------------


def test_explain_at_80_columns_wraps_between_items_not_inside_them() -> None:
    result = runner.invoke(app, ["explain", "d/dx((x^2+1)/(x-1))"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1:4] == [
        "└── quotient rule: d/dx ((x² + 1)/(x − 1)) = (f'g − fg')/g² with f = x² + 1,",
        "    g = x − 1: f' = 2x, g' = 1 → (2x·(x − 1) − (x² + 1)·1)/(x − 1)² =",
        "    (−x² + 2x·(x − 1) − 1)/(x − 1)²",
    ]
    assert lines[-2:] == [
        "simplify (algebra, not calculus): (−x² + 2x·(x − 1) − 1)/(x − 1)² =",
        "(x² − 2x − 1)/(x − 1)²",
    ]


def test_explain_to_a_file_has_no_trailing_spaces_nor_no_break_spaces() -> None:
    for task in ("d/dx(3(2x^2)^5)", "d/dx(x^2 sin(x) e^x)", "grad(3x^3z - y^2 + 5z + 2yz)"):
        for columns in ("60", "80", "100"):
            result = runner.invoke(app, ["explain", task], env={"COLUMNS": columns})
            assert result.exit_code == 0
            assert [ln for ln in result.stdout.splitlines() if ln.endswith(" ")] == []
            assert GLUE not in result.stdout


def test_an_item_wider_than_the_line_still_breaks_at_its_spaces() -> None:
    out = io.StringIO()
    text = Wrapped("result: " + glued("a + b + c + d + e + f + g + h"))
    make_console(file=out, width=12).print(text)
    assert out.getvalue() == "result: a +\nb + c + d +\ne + f + g +\nh\n"  # not cut mid-word
    out = io.StringIO()
    make_console(file=out, width=12).print(Wrapped("x = " + glued("a + b") + " and more"))
    assert out.getvalue() == "x = a + b\nand more\n"
