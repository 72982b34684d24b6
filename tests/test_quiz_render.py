"""Quiz and progress renderables at a pinned width, without colour."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from gradtutor.render import quiz as view
from gradtutor.tutor.progress import build_report
from gradtutor.tutor.store import AttemptRow

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def render(renderable: object, width: int = 60) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, highlight=False).print(renderable)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


@pytest.mark.parametrize(
    ("plain", "shown"),
    [
        ("3*x^2", "3x²"),
        ("x^10 + 2*x*y", "x¹⁰ + 2x·y"),
        ("x^(-2)", "x⁻²"),
        ("x^n", "xⁿ"),
        ("e^(2*x)", "e^(2x)"),  # only whole-number exponents become superscripts
        ("x^2.5", "x^2.5"),
        ("f(x) = (7x + 5)^3. Then", "f(x) = (7x + 5)³. Then"),  # a full stop is not a decimal
        ("2^x", "2^x"),
    ],
)
def test_readable_maths(plain: str, shown: str) -> None:
    assert view.readable(plain) == shown


def test_question_panel() -> None:
    panel = view.question_view(
        number=2,
        total=5,
        prompt="Differentiate f(x) = 3x^4 + 2 with respect to x.",
        topic_title="Power rule",
        difficulty=2,
        reason="retry",
    )
    assert render(panel).splitlines() == [
        "╭─ Question 2 of 5  Power rule  difficulty ●●○○○ ─╮",
        "│ Same skill, new numbers.                        │",
        "│ Differentiate f(x) = 3x⁴ + 2 with respect to x. │",
        "╰─────────────────────────────────────────────────╯",
    ]


def test_a_long_topic_title_moves_into_the_box_instead_of_cutting_the_difficulty() -> None:
    # At 80 columns the header once ended "normalisation  difficulty ●○─╮": the dots were cut.
    panel = view.question_view(
        number=1,
        total=1,
        prompt="Standardise the value x = 13: give z = (x - m)/s.",
        topic_title="Standardisation (z-score) and normalisation",
        difficulty=2,
    )
    assert render(panel, width=80).splitlines() == [
        "╭─ Question 1 of 1  difficulty ●●○○○ ───────────────╮",
        "│ Standardisation (z-score) and normalisation       │",
        "│ Standardise the value x = 13: give z = (x - m)/s. │",
        "╰───────────────────────────────────────────────────╯",
    ]
    wide = render(panel, width=120).splitlines()
    assert wide[0] == (
        "╭─ Question 1 of 1  Standardisation (z-score) and normalisation  difficulty ●●○○○ ─╮"
    )


def test_prompt_text() -> None:
    assert view.prompt_text("") == "> "
    assert view.prompt_text("∂f/∂x") == "∂f/∂x = "


def attempt(i: int, outcome: str, days_ago: int) -> AttemptRow:
    at = NOW - timedelta(days=days_ago)
    return AttemptRow(
        id=i,
        session_id=1,
        template_id="power.basic-1",
        topic="power-rule",
        difficulty=1,
        pack_version="1",
        content_hash="h",
        seed=1,
        values={},
        prompt="p",
        expected=("x",),
        started_at=at,
        finished_at=at,
        outcome=outcome,
        tries=1,
        hints_used=0,
        elapsed_ms=1000,
        rating=None,
    )


def test_progress_view() -> None:
    attempts = [attempt(1, "correct", 0), attempt(2, "wrong", 0), attempt(3, "correct", 2)]
    report = build_report(attempts, [], [], now=NOW, topics=[("power-rule", "Power rule")], tz=UTC)
    assert render(view.progress_view(report), width=70).splitlines() == [
        "Mastery by topic",
        "topic       mastery                    answered  right",
        "Power rule  ███████░░░░░░░░░░░░░  33%         3      2",
        "Questions: 3   Accuracy: 67%   Streak: 1 day   Due for review: 0",
        "Last 14 days",
        "Accuracy  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  █  ·  ▄",
        "answered  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  ·  1  ·  2",
        "Feb–Mar  25 26 27 28  1  2  3  4  5  6  7  8  9 10",
    ]


def test_progress_bars_are_whole_at_60_columns() -> None:
    # At 60 columns the mastery bars were cut to "░░░░░░░░░░░░░░░░░…"; the long topic
    # titles have room to wrap instead.
    attempts = [attempt(1, "correct", 0), attempt(2, "wrong", 0), attempt(3, "correct", 2)]
    topics = [
        ("power-rule", "Power rule"),
        ("overfitting", "Reading a training curve: overfitting and early stopping"),
    ]
    report = build_report(attempts, [], [], now=NOW, topics=topics, tz=UTC)
    lines = render(view.progress_view(report), width=60).splitlines()
    assert lines[2] == "Power rule        ███████░░░░░░░░░░░░░  33%         3      2"
    assert lines[3] == "Reading a         ░░░░░░░░░░░░░░░░░░░░   0%         0      0"
    assert "…" not in "\n".join(lines)


@dataclass(frozen=True)
class Note:
    kind: str
    message: str
    id: str | None = None


@dataclass(frozen=True)
class Point:
    point: dict[str, float]
    expected: float
    answer: float


@dataclass(frozen=True)
class Miss:
    verdict: str = "not_equivalent"
    read_as: str = "3x²"
    feedback: tuple[Note, ...] = (
        Note("misconception", "power rule: coefficient missing: where did the 3 go?", "x"),
        Note("factor", "your answer is 1/3 of the derivative (off by a constant factor)"),
    )
    counterexample: Point | None = Point({"x": 2}, 36, 12)
    error: None = None


def test_a_miss_is_diagnosed_without_the_expected_expression() -> None:
    assert render(view.wrong_view(Miss(), 2), width=80).splitlines() == [
        "Not quite. Try again (2 tries left; 'hint' for a hint).",
        "  read as 3x²",
        "  • power rule: coefficient missing: where did the 3 go?",
        "  • your answer is 1/3 of the derivative (off by a constant factor)",
        "  at x = 2: expected 36, your answer 12",
    ]


def test_a_numeric_answer_is_not_given_away_before_the_last_try() -> None:
    assert render(view.wrong_view(Miss(), 1, numeric=True), width=80).splitlines() == [
        "Not quite. Try again (1 try left; 'hint' for a hint).",
        "  read as 3x²",
        "  • power rule: coefficient missing: where did the 3 go?",
    ]
    last = render(view.wrong_view(Miss(), 0, numeric=True), width=80)
    assert "that was the last try" in last and "expected 36" in last


@pytest.mark.parametrize(
    ("verdicts", "waiting", "shown"),
    [
        (
            [("∂f/∂x", "wrong"), ("∂f/∂y", "right")],
            ["∂f/∂x"],
            "∂f/∂x ✗, ∂f/∂y ✓. Answer ∂f/∂x again.",
        ),
        ([("∂f/∂x", "right"), ("∂f/∂y", "right")], [], "∂f/∂x ✓, ∂f/∂y ✓."),
        (
            [("∂f/∂x", "missed"), ("∂f/∂y", "unread")],
            ["∂f/∂y"],
            "∂f/∂x ✗ (answer shown), ∂f/∂y ? (not read). Answer ∂f/∂y again.",
        ),
        (
            [("∂f/∂x", "wrong"), ("∂f/∂y", "wrong")],
            ["∂f/∂x", "∂f/∂y"],
            "∂f/∂x ✗, ∂f/∂y ✗. Still to answer: ∂f/∂x, ∂f/∂y "
            "(one at a time, or together as (a, b)).",
        ),
    ],
)
def test_line_verdicts_report_every_part_of_a_one_line_answer(
    verdicts: list[tuple[str, str]], waiting: list[str], shown: str
) -> None:
    assert view.line_verdicts_view(verdicts, waiting).plain == shown
