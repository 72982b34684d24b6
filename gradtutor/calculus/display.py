"""Unicode display of the plain-syntax expressions a result carries (``9*x**2`` → ``9x²``).

The engine makes these texts where it has the maths (and sympy) at hand, and the result
carries them (:attr:`CheckResult.expected_value_shown`, :attr:`CheckResult.simplest_shown`):
the renderers only format, and the command that shows them need not import sympy at all.
"""

from __future__ import annotations


def pretty(plain_text: str) -> str | None:
    """Unicode display of a plain-syntax expression (or vector) as it reads back through
    the parser; None if it cannot be read back (the plain text will do)."""
    from gradtutor.calculus.errors import maths_failure
    from gradtutor.calculus.parsing import parse
    from gradtutor.calculus.vectors import read_vector

    try:
        vector = read_vector(plain_text)
        if vector is not None:
            return "(" + ", ".join(parse(c).pretty for c in vector.components) + ")"
        return parse(plain_text).pretty
    except Exception as exc:
        if not maths_failure(exc):
            raise  # a bug in gradtutor: exit 70
        return None  # unreadable, too deep, or sympy fails on it: the plain text will do
