"""The one sampler: points, evaluation, "are these equal here", and a counterexample.

Every part of gradtutor that compares expressions by value takes its points and its
tolerances from here, each stated once:

* **Compiled, with precision escalation** (the checker's verdict,
  :mod:`gradtutor.calculus.equivalence`): both sides compiled to mpmath
  (:mod:`gradtutor.calculus.numeric`) and evaluated at :data:`DPS` significant digits at
  random points stratified by sign and magnitude (:func:`random_points`); equal when they
  agree to ``DPS − 15`` digits. A difference counts only if it survives :data:`HIGH_DPS`
  digits (:func:`outcome`). :func:`nice_point` and :func:`rounded` choose the counterexample
  a person is shown: small, readable coordinates where the sides still differ.
* **Compiled, paired at random points of both signs** (:func:`paired_values`,
  :func:`varies_with`, used by :mod:`gradtutor.calculus.feedback`): values at
  :data:`FEEDBACK_DPS` digits, from which feedback checks a claim ("−1 times the expected
  answer") with its own tolerance of 10⁻²⁵.
* **By value at fixed points** (:func:`sample_points`, :func:`values_at`,
  :func:`same_values`, :func:`agrees_elsewhere`, used by the misconceptions and the
  derivation checker): sympy ``evalf`` at 20 digits at three fixed points in (0, 1.3),
  complex values allowed (a twin's ln of a negative number is still a value to match), equal
  within a relative 10⁻⁹. The points are fixed so a diagnosis is the same every run.

The tolerances differ on purpose and are not merged: the verdict must never call rounding a
difference; a diagnosis only has to tell twins apart.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

import mpmath
import sympy
from sympy import Expr, Symbol

from gradtutor.calculus.numeric import (
    Compiled,
    PrecisionLost,
    Undefined,
    Unsupported,
    compile_expr,
    evaluate,
)

# --- compiled evaluation, with precision escalation (the verdict) ----------------------------

DPS = 50
HIGH_DPS = 120
# magnitude bands for sample points: near 0, below 1, around 1, small, medium, large
BANDS = [
    (0.001, 0.02),
    (0.02, 0.2),
    (0.2, 0.7),
    (0.7, 1.5),
    (1.5, 4.0),
    (4.0, 15.0),
    (15.0, 200.0),
    (200.0, 3000.0),
]
# exponent values at which a negative base is real: small whole numbers and simple fractions
EXPONENTS = [
    Fraction(v) for v in ("1", "2", "3", "1/2", "1/3", "2/3", "-1", "-2", "3/2", "4", "-1/2")
]
# readable coordinates for a counterexample, tried in this order
NICE: list[int | Fraction] = [
    2,
    3,
    -1,
    -2,
    Fraction(1, 2),
    5,
    -3,
    4,
    Fraction(-1, 2),
    7,
    Fraction(3, 2),
    10,
]

Point = dict[Symbol, Any]
# Where a counterexample may lie: every coordinate > 0, at least one < 0, or anywhere.
Want = Literal["positive", "negative", "any"]


class PointOutcome(StrEnum):
    """What comparing the two sides at one point showed."""

    AGREE = "agree"
    DIFFER = "differ"
    ONE_SIDED = "one_sided"  # defined on one side only
    UNDEFINED = "undefined"  # on both sides
    LOST = "lost"  # rounding ate the digits: the point proves nothing


def random_points(
    rng: random.Random, symbols: Sequence[Symbol], count: int, *, positive: bool
) -> list[Point]:
    """Random points stratified by sign and magnitude band (a Latin hypercube per variable),
    so every region — (−1, 0), beyond −1, near 0, large — is visited every time."""
    signs = (1,) if positive else (1, -1)
    strata = [(sign, band) for sign in signs for band in BANDS]
    columns = []
    for _ in symbols:
        column = (strata * (count // len(strata) + 1))[:count]
        rng.shuffle(column)
        columns.append(column)
    points = []
    for k in range(count):
        point = {}
        for sym, column in zip(symbols, columns, strict=True):
            sign, (low, high) = column[k]
            magnitude = 10 ** rng.uniform(math.log10(low), math.log10(high))
            point[sym] = mpmath.mpf(sign * magnitude)
        points.append(point)
    return points


def mpf(value: Fraction | int) -> Any:
    """A whole number or fraction as an mpf at the working precision."""
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)


def value(f: Compiled, point: Point) -> Any | None:
    """One side at a point; None where it is undefined (PrecisionLost passes through)."""
    try:
        return evaluate(f, point)
    except Undefined:
        return None


def values(fe: Compiled, fa: Compiled, point: Point) -> tuple[Any, Any] | None:
    """Both sides at a point; None when rounding ate the digits (the point proves nothing)."""
    try:
        return value(fe, point), value(fa, point)
    except PrecisionLost:
        return None


def outcome(
    fe: Compiled,
    fa: Compiled,
    point: Point,
    residual: Compiled | None = None,
) -> PointOutcome:
    """What the two sides do at ``point`` (see :class:`PointOutcome`)."""
    both = values(fe, fa, point)
    if both is None:
        return PointOutcome.LOST
    ve, va = both
    if ve is None and va is None:
        return PointOutcome.UNDEFINED
    if ve is None or va is None:
        return PointOutcome.ONE_SIDED
    if close(ve, va, DPS):
        if residual is not None and residual_differs(residual, point):
            return PointOutcome.DIFFER
        return PointOutcome.AGREE
    # A difference counts only if it survives more digits: cancellation (cosh² − sinh² at
    # x = 35) fools any fixed precision, so re-evaluate and see whether the values hold.
    with mpmath.workdps(HIGH_DPS):
        point_hi = {k: mpmath.mpf(v) for k, v in point.items()}
        both = values(fe, fa, point_hi)
        if both is None:
            return PointOutcome.LOST
        ve_hi, va_hi = both
        if ve_hi is None or va_hi is None:
            return PointOutcome.LOST
        if close(ve_hi, va_hi, HIGH_DPS):
            return PointOutcome.AGREE
        gap, gap_hi = abs(ve - va), abs(ve_hi - va_hi)
        if gap_hi < gap * mpmath.mpf(10) ** -30:
            return PointOutcome.AGREE  # the difference was rounding: it shrank with precision
        if not (stable(ve, ve_hi) and stable(va, va_hi)):
            return PointOutcome.LOST  # the values themselves can't be trusted here
    return PointOutcome.DIFFER


def residual_differs(residual: Compiled, point: Point) -> bool:
    """The difference of the two sides, evaluated as one expression, is surely not 0."""
    try:
        difference = evaluate(residual, point)
    except (Undefined, PrecisionLost):
        return False
    return bool(difference != 0)


def stable(low: Any, high: Any) -> bool:
    """A value that held to 20 digits when the precision went up."""
    return relative(low, high) <= mpmath.mpf(10) ** -20


def relative(a: Any, b: Any) -> Any:
    return abs(a - b) / max(_ONE, abs(a), abs(b))


_ONE = mpmath.mpf(1)
_TOLERANCE = {DPS: mpmath.mpf(10) ** -(DPS - 15), HIGH_DPS: mpmath.mpf(10) ** -(HIGH_DPS - 15)}


def close(a: Any, b: Any, dps: int) -> bool:
    """Equal to dps − 15 significant digits (relative, or absolute below 1)."""
    tolerance = _TOLERANCE.get(dps)
    if tolerance is None:
        tolerance = mpmath.mpf(10) ** -(dps - 15)
    return relative(a, b) <= tolerance


# --- choosing a counterexample -----------------------------------------------------------


def nice_point(
    fe: Compiled,
    fa: Compiled,
    symbols: list[Symbol],
    *,
    want: Want,
    residual: Compiled | None = None,
    exponents: set[Symbol] | None = None,
) -> Point | None:
    """A point with small, readable coordinates where the two sides differ."""
    n = len(NICE)
    if exponents:
        found = nice_exponent_point(fe, fa, symbols, exponents, want, residual)
        if found is not None:
            return found
    with mpmath.workdps(DPS):
        for k in range(3 * n):
            chosen = [NICE[(k + 3 * i) % n] for i in range(len(symbols))]
            if want == "positive" and any(v <= 0 for v in chosen):
                continue
            if want == "negative" and all(v > 0 for v in chosen):
                continue
            point = {s: mpf(v) for s, v in zip(symbols, chosen, strict=True)}
            found_outcome = outcome(fe, fa, point, residual)
            if found_outcome == PointOutcome.DIFFER or (
                found_outcome == PointOutcome.ONE_SIDED and want == "negative"
            ):
                return point
    return None


def nice_exponent_point(
    fe: Compiled,
    fa: Compiled,
    symbols: list[Symbol],
    exponents: set[Symbol],
    want: Want,
    residual: Compiled | None,
) -> Point | None:
    """(x, y, z) = (−8, 2, 1/2) rather than a random point: small bases, simple exponents;
    a point where both sides have values first, then one where only one side has."""
    bases = [s for s in symbols if s not in exponents]
    exponent_order = sorted(exponents, key=str)
    grid = list(
        itertools.islice(
            (
                dict(zip(bases, b, strict=True)) | dict(zip(exponent_order, e, strict=True))
                for b in itertools.product((-8, 2, -2, 3, -1), repeat=len(bases))
                for e in itertools.product(EXPONENTS[:8], repeat=len(exponents))
            ),
            150,
        )
    )
    with mpmath.workdps(DPS):
        for wanted in (PointOutcome.DIFFER, PointOutcome.ONE_SIDED):
            for chosen in grid:
                if want == "positive" and any(v <= 0 for v in chosen.values()):
                    continue
                if want == "negative" and all(v > 0 for v in chosen.values()):
                    continue
                point = {s: mpf(v) for s, v in chosen.items()}
                if outcome(fe, fa, point, residual) == wanted:
                    return point
    return None


def rounded(
    fe: Compiled,
    fa: Compiled,
    point: Point,
    residual: Compiled | None = None,
) -> Point:
    """Round a random point to 2 decimals if the sides still differ there."""
    with mpmath.workdps(DPS):
        short = {s: mpmath.mpf(round(float(v), 2)) for s, v in point.items()}
        if all(v != 0 for v in short.values()) and outcome(fe, fa, short, residual) in (
            PointOutcome.DIFFER,
            PointOutcome.ONE_SIDED,
        ):
            return short
    return point


# --- compiled, paired at random points of both signs (feedback) ----------------------------

FEEDBACK_DPS = 40


def paired_values(
    expected: Expr, answer: Expr, count: int = 12, *, seed: int = 20261129
) -> list[tuple[Any, Any]] | None:
    """Values of both sides at random points of both signs where both are defined, so a
    claim ("−1 times the expected answer") holds on the whole domain, not only for x > 0.

    None when either side can't be compiled or fewer than 3 points had values."""
    try:
        fe, fa = compile_expr(expected), compile_expr(answer)
    except Unsupported:
        return None
    symbols = sorted(expected.free_symbols | answer.free_symbols, key=lambda s: s.name)
    rng = random.Random(seed)
    found = []
    with mpmath.workdps(FEEDBACK_DPS):
        for _ in range(count * 3):
            point = {
                s: mpmath.mpf(rng.choice((1, -1)) * 10 ** rng.uniform(-0.7, 0.9)) for s in symbols
            }
            try:
                found.append((evaluate(fe, point), evaluate(fa, point)))
            except (Undefined, PrecisionLost):
                continue
            if len(found) >= count:
                break
    return found if len(found) >= 3 else None


