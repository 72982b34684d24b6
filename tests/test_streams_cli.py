"""Pipes, full disks, closed streams, encodings and Ctrl-C around every command (issue 12).

Chosen and documented in the README: a closed pipe ends quietly with 141 (128 + SIGPIPE,
as other tools do); a full disk says "can't write the output", exit 1; a closed stream a
command needs is named, exit 2; Ctrl-C is 130 with a newline; an output that cannot carry
Unicode gets plain ASCII.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gradtutor.cli import app as app_module
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.render.plain_text import plain

RunMain = Callable[[list[str]], tuple[int, str]]  # the run_main fixture (conftest)

ROOT = Path(__file__).resolve().parent.parent


def gradtutor(
    *args: str,
    env: dict[str, str] | None = None,
    close: tuple[int, ...] = (),
    stdout: int | None = subprocess.PIPE,
    stdin_text: str | None = "",
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m gradtutor`` with descriptors in ``close`` closed, as ``<&-`` does."""

    def close_fds() -> None:
        for fd in close:
            os.close(fd)

    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "gradtutor", *args],
        input=None if 0 in close else (stdin_text or "").encode(),
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=full_env,
        cwd=ROOT,
        preexec_fn=close_fds,
        timeout=120,
    )


# -- a pipe whose reader went away, a full disk ---------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["exercises", "list"], ["check", "--json", "x^2", "x*x"], ["descend", "--list"]],
)
def test_a_closed_pipe_ends_quietly_with_141(args: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader (`head -1`) has already gone
    try:
        run = gradtutor(*args, stdout=write)
    finally:
        os.close(write)
    assert (run.returncode, run.stderr) == (141, b"")


def test_check_batch_into_a_closed_pipe_ends_quietly_with_141() -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        run = gradtutor("check", "--batch", "-", stdout=write, stdin_text="x^2\tx*x\n" * 20)
    finally:
        os.close(write)
    assert (run.returncode, run.stderr) == (141, b"")


@pytest.mark.parametrize(
    "args",
    [["check", "--json", "x^2", "x*x"], ["exercises", "list"], ["descend", "--list"]],
)
def test_a_full_disk_for_the_output_is_said_plainly(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        run = gradtutor(*args, stdout=full.fileno())
    assert run.returncode == ExitCode.WRONG
    assert run.stderr == b"gradtutor: can't write the output: no space left on device\n"


# -- closed streams -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["check", "--json", "x^2", "x*x"], ["descend", "--list"], ["exercises", "list"]],
)
def test_closed_stdout_is_named_not_a_bug(args: list[str]) -> None:
    run = gradtutor(*args, close=(1,), stdout=None)
    assert run.returncode == ExitCode.INVALID
    assert run.stderr == b"gradtutor: can't write the output: standard output is closed\n"


@pytest.mark.parametrize(
    "args",
    [
        ["quiz", "-n", "1", "--seed", "1"],
        ["steps"],
        ["steps", "-"],
        ["progress", "--reset"],
        ["check", "--batch", "-"],
    ],
)
def test_closed_stdin_is_named_not_a_bug(args: list[str], tmp_path: Path) -> None:
    run = gradtutor(*args, close=(0,), env={"GRADTUTOR_HOME": str(tmp_path)})
    assert run.returncode == ExitCode.INVALID, run.stderr
    assert b"standard input is closed" in run.stderr or b"stdin is closed" in run.stderr
    assert b"internal error" not in run.stderr


def test_progress_reset_with_closed_stdin_changes_nothing(tmp_path: Path) -> None:
    from gradtutor.tutor.store import open_store

    run = gradtutor("progress", "--reset", close=(0,), env={"GRADTUTOR_HOME": str(tmp_path)})
    assert run.returncode == ExitCode.INVALID
    assert run.stderr == (
        b"gradtutor progress: --reset: no input to read the confirmation from (stdin is "
        b"closed); nothing was changed\nhint: use --yes to reset without asking\n"
    )
    with open_store(tmp_path / "progress.sqlite3") as store:
        assert store.notice is None


def test_a_quiz_answer_that_is_not_utf8_is_read_as_replacement_characters(
    tmp_path: Path,
) -> None:
    run = gradtutor(
        "quiz",
        "-n",
        "1",
        "--seed",
        "1",
        "-t",
        "power-rule",
        env={"GRADTUTOR_HOME": str(tmp_path)},
        stdin_text=None,
    )
    assert run.returncode in (0, 1)  # no input at all: the quiz ends early, cleanly
    raw = subprocess.run(
        [sys.executable, "-m", "gradtutor", "quiz", "-n", "1", "--seed", "1"],
        input=b"\xff\xfe3x^2\n",
        capture_output=True,
        env={**os.environ, "GRADTUTOR_HOME": str(tmp_path), "NO_COLOR": "1"},
        cwd=ROOT,
        timeout=120,
    )
    assert b"internal error" not in raw.stderr
    assert "> \ufffd\ufffd3x^2" in raw.stdout.decode()
    assert "unexpected character '\ufffd'" in raw.stdout.decode()


# -- encodings --------------------------------------------------------------------------------


COMMANDS = ["check", "explain", "steps", "quiz", "progress", "learn", "descend", "exercises"]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_every_help_page_prints_in_an_encoding_without_unicode(encoding: str) -> None:
    for command in [[], *([c] for c in COMMANDS)]:
        run = gradtutor(*command, "--help", env={"PYTHONIOENCODING": encoding})
        assert run.returncode == 0, (command, run.stderr)
        run.stdout.decode("ascii")  # plain ASCII, even where latin-1 could carry more


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_maths_is_written_in_plain_ascii(encoding: str) -> None:
    run = gradtutor("explain", "d/dx(x^2 sin(x))", env={"PYTHONIOENCODING": encoding})
    assert run.returncode == 0, run.stderr
    text = run.stdout.decode("ascii")
    assert "result: 2x*sin(x) + x^2*cos(x)" in text
    assert "power rule: d/dx x^2 = 2x" in text


def test_home_screen_and_progress_in_ascii(tmp_path: Path) -> None:
    env = {"PYTHONIOENCODING": "ascii", "GRADTUTOR_HOME": str(tmp_path)}
    for args in ([], ["progress"], ["exercises", "list"], ["descend", "--list"]):
        run = gradtutor(*args, env=env)
        assert run.returncode == 0, (args, run.stderr)
        run.stdout.decode("ascii")


def test_plain_spelling_of_the_symbols_gradtutor_prints() -> None:
    assert plain("∂f/∂x = 3x²·y → x⁻¹") == "df/dx = 3x^2*y -> x^(-1)"
    assert plain("σ(z)·(1 − σ(z)) … θ₁₂") == "sigma(z)*(1 - sigma(z)) ... theta_12"
    assert plain("╭─╮ é") == "\\u256d-\\u256e \\u00e9"
    assert plain("😀") == "\\ud83d\\ude00"  # still valid inside a JSON string


# -- Ctrl-C and genuine bugs, through main() ------------------------------------------------


def test_ctrl_c_while_starting_is_130_with_a_newline(
    monkeypatch: pytest.MonkeyPatch, run_main: RunMain
) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(app_module, "_application", interrupted)
    assert run_main([]) == (130, "\ninterrupted\n")


def test_ctrl_c_in_the_home_screen_is_130_with_a_newline(
    monkeypatch: pytest.MonkeyPatch, run_main: RunMain
) -> None:
    from gradtutor.cli import home

    def interrupted(ctx: object = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(home, "home", interrupted)
    assert run_main([]) == (130, "\ninterrupted\n")


def test_a_genuine_bug_is_70_and_its_traceback_shows_with_debug(
    monkeypatch: pytest.MonkeyPatch, run_main: RunMain
) -> None:
    from gradtutor.cli import home

    def broken(ctx: object = None) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(home, "home", broken)
    monkeypatch.delenv("GRADTUTOR_DEBUG", raising=False)
    code, err = run_main([])
    assert code == ExitCode.INTERNAL
    assert err.startswith("gradtutor: internal error: ZeroDivisionError: a bug\n")
    monkeypatch.setenv("GRADTUTOR_DEBUG", "1")
    with pytest.raises(ZeroDivisionError, match="a bug"):
        run_main([])


def test_after_the_command_a_late_ctrl_c_cannot_turn_the_status_into_a_signal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import signal

    previous = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(app_module, "_run", lambda: 1)
    try:
        with pytest.raises(SystemExit) as done:
            app_module.main()
        assert done.value.code == 1
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_between_the_command_and_the_exit_is_130(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    def interrupted() -> int:
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(app_module, "_run", interrupted)
    try:
        with pytest.raises(SystemExit) as done:
            app_module.main()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert (done.value.code, err.getvalue()) == (130, "\ninterrupted\n")
