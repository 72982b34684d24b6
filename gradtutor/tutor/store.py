"""The progress database: every attempt, answer and scheduling card, in SQLite.

One file in the user data directory (``GRADTUTOR_HOME`` overrides it). Every write is
its own committed transaction, so a process killed with SIGKILL loses nothing already
answered. WAL mode and a busy timeout let two terminals share the file. The schema is
versioned with ``PRAGMA user_version`` and upgraded by the migrations below.

Faults are told apart, because one of them destroys progress if mistaken for another:

- A file *proven* not to be a gradtutor database (its bytes are not SQLite, SQLite finds
  it damaged, its tables are another program's or incomplete, or a row cannot be read
  back: malformed JSON, a malformed timestamp) is moved aside to
  ``progress.sqlite3.corrupt-<time>`` (never deleted) and a fresh one started; the
  notice names the new path.
- A good database that cannot be written (disk full, read-only file system or
  directory, permissions, I/O error, a lock held too long) is never moved: it is
  read, copied into memory, and the session goes on there without saving;
  ``Store.unsaved`` says why, and :meth:`Store.watch_unsaved` tells the caller.
- ``GRADTUTOR_HOME`` (or the data directory) being a file, or below one, is a setting
  to fix: :class:`StoreError`, whose message says where progress cannot be kept.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from gradtutor.errors import GradtutorError
from gradtutor.tutor.session import Outcome
from gradtutor.tutor.untrusted import neutralise, valid_utf8

T = TypeVar("T")

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
FINISHED_OUTCOMES = (Outcome.CORRECT, Outcome.WRONG, Outcome.SKIPPED, Outcome.SHOWN)


class StoreError(GradtutorError):
    """No database can be used (busy, newer schema, home is a file, nothing readable)."""


class CorruptDatabase(Exception):
    """Proof that a file is not a usable gradtutor database; the message says why."""


def unsaved_warning(reason: str) -> str:
    """What the learner is told when answers stop being saved."""
    return f"can't save progress: {reason}; answers in this quiz will not be kept"


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
    outcome: str | None  # as stored: an Outcome's value, or NULL while unfinished
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

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        notice: str | None,
        *,
        unsaved: str | None = None,
    ) -> None:
        self._db = connection
        self.path = path
        self.notice = notice  # set when a bad file was moved aside on opening
        self.unsaved = unsaved  # why nothing is being saved, or None while saving
        self._watchers: list[Callable[[str], None]] = []

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def watch_unsaved(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(warning)`` when saving stops (at once if it already has)."""
        self._watchers.append(callback)
        if self.unsaved is not None:
            callback(unsaved_warning(self.unsaved))

    def _commit(self, work: Callable[[sqlite3.Connection], T], *, keep_going: bool = True) -> T:
        """Run ``work`` in one committed transaction.

        If the disk refuses the write (full, read-only, locked, failing), the database is
        left as it was and, with ``keep_going``, the session carries on in an in-memory
        copy so the learner can go on practising; nothing more is saved."""
        try:
            return _transaction(self._db, work)
        except sqlite3.DatabaseError as exc:
            reason = write_failure(exc)
            if reason is None:
                raise
            if not keep_going:
                raise StoreError(f"can't save progress: {reason}; nothing was changed") from None
            self._stop_saving(reason)
        return _transaction(self._db, work)

    def _stop_saving(self, reason: str) -> None:
        try:
            memory = sqlite3.connect(":memory:", isolation_level=None)
            memory.row_factory = sqlite3.Row
            self._db.backup(memory)
        except sqlite3.Error:  # not even readable now: practise from an empty copy
            memory = _fresh_memory()
        self._db.close()
        self._db = memory
        self.unsaved = reason
        for callback in self._watchers:
            callback(unsaved_warning(reason))

    # -- sessions ------------------------------------------------------------------------
    def start_session(self, *, mode: str, seed: int | None, now: datetime) -> int:
        def work(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO sessions (started_at, mode, seed) VALUES (?, ?, ?)",
                (to_text(now), mode, seed),
            )
            return int(cursor.lastrowid or 0)

        return self._commit(work)

    def end_session(self, session_id: int, *, now: datetime) -> None:
        self._commit(
            lambda db: db.execute(
                "UPDATE sessions SET ended_at = ? WHERE id = ?", (to_text(now), session_id)
            )
        )

    # -- attempts ------------------------------------------------------------------------
    def begin_attempt(self, session_id: int | None, start: AttemptStart, *, now: datetime) -> int:
        """Store a question as it is shown; returns the attempt id."""
        row: tuple[str | int | None, ...] = (
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
        )
        row = tuple(valid_utf8(v) if isinstance(v, str) else v for v in row)

        def work(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                """INSERT INTO attempts (session_id, template_id, topic, kind, difficulty, pack,
                       pack_version, content_hash, seed, values_json, prompt, expected_json,
                       started_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                row,
            )
            return int(cursor.lastrowid or 0)

        return self._commit(work)

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
        """Store one answer the moment it is judged, with the question's try count so far.
        Bytes that were not UTF-8 in what was typed are kept as U+FFFD."""
        row = (
            attempt_id,
            valid_utf8(part),
            valid_utf8(answer),
            verdict,
            misconception,
            to_text(now),
            elapsed_ms,
        )

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                """INSERT INTO answers (attempt_id, part, answer, verdict, misconception,
                       answered_at, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                row,
            )
            db.execute("UPDATE attempts SET tries = ? WHERE id = ?", (tries, attempt_id))

        self._commit(work)

    def record_hint(self, attempt_id: int, *, hints_used: int) -> None:
        self._commit(
            lambda db: db.execute(
                "UPDATE attempts SET hints_used = ? WHERE id = ?", (hints_used, attempt_id)
            )
        )

    def finish_attempt(
        self,
        attempt_id: int,
        *,
        outcome: Outcome,
        tries: int,
        hints_used: int,
        elapsed_ms: int,
        now: datetime,
        rating: int | None = None,
        card: CardRow | None = None,
    ) -> None:
        """Close a question and, in the same transaction, save its template's new card."""

        def work(db: sqlite3.Connection) -> None:
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

        self._commit(work)

    def discard_attempt(self, attempt_id: int) -> None:
        """Forget a question that was shown but never touched (no answer, no hint)."""
        self._commit(
            lambda db: db.execute(
                """DELETE FROM attempts WHERE id = ? AND hints_used = 0
                       AND NOT EXISTS (SELECT 1 FROM answers WHERE attempt_id = ?)""",
                (attempt_id, attempt_id),
            )
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
        return [_answer_row(row) for row in self._db.execute(sql + " ORDER BY id", params)]

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
        """Forget all progress (the schema stays). Raises StoreError, changing nothing,
        when the database cannot be written."""
        if self.unsaved is not None:
            raise StoreError(f"can't reset progress: {self.unsaved}; nothing was changed")

        def work(db: sqlite3.Connection) -> None:
            for table in ("answers", "attempts", "cards", "sessions"):
                db.execute(f"DELETE FROM {table}")

        self._commit(work, keep_going=False)

    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])


