"""The quiz loop in-process, with a scripted reader and a fixed clock: reviews and adaptivity."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gradtutor.cli.exit_codes import ExitCode
from gradtutor.cli.quiz import QuizRunner
from gradtutor.render.console import make_console
from gradtutor.tutor.packs import PackError
from gradtutor.tutor.store import StoreError, open_store

PACK = Path(__file__).resolve().parent / "data" / "quiz_pack.toml"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class ScriptedReader:
    """Answers typed in advance; end of input once they run out."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.prompts: list[str] = []

    def read(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


def quiz(
    answers: list[str], *, at: datetime, **options: object
) -> tuple[ExitCode, list[dict], str]:
    out, records = io.StringIO(), io.StringIO()
    runner = QuizRunner(
        console=make_console(file=out, width=100),
        json_out=records,
        clock=lambda: at,
        reader=ScriptedReader(answers),
    )
    settings: dict[str, object] = {"topic": None, "count": 5, "seed": 1, "review": False}
    settings.update(options)
    code = runner.run(packs=(PACK,), **settings)  # type: ignore[arg-type]
    return code, [json.loads(line) for line in records.getvalue().splitlines()], out.getvalue()


def test_review_serves_a_missed_exercise_once_it_is_due(home: Path) -> None:
    code, records, _ = quiz(["27", "27", "27"], at=T0, topic="quiz-power", count=1)
    assert code == ExitCode.WRONG and records[0]["verdict"] == "wrong"
    with open_store(home / "progress.sqlite3") as store:
        card = store.card("quiztest.cube")
        assert card is not None and card.due == T0 + timedelta(minutes=1)  # Again: one minute

    code, records, text = quiz([], at=T0 + timedelta(seconds=30), review=True)
    assert (code, records) == (ExitCode.OK, [])
    assert "Nothing is due for review" in text

    code, records, _ = quiz(["9x^2"], at=T0 + timedelta(minutes=2), review=True)
    assert code == ExitCode.OK
    assert [(r["id"], r["verdict"]) for r in records] == [("quiztest.cube", "correct")]
    with open_store(home / "progress.sqlite3") as store:
        card = store.card("quiztest.cube")
        assert card is not None and card.due > T0 + timedelta(minutes=3)


def test_prerequisites_first_then_the_next_topic(home: Path) -> None:
    answers = ["9x^2"] * 5 + ["2xy", "x^2"]
    code, records, _ = quiz(answers, at=T0, count=6)
    assert code == ExitCode.OK
    # Five clean answers give mastery 5/6 ≥ 0.8: the partials topic opens.
    assert [r["id"] for r in records] == ["quiztest.cube"] * 5 + ["quiztest.grad"]


def test_a_miss_brings_the_same_skill_back_with_the_retry_banner(home: Path) -> None:
    code, records, text = quiz(["steps", "9x^2"], at=T0, count=2, topic="quiz-power")
    assert code == ExitCode.WRONG  # the first question counts as shown
    assert [r["verdict"] for r in records] == ["shown", "correct"]
    # The test pack's numbers are fixed: no seed gives other numbers, so the retry keeps
    # its own seed and says it is the same question (not "new numbers").
    assert [r["seed"] for r in records] == [1, 2]
    assert "Same question again (this one has no other numbers)." in text
    assert "Same skill, new numbers." not in text


def test_part_labels_are_the_prompts_of_a_multi_part_question(home: Path) -> None:
    reader = ScriptedReader(["2xy", "x^2"])
    runner = QuizRunner(
        console=make_console(file=io.StringIO(), width=100), clock=lambda: T0, reader=reader
    )
    code = runner.run(topic="quiz-partials", count=1, seed=3, review=False, packs=(PACK,))
    assert code == ExitCode.OK
    assert reader.prompts == ["∂f/∂x = ", "∂f/∂y = "]


def test_a_missing_pack_is_a_usage_error(home: Path) -> None:
    out = io.StringIO()
    runner = QuizRunner(console=make_console(file=out, width=100), reader=ScriptedReader([]))
    with pytest.raises(PackError) as caught:  # the command reports it: exit 2
        runner.run(topic=None, count=1, seed=1, review=False, packs=(home / "nope.toml",))
    assert (caught.value.exit_code, caught.value.message) == (
        ExitCode.INVALID,
        f"{home / 'nope.toml'}: no such file or directory",
    )
    assert out.getvalue() == ""


def test_a_database_that_fails_mid_quiz_stops_it_with_a_message(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from gradtutor.tutor.store import Store

    def disk_full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "record_answer", disk_full)
    out, records = io.StringIO(), io.StringIO()
    runner = QuizRunner(
        console=make_console(file=out, width=100),
        json_out=records,
        clock=lambda: T0,
        reader=ScriptedReader(["9x^2"]),
    )
    with pytest.raises(StoreError) as caught:  # the command reports it: exit 2
        runner.run(topic="quiz-power", count=2, seed=1, review=False, packs=(PACK,))
    assert (caught.value.exit_code, caught.value.message) == (
        ExitCode.INVALID,
        "could not save to the progress database (database or disk is full); the quiz "
        "stopped; every answer before this one is saved",
    )
    assert records.getvalue() == ""
    assert "Summary" in out.getvalue() and "Traceback" not in out.getvalue()


def test_a_stored_attempt_replays_exactly(home: Path) -> None:
    from gradtutor.tutor.packs import generate, load_catalogue

    quiz(["2xy", "x^2"], at=T0, topic="quiz-partials", count=1, seed=11)
    with open_store(home / "progress.sqlite3") as store:
        (row,) = store.attempts()
    template = load_catalogue([PACK]).template(row.template_id)
    assert (row.pack_version, row.content_hash) == (template.pack_version, template.content_hash)
    again = generate(template, row.seed)
    assert (again.prompt, again.values) == (row.prompt, row.values)
    assert tuple(p.expected for p in again.parts) == row.expected == ("2*x*y", "x^2")


def test_an_unusable_home_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("GRADTUTOR_HOME", str(blocker / "home"))
    out = io.StringIO()
    runner = QuizRunner(console=make_console(file=out, width=200), reader=ScriptedReader([]))
    with pytest.raises(StoreError) as caught:  # the command reports it: exit 2
        runner.run(topic=None, count=1, seed=1, review=False, packs=(PACK,))
    assert (caught.value.exit_code, caught.value.message) == (
        ExitCode.INVALID,
        f"progress cannot be kept in {blocker / 'home'}: {blocker} is a file, not a directory "
        "(set GRADTUTOR_HOME to a directory)",
    )
    assert out.getvalue() == ""


def test_a_bug_in_the_checker_stops_the_quiz_keeping_every_answer_given(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bug goes on to main (exit 70); the run is first closed as Ctrl-C closes it."""
    from gradtutor.tutor import answers

    real = answers.check_answer

    def broken_on_the_second_part(part: object, answer: str, **kwargs: object) -> object:
        if answer == "x^2":
            raise KeyError("a bug in the engine")
        return real(part, answer, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(answers, "check_answer", broken_on_the_second_part)
    with pytest.raises(KeyError, match="a bug in the engine"):
        quiz(["2xy", "x^2"], at=T0, topic="quiz-partials", count=1, seed=11)
    with open_store(home / "progress.sqlite3") as store:
        (attempt,) = store.attempts()
        stored = [(a.answer, a.verdict) for a in store.answers()]
        (ended,) = store._db.execute("SELECT ended_at FROM sessions").fetchone()
    assert (attempt.outcome, stored) == ("incomplete", [("2xy", "equivalent")])
    assert ended is not None
