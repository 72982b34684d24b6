"""The one place that decides whether two expressions are equal.

How: both sides are evaluated with mpmath at 50 significant digits at random real
points (seeded from the inputs, so a verdict is reproducible), skipping points
where a side is undefined. Points on the whole real line decide ``equivalent``;
points where every variable is positive decide ``domain_dependent``. A difference
that is only tiny is re-checked at 120 digits, so rounding never passes for a
difference and ``x^2 + 10^-9`` never passes for ``x^2``. An exact zero is a value
(``x + |x|`` at x < 0), and agreement counts only if it covers every sign the
unusable points had. Where shared terms cancel, the difference itself is evaluated
(``(x+1)^99999 + 1``). Variables in exponents are also tried at small whole numbers
and simple fractions, where a negative base is real. sympy's symbolic methods step
in where numbers can't be trusted. Everything runs under a hard time limit, and
feedback only gets the time the verdict left.
"""

from __future__ import annotations

import itertools
import math
import random
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from gradtutor.calculus import display
from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.feedback import generic_feedback
from gradtutor.calculus.numeric import (
    Compiled,
    Unsupported,
    compile_expr,
)
from gradtutor.calculus.parsing import MAX_LENGTH, Ambiguity, Parsed, parse
from gradtutor.calculus.printing import plain, pretty, pretty_in_typed_order
from gradtutor.calculus.results import (
    CheckResult,
    Counterexample,
    Feedback,
    InputError,
    Number,
    Verdict,
)

# the sampler's points, evaluation and counterexample choice (one place: sampling.py);
# the private names keep this module's call sites as they were
from gradtutor.calculus.sampling import DPS, PointOutcome
from gradtutor.calculus.sampling import EXPONENTS as _EXPONENTS
from gradtutor.calculus.sampling import mpf as _mpf
from gradtutor.calculus.sampling import nice_exponent_point as _nice_exponent_point
from gradtutor.calculus.sampling import nice_point as _nice_point
from gradtutor.calculus.sampling import outcome as _outcome
from gradtutor.calculus.sampling import random_points as _points
from gradtutor.calculus.sampling import rounded as _rounded
from gradtutor.calculus.sampling import value as _value
from gradtutor.calculus.sampling import values as _values
from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT, TimeLimitExceeded, time_limit
from gradtutor.calculus.vectors import check_vectors as _check_vectors
from gradtutor.calculus.vectors import is_bad_vector as _is_bad_vector
from gradtutor.calculus.vectors import read_vector

__all__ = ["DEFAULT_TIME_LIMIT", "check", "check_exprs", "compare"]

REAL_POINTS = 32
POSITIVE_POINTS = 16
EXTRA_POINTS = 36  # for piecewise functions (abs, max, sign), which numbers can miss
_PIECEWISE = (sympy.Abs, sympy.Max, sympy.Min, sympy.sign, sympy.Heaviside)
EXPONENT_POINTS = 24


@dataclass(frozen=True)
class Comparison:
    """What the numbers say about two expressions."""

    verdict: Verdict
    counterexample: Counterexample | None = None
    domain: str | None = None
    note: str | None = None


