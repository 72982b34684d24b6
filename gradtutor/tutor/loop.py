"""The quiz loop, UI-free: choose → generate → judge → store → review, one question at a time.

:class:`QuizLoop` drives a run of questions and yields what happens as events (those of
:mod:`gradtutor.tutor.session` and the few below) for a shell to render. Everything it
touches from outside comes in: the store, the clock (``clock`` for stored dates, ``ticks``
for answer times in ms), the answer checker, and ``read`` (the learner's next line, given
the label of the part asked for; it may raise ``EOFError`` or ``KeyboardInterrupt``).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from gradtutor.tutor import adaptive, session
from gradtutor.tutor.adaptive import template_infos, topic_infos
from gradtutor.tutor.session import (
    AnswerVerdict,
    Judged,
    Outcome,
    QuestionResult,
    QuestionState,
    StopReason,
    Unjudged,
)

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.tutor.aimed import Aim
    from gradtutor.tutor.answers import Checked, Twins
    from gradtutor.tutor.models import Exercise, Part, Template
    from gradtutor.tutor.numeric_twins import NumericTwin
    from gradtutor.tutor.packs import Catalogue
    from gradtutor.tutor.store import AttemptRow, AttemptStart, CardRow

MAX_TRIES = 3
RETRY_SEEDS = 20  # a retry tries up to this many seeds for numbers unlike the missed ones


class Checker(Protocol):
    """Judges one answer to one part (see :class:`gradtutor.tutor.answers.AnswerChecker`)."""

    def __call__(self, part: Part, answer: str, *, twins: Twins = ()) -> Checked: ...


class QuizStore(Protocol):
    """What the loop needs of the progress store (:class:`gradtutor.tutor.store.Store`)."""

    def attempts(self, *, finished_only: bool = False) -> list[AttemptRow]: ...
    def due_cards(self, now: datetime) -> list[CardRow]: ...
    def card(self, template_id: str) -> CardRow | None: ...
    def start_session(self, *, mode: str, seed: int | None, now: datetime) -> int: ...
    def end_session(self, session_id: int, *, now: datetime) -> None: ...
    def begin_attempt(
        self, session_id: int | None, start: AttemptStart, *, now: datetime
    ) -> int: ...
    def record_hint(self, attempt_id: int, *, hints_used: int) -> None: ...
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
    ) -> None: ...
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
    ) -> None: ...
    def discard_attempt(self, attempt_id: int) -> None: ...


# -- events (beside session's Judged, Unjudged, HintGiven, Revealed) ------------------------


@dataclass(frozen=True)
class Asked:
    """A question put to the learner. ``total`` is None for reviews (as many as are due)."""

    number: int
    total: int | None
    exercise: Exercise
    reason: str  # the choice's reason; "retry-same" when a retry has no other numbers
    topic_title: str
    answer_note: str


@dataclass(frozen=True)
class Broken:
    """An exercise that could not be generated; it is skipped for the rest of the run."""

    message: str


@dataclass(frozen=True)
class HelpWanted:
    """``help``, ``?`` or an empty line."""


@dataclass(frozen=True)
class PartsMiscounted:
    """A one-line answer with a number of pieces that fits neither the parts nor the open ones."""

    parts: int


@dataclass(frozen=True)
class Piece:
    """One piece of a one-line answer, about to be judged against part ``label``."""

    label: str
    text: str


@dataclass(frozen=True)
class LineMarks:
    """How each piece of a one-line answer went, and the parts still waiting."""

    marks: tuple[tuple[str, str], ...]
    waiting: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """A line to show after a verdict (a chain question judged on the learner's own split)."""

    text: str


@dataclass(frozen=True)
class Finished:
    """A question finished, reviewed and stored."""

    result: QuestionResult


@dataclass(frozen=True)
class Stopped:
    """The run of questions ended (the last event)."""

    reason: StopReason


LoopEvent = (
    Asked
    | Broken
    | HelpWanted
    | PartsMiscounted
    | Piece
    | LineMarks
    | Note
    | Finished
    | Stopped
    | session.Event
)


@dataclass(frozen=True)
class QuizOptions:
    """What the learner asked for: a topic, a seed (repeatable questions), reviews only."""

    topic: str | None = None
    seed: int | None = None
    review: bool = False
    allowed: frozenset[str] | None = None  # template ids (a --pack's); None for all
    aim: Aim | None = None  # --misconception


def _answer_checker() -> Checker:
    from gradtutor.tutor.answers import AnswerChecker

    return AnswerChecker()


def _now() -> datetime:
    return datetime.now(UTC)


def _ticks() -> int:
    return int(time.monotonic() * 1000)


@dataclass
class _Open:
    """The question open now: its attempt, state, template, and what is computed lazily."""

    attempt_id: int
    state: QuestionState
    template: Template
    twins: tuple[tuple[NumericTwin, ...], ...] | None = None
    numbers: tuple[tuple[str, ...], ...] | None = None


@dataclass
class QuizLoop:
    """One quiz run over ``catalogue``, stored in ``store``."""

    catalogue: Catalogue
    store: QuizStore
    options: QuizOptions = field(default_factory=QuizOptions)
    checker: Checker = field(default_factory=lambda: _answer_checker())
    clock: Callable[[], datetime] = _now
    ticks: Callable[[], int] = _ticks
    max_tries: int = MAX_TRIES
    results: list[QuestionResult] = field(default_factory=list, init=False)
    asked: list[str] = field(default_factory=list, init=False)
    broken: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        from gradtutor.tutor.aimed import MISCONCEPTION_TOPIC
        from gradtutor.tutor.progress import outcomes_of

        opts = self.options
        aim = opts.aim
        self.rng = random.Random(opts.seed)
        self.titles = {t.id: t.title for t in self.catalogue.topics}
        self.topics = topic_infos(self.catalogue)
        # the topic the staircase and interleaving run on: the one asked for, a pseudo-topic
        # for --misconception (its questions span topics), else each template's own
        self.selection_topic = MISCONCEPTION_TOPIC if aim is not None else opts.topic
        self.templates = template_infos(
            [
                t
                for t in self.catalogue.templates
                if (opts.allowed is None or t.id in opts.allowed)
                and (opts.topic is None or opts.topic in t.topics)
                and (aim is None or t.id in aim.template_ids)
            ],
            topic=self.selection_topic,
        )
        # --seed repeats the same questions whatever is stored: choices then depend only on
        # this quiz's own answers (and the seed), never on earlier sessions.
        self.history: list[adaptive.Outcome] = (
            [] if opts.seed is not None else outcomes_of(self.store.attempts(finished_only=True))
        )
        self.due: list[str] | None = None
        if opts.review:
            self.due = [c.template_id for c in self.store.due_cards(self.clock())]
        self.mode = "review" if opts.review else ("topic" if opts.topic else "adaptive")
        if aim is not None:
            self.mode = "misconception"
        self.session_id: int | None = None
        self.last: Exercise | None = None  # the exercise asked last
        self.open: _Open | None = None

    # ---- the run ----
    def questions(self, count: int, read: Callable[[str], str]) -> Iterator[LoopEvent]:
        """Ask up to ``count`` questions; ends with :class:`Stopped` unless ``read`` raises."""
        if self.session_id is None:
            self.session_id = self.store.start_session(
                mode=self.mode, seed=self.options.seed, now=self.clock()
            )
        number = 0
        while number < count:
            choice = adaptive.choose_next(
                topics=self.topics,
                templates=self.templates,
                history=self.history,
                rng=self.rng,
                topic=self.selection_topic,
                due=self.due,
                asked=self.asked,
            )
            if choice is None:
                yield Stopped(StopReason.NOTHING_DUE if self.due is not None else StopReason.DONE)
                return
            missed = self.last if choice.reason == "retry" else None
            exercise = yield from self._generate(choice.template_id, number, unlike=missed)
            if exercise is None:
                continue
            topic = self.options.topic
            if topic is not None and exercise.topic != topic:
                # a template in several topics counts for the topic practised
                exercise = dataclasses.replace(exercise, topic=topic)
            reason = choice.reason
            if missed is not None and exercise.prompt == missed.prompt:
                reason = "retry-same"  # the template has no other numbers
            number += 1
            self.asked.append(choice.template_id)
            self.last = exercise
            quit_ = yield from self._question(exercise, number, count, reason, read)
            if quit_:
                yield Stopped(StopReason.QUIT)
                return
        yield Stopped(StopReason.DONE)

    def close(self) -> QuestionResult | None:
        """End the run: keep whatever was done on a question left open (its result), and
        close the session."""
        result = self._close_open_question()
        if self.session_id is not None:
            self.store.end_session(self.session_id, now=self.clock())
        return result

    def _generate(
        self, template_id: str, number: int, *, unlike: Exercise | None = None
    ) -> Generator[LoopEvent, None, Exercise | None]:
        """The exercise for question ``number`` + 1 (the generator's return value; None when
        it is broken). For a retry of ``unlike`` (the missed exercise), the following seeds
        are tried in turn until the question differs."""
        from gradtutor.tutor.packs import PackError, generate

        seed = self.options.seed
        seed = seed + number if seed is not None else self.rng.randrange(1, 2**31)
        try:
            template = self.catalogue.template(template_id)
            exercise = generate(template, seed)
        except (PackError, KeyError) as exc:
            yield Broken(str(exc))
            self.broken += 1
            self.templates = [t for t in self.templates if t.id != template_id]
            if self.due is not None and template_id in self.due:
                self.due.remove(template_id)
            return None
        if unlike is None or unlike.template_id != template_id:
            return exercise
        for later in range(seed, seed + RETRY_SEEDS):
            try:
                candidate = exercise if later == seed else generate(template, later)
            except PackError:
                continue
            if candidate.prompt != unlike.prompt:
                return candidate
        return exercise  # no other numbers: the same question, and its banner says so

    # ---- one question ----
    def _question(
        self, exercise: Exercise, number: int, count: int, reason: str, read: Callable[[str], str]
    ) -> Generator[LoopEvent, None, bool]:
        """Ask ``exercise`` until it is done; returns True when the learner quit."""
        from gradtutor.tutor.answers import answer_note
        from gradtutor.tutor.store import AttemptStart

        yield Asked(
            number=number,
            total=count if self.due is None else None,
            exercise=exercise,
            reason=reason,
            topic_title=self.titles.get(exercise.topic, exercise.topic),
            answer_note=answer_note(exercise.parts),
        )
        template = self.catalogue.template(exercise.template_id)
        attempt_id = self.store.begin_attempt(
            self.session_id,
            AttemptStart(
                template_id=exercise.template_id,
                topic=exercise.topic,
                kind=exercise.kind,
                difficulty=exercise.difficulty,
                pack=template.pack,
                pack_version=template.pack_version,
                content_hash=template.content_hash,
                seed=exercise.seed,
                values=dict(exercise.values),
                prompt=exercise.prompt,
                expected=tuple(p.expected for p in exercise.parts),
            ),
            now=self.clock(),
        )
        state = session.ask(exercise, now_ms=self.ticks(), max_tries=self.max_tries)
        self.open = question = _Open(attempt_id, state, template)
        while not question.state.done:
            text = read(question.state.part.label)
            command = session.command_of(text)
            if command == "quit":
                return True
            yield from self._act(question, text, command)
        yield self._finish(question)
        return False

    def _act(self, question: _Open, text: str, command: str | None) -> Iterator[LoopEvent]:
        state = question.state
        if command == "help" or (command is None and not text.strip()):
            yield HelpWanted()
            return
        if command == "hint":
            question.state, given = session.hint(state)
            if given.text is not None:
                self.store.record_hint(question.attempt_id, hints_used=question.state.hints_used)
            yield given
            return
        if command in ("steps", "skip"):
            move = session.show_steps if command == "steps" else session.skip
            question.state, revealed = move(state, now_ms=self.ticks())
            yield revealed
            return
        parts = state.exercise.parts
        pieces = session.components(text) if len(parts) > 1 else None
        if pieces is None:
            yield from self._answer(question, text)
            return
        answers = session.spread(state, pieces)
        if answers is None:
            yield PartsMiscounted(len(parts))
            return
        yield from self._answer_all(question, answers)

    def _answer_all(self, question: _Open, answers: list[tuple[int, str]]) -> Iterator[LoopEvent]:
        """A one-line answer to several parts (``(7, 5)``): one attempt, every piece checked
        against its part. The right parts are done; the question asks again for the rest."""
        line = question.state.next_line
        marks: list[tuple[str, str]] = []
        for index, text in answers:
            state = question.state
            if state.done or index not in state.open_parts:
                break
            label = state.exercise.parts[index].label
            yield Piece(label, text)
            event = yield from self._answer(question, text, part_index=index, line=line)
            marks.append((label, mark(event)))
        if len(marks) > 1:
            state = question.state
            waiting = tuple(state.exercise.parts[i].label for i in state.open_parts)
            yield LineMarks(tuple(marks), waiting)

    def _answer(
        self,
        question: _Open,
        text: str,
        *,
        part_index: int | None = None,
        line: int | None = None,
    ) -> Generator[LoopEvent, None, Judged | Unjudged]:
        """One answer to a part (by default the one asked for now): judged, stored, and its
        verdict yielded (and returned)."""
        from gradtutor.tutor.decomposition import judge_chain_part

        state = question.state
        index = state.part_index if part_index is None else part_index
        part = state.exercise.parts[index]
        accepted = {a.part_index: a.text for a in state.answers if a.verdict in session.RIGHT}
        own = judge_chain_part(state.exercise, index, text, accepted)  # the learner's own split
        result: Checked
        if own is not None:
            result = own.result
        else:
            result = self.checker(part, text, twins=lambda: self.twins_of(index))
        question.state, event = session.judge(
            state, text, result, now_ms=self.ticks(), part_index=index, line=line
        )
        answer = event.answer
        self.store.record_answer(
            question.attempt_id,
            part=answer.part,
            answer=answer.text,
            verdict=answer.verdict,
            misconception=answer.misconception,
            tries=question.state.tries,
            now=self.clock(),
            elapsed_ms=answer.elapsed_ms,
        )
        yield event
        if isinstance(event, Judged) and event.correct and own is not None and own.note:
            yield Note(own.note)
        return event

    def _finish(self, question: _Open) -> Finished:
        """Review the finished question (FSRS), store it, and add it to the history."""
        from gradtutor.tutor import schedule
        from gradtutor.tutor.store import CardRow

        result = session.result_of(question.state)
        now = self.clock()
        rating = schedule.rating_for(
            outcome=result.outcome,
            tries=result.tries,
            hints_used=result.hints_used,
            elapsed_ms=result.elapsed_ms,
            parts=len(result.expected),
        )
        old = self.store.card(result.template_id)
        reviewed = schedule.review(
            result.template_id,
            old.card_json if old else None,
            rating,
            now=now,
            duration_ms=result.elapsed_ms,
        )
        self.store.finish_attempt(
            question.attempt_id,
            outcome=result.outcome,
            tries=result.tries,
            hints_used=result.hints_used,
            elapsed_ms=result.elapsed_ms,
            now=now,
            rating=int(rating),
            card=CardRow(reviewed.template_id, reviewed.card_json, reviewed.due),
        )
        self.open = None
        self.results.append(result)
        topic = self.selection_topic or result.topic
        self.history.append(
            adaptive.Outcome(result.template_id, topic, result.outcome, result.clean)
        )
        return Finished(result)

    def _close_open_question(self) -> QuestionResult | None:
        question, self.open = self.open, None
        if question is None:
            return None
        if not question.state.touched:
            self.store.discard_attempt(question.attempt_id)
            return None
        state = session.abandon(question.state, now_ms=self.ticks())
        result = session.result_of(state)
        self.store.finish_attempt(
            question.attempt_id,
            outcome=Outcome.INCOMPLETE,
            tries=result.tries,
            hints_used=result.hints_used,
            elapsed_ms=result.elapsed_ms,
            now=self.clock(),
        )
        self.results.append(result)
        return result

    # ---- what the shell shows with a solution ----
    def twins_of(self, index: int) -> tuple[NumericTwin, ...]:
        """The numeric twins of part ``index`` of the open question (computed at the first
        wrong answer: up to ~0.5 s of sympy)."""
        question = self.open
        if question is None:
            return ()
        if question.twins is None:
            question.twins = _twins(question.template, question.state.exercise)
        return question.twins[index] if index < len(question.twins) else ()

    def numbers_of(self, part: Part) -> tuple[str, ...]:
        """The substitution lines that end the worked solution of ``part`` of the open
        question."""
        from gradtutor.tutor.packs import rendered_fields
        from gradtutor.tutor.worked_numbers import numbers_for

        question = self.open
        if question is None:
            return ()
        exercise = question.state.exercise
        if question.numbers is None:  # (the exercise was generated from these same fields)
            fields = rendered_fields(question.template, exercise.values)
            question.numbers = numbers_for(exercise.kind, fields)
        index = next((i for i, p in enumerate(exercise.parts) if p is part), None)
        if index is None or index >= len(question.numbers):
            return ()
        return question.numbers[index]


def mark(event: Judged | Unjudged) -> str:
    """How one piece of a one-line answer went: ``right``, ``wrong`` (tries left),
    ``missed`` (out of tries, solution shown), ``close`` (a decimal with too few figures)
    or ``unread`` (not a try)."""
    if isinstance(event, Unjudged):
        return "close" if event.answer.verdict == AnswerVerdict.CLOSE else "unread"
    if event.correct:
        return "right"
    return "missed" if event.revealed is not None else "wrong"


def _twins(template: Template, exercise: Exercise) -> tuple[tuple[NumericTwin, ...], ...]:
    """The numeric twins of each part of ``exercise`` (none for symbolic kinds)."""
    from gradtutor.tutor.numeric_twins import BUILT_FOR, twins_for
    from gradtutor.tutor.packs import rendered_fields

    if exercise.kind not in BUILT_FOR:
        return ()
    # the exercise was generated from these same fields; twins_for gives () for maths it
    # cannot take apart
    return twins_for(exercise.kind, rendered_fields(template, exercise.values))
