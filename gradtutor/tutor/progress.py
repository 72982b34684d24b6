"""Progress so far, computed from the stored attempts: mastery, accuracy, streak, due reviews."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from gradtutor.tutor import session
from gradtutor.tutor.adaptive import MASTERED, Outcome, level, mastery
from gradtutor.tutor.store import FINISHED_OUTCOMES, AnswerRow, AttemptRow, CardRow

CHART_DAYS = 14
TOP_MISCONCEPTIONS = 5


@dataclass(frozen=True)
class TopicProgress:
    id: str
    title: str
    mastery: float
    mastered: bool
    answered: int
    correct: int
    level: int


@dataclass(frozen=True)
class DayProgress:
    day: date
    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class ProgressReport:
    attempts: int  # finished questions
    correct: int
    topics: tuple[TopicProgress, ...]
    streak: int  # days in a row, up to today, with at least one question finished
    misconceptions: tuple[tuple[str, int], ...]
    due: int
    next_due: datetime | None
    days: tuple[DayProgress, ...]
    last_active: datetime | None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.attempts if self.attempts else None

    def to_json(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "correct": self.correct,
            "accuracy": _round(self.accuracy),
            "mastery": {t.id: round(t.mastery, 3) for t in self.topics},
            "topics": [
                {
                    "id": t.id,
                    "title": t.title,
                    "mastery": round(t.mastery, 3),
                    "mastered": t.mastered,
                    "answered": t.answered,
                    "correct": t.correct,
                    "level": t.level,
                }
                for t in self.topics
            ],
            "streak": self.streak,
            "misconceptions": [{"id": m, "count": n} for m, n in self.misconceptions],
            "due": self.due,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "days": [
                {
                    "date": d.day.isoformat(),
                    "answered": d.answered,
                    "correct": d.correct,
                    "accuracy": _round(d.accuracy),
                }
                for d in self.days
            ],
            "last_active": self.last_active.isoformat() if self.last_active else None,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def outcomes_of(attempts: Sequence[AttemptRow]) -> list[Outcome]:
    """Finished attempts as adaptive Outcomes, oldest first."""
    history = []
    for a in attempts:
        if a.outcome not in FINISHED_OUTCOMES:
            continue
        parts = len(a.expected) or 1
        outcome = session.Outcome(a.outcome)
        clean = outcome == session.Outcome.CORRECT and a.tries <= parts and a.hints_used == 0
        history.append(
            Outcome(template_id=a.template_id, topic=a.topic, outcome=outcome, clean=clean)
        )
    return history


def build_report(
    attempts: Sequence[AttemptRow],
    answers: Sequence[AnswerRow],
    cards: Sequence[CardRow],
    *,
    now: datetime,
    topics: Sequence[tuple[str, str]] = (),
    tz: tzinfo | None = None,
) -> ProgressReport:
    """Everything ``gradtutor progress`` shows. ``topics`` is (id, title) in teaching order."""
    finished = [a for a in attempts if a.outcome in FINISHED_OUTCOMES and a.finished_at]
    history = outcomes_of(finished)
    titles = dict(topics)
    topic_ids = [t for t, _ in topics] + sorted({a.topic for a in finished} - set(titles))
    topic_rows = tuple(
        _topic_progress(topic, titles.get(topic, topic), finished, history) for topic in topic_ids
    )
    counts = Counter(a.misconception for a in answers if a.misconception)
    today = now.astimezone(tz).date()
    days = _days(finished, today, tz)
    due = [c for c in cards if c.due <= now]
    upcoming = [c.due for c in cards if c.due > now]
    return ProgressReport(
        attempts=len(finished),
        correct=sum(1 for a in finished if a.outcome == session.Outcome.CORRECT),
        topics=topic_rows,
        streak=_streak(finished, today, tz),
        misconceptions=tuple(
            sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_MISCONCEPTIONS]
        ),
        due=len(due),
        next_due=min(upcoming) if upcoming else None,
        days=days,
        last_active=max((a.finished_at for a in finished if a.finished_at), default=None),
    )


def _topic_progress(
    topic: str, title: str, finished: Sequence[AttemptRow], history: Sequence[Outcome]
) -> TopicProgress:
    rows = [a for a in finished if a.topic == topic]
    score = mastery(topic, history)
    return TopicProgress(
        id=topic,
        title=title,
        mastery=score,
        mastered=score >= MASTERED,
        answered=len(rows),
        correct=sum(1 for a in rows if a.outcome == session.Outcome.CORRECT),
        level=level(topic, history),
    )


def _local_day(moment: datetime, tz: tzinfo | None) -> date:
    return moment.astimezone(tz).date()


def _days(
    finished: Sequence[AttemptRow], today: date, tz: tzinfo | None
) -> tuple[DayProgress, ...]:
    first = today - timedelta(days=CHART_DAYS - 1)
    answered: Counter[date] = Counter()
    correct: Counter[date] = Counter()
    for a in finished:
        assert a.finished_at is not None
        day = _local_day(a.finished_at, tz)
        if first <= day <= today:
            answered[day] += 1
            correct[day] += a.outcome == session.Outcome.CORRECT
    return tuple(
        DayProgress(
            day=first + timedelta(days=i),
            answered=answered[first + timedelta(days=i)],
            correct=correct[first + timedelta(days=i)],
        )
        for i in range(CHART_DAYS)
    )


def _streak(finished: Sequence[AttemptRow], today: date, tz: tzinfo | None) -> int:
    """Days in a row with practice, ending today (or yesterday, if today has none yet)."""
    active = {_local_day(a.finished_at, tz) for a in finished if a.finished_at}
    day = today if today in active else today - timedelta(days=1)
    streak = 0
    while day in active:
        streak += 1
        day -= timedelta(days=1)
    return streak
