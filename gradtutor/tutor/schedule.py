"""Spaced repetition with FSRS: each exercise template is one card.

The rating comes from how the question went, never from asking the learner:
wrong, skipped or solution shown → Again; right after a hint or a retry → Hard;
right on the first try → Good, or Easy when it was also fast.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

from gradtutor.tutor.session import Outcome

# A first-try answer within this many milliseconds per part counts as fast (Easy).
FAST_MS_PER_PART = 20_000


@dataclass(frozen=True)
class Review:
    """The card of one template after a review, ready to store."""

    template_id: str
    rating: Rating
    card_json: str
    due: datetime


def rating_for(
    *, outcome: Outcome, tries: int, hints_used: int, elapsed_ms: int, parts: int = 1
) -> Rating:
    """The FSRS rating earned by one finished question."""
    if outcome != Outcome.CORRECT:
        return Rating.Again
    if tries > parts or hints_used > 0:
        return Rating.Hard
    if elapsed_ms <= FAST_MS_PER_PART * max(parts, 1):
        return Rating.Easy
    return Rating.Good


def make_scheduler(*, fuzz: bool = True) -> Scheduler:
    """The scheduler gradtutor uses; tests turn fuzzing off so intervals are exact."""
    return Scheduler(enable_fuzzing=fuzz)


def card_id(template_id: str) -> int:
    """A stable card id for a template (fsrs would otherwise use the clock, and sleep)."""
    return zlib.crc32(template_id.encode("utf-8"))


def new_card(template_id: str, now: datetime) -> Card:
    return Card(card_id=card_id(template_id), due=now.astimezone(UTC))


def review(
    template_id: str,
    card_json: str | None,
    rating: Rating,
    *,
    now: datetime,
    scheduler: Scheduler | None = None,
    duration_ms: int | None = None,
) -> Review:
    """Review the template's card (a new one if ``card_json`` is None) at ``now``."""
    scheduler = scheduler if scheduler is not None else make_scheduler()
    now = now.astimezone(UTC)
    card = _readable_card(card_json) if card_json else None
    card = card if card is not None else new_card(template_id, now)
    card, _log = scheduler.review_card(
        card, rating, review_datetime=now, review_duration=duration_ms
    )
    return Review(template_id=template_id, rating=rating, card_json=card.to_json(), due=card.due)


def _readable_card(card_json: str) -> Card | None:
    """The stored card, or None when the database holds one fsrs cannot read (the
    template's schedule then starts afresh rather than the quiz stopping)."""
    try:
        return Card.from_json(card_json)
    except (KeyError, TypeError, ValueError):
        return None


def retrievability(card_json: str, *, now: datetime, scheduler: Scheduler | None = None) -> float:
    """FSRS's estimate that the learner would still get this template right at ``now``."""
    scheduler = scheduler if scheduler is not None else make_scheduler()
    return float(scheduler.get_card_retrievability(Card.from_json(card_json), now.astimezone(UTC)))
