"""`gradtutor backprop --practice` on a real pseudo-terminal: right, wrong, hint, Ctrl-C."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "\x1b[?2004h"  # prompt_toolkit switches bracketed paste on as the answer line opens

pytestmark = pytest.mark.slow


def spawn(home: Path) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADTUTOR")}
    env.update(
        GRADTUTOR_HOME=str(home),
        NO_COLOR="1",
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
        COLUMNS="100",
        PYTHONPATH=str(ROOT),
    )
    args = ["-m", "gradtutor", "backprop", "(σ(w*x + b) - y)^2", "--at", "w=0.5,x=2,b=-1,y=1"]
    return pexpect.spawn(
        sys.executable,
        [*args, "--wrt", "w,b", "--practice"],
        env=env,
        cwd=str(ROOT),
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=30,
    )


def test_practice_right_wrong_hint_and_ctrl_c(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect_exact("[1/11] forward")
    child.expect_exact(PROMPT)
    child.send("1\r")  # w·x = 0.5 × 2
    child.expect_exact("✓ right")
    child.expect_exact("[2/11] forward")
    child.expect_exact(PROMPT)
    child.send("3\r")  # wrong: w·x + b = 1 + (−1) = 0
    child.expect_exact("✗ not quite")
    child.expect_exact(PROMPT)
    child.send("hint\r")
    child.expect_exact("hint: apply + to the input values")
    child.expect_exact(PROMPT)
    child.send("0\r")
    child.expect_exact("✓ right")
    child.expect_exact("[3/11] forward")
    child.expect_exact(PROMPT)
    child.sendintr()
    child.expect_exact("Interrupted")
    child.expect_exact("Summary")
    child.expect_exact("2/3 right (1 first time)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
