"""One quiz question as a UI-free state machine.

A question is asked (:func:`ask`), then moves on each thing the learner does at the
prompt: an answer the engine has judged (:func:`judge`), ``hint``, ``steps``, ``skip``.
Each move returns the new frozen state and an event saying what happened, for the
shell to render and store. Multi-part questions are judged part by part; a part gets
``max_tries`` judged answers, then its solution is shown. A one-line answer to several
parts (``(2xy, x^2)``) gives every open part an answer, all on the same line: each part
is judged on its own, the right ones are done, and the question asks again for the first
part still open. A line with at least one judged answer is one attempt at the question.
Nothing here reads a clock or calls the engine: times and check results come in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from gradtutor.calculus.brackets import bracketed_items, split_top_level
from gradtutor.tutor.models import Exercise, Part

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.tutor.answers import Checked

DEFAULT_MAX_TRIES = 3


class AnswerVerdict(StrEnum):
    """The verdict on one answer: the engine's five, and ``close`` (a decimal with too few
    figures, or within 1%: not a try)."""

    EQUIVALENT = "equivalent"
    NOT_EQUIVALENT = "not_equivalent"
    DOMAIN_DEPENDENT = "domain_dependent"
    UNDETERMINED = "undetermined"
    INVALID = "invalid"
    CLOSE = "close"

    @classmethod
    def of(cls, result: Checked) -> AnswerVerdict:
        """The verdict a check result carries (``invalid`` for one this does not know)."""
        try:
            return cls(result.verdict)
        except ValueError:
            return cls.INVALID


class Outcome(StrEnum):
    """How a question ended (the strings are what the store and ``--json`` hold)."""

    CORRECT = "correct"
    WRONG = "wrong"
    SKIPPED = "skipped"
    SHOWN = "shown"
    INCOMPLETE = "incomplete"


class PartResult(StrEnum):
    """How one part of a question ended."""

    CORRECT = "correct"
    MISSED = "missed"


class StopReason(StrEnum):
    """Why a quiz ended."""

    DONE = "done"
    QUIT = "quit"
    INTERRUPT = "interrupt"
    END_OF_INPUT = "end-of-input"
    NOTHING_DUE = "nothing-due"


# Engine verdicts that count as a right answer, and those that count as a wrong try.
RIGHT = frozenset({AnswerVerdict.EQUIVALENT})
WRONG = frozenset({AnswerVerdict.NOT_EQUIVALENT, AnswerVerdict.DOMAIN_DEPENDENT})

COMMANDS = {
    "hint": "hint",
    "steps": "steps",
    "solution": "steps",
    "skip": "skip",
    "quit": "quit",
    "exit": "quit",
    "help": "help",
    "?": "help",
}


def command_of(text: str) -> str | None:
    """The prompt command typed (``hint``, ``steps``, ``skip``, ``quit``, ``help``), if any."""
    return COMMANDS.get(text.strip().lower())


def components(text: str) -> list[str] | None:
    """The parts of a one-line answer to a multi-part question: ``(7, 5)``, ``[7, 5]`` or
    ``7, 5`` → ``["7", "5"]``. None when there is no comma outside brackets (``max(0, x)``
    is one answer). LaTeX is read first (``\\left(2x, 3y\\right)`` → ``["2x", "3y"]``; a
    thin space ``\\,`` is no comma), so the pieces are in plain syntax."""
    stripped = _plain(text).strip()
    inner = bracketed_items(stripped)
    if inner is not None:
        return inner
    pieces = [piece.strip() for piece in split_top_level(stripped)]
    return pieces if len(pieces) > 1 else None


def _plain(text: str) -> str:
    """``text`` with its LaTeX translated to plain syntax (as the parser would read it);
    unreadable LaTeX is left as typed, for the engine to report as one answer."""
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.latex import latex_to_plain, looks_like_latex

    if not looks_like_latex(text):
        return text

    try:
        return latex_to_plain(text)
    except ParseError:
        return text


def spread(state: QuestionState, pieces: Sequence[str]) -> list[tuple[int, str]] | None:
    """``(part index, answer)`` for every part still open, from the pieces of a one-line
    answer: as many pieces as the question has parts (those of parts already done are passed
    over), or one per open part, in order. None when the count fits neither."""
    open_parts = state.open_parts
    if len(pieces) == len(state.exercise.parts):
        return [(i, pieces[i]) for i in open_parts]
    if len(pieces) == len(open_parts):
        return list(zip(open_parts, pieces, strict=True))
    return None


@dataclass(frozen=True)
class Answer:
    """One answer typed at the prompt and the engine's verdict on it."""

    part: str
    text: str
    verdict: AnswerVerdict
    part_index: int
    misconception: str | None
    elapsed_ms: int
    line: int = 0  # the line typed at the prompt (a one-line answer: one line, several parts)

    @property
    def judged(self) -> bool:
        return self.verdict in RIGHT or self.verdict in WRONG


