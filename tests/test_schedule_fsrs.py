"""FSRS scheduling: ratings come from the attempt; intervals at fixed clocks, no fuzzing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating, State

from gradtutor.tutor.schedule import card_id, make_scheduler, rating_for, retrievability, review

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("outcome", "tries", "hints", "elapsed_ms", "parts", "rating"),
    [
        ("wrong", 3, 0, 5_000, 1, Rating.Again),
        ("shown", 0, 0, 5_000, 1, Rating.Again),
        ("skipped", 0, 0, 1_000, 1, Rating.Again),
        ("correct", 2, 0, 5_000, 1, Rating.Hard),  # right on a retry
        ("correct", 1, 1, 5_000, 1, Rating.Hard),  # right after a hint
        ("correct", 1, 0, 45_000, 1, Rating.Good),  # right first try, slow
        ("correct", 1, 0, 20_000, 1, Rating.Easy),  # right first try, fast (boundary)
        ("correct", 1, 0, 20_001, 1, Rating.Good),
        ("correct", 2, 0, 30_000, 2, Rating.Easy),  # two parts, each first try, 15 s a part
        ("correct", 3, 0, 30_000, 2, Rating.Hard),  # a retry on one of the parts
    ],
)
def test_rating_comes_from_the_attempt(
    outcome: str, tries: int, hints: int, elapsed_ms: int, parts: int, rating: Rating
) -> None:
    assert (
        rating_for(
            outcome=outcome, tries=tries, hints_used=hints, elapsed_ms=elapsed_ms, parts=parts
        )
        == rating
    )


@pytest.mark.parametrize(
    ("rating", "interval"),
    [
        (Rating.Again, timedelta(minutes=1)),
        (Rating.Hard, timedelta(minutes=5, seconds=30)),
        (Rating.Good, timedelta(minutes=10)),
        (Rating.Easy, timedelta(days=8)),
    ],
)
def test_a_new_card_is_scheduled_by_its_first_rating(rating: Rating, interval: timedelta) -> None:
    reviewed = review("power.basic-1", None, rating, now=T0, scheduler=make_scheduler(fuzz=False))
    assert reviewed.due == T0 + interval
    assert reviewed.rating is rating
    card = json.loads(reviewed.card_json)
    assert card["card_id"] == card_id("power.basic-1")
    assert card["last_review"] == "2026-03-01T09:00:00+00:00"


def test_good_reviews_stretch_the_interval_and_a_lapse_shrinks_it() -> None:
    scheduler = make_scheduler(fuzz=False)
    card_json, now, intervals = None, T0, []
    for rating in (Rating.Good, Rating.Good, Rating.Good, Rating.Again, Rating.Good):
        reviewed = review("chain.basic-1", card_json, rating, now=now, scheduler=scheduler)
        intervals.append(reviewed.due - now)
        card_json, now = reviewed.card_json, reviewed.due
    assert intervals == [
        timedelta(minutes=10),
        timedelta(days=2),
        timedelta(days=11),
        timedelta(minutes=10),  # relearning step
        timedelta(days=2),
    ]
    assert json.loads(card_json)["state"] == State.Review


def test_the_card_id_is_stable_per_template() -> None:
    assert card_id("power.basic-1") == card_id("power.basic-1") == 562058757
    assert card_id("power.basic-2") != card_id("power.basic-1")


def test_retrievability_falls_with_time() -> None:
    reviewed = review("x", None, Rating.Easy, now=T0, scheduler=make_scheduler(fuzz=False))
    soon = retrievability(reviewed.card_json, now=T0 + timedelta(days=1))
    later = retrievability(reviewed.card_json, now=T0 + timedelta(days=30))
    assert 0.9 < soon < 1.0
    assert later < soon


@pytest.mark.parametrize("stored", ["{}", '{"due": 1}', '{"card_id": 1}'])
def test_a_stored_card_fsrs_cannot_read_starts_afresh(stored: str) -> None:
    """A malformed card row in the database: the quiz goes on, the schedule starts over."""
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    scheduler = make_scheduler(fuzz=False)
    fresh = review("power.basic-1", None, Rating.Good, now=now, scheduler=scheduler)
    assert review("power.basic-1", stored, Rating.Good, now=now, scheduler=scheduler) == fresh
