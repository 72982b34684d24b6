"""Progress statistics from stored attempts, at a fixed clock and time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import count

from gradtutor.tutor.progress import build_report
from gradtutor.tutor.store import AnswerRow, AttemptRow, CardRow

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_ids = count(1)


def attempt(
    topic: str, outcome: str | None, days_ago: float, *, tries: int = 1, hints: int = 0
) -> AttemptRow:
    finished = NOW - timedelta(days=days_ago)
    return AttemptRow(
        id=next(_ids),
        session_id=1,
        template_id=f"{topic}.1",
        topic=topic,
        difficulty=1,
        pack_version="1.0.0",
        content_hash="h",
        seed=1,
        values={},
        prompt="p",
        expected=("x",),
        started_at=finished,
        finished_at=finished if outcome else None,
        outcome=outcome,
        tries=tries,
        hints_used=hints,
        elapsed_ms=1000,
        rating=None,
    )


def answer(misconception: str | None) -> AnswerRow:
    return AnswerRow(1, "", "a", "not_equivalent", misconception, NOW)


TOPICS = [("power-rule", "Power rule"), ("chain-rule", "Chain rule")]


def test_an_empty_history() -> None:
    report = build_report([], [], [], now=NOW, topics=TOPICS, tz=UTC)
    data = report.to_json()
    assert data["attempts"] == 0 and data["accuracy"] is None and data["streak"] == 0
    assert data["mastery"] == {"power-rule": 0.0, "chain-rule": 0.0}
    assert len(data["days"]) == 14 and data["days"][-1]["date"] == "2026-03-10"


def test_counts_mastery_streak_and_days() -> None:
    attempts = [
        attempt("power-rule", "correct", 3),
        attempt("power-rule", "correct", 2, tries=2),  # right on a retry: half a point
        attempt("power-rule", "wrong", 1, tries=3),
        attempt("power-rule", "correct", 0.1),
        attempt("chain-rule", "skipped", 0.1),
        attempt("chain-rule", None, 0.05),  # unfinished (killed mid-question): not counted
        attempt("power-rule", "incomplete", 0.05),  # quit mid-question: not counted
    ]
    report = build_report(attempts, [], [], now=NOW, topics=TOPICS, tz=UTC)
    assert (report.attempts, report.correct, report.accuracy) == (5, 3, 0.6)
    power, chain = report.topics
    assert (power.id, power.title, power.answered, power.correct) == (
        "power-rule",
        "Power rule",
        4,
        3,
    )
    assert power.mastery == 2.5 / 6 and not power.mastered
    assert (chain.answered, chain.mastery) == (1, 0.0)
    assert report.streak == 4  # today and the three days before
    assert [(d.day, d.answered, d.correct) for d in report.days[-4:]] == [
        (date(2026, 3, 7), 1, 1),
        (date(2026, 3, 8), 1, 1),
        (date(2026, 3, 9), 1, 0),
        (date(2026, 3, 10), 2, 1),
    ]
    assert report.last_active == NOW - timedelta(days=0.1)


def test_streak_survives_until_the_end_of_the_next_day() -> None:
    attempts = [attempt("power-rule", "correct", d) for d in (1, 2, 4)]
    assert build_report(attempts, [], [], now=NOW, tz=UTC).streak == 2
    assert build_report(attempts[2:], [], [], now=NOW, tz=UTC).streak == 0


def test_days_follow_the_local_time_zone() -> None:
    late = attempt("power-rule", "correct", 0.45)  # 01:12 UTC on 10 March
    pacific = timezone(timedelta(hours=-8))  # 17:12 on 9 March
    report = build_report([late], [], [], now=NOW, tz=pacific)
    assert report.days[-1].day == date(2026, 3, 10)
    assert (report.days[-2].day, report.days[-2].answered) == (date(2026, 3, 9), 1)


def test_misconceptions_most_frequent_first_top_five() -> None:
    names = ["a"] * 3 + ["b"] * 5 + ["c", "d", "e", "f", None]
    report = build_report([], [answer(m) for m in names], [], now=NOW, tz=UTC)
    assert report.misconceptions == (("b", 5), ("a", 3), ("c", 1), ("d", 1), ("e", 1))


def test_due_reviews_and_the_next_one() -> None:
    cards = [
        CardRow("a", "{}", NOW - timedelta(hours=1)),
        CardRow("b", "{}", NOW),
        CardRow("c", "{}", NOW + timedelta(days=2)),
    ]
    report = build_report([], [], cards, now=NOW, tz=UTC)
    assert report.due == 2
    assert report.to_json()["next_due"] == "2026-03-12T12:00:00+00:00"


def test_topics_seen_but_not_in_the_catalogue_are_still_listed() -> None:
    report = build_report(
        [attempt("old-topic", "correct", 0)], [], [], now=NOW, topics=TOPICS, tz=UTC
    )
    assert [t.id for t in report.topics] == ["power-rule", "chain-rule", "old-topic"]