def _transaction(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """``work`` in BEGIN IMMEDIATE … COMMIT, rolled back if anything (even Ctrl-C) stops it."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work(db)
        db.execute("COMMIT")
    except BaseException:  # rolled back, then re-raised (even Ctrl-C)
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return result


# -- reading rows back, strictly --------------------------------------------------------
# A row that cannot be read back as written is proof of a damaged database (see
# validate_rows); every text shown from it has its control characters neutralised.


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, found {type(value).__name__}")
    return neutralise(value)


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _int(value: object) -> int:
    if not isinstance(value, int):
        raise ValueError(f"expected a whole number, found {type(value).__name__}")
    return value


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _moment(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"expected a timestamp, found {type(value).__name__}")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return moment


def _json(value: object, kind: type) -> Any:
    data = json.loads(_text(value))
    if not isinstance(data, kind):
        raise ValueError(f"expected a JSON {kind.__name__}, found {type(data).__name__}")
    return data


def _attempt_row(row: sqlite3.Row) -> AttemptRow:
    values = _json(row["values_json"], dict)
    expected = _json(row["expected_json"], list)
    return AttemptRow(
        id=_int(row["id"]),
        session_id=_optional_int(row["session_id"]),
        template_id=_text(row["template_id"]),
        topic=_text(row["topic"]),
        difficulty=_int(row["difficulty"]),
        pack_version=_text(row["pack_version"]),
        content_hash=_text(row["content_hash"]),
        seed=_int(row["seed"]),
        values={_text(k): _text(str(v)) for k, v in values.items()},
        prompt=_text(row["prompt"]),
        expected=tuple(_text(e) for e in expected),
        started_at=_moment(row["started_at"]),
        finished_at=_moment(row["finished_at"]) if row["finished_at"] is not None else None,
        outcome=_optional_text(row["outcome"]),
        tries=_int(row["tries"]),
        hints_used=_int(row["hints_used"]),
        elapsed_ms=_optional_int(row["elapsed_ms"]),
        rating=_optional_int(row["rating"]),
    )


def _answer_row(row: sqlite3.Row) -> AnswerRow:
    return AnswerRow(
        attempt_id=_int(row["attempt_id"]),
        part=_text(row["part"]),
        answer=_text(row["answer"]),
        verdict=_text(row["verdict"]),
        misconception=_optional_text(row["misconception"]),
        answered_at=_moment(row["answered_at"]),
    )


def _card_row(row: sqlite3.Row) -> CardRow:
    _json(row["card_json"], dict)
    return CardRow(
        template_id=_text(row["template_id"]), card_json=row["card_json"], due=_moment(row["due"])
    )


def validate_rows(connection: sqlite3.Connection) -> None:
    """Read every row back as the store will; raise CorruptDatabase naming the first that
    cannot be (a row of the sessions table needs only readable timestamps)."""
    readers: tuple[tuple[str, Callable[[sqlite3.Row], object]], ...] = (
        ("attempts", _attempt_row),
        ("answers", _answer_row),
        ("cards", _card_row),
        ("sessions", _session_row),
    )
    for table, read in readers:
        for row in connection.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            try:
                read(row)
            except (ValueError, TypeError, KeyError) as exc:
                raise CorruptDatabase(f"a row of its {table} table cannot be read: {exc}") from None


def _session_row(row: sqlite3.Row) -> None:
    _moment(row["started_at"])
    if row["ended_at"] is not None:
        _moment(row["ended_at"])


# -- opening ---------------------------------------------------------------------------

_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}
# SQLite's own words for "this file is damaged or is not a database at all".
_CORRUPT = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


def open_store(
    path: Path | None = None, *, now: datetime | None = None, practise_unsaved: bool = False
) -> Store:
    """Open (creating and migrating if needed) the progress database at ``path``.

    A file proven not to be a gradtutor database is moved aside to
    ``<name>.corrupt-<timestamp>`` and a fresh database started; ``Store.notice`` then
    says so and names the new path. A good database that cannot be written is opened
    for reading, with ``Store.unsaved`` saying why. With ``practise_unsaved``, a place
    where no database can be created at all gives an empty in-memory store (unsaved).
    Raises StoreError when no database can be had.
    """
    path = path if path is not None else default_path()
    _refuse_a_file_for_home(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = os_reason(exc)
        if practise_unsaved:
            return Store(_fresh_memory(), path, None, unsaved=reason)
        raise StoreError(
            f"cannot create the directory {path.parent} for the progress database: {reason}"
        ) from None
    try:
        _check_header(path)
        return Store(_connect_retrying(path), path, None)
    except CorruptDatabase as exc:
        reason = str(exc)
    except sqlite3.DatabaseError as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name in _BUSY:
            raise StoreError(
                f"the progress database {path} is busy (another gradtutor is writing); try again"
            ) from None
        if _proves_corrupt(exc):
            reason = str(exc)
        else:
            try:
                return _read_only(path, write_failure(exc) or str(exc), practise_unsaved)
            except CorruptDatabase as proof:  # unwritable *and* proven not a database
                reason = str(proof)
    return _start_afresh(path, reason, now or datetime.now(UTC), practise_unsaved)


def _refuse_a_file_for_home(path: Path) -> None:
    """Progress cannot be kept in a directory that is a file, or below one: say where."""
    for folder in (path.parent, *path.parent.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                what = "a link to nothing" if not folder.exists() else "a file"
                raise StoreError(
                    f"progress cannot be kept in {path.parent}: {folder} is {what}, not a "
                    "directory (set GRADTUTOR_HOME to a directory)"
                )
            return


def _proves_corrupt(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return any(name.startswith(code) for code in _CORRUPT)


def _start_afresh(path: Path, reason: str, now: datetime, practise_unsaved: bool) -> Store:
    moved = _move_aside(path, now)
    notice = (
        f"Your progress database could not be read ({reason}). "
        f"It was moved to {moved} and a fresh one started."
    )
    try:
        connection = _connect(path)
    except (sqlite3.DatabaseError, CorruptDatabase) as exc:
        failure = write_failure(exc) or str(exc)
        if practise_unsaved:
            return Store(_fresh_memory(), path, notice, unsaved=failure)
        raise StoreError(
            f"your progress database could not be read ({reason}); it was moved to {moved}, "
            f"but a fresh one cannot be created at {path}: {failure}"
        ) from None
    return Store(connection, path, notice)


def _read_only(path: Path, reason: str, practise_unsaved: bool) -> Store:
    """A database that cannot be written: its contents, copied into memory, unsaved."""
    if not path.exists() or path.stat().st_size == 0:
        if practise_unsaved:
            return Store(_fresh_memory(), path, None, unsaved=reason)
        raise StoreError(f"cannot create the progress database {path}: {reason}")
    try:
        memory = _snapshot(path)
    except sqlite3.DatabaseError as exc:
        if _proves_corrupt(exc):
            raise CorruptDatabase(str(exc)) from None
        raise StoreError(f"the progress database {path} cannot be read: {exc}") from None
    _check_readable(memory)  # these raise CorruptDatabase: the caller moves the file aside
    _check_schema(memory)
    _migrate(memory, path)
    validate_rows(memory)
    return Store(memory, path, None, unsaved=reason)


def _snapshot(path: Path) -> sqlite3.Connection:
    """An in-memory copy of the database at ``path``, read without writing anything."""
    uri = "file:" + quote(str(path.resolve()))
    failure: sqlite3.Error | None = None
    for mode in ("mode=ro", "immutable=1"):  # immutable: even when no -shm can be made
        try:
            source = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                memory = sqlite3.connect(":memory:", isolation_level=None)
                source.backup(memory)
            finally:
                source.close()
        except sqlite3.Error as exc:
            failure = exc
            continue
        memory.row_factory = sqlite3.Row
        return memory
    assert failure is not None
    raise failure


def _fresh_memory() -> sqlite3.Connection:
    memory = sqlite3.connect(":memory:", isolation_level=None)
    memory.row_factory = sqlite3.Row
    _migrate(memory, Path(":memory:"))
    return memory


def write_failure(exc: BaseException) -> str | None:
    """Why the disk refused a write, in plain words; None when ``exc`` is not that kind of
    failure (a bug, or a damaged database)."""
    if isinstance(exc, OSError):
        return os_reason(exc)
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL"):
        return "the disk is full"
    if name.startswith("SQLITE_READONLY"):
        return "the progress database is read-only (file, directory or file system)"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "the progress database is locked by another program"
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return "the progress database cannot be opened for writing (permissions?)"
    if name.startswith("SQLITE_IOERR"):
        return f"the disk reported an error ({exc})"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return f"the progress database is damaged ({exc})"
    return None


def os_reason(exc: OSError) -> str:
    """An OSError in the learner's words."""
    words = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a part of the path is a file, not a directory",
        errno.EEXIST: "a file of that name is in the way",
    }
    return words.get(exc.errno or 0, exc.strerror or str(exc))


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
        _check_schema(connection)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        _migrate(connection, path)
        validate_rows(connection)
    except BaseException:  # closed, then re-raised
        connection.close()
        raise
    return connection


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_header(path: Path) -> None:
    """Raise CorruptDatabase if the file is not empty and does not begin as SQLite files do.

    Checked before SQLite opens it: SQLite, finding no database, deletes a ``-wal`` file
    on closing, and that file may hold the last answers."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError:
        return  # unreadable for another reason: SQLite will say which
    if head and head != SQLITE_HEADER:
        raise CorruptDatabase("file is not a database")


def _check_readable(connection: sqlite3.Connection) -> None:
    """Raise CorruptDatabase if the file is not an intact SQLite database."""
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise CorruptDatabase(f"integrity check failed: {result}")


def _check_schema(connection: sqlite3.Connection) -> None:
    """Raise CorruptDatabase unless the tables are those of gradtutor at the file's schema
    version (an empty file, version 0 with no tables, is a new database)."""
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    found = _columns(connection)
    if version > SCHEMA_VERSION:
        return  # newer than this gradtutor: refused by _migrate, never moved aside
    if version == 0:
        if found:
            names = ", ".join(sorted(found))
            raise CorruptDatabase(f"it holds another program's tables ({names})")
        return
    for table, columns in _expected_columns(version).items():
        if table not in found:
            raise CorruptDatabase(f"its {table} table is missing")
        missing = sorted(c for c in columns if c not in found[table])
        if missing:
            raise CorruptDatabase(
                f"its {table} table is another schema (no column {', '.join(missing)})"
            )


def _columns(connection: sqlite3.Connection) -> dict[str, set[str]]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {t: {row[1] for row in connection.execute(f'PRAGMA table_info("{t}")')} for t in tables}


_EXPECTED: dict[int, dict[str, set[str]]] = {}


def _expected_columns(version: int) -> dict[str, set[str]]:
    """The tables and columns a database at schema ``version`` has: the migrations, run."""
    if version not in _EXPECTED:
        model = sqlite3.connect(":memory:")
        for migration in MIGRATIONS[:version]:
            for statement in migration:
                model.execute(statement)
        _EXPECTED[version] = _columns(model)
        model.close()
    return _EXPECTED[version]


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
    except BaseException:  # rolled back, then re-raised (even Ctrl-C)
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _move_aside(path: Path, now: datetime) -> Path:
    """Rename the database (and its -wal and -shm files) to ``<name>.corrupt-<time>``.
    Nothing is deleted: if a companion file cannot follow, everything is put back."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    done: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", "-wal", "-shm"):
            source, destination = Path(f"{path}{suffix}"), Path(f"{target}{suffix}")
            if suffix and not source.exists():
                continue
            source.rename(destination)
            done.append((source, destination))
    except OSError as exc:
        for source, destination in reversed(done):
            with contextlib.suppress(OSError):
                destination.rename(source)
        raise StoreError(
            f"the progress database {path} is unreadable and could not be moved aside: "
            f"{os_reason(exc)}"
        ) from None
    return target