@dataclass(frozen=True)
class QuestionState:
    """Where one question stands."""

    exercise: Exercise
    started_ms: int
    max_tries: int = DEFAULT_MAX_TRIES
    answers: tuple[Answer, ...] = ()
    # per part: its result once finished, None while open (parts of a one-line answer can
    # finish in any order)
    part_results: tuple[PartResult | None, ...] = ()
    hints_used: int = 0
    outcome: Outcome | None = None
    finished_ms: int | None = None

    @property
    def done(self) -> bool:
        return self.outcome is not None

    @property
    def open_parts(self) -> tuple[int, ...]:
        """The indexes of the parts not yet finished, in order."""
        results = self.part_results
        return tuple(
            i for i in range(len(self.exercise.parts)) if i >= len(results) or results[i] is None
        )

    @property
    def part_index(self) -> int:
        """The part asked for now: the first one still open (the last part once done)."""
        open_parts = self.open_parts
        return open_parts[0] if open_parts else len(self.exercise.parts) - 1

    @property
    def part(self) -> Part:
        return self.exercise.parts[self.part_index]

    def tries_at(self, index: int) -> int:
        """Judged answers to part ``index`` so far."""
        return sum(1 for a in self.answers if a.part_index == index and a.judged)

    @property
    def part_tries(self) -> int:
        """Judged answers to the part asked for now."""
        return self.tries_at(self.part_index)

    @property
    def tries(self) -> int:
        """Judged answers so far, over all parts (invalid or undecided input is not a try)."""
        return sum(1 for answer in self.answers if answer.judged)

    @property
    def attempts(self) -> int:
        """Lines typed with at least one judged answer: a one-line answer to several parts
        is one attempt at the question."""
        return _attempts(self.answers)

    @property
    def next_line(self) -> int:
        """The line number of the next thing typed at the prompt."""
        return max((a.line for a in self.answers), default=-1) + 1

    @property
    def touched(self) -> bool:
        return bool(self.answers) or self.hints_used > 0

    def elapsed_ms(self, now_ms: int) -> int:
        end = self.finished_ms if self.finished_ms is not None else now_ms
        return max(0, end - self.started_ms)


# -- events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    """An answer the engine decided on. ``revealed`` is set when the part ran out of tries."""

    part: Part
    answer: Answer
    result: Checked
    correct: bool
    tries_left: int
    revealed: Part | None = None


@dataclass(frozen=True)
class Unjudged:
    """Input the engine could not judge (unreadable, or undecided in time): not a try."""

    part: Part
    answer: Answer
    result: Checked


@dataclass(frozen=True)
class HintGiven:
    text: str | None  # None when there are no more hints
    number: int
    total: int


@dataclass(frozen=True)
class Revealed:
    """Solutions shown for the remaining parts (``steps`` asked, or the question skipped)."""

    parts: tuple[Part, ...]
    reason: str  # "steps" | "skip"


Event = Judged | Unjudged | HintGiven | Revealed


# -- transitions ---------------------------------------------------------------------------


def ask(exercise: Exercise, *, now_ms: int, max_tries: int = DEFAULT_MAX_TRIES) -> QuestionState:
    if not exercise.parts:
        raise ValueError(f"exercise {exercise.template_id!r} has no parts to answer")
    return QuestionState(
        exercise=exercise,
        started_ms=now_ms,
        max_tries=max(1, max_tries),
        part_results=(None,) * len(exercise.parts),
    )


