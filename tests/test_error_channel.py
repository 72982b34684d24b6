"""One error channel (issue 11): a GradtutorError raised anywhere below a command is reported
by the command in one form, text or --json, with its own exit status; anything else that
escapes is a bug, exit 70."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.calculus.errors import ParseError
from gradtutor.cli.app import app
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError, UsageError
from gradtutor.tutor.packs import PackError

RunMain = Callable[[list[str]], tuple[int, str]]  # the run_main fixture (conftest)

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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["check", "x", "--json"],
            "check needs two arguments: EXPECTED ANSWER (or --batch FILE)",
        ),
        (
            ["descend", "bowl", "--lr", "inf", "--json"],
            "--lr must be a finite number ≥ 0, not 'inf'",
        ),
        (
            ["explain", "x^2", "--wrt", "q", "--json"],
            "--wrt q: not a variable of x^2 (its variables: x)",
        ),
        (
            ["steps", "-", "--json"],
            "no task line: the first line should be the task, e.g. d/dx(3x^3)",
        ),
        (
            ["backprop", "--json"],
            "give an expression (or --net / --deep); see gradtutor backprop --help",
        ),
        (["quiz", "--topic", "no-such-topic", "--json"], None),
        (["exercises", "list", "--topic", "no-such-topic", "--json"], "no topic 'no-such-topic'"),
        (
            ["exercises", "validate", "no-such-pack.toml", "--json"],
            "no pack file at no-such-pack.toml",
        ),
        (["progress", "--json"], None),  # its error: no database to be had (home is a file)
    ],
)
def test_every_command_given_json_writes_its_usage_error_as_json(
    args: list[str], message: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # before, only explain, steps and backprop did: a script reading check's or descend's
    # stdout got nothing at all; quiz, progress and exercises printed theirs as text
    if args[0] == "progress":
        (tmp_path / "a-file").write_text("x")
        monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path / "a-file"))
    result = runner.invoke(app, args)
    assert result.exit_code == ExitCode.INVALID
    error = json.loads(result.stdout)["error"]
    assert set(error) == {"message", "column", "hint"}
    name = " ".join(args[:2]) if args[0] == "exercises" else args[0]
    assert result.stderr.startswith(f"gradtutor {name}: {error['message']}\n")
    if message is not None:
        assert error["message"] == message


def test_an_unknown_quiz_topic_is_its_message_and_hint_on_stderr_only() -> None:
    # it once went to stdout, with rich markup, outside the error channel
    from gradtutor.tutor.packs import load_catalogue

    catalogue = load_catalogue()
    topics = ", ".join(t.id for t in catalogue.topics if catalogue.by_topic(t.id))
    result = runner.invoke(app, ["quiz", "--topic", "no-such-topic"])
    assert result.exit_code == ExitCode.INVALID
    assert result.stdout == ""
    assert result.stderr == (
        f"gradtutor quiz: no exercises for topic 'no-such-topic'\nhint: topics: {topics}\n"
    )


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


def test_a_bug_in_a_command_is_70_not_a_reported_error(
    monkeypatch: pytest.MonkeyPatch, explain_raises: Raises, run_main: RunMain
) -> None:
    explain_raises(KeyError("oops"))
    monkeypatch.delenv("GRADTUTOR_DEBUG", raising=False)
    code, err = run_main(["explain", "x^2"])
    assert code == ExitCode.INTERNAL
    assert err == (
        "gradtutor: internal error: KeyError: 'oops'\n"
        "This is a bug in gradtutor; run with GRADTUTOR_DEBUG=1 for details.\n"
    )


def test_an_error_outside_any_command_is_reported_by_main(
    monkeypatch: pytest.MonkeyPatch, run_main: RunMain
) -> None:
    from gradtutor.cli import home

    monkeypatch.setattr(home, "home", raising(GradtutorError("nowhere to keep progress")))
    assert run_main([]) == (ExitCode.INVALID, "gradtutor: nowhere to keep progress\n")


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


# -- check --batch: a bug meeting one line ---------------------------------------------------


@pytest.fixture
def engine_bug_on_x_cubed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine raises a bug on lines whose expected side is x^3 (patched in this process:
    the batch runs in-process, as it does without a time limit)."""
    from gradtutor.calculus import batch, guarded

    real_job, real_batch = guarded._check_job, batch.check_batch

    def job(expected: str, answer: str, limit: float | None) -> object:
        if expected == "x^3":
            raise KeyError("a bug")
        return real_job(expected, answer, limit)

    def in_process(lines: object, **options: object) -> object:
        return real_batch(lines, time_limit=None)  # type: ignore[arg-type]

    monkeypatch.setattr(guarded, "_check_job", job)
    monkeypatch.setattr(batch, "check_batch", in_process)


