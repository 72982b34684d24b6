"""Numbers as a learner reads them: short decimals, and the exact form where that is short."""

from __future__ import annotations

import math
from typing import Any

EXACT_MAX_CHARS = 18


def decimal(value: float, digits: int = 4) -> str:
    """``0.9526``, ``-0.25``, ``7``, ``1.2e-7``: ``digits`` significant digits."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def fixed(value: float, digits: int = 4) -> str:
    """``digits`` significant digits without an exponent (``-0.00003028``), so the text reads
    back through gradtutor's parser (which refuses ``3e-5`` as ambiguous with Euler's e)."""
    if value == 0 or not math.isfinite(value):
        return decimal(value, digits)
    places = max(0, min(30, digits - 1 - math.floor(math.log10(abs(value)))))
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def exact_text(exact: Any) -> str | None:
    """The exact value in unicode (``σ(3)``, ``1/3``, ``ln(2)``) when it is short and says
    more than the decimal does; None for a number whose decimal is already exact."""
    if exact is None:
        return None
    from gradtutor.calculus.printing import pretty

    if exact.is_Integer:
        return None
    if exact.is_Rational and _terminates(exact.q):
        return None
    if _too_big(exact):  # printing a long form only to drop it costs more than the rest
        return None
    text = pretty(exact)
    text = text.replace("−", "-")
    return text if len(text) <= EXACT_MAX_CHARS else None


def show(value: float, exact: Any = None, digits: int = 4) -> str:
    """``σ(3) ≈ 0.9526`` where the exact form is short, else ``0.9526``."""
    short = decimal(value, digits)
    text = exact_text(exact)
    if text is None or text == short:
        return short
    return f"{text} ≈ {short}"


def _too_big(exact: Any, limit: int = 10) -> bool:
    """More than ``limit`` sub-expressions: certainly longer than a short exact form."""
    from itertools import islice

    from sympy import preorder_traversal

    return sum(1 for _ in islice(preorder_traversal(exact), limit + 1)) > limit


def _terminates(q: int) -> bool:
    """Does 1/q have a finite decimal expansion (q = 2^a·5^b) of at most 6 places?"""
    places = 0
    for p in (2, 5):
        count = 0
        while q % p == 0:
            q //= p
            count += 1
        places = max(places, count)
    return q == 1 and places <= 6
