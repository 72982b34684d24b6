"""Judging one quiz answer: the engine's exact check, then decimals, then numeric twins.

UI-free (the quiz shell renders what comes back). An answer to a part is first checked
exactly by the engine. When the expected answer is a number and the learner typed a
decimal, :mod:`gradtutor.calculus.decimal_answer` decides: right to the digits typed (the
exact form is shown), close (not a try), or wrong. A wrong number is then compared with the
buggy twins of the question's instance (:mod:`gradtutor.tutor.numeric_twins`), so an
uphill gradient step or a missing learning rate is named.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeAlias

from gradtutor.calculus.decimal_answer import DecimalMatch
from gradtutor.tutor.session import AnswerVerdict

if TYPE_CHECKING:  # pragma: no cover
    import sympy

    from gradtutor.calculus.results import CheckResult, Counterexample, InputError
    from gradtutor.tutor.models import Part
    from gradtutor.tutor.numeric_twins import NumericTwin

    Twins: TypeAlias = Sequence[NumericTwin] | Callable[[], Sequence[NumericTwin]]


@dataclass(frozen=True)
class Note:
    """A line of feedback (the engine's Feedback has the same three fields)."""

    message: str
    kind: str = "note"
    id: str | None = None


@dataclass(frozen=True)
class DecimalVerdict:
    """A decimal answer to a numeric part: ``equivalent`` (right to the digits typed) or
    ``close`` (too few digits, or within 1%: not a try). ``exact`` is the exact value in
    plain syntax, ``example`` an exact form in its style (``σ(1)``) for the message."""

    verdict: AnswerVerdict
    read_as: str
    exact: str
    significant_digits: int
    example: str
    exact_shown: str = ""  # the exact value for people (``3σ(1)(1 − σ(1))/2``)
    feedback: tuple[Note, ...] = ()
    counterexample: Counterexample | None = None
    error: InputError | None = None


# What judging one answer gives: the engine's result, or a decimal's verdict.
Checked: TypeAlias = "CheckResult | DecimalVerdict"


def target(part: Part) -> str:
    """What to check an answer against: the part's derivative task when it is equivalent to
    the expected answer (then the engine can name misconceptions of the rules), else the
    expected answer itself (e.g. a derivative evaluated at a point)."""
    from gradtutor.calculus.guarded import check
    from gradtutor.calculus.results import Verdict

    task = part.task
    if not task:
        return str(part.expected)
    same = check(task, part.expected).verdict is Verdict.EQUIVALENT
    return task if same else str(part.expected)


@dataclass
class AnswerChecker:
    """Judges answers for one quiz run, remembering what each part is checked against (a
    sympy check per part, not per answer)."""

    _targets: dict[tuple[str, str], str] = field(default_factory=dict)

    def __call__(self, part: Part, answer: str, *, twins: Twins = ()) -> Checked:
        key = (part.task or "", str(part.expected))
        if key not in self._targets:
            self._targets[key] = target(part)
        return check_answer(part, answer, twins=twins, against=self._targets[key])


def check_answer(
    part: Part,
    answer: str,
    *,
    twins: Twins = (),
    against: str | None = None,
) -> Checked:
    """The verdict on ``answer`` to ``part``: the engine's result, a :class:`DecimalVerdict`,
    or the engine's result with a numeric twin's misconception in front of its feedback.
    ``twins`` may be a function, called only for a wrong number (twins cost sympy time).
    ``against``: what to check it against (by default :func:`target` of the part).
    The engine's time limit and limits of size give an ``undetermined`` result; a bug in
    it raises (the quiz stops, keeping every answer given: see cli.quiz)."""
    from gradtutor.calculus.guarded import check
    from gradtutor.calculus.results import Verdict

    result = check(target(part) if against is None else against, answer)
    if result.verdict not in (Verdict.NOT_EQUIVALENT, Verdict.DOMAIN_DEPENDENT):
        return result
    exact = expected_number(part)
    if exact is None:
        return result
    decimal = _judge_decimal(answer, exact)
    if decimal is not None and decimal.verdict != AnswerVerdict.NOT_EQUIVALENT:
        return decimal
    if decimal is not None and getattr(result, "read_as", None):
        result = replace(result, read_as=decimal.read_as)  # "0.003", not "3/1000"
    from gradtutor.tutor.backprop_kinds import with_twins

    result = with_twins(part, answer, result, check)
    return _with_twin(result, answer, twins)


def expected_number(part: Part) -> sympy.Expr | None:
    """The expected answer as a sympy number, or None when it has variables or won't read."""
    return number_of(str(part.expected))


def number_of(expression: str) -> sympy.Expr | None:
    """``expression`` read as a sympy number; None when it has variables or won't read."""
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.parsing import parse

    try:
        value = parse(expression).value
    except ParseError:
        return None
    return None if value.free_symbols else value


def answer_note(parts: Sequence[Part]) -> str:
    """What form of answer a question wants, for its prompt: for a question whose answers
    are all numbers, an exact value or a decimal to 3 significant figures (with an exact
    form in the style of the answer, never the answer); nothing for expressions."""
    from gradtutor.calculus.decimal_answer import MIN_SIGNIFICANT, exact_form_example

    values = [expected_number(p) for p in parts]
    if not values or any(v is None for v in values):
        return ""
    if all(v is not None and v.is_Integer for v in values):
        return "Answer with a number."
    example = exact_form_example(values[0])
    return (
        f"Answer with the exact value (e.g. {example}) or a decimal to at least "
        f"{MIN_SIGNIFICANT} significant figures."
    )


def is_number(expression: str) -> bool:
    """Whether an expected answer has no variables (then its value must not be shown)."""
    return number_of(expression) is not None


_DECIMAL_VERDICTS = {
    DecimalMatch.RIGHT: AnswerVerdict.EQUIVALENT,
    DecimalMatch.CLOSE: AnswerVerdict.CLOSE,
    DecimalMatch.WRONG: AnswerVerdict.NOT_EQUIVALENT,
}


def _judge_decimal(answer: str, exact: sympy.Expr) -> DecimalVerdict | None:
    from gradtutor.calculus.decimal_answer import exact_form_example, judge_decimal

    judged = judge_decimal(answer, exact)
    if judged is None:
        return None
    return DecimalVerdict(
        verdict=_DECIMAL_VERDICTS[judged.verdict],
        read_as=answer.strip(),
        exact=judged.exact_text,
        significant_digits=judged.significant_digits,
        example=exact_form_example(exact),
        exact_shown=_pretty(exact),
    )


def _pretty(exact: sympy.Expr) -> str:
    from gradtutor.calculus.printing import pretty

    return pretty(exact)


def _with_twin(result: CheckResult, answer: str, twins: Twins) -> CheckResult:
    """``result`` with the numeric twin that reproduces ``answer`` named first (if exactly one
    misconception does), replacing a derivative misconception the engine could not see."""
    from gradtutor.tutor.numeric_twins import match_twin

    twins = twins() if callable(twins) else twins
    if not twins:
        return result
    found = match_twin(answer, twins)
    if found is None:
        return result
    from gradtutor.calculus.results import Feedback

    note = Feedback(kind="misconception", id=found.id, message=found.message)
    kept = tuple(f for f in result.feedback if f.kind != "misconception")
    return replace(result, feedback=(note, *kept))
