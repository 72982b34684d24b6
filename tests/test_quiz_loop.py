"""The UI-free quiz loop (tutor/loop.py) with a fake store, clock, ticks and checker:
exact events and exact store calls, no console and no database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gradtutor.tutor.loop import (
    Asked,
    Broken,
    Finished,
    HelpWanted,
    LineMarks,
    PartsMiscounted,
    Piece,
    QuizLoop,
    QuizOptions,
    Stopped,
)
from gradtutor.tutor.models import Part, Template
from gradtutor.tutor.packs import Catalogue, load_catalogue
from gradtutor.tutor.session import (
    AnswerVerdict,
    HintGiven,
    Judged,
    Outcome,
    Revealed,
    StopReason,
    Unjudged,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FakeResult:
    verdict: AnswerVerdict
    feedback: tuple[Any, ...] = ()


@dataclass
class FakeChecker:
    """Right when the answer is the expected text exactly; ``x^^`` is unreadable."""

    seen: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, part: Part, answer: str, *, twins: Any = ()) -> Any:
        self.seen.append((part.expected, answer))
        if answer == "x^^":
            return FakeResult(AnswerVerdict.INVALID)
        right = answer == part.expected
        return FakeResult(AnswerVerdict.EQUIVALENT if right else AnswerVerdict.NOT_EQUIVALENT)


@dataclass
class FakeStore:
    """Keeps every call, in order; attempt ids count from 1."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)
    due: list[Any] = field(default_factory=list)

    def attempts(self, *, finished_only: bool = False) -> list[Any]:
        return []

    def due_cards(self, now: datetime) -> list[Any]:
        return self.due

    def card(self, template_id: str) -> None:
        return None

    def start_session(self, *, mode: str, seed: int | None, now: datetime) -> int:
        self.calls.append(("start_session", mode, seed, now))
        return 7

    def end_session(self, session_id: int, *, now: datetime) -> None:
        self.calls.append(("end_session", session_id, now))

    def begin_attempt(self, session_id: int | None, start: Any, *, now: datetime) -> int:
        self.calls.append(("begin_attempt", session_id, start.template_id, start.seed, now))
        return sum(1 for c in self.calls if c[0] == "begin_attempt")

    def record_hint(self, attempt_id: int, *, hints_used: int) -> None:
        self.calls.append(("record_hint", attempt_id, hints_used))

    def record_answer(self, attempt_id: int, **kw: Any) -> None:
        self.calls.append(("record_answer", attempt_id, kw["answer"], kw["verdict"], kw["tries"]))

    def finish_attempt(self, attempt_id: int, **kw: Any) -> None:
        card = kw.get("card")
        self.calls.append(
            ("finish_attempt", attempt_id, kw["outcome"], kw["tries"], kw["hints_used"],
             kw["elapsed_ms"], kw.get("rating"), card.template_id if card else None)
        )  # fmt: skip

    def discard_attempt(self, attempt_id: int) -> None:
        self.calls.append(("discard_attempt", attempt_id))


def _ticker(step: int = 1000) -> Callable[[], int]:
    """Milliseconds that move on by ``step`` at every reading."""
    now = [0]

    def tick() -> int:
        now[0] += step
        return now[0]

    return tick


def _catalogue(*template_ids: str) -> Catalogue:
    shipped = load_catalogue()
    templates = tuple(shipped.template(t) for t in template_ids)
    topics = tuple(shipped.topic(t) for t in {t.topics[0] for t in templates})
    return Catalogue(topics=topics, all_templates=templates)


def _loop(store: FakeStore, checker: FakeChecker, *ids: str, **options: Any) -> QuizLoop:
    return QuizLoop(
        _catalogue(*ids),
        store,
        QuizOptions(**{"seed": 1, **options}),
        checker=checker,
        clock=lambda: T0,
        ticks=_ticker(),
    )


def _reader(lines: list[str]) -> Callable[[str], str]:
    pending: Iterator[str] = iter(lines)

    def read(label: str) -> str:
        try:
            return next(pending)
        except StopIteration:
            raise EOFError from None

    return read


