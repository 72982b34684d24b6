"""An expression that starts with a minus sign is an argument, not an option."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gradtutor.cli.app import maths_arguments


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # `descend "-cos(x)"` was read as -c -o s(x): "unknown optimizer 's(x)'"
        (["descend", "-cos(x)", "--no-animate"], ["descend", " -cos(x)", "--no-animate"]),
        # `explain "-x^2" --wrt x` was read as --wrt ^2: "Missing argument 'task'"
        (["explain", "-x^2", "--wrt", "x"], ["explain", " -x^2", "--wrt", "x"]),
        (["explain", "-2x", "-x", "x"], ["explain", " -2x", "-x", "x"]),
        (["backprop", "-x*exp(-x)", "--at", "x=1"], ["backprop", " -x*exp(-x)", "--at", "x=1"]),
        # options, their attached values and numbers stay as they are
        (
            ["descend", "bowl", "-osgd:lr=0.2,momentum=0.9"],
            ["descend", "bowl", "-osgd:lr=0.2,momentum=0.9"],
        ),
        (["descend", "bowl", "--start", "-2,1"], ["descend", "bowl", "--start", "-2,1"]),
        (["explain", "-x", "w", "w*x"], ["explain", "-x", "w", "w*x"]),
        (["quiz", "-h"], ["quiz", "-h"]),
        # after "--" nothing is touched
        (["explain", "--", "-x^2"], ["explain", "--", "-x^2"]),
    ],
)
def test_maths_arguments(args: list[str], expected: list[str]) -> None:
    assert maths_arguments(args) == expected


@pytest.mark.slow
def test_descend_a_loss_that_starts_with_a_minus_sign() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gradtutor", "descend", "-cos(x)", "--no-animate", "--steps", "5"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "80"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("your loss  f(x) = -cos(x)\n")
    assert "Replay: gradtutor descend '-cos(x)' --optimizer sgd:lr=0.1" in result.stdout
