"""The progress database: schema, migrations, per-answer commits, corruption, concurrency."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gradtutor.tutor import store as store_module
from gradtutor.tutor.store import (
    SCHEMA_VERSION,
    AttemptStart,
    CardRow,
    StoreError,
    default_home,
    default_path,
    open_store,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

START = AttemptStart(
    template_id="power.basic-2",
    topic="power-rule",
    kind="derivative",
    difficulty=1,
    pack="rules",
    pack_version="1.0.0",
    content_hash="abc123",
    seed=42,
    values={"a": "3", "n": "4"},
    prompt="Differentiate f(x) = 3x^4 with respect to x.",
    expected=("12*x^3",),
)


def test_home_is_gradtutor_home_when_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path / "h"))
    assert default_home() == tmp_path / "h"
    assert default_path() == tmp_path / "h" / "progress.sqlite3"


def test_home_is_the_user_data_directory_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("GRADTUTOR_HOME", raising=False)
    expected = Path(platformdirs.user_data_dir("gradtutor", appauthor=False))
    assert default_home() == expected


def test_created_on_first_use_with_current_schema_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "new" / "progress.sqlite3"
    with open_store(path) as store:
        assert store.notice is None
        assert store.schema_version() == SCHEMA_VERSION == 1
    assert path.exists()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "attempts", "answers", "cards"} <= tables


def test_attempt_round_trips_everything_needed_to_replay(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with open_store(path) as store:
        session = store.start_session(mode="adaptive", seed=7, now=T0)
        attempt = store.begin_attempt(session, START, now=T0)
        store.record_answer(
            attempt,
            part="",
            answer="12x^4",
            verdict="not_equivalent",
            misconception="power-not-lowered",
            tries=1,
            now=T0 + timedelta(seconds=5),
        )
        store.record_hint(attempt, hints_used=1)
        store.record_answer(
            attempt,
            part="",
            answer="12x^3",
            verdict="equivalent",
            misconception=None,
            tries=2,
            now=T0 + timedelta(seconds=9),
        )
        store.finish_attempt(
            attempt,
            outcome="correct",
            tries=2,
            hints_used=1,
            elapsed_ms=9000,
            now=T0 + timedelta(seconds=9),
            rating=2,
            card=CardRow("power.basic-2", '{"x": 1}', T0 + timedelta(minutes=10)),
        )
    with open_store(path) as store:
        (row,) = store.attempts()
        assert (row.template_id, row.seed, row.values) == (
            "power.basic-2",
            42,
            {"a": "3", "n": "4"},
        )
        assert (row.pack_version, row.content_hash, row.expected) == (
            "1.0.0",
            "abc123",
            ("12*x^3",),
        )
        assert (row.outcome, row.tries, row.hints_used, row.elapsed_ms, row.rating) == (
            "correct",
            2,
            1,
            9000,
            2,
        )
        assert row.finished_at == T0 + timedelta(seconds=9)
        answers = store.answers(row.id)
        assert [(a.answer, a.verdict, a.misconception) for a in answers] == [
            ("12x^4", "not_equivalent", "power-not-lowered"),
            ("12x^3", "equivalent", None),
        ]
        assert store.card("power.basic-2") == CardRow(
            "power.basic-2", '{"x": 1}', T0 + timedelta(minutes=10)
        )


def test_each_answer_is_committed_before_the_question_ends(tmp_path: Path) -> None:
    """A second connection (as after kill -9) sees an answer at once, unfinished attempt and all."""
    path = tmp_path / "p.sqlite3"
    writer = open_store(path)
    attempt = writer.begin_attempt(None, START, now=T0)
    writer.record_answer(
        attempt, part="", answer="12x^3", verdict="equivalent", misconception=None, tries=1, now=T0
    )
    with open_store(path) as reader:
        (row,) = reader.attempts()
        assert row.outcome is None and row.tries == 1
        assert [a.answer for a in reader.answers()] == ["12x^3"]
        assert reader.attempts(finished_only=True) == []
    writer.close()


def test_discard_forgets_only_untouched_attempts(tmp_path: Path) -> None:
    with open_store(tmp_path / "p.sqlite3") as store:
        untouched = store.begin_attempt(None, START, now=T0)
        hinted = store.begin_attempt(None, START, now=T0)
        store.record_hint(hinted, hints_used=1)
        store.discard_attempt(untouched)
        store.discard_attempt(hinted)
        assert [a.id for a in store.attempts()] == [hinted]


def test_due_cards_are_those_due_by_now_most_overdue_first(tmp_path: Path) -> None:
    with open_store(tmp_path / "p.sqlite3") as store:
        for template, due in (
            ("b", T0),
            ("a", T0 - timedelta(days=1)),
            ("c", T0 + timedelta(hours=1)),
        ):
            attempt = store.begin_attempt(None, START, now=T0)
            store.finish_attempt(
                attempt,
                outcome="wrong",
                tries=3,
                hints_used=0,
                elapsed_ms=1,
                now=T0,
                card=CardRow(template, "{}", due),
            )
        assert [c.template_id for c in store.due_cards(T0)] == ["a", "b"]
        assert [c.template_id for c in store.cards()] == ["a", "b", "c"]


def test_reset_forgets_progress_and_keeps_the_schema(tmp_path: Path) -> None:
    with open_store(tmp_path / "p.sqlite3") as store:
        attempt = store.begin_attempt(
            store.start_session(mode="review", seed=None, now=T0), START, now=T0
        )
        store.record_hint(attempt, hints_used=1)
        store.reset()
        assert store.attempts() == [] and store.answers() == [] and store.cards() == []
        assert store.schema_version() == SCHEMA_VERSION


def test_garbage_file_is_moved_aside_and_a_fresh_database_started(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"this is not a database\n" * 200)
    with open_store(path, now=T0) as store:
        moved = tmp_path / "progress.sqlite3.corrupt-20260301T090000"
        assert store.notice == (
            "Your progress database could not be read (file is not a database). "
            f"It was moved to {moved} and a fresh one started."
        )
        assert moved.read_bytes().startswith(b"this is not a database")
        assert store.attempts() == []
        assert store.schema_version() == SCHEMA_VERSION


def test_a_second_corrupt_file_gets_its_own_name(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    for _ in range(2):
        path.write_bytes(b"\x00garbage" * 600)
        open_store(path, now=T0).close()
    names = sorted(p.name for p in tmp_path.iterdir() if "corrupt" in p.name)
    assert names == [
        "progress.sqlite3.corrupt-20260301T090000",
        "progress.sqlite3.corrupt-20260301T090000-1",
    ]


def test_damaged_page_is_detected_and_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with open_store(path) as store:
        for _ in range(50):
            store.begin_attempt(None, START, now=T0)
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.execute("PRAGMA journal_mode = DELETE")
    raw.close()
    data = bytearray(path.read_bytes())
    data[4096 + 8 : 4096 * 3] = b"\xff" * (4096 * 2 - 8)  # scribble over the b-tree pages
    path.write_bytes(bytes(data))
    with open_store(path, now=T0) as store:
        assert store.notice is not None and "moved to" in store.notice
        assert store.attempts() == []


def test_newer_schema_is_refused_not_destroyed(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    open_store(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer than this gradtutor understands"):
        open_store(path)
    assert path.exists()


def test_migrations_run_from_an_older_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.sqlite3"
    open_store(path).close()
    extra = ("ALTER TABLE attempts ADD COLUMN note TEXT",)
    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, extra))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    with open_store(path) as store:
        assert store.schema_version() == 2
    columns = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(attempts)")]
    assert columns[-1] == "note"


def test_a_busy_database_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.sqlite3"
    open_store(path).close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, ("SELECT 1",)))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="is busy"):
            open_store(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not any("corrupt" in p.name for p in tmp_path.iterdir())


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    """Two terminals answering at the same time: WAL and the busy timeout serialise them."""
    path = tmp_path / "p.sqlite3"
    open_store(path).close()
    errors: list[BaseException] = []

    def answer_many(name: str) -> None:
        try:
            with open_store(path) as store:
                for i in range(40):
                    attempt = store.begin_attempt(None, START, now=T0)
                    store.record_answer(
                        attempt,
                        part="",
                        answer=f"{name}{i}",
                        verdict="equivalent",
                        misconception=None,
                        tries=1,
                        now=T0,
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=answer_many, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(path) as store:
        assert len(store.attempts()) == 80
        assert len(store.answers()) == 80
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
