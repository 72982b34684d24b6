"""Worked solutions: the rendered lines at a pinned width, --brief, --json, grad, errors."""

from __future__ import annotations

import io
import json

from typer.testing import CliRunner

from gradtutor.calculus.derive import solve_task
from gradtutor.cli.app import app
from gradtutor.render.console import make_console
from gradtutor.render.explain import render_explain

runner = CliRunner()


def _text(task: str, *, brief: bool = False, width: int = 100) -> str:
    out = io.StringIO()
    make_console(file=out, width=width).print(render_explain(solve_task(task), brief=brief))
    return out.getvalue()


def test_explain_product_rule_lines() -> None:
    assert _text("d/dx(x^2 sin(x))") == (
        "d/dx (x²·sin(x))\n"
        "└── product rule: d/dx (x²·sin(x)) = u'v + uv' with u = x², v = sin(x): u' = 2x, "
        "v' = cos(x) →\n"  # no space left at the end of a wrapped line
        "    2x·sin(x) + x²·cos(x)\n"
        "    ├── power rule: d/dx x² = 2x\n"
        "    └── sin rule: d/dx sin(x) = cos(x)\n"
        "result: 2x·sin(x) + x²·cos(x)\n"  # u'v + uv', in the order of the line above
        "simplify (algebra, not calculus): 2x·sin(x) + x²·cos(x) = x·(x·cos(x) + 2sin(x))\n"
    )


def test_explain_notes_chain_rule_keeps_the_typed_structure() -> None:
    text = _text("d/dx(3(2x^2)^5)", width=160)
    assert "constant multiple rule: d/dx (3(2x²)⁵) = 3·d/dx (2x²)⁵ = 3·320x⁹ = 960x⁹" in text
    assert (
        "chain rule: d/dx (2x²)⁵ = f'(u)·u' with u = 2x², f(u) = u⁵: f'(u) = 5u⁴ (power rule), "
        "u' = 4x → 5(2x²)⁴·4x = 320x⁹"
    ) in text
    assert text.endswith("result: 960x⁹\n")


def test_explain_brief_hides_atomic_leaves() -> None:
    full, brief = _text("d/dx(x^2 sin(x))"), _text("d/dx(x^2 sin(x))", brief=True)
    assert "power rule: d/dx x² = 2x" in full
    assert "power rule" not in brief and "sin rule" not in brief
    assert "product rule" in brief


def test_explain_repeated_substep_worked_once() -> None:
    text = _text("d/dx(sin(x^2) + 2 sin(x^2))", width=140)
    assert text.count("(worked above)") == 1
    assert text.count("chain rule: d/dx sin(x²)") == 2


def test_explain_partial_says_held_constant_once() -> None:
    text = _text("∂/∂z(3x^3z - y^2 + 5z + 2yz)", width=140)
    assert text.splitlines()[0] == "∂/∂z (3x³z − y² + 5z + 2yz)    x and y are held constant"
    assert text.count("held constant") == 2  # the header, and the −y² leaf's rule name
    assert "held constant: ∂/∂z (−y²) = 0" in text
    assert text.endswith("result: 3x³ + 5 + 2y\n")  # the terms in the order typed


def test_explain_gradient_vector() -> None:
    solution = solve_task("grad(3x^3z - y^2 + 5z + 2yz)")
    assert [str(d.variable) for d in solution.derivatives] == ["x", "y", "z"]
    text = _text("grad(3x^3z - y^2 + 5z + 2yz)", width=140)
    assert text.endswith("gradient: ∇f = (∂f/∂x, ∂f/∂y, ∂f/∂z) = (9x²z, −2y + 2z, 3x³ + 5 + 2y)\n")


def test_explain_json_tree() -> None:
    result = runner.invoke(app, ["explain", "d/dx(sin(x^2))", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["task"] == "d/dx(sin(x^2))"
    assert data["gradient"] is None and data["answer"] == "2*x*cos(x^2)"
    (worked,) = data["derivatives"]
    assert (worked["variable"], worked["partial"], worked["held_constant"]) == ("x", False, [])
    tree = worked["steps"]
    assert (tree["rule"], tree["expr"], tree["result"]) == ("chain", "sin(x^2)", "2*x*cos(x^2)")
    assert [(s["rule"], s["expr"], s["result"]) for s in tree["substeps"]] == [
        ("sin", "sin(u)", "cos(u)"),
        ("power", "x^2", "2*x"),
    ]
    assert tree["inner"] == "x^2" and tree["u"] == "u"


def test_explain_json_gradient() -> None:
    result = runner.invoke(app, ["explain", "grad(x^2 y)", "--json"])
    data = json.loads(result.stdout)
    assert data["gradient"] == ["2*x*y", "x^2"]
    assert [d["held_constant"] for d in data["derivatives"]] == [["y"], ["x"]]


def test_explain_cli_no_color_plain_text() -> None:
    result = runner.invoke(app, ["explain", "d/dx(e^x)"])
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert "└── exponential rule (e^x): d/dx e^x = e^x\n" in result.stdout


def test_explain_cli_wrt_for_a_plain_expression() -> None:
    result = runner.invoke(app, ["explain", "x^2 y", "--wrt", "y", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["answer"] == "x^2"


def test_explain_cli_bad_input_exits_2_with_caret() -> None:
    result = runner.invoke(app, ["explain", "d/dx(x^^2)"])
    assert result.exit_code == 2
    assert result.stderr.startswith("gradtutor explain: ")
    assert "^" in result.stderr and "Traceback" not in result.stderr


def test_explain_cli_unclear_variable_exits_2_with_hint() -> None:
    result = runner.invoke(app, ["explain", "x^2 y"])
    assert result.exit_code == 2
    assert "which one?" in result.stderr and "--wrt x" in result.stderr


def test_explain_help_shows_an_example() -> None:
    result = runner.invoke(app, ["explain", "--help"])
    assert result.exit_code == 0 and 'gradtutor explain "d/dx(x^2 sin(x))"' in result.stdout