def judge(
    state: QuestionState,
    text: str,
    result: Checked,
    *,
    now_ms: int,
    part_index: int | None = None,
    line: int | None = None,
) -> tuple[QuestionState, Judged | Unjudged]:
    """Take the engine's ``result`` for ``text`` given to part ``part_index`` (by default
    the part asked for now). ``line``: the line it was typed on, to judge the pieces of a
    one-line answer as one attempt (by default a line of its own)."""
    _require_open(state)
    index = state.part_index if part_index is None else part_index
    if index not in state.open_parts:
        raise ValueError(f"part {index} of this question is not open")
    part = state.exercise.parts[index]
    verdict = AnswerVerdict.of(result)
    answer = Answer(
        part=part.label,
        text=text,
        verdict=verdict,
        part_index=index,
        misconception=misconception_of(result),
        elapsed_ms=state.elapsed_ms(now_ms),
        line=state.next_line if line is None else line,
    )
    state = replace(state, answers=(*state.answers, answer))
    if not answer.judged:
        return state, Unjudged(part=part, answer=answer, result=result)
    correct = verdict in RIGHT
    tries = state.tries_at(index)
    if correct or tries >= state.max_tries:
        state = _finish_part(
            state, index, PartResult.CORRECT if correct else PartResult.MISSED, now_ms
        )
        return state, Judged(
            part=part,
            answer=answer,
            result=result,
            correct=correct,
            tries_left=state.max_tries - tries,
            revealed=None if correct else part,
        )
    return state, Judged(
        part=part, answer=answer, result=result, correct=False, tries_left=state.max_tries - tries
    )


def hint(state: QuestionState) -> tuple[QuestionState, HintGiven]:
    """The next hint, if any is left (asking past the last one costs nothing)."""
    _require_open(state)
    hints = state.exercise.hints
    if state.hints_used >= len(hints):
        return state, HintGiven(text=None, number=state.hints_used, total=len(hints))
    state = replace(state, hints_used=state.hints_used + 1)
    return state, HintGiven(
        text=hints[state.hints_used - 1], number=state.hints_used, total=len(hints)
    )


def show_steps(state: QuestionState, *, now_ms: int) -> tuple[QuestionState, Revealed]:
    """The worked solution of every part not yet answered; the question counts as shown."""
    _require_open(state)
    remaining = tuple(state.exercise.parts[i] for i in state.open_parts)
    state = replace(state, outcome=Outcome.SHOWN, finished_ms=now_ms)
    return state, Revealed(parts=remaining, reason="steps")


def skip(state: QuestionState, *, now_ms: int) -> tuple[QuestionState, Revealed]:
    _require_open(state)
    remaining = tuple(state.exercise.parts[i] for i in state.open_parts)
    state = replace(state, outcome=Outcome.SKIPPED, finished_ms=now_ms)
    return state, Revealed(parts=remaining, reason="skip")


def abandon(state: QuestionState, *, now_ms: int) -> QuestionState:
    """The quiz ended (quit, Ctrl-C, end of input) with this question open."""
    if state.done:
        return state
    return replace(state, outcome=Outcome.INCOMPLETE, finished_ms=now_ms)


def _finish_part(
    state: QuestionState, index: int, result: PartResult, now_ms: int
) -> QuestionState:
    results: list[PartResult | None] = list(state.part_results) + [None] * (
        len(state.exercise.parts) - len(state.part_results)
    )
    results[index] = result
    state = replace(state, part_results=tuple(results))
    if state.open_parts:
        return state
    right = all(r == PartResult.CORRECT for r in results)
    outcome = Outcome.CORRECT if right else Outcome.WRONG
    return replace(state, outcome=outcome, finished_ms=now_ms)


def _attempts(answers: Sequence[Answer]) -> int:
    return len({a.line for a in answers if a.judged})


def _require_open(state: QuestionState) -> None:
    if state.done:
        raise ValueError("this question is already finished")


def misconception_of(result: Checked) -> str | None:
    """The id of the misconception the engine named for this result, if it named one."""
    for item in result.feedback:
        if item.kind == "misconception" and item.id:
            return item.id
    return None