def varies_with(expr: Expr, sym: Symbol) -> bool:
    """Does the value of ``expr`` change with ``sym``? (numerically, where defined)

    asin(x) + acos(x) has x in it but is π/2 everywhere: False. True when ``expr`` can't be
    compiled (the variable is assumed to matter)."""
    try:
        f = compile_expr(expr)
    except Unsupported:
        return True
    others = sorted(expr.free_symbols - {sym}, key=lambda s: s.name)
    rng = random.Random(7)
    with mpmath.workdps(FEEDBACK_DPS):
        for _ in range(12):
            base = {s: mpmath.mpf(rng.uniform(0.2, 2.0)) for s in others}
            found = []
            for x in (rng.uniform(-0.9, 0.9), rng.uniform(-0.9, 0.9), rng.uniform(1.1, 3)):
                try:
                    found.append(evaluate(f, {**base, sym: mpmath.mpf(x)}))
                except (Undefined, PrecisionLost):
                    continue
            if len(found) >= 2 and any(
                abs(v - found[0]) > mpmath.mpf(10) ** -25 * max(1, abs(found[0])) for v in found
            ):
                return True
    return False


# --- by value at fixed points (misconceptions, derivation) --------------------------------

_SAMPLES = (0.4137, 0.7291, 0.2683, 0.5519, 0.8847, 0.3362, 0.6173, 0.1931)
# a second look, away from (0, 1): where a twin's answer must still equal the learner's
_WIDER = (-1.3719, 1.6183, 2.4427, -0.6571, 3.1416)


