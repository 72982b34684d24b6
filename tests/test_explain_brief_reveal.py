"""explain --brief folds trivial steps; --reveal shows one step per Enter (issue 10 item 16)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from gradtutor.calculus.derive import solve_task
from gradtutor.cli.app import app
from gradtutor.render.console import make_console
from gradtutor.render.explain import render_explain, reveal_chunks

ROOT = Path(__file__).resolve().parent.parent


def _text(task: str, *, brief: bool = False, width: int = 100) -> str:
    out = io.StringIO()
    make_console(file=out, width=width).print(render_explain(solve_task(task), brief=brief))
    return out.getvalue()


def test_explain_brief_folds_constant_times_x_into_the_sum() -> None:
    assert _text("∂/∂z(3x^3z - y^2 + 5z + 2yz)", brief=True) == (
        "∂/∂z (3x³z − y² + 5z + 2yz)    x and y are held constant\n"
        "└── sum rule: ∂/∂z (3x³z − y² + 5z + 2yz) = ∂/∂z (3x³z) + ∂/∂z (−y²) + ∂/∂z (5z) + "
        "∂/∂z (2yz) =\n"
        "    3x³ + 0 + 5 + 2y\n"
        "result: 3x³ + 5 + 2y\n"
    )
    full = _text("∂/∂z(3x^3z - y^2 + 5z + 2yz)")
    assert "constant multiple rule: ∂/∂z (5z) = 5·∂/∂z z = 5·1 = 5" in full


def test_explain_brief_trivial_step_alone_is_one_line() -> None:
    assert _text("d/dx(5x)", brief=True) == (
        "d/dx (5x)\n└── constant multiple rule: d/dx (5x) = 5\nresult: 5\n"
    )


def test_explain_brief_keeps_steps_with_something_to_learn() -> None:
    text = _text("d/dx(3(2x^2)^5)", brief=True, width=160)
    assert "constant multiple rule: d/dx (2x²) = 2·d/dx x² = 2·2x = 4x" in text
    assert "power rule: d/dx x² = 2x" not in text  # the atomic leaf, on its parent's line


def test_explain_reveal_chunks_cut_at_each_step_keeping_wrapped_lines() -> None:
    printed = _text("d/dx(x^2 sin(x))").rstrip("\n")
    chunks = reveal_chunks(printed)
    # sub-steps before the step that uses them: the product rule's line holds the answer
    assert chunks == [
        "d/dx (x²·sin(x))",
        "    ├── power rule: d/dx x² = 2x",
        "    └── sin rule: d/dx sin(x) = cos(x)",
        "└── product rule: d/dx (x²·sin(x)) = u'v + uv' with u = x², v = sin(x): u' = 2x, "
        "v' = cos(x) →\n    2x·sin(x) + x²·cos(x)",
        "result: 2x·sin(x) + x²·cos(x)",
        "simplify (algebra, not calculus): 2x·sin(x) + x²·cos(x) = x·(x·cos(x) + 2sin(x))",
    ]
    lines = "\n".join(chunks).split("\n")
    assert sorted(lines) == sorted(printed.split("\n"))  # nothing lost, nothing added


def test_explain_reveal_never_shows_a_result_before_the_steps_inside_it() -> None:
    # regression: the first Enter on d/dx(3(2x^2)^5) showed "= 3·320x⁹ = 960x⁹" at once
    chunks = reveal_chunks(_text("d/dx(3(2x^2)^5)", width=160).rstrip("\n"))
    names = [c.strip().split(":")[0].removeprefix("└── ") for c in chunks]
    assert names == [
        "d/dx (3(2x²)⁵)",
        "power rule",
        "constant multiple rule",
        "chain rule",
        "constant multiple rule",
        "result",
    ]
    assert "960x⁹" in chunks[4] and all("960x⁹" not in c for c in chunks[:4])


def test_explain_reveal_on_a_pipe_prints_everything_at_once() -> None:
    plain = CliRunner().invoke(app, ["explain", "d/dx(x^2 sin(x))"])
    revealed = CliRunner().invoke(app, ["explain", "d/dx(x^2 sin(x))", "--reveal"], input="")
    assert revealed.exit_code == 0
    assert revealed.output == plain.output


def spawn_reveal(home: Path) -> pexpect.spawn:
    """``explain d/dx(x^2 sin(x)) --reveal`` on a 40×100 pseudo-terminal."""
    env = {
        "NO_COLOR": "1",
        "COLUMNS": "100",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm",
        "PYTHONPATH": str(ROOT),
        "GRADTUTOR_HOME": str(home),
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "explain", "d/dx(x^2 sin(x))", "--reveal"],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
    )


@pytest.mark.slow
def test_explain_reveal_enter_shows_the_next_step(tmp_path: Path) -> None:
    child = spawn_reveal(tmp_path)
    child.expect_exact("d/dx (x²·sin(x))")
    child.expect_exact("[Enter] next step (2/6)")
    assert "product rule" not in child.before  # not shown before Enter
    child.send("\r")
    child.expect_exact("d/dx x² = 2x")  # the inner steps first (the rule's name is bold)
    child.expect_exact("[Enter] next step (3/6)")
    assert "product rule" not in child.before
    child.send("\r")
    child.expect_exact("d/dx sin(x) = cos(x)")
    child.expect_exact("[Enter] next step (4/6)")
    child.send("a\r")  # the rest at once
    child.expect_exact("product rule")
    child.expect_exact("result:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.slow
def test_explain_reveal_q_stops(tmp_path: Path) -> None:
    child = spawn_reveal(tmp_path)
    child.expect_exact("[Enter] next step (2/6)")
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()
    assert "product rule" not in child.before
    assert child.exitstatus == 0
