"""Decimal answers to questions with an exact value: right to the digits typed, or close.

Learners of neural networks compute in decimals: ``-0.00127`` for a backprop gradient whose
exact value is a product of sigmoids. A decimal is *right* when it is the exact value
rounded (either way on a tie) or truncated to the decimal places typed and has at least
three significant digits; *close* when it agrees with fewer significant digits, or is
within 1% of the exact value; otherwise *wrong*. A decimal equal to the exact value
(``0.25`` for 1/4) is right whatever its length.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import sympy

    from gradtutor.calculus.results import CheckResult

MIN_SIGNIFICANT = 3  # digits a decimal needs to count as right without being exact
NEAR = Fraction(1, 100)  # a relative miss within this is "close"
_DECIMAL = re.compile(r"^\s*([+\-\u2212]?)\s*(\d*)\.(\d+)\s*$")
_GUARD_DIGITS = 30  # extra digits when a non-rational exact value is evaluated


class DecimalMatch(StrEnum):
    """How a decimal compares with an exact number."""

    RIGHT = "right"  # to the digits typed, with enough of them
    CLOSE = "close"  # too few digits, or within 1%: not a try
    WRONG = "wrong"


@dataclass(frozen=True)
class DecimalJudgement:
    """The verdict on one decimal (see :class:`DecimalMatch`)."""

    verdict: DecimalMatch
    significant_digits: int
    exact_text: str
    decimal_places: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "significant_digits": self.significant_digits,
            "exact": self.exact_text,
        }


def read_decimal(typed: str) -> tuple[Fraction, int, int] | None:
    """``(value, decimal places, significant digits)`` of a plain decimal literal such as
    ``-0.00127`` or ``.5``; None for anything else (integers, ``1e-3``, expressions)."""
    match = _DECIMAL.match(typed)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    digits = (whole + fraction).lstrip("0")
    value = Fraction(int(whole or "0") * 10 ** len(fraction) + int(fraction), 10 ** len(fraction))
    if sign in ("-", "\u2212"):
        value = -value
    return value, len(fraction), len(digits)


def judge_decimal(typed: str, exact: sympy.Expr) -> DecimalJudgement | None:
    """How the decimal ``typed`` compares with the number ``exact``; None when ``typed`` is
    not a plain decimal literal or ``exact`` is not a finite real number."""
    read = read_decimal(typed)
    if read is None:
        return None
    value, places, significant = read
    scaled = _scaled(exact, places)
    if scaled is None:
        return None
    exact_text = _exact_text(exact)

    def judgement(verdict: DecimalMatch) -> DecimalJudgement:
        return DecimalJudgement(verdict, significant, exact_text, places)

    typed_scaled = value * 10**places
    if typed_scaled == scaled:
        return judgement(DecimalMatch.RIGHT)  # the decimal is the exact value itself
    agrees = typed_scaled in _acceptable(scaled)
    if agrees and significant >= MIN_SIGNIFICANT:
        return judgement(DecimalMatch.RIGHT)
    if agrees or (scaled != 0 and abs(typed_scaled - scaled) <= NEAR * abs(scaled)):
        return judgement(DecimalMatch.CLOSE)
    return judgement(DecimalMatch.WRONG)


def _acceptable(scaled: Fraction) -> set[int]:
    """The integers a decimal may show for ``scaled`` (the exact value times 10^places):
    rounded to nearest (both on a tie) or truncated toward zero."""
    floor = math.floor(scaled)
    nearest = {floor} if scaled - floor < Fraction(1, 2) else {floor + 1}
    if scaled - floor == Fraction(1, 2):
        nearest = {floor, floor + 1}
    return nearest | {math.trunc(scaled)}


def _scaled(exact: sympy.Expr, places: int) -> Fraction | None:
    """``exact`` × 10^places as a fraction: exact for rationals, else to 30 more digits than
    its own size needs (enough that rounding and truncation decide as on the true value)."""
    import sympy

    exact = sympy.sympify(exact)
    if exact.free_symbols:
        return None
    if exact.is_Rational:
        return Fraction(int(exact.p), int(exact.q)) * 10**places
    try:
        rough = complex(sympy.N(exact, 15))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if rough.imag != 0 or not math.isfinite(rough.real):
        return None
    magnitude = max(0, int(math.log10(abs(rough.real))) + 1) if rough.real else 0
    digits = places + magnitude + _GUARD_DIGITS
    precise = sympy.N(exact * sympy.Integer(10) ** places, digits)
    if not precise.is_Float:
        return None
    return Fraction(sympy.Rational(precise).p, sympy.Rational(precise).q)


def _exact_text(exact: sympy.Expr) -> str:
    from gradtutor.calculus.printing import plain

    return plain(exact)


def exact_form_example(exact: sympy.Expr) -> str:
    """An example of an exact form in the style of ``exact`` (never the value itself):
    ``σ(1)`` when it holds sigmoids, ``ln(2)`` for logarithms, ``e^2`` for exponentials,
    else a fraction ``1/3``."""
    text = _exact_text(exact)
    for marker, example in (
        ("sigmoid", "σ(1)"),
        ("σ", "σ(1)"),
        ("log", "ln(2)"),
        ("ln", "ln(2)"),
        ("exp", "e^2"),
        ("e^", "e^2"),
        ("tanh", "tanh(1)"),
        ("sqrt", "sqrt(2)"),
    ):
        if marker in text:
            return example
    return "1/3"


def within_tolerance(expected: sympy.Expr, answer: sympy.Expr, relative: float) -> bool:
    """Whether the number ``answer`` is within ``relative`` × |expected| of the number
    ``expected`` (both free of variables; an expected 0 needs an exact 0)."""
    if expected.free_symbols or answer.free_symbols:
        return False
    bound = Fraction(str(relative))
    scaled_expected, scaled_answer = _scaled(expected, 0), _scaled(answer, 0)
    if scaled_expected is None or scaled_answer is None:
        return False
    return abs(scaled_answer - scaled_expected) <= bound * abs(scaled_expected)


def with_tolerance(result: CheckResult, relative: float) -> CheckResult:
    """A check result re-judged with a relative tolerance (``check --tolerance``): a number
    within ``relative`` of an expected number is equivalent, with a note saying so. Any
    other result is returned as it is."""
    from dataclasses import replace

    from gradtutor.calculus.results import Verdict

    if result.verdict != Verdict.NOT_EQUIVALENT or result.components:
        return result
    expected, answer = _number_or_none(result.expected_value), _number_or_none(result.answer)
    if expected is None or answer is None or not within_tolerance(expected, answer, relative):
        return result
    note = f"equal within the relative tolerance {relative:g} (not exactly equal)"
    return replace(
        result,
        verdict=Verdict.EQUIVALENT,
        counterexample=None,
        feedback=(),
        notes=(*result.notes, note),
    )


def _number_or_none(text: str | None) -> sympy.Expr | None:
    if text is None:
        return None
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.parsing import parse

    try:
        value = parse(text).value
    except (ParseError, ValueError):
        return None
    return None if value.free_symbols else value
