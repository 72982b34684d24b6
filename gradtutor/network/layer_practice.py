"""Practice on a network: the learner gives a layer's gradient as a matrix.

A matrix answer (``[[0.1, -0.2], [0.3, 0.0], [0, 0]]``) is checked shape first ("yours is
2×3; W¹ is 3×2"), then element by element, naming the wrong entries. Each element is a
decimal judged to the digits typed, or an exact form read by gradtutor's parser. The buggy
twins of the layer rules are blocks of :mod:`gradtutor.network.misconceptions`, registered
beside the graph rules' twins; a matrix answer is judged against them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradtutor.errors import GradtutorError
from gradtutor.network.layers import NetResult, output_activation
from gradtutor.network.misconceptions import MATRIX_TWINS

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_ELEMENTS = 4096


def sup(n: int) -> str:
    return str(n).translate(SUPERSCRIPT)


def shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


@dataclass(frozen=True)
class MatrixEntry:
    """One layer quantity to fill in: δˡ, ∂L/∂Wˡ, ∂L/∂bˡ or ∂ℓ/∂aˡ⁻¹."""

    key: str  # "delta2", "dW2", "db2", "da1"
    name: str  # "∂L/∂W²"
    prompt: str
    expected: Any  # numpy array
    rule: str  # the formula, with shapes

    def to_text(self) -> str:
        return format_matrix(self.expected)

    @property
    def expected_text(self) -> str:
        return format_matrix(self.expected, digits=17)


def format_matrix(array: Any, digits: int = 6) -> str:
    """``[[0.1, -0.2], [0.3, 0]]`` — the form the learner types, read back by the parser."""
    from gradtutor.network.numbers import fixed

    rows = ", ".join("[" + ", ".join(fixed(float(v), digits) for v in row) + "]" for row in array)
    return f"[{rows}]"


def matrix_entries(result: NetResult) -> list[MatrixEntry]:
    """Backward through the layers, output first."""
    entries = []
    n_layers = len(result.layers)
    spec = result.spec
    for index in range(n_layers - 1, -1, -1):
        layer = result.layers[index]
        number = index + 1
        prev = "x" if index == 0 else f"a{sup(index)}"
        if index == n_layers - 1:
            out = output_activation(spec.loss)
            rule = {
                "linear": "2(ŷ − y) for ℓ = Σ(ŷ − y)² with ŷ = z",
                "sigmoid": "p − y for binary cross-entropy with p = σ(z)",
                "softmax": "p − y for cross-entropy with p = softmax(z)",
            }[out]
        else:
            rule = f"(W{sup(number + 1)}ᵀδ{sup(number + 1)}) ⊙ {spec.activation}′(z{sup(number)})"
        delta = f"δ{sup(number)}"
        entries.append(
            MatrixEntry(
                f"delta{number}",
                delta,
                f"{delta} = ∂ℓ/∂z{sup(number)} = ?   ({shape_text(layer.delta.shape)}, "
                "one column per example)",
                layer.delta,
                rule,
            )
        )
        entries.append(
            MatrixEntry(
                f"dW{number}",
                f"∂L/∂W{sup(number)}",
                f"∂L/∂W{sup(number)} = ?   "
                f"({shape_text(layer.W.shape)}, the shape of W{sup(number)})",
                layer.dW,
                f"mean over the batch of {delta}·{prev}ᵀ",
            )
        )
        entries.append(
            MatrixEntry(
                f"db{number}",
                f"∂L/∂b{sup(number)}",
                f"∂L/∂b{sup(number)} = ?   ({shape_text(layer.b.shape)})",
                layer.db,
                f"mean over the batch of {delta}",
            )
        )
        if index > 0:
            entries.append(
                MatrixEntry(
                    f"da{index}",
                    f"∂ℓ/∂a{sup(index)}",
                    f"∂ℓ/∂a{sup(index)} = ?   ({shape_text(layer.da_prev.shape)})",
                    layer.da_prev,
                    f"W{sup(number)}ᵀ{delta}",
                )
            )
    return entries


class MatrixError(GradtutorError, ValueError):
    """The answer is not a matrix of numbers (a message for the learner)."""


def read_matrix(text: str) -> tuple[list[list[float]], list[list[str]]]:
    """``[[1, 2], [3, 4]]`` or ``[1, 2]`` (one row) → numbers and the element texts."""
    from gradtutor.calculus.brackets import split_top_level
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.parsing import parse

    stripped = text.strip()
    if not (stripped.startswith("[") and stripped.endswith("]")):
        raise MatrixError("give a matrix in brackets, like [[0.1, -0.2], [0.3, 0]]")
    inner = stripped[1:-1].strip()
    if inner.startswith("["):
        row_texts = [r.strip() for r in split_top_level(inner)]
        if not all(r.startswith("[") and r.endswith("]") for r in row_texts):
            raise MatrixError("every row goes in its own brackets: [[1, 2], [3, 4]]")
        rows = [[e.strip() for e in split_top_level(r[1:-1])] for r in row_texts]
    else:
        rows = [[e.strip() for e in split_top_level(inner)]]
    if sum(len(r) for r in rows) > MAX_ELEMENTS:
        raise MatrixError(f"at most {MAX_ELEMENTS} entries")
    values = []
    for i, row in enumerate(rows, 1):
        out = []
        for j, element in enumerate(row, 1):
            try:
                expr = parse(element).value
            except ParseError as exc:
                raise MatrixError(f"entry ({i}, {j}) {element!r} is not maths: {exc}") from None
            if expr.free_symbols:
                raise MatrixError(f"entry ({i}, {j}) {element!r} is not a number")
            try:
                out.append(float(expr.evalf(30)))
            except (TypeError, ValueError):
                raise MatrixError(f"entry ({i}, {j}) {element!r} is not a real number") from None
        values.append(out)
    if len({len(r) for r in rows}) != 1:
        raise MatrixError("the rows have different lengths")
    return values, rows


@dataclass(frozen=True)
class MatrixJudgement:
    verdict: str  # correct | wrong | invalid
    message: str
    misconception: str | None = None
    wrong_entries: tuple[tuple[int, int], ...] = ()


def judge_matrix(result: NetResult, entry: MatrixEntry, text: str) -> MatrixJudgement:
    """Shape first, then element by element; a twin is named when it explains every entry."""
    import numpy as np

    try:
        values, texts = read_matrix(text)
    except MatrixError as exc:
        return MatrixJudgement("invalid", str(exc))
    answer = np.array(values, dtype=float)
    expected = entry.expected
    for twin in MATRIX_TWINS:
        buggy = twin.value(result, entry)
        if buggy is None or buggy.shape != answer.shape or not _all_match(answer, texts, buggy):
            continue
        if not (buggy.shape == expected.shape and _all_match(answer, texts, expected)):
            return MatrixJudgement("wrong", twin.message, twin.id)
    if answer.shape != expected.shape:
        return MatrixJudgement(
            "wrong",
            f"yours is {shape_text(answer.shape)}; {entry.name} is {shape_text(expected.shape)}",
        )
    wrong = tuple(
        (i + 1, j + 1)
        for i in range(expected.shape[0])
        for j in range(expected.shape[1])
        if not _element_matches(texts[i][j], answer[i, j], expected[i, j])
    )
    if not wrong:
        return MatrixJudgement("correct", "right")
    named = ", ".join(f"({i}, {j})" for i, j in wrong[:8]) + (" …" if len(wrong) > 8 else "")
    count = f"{len(wrong)} of {expected.size} entries"
    return MatrixJudgement(
        "wrong", f"{count} wrong: {named}; the rule: {entry.name} = {entry.rule}", None, wrong
    )


def _all_match(answer: Any, texts: list[list[str]], target: Any) -> bool:
    return all(
        _element_matches(texts[i][j], answer[i, j], target[i, j])
        for i in range(target.shape[0])
        for j in range(target.shape[1])
    )


def _element_matches(text: str, value: float, expected: float) -> bool:
    """A decimal right to the digits typed (≥ 3 significant, or exact), else equal to 1e-9."""
    import sympy

    from gradtutor.calculus.decimal_answer import DecimalMatch, judge_decimal

    judged = judge_decimal(text, sympy.Float(float(expected), 17))
    if judged is not None:
        if judged.verdict == DecimalMatch.RIGHT:
            return True
        # a small entry typed to 3 or more places: 0.003 for 0.00312 agrees at those places
        places = _places(text)
        return places >= 3 and abs(expected) < 0.01 and abs(value - expected) < 10**-places
    return abs(value - expected) <= 1e-9 * max(1.0, abs(value), abs(expected))


def _places(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0
