"""Vectors in the input language: ``(a, b, c)``, ``[a, b]`` and ``grad(f)``.

A gradient is checked component by component with the scalar checker
(:func:`gradtutor.calculus.equivalence.check`); this module splits texts into components and
combines the per-component verdicts (:func:`check_vectors`): the worst decides, the time limit
covers the whole vector, and right components in another order are named.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, replace
from typing import Any

from gradtutor.calculus import display
from gradtutor.calculus.brackets import balanced, closing, split_top_level
from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.results import CheckResult, Feedback, InputError, Verdict

_OPEN_CLOSE = {"(": ")", "[": "]", "{": "}", "⟨": "⟩", "<": ">"}
_GRAD_HEAD = re.compile(r"\s*(?:grad|∇)\s*")
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


def read_vector(text: str) -> VectorText | None:
    """Components of ``text`` if it is a vector or a gradient; None for a scalar."""
    from gradtutor.calculus.latex import latex_to_plain, looks_like_latex

    if looks_like_latex(text):
        text = latex_to_plain(text)
    text = _LHS.sub(lambda m: " " * len(m.group()), text, count=1)
    grad = grad_argument(text)
    if grad is not None:
        return _gradient(text, *grad)
    stripped = text.strip()
    if len(stripped) < 2 or _OPEN_CLOSE.get(stripped[0]) != stripped[-1]:
        return None
    inner_start = text.index(stripped[0]) + 1
    inner = stripped[1:-1]
    if not balanced(inner):
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


def grad_argument(text: str) -> tuple[int, str] | None:
    """Where the inside of ``grad(f)``, ``grad(f, x, y)``, ``∇(f)`` or ``∇f`` starts in
    ``text``, and that inside; None when ``text`` is not one gradient as a whole
    (``grad(x)*grad(y)``: the bracket after ``grad`` closes before the end)."""
    head = _GRAD_HEAD.match(text)
    if head is None:
        return None
    start, end = head.end(), len(text.rstrip())
    if text.startswith("(", start) and closing(text, start) == end - 1:
        return start + 1, text[start + 1 : end - 1]
    if "∇" in head.group() and start < end:
        return start, text[start:end]  # ∇ applies to all that follows it
    return None


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


# --- checking a vector, component by component ---------------------------------------------


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


# For a vector, the worst component decides. A component that is surely wrong makes the
# vector wrong even if another ran out of time.
_SEVERITY = {
    Verdict.EQUIVALENT: 0,
    Verdict.DOMAIN_DEPENDENT: 1,
    Verdict.UNDETERMINED: 2,
    Verdict.NOT_EQUIVALENT: 3,
    Verdict.INVALID: 4,
}


def is_bad_vector(text: str) -> bool:
    try:
        read_vector(text)
    except ParseError:
        return True
    return False


def check_vectors(
    expected: str,
    answer: str,
    expected_vector: VectorText | None,
    answer_vector: VectorText | None,
    *,
    time_limit: float | None,
    start: float,
) -> CheckResult:
    """A gradient or vector: each component checked on its own, the worst verdict overall.

    The time limit covers the whole vector, not each component."""
    deadline = start + time_limit if time_limit else None
    vectors = {"expected": expected_vector, "answer": answer_vector}
    for side, vector in vectors.items():
        if vector is not None:  # a typo in any component makes the input invalid
            invalid = _first_invalid(vector, side)
            if invalid is not None:
                return CheckResult(verdict=Verdict.INVALID, error=invalid, elapsed_ms=_ms(start))
    if expected_vector is None or answer_vector is None:
        return _vector_and_scalar(expected, answer, expected_vector, answer_vector, deadline, start)
    n, m = len(expected_vector.components), len(answer_vector.components)
    if n != m:
        return CheckResult(
            verdict=Verdict.NOT_EQUIVALENT,
            expected=_join(expected_vector.components),
            answer=_join(answer_vector.components),
            feedback=(Feedback("shape", f"the expected answer has {n} components, yours has {m}"),),
            elapsed_ms=_ms(start),
        )
    parts = tuple(
        _check_within(e, a, deadline)
        for e, a in zip(expected_vector.components, answer_vector.components, strict=True)
    )
    return _combine(expected_vector, answer_vector, parts, deadline, start)


def _first_invalid(vector: VectorText, side: str) -> InputError | None:
    from gradtutor.calculus.parsing import parse

    for index, component in enumerate(vector.components):
        try:
            parse(component)
        except ParseError as exc:
            return InputError(
                exc.message, side, vector.column(index, exc.column), exc.hint, vector.text
            )
    return None


def _check_within(expected: str, answer: str, deadline: float | None) -> CheckResult:
    """One component, with what is left of the whole check's time (the scalar checker)."""
    from gradtutor.calculus import equivalence

    if deadline is None:
        return equivalence.check(expected, answer, time_limit=None)
    left = deadline - time.perf_counter()
    if left <= 0:
        return CheckResult(
            verdict=Verdict.UNDETERMINED,
            feedback=(Feedback("time_limit", "no time was left to check this component"),),
        )
    result = equivalence.check(expected, answer, time_limit=left)
    if result.verdict != Verdict.UNDETERMINED:
        return result
    # A component that ran out of the time left must not name that remainder ("within
    # 0.750681 s"): the limit the learner set covers the whole vector.
    feedback = tuple(
        Feedback(f.kind, _OUT_OF_TIME) if f.kind == "time_limit" else f for f in result.feedback
    )
    return replace(result, feedback=feedback)


