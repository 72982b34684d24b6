"""A numeric question in a real terminal: 'close' decimals, the exact form, a named mistake,
the worked numbers and the summary with tries."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACK = str(ROOT / "tests" / "data" / "numeric_pack.toml")
PROMPT = "\x1b[?2004h"  # prompt_toolkit opens the answer line

pytestmark = pytest.mark.slow


def spawn(home: Path, *args: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADTUTOR")}
    env.update(
        GRADTUTOR_HOME=str(home),
        NO_COLOR="1",
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
        COLUMNS="120",
        PYTHONPATH=str(ROOT),
    )
    return pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "quiz", "--pack", PACK, *args],
        env=env,
        cwd=str(ROOT),
        dimensions=(40, 120),
        encoding="utf-8",
        timeout=60,
    )


def test_backprop_decimals_in_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--topic", "num-backprop", "--count", "1", "--seed", "1")
    child.expect_exact(PROMPT)
    child.send("0.37\r")
    child.expect_exact("Close — give 3 significant figures, or the exact value, e.g. σ(1).")
    child.expect_exact(PROMPT)
    child.send("0.3699\r")
    child.expect_exact("✓ Right")
    child.expect_exact(" (to 4 significant figures). Exact value: ")
    child.expect_exact("(4 − 4σ(2))·σ(2)²")
    child.expect_exact(PROMPT)
    child.send("0.1\r")  # ∂L/∂b = 0.18496…: one figure, truncated — close
    child.expect_exact("Close")
    child.expect_exact(PROMPT)
    child.send("0.185\r")
    child.expect("Summary")
    child.expect_exact("1 of 1 right, all first time without a hint")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_an_uphill_step_is_named_and_the_numbers_end_the_solution(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--topic", "num-descent", "--count", "1", "--seed", "1")
    child.expect_exact(PROMPT)
    child.send("-3\r")
    child.expect_exact("the step went uphill")
    child.expect_exact(PROMPT)
    child.send("steps\r")
    child.expect_exact("With the numbers:")
    child.expect_exact("x₁ = x₀ − lr·f′(−2) = −2 − 0.25·(−4) = −1")
    child.expect("Summary")
    child.expect_exact("solution shown · 1 try")
    child.expect_exact("Misconceptions: ")
    child.expect_exact("gradient step taken uphill")
    child.expect_exact("gradtutor quiz --misconception descent_step_uphill")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