def test_loop_wrong_then_right_yields_each_verdict_then_the_finished_result() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "power.basic-1")
    events = list(loop.questions(1, _reader(["4x^5", "5*x^4"])))

    assert [type(e) for e in events] == [Asked, Judged, Judged, Finished, Stopped]
    asked, wrong, right, finished, stopped = events
    assert isinstance(asked, Asked)
    assert (asked.number, asked.total, asked.reason) == (1, 1, "weakest")
    assert asked.exercise.prompt == "Differentiate f(x) = x^5 with respect to x."
    assert asked.topic_title == "Constant, power and sum rules"
    assert isinstance(wrong, Judged) and (wrong.correct, wrong.tries_left) == (False, 2)
    assert wrong.revealed is None
    assert isinstance(right, Judged) and (right.correct, right.tries_left) == (True, 1)
    assert isinstance(finished, Finished)
    assert finished.result.outcome == Outcome.CORRECT
    assert [a.verdict for a in finished.result.answers] == [
        AnswerVerdict.NOT_EQUIVALENT,
        AnswerVerdict.EQUIVALENT,
    ]
    assert stopped == Stopped(StopReason.DONE)
    assert checker.seen == [("5*x^4", "4x^5"), ("5*x^4", "5*x^4")]
    # ticks: ask at 1000, answers at 2000 and 3000 → 2000 ms on the question
    assert store.calls == [
        ("start_session", "adaptive", 1, T0),
        ("begin_attempt", 7, "power.basic-1", 1, T0),
        ("record_answer", 1, "4x^5", "not_equivalent", 1),
        ("record_answer", 1, "5*x^4", "equivalent", 2),
        # right on the second try: FSRS rating Hard (2)
        ("finish_attempt", 1, "correct", 2, 0, 2000, 2, "power.basic-1"),
    ]
    assert loop.close() is None
    assert store.calls[-1] == ("end_session", 7, T0)


def test_loop_unreadable_answer_is_unjudged_and_not_a_try() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "power.basic-1")
    events = list(loop.questions(1, _reader(["x^^", "5*x^4"])))

    assert [type(e) for e in events] == [Asked, Unjudged, Judged, Finished, Stopped]
    finished = events[3]
    assert isinstance(finished, Finished)
    assert finished.result.tries == 1 and finished.result.clean
    assert ("record_answer", 1, "x^^", "invalid", 0) in store.calls


def test_loop_hint_then_skip_reveals_the_solution_and_stores_a_skipped_question() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "power.basic-1")
    events = list(loop.questions(1, _reader(["hint", "", "skip"])))

    assert [type(e) for e in events] == [Asked, HintGiven, HelpWanted, Revealed, Finished, Stopped]
    assert events[1] == HintGiven("Power rule: d/dx x^n = n*x^(n-1).", 1, 2)
    revealed = events[3]
    assert isinstance(revealed, Revealed) and revealed.reason == "skip"
    assert [p.expected for p in revealed.parts] == ["5*x^4"]
    assert checker.seen == []
    assert ("record_hint", 1, 1) in store.calls
    assert store.calls[-1][:5] == ("finish_attempt", 1, "skipped", 0, 1)


def test_loop_quit_on_a_touched_question_keeps_it_as_incomplete() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "power.basic-1")
    events = list(loop.questions(2, _reader(["x^4", "quit"])))

    assert [type(e) for e in events] == [Asked, Judged, Stopped]
    assert events[-1] == Stopped(StopReason.QUIT)
    closed = loop.close()
    assert closed is not None and closed.outcome == Outcome.INCOMPLETE
    assert [a.text for a in closed.answers] == ["x^4"]
    assert store.calls[-2][:5] == ("finish_attempt", 1, "incomplete", 1, 0)
    assert store.calls[-1] == ("end_session", 7, T0)
    assert loop.results == [closed]


def test_loop_end_of_input_before_any_answer_discards_the_question() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "power.basic-1")
    events: list[Any] = []
    with pytest.raises(EOFError):
        for event in loop.questions(1, _reader([])):
            events.append(event)

    assert [type(e) for e in events] == [Asked]
    assert loop.close() is None
    assert store.calls[-2:] == [("discard_attempt", 1), ("end_session", 7, T0)]
    assert loop.results == []