def sample_points(symbols: set[Symbol]) -> list[dict[Symbol, sympy.Float]]:
    """Three fixed points, each variable at its own value in (0.19, 1.3)."""
    ordered = sorted(symbols, key=str)
    return [
        {
            s: sympy.Float(_SAMPLES[(3 * j + k) % len(_SAMPLES)] + 0.05 * k)
            for k, s in enumerate(ordered)
        }
        for j in range(3)
    ]


def values_at(expr: Expr, points: list[dict[Symbol, sympy.Float]]) -> tuple[complex, ...] | None:
    """``expr`` at each point (sympy evalf, 20 digits; complex allowed), or None if it is
    undefined, infinite or not a number at any of them."""
    found = []
    for point in points:
        try:
            number = complex(expr.xreplace(point).evalf(20))
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if number != number or abs(number) == float("inf"):
            return None
        found.append(number)
    return tuple(found)


def same_values(a: tuple[complex, ...], b: tuple[complex, ...]) -> bool:
    """Equal within a relative 10⁻⁹ at every point."""
    return all(abs(p - q) <= 1e-9 * (1 + abs(p) + abs(q)) for p, q in zip(a, b, strict=True))


def equal_at_samples(a: Expr, b: Expr) -> bool:
    """Equal by value at the sample points (both defined there)."""
    points = sample_points(a.free_symbols | b.free_symbols)
    va, vb = values_at(a, points), values_at(b, points)
    return va is not None and vb is not None and same_values(va, vb)


def agrees_elsewhere(twin: Expr, answer: Expr, variable: Symbol) -> bool:
    """The twin's answer equals the learner's beyond the first sample points, too.

    A cheap second look by value, away from (0, 1): points where either side is undefined are
    skipped, and one point where both are defined and differ refutes the diagnosis."""
    symbols = sorted(twin.free_symbols | answer.free_symbols | {variable}, key=str)
    for j, start in enumerate(_WIDER):
        point = {s: sympy.Float(start + 0.17 * k + 0.05 * j) for k, s in enumerate(symbols)}
        mine, theirs = values_at(twin, [point]), values_at(answer, [point])
        if mine is not None and theirs is not None and not same_values(mine, theirs):
            return False
    return True