_OUT_OF_TIME = (
    "gradtutor could not decide this component within the time limit (which covers the "
    "whole vector); this says nothing about whether it is right"
)


def _vector_and_scalar(
    expected: str,
    answer: str,
    expected_vector: VectorText | None,
    answer_vector: VectorText | None,
    deadline: float | None,
    start: float,
) -> CheckResult:
    from gradtutor.calculus.parsing import parse

    vector = expected_vector or answer_vector
    assert vector is not None
    if len(vector.components) == 1:  # grad(x^2) against 2x: a one-component vector is a number
        if expected_vector is not None:
            return _check_within(vector.components[0], answer, deadline)
        return _check_within(expected, vector.components[0], deadline)
    scalar_side, scalar = ("expected", expected) if expected_vector is None else ("answer", answer)
    try:
        parse(scalar)
    except ParseError as exc:
        error = InputError(exc.message, scalar_side, exc.column, exc.hint, exc.text)
        return CheckResult(verdict=Verdict.INVALID, error=error, elapsed_ms=_ms(start))
    what = "the gradient" if vector.is_gradient else "a vector"
    count = len(vector.components)
    message = (
        f"the expected answer is {what} with {count} components; yours is a single expression"
        if expected_vector is not None
        else f"your answer is a vector with {count} components; "
        "the expected answer is a single expression"
    )
    return CheckResult(
        verdict=Verdict.NOT_EQUIVALENT,
        expected=expected,
        answer=answer,
        feedback=(Feedback("shape", message),),
        elapsed_ms=_ms(start),
    )


def _combine(
    expected_vector: VectorText,
    answer_vector: VectorText,
    parts: tuple[CheckResult, ...],
    deadline: float | None,
    start: float,
) -> CheckResult:
    labels = expected_vector.labels
    worst = max(parts, key=lambda r: _SEVERITY[r.verdict])
    feedback = [
        Feedback(f.kind, f"{label}: {f.message}", f.id)
        for label, part in zip(labels, parts, strict=True)
        for f in part.feedback
    ]
    if worst.verdict is Verdict.NOT_EQUIVALENT:
        order = _order_feedback(expected_vector, answer_vector, deadline)
        if order is not None:
            feedback.insert(0, order)
    error = worst.error
    if error is not None:
        index = parts.index(worst)
        vector = expected_vector if error.side == "expected" else answer_vector
        error = InputError(
            error.message, error.side, vector.column(index, error.column), error.hint, vector.text
        )
    expected_value = _join(p.expected_value for p in parts)
    derivative_mode = any(p.derivative_mode for p in parts)
    return CheckResult(
        verdict=worst.verdict,
        expected=_join(p.expected for p in parts),
        answer=_join(p.answer for p in parts),
        expected_value=expected_value,
        expected_value_shown=_shown_value(parts, expected_value) if derivative_mode else None,
        expected_read_as=_gradient_read_as(expected_vector)
        or _join(p.expected_read_as for p in parts),
        read_as=_join(p.read_as for p in parts),
        counterexample=worst.counterexample,
        feedback=tuple(feedback),
        domain=worst.domain,
        error=error,
        elapsed_ms=_ms(start),
        derivative_mode=derivative_mode,
        components=parts,
        labels=labels,
    )


def _shown_value(parts: tuple[CheckResult, ...], expected_value: str) -> str | None:
    """The vector of the components' display forms; made here when a component has none
    (not a derivative, so not made by the scalar checker)."""
    shown = [p.expected_value_shown for p in parts]
    if all(s is not None for s in shown):
        return _join(shown)
    return display.pretty(expected_value)


def _order_feedback(
    expected_vector: VectorText, answer_vector: VectorText, deadline: float | None
) -> Feedback | None:
    """Right components in another order (∂/∂b before ∂/∂w): say so rather than "wrong"."""
    n = len(expected_vector.components)
    if n > 4:
        return None
    for order in itertools.permutations(range(n)):
        if list(order) == list(range(n)):
            continue
        if all(
            _check_within(
                expected_vector.components[i], answer_vector.components[j], deadline
            ).verdict
            is Verdict.EQUIVALENT
            for i, j in enumerate(order)
        ):
            if expected_vector.is_gradient:
                variables = ", ".join(label.removeprefix("∂/∂") for label in expected_vector.labels)
                message = (
                    f"your components are right but in another order: the gradient is taken "
                    f"over ({variables}) in that order; write grad(f, …) with the variables "
                    "in the order you want"
                )
            else:
                message = "your components are right but in another order"
            return Feedback("order", message)
    return None


def _gradient_read_as(vector: VectorText) -> str | None:
    from gradtutor.calculus.parsing import parse
    from gradtutor.calculus.printing import pretty_in_typed_order

    if not vector.is_gradient or vector.function is None:
        return None
    variables = ", ".join(label.removeprefix("∂/∂") for label in vector.labels)
    try:
        shown = pretty_in_typed_order(parse(vector.function).expr, vector.function)
        return f"∇({shown}) over ({variables})"
    except ParseError:
        return None


def _join(items: Any) -> str:
    return "(" + ", ".join(item if item is not None else "?" for item in items) + ")"
