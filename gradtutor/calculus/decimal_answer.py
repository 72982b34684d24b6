"""Judge a typed decimal against an exact value: right to the digits typed, or close.

The API agreed between helpers (the quiz helper owns the final module)::

    judge_decimal(typed, exact) -> DecimalJudgement | None

``None`` when ``typed`` is not a plain decimal literal (``-0.00127``, ``0.0039``, ``12``);
``1.5e-3`` is not one (the parser refuses it as ambiguous with Euler's e).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import sympy

__all__ = ["DecimalJudgement", "judge_decimal"]

_LITERAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
MIN_SIGNIFICANT = 3
CLOSE_RELATIVE = 0.01


@dataclass(frozen=True)
class DecimalJudgement:
    """``verdict``: right (agrees to the digits typed, ≥ 3 significant), close, or wrong."""

    verdict: str
    significant_digits: int
    exact_text: str


def judge_decimal(typed: str, exact: sympy.Expr) -> DecimalJudgement | None:
    """Does the decimal ``typed`` agree with ``exact`` to the places typed?"""
    text = typed.strip().replace("−", "-")
    if not _LITERAL.match(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only literals
        return None
    places = len(text.split(".", 1)[1]) if "." in text else 0
    digits = _significant(text)
    value, exact_text = _exact_decimal(exact)
    if value is None:
        return DecimalJudgement("wrong", digits, exact_text)
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    truncated = value.quantize(quantum, rounding=ROUND_DOWN)
    agrees = number in (rounded, truncated) or number == value
    if agrees and (digits >= MIN_SIGNIFICANT or number == value):
        return DecimalJudgement("right", digits, exact_text)
    relative_ok = value != 0 and abs(number - value) <= abs(value) * Decimal(str(CLOSE_RELATIVE))
    if agrees or relative_ok:
        return DecimalJudgement("close", digits, exact_text)
    return DecimalJudgement("wrong", digits, exact_text)


def _significant(text: str) -> int:
    """Significant digits of a decimal literal: from the first non-zero digit on."""
    digits = text.lstrip("+-").replace(".", "")
    stripped = digits.lstrip("0")
    if not stripped:
        return 1 if "." not in text else max(1, len(text.split(".", 1)[1]))
    return len(stripped)


def _exact_decimal(exact: sympy.Expr) -> tuple[Decimal | None, str]:
    import sympy

    from gradtutor.calculus.printing import plain

    expr = sympy.sympify(exact)
    try:
        number = expr.evalf(40)
    except (TypeError, ValueError):  # pragma: no cover - sympy refuses odd inputs
        return None, plain(expr)
    if not number.is_real or not number.is_finite:
        return None, plain(expr)
    try:
        value = Decimal(str(number))
    except InvalidOperation:  # pragma: no cover - sympy prints reals as decimals
        return None, plain(expr)
    shown = plain(expr) if not expr.is_Float else f"{float(expr):.10g}"
    return value, shown
