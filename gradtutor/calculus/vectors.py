"""Vectors in the input language: ``(a, b, c)``, ``[a, b]`` and ``grad(f)``.

A gradient is checked component by component with the scalar checker; this module
only splits texts into components and combines the per-component verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gradtutor.calculus.errors import ParseError

_OPEN_CLOSE = {"(": ")", "[": "]", "⟨": "⟩", "<": ">"}
_GRAD = re.compile(r"^\s*(?:grad|∇)\s*\((?P<inner>.*)\)\s*$", re.DOTALL)
_LHS = re.compile(r"^\s*(?:∇\s*\w+|grad\s*\w+|grad\s*\(\s*\w+\s*\))\s*=\s*")


@dataclass(frozen=True)
class VectorText:
    """The components of a vector as texts, and how they were written."""

    components: tuple[str, ...]
    labels: tuple[str, ...]  # "∂/∂x" for a gradient's components, "1", "2", … otherwise
    is_gradient: bool = False
    function: str | None = None  # the f of grad(f)


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split at separators outside brackets."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "([{⟨":
            depth += 1
        elif ch in ")]}⟩":
            depth -= 1
        if ch == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def read_vector(text: str) -> VectorText | None:
    """Components of ``text`` if it is a vector or a gradient; None for a scalar."""
    text = _LHS.sub("", text, count=1)
    grad = _GRAD.match(text)
    if grad:
        return _gradient(grad.group("inner"))
    stripped = text.strip()
    if len(stripped) < 2 or _OPEN_CLOSE.get(stripped[0]) != stripped[-1]:
        return None
    inner = stripped[1:-1]
    if not _balanced(inner):
        return None  # "(x+1)(x-1)" opens and closes with brackets but is one product
    parts = split_top_level(inner)
    if len(parts) < 2:
        return None
    if any(not p.strip() for p in parts):
        raise ParseError("a vector component is empty", stripped, None, hint="write (a, b)")
    return VectorText(
        components=tuple(p.strip() for p in parts),
        labels=tuple(str(i + 1) for i in range(len(parts))),
    )


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "([{⟨":
            depth += 1
        elif ch in ")]}⟩":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _gradient(inner: str) -> VectorText:
    """``grad(f)`` or ``grad(f, x, y)``: one ∂/∂v(f) per variable (sorted, or as listed)."""
    from gradtutor.calculus.parsing import parse

    pieces = split_top_level(inner)
    function = pieces[0]
    if len(pieces) > 1:
        names = [p.strip() for p in pieces[1:]]
        if not all(re.fullmatch(r"[A-Za-z\u0370-\u03ff]\w*", n) for n in names):
            raise ParseError("grad(f, x, y) takes variable names after the function", inner, None)
    else:
        names = [s.name for s in parse(function).symbols]
        if not names:
            raise ParseError(
                "this function has no variables, so it has no gradient", function, None
            )
    return VectorText(
        components=tuple(f"∂/∂{name}({function})" for name in names),
        labels=tuple(f"∂/∂{name}" for name in names),
        is_gradient=True,
        function=function.strip(),
    )
