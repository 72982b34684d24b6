"""``gradtutor progress`` and the home screen, through typer's CliRunner and a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.tutor.store import AttemptStart, CardRow, open_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The conftest's private home, with these tests' pinned width of 100 columns."""
    monkeypatch.setenv("COLUMNS", "100")
    return home


def start(template: str, topic: str) -> AttemptStart:
    return AttemptStart(
        template_id=template,
        topic=topic,
        kind="derivative",
        difficulty=1,
        pack="rules",
        pack_version="1.0.0",
        content_hash="h",
        seed=1,
        values={},
        prompt="p",
        expected=("9*x^2",),
    )


def answered(home: Path) -> None:
    """One right and one wrong power-rule question, finished just now."""
    now = datetime.now(UTC)
    with open_store(home / "progress.sqlite3") as store:
        right = store.begin_attempt(None, start("power.basic-1", "power-rule"), now=now)
        store.record_answer(
            right,
            part="",
            answer="3x^2",
            verdict="equivalent",
            misconception=None,
            tries=1,
            now=now,
        )
        store.finish_attempt(
            right,
            outcome="correct",
            tries=1,
            hints_used=0,
            elapsed_ms=3000,
            now=now,
            rating=4,
            card=CardRow("power.basic-1", "{}", now + timedelta(days=8)),
        )
        wrong = store.begin_attempt(None, start("power.basic-2", "power-rule"), now=now)
        for text in ("9^2", "9x^3", "9"):
            store.record_answer(
                wrong,
                part="",
                answer=text,
                verdict="not_equivalent",
                misconception="dropped_variable" if text == "9^2" else None,
                tries=1,
                now=now,
            )
        store.finish_attempt(
            wrong,
            outcome="wrong",
            tries=3,
            hints_used=0,
            elapsed_ms=9000,
            now=now,
            rating=1,
            card=CardRow("power.basic-2", "{}", now - timedelta(seconds=1)),
        )


def test_json_on_a_fresh_home(home: Path) -> None:
    result = CliRunner().invoke(app, ["progress", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["attempts"], report["correct"], report["accuracy"], report["due"]) == (
        0,
        0,
        None,
        0,
    )
    assert report["mastery"]["power-rule"] == 0.0
    assert next(iter(report["mastery"])) == "power-rule"  # prerequisites first
    assert report["database"] == str(home / "progress.sqlite3")
    assert (home / "progress.sqlite3").exists()


def test_json_after_some_questions(home: Path) -> None:
    answered(home)
    report = json.loads(CliRunner().invoke(app, ["progress", "--json"]).stdout)
    assert (report["attempts"], report["correct"], report["accuracy"]) == (2, 1, 0.5)
    assert report["mastery"]["power-rule"] == round(1 / 6, 3)
    assert report["misconceptions"] == [
        {"id": "dropped_variable", "count": 1, "title": "variable dropped"}
    ]
    assert (report["due"], report["streak"]) == (1, 1)
    assert report["days"][-1]["answered"] == 2


def test_human_report(home: Path) -> None:
    answered(home)
    result = CliRunner().invoke(app, ["progress"])
    assert result.exit_code == 0
    out = result.stdout
    assert "Mastery by topic" in out
    assert "Constant, power and sum rules" in out and "17%" in out
    assert "Questions: 2   Accuracy: 50%   Streak: 1 day   Due for review: 1" in out
    assert "1 × variable dropped" in out  # the misconception's title, not its id
    assert "practise it: gradtutor quiz --misconception dropped_variable" in out
    assert "Last 14 days" in out


def test_reset_asks_first(home: Path) -> None:
    answered(home)
    kept = CliRunner().invoke(app, ["progress", "--reset"], input="n\n")
    assert kept.exit_code == 0 and "Nothing was changed." in kept.stdout
    assert json.loads(CliRunner().invoke(app, ["progress", "--json"]).stdout)["attempts"] == 2
    gone = CliRunner().invoke(app, ["progress", "--reset"], input="y\n")
    assert gone.exit_code == 0 and "Progress reset." in gone.stdout
    assert json.loads(CliRunner().invoke(app, ["progress", "--json"]).stdout)["attempts"] == 0


def test_reset_yes_does_not_ask(home: Path) -> None:
    answered(home)
    result = CliRunner().invoke(app, ["progress", "--reset", "--yes"])
    assert result.exit_code == 0 and "Progress reset." in result.stdout
    with open_store(home / "progress.sqlite3") as store:
        assert store.attempts() == [] and store.cards() == []


def test_home_for_a_new_learner_points_to_the_first_lesson(home: Path) -> None:
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0
    assert "No questions answered yet." in result.stdout
    assert "Due for review: 0" in result.stdout
    assert "gradtutor learn derivative-rules" in result.stdout


def test_home_puts_due_reviews_first(home: Path) -> None:
    answered(home)
    result = CliRunner().invoke(app, [])
    assert "2 questions so far, 50% right" in result.stdout
    assert "Next: review 1 exercise due" in result.stdout
    assert "gradtutor quiz --review" in result.stdout


@pytest.mark.slow
def test_home_screen_needs_no_sympy(home: Path) -> None:
    answered(home)
    code = (
        "import sys\n"
        "from gradtutor.cli.app import main\n"
        "sys.argv = ['gradtutor']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
        "print('no sympy')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "review 1 exercise due" in done.stdout and "no sympy" in done.stdout


def test_cards_of_exercises_no_longer_served_are_not_due(home: Path) -> None:
    answered(home)
    now = datetime.now(UTC)
    with open_store(home / "progress.sqlite3") as store:
        gone = store.begin_attempt(None, start("removed.exercise-1", "power-rule"), now=now)
        store.finish_attempt(
            gone,
            outcome="wrong",
            tries=3,
            hints_used=0,
            elapsed_ms=1,
            now=now,
            card=CardRow("removed.exercise-1", "{}", now - timedelta(days=1)),
        )
    assert json.loads(CliRunner().invoke(app, ["progress", "--json"]).stdout)["due"] == 1


def test_progress_never_suggests_a_misconception_quiz_that_refuses_the_id() -> None:
    # After backprop --practice, progress said "practise it: gradtutor quiz --misconception
    # backprop_mse_factor_missing", and that quiz answers "No misconception …", exit 2.
    from gradtutor.network.misconceptions import TITLES
    from gradtutor.tutor.aimed import known_ids, practice_command
    from gradtutor.tutor.packs import load_catalogue

    assert practice_command("backprop_mse_factor_missing") == "gradtutor quiz --topic backprop"
    assert practice_command("dropped_variable") == (
        "gradtutor quiz --misconception dropped_variable"
    )
    topics = {t.topic for t in load_catalogue().templates}
    for misconception in [*TITLES, *known_ids()]:
        command = practice_command(misconception).split()
        if "--misconception" in command:
            assert command[-1] in known_ids()
        else:
            assert command[-2:] == ["--topic", "backprop"] and "backprop" in topics