def test_loop_retry_after_a_miss_asks_the_same_template_with_other_numbers() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "power.basic-1", "power.basic-2", topic="power-rule")
    events = list(loop.questions(2, _reader(["0", "0", "0", "skip"])))

    asked = [e for e in events if isinstance(e, Asked)]
    # seed 1 gives x^5; the retry's seed 2 gives other numbers (x^7)
    assert [(a.exercise.template_id, a.reason, a.exercise.prompt) for a in asked] == [
        ("power.basic-1", "topic", "Differentiate f(x) = x^5 with respect to x."),
        ("power.basic-1", "retry", "Differentiate f(x) = x^7 with respect to x."),
    ]
    missed = [e for e in events if isinstance(e, Judged)][-1]
    assert missed.revealed is not None and missed.tries_left == 0
    assert [e.result.outcome for e in events if isinstance(e, Finished)] == [
        Outcome.WRONG,
        Outcome.SKIPPED,
    ]


def test_loop_broken_template_is_reported_and_not_asked_again() -> None:
    store, checker = FakeStore(), FakeChecker()
    broken = Template(
        id="power.broken-1",
        topics=("power-rule",),
        difficulty=1,
        kind="no-such-kind",
        pack="test",
        pack_version="1",
        content_hash="0",
        hints=(),
    )
    catalogue = Catalogue(topics=(load_catalogue().topic("power-rule"),), all_templates=(broken,))
    loop = QuizLoop(
        catalogue, store, QuizOptions(seed=1), checker=checker, clock=lambda: T0, ticks=_ticker()
    )
    events = list(loop.questions(3, _reader([])))

    assert [type(e) for e in events] == [Broken, Stopped]
    assert isinstance(events[0], Broken) and "power.broken-1" in events[0].message
    assert events[-1] == Stopped(StopReason.DONE)
    assert (loop.broken, loop.asked, loop.templates) == (1, [], [])


def test_loop_review_with_nothing_due_stops_as_nothing_due() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "power.basic-1", review=True)
    events = list(loop.questions(5, _reader([])))

    assert events == [Stopped(StopReason.NOTHING_DUE)]
    assert store.calls == [("start_session", "review", 1, T0)]


def test_loop_clock_is_the_one_injected() -> None:
    store, checker = FakeStore(), FakeChecker()
    later = T0 + timedelta(days=3)
    loop = QuizLoop(
        _catalogue("power.basic-1"),
        store,
        QuizOptions(seed=1),
        checker=checker,
        clock=lambda: later,
        ticks=_ticker(),
    )
    list(loop.questions(1, _reader(["5*x^4"])))
    assert {c[-1] for c in store.calls if c[0] in ("start_session", "begin_attempt")} == {later}


def test_loop_one_line_answer_judges_each_piece_and_asks_again_for_the_wrong_one() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "gradient.linear-1")  # ∂f/∂x = 6, ∂f/∂y = 3
    events = list(loop.questions(1, _reader(["(6, 4)", "3", "6, 3"])))

    assert [type(e) for e in events] == [
        Asked,
        Piece,
        Judged,
        Piece,
        Judged,
        LineMarks,
        Judged,
        Finished,
        Stopped,
    ]
    assert events[1] == Piece("∂f/∂x", "6")
    assert events[3] == Piece("∂f/∂y", "4")
    assert events[5] == LineMarks((("∂f/∂x", "right"), ("∂f/∂y", "wrong")), ("∂f/∂y",))
    finished = events[7]
    assert isinstance(finished, Finished)
    # two lines with judged answers: two attempts; the third line was never read
    assert (finished.result.outcome, finished.result.attempts) == (Outcome.CORRECT, 2)
    assert [(a.part_index, a.text, a.line) for a in finished.result.answers] == [
        (0, "6", 0),
        (1, "4", 0),
        (1, "3", 1),
    ]
    assert [c[2:] for c in store.calls if c[0] == "record_answer"] == [
        ("6", "equivalent", 1),
        ("4", "not_equivalent", 2),
        ("3", "equivalent", 3),
    ]


def test_loop_one_line_answer_with_the_wrong_number_of_pieces_is_not_judged() -> None:
    store, checker = FakeStore(), FakeChecker()
    loop = _loop(store, checker, "gradient.linear-1")
    events = list(loop.questions(1, _reader(["(6, 3, 1)", "skip"])))

    assert [type(e) for e in events] == [Asked, PartsMiscounted, Revealed, Finished, Stopped]
    assert events[1] == PartsMiscounted(2)
    assert checker.seen == []