INTERNAL_LINE = {
    "line": 2,
    "verdict": "undetermined",
    "expected": None,
    "answer": None,
    "expected_value": None,
    "counterexample": None,
    "feedback": [],
    "domain": None,
    "simplest": None,
    "notes": [],
    "elapsed_ms": 0.0,
    "error": {
        "message": "internal error: KeyError: 'a bug'",
        "column": None,
        "side": "internal",
        "hint": None,
    },
    "extra": ["student-7"],
}


@pytest.mark.usefixtures("engine_bug_on_x_cubed")
def test_a_batch_line_met_by_a_bug_is_reported_and_the_batch_goes_on() -> None:
    lines = "x^2\t2x\nx^3\t3x^2\tstudent-7\nx\tx\n"
    result = runner.invoke(app, ["check", "--batch", "-"], input=lines)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["line"], o["verdict"]) for o in out] == [
        (1, "not_equivalent"),
        (2, "undetermined"),
        (3, "equivalent"),
    ]
    assert out[1] == INTERNAL_LINE
    assert result.exit_code == ExitCode.INTERNAL  # a bug outranks every verdict
    assert result.stderr == (
        'gradtutor check: internal error on line 2 (each line\'s "error" names it); '
        "this is a bug in gradtutor\n"
    )


def test_a_batch_job_the_worker_cannot_run_is_an_internal_error_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gradtutor.calculus import worker
    from gradtutor.calculus.batch import check_batch

    def broken_pool(jobs: object, **options: object) -> object:
        return iter([worker.Outcome(error=KeyError("a bug"))])

    monkeypatch.setattr(worker, "run_many", broken_pool)
    (item,) = check_batch([(2, "x^3\t3x^2\tstudent-7")], time_limit=1.0, workers=1)
    assert (item.internal, item.to_json()) == (True, INTERNAL_LINE)


# -- optional maths (a hint, a twin, a worked number): sympy's failures, not gradtutor's bugs ---


def raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as exc:
        return exc
    raise AssertionError("nothing was raised")


def test_a_failure_of_sympy_means_no_hint_and_a_bug_of_gradtutor_does_not() -> None:
    import sympy

    from gradtutor.calculus.errors import maths_failure
    from gradtutor.calculus.timelimit import TimeLimitExceeded

    # sympy 1.14's sec raises AttributeError from its own assumptions at x = π
    in_sympy = raised(lambda: sympy.sec(sympy.pi, evaluate=False)._eval_is_extended_real())
    in_gradtutor = raised(lambda: {}["x"])
    assert [
        maths_failure(exc)
        for exc in (
            in_sympy,
            raised(lambda: sympy.Max(0, sympy.I)),  # ValueError: not comparable
            raised(lambda: 1 // 0),  # ZeroDivisionError
            in_gradtutor,
            raised(lambda: None.name),  # type: ignore[attr-defined]
            # the time limit is injected wherever the work is, often inside sympy
            TimeLimitExceeded("time").with_traceback(in_sympy.__traceback__),
        )
    ] == [True, True, True, False, False, False]
    assert isinstance(in_sympy, AttributeError) and isinstance(in_gradtutor, KeyError)


def test_a_bug_in_the_misconception_library_is_not_swallowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gradtutor.calculus import equivalence, misconceptions

    def broken(task: object, answer: object) -> list[object]:
        raise KeyError("a bug")

    monkeypatch.setattr(misconceptions, "_diagnose_answer", broken)
    with pytest.raises(KeyError, match="a bug"):
        equivalence.check("d/dx(3x^3)", "9^2", time_limit=None)
