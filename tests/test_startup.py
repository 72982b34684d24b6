"""Start-up: a one-shot command builds only its own command, a check's worker is forked
before sympy is imported (and still killed at its time limit), and the command process
of a one-shot check never imports sympy. Speed itself is in benchmarks/bench_check.py."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import typer
from typer.testing import CliRunner

from gradtutor.cli import app as cli_app


def _python(code: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "80"},
    )


def test_lean_app_for_check_has_only_the_check_command() -> None:
    lean = typer.main.get_command(cli_app._build("gradtutor.cli.check"))
    assert sorted(lean.commands) == ["check"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--time-limit", "abc", "x", "x"],
        ["check", "d/dx(3x^3)", "9x^2"],
        ["check", "--help"],
        ["explain", "--wrt", "q", "x^2"],
    ],
)
def test_lean_app_says_what_the_full_app_says(argv: list[str]) -> None:
    module = cli_app._invoked_module(["gradtutor", *argv])
    assert module == f"gradtutor.cli.{argv[0]}"
    runner = CliRunner()
    full = runner.invoke(cli_app._build(), argv, env={"NO_COLOR": "1", "COLUMNS": "80"})
    lean = runner.invoke(cli_app._build(module), argv, env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert (lean.exit_code, lean.output) == (full.exit_code, full.output)


def test_no_command_an_option_or_an_unknown_name_builds_every_command() -> None:
    assert cli_app._invoked_module(["gradtutor"]) is None
    assert cli_app._invoked_module(["gradtutor", "--help"]) is None
    assert cli_app._invoked_module(["gradtutor", "chek", "x", "x"]) is None
    assert cli_app._invoked_module(["gradtutor", "app", "x"]) is None


def test_one_shot_check_never_imports_sympy_in_the_command_process() -> None:
    run = _python(
        """
        import sys
        sys.argv = ["gradtutor", "check", "d/dx(3x^3)", "9x^2"]
        from gradtutor.cli.app import main
        try:
            main()
        finally:
            print("sympy imported:", "sympy" in sys.modules, file=sys.stderr)
        """
    )
    assert run.returncode == 0
    assert run.stdout == "✓ correct\n  expected d/dx(3x³) = 9x²\n  answer   9x²   (as read)\n"
    assert run.stderr.strip() == "sympy imported: False"


def test_prestarted_worker_is_killed_at_its_time_limit_like_any_worker() -> None:
    run = _python(
        """
        import os, sys
        from gradtutor.calculus import worker
        from gradtutor.calculus.timelimit import TimeLimitExceeded

        def stubborn():  # ignores the worker's own in-process limit: only a kill stops it
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    pass

        started = worker.prestart()
        prestarted = worker._idle[-1].process.pid
        try:
            worker.run(stubborn, time_limit=0.5)
            outcome = "finished"
        except TimeLimitExceeded:
            outcome = "stopped"
        killed = not worker._idle and not os.path.exists(f"/proc/{prestarted}/status")
        print(started, outcome, killed, "sympy" in sys.modules)
        """
    )
    assert run.stdout.split() == ["True", "stopped", "True", "False"], run.stderr


def test_prestarted_worker_that_cannot_start_is_replaced_by_a_fresh_one() -> None:
    run = _python(
        """
        from gradtutor.calculus import worker
        worker.prestart(("gradtutor.no_such_module",))
        print(worker.run(pow, 3, 4, time_limit=30))
        """
    )
    assert run.stdout.split() == ["81"], run.stderr
