"""The README's tour quotes real runs: the numeric quiz example is re-run with its seed."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from gradtutor.cli.app import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_gradient_descent_quiz_seed_gives_the_question_shown() -> None:
    # The tour said `--seed 45` gives "starting at x = -2 with learning rate 0.25", but seed
    # 45 asked for learning rate 0.3 (answer −0.8), so the shown feedback could not be had.
    command = re.search(r"^\$ (gradtutor quiz --topic gradient-descent .*)$", README, re.M)
    assert command is not None
    args = shlex.split(command.group(1))[1:]
    result = CliRunner().invoke(
        app, [*args, "--json"], input="-3\nsteps\n", env={"NO_COLOR": "1", "COLUMNS": "80"}
    )
    assert result.exit_code == 1
    shown = result.stdout + result.stderr
    assert "starting at x = -2 with learning rate 0.25" in shown
    assert "-3 is x₀ + lr·f′(−2) = −2 + 0.25·(−4): the step went uphill." in shown
    assert "x₁ = x₀ − lr·f′(−2) = −2 − 0.25·(−4) = −1" in shown
    assert "x₁ = x₀ − lr·f′(−2) = −2 − 0.25·(−4) = −1" in README


def test_readme_names_every_field_of_explain_json() -> None:
    # explain --json wrote "expr" and "partial" in each derivative; the README left them out
    import json

    section = README.split("### `gradtutor explain --json`", 1)[1].split("\n### ", 1)[0]
    listed = section.split('"derivatives": [{', 1)[1].split("}]", 1)[0]
    named = set(re.findall(r'"(\w+)"', listed))
    result = CliRunner().invoke(app, ["explain", "x^2 y", "--wrt", "x", "--json"])
    assert result.exit_code == 0
    derivative = json.loads(result.stdout)["derivatives"][0]
    assert named == set(derivative)
    assert (derivative["expr"], derivative["partial"], derivative["held_constant"]) == (
        "x^2*y",
        True,
        ["y"],
    )
