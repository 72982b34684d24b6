"""Generic feedback on a wrong answer, computed from the two expressions.

Every message here is backed by a check: a constant factor is a ratio that is the
same at every sample point, a missing term is an exact term of the expanded
expected answer, a lost variable is a free symbol. Where no pattern fits, this
says nothing, and the counterexample speaks alone.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import sympy

from gradtutor.calculus.printing import pretty
from gradtutor.calculus.results import Feedback
from gradtutor.calculus.sampling import FEEDBACK_DPS, paired_values, varies_with

_MAX_OPS_FOR_EXPAND = 60


def generic_feedback(
    expected: sympy.Expr,
    answer: sympy.Expr,
    *,
    derivative_of: sympy.Derivative | None = None,
) -> list[Feedback]:
    """Feedback that holds for this pair: variables, factor, sign, terms."""
    target = _target_name(derivative_of)
    feedback = _variables(expected, answer, derivative_of, target)
    if feedback:
        # A lost variable often sits in one missing term: name that term too.
        return _term_feedback(expected, answer, target) + feedback
    factor = _constant_ratio(expected, answer)
    if factor is not None and (expected.free_symbols or _simple_factor(factor)):
        return [_factor_feedback(factor, target)]
    terms = _term_feedback(expected, answer, target)
    if terms:
        return terms
    offset = _constant_difference(expected, answer)
    if offset is not None and expected.free_symbols:
        more = "more" if offset > 0 else "less"
        shown = pretty(abs(offset)) if isinstance(offset, sympy.Basic) else str(abs(offset))
        return [
            Feedback(
                "constant_offset",
                f"your answer is {shown} {more} than {target} everywhere: a constant is off",
            )
        ]
    return []


def _simple_factor(factor: sympy.Expr) -> bool:
    """For two plain numbers, only a whole-number factor (or 1/n) says something."""
    return bool(factor.is_Integer or (factor.is_Rational and abs(factor.p) == 1))


def _target_name(derivative_of: sympy.Derivative | None) -> str:
    return "the derivative" if derivative_of is not None else "the expected answer"


def _variables(
    expected: sympy.Expr,
    answer: sympy.Expr,
    derivative_of: sympy.Derivative | None,
    target: str,
) -> list[Feedback]:
    expected_symbols = expected.free_symbols
    answer_symbols = answer.free_symbols
    feedback = []
    for sym in sorted(expected_symbols - answer_symbols, key=lambda s: s.name):
        if not varies_with(expected, sym):
            continue  # asin(x) + acos(x) is π/2: x appears but changes nothing
        name = pretty(sym)
        if derivative_of is not None:
            message = (
                f"your answer has no {name} in it — the derivative of "
                f"{pretty(derivative_of.expr)} still depends on {name}"
            )
        else:
            message = f"your answer has no {name} in it, but the expected answer depends on {name}"
        feedback.append(Feedback("lost_variable", message))
    for sym in sorted(answer_symbols - expected_symbols, key=lambda s: s.name):
        name = pretty(sym)
        feedback.append(
            Feedback("extra_variable", f"your answer depends on {name}, but {target} does not")
        )
    return feedback


def _constant_ratio(expected: sympy.Expr, answer: sympy.Expr) -> sympy.Expr | None:
    """answer / expected, when it is the same constant (not 1) at every sample point."""
    if answer.is_zero or expected.is_zero:
        return None
    values = paired_values(expected, answer)
    if values is None or any(e == 0 for e, _ in values):
        return None
    with mpmath.workdps(FEEDBACK_DPS):
        ratios = [a / e for e, a in values]
        first = ratios[0]
        if any(abs(r - first) > mpmath.mpf(10) ** -25 * max(1, abs(first)) for r in ratios):
            return None
        if abs(first - 1) < mpmath.mpf(10) ** -25 or not 1e-9 < abs(first) < 1e9:
            return None  # equal, or a ratio so extreme that "k times" says nothing useful
        return _identify(first, expected, answer)


def _constant_difference(expected: sympy.Expr, answer: sympy.Expr) -> sympy.Expr | None:
    values = paired_values(expected, answer)
    if values is None:
        return None
    with mpmath.workdps(FEEDBACK_DPS):
        diffs = [a - e for e, a in values]
        first = diffs[0]
        if any(abs(d - first) > mpmath.mpf(10) ** -25 * max(1, abs(first)) for d in diffs):
            return None
        if abs(first) < mpmath.mpf(10) ** -25:
            return None
        return _identify(first, expected, answer, difference=True)


def _identify(
    value: Any, expected: sympy.Expr, answer: sympy.Expr, *, difference: bool = False
) -> sympy.Expr:
    """A small rational, or the exact symbolic constant, or the number itself."""
    if abs(value) < 10**15:
        fraction = Fraction(float(value)).limit_denominator(1000)
        close = mpmath.mpf(fraction.numerator) / fraction.denominator
        if abs(value - close) < mpmath.mpf(10) ** -25:
            return sympy.Rational(fraction.numerator, fraction.denominator)
    exact = sympy.cancel(answer - expected) if difference else sympy.cancel(answer / expected)
    if not exact.free_symbols and sympy.count_ops(exact) <= 6:
        return exact
    return sympy.Float(mpmath.nstr(value, 6))


def _factor_feedback(factor: sympy.Expr, target: str) -> Feedback:
    if factor == -1:
        return Feedback("sign", f"your answer has the wrong sign: it is −1 times {target}")
    if factor.is_Rational and abs(factor.p) == 1 and factor.q > 1:
        sign = "minus " if factor < 0 else ""
        return Feedback(
            "factor", f"your answer is {sign}1/{factor.q} of {target} (off by a constant factor)"
        )
    return Feedback(
        "factor", f"your answer is {pretty(factor)} times {target} (off by a constant factor)"
    )


_MAX_EXPANDED_POWER = 12


def expands_large(expr: sympy.Expr) -> bool:
    """(x−2)^600 expands to 601 terms of huge integers: too big to compare term by term."""
    return any(
        p.base.is_Add and p.exp.is_Integer and abs(int(p.exp)) > _MAX_EXPANDED_POWER
        for p in expr.atoms(sympy.Pow)
    )


def _term_feedback(expected: sympy.Expr, answer: sympy.Expr, target: str) -> list[Feedback]:
    """Missing or extra additive terms, when the rest matches term for term."""
    if sympy.count_ops(expected) + sympy.count_ops(answer) > _MAX_OPS_FOR_EXPAND:
        return []
    if expands_large(expected) or expands_large(answer):
        return []
    expected_terms = list(sympy.Add.make_args(sympy.expand(expected)))
    answer_terms = list(sympy.Add.make_args(sympy.expand(answer)))
    missing = [t for t in expected_terms if t not in answer_terms]
    extra = [t for t in answer_terms if t not in expected_terms]
    common = len(expected_terms) - len(missing)
    if common == 0 or len(missing) + len(extra) > 2:
        return []
    if missing and not extra:
        return [Feedback("missing_term", f"you are missing the term {pretty(t)}") for t in missing]
    if extra and not missing:
        return [Feedback("extra_term", f"your answer has an extra term {pretty(t)}") for t in extra]
    if len(missing) == 1 and len(extra) == 1:
        return [
            Feedback(
                "wrong_term",
                f"the rest matches, but where {target} has the term {pretty(missing[0])}, "
                f"yours has {pretty(extra[0])}",
            )
        ]
    return []
