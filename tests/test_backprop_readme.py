"""The README's Backprop lab section shows real output: each example block is re-run."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Backprop lab", 1)[1].split("\n## ", 1)[0]
runner = CliRunner()
PRACTICE = ["backprop", "(σ(w*x + b) - y)^2", "--at", "w=0.5,x=2,b=-1,y=1", "--wrt", "w,b"]


def _blocks() -> list[str]:
    return [b.split("```", 1)[0] for b in SECTION.split("```\n")[1::2]]


@pytest.mark.parametrize("block", [b for b in _blocks() if b.startswith("$ gradtutor")])
def test_readme_command_blocks_are_real_output(block: str) -> None:
    command, *shown = block.strip("\n").splitlines()
    args = shlex.split(command[2:])[1:]
    result = runner.invoke(app, args, env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for line in shown:
        if line.strip() != "…":
            assert line in lines, line


def test_readme_practice_block_is_real_output() -> None:
    block = next(b for b in _blocks() if b.startswith("[6/11] backward"))
    result = runner.invoke(
        app,
        [*PRACTICE, "--practice"],
        input="1\n0\n0.5\n-0.5\n0.25\n-0.5\n-1\nquit\n",
        env={"NO_COLOR": "1", "COLUMNS": "120"},
    )
    for line in block.strip("\n").splitlines():
        assert line in result.stdout.splitlines(), line


def test_readme_fanout_sentence_is_real_output() -> None:
    result = runner.invoke(app, ["backprop", "x*w + w^2", "--at", "x=3,w=2"], env={"NO_COLOR": "1"})
    sentence = "∂L/∂w = 3 × 1 + 4 × 1 = 3 + 4 = 7: w is used twice"
    assert sentence in SECTION and sentence in result.stdout
