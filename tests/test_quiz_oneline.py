"""A multi-part question answered on one line, piped through stdin: the exact ``--json``
records. One line is one attempt, every piece is checked against its part, and the
question asks again only for the parts still open. LaTeX vectors split like plain ones.

The question is the gradient of x^2*y from tests/data/quiz_pack.toml (fixed numbers).
In-process (CliRunner: stdin is not a terminal, as through a pipe); a real pipe into a
fresh ``python -m gradtutor quiz`` is test_quiz_cli.py's end-to-end business.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
PACK = str(ROOT / "tests" / "data" / "quiz_pack.toml")

QUESTION = ("--topic", "quiz-partials", "--count", "1", "--seed", "3", "--json")


def piped(home: Path, stdin: str) -> tuple[int, list[dict[str, Any]], str]:
    done = CliRunner().invoke(
        app,
        ["quiz", "--pack", PACK, *QUESTION],
        input=stdin,
        env={"GRADTUTOR_HOME": str(home), "COLUMNS": "100"},
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    for record in records:
        assert record.pop("elapsed_ms") >= 0  # the only field that varies
    return done.exit_code, records, done.stderr


def record(
    answers: list[str],
    attempts: int,
    parts: list[list[dict[str, Any]]],
    misconception: str | None = None,
) -> dict[str, Any]:
    """The whole record of the gradient question, answered right in the end."""
    return {
        "id": "quiztest.grad",
        "topic": "quiz-partials",
        "prompt": "Find the gradient ∇f of f(x, y) = x^2*y: give ∂f/∂x, ∂f/∂y.",
        "expected": ["2*x*y", "x^2"],
        "answers": answers,
        "verdict": "correct",
        "misconception": misconception,
        "attempts": attempts,
        "hints_used": 0,
        "seed": 3,
        "difficulty": 1,
        "misconceptions": [misconception] if misconception else [],
        "how": "right first time" if attempts == 1 else f"right on try {attempts}",
        "parts": [
            {"label": "∂f/∂x", "expected": "2*x*y", "verdict": "correct", "answers": parts[0]},
            {"label": "∂f/∂y", "expected": "x^2", "verdict": "correct", "answers": parts[1]},
        ],
    }


def right(answer: str) -> dict[str, Any]:
    return {"answer": answer, "verdict": "equivalent", "misconception": None}


@pytest.mark.parametrize(
    ("line", "pieces"),
    [
        ("(2xy, x^2)", ["2xy", "x^2"]),
        (r"\left(2xy, x^2\right)", ["2xy", "x^2"]),
        (r"\left[2*x*y,\, x^{2}\right]", ["2*x*y", "x^(2)"]),  # recorded as read
        ("$2xy, x^2$", ["2xy", "x^2"]),
    ],
)
def test_one_line_is_one_attempt_with_an_answer_per_part(
    tmp_path: Path, line: str, pieces: list[str]
) -> None:
    code, records, stderr = piped(tmp_path, line + "\n")
    assert code == 0, stderr
    first, second = pieces
    assert records == [record(pieces, 1, [[right(first)], [right(second)]])]
    assert "∂f/∂x ✓, ∂f/∂y ✓." in stderr


def test_a_wrong_first_part_keeps_the_right_second_and_asks_only_for_the_first(
    tmp_path: Path,
) -> None:
    code, records, stderr = piped(tmp_path, "(2x, x^2)\n2xy\n")
    assert code == 0, stderr
    slip = {
        "answer": "2x",
        "verdict": "not_equivalent",
        "misconception": "partial_constant_factor_dropped",
    }
    assert records == [
        record(
            ["2x", "x^2", "2xy"],
            2,
            [[slip, right("2xy")], [right("x^2")]],
            misconception="partial_constant_factor_dropped",
        )
    ]
    assert "∂f/∂x ✗, ∂f/∂y ✓. Answer ∂f/∂x again." in stderr
    assert stderr.count("∂f/∂y = x^2") == 1  # checked once, on the first line, and kept


def test_the_vector_again_after_a_miss_answers_only_the_open_part(tmp_path: Path) -> None:
    code, records, stderr = piped(tmp_path, "(y, x^2)\n(2xy, x)\n")
    assert code == 0, stderr
    miss = {"answer": "y", "verdict": "not_equivalent", "misconception": None}
    # The second line's x for ∂f/∂y is passed over: that part was already right.
    assert records == [record(["y", "x^2", "2xy"], 2, [[miss, right("2xy")], [right("x^2")]])]
