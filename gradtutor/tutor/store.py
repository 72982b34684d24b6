"""The progress database: every attempt, answer and scheduling card, in SQLite.

One file in the user data directory (``GRADTUTOR_HOME`` overrides it). Every write is
its own committed transaction, so a process killed with SIGKILL loses nothing already
answered. WAL mode and a busy timeout let two terminals share the file. The schema is
versioned with ``PRAGMA user_version`` and upgraded by the migrations below. A corrupt
or unreadable file is moved aside and a fresh one started, with a notice to show.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DATABASE_NAME = "progress.sqlite3"
BUSY_TIMEOUT_MS = 5000

# Each migration is a tuple of statements; migration i brings the schema to version i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            mode TEXT NOT NULL,
            seed INTEGER
        )""",
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            template_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT '',
            difficulty INTEGER NOT NULL DEFAULT 1,
            pack TEXT NOT NULL DEFAULT '',
            pack_version TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL DEFAULT '',
            seed INTEGER NOT NULL,
            values_json TEXT NOT NULL,
            prompt TEXT NOT NULL,
            expected_json TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT,
            tries INTEGER NOT NULL DEFAULT 0,
            hints_used INTEGER NOT NULL DEFAULT 0,
            elapsed_ms INTEGER,
            rating INTEGER
        )""",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            part TEXT NOT NULL,
            answer TEXT NOT NULL,
            verdict TEXT NOT NULL,
            misconception TEXT,
            answered_at TEXT NOT NULL,
            elapsed_ms INTEGER
        )""",
        """CREATE TABLE cards (
            template_id TEXT PRIMARY KEY,
            card_json TEXT NOT NULL,
            due TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX attempts_by_topic ON attempts(topic, finished_at)",
        "CREATE INDEX answers_by_attempt ON answers(attempt_id)",
        "CREATE INDEX cards_by_due ON cards(due)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# Outcomes of a finished question; an unfinished one has outcome NULL or "incomplete".
FINISHED_OUTCOMES = ("correct", "wrong", "skipped", "shown")


class StoreError(Exception):
    """The database cannot be used (busy, newer schema, unwritable directory)."""


@dataclass(frozen=True)
class AttemptStart:
    """What is known of a question when it is first shown: enough to replay it exactly."""

    template_id: str
    topic: str
    kind: str
    difficulty: int
    pack: str
    pack_version: str
    content_hash: str
    seed: int
    values: dict[str, str]
    prompt: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class AttemptRow:
    """One question as stored (finished or not)."""

    id: int
    session_id: int | None
    template_id: str
    topic: str
    difficulty: int
    pack_version: str
    content_hash: str
    seed: int
    values: dict[str, str]
    prompt: str
    expected: tuple[str, ...]
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    tries: int
    hints_used: int
    elapsed_ms: int | None
    rating: int | None


@dataclass(frozen=True)
class AnswerRow:
    """One answer typed at the prompt, with the engine's verdict on it."""

    attempt_id: int
    part: str
    answer: str
    verdict: str
    misconception: str | None
    answered_at: datetime


@dataclass(frozen=True)
class CardRow:
    """The FSRS card of one exercise template, as JSON, with its due time."""

    template_id: str
    card_json: str
    due: datetime