# -- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """A finished question, as written to ``quiz --json`` (one object per line)."""

    template_id: str
    topic: str
    seed: int
    difficulty: int
    prompt: str
    labels: tuple[str, ...]
    expected: tuple[str, ...]
    answers: tuple[Answer, ...]
    outcome: Outcome
    part_results: tuple[PartResult | None, ...]
    hints_used: int
    elapsed_ms: int

    @property
    def tries(self) -> int:
        """Judged answers, over all parts (what a review is rated on, and what is stored)."""
        return sum(1 for answer in self.answers if answer.judged)

    @property
    def attempts(self) -> int:
        """Lines typed with at least one judged answer (``--json`` ``attempts``): a one-line
        answer to several parts is one attempt, with one answer per part."""
        return _attempts(self.answers)

    @property
    def misconceptions(self) -> tuple[str, ...]:
        return tuple(a.misconception for a in self.answers if a.misconception)

    @property
    def wrong_tries(self) -> int:
        """Judged answers that were wrong."""
        return sum(1 for a in self.answers if a.verdict in WRONG)

    @property
    def how(self) -> str:
        """How the question went, in a few words: ``right first time``, ``right on try 3 ·
        2 hints``, ``missed after 3 tries``, ``skipped``, ``unfinished · 1 try``."""
        hints = _counted(self.hints_used, "hint", "hints")
        tries = self.attempts
        if self.outcome == Outcome.CORRECT:
            if self.clean:  # every part right at its first judged answer, no hint
                return "right first time"
            head = "right first try" if tries <= 1 else f"right on try {tries}"
        else:
            head = {
                Outcome.WRONG: f"missed after {_counted(tries, 'try', 'tries')}",
                Outcome.SHOWN: "solution shown",
                Outcome.SKIPPED: "skipped",
            }.get(self.outcome, "unfinished")
            if self.outcome != Outcome.WRONG and tries:
                head += f" · {_counted(tries, 'try', 'tries')}"
        return f"{head} · {hints}" if hints else head

    @property
    def clean(self) -> bool:
        """Right first time on every part, without a hint."""
        return (
            self.outcome == Outcome.CORRECT
            and self.tries == len(self.expected)
            and not self.hints_used
        )

    def to_json(self) -> dict[str, Any]:
        single = len(self.expected) == 1
        return {
            "id": self.template_id,
            "topic": self.topic,
            "prompt": self.prompt,
            "expected": self.expected[0] if single else list(self.expected),
            "answers": [a.text for a in self.answers],
            "verdict": self.outcome,
            "misconception": self.misconceptions[0] if self.misconceptions else None,
            "attempts": self.attempts,
            "hints_used": self.hints_used,
            "elapsed_ms": self.elapsed_ms,
            "seed": self.seed,
            "difficulty": self.difficulty,
            "misconceptions": list(self.misconceptions),
            "how": self.how,
            "parts": [
                {
                    "label": label,
                    "expected": expected,
                    "verdict": self.part_results[i] if i < len(self.part_results) else None,
                    "answers": [
                        {"answer": a.text, "verdict": a.verdict, "misconception": a.misconception}
                        for a in self.answers
                        if a.part_index == i
                    ],
                }
                for i, (label, expected) in enumerate(zip(self.labels, self.expected, strict=True))
            ],
        }


def _counted(n: int, one: str, many: str) -> str:
    return "" if n == 0 else f"{n} {one if n == 1 else many}"


def result_of(state: QuestionState) -> QuestionResult:
    if not state.done:
        raise ValueError("the question is not finished")
    exercise = state.exercise
    return QuestionResult(
        template_id=exercise.template_id,
        topic=exercise.topic,
        seed=exercise.seed,
        difficulty=exercise.difficulty,
        prompt=exercise.prompt,
        labels=tuple(p.label for p in exercise.parts),
        expected=tuple(p.expected for p in exercise.parts),
        answers=state.answers,
        outcome=state.outcome or Outcome.INCOMPLETE,
        part_results=state.part_results,
        hints_used=state.hints_used,
        elapsed_ms=state.elapsed_ms(state.finished_ms or state.started_ms),
    )


@dataclass(frozen=True)
class NextStep:
    """What to do after the quiz: a sentence and the command that does it."""

    text: str
    command: str


