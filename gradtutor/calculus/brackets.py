"""Brackets in maths text: what stands outside them, where one closes, where to split.

Every kind of bracket the input language reads counts the same: ``( )``, ``[ ]``,
``{ }`` (LaTeX groups too) and ``⟨ ⟩``. Pure string work: no sympy, cheap to import.
"""

from __future__ import annotations

from collections.abc import Iterator

OPENING = "([{⟨"
CLOSING = ")]}⟩"


def outside(text: str) -> Iterator[tuple[int, str]]:
    """Each character of ``text`` outside every bracket, with its index (brackets
    themselves are not yielded). A stray closing bracket closes nothing."""
    depth = 0
    for index, char in enumerate(text):
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth = max(depth - 1, 0)
        elif depth == 0:
            yield index, char


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """``text`` split at each ``separator`` outside brackets, pieces as written (unstripped):
    ``"f(a, b), c"`` → ``["f(a, b)", " c"]``."""
    pieces: list[str] = []
    start = 0
    for index, char in outside(text):
        if char == separator:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


def closing(text: str, start: int = 0) -> int | None:
    """The index of the bracket that closes the one at ``start``; None if it never closes."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] in OPENING:
            depth += 1
        elif text[index] in CLOSING:
            depth -= 1
            if depth == 0:
                return index
    return None


def balanced(text: str) -> bool:
    """Every bracket closes one opened before it, and every one opened is closed."""
    depth = 0
    for char in text:
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def bracketed_items(text: str) -> list[str] | None:
    """The items of a bracketed list, stripped: ``(8, 3, 32)`` or ``[a, b]`` → ``["8", "3",
    "32"]``. None for anything else: one item ``(a)``, or brackets that close before the
    end, ``(a, b)(c, d)``."""
    text = text.strip()
    if text[:1] not in OPENING or closing(text) != len(text) - 1:
        return None
    pieces = split_top_level(text[1:-1])
    return [piece.strip() for piece in pieces] if len(pieces) > 1 else None
