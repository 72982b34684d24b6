"""The progress database under faults (issue 12): a database is moved aside only when it
is proven not to be a gradtutor database; a full disk, a read-only place or a lock never
moves or loses it, and the quiz goes on without saving, saying so.

Tests run as root, where chmod does not stop a write, so disk faults are injected as the
exact errors SQLite raises (``SQLITE_FULL`` …); one test uses a real file-size limit.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.cli.quiz import QuizRunner
from gradtutor.render.console import make_console
from gradtutor.tutor import store as store_module
from gradtutor.tutor.store import AttemptStart, StoreError, open_store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PACK = Path(__file__).resolve().parent / "data" / "quiz_pack.toml"
ROOT = Path(__file__).resolve().parent.parent

START = AttemptStart(
    template_id="power.basic-2",
    topic="power-rule",
    kind="derivative",
    difficulty=1,
    pack="rules",
    pack_version="1.0.0",
    content_hash="abc",
    seed=1,
    values={"a": "3"},
    prompt="Differentiate 3x^4.",
    expected=("12*x^3",),
)


def sqlite_error(name: str, code: int, message: str) -> sqlite3.OperationalError:
    """The exception SQLite raises for ``name`` (as the sqlite3 module builds it)."""
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = name  # type: ignore[attr-defined]
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


FULL = ("SQLITE_FULL", 13, "database or disk is full")
READ_ONLY = ("SQLITE_READONLY", 8, "attempt to write a readonly database")
CANT_OPEN = ("SQLITE_CANTOPEN", 14, "unable to open database file")
LOCKED = ("SQLITE_BUSY", 5, "database is locked")


class RefusesWrites:
    """A connection whose writes fail as the disk would make them fail; reads work."""

    def __init__(self, db: sqlite3.Connection, error: tuple[str, int, str]) -> None:
        self._db = db
        self._error = error

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.lstrip().upper().startswith(("BEGIN", "INSERT", "UPDATE", "DELETE")):
            raise sqlite_error(*self._error)
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


def with_answers(path: Path, count: int = 3) -> None:
    with open_store(path) as store:
        for i in range(count):
            attempt = store.begin_attempt(None, START, now=T0)
            store.record_answer(
                attempt,
                part="",
                answer=f"12x^{i}",
                verdict="equivalent",
                misconception=None,
                tries=1,
                now=T0,
            )
            store.finish_attempt(
                attempt, outcome="correct", tries=1, hints_used=0, elapsed_ms=5, now=T0
            )


def disk_fails_on_open(monkeypatch: pytest.MonkeyPatch, error: tuple[str, int, str]) -> None:
    def refuse(path: Path) -> sqlite3.Connection:
        raise sqlite_error(*error)

    monkeypatch.setattr(store_module, "_connect", refuse)


def no_corrupt_files(folder: Path) -> bool:
    return not any("corrupt" in p.name for p in folder.iterdir())


# -- a good database that cannot be written is never moved ---------------------------------


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (FULL, "the disk is full"),
        (READ_ONLY, "the progress database is read-only (file, directory or file system)"),
        (CANT_OPEN, "the progress database cannot be opened for writing (permissions?)"),
    ],
)
def test_full_disk_or_read_only_place_keeps_the_database_and_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: tuple[str, int, str], reason: str
) -> None:
    path = tmp_path / "progress.sqlite3"
    with_answers(path)
    before = path.read_bytes()
    disk_fails_on_open(monkeypatch, error)
    with open_store(path) as store:
        assert store.notice is None
        assert store.unsaved == reason
        assert [a.answer for a in store.answers()] == ["12x^0", "12x^1", "12x^2"]
        store.begin_attempt(None, START, now=T0)  # kept in memory only
        assert len(store.attempts()) == 4
    assert no_corrupt_files(tmp_path)
    assert path.read_bytes() == before
    monkeypatch.undo()
    with open_store(path) as store:
        assert len(store.attempts()) == 3


def test_disk_full_in_the_middle_of_a_session_keeps_every_earlier_answer(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.sqlite3"
    warnings: list[str] = []
    with open_store(path) as store:
        store.watch_unsaved(warnings.append)
        first = store.begin_attempt(None, START, now=T0)
        store._db = RefusesWrites(store._db, FULL)  # type: ignore[assignment]
        second = store.begin_attempt(None, START, now=T0)
        store.record_answer(
            second, part="", answer="x", verdict="wrong", misconception=None, tries=1, now=T0
        )
        assert store.unsaved == "the disk is full"
        assert [a.id for a in store.attempts()] == [first, second]
    assert warnings == [
        "can't save progress: the disk is full; answers in this quiz will not be kept"
    ]
    assert no_corrupt_files(tmp_path)
    with open_store(path) as store:
        assert [a.id for a in store.attempts()] == [first]
        assert store.answers() == []


def test_a_lock_held_past_the_timeout_stops_saving_and_moves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with_answers(path, 1)
    with open_store(path) as store:
        store._db = RefusesWrites(store._db, LOCKED)  # type: ignore[assignment]
        store.record_hint(1, hints_used=1)
        assert store.unsaved == "the progress database is locked by another program"
    assert no_corrupt_files(tmp_path)
    with open_store(path) as store:
        assert store.attempts()[0].hints_used == 0


def test_reset_on_a_full_disk_changes_nothing_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with_answers(path, 2)
    with open_store(path) as store:
        store._db = RefusesWrites(store._db, FULL)  # type: ignore[assignment]
        with pytest.raises(StoreError) as caught:
            store.reset()
    assert str(caught.value) == "can't save progress: the disk is full; nothing was changed"
    with open_store(path) as store:
        assert len(store.attempts()) == 2


def test_nothing_can_be_created_practise_unsaved_gives_an_empty_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.sqlite3"
    disk_fails_on_open(monkeypatch, FULL)
    with pytest.raises(StoreError, match=r"cannot create the progress database .*disk is full"):
        open_store(path)
    with open_store(path, practise_unsaved=True) as store:
        assert store.unsaved == "the disk is full"
        assert store.attempts() == []
        store.begin_attempt(None, START, now=T0)
        assert len(store.attempts()) == 1


# -- logical corruption is proven, moved aside with its path said, never deleted -----------


def corrupt(path: Path, *statements: str) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        raw.execute(statement)
    raw.close()


@pytest.mark.parametrize(
    ("statements", "reason"),
    [
        (("DROP TABLE cards",), "its cards table is missing"),
        (
            ("DROP TABLE answers", "CREATE TABLE answers (id INTEGER PRIMARY KEY, text TEXT)"),
            "its answers table is another schema (no column answer, answered_at, attempt_id, "
            "elapsed_ms, misconception, part, verdict)",
        ),
        (
            ("UPDATE attempts SET values_json = '{not json' WHERE id = 2",),
            "a row of its attempts table cannot be read: Expecting property name enclosed in "
            "double quotes: line 1 column 2 (char 1)",
        ),
        (
            ("UPDATE answers SET answered_at = 'yesterday' WHERE id = 1",),
            "a row of its answers table cannot be read: Invalid isoformat string: 'yesterday'",
        ),
        (
            ("UPDATE attempts SET finished_at = '2026-03-01T09:00:00' WHERE id = 1",),
            "a row of its attempts table cannot be read: timestamp without a time zone: "
            "'2026-03-01T09:00:00'",
        ),
        (
            ("UPDATE attempts SET expected_json = '7' WHERE id = 1",),
            "a row of its attempts table cannot be read: expected a JSON list, found int",
        ),
    ],
)
def test_logical_corruption_is_moved_aside_with_its_answers(
    tmp_path: Path, statements: tuple[str, ...], reason: str
) -> None:
    path = tmp_path / "progress.sqlite3"
    with_answers(path)
    corrupt(path, "PRAGMA wal_checkpoint(TRUNCATE)", *statements)
    with open_store(path, now=T0) as store:
        moved = tmp_path / "progress.sqlite3.corrupt-20260301T090000"
        assert store.notice == (
            f"Your progress database could not be read ({reason}). "
            f"It was moved to {moved} and a fresh one started."
        )
        assert store.attempts() == []
    kept = sqlite3.connect(moved)
    assert kept.execute("SELECT count(*) FROM attempts").fetchone() == (3,)


def test_another_programs_database_is_moved_aside_not_written_into(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    corrupt(path, "CREATE TABLE sessions (who TEXT)", "INSERT INTO sessions VALUES ('x')")
    with open_store(path, now=T0) as store:
        assert store.notice is not None
        assert "(it holds another program's tables (sessions))" in store.notice
    moved = tmp_path / "progress.sqlite3.corrupt-20260301T090000"
    assert sqlite3.connect(moved).execute("SELECT who FROM sessions").fetchall() == [("x",)]


def test_other_schema_at_version_one_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    corrupt(path, "CREATE TABLE notes (body TEXT)", "PRAGMA user_version = 1")
    with open_store(path, now=T0) as store:
        assert store.notice is not None and "its sessions table is missing" in store.notice


def test_an_empty_file_is_a_new_database_not_a_corrupt_one(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"")
    with open_store(path) as store:
        assert store.notice is None and store.attempts() == []


def test_a_wal_file_that_cannot_follow_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"garbage " * 600)
    wal = tmp_path / "progress.sqlite3-wal"
    wal.write_bytes(b"wal frames")
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if self.name.endswith("-wal"):
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(StoreError, match="could not be moved aside: the disk is full"):
        open_store(path, now=T0)
    assert path.read_bytes().startswith(b"garbage") and wal.read_bytes() == b"wal frames"
    assert no_corrupt_files(tmp_path)


def test_logical_corruption_through_the_cli_is_not_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "100")
    path = tmp_path / "progress.sqlite3"
    with_answers(path)
    corrupt(path, "PRAGMA wal_checkpoint(TRUNCATE)", "DROP TABLE cards")
    result = CliRunner().invoke(app, ["progress", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["attempts"] == 0
    assert "moved to" in result.stderr and ".corrupt-" in result.stderr


# -- GRADTUTOR_HOME that cannot hold a directory -------------------------------------------


@pytest.mark.parametrize("below", [False, True])
def test_home_that_is_a_file_is_refused_with_the_place(tmp_path: Path, below: bool) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    home = blocker / "deeper" if below else blocker
    with pytest.raises(StoreError) as caught:
        open_store(home / "progress.sqlite3", practise_unsaved=True)
    assert str(caught.value) == (
        f"progress cannot be kept in {home}: {blocker} is a file, not a directory "
        "(set GRADTUTOR_HOME to a directory)"
    )
    assert blocker.read_text() == "not a directory"


@pytest.mark.parametrize("command", [[], ["progress"], ["progress", "--json"], ["quiz"]])
def test_home_that_is_a_file_exits_2_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    monkeypatch.setenv("GRADTUTOR_HOME", str(blocker))
    result = CliRunner().invoke(app, command, input="")
    assert result.exit_code == ExitCode.INVALID, result.output
    message = (
        f"progress cannot be kept in {blocker}: {blocker} is a file, not a directory "
        "(set GRADTUTOR_HOME to a directory)"
    )
    if command:  # reported by the command, once, on stderr (and as JSON with --json)
        assert result.stderr == f"gradtutor {command[0]}: {message}\n"
    else:  # the home screen
        assert (
            result.stderr == f"gradtutor: {message}\nhint: run gradtutor --help for the commands\n"
        )
    error = {"error": {"message": message, "column": None, "hint": None}}
    assert result.stdout == (json.dumps(error) + "\n" if "--json" in command else "")


# -- the quiz goes on without saving -------------------------------------------------------


class Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def read(self, prompt: str) -> str:
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


def test_quiz_on_a_full_disk_says_so_and_lets_the_learner_practise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path))
    path = tmp_path / "progress.sqlite3"
    with_answers(path)
    before = path.read_bytes()
    disk_fails_on_open(monkeypatch, FULL)
    out, records = io.StringIO(), io.StringIO()
    runner = QuizRunner(
        console=make_console(file=out, width=200),
        json_out=records,
        clock=lambda: T0,
        reader=Reader(["9x^2"]),
    )
    code = runner.run(topic="quiz-power", count=1, seed=1, review=False, packs=(PACK,))
    assert code == ExitCode.OK
    assert "can't save progress: the disk is full; answers in this quiz will not be kept" in (
        out.getvalue()
    )
    assert json.loads(records.getvalue())["verdict"] == "correct"
    assert path.read_bytes() == before and no_corrupt_files(tmp_path)


def test_answer_that_was_not_utf8_is_stored_as_replacement_characters(tmp_path: Path) -> None:
    with open_store(tmp_path / "p.sqlite3") as store:
        attempt = store.begin_attempt(None, START, now=T0)
        store.record_answer(
            attempt,
            part="",
            answer="3x\udcff\udcfe",  # bytes ff fe read with surrogateescape
            verdict="unparsable",
            misconception=None,
            tries=1,
            now=T0,
        )
        assert store.answers()[0].answer == "3x\ufffd\ufffd"


def test_text_read_back_from_the_database_cannot_drive_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with_answers(path, 1)
    corrupt(
        path,
        "UPDATE attempts SET topic = 'power\x1b]0;pwned\x07\x1b[2J', prompt = 'a\rb\u202ec'",
    )
    with open_store(path) as store:
        row = store.attempts()[0]
    assert row.topic == "power\\x1b]0;pwned\\x07\\x1b[2J"
    assert row.prompt == "a\\x0db\\u202ec"


@pytest.mark.slow
def test_a_real_file_size_limit_is_met_by_practising_without_saving(tmp_path: Path) -> None:
    """RLIMIT_FSIZE 0: the kernel refuses every write to a file (as a full disk does)."""
    path = tmp_path / "progress.sqlite3"
    with_answers(path)
    corrupt(path, "PRAGMA wal_checkpoint(TRUNCATE)")
    before = path.read_bytes()
    env = {**os.environ, "GRADTUTOR_HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "200"}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "gradtutor",
            "quiz",
            "--pack",
            str(PACK),
            "-t",
            "quiz-power",
            "-n",
            "1",
            "--seed",
            "1",
        ],
        input="9x^2\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        preexec_fn=limit,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "can't save progress:" in run.stdout
    assert "answers in this quiz will not be kept" in run.stdout
    assert path.read_bytes() == before and no_corrupt_files(tmp_path)


# -- the commands that read progress --------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["progress"], ["progress", "--json"]])
def test_logical_corruption_in_the_home_screen_and_progress_is_moved_not_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "300")
    path = tmp_path / "progress.sqlite3"
    with_answers(path)
    corrupt(path, "PRAGMA wal_checkpoint(TRUNCATE)", "UPDATE answers SET answered_at = 'soon'")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    (moved,) = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert f"It was moved to {moved} and a fresh one started." in " ".join(result.output.split())
    assert sqlite3.connect(moved).execute("SELECT count(*) FROM answers").fetchone() == (3,)


def test_quiz_with_logical_corruption_moves_it_aside_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path))
    path = tmp_path / "progress.sqlite3"
    with_answers(path)
    corrupt(path, "PRAGMA wal_checkpoint(TRUNCATE)", "DROP TABLE sessions")
    out = io.StringIO()
    runner = QuizRunner(
        console=make_console(file=out, width=300), clock=lambda: T0, reader=Reader(["9x^2"])
    )
    code = runner.run(topic="quiz-power", count=1, seed=1, review=False, packs=(PACK,))
    assert code == ExitCode.OK
    assert "could not be read (its sessions table is missing)" in out.getvalue()
    with open_store(path) as store:
        assert [a.outcome for a in store.attempts()] == ["correct"]


def test_a_good_database_in_a_read_only_place_is_not_called_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "300")
    with_answers(tmp_path / "progress.sqlite3")
    disk_fails_on_open(monkeypatch, READ_ONLY)
    result = CliRunner().invoke(app, ["progress", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["attempts"] == 3
    assert result.stderr == (
        "Progress is read only: the progress database is read-only (file, directory or file "
        "system).\n"
    )
    home = CliRunner().invoke(app, [])
    assert home.exit_code == 0 and "unreadable" not in home.output
    reset = CliRunner().invoke(app, ["progress", "--reset", "--yes"])
    assert reset.exit_code == ExitCode.WRONG
    assert (reset.stdout, reset.stderr) == (
        "",
        "gradtutor progress: can't reset progress: the progress database is read-only (file, "
        "directory or file system); nothing was changed\n",
    )
    monkeypatch.undo()
    with open_store(tmp_path / "progress.sqlite3") as store:
        assert len(store.attempts()) == 3


def test_corrupt_file_on_a_full_disk_is_moved_and_the_quiz_practises_unsaved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"not sqlite " * 100)  # refused on its first bytes, before SQLite
    disk_fails_on_open(monkeypatch, FULL)  # so only the fresh database meets the full disk
    with pytest.raises(StoreError, match=r"but a fresh one cannot be created at .*disk is full"):
        open_store(path, now=T0)
    path.write_bytes(b"not sqlite " * 100)
    with open_store(path, now=T0, practise_unsaved=True) as store:
        assert store.unsaved == "the disk is full"
        assert store.notice is not None and "-1 and a fresh one started" in store.notice
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "progress.sqlite3.corrupt-20260301T090000",
        "progress.sqlite3.corrupt-20260301T090000-1",
    ]


def test_home_that_is_a_link_to_nothing_is_named(tmp_path: Path) -> None:
    link = tmp_path / "home"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(StoreError) as caught:
        open_store(link / "progress.sqlite3")
    assert str(caught.value) == (
        f"progress cannot be kept in {link}: {link} is a link to nothing, not a directory "
        "(set GRADTUTOR_HOME to a directory)"
    )


def test_a_damaged_database_that_cannot_be_written_is_still_moved_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unwritable (the WAL cannot be opened) and proven damaged: renaming still works."""
    path = tmp_path / "progress.sqlite3"
    with_answers(path)
    corrupt(path, "PRAGMA wal_checkpoint(TRUNCATE)", "DROP TABLE cards")
    disk_fails_on_open(monkeypatch, CANT_OPEN)
    with pytest.raises(StoreError, match=r"moved to .*corrupt-20260301T090000, but a fresh one"):
        open_store(path, now=T0)
    moved = tmp_path / "progress.sqlite3.corrupt-20260301T090000"
    assert sqlite3.connect(moved).execute("SELECT count(*) FROM attempts").fetchone() == (3,)