@dataclass(frozen=True)
class QuizSummary:
    """The end of a quiz: how it went, and why it ended."""

    results: tuple[QuestionResult, ...] = ()
    ended_by: StopReason = StopReason.DONE
    misconception_counts: tuple[tuple[str, int], ...] = ()
    next_step: NextStep | None = None

    @property
    def correct(self) -> int:
        return sum(1 for r in self.results if r.outcome == Outcome.CORRECT)

    @property
    def first_time(self) -> int:
        """Right first time, no hint."""
        return sum(1 for r in self.results if r.clean)

    @property
    def finished(self) -> int:
        return sum(1 for r in self.results if r.outcome != Outcome.INCOMPLETE)

    @property
    def unfinished(self) -> int:
        return len(self.results) - self.finished

    @property
    def all_correct(self) -> bool:
        """No question went wrong (an unfinished one counts if it had a judged answer)."""
        return all(
            r.outcome == Outcome.CORRECT
            for r in self.results
            if r.outcome != Outcome.INCOMPLETE or r.tries
        )

    @property
    def headline(self) -> str:
        """One line: ``3 of 4 right, 2 first time; 1 unfinished``."""
        if not self.results:
            return "No questions answered."
        if not self.finished:
            n = self.unfinished
            return f"No question finished; {n} left unfinished (what you typed is saved)."
        text = f"{self.correct} of {self.finished} right"
        if self.correct:
            first = "all" if self.first_time == self.correct else str(self.first_time)
            text += f", {first} first time without a hint"
        if self.unfinished:
            text += f"; {self.unfinished} unfinished"
        return text


def summarise(
    results: Sequence[QuestionResult],
    *,
    ended_by: StopReason | str,
    topic: str | None = None,
    lessons: Mapping[str, str] | None = None,
) -> QuizSummary:
    """The end of a quiz. ``lessons`` maps topic ids to their lesson ids (for what next)."""
    counts = Counter(m for r in results for m in r.misconceptions)
    ordered = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    step = suggest_next(results, ordered, ended_by=ended_by, topic=topic, lessons=lessons)
    return QuizSummary(
        results=tuple(results),
        ended_by=StopReason(ended_by),
        misconception_counts=ordered,
        next_step=step,
    )


_MISSED = frozenset({Outcome.WRONG, Outcome.SHOWN, Outcome.SKIPPED})
_CUT_SHORT = frozenset({StopReason.QUIT, StopReason.INTERRUPT, StopReason.END_OF_INPUT})


def suggest_next(
    results: Sequence[QuestionResult],
    misconceptions: Sequence[tuple[str, int]],
    *,
    ended_by: StopReason | str,
    topic: str | None = None,
    lessons: Mapping[str, str] | None = None,
) -> NextStep | None:
    """What to do next: the mistake made most (a quiz aimed at it), else the lesson of the
    topic missed most (or that topic again, when it has no lesson), else more practice
    (harder questions follow clean answers)."""
    if ended_by == StopReason.NOTHING_DUE and not results:
        return NextStep("Nothing is due for review: new practice.", "gradtutor quiz")
    if misconceptions:
        from gradtutor.tutor.aimed import practice_command

        worst = misconceptions[0][0]
        return NextStep("Practise the mistake you made most:", practice_command(worst))
    missed = Counter(r.topic for r in results if r.outcome in _MISSED)
    if missed:
        weakest = missed.most_common(1)[0][0]
        lesson = (lessons or {}).get(weakest)
        if lesson is None:
            return NextStep(f"Practise {weakest} again:", f"gradtutor quiz --topic {weakest}")
        return NextStep(
            f"Read the lesson, then practise {weakest} again:", f"gradtutor learn {lesson}"
        )
    if not results or (
        ended_by in _CUT_SHORT and not any(r.outcome != Outcome.INCOMPLETE for r in results)
    ):
        where = f" --topic {topic}" if topic else ""
        return NextStep("Carry on where you left off:", f"gradtutor quiz{where}")
    if all(r.clean for r in results):
        where = f" --topic {topic}" if topic else ""
        return NextStep(
            "All right first time: the next questions will be harder.", f"gradtutor quiz{where}"
        )
    where = f" --topic {topic}" if topic else ""
    return NextStep("Right in the end: a few more to make it stick.", f"gradtutor quiz{where}")
