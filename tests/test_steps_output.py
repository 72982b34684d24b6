"""``steps`` output: no trailing spaces in a file, JSON errors for bad input, and Ctrl-C at the
interactive prompt (a newline, the summary so far, exit 130)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.parsing import parse
from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
NOTES = "d/dx(3x^3)\n= 3*3x^2\n= 3*3*1^2\n= 9^2\n"

runner = CliRunner()


def test_steps_written_to_a_file_has_no_trailing_spaces(tmp_path: Path) -> None:
    work = tmp_path / "work.txt"
    work.write_text(NOTES, encoding="utf-8")
    result = runner.invoke(app, ["steps", str(work)], env={"COLUMNS": "80"})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [ln for ln in lines if ln.endswith(" ")] == []
    assert "\u00a0" not in result.stdout
    assert lines[:5] == [
        "task: d/dx (3x³)",
        "  1 ✓ = 3*3x^2    right",
        "  2 ✗ = 3*3*1^2",
        "      variable dropped: Where did x go? 9x² became 9, as if x were 1 or not",
        "      there.",
    ]
    assert lines[-1] == "first problem at line 2; the derivative is 9x²"


def test_steps_json_bad_task_line_writes_an_error_object() -> None:
    with pytest.raises(ParseError) as caught:
        parse("d/dx(3x^^3)")
    err = caught.value
    result = runner.invoke(app, ["steps", "-", "--json"], input="d/dx(3x^^3)\n= 9x^2\n")
    assert result.exit_code == 2
    message = f"can't read the task line: {err.message}"
    assert json.loads(result.stdout) == {
        "error": {"message": message, "column": 7, "hint": err.hint}
    }
    assert result.stderr.startswith(f"gradtutor steps: {message}\n")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["-"], "", "no task line: the first line should be the task, e.g. d/dx(3x^3)"),
        (["-"], "d/dx(x^2)\n", "nothing to check: give your lines after the task line"),
    ],
)
def test_steps_json_missing_lines_write_an_error_object(
    args: list[str], stdin: str, message: str
) -> None:
    result = runner.invoke(app, ["steps", *args, "--json"], input=stdin)
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": {"message": message, "column": None, "hint": None}
    }
    assert result.stderr == f"gradtutor steps: {message}\n"


def test_steps_json_unreadable_file_and_unclear_variable(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = runner.invoke(app, ["steps", str(missing), "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["message"].startswith(f"can't read {missing}: ")
    assert (error["column"], error["hint"]) == (None, None)

    unclear = runner.invoke(app, ["steps", "-", "--json"], input="x^2 y\n= 2xy\n")
    assert unclear.exit_code == 2
    assert json.loads(unclear.stdout) == {
        "error": {
            "message": "x^2*y: with respect to which variable? (variables: x, y)",
            "column": None,
            "hint": "write the task as d/dx(...) or ∂/∂x(...), or start the first line with "
            "f'(x) =",
        }
    }


def wait_until_blocked_in_read(pid: int) -> None:
    """Python's input() writes its prompt and then blocks in read(): a SIGINT landing between
    the two is only noticed after the read returns (a race no person can hit, but a test
    sending ^C the instant the prompt appears does, about 1 run in 10 on a busy machine).
    So wait until the process sleeps: single-threaded, with its prompt written, the only
    thing left for it to sleep in is that read. (A fixed 0.3 s sleep was here before.)"""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():  # no /proc: give the process time instead
        time.sleep(0.5)
        return
    for _ in range(3000):  # 30 s at most
        if stat.read_text().rsplit(")", 1)[1].split()[0] == "S":
            return
        time.sleep(0.01)
    raise AssertionError("the process never blocked reading its terminal")


@pytest.mark.slow
def test_steps_interactive_ctrl_c_ends_on_a_new_line_with_the_summary(tmp_path: Path) -> None:
    import pexpect

    env = {
        "NO_COLOR": "1",
        "COLUMNS": "100",
        "GRADTUTOR_HOME": os.environ["GRADTUTOR_HOME"],  # the test's own, never the real one
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "dumb",
        "PYTHONPATH": str(ROOT),
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "steps"],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=20,
    )
    child.expect_exact("task> ")
    child.sendline("d/dx(3x^3)")
    child.expect_exact("1> ")
    child.sendline("= 3*3x^2")
    child.expect_exact("✓ = 3*3x^2    right")
    child.expect_exact("   2> ")
    wait_until_blocked_in_read(child.pid)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    # The terminal echoes ^C; the summary starts on the next line, not after the prompt.
    assert child.before == "^C\r\n✓ every line is right\r\n"
    assert child.exitstatus == 130


@pytest.mark.slow
def test_steps_interactive_up_arrow_recalls_the_previous_line(tmp_path: Path) -> None:
    """Line editing and history at the steps prompt (prompt_toolkit): up-arrow brings back
    the last line for editing instead of printing ^[[A."""
    import pexpect

    env = {
        "NO_COLOR": "1",
        "COLUMNS": "100",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "PYTHONPATH": str(ROOT),
        "GRADTUTOR_HOME": str(tmp_path),
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "steps"],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
    )
    child.expect_exact("task>")
    child.send("d/dx(3x^3)\r")
    child.expect_exact("1>")
    child.send("= 3*3x^2\r")
    child.expect_exact("✓ = 3*3x^2")
    child.expect_exact("2>")
    child.send("\x1b[A")  # up-arrow
    child.expect_exact("= 3*3x^2")
    child.send("\x1b[D\x1b[D\x1b[D")  # left-arrow three times: editing inside the line
    child.send("*")  # = 3*3*x^2
    child.send("\r")
    child.expect_exact("✓ = 3*3*x^2")
    child.expect_exact("3>")
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert "^[[A" not in (child.before or "")
    assert child.exitstatus == 0
    # the lines typed are kept for the next run
    assert "= 3*3x^2" in (tmp_path / "steps-history").read_text(encoding="utf-8")
