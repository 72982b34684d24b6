"""``gradtutor quiz`` end to end: a real pseudo-terminal (pexpect) and stdin pipes (subprocess).

The questions come from tests/data/quiz_pack.toml, whose numbers are fixed, so every run
asks d/dx(3x^3) = 9x^2 (topic quiz-power) or the gradient of x^2*y (topic quiz-partials).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACK = str(ROOT / "tests" / "data" / "quiz_pack.toml")
PROMPT = "\x1b[?2004h"  # prompt_toolkit switches bracketed paste on as the answer line opens
UP = "\x1b[A"

pytestmark = pytest.mark.slow


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADTUTOR")}
    env.update(
        GRADTUTOR_HOME=str(home),
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
        COLUMNS="100",
        PYTHONPATH=str(ROOT),
    )
    return env


def spawn(home: Path, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "quiz", "--pack", PACK, *args],
        env=environment(home),
        cwd=str(ROOT),
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=30,
    )
    return child


def run(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gradtutor", "quiz", "--pack", PACK, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(home),
        cwd=str(ROOT),
        timeout=60,
    )


def rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "progress.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_terminal_answers_hint_history_and_ctrl_c(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--topic", "quiz-power", "--count", "3", "--seed", "1")
    child.expect("Question 1 of 3")
    child.expect_exact(PROMPT)
    child.send("9^2\r")
    child.expect("Not quite. Try again")
    child.expect("variable dropped")  # the engine's diagnosis, without the answer
    child.expect_exact(PROMPT)
    child.send("hint\r")
    child.expect_exact("Power rule: d/dx xⁿ = n·x^(n-1).")
    child.expect_exact(PROMPT)
    child.send("9x^2\r")
    child.expect("Right")
    child.expect("Question 2 of 3")
    child.expect_exact(PROMPT)
    child.send(UP)  # history: the last answer comes back for editing
    child.expect_exact("9x^2")
    child.send("\r")
    child.expect("Right")
    child.expect("Question 3 of 3")
    child.expect_exact(PROMPT)
    child.sendintr()
    child.expect("Summary")
    child.expect("2 of 2 right, 1 first time without a hint")
    child.expect_exact("right on try 2 · 1 hint")
    child.expect("every answer so far is saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert rows(
        tmp_path, "SELECT template_id, outcome, tries, hints_used, rating FROM attempts"
    ) == [
        ("quiztest.cube", "correct", 2, 1, 2),  # Hard: right after a hint and a retry
        ("quiztest.cube", "correct", 1, 0, 4),  # Easy: right first try, fast
    ]
    assert rows(tmp_path, "SELECT answer, verdict, misconception FROM answers") == [
        ("9^2", "not_equivalent", "dropped_variable"),
        ("9x^2", "equivalent", None),
        ("9x^2", "equivalent", None),
    ]
    assert rows(tmp_path, "SELECT template_id FROM cards") == [("quiztest.cube",)]


def test_kill_9_mid_quiz_loses_no_answer(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--topic", "quiz-power", "--count", "5", "--seed", "1")
    child.expect_exact(PROMPT)
    child.send("9x^2\r")
    child.expect("Right")
    child.expect("Question 2 of 5")
    child.expect_exact(PROMPT)
    child.send("27x^2\r")
    child.expect("Not quite")  # printed after the answer is committed
    child.kill(signal.SIGKILL)
    child.close()
    assert child.signalstatus == signal.SIGKILL
    assert rows(tmp_path, "SELECT id, outcome, seed FROM attempts ORDER BY id") == [
        (1, "correct", 1),
        (2, None, 2),  # open when killed; its answer is there
    ]
    assert rows(tmp_path, "SELECT attempt_id, answer, verdict FROM answers ORDER BY id") == [
        (1, "9x^2", "equivalent"),
        (2, "27x^2", "not_equivalent"),
    ]


def test_piped_answer_with_json(tmp_path: Path) -> None:
    done = run(
        tmp_path, "--seed", "1", "--topic", "quiz-power", "--count", "1", "--json", stdin="9x^2\n"
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    record = json.loads(line)
    assert record.pop("elapsed_ms") >= 0
    assert record == {
        "id": "quiztest.cube",
        "topic": "quiz-power",
        "prompt": "Differentiate f(x) = 3x^3 with respect to x.",
        "expected": "9*x^2",
        "answers": ["9x^2"],
        "verdict": "correct",
        "misconception": None,
        "attempts": 1,
        "hints_used": 0,
        "seed": 1,
        "difficulty": 1,
        "misconceptions": [],
        "how": "right first time",
        "parts": [
            {
                "label": "",
                "expected": "9*x^2",
                "verdict": "correct",
                "answers": [{"answer": "9x^2", "verdict": "equivalent", "misconception": None}],
            }
        ],
    }
    assert "Right" in done.stderr and "Summary" in done.stderr


def test_piped_three_misses_show_the_solution_and_exit_1(tmp_path: Path) -> None:
    done = run(tmp_path, "--topic", "quiz-power", "--count", "1", "--json", stdin="9x^3\n3x^2\n9\n")
    assert done.returncode == 1
    record = json.loads(done.stdout)
    assert (record["verdict"], record["attempts"], record["answers"]) == (
        "wrong",
        3,
        ["9x^3", "3x^2", "9"],
    )
    assert record["misconception"] == "power_exponent_not_reduced"
    assert "that was the last try" in done.stderr
    assert "Answer: 9x²" in done.stderr


def test_piped_multi_part_gradient_is_checked_part_by_part(tmp_path: Path) -> None:
    done = run(
        tmp_path, "--topic", "quiz-partials", "--count", "1", "--json", stdin="2x\n2xy\nx^2\n"
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["expected"] == ["2*x*y", "x^2"]
    assert [p["verdict"] for p in record["parts"]] == ["correct", "correct"]
    assert record["misconception"] == "partial_constant_factor_dropped"
    assert (record["attempts"], record["verdict"]) == (3, "correct")
    assert "∂f/∂x = 2x" in done.stderr and "∂f/∂y = x^2" in done.stderr


def test_plain_text_output_and_commands_through_a_pipe(tmp_path: Path) -> None:
    done = run(
        tmp_path, "--topic", "quiz-power", "--count", "2", stdin="x^^2\nhint\nhint\nhint\nsteps\n"
    )
    assert done.returncode == 1
    out = done.stdout
    assert "can't read that as maths" in out
    assert "Hint 2/2" in out and "No more hints" in out
    assert "Answer: 9x²" in out
    assert "Same question again" in out  # the shown question comes back (fixed numbers)
    assert "Summary" in out and "Traceback" not in out + done.stderr
    assert rows(tmp_path, "SELECT outcome, hints_used FROM attempts") == [("shown", 2)]


def test_end_of_input_ends_the_quiz_and_keeps_the_answers(tmp_path: Path) -> None:
    done = run(tmp_path, "--topic", "quiz-power", "--count", "3", "--json", stdin="9x^2\n27\n")
    assert done.returncode == 1  # the second question had a wrong try
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["verdict"], r["answers"]) for r in lines] == [
        ("correct", ["9x^2"]),
        ("incomplete", ["27"]),
    ]
    assert "Quiz ended early" in done.stderr
    assert rows(tmp_path, "SELECT outcome FROM attempts ORDER BY id") == [
        ("correct",),
        ("incomplete",),
    ]


def test_quit_ends_the_quiz(tmp_path: Path) -> None:
    done = run(tmp_path, "--topic", "quiz-power", "--count", "3", stdin="9x^2\nquit\n")
    assert done.returncode == 0
    assert "1 of 1 right, all first time without a hint" in done.stdout
    assert rows(tmp_path, "SELECT outcome FROM attempts") == [("correct",)]  # untouched one dropped


def test_unknown_topic_is_a_usage_error(tmp_path: Path) -> None:
    from gradtutor.tutor.packs import load_catalogue

    catalogue = load_catalogue([Path(PACK)])
    topics = ", ".join(t.id for t in catalogue.topics if catalogue.by_topic(t.id))
    done = run(tmp_path, "--topic", "no-such-topic")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "quiz-power" in topics  # the pack's topics are offered with the shipped ones
    assert done.stderr == (
        f"gradtutor quiz: no exercises for topic 'no-such-topic'\nhint: topics: {topics}\n"
    )


def test_corrupt_database_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "progress.sqlite3").write_bytes(b"not sqlite at all" * 100)
    done = run(tmp_path, "--topic", "quiz-power", "--count", "1", stdin="9x^2\n")
    assert done.returncode == 0
    assert "could not be read" in done.stdout and "fresh one started" in done.stdout
    assert len(list(tmp_path.glob("progress.sqlite3.corrupt-*"))) == 1
    assert rows(tmp_path, "SELECT outcome FROM attempts") == [("correct",)]


def test_two_quizzes_at_once_share_the_database(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "gradtutor", "quiz", "--pack", PACK, "--topic", "quiz-power"]
    runs = [
        subprocess.Popen(
            [*command, "--count", "4", "--json"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(tmp_path),
            cwd=str(ROOT),
        )
        for _ in range(2)
    ]
    outputs = [run.communicate("9x^2\n" * 4, timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert rows(tmp_path, "SELECT count(*), count(DISTINCT session_id) FROM attempts") == [(8, 2)]
    assert rows(tmp_path, "SELECT count(*) FROM answers WHERE verdict = 'equivalent'") == [(8,)]
    assert rows(tmp_path, "PRAGMA integrity_check") == [("ok",)]
