"""Vectors in the input language: ``(a, b, c)``, ``[a, b]`` and ``grad(f)``.

A gradient is checked component by component with the scalar checker; this module
only splits texts into components and combines the per-component verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gradtutor.calculus.errors import ParseError

_OPEN_CLOSE = {"(": ")", "[": "]", "{": "}", "⟨": "⟩", "<": ">"}
_GRAD = re.compile(r"^\s*(?:grad|∇)\s*\((?P<inner>.*)\)\s*$", re.DOTALL)
_LHS = re.compile(r"^\s*(?:∇\s*\w+|grad\s*\w+|grad\s*\(\s*\w+\s*\))\s*=\s*")


@dataclass(frozen=True)
class VectorText:
    """The components of a vector as texts, and how they were written."""

    components: tuple[str, ...]
    labels: tuple[str, ...]  # "∂/∂x" for a gradient's components, "1", "2", … otherwise
    is_gradient: bool = False
    function: str | None = None  # the f of grad(f)
    offsets: tuple[int, ...] = ()  # where each component starts in the text (for carets)
    text: str = ""  # the text the components were read from (after LaTeX translation)

    def column(self, index: int, column: int | None) -> int | None:
        """A column inside component ``index`` as a column of the whole text."""
        if column is None or not self.offsets:
            return None
        if self.is_gradient and self.function is not None:
            prefix = len(self.components[index]) - len(self.function) - 1  # "∂/∂x("
            return self.offsets[index] + max(column - prefix, 0)
        return self.offsets[index] + column


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
    if "\\" in text or text.strip().startswith("$"):
        from gradtutor.calculus.latex import latex_to_plain

        text = latex_to_plain(text)
    text = _LHS.sub(lambda m: " " * len(m.group()), text, count=1)
    grad = _GRAD.match(text)
    if grad:
        return _gradient(text, grad.start("inner"), grad.group("inner"))
    stripped = text.strip()
    if len(stripped) < 2 or _OPEN_CLOSE.get(stripped[0]) != stripped[-1]:
        return None
    inner_start = text.index(stripped[0]) + 1
    inner = stripped[1:-1]
    if not _balanced(inner):
        return None  # "(x+1)(x-1)" opens and closes with brackets but is one product
    parts = split_top_level(inner)
    if len(parts) < 2:
        return None
    offsets, position = [], inner_start
    for part in parts:
        offsets.append(position + len(part) - len(part.lstrip()))
        position += len(part) + 1
    for part, offset in zip(parts, offsets, strict=True):
        if not part.strip():
            raise ParseError("a vector component is empty", text, offset, hint="write (a, b)")
        if read_vector(part) is not None and part.strip()[0] in _OPEN_CLOSE:
            raise ParseError("a vector inside a vector isn't supported", text, offset)
    return VectorText(
        components=tuple(p.strip() for p in parts),
        labels=tuple(str(i + 1) for i in range(len(parts))),
        offsets=tuple(offsets),
        text=text,
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


def _natural(name: str) -> tuple[str, int, str]:
    """x1 < x2 < x10: letters, then the number, then the rest."""
    m = re.fullmatch(r"([^\d_]*)_?(\d*)(.*)", name)
    assert m is not None
    return (m.group(1), int(m.group(2) or -1), m.group(3))


def _gradient(text: str, inner_start: int, inner: str) -> VectorText:
    """``grad(f)`` or ``grad(f, x, y)``: one ∂/∂v(f) per variable (natural order, or as listed)."""
    from gradtutor.calculus.parsing import parse

    pieces = split_top_level(inner)
    function = pieces[0]
    if not function.strip():
        raise ParseError("grad() needs a function: grad(x^2 y)", text, inner_start)
    offset = inner_start + len(function) - len(function.lstrip())
    if len(pieces) > 1:
        names = [p.strip() for p in pieces[1:]]
        if not all(re.fullmatch(r"[A-Za-z\u0370-\u03ff]\w*", n) for n in names):
            raise ParseError(
                "grad(f, x, y) takes variable names after the function", text, inner_start
            )
        if len(set(names)) != len(names):
            raise ParseError("grad(f, x, y) names a variable twice", text, inner_start)
    else:
        names = sorted((s.name for s in parse(function).symbols), key=_natural)
        if not names:
            raise ParseError(
                "this function has no variables, so it has no gradient", text, inner_start
            )
    return VectorText(
        components=tuple(f"∂/∂{name}({function})" for name in names),
        labels=tuple(f"∂/∂{name}" for name in names),
        is_gradient=True,
        function=function.strip(),
        offsets=tuple(offset for _ in names),
        text=text,
    )