def default_home() -> Path:
    """Where gradtutor keeps its files: ``$GRADTUTOR_HOME`` or the user data directory."""
    override = os.environ.get("GRADTUTOR_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("gradtutor", appauthor=False))


def default_path() -> Path:
    return default_home() / DATABASE_NAME


def to_text(moment: datetime) -> str:
    """A UTC timestamp as stored: ISO 8601, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Store:
    """An open progress database. Use :func:`open_store` to get one."""

    def __init__(self, connection: sqlite3.Connection, path: Path, notice: str | None) -> None:
        self._db = connection
        self.path = path
        self.notice = notice  # set when a bad file was moved aside on opening

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction; rolled back if anything (even Ctrl-C) interrupts it."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- sessions ------------------------------------------------------------------------
    def start_session(self, *, mode: str, seed: int | None, now: datetime) -> int:
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO sessions (started_at, mode, seed) VALUES (?, ?, ?)",
                (to_text(now), mode, seed),
            )
        return int(cursor.lastrowid or 0)

    def end_session(self, session_id: int, *, now: datetime) -> None:
        with self._write() as db:
            db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (to_text(now), session_id))

    # -- attempts ------------------------------------------------------------------------
    def begin_attempt(self, session_id: int | None, start: AttemptStart, *, now: datetime) -> int:
        """Store a question as it is shown; returns the attempt id."""
        with self._write() as db:
            cursor = db.execute(
                """INSERT INTO attempts (session_id, template_id, topic, kind, difficulty, pack,
                       pack_version, content_hash, seed, values_json, prompt, expected_json,
                       started_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    session_id,
                    start.template_id,
                    start.topic,
                    start.kind,
                    start.difficulty,
                    start.pack,
                    start.pack_version,
                    start.content_hash,
                    start.seed,
                    json.dumps(start.values, ensure_ascii=False, sort_keys=True),
                    start.prompt,
                    json.dumps(list(start.expected), ensure_ascii=False),
                    to_text(now),
                ),
            )
        return int(cursor.lastrowid or 0)

    def record_answer(
        self,
        attempt_id: int,
        *,
        part: str,
        answer: str,
        verdict: str,
        misconception: str | None,
        tries: int,
        now: datetime,
        elapsed_ms: int | None = None,
    ) -> None:
        """Store one answer the moment it is judged, with the question's try count so far."""
        with self._write() as db:
            db.execute(
                """INSERT INTO answers (attempt_id, part, answer, verdict, misconception,
                       answered_at, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (attempt_id, part, answer, verdict, misconception, to_text(now), elapsed_ms),
            )
            db.execute("UPDATE attempts SET tries = ? WHERE id = ?", (tries, attempt_id))

    def record_hint(self, attempt_id: int, *, hints_used: int) -> None:
        with self._write() as db:
            db.execute("UPDATE attempts SET hints_used = ? WHERE id = ?", (hints_used, attempt_id))

    def finish_attempt(
        self,
        attempt_id: int,
        *,
        outcome: str,
        tries: int,
        hints_used: int,
        elapsed_ms: int,
        now: datetime,
        rating: int | None = None,
        card: CardRow | None = None,
    ) -> None:
        """Close a question and, in the same transaction, save its template's new card."""
        with self._write() as db:
            db.execute(
                """UPDATE attempts SET outcome = ?, tries = ?, hints_used = ?, elapsed_ms = ?,
                       finished_at = ?, rating = ? WHERE id = ?""",
                (outcome, tries, hints_used, elapsed_ms, to_text(now), rating, attempt_id),
            )
            if card is not None:
                db.execute(
                    """INSERT INTO cards (template_id, card_json, due, updated_at)
                       VALUES (?, ?, ?, ?)
                       ON CONFLICT(template_id) DO UPDATE SET card_json = excluded.card_json,
                           due = excluded.due, updated_at = excluded.updated_at""",
                    (card.template_id, card.card_json, to_text(card.due), to_text(now)),
                )

    def discard_attempt(self, attempt_id: int) -> None:
        """Forget a question that was shown but never touched (no answer, no hint)."""
        with self._write() as db:
            db.execute(
                """DELETE FROM attempts WHERE id = ? AND hints_used = 0
                       AND NOT EXISTS (SELECT 1 FROM answers WHERE attempt_id = ?)""",
                (attempt_id, attempt_id),
            )

    def attempts(self, *, finished_only: bool = False) -> list[AttemptRow]:
        """Every stored question, oldest first."""
        where = " WHERE outcome IN ({})".format(",".join("?" * len(FINISHED_OUTCOMES)))
        sql = "SELECT * FROM attempts" + (where if finished_only else "") + " ORDER BY id"
        params: Sequence[str] = FINISHED_OUTCOMES if finished_only else ()
        return [_attempt_row(row) for row in self._db.execute(sql, params)]

    def answers(self, attempt_id: int | None = None) -> list[AnswerRow]:
        """Answers, oldest first; those of one attempt when ``attempt_id`` is given."""
        sql = "SELECT * FROM answers"
        params: tuple[int, ...] = ()
        if attempt_id is not None:
            sql += " WHERE attempt_id = ?"
            params = (attempt_id,)
        return [
            AnswerRow(
                attempt_id=row["attempt_id"],
                part=row["part"],
                answer=row["answer"],
                verdict=row["verdict"],
                misconception=row["misconception"],
                answered_at=from_text(row["answered_at"]),
            )
            for row in self._db.execute(sql + " ORDER BY id", params)
        ]

    # -- cards ---------------------------------------------------------------------------
    def card(self, template_id: str) -> CardRow | None:
        row = self._db.execute(
            "SELECT * FROM cards WHERE template_id = ?", (template_id,)
        ).fetchone()
        return _card_row(row) if row else None

    def cards(self) -> list[CardRow]:
        return [_card_row(row) for row in self._db.execute("SELECT * FROM cards ORDER BY due")]

    def due_cards(self, now: datetime) -> list[CardRow]:
        """Cards due at ``now``, the longest overdue first."""
        rows = self._db.execute(
            "SELECT * FROM cards WHERE due <= ? ORDER BY due, template_id", (to_text(now),)
        )
        return [_card_row(row) for row in rows]

    # -- reset ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget all progress (the schema stays)."""
        with self._write() as db:
            for table in ("answers", "attempts", "cards", "sessions"):
                db.execute(f"DELETE FROM {table}")

    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])