def check(
    expected: str,
    answer: str,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> CheckResult:
    """Is ``answer`` equal to ``expected``? Both are texts in gradtutor's input language.

    An expected side with a derivative operator (``d/dx(3x^3)``) is evaluated first.
    Never raises on bad input: the result's verdict is then ``invalid``.
    """
    start = time.perf_counter()
    for side, text in (("expected", expected), ("answer", answer)):
        if len(text) > MAX_LENGTH:
            message = (
                f"the input is {len(text):,} characters long; gradtutor reads up to {MAX_LENGTH:,}"
            )
            error = InputError(message, side)
            return CheckResult(verdict=Verdict.INVALID, error=error, elapsed_ms=_ms(start))
    try:
        vectors = read_vector(expected), read_vector(answer)
    except ParseError as exc:
        side = "expected" if _is_bad_vector(expected) else "answer"
        error = InputError(exc.message, side, exc.column, exc.hint, exc.text)
        return CheckResult(verdict=Verdict.INVALID, error=error, elapsed_ms=_ms(start))
    if vectors != (None, None):
        return _check_vectors(expected, answer, *vectors, time_limit=time_limit, start=start)
    try:
        with _limit(time_limit):
            parsed_expected = _parse_side(expected, "expected")
            parsed_answer = _parse_side(answer, "answer")
    except _SideError as exc:
        return CheckResult(
            verdict=Verdict.INVALID, error=exc.error, elapsed_ms=_ms(start), **exc.read
        )
    except TimeLimitExceeded:
        return CheckResult(
            verdict=Verdict.UNDETERMINED,
            feedback=(Feedback("time_limit", "reading the input took too long"),),
            elapsed_ms=_ms(start),
        )
    return check_parsed(parsed_expected, parsed_answer, time_limit=time_limit, start=start)


def check_exprs(
    expected: sympy.Expr,
    answer: sympy.Expr,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> CheckResult:
    """The same as :func:`check` for sympy expressions (``Derivative`` allowed in ``expected``)."""
    return check_parsed(
        Parsed(text=plain(expected), expr=expected),
        Parsed(text=plain(answer), expr=answer),
        time_limit=time_limit,
    )


def check_parsed(
    expected: Parsed,
    answer: Parsed,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    start: float | None = None,
) -> CheckResult:
    """Judge two parsed sides."""
    start = time.perf_counter() if start is None else start
    derivative_mode = expected.has_derivative
    shown: dict[str, Any] = {}
    try:
        with _limit(time_limit):
            # As typed (the raw tree): sympy would show e^(ln x) as x and hide the domain.
            shown = {
                "expected": plain(expected.expr),
                "answer": plain(answer.expr),
                "expected_read_as": pretty_in_typed_order(expected.expr, expected.text),
                "read_as": _read_as(answer),
            }
            expected_value = _evaluated(expected, "expected")
            answer_value = _evaluated(answer, "answer")
            shown["expected_value"] = _readable(expected_value, expected)
            if derivative_mode:  # shown as "expected d/dx(3x³) = 9x²"
                shown["expected_value_shown"] = display.pretty(shown["expected_value"])
            comparison = compare(expected.numeric_form, answer.numeric_form)
    except _SideError as exc:  # a derivative too large to work out, or its numbers
        return CheckResult(verdict=Verdict.INVALID, error=exc.error, elapsed_ms=_ms(start), **shown)
    except TimeLimitExceeded:
        limit = f"{time_limit:g} s" if time_limit else "the time limit"
        return CheckResult(
            verdict=Verdict.UNDETERMINED,
            feedback=(
                Feedback(
                    "time_limit",
                    f"gradtutor could not decide within {limit}; "
                    "this says nothing about whether the answer is right",
                ),
            ),
            notes=expected.notes + answer.notes,
            elapsed_ms=_ms(start),
            derivative_mode=derivative_mode,
            **shown,
        )
    # A verdict once found is kept: feedback gets the time that is left, and is dropped
    # (not the verdict) if it runs out.
    feedback: list[Feedback] = []
    simplest = simplest_shown = None
    notes = expected.notes + answer.notes
    left = None if not time_limit else time_limit - (time.perf_counter() - start)
    try:
        if left is not None and left <= 0.001:
            raise TimeLimitExceeded("no time left for feedback")
        with _limit(left):
            notes, other_reading_right = _weigh_readings(expected, answer, comparison.verdict)
            if comparison.verdict is Verdict.NOT_EQUIVALENT:
                # derivative mode: which rule went wrong; otherwise: a derivative not asked for
                if not _huge_power(expected.expr, answer_value):
                    from gradtutor.calculus.misconceptions import diagnose_answer

                    feedback.extend(diagnose_answer(expected.expr, answer_value))
                feedback.extend(
                    generic_feedback(
                        expected_value,
                        answer_value,
                        derivative_of=_derivative_operand(expected.expr),
                    )
                )
            elif comparison.verdict is Verdict.EQUIVALENT:
                simplest = _simplest(expected_value, answer_value)
                simplest_shown = display.pretty(simplest) if simplest else None
            if other_reading_right:  # a misconception only this reading produces is no diagnosis
                feedback = [f for f in feedback if f.kind != "misconception"]
    except TimeLimitExceeded:
        feedback, simplest, simplest_shown = [], None, None
    if comparison.note:
        feedback.append(Feedback("method", comparison.note))
    return CheckResult(
        verdict=comparison.verdict,
        counterexample=comparison.counterexample,
        feedback=tuple(feedback),
        domain=comparison.domain,
        simplest=simplest,
        simplest_shown=simplest_shown,
        notes=notes,
        elapsed_ms=_ms(start),
        derivative_mode=derivative_mode,
        **shown,
    )


def _huge_power(*exprs: sympy.Expr) -> bool:
    """(x^2+1)^300: the misconception twins expand it, which no time limit allows."""
    from gradtutor.calculus.feedback import expands_large

    return any(expands_large(e) for e in exprs)


def _readable(value: sympy.Expr, parsed: Parsed) -> str:
    """The value as input-language text that reads back: 1000! + 1 has 2,568 digits, more
    than the reader takes, so it stays as typed when it has no derivative to evaluate."""
    text = plain(value)
    if len(text) > MAX_LENGTH and not parsed.has_derivative:
        return plain(parsed.expr)
    return text


def _weigh_readings(
    expected: Parsed, answer: Parsed, verdict: Verdict
) -> tuple[tuple[str, ...], bool]:
    """Notes on ambiguous input (1/2√x: √x/2 or 1/(2√x)?), kept only where the other
    reading changes the verdict, and then saying what that reading gives. Also: is the
    other reading of the answer right (so no misconception should be named)?"""
    ambiguous = {a.note: (side, a) for side in (expected, answer) for a in side.ambiguities}
    notes: list[str] = []
    other_right = False
    for note in expected.notes + answer.notes:
        if note not in ambiguous:
            notes.append(note)
            continue
        side, ambiguity = ambiguous[note]
        try:
            other = parse(ambiguity.alternative, evaluate=False)
        except ParseError:
            notes.append(note)
            continue
        pair = (other, answer) if side is expected else (expected, other)
        other_verdict = compare(pair[0].numeric_form, pair[1].numeric_form).verdict
        if other_verdict is verdict:
            continue  # either reading gives the same verdict: nothing to say
        if side is answer and other_verdict is Verdict.EQUIVALENT:
            other_right = True
        notes.append(_reading_note(ambiguity, verdict, other_verdict, side is answer))
    return tuple(notes), other_right


_OTHER_READING = {
    Verdict.EQUIVALENT: "right",
    Verdict.DOMAIN_DEPENDENT: "equal where every variable is > 0",
    Verdict.NOT_EQUIVALENT: "not right",
    Verdict.UNDETERMINED: "undecided",
}


def _reading_note(
    ambiguity: Ambiguity, verdict: Verdict, other_verdict: Verdict, is_answer: bool
) -> str:
    """What the other reading would give, in a line."""
    outcome = _OTHER_READING.get(other_verdict, "different")
    if not is_answer:
        return (
            f"the expected answer was read as {ambiguity.chosen}; read as {ambiguity.other}, "
            f"your answer would be {outcome}"
        )
    if verdict is Verdict.EQUIVALENT:
        return f"read as {ambiguity.chosen}, which is right; {ambiguity.other} would be {outcome}"
    return (
        f"read as {ambiguity.chosen}; if you meant {ambiguity.other}, that is {outcome}: "
        f"{ambiguity.how}"
    )


# -- parsing both sides ---------------------------------------------------------


class _SideError(Exception):
    def __init__(self, error: InputError, read: dict[str, Any]) -> None:
        super().__init__(error.message)
        self.error = error
        self.read = read


def _evaluated(parsed: Parsed, side: str) -> sympy.Expr:
    """The side with its derivatives worked out, or a _SideError when the size limits
    refuse it (gradtutor.calculus.limits)."""
    try:
        return parsed.value
    except ParseError as exc:
        raise _SideError(InputError(exc.message, side, hint=exc.hint), {}) from None


def _parse_side(text: str, side: str) -> Parsed:
    try:
        return parse(text, evaluate=False)
    except ParseError as exc:
        raise _SideError(
            InputError(
                message=exc.message, side=side, column=exc.column, hint=exc.hint, text=exc.text
            ),
            {},
        ) from None
    except RecursionError:
        raise _SideError(
            InputError(message="the expression is nested too deeply", side=side, text=text), {}
        ) from None


# -- numeric comparison ----------------------------------------------------------


def compare(expected: sympy.Expr, answer: sympy.Expr, *, seed: int | None = None) -> Comparison:
    """Compare two derivative-free expressions at random real points."""
    symbols = sorted(expected.free_symbols | answer.free_symbols, key=lambda s: s.name)
    try:
        fe, fa = compile_expr(expected), compile_expr(answer)
    except Unsupported:
        return _symbolic(expected, answer, "these functions can only be compared symbolically")
    if seed is None:
        seed = zlib.crc32(f"{sympy.srepr(expected)}|{sympy.srepr(answer)}".encode())
    rng = random.Random(seed)
    residual = _residual(expected, answer)
    with mpmath.workdps(DPS):
        if not symbols:
            return _compare_constants(expected, answer, fe, fa)
        piecewise = expected.has(*_PIECEWISE) or answer.has(*_PIECEWISE)
        extra = EXTRA_POINTS if piecewise else 0
        real = _points(rng, symbols, REAL_POINTS + extra, positive=False)
        exponent_points = _exponent_points(rng, symbols, _exponent_symbols(expected, answer))
        positive = _points(rng, symbols, POSITIVE_POINTS + extra // 2, positive=True)
        # Positive points first: a difference there settles "not equivalent" at once.
        positive_stats = _sample(fe, fa, positive, residual)
        real_stats = _Stats() if positive_stats.bad else _sample(fe, fa, real, residual)
        if not positive_stats.bad and not real_stats.bad and exponent_points:
            exponent_stats = _sample(fe, fa, exponent_points, residual, isolated=True)
            real_stats.differ += exponent_stats.differ
            real_stats.isolated += exponent_stats.isolated
            real_stats.agree += exponent_stats.agree
    return _decide(expected, answer, fe, fa, symbols, real_stats, positive_stats, residual)


def _residual(expected: sympy.Expr, answer: sympy.Expr) -> Compiled | None:
    """expected − answer, when the terms both sides share cancel in it.

    ``(x+1)^99999`` and ``(x+1)^99999 + x`` agree to 10^-30000 of their size at every
    point, so their values can't tell them apart; their difference, −x, can.
    """
    terms = len(sympy.Add.make_args(expected)) + len(sympy.Add.make_args(answer))
    difference = expected - answer
    if difference == 0 or len(sympy.Add.make_args(difference)) >= terms:
        return None
    try:
        return compile_expr(difference)
    except Unsupported:
        return None


def _exponent_symbols(expected: sympy.Expr, answer: sympy.Expr) -> set[sympy.Symbol]:
    """Variables in an exponent: x^n with n = 3 has a value at x < 0, with n = 2.7 it has not."""
    found: set[sympy.Symbol] = set()
    for side in (expected, answer):
        for power in side.atoms(sympy.Pow):
            found |= power.exp.free_symbols
    return found


def _exponent_points(
    rng: random.Random, symbols: Sequence[sympy.Symbol], exponents: set[sympy.Symbol]
) -> list[dict[sympy.Symbol, Any]]:
    """Points where the exponent variables are small whole numbers or simple fractions, the
    values at which a negative base is real (random real exponents leave it undefined)."""
    if not exponents:
        return []
    ordered = sorted(exponents, key=lambda s: s.name)
    values = _EXPONENTS if len(ordered) == 1 else _EXPONENTS[:8]
    if len(values) ** len(ordered) <= 64:
        combos = list(itertools.product(values, repeat=len(ordered)))
    else:  # never list 8^n combinations for many exponent variables
        combos = [tuple(rng.choice(values) for _ in ordered) for _ in range(64)]
    combos = combos * max(1, 24 // len(combos))
    others = [s for s in symbols if s not in exponents]
    bases = _points(rng, others, len(combos), positive=False) if others else [{}] * len(combos)
    return [
        {**base, **{s: _mpf(v) for s, v in zip(ordered, combo, strict=True)}}
        for base, combo in zip(bases, combos, strict=True)
    ]


@dataclass
class _Stats:
    """Points classified: agreeing, differing, defined on one side only, or unusable."""

    agree: list[dict[sympy.Symbol, Any]] = field(default_factory=list)
    differ: list[dict[sympy.Symbol, Any]] = field(default_factory=list)
    one_sided: list[dict[sympy.Symbol, Any]] = field(default_factory=list)
    lost: list[dict[sympy.Symbol, Any]] = field(default_factory=list)
    # one side defined only at an isolated exponent value: (−8)^(1/2 + 1/2) but not (−8)^(1/2)
    isolated: list[dict[sympy.Symbol, Any]] = field(default_factory=list)

    @property
    def bad(self) -> bool:
        return bool(self.differ or self.one_sided)

    def unseen_regions(self) -> list[tuple[sympy.Symbol, int]]:
        """(variable, sign) regions where points were unusable and none agreed: agreement
        elsewhere says nothing about them."""
        unseen = []
        for point in self.lost:
            for sym, value in point.items():
                sign = 1 if value > 0 else -1
                if (sym, sign) in unseen:
                    continue
                if not any((p[sym] > 0) == (sign > 0) for p in self.agree):
                    unseen.append((sym, sign))
        return unseen


def _sample(
    fe: Compiled,
    fa: Compiled,
    points: list[dict[sympy.Symbol, Any]],
    residual: Compiled | None = None,
    *,
    isolated: bool = False,
) -> _Stats:
    """Classify points until the first real difference (one is all a verdict needs).

    With ``isolated``, the points are special exponent values, where one side defined and
    the other not is a matter of convention, not a difference: it is only recorded."""
    stats = _Stats()
    for point in points:
        outcome = _outcome(fe, fa, point, residual)
        if outcome == "one_sided" and isolated:
            stats.isolated.append(point)
        elif outcome == "agree":
            stats.agree.append(point)
        elif outcome == "lost":
            stats.lost.append(point)
        elif outcome == "differ":
            stats.differ.append(point)
            break
        elif outcome == "one_sided":
            stats.one_sided.append(point)
            break
    return stats


def _compare_constants(
    expected: sympy.Expr, answer: sympy.Expr, fe: Compiled, fa: Compiled
) -> Comparison:
    """Two numbers: exact arithmetic first (1 − 1 is exactly 0), then 50 digits."""
    exact_e, exact_a = expected.doit(), answer.doit()
    if exact_e.is_Rational and exact_a.is_Rational:
        if exact_e == exact_a:
            return Comparison(Verdict.EQUIVALENT)
        return Comparison(
            Verdict.NOT_EQUIVALENT,
            counterexample=Counterexample({}, _exact_number(exact_e), _exact_number(exact_a)),
        )
    outcome = _outcome(fe, fa, {})
    if outcome == PointOutcome.AGREE:
        if _exactly_different(expected, answer, []):
            return Comparison(
                Verdict.NOT_EQUIVALENT,
                note="the two differ by less than 10^-35 of their size; "
                "exact arithmetic shows the difference",
            )
        return Comparison(Verdict.EQUIVALENT)
    if outcome in (PointOutcome.LOST, PointOutcome.UNDEFINED):
        return _symbolic(expected, answer, "neither side is a real number gradtutor can compute")
    values = _values(fe, fa, {}) or (None, None)
    return Comparison(
        Verdict.NOT_EQUIVALENT,
        counterexample=Counterexample({}, _number(values[0]), _number(values[1])),
    )


def _exact_number(value: sympy.Rational) -> Number:
    return int(value) if value.is_Integer else float(value)


def _decide(
    expected: sympy.Expr,
    answer: sympy.Expr,
    fe: Compiled,
    fa: Compiled,
    symbols: list[sympy.Symbol],
    real: _Stats,
    positive: _Stats,
    residual: Compiled | None = None,
) -> Comparison:
    exponents = _exponent_symbols(expected, answer)
    if not real.bad and not positive.bad:
        return _agreed(expected, answer, fe, fa, symbols, real, positive, residual)
    # A difference the all-reals sample found at a positive point is not about the domain.
    if any(all(v > 0 for v in p.values()) for p in real.differ + real.one_sided):
        positive = _Stats(agree=positive.agree, differ=real.differ, one_sided=real.one_sided)
    if not positive.bad and len(positive.agree) >= 3:
        point = _nice_point(
            fe, fa, symbols, want="negative", residual=residual, exponents=exponents
        ) or _rounded(fe, fa, (real.differ or real.one_sided)[0], residual)
        return Comparison(
            Verdict.DOMAIN_DEPENDENT,
            counterexample=_counterexample(fe, fa, point),
            domain=_positive_domain(symbols),
            note=_convention_note(expected, answer, point),
        )
    nice = _nice_point(
        fe, fa, symbols, want="positive", residual=residual, exponents=exponents
    ) or _nice_point(fe, fa, symbols, want="any", residual=residual, exponents=exponents)
    if nice is None:
        bad = positive.differ or real.differ or positive.one_sided or real.one_sided
        nice = _rounded(fe, fa, bad[0], residual)
    point = nice
    return Comparison(
        Verdict.NOT_EQUIVALENT,
        counterexample=_counterexample(fe, fa, point),
        note=_convention_note(expected, answer, point),
    )


def _agreed(
    expected: sympy.Expr,
    answer: sympy.Expr,
    fe: Compiled,
    fa: Compiled,
    symbols: list[sympy.Symbol],
    real: _Stats,
    positive: _Stats,
    residual: Compiled | None,
) -> Comparison:
    """Every usable point agreed. That is "equivalent" only if the points cover every sign
    of every variable the unusable points did: agreement for x > 0 says nothing of x < 0."""
    if len(real.agree) + len(positive.agree) < 4:
        return _symbolic(
            expected,
            answer,
            "few real points where both sides could be computed; checked symbolically",
        )
    unseen = real.unseen_regions() + positive.unseen_regions()
    if unseen:
        proof = _symbolic(expected, answer, "the numbers could not be trusted for some signs")
        if proof.verdict is not Verdict.UNDETERMINED:
            return proof
        point = _nice_point(
            fe,
            fa,
            symbols,
            want="negative",
            residual=residual,
            exponents=_exponent_symbols(expected, answer),
        )
        if point is not None:
            return Comparison(
                Verdict.DOMAIN_DEPENDENT,
                counterexample=_counterexample(fe, fa, point),
                domain=_positive_domain(symbols),
            )
        where = ", ".join(f"{s.name} {'>' if sign > 0 else '<'} 0" for s, sign in unseen)
        return Comparison(
            Verdict.UNDETERMINED,
            note=f"the two agree where they could be computed, but not one point with {where} "
            "could be computed reliably, and sympy could not prove them equal",
        )
    if _exactly_different(expected, answer, symbols):
        # Too small to show as JSON numbers, so no counterexample: say it instead.
        return Comparison(
            Verdict.NOT_EQUIVALENT,
            note="the two differ by less than 10^-35 of their size; "
            "exact arithmetic shows the difference",
        )
    if real.isolated:
        exponents = _exponent_symbols(expected, answer)
        nice = _nice_exponent_point(fe, fa, symbols, exponents, "negative", residual)
        return Comparison(Verdict.EQUIVALENT, note=_isolated_note(fe, fa, nice or real.isolated[0]))
    return Comparison(Verdict.EQUIVALENT)


def _isolated_note(fe: Compiled, fa: Compiled, point: dict[sympy.Symbol, Any]) -> str:
    """Equal by the convention that a negative base has no real power in general."""
    with mpmath.workdps(DPS):
        ve, va = _value(fe, point), _value(fa, point)
    at = ", ".join(f"{s.name} = {_number_text(v)}" for s, v in point.items())
    which = "the expected answer" if ve is not None else "your answer"
    value = ve if ve is not None else va
    return (
        f"equal wherever both sides are real numbers; at isolated exponent values only one side "
        f"is (at {at}, {which} is {_number_text(value)} and the other undefined): gradtutor "
        "gives a negative number a real power only for a whole-number exponent, so it counts "
        "those points as outside the domain"
    )


def _number_text(value: Any) -> str:
    if mpmath.isint(value):
        return str(int(value))
    fraction = Fraction(float(value)).limit_denominator(12)
    if abs(float(value) - float(fraction)) < 1e-12:
        return f"{fraction.numerator}/{fraction.denominator}"
    return mpmath.nstr(value, 6)


def _convention_note(
    expected: sympy.Expr, answer: sympy.Expr, point: dict[sympy.Symbol, Any]
) -> str | None:
    """Name the convention when a negative base under a variable exponent decided."""
    exponents = _exponent_symbols(expected, answer)
    if not exponents or not any(v < 0 for s, v in point.items() if s not in exponents):
        return None
    return (
        "decided by a negative number raised to a variable power: gradtutor gives a negative "
        "base a real value only for a whole-number exponent ((−2)^3 = −8) and treats any other "
        "power of it as undefined, as for real numbers"
    )


_EXACT_POINTS = (sympy.Rational(3, 7), sympy.Rational(11, 5), sympy.Rational(-5, 3))


def _exactly_different(
    expected: sympy.Expr, answer: sympy.Expr, symbols: list[sympy.Symbol]
) -> bool:
    """For rational functions, exact arithmetic at rational points sees any difference,
    however tiny (x^2 + 10^-40 vs x^2), where 50 digits cannot."""
    difference = (expected - answer).doit()
    if difference.is_Number:  # identical parts cancelled: x^2 + 10^-40 − x^2
        return difference != 0
    if not symbols or not (
        expected.is_rational_function(*symbols) and answer.is_rational_function(*symbols)
    ):
        return False
    for k in range(len(_EXACT_POINTS)):
        point = {s: _EXACT_POINTS[(k + i) % len(_EXACT_POINTS)] for i, s in enumerate(symbols)}
        try:
            difference = (expected - answer).xreplace(point).doit()
        except ZeroDivisionError:
            continue
        if difference.is_Rational:
            return difference != 0
    return False


def _symbolic(expected: sympy.Expr, answer: sympy.Expr, why: str) -> Comparison:
    """Fallback when numbers can't decide: sympy's simplify on the difference."""
    from gradtutor.calculus.functions import to_elementary

    # Every variable is real: with complex symbols |3^x| - 3^x does not simplify to 0.
    real = {s: sympy.Symbol(s.name, real=True) for s in expected.free_symbols | answer.free_symbols}
    back = {r: s for s, r in real.items()}
    difference = sympy.simplify(
        (to_elementary(expected) - to_elementary(answer)).xreplace(real)
    ).xreplace(back)
    if difference == 0:
        return Comparison(Verdict.EQUIVALENT, note=why)
    if difference.is_number and difference.is_zero is False:
        return Comparison(Verdict.NOT_EQUIVALENT, note=why)
    return Comparison(
        Verdict.UNDETERMINED,
        note=f"{why}; sympy could not show the difference {plain(difference)} is 0",
    )


# -- counterexamples ---------------------------------------------------------------


def _counterexample(fe: Compiled, fa: Compiled, point: dict[sympy.Symbol, Any]) -> Counterexample:
    with mpmath.workdps(DPS):
        ve, va = _value(fe, point), _value(fa, point)
    return Counterexample(
        point={s.name: _number(v) for s, v in point.items()},  # type: ignore[misc]  # finite: a number
        expected=_number(ve),
        answer=_number(va),
    )


def _number(value: Any) -> Number | str | None:
    """An mpf as a JSON number: an int when it is one, else a float (12 significant digits);
    beyond a double, its digits as text."""
    if value is None:
        return None
    if mpmath.isint(value) and abs(value) < 10**15:
        return int(value)
    nearest = mpmath.nint(value)
    if abs(value - nearest) < mpmath.mpf(10) ** -30 and abs(nearest) < 10**15:
        return int(nearest)
    number = float(mpmath.nstr(value, 12))
    if math.isinf(number):  # beyond a double: keep the digits as text (JSON has no inf)
        return mpmath.nstr(value, 12)
    return number


def _positive_domain(symbols: list[sympy.Symbol]) -> str:
    names = ", ".join(s.name for s in symbols)
    return f"equal where {names} > 0" if len(symbols) == 1 else f"equal where {names} are all > 0"


# -- helpers ---------------------------------------------------------------------


def _read_as(parsed: Parsed) -> str:
    """How the answer was read; a number typed as arithmetic also shows its value (9² = 81)."""
    typed = pretty_in_typed_order(parsed.expr, parsed.text)  # terms in the order typed
    value = parsed.evaluated_expr
    if not value.free_symbols and not parsed.has_derivative:
        shown = pretty(value)
        if shown != typed:
            return f"{typed} = {shown}"
    return typed


def _simplest(expected: sympy.Expr, answer: sympy.Expr) -> str | None:
    """When a right answer is unsimplified, a simpler equal form to mention."""
    if sympy.count_ops(answer) > sympy.count_ops(expected) + 2:
        return plain(expected)
    return None


def _derivative_operand(expr: sympy.Expr) -> sympy.Expr | None:
    """The f in an expected side that is exactly d/dx(f)."""
    if isinstance(expr, sympy.Derivative):
        return expr
    return None


class _NoLimit:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _limit(seconds: float | None) -> Any:
    return time_limit(seconds) if seconds else _NoLimit()


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
