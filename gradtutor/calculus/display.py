"""Unicode display of the plain-syntax expressions a result carries (``9*x**2`` → ``9x²``).

Kept apart from the renderers so that a worker process can make these texts (it has
sympy imported already) and the command that shows them need not import sympy at all.
"""

from __future__ import annotations

from collections.abc import Iterable


def pretty(plain_text: str) -> str:
    """Unicode display of a plain-syntax expression (or vector); the text itself if it
    cannot be read (display only)."""
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
        return plain_text  # unreadable, too deep, or sympy fails on it: shown as it is


def pretty_many(texts: Iterable[str]) -> dict[str, str]:
    """``{text: pretty(text)}`` for each text."""
    return {text: pretty(text) for text in texts}