def _attempt_row(row: sqlite3.Row) -> AttemptRow:
    return AttemptRow(
        id=row["id"],
        session_id=row["session_id"],
        template_id=row["template_id"],
        topic=row["topic"],
        difficulty=row["difficulty"],
        pack_version=row["pack_version"],
        content_hash=row["content_hash"],
        seed=row["seed"],
        values=json.loads(row["values_json"]),
        prompt=row["prompt"],
        expected=tuple(json.loads(row["expected_json"])),
        started_at=from_text(row["started_at"]),
        finished_at=from_text(row["finished_at"]) if row["finished_at"] else None,
        outcome=row["outcome"],
        tries=row["tries"],
        hints_used=row["hints_used"],
        elapsed_ms=row["elapsed_ms"],
        rating=row["rating"],
    )


def _card_row(row: sqlite3.Row) -> CardRow:
    return CardRow(
        template_id=row["template_id"], card_json=row["card_json"], due=from_text(row["due"])
    )


# -- opening ---------------------------------------------------------------------------

_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}


def open_store(path: Path | None = None, *, now: datetime | None = None) -> Store:
    """Open (creating and migrating if needed) the progress database at ``path``.

    A file SQLite cannot read is moved aside to ``<name>.corrupt-<timestamp>`` and a
    fresh database started; ``Store.notice`` then says so. Raises StoreError only
    when no database can be had at all.
    """
    path = path if path is not None else default_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the directory {path.parent}: {exc.strerror}") from None
    try:
        return Store(_connect_retrying(path), path, None)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") in _BUSY:
            raise StoreError(
                f"the progress database {path} is busy (another gradtutor is writing); try again"
            ) from None
        if not path.exists():
            raise StoreError(f"cannot create the progress database {path}: {exc}") from None
        reason = str(exc)
    moved = _move_aside(path, now or datetime.now(UTC))
    try:
        connection = _connect(path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot create a fresh progress database at {path}: {exc}") from None
    notice = (
        f"Your progress database could not be read ({reason}). "
        f"It was moved to {moved} and a fresh one started."
    )
    return Store(connection, path, notice)


def _connect_retrying(path: Path) -> sqlite3.Connection:
    """Connect, waiting out another process that is creating the database right now.

    Switching a new file to WAL takes an exclusive lock and can fail with SQLITE_BUSY at
    once, without SQLite's busy handler, when two gradtutors start together."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return _connect(path)
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorname", "") in _BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _check_readable(connection)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        _migrate(connection, path)
    except BaseException:
        connection.close()
        raise
    return connection


def _check_readable(connection: sqlite3.Connection) -> None:
    """Raise sqlite3.DatabaseError if the file is not an intact SQLite database."""
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise sqlite3.DatabaseError(f"integrity check failed: {result}")


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the progress database {path} has schema version {version}, newer than this "
            f"gradtutor understands ({SCHEMA_VERSION}); upgrade gradtutor"
        )
    if version == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number]:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number + 1}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _move_aside(path: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    try:
        path.rename(target)
    except OSError as exc:
        raise StoreError(
            f"the progress database {path} is unreadable and could not be moved aside: "
            f"{exc.strerror}"
        ) from None
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            try:
                side.rename(target.with_name(target.name + suffix))
            except OSError:
                side.unlink(missing_ok=True)
    return target
