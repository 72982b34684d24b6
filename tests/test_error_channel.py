"""One error channel (issue 11): a GradtutorError raised anywhere below a command is reported
by the command in one form, text or --json, with its own exit status; anything else that
escapes is a bug, exit 70."""

from __future__ import annotations

import io
import json
import pickle
import sys
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from gradtutor.calculus.errors import ParseError
from gradtutor.cli import app as app_module
from gradtutor.cli import streams
from gradtutor.cli.app import app
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError, UsageError
from gradtutor.tutor.packs import PackError

runner = CliRunner()


Raises = Callable[[BaseException], None]


def raising(error: BaseException) -> Callable[..., None]:
    def broken(*args: object) -> None:
        raise error

    return broken


@pytest.fixture
def explain_raises(monkeypatch: pytest.MonkeyPatch) -> Raises:
    """Make explain's worked solution raise the error given."""
    from gradtutor.cli import worked

    def set_error(error: BaseException) -> None:
        monkeypatch.setattr(worked, "explain", raising(error))

    return set_error


ERROR = GradtutorError("can't go on here", text="x + *y", column=4, hint="write x + y")
TEXT = "gradtutor explain: can't go on here\n  x + *y\n      ^\nhint: write x + y\n"


def test_an_error_from_a_command_is_its_message_caret_and_hint_on_stderr(
    explain_raises: Raises,
) -> None:
    explain_raises(ERROR)
    result = runner.invoke(app, ["explain", "x^2"])
    assert result.exit_code == ExitCode.INVALID
    assert result.stdout == ""
    assert result.stderr == TEXT


def test_with_json_the_error_object_goes_to_stdout_as_well(explain_raises: Raises) -> None:
    explain_raises(ERROR)
    result = runner.invoke(app, ["explain", "x^2", "--json"])
    assert result.exit_code == ExitCode.INVALID
    assert json.loads(result.stdout) == {
        "error": {"message": "can't go on here", "column": 4, "hint": "write x + y"}
    }
    assert result.stderr == TEXT


def test_the_error_carries_its_exit_status(explain_raises: Raises) -> None:
    explain_raises(GradtutorError("out of time", exit_code=ExitCode.UNDETERMINED))
    result = runner.invoke(app, ["explain", "x^2"])
    assert result.exit_code == ExitCode.UNDETERMINED
    assert result.stderr == "gradtutor explain: out of time\n"


def test_a_usage_error_can_ask_for_the_help_line(explain_raises: Raises) -> None:
    explain_raises(UsageError("no such thing", show_help=True))
    result = runner.invoke(app, ["explain", "x^2"])
    assert result.exit_code == ExitCode.INVALID
    assert result.stderr == "gradtutor explain: no such thing\nTry 'gradtutor explain --help'.\n"


def test_a_subcommand_is_named_with_its_group(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtutor.cli import exercises

    monkeypatch.setattr(exercises, "_load", raising(GradtutorError("no packs here")))
    result = runner.invoke(app, ["exercises", "list"])
    assert result.exit_code == ExitCode.INVALID
    assert result.stderr == "gradtutor exercises list: no packs here\n"


def run_main(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    monkeypatch.setattr(sys, "argv", ["gradtutor", *argv])
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(streams, "prepare", lambda: None)
    return app_module._run(), err.getvalue()


def test_a_bug_in_a_command_is_70_not_a_reported_error(
    monkeypatch: pytest.MonkeyPatch, explain_raises: Raises
) -> None:
    explain_raises(KeyError("oops"))
    monkeypatch.delenv("GRADTUTOR_DEBUG", raising=False)
    code, err = run_main(monkeypatch, ["explain", "x^2"])
    assert code == ExitCode.INTERNAL
    assert err == (
        "gradtutor: internal error: KeyError: 'oops'\n"
        "This is a bug in gradtutor; run with GRADTUTOR_DEBUG=1 for details.\n"
    )


def test_an_error_outside_any_command_is_reported_by_main(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtutor.cli import home

    monkeypatch.setattr(home, "home", raising(GradtutorError("nowhere to keep progress")))
    assert run_main(monkeypatch, []) == (ExitCode.INVALID, "gradtutor: nowhere to keep progress\n")


def test_errors_cross_from_a_worker_process_whole() -> None:
    """Errors come back from worker processes by pickle, also those whose constructor takes
    other arguments than the message."""
    pack = pickle.loads(pickle.dumps(PackError("pack.toml", "ex-1", "no prompt")))
    assert (type(pack), str(pack), pack.file, pack.exercise_id, pack.reason) == (
        PackError,
        "pack.toml: ex-1: no prompt",
        "pack.toml",
        "ex-1",
        "no prompt",
    )
    parse = pickle.loads(pickle.dumps(ParseError("unexpected '*'", "x + *y", 4, "write x*y")))
    assert (parse.message, parse.caret(), parse.hint) == (
        "unexpected '*'",
        "x + *y\n    ^",
        "write x*y",
    )
    slow = pickle.loads(pickle.dumps(GradtutorError("slow", exit_code=ExitCode.UNDETERMINED)))
    assert (slow.message, slow.exit_code) == ("slow", ExitCode.UNDETERMINED)
