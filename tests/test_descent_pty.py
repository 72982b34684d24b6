"""``gradtutor descend`` in a real pseudo-terminal: it animates, and Ctrl-C ends it cleanly."""

from __future__ import annotations

import os
import sys

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.slow


def spawn(*args: str):
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "descend", *args],
        env=env,
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=20,
    )
    return child


def test_animation_redraws_in_place_and_ctrl_c_prints_the_summary():
    child = spawn("rosenbrock", "-o", "sgd,adam", "--fps", "10", "--every", "1")
    child.expect("running")  # the live table
    child.expect("\x1b\\[\\d+A")  # a later frame moves the cursor up to redraw changed lines
    child.sendintr()
    child.expect("Animation interrupted at step \\d+")
    child.expect("Replay: gradtutor descend rosenbrock")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_finished_animation_exits_0_with_the_ranking():
    child = spawn("bowl", "-o", "sgd,momentum", "--fps", "120")
    child.expect("Winner: sgd, lowest loss \\(2.088e-9, level with momentum\\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
