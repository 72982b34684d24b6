"""Chain-rule decomposition judged against the learner's own split.

A chain question asks for g(u), u(x), g'(u), u'(x) and f'(x). The pack gives one split (the
usual one: u is the whole inside), but every non-trivial pair with g(u(x)) ≡ f is right:
sin(2x⁴) is also g(u) = sin(2u) with u = x⁴. So g(u) is accepted when some inner part of f
makes it compose to f, u(x) when it composes with the learner's g, and g'(u), u'(x) are
judged as the derivatives of the learner's own g and u. A split other than the usual one is
right, with a note saying which split is more usual.

Pure: no rich, no typer. Returns ``None`` wherever the ordinary check applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.calculus.results import CheckResult
    from gradtutor.tutor.models import Exercise

LABELS = ("g(u)", "u(", "g'(u)", "u'(", "f'(")


@dataclass(frozen=True)
class PartJudgement:
    """The engine's result for one part, judged against the learner's split, and a note."""

    result: CheckResult
    note: str | None = None


def is_chain(exercise: Exercise) -> bool:
    labels = [p.label for p in exercise.parts]
    return (
        getattr(exercise, "kind", None) == "chain"
        and len(labels) == 5
        and all(label.startswith(start) for label, start in zip(labels, LABELS, strict=True))
    )


def judge_chain_part(
    exercise: Exercise, index: int, text: str, accepted: Mapping[int, str]
) -> PartJudgement | None:
    """Part ``index`` of a chain question judged against the learner's own split.

    ``accepted``: the texts of parts already answered right, by part index. None when the
    ordinary check (against the pack's split) applies: not a chain question, the f'(x) part,
    an answer that does not read, or the learner's split is the usual one."""
    from gradtutor.calculus.errors import ParseError

    if not is_chain(exercise) or index > 3:
        return None
    try:
        split = _Split.of(exercise)
        if index == 0:
            return _judge_outer(split, text)
        mine = split.learners(accepted.get(0))
        if mine is None:
            return None
        g, inner = mine
        if index == 1:
            return _judge_inner(split, g, inner, text)
        if index == 2:
            return _against(f"d/du({_plain(g)})", text)
        theirs = split.parse(accepted[1]) if 1 in accepted else inner
        return _against(f"d/d{split.var}({_plain(theirs)})", text)
    except (ParseError, ValueError):
        return None


@dataclass(frozen=True)
class _Split:
    outer: str  # the pack's g(u) and u(x), as the exercise's expected answers
    inner: str
    var: str

    @staticmethod
    def of(exercise: Exercise) -> _Split:
        parts = exercise.parts
        var = parts[1].label[2:-1] or "x"
        return _Split(parts[0].expected, parts[1].expected, var)

    def parse(self, text: str) -> Any:
        from gradtutor.calculus.parsing import parse

        return parse(text).value

    @property
    def u(self) -> Any:
        import sympy

        return sympy.Symbol("u")

    @property
    def outer_value(self) -> Any:
        return self.parse(self.outer)

    @property
    def inner_value(self) -> Any:
        return self.parse(self.inner)

    @property
    def f(self) -> Any:
        return self.outer_value.xreplace({self.u: self.inner_value})

    def inner_for(self, g: Any) -> Any | None:
        """A non-trivial inner function u(x) of f with g(u(x)) ≡ f, or None."""
        import sympy

        f, x = self.f, sympy.Symbol(self.var)
        if not g.has(self.u) or g == self.u:
            return None
        seen: set[Any] = set()
        for part in sympy.preorder_traversal(f):
            if part in seen or part in (f, x) or not part.has(x):
                continue
            seen.add(part)
            if _same(f, g.xreplace({self.u: part})):
                return part
        return None

    def learners(self, g_text: str | None) -> tuple[Any, Any] | None:
        """(g, the inner that goes with it) when the learner's g differs from the pack's."""
        if g_text is None:
            return None
        g = self.parse(g_text)
        if _same(g, self.outer_value):
            return None
        inner = self.inner_for(g)
        return None if inner is None else (g, inner)


def _judge_outer(split: _Split, text: str) -> PartJudgement | None:
    g = split.parse(text)
    if _same(g, split.outer_value):
        return None
    inner = split.inner_for(g)
    if inner is None:
        return None  # no split makes this g work: the ordinary check shows a counterexample
    from gradtutor.calculus.equivalence import check_exprs

    # right: g composed with its inner function is f
    return PartJudgement(check_exprs(split.f, g.xreplace({split.u: inner})))


def _judge_inner(split: _Split, g: Any, inner: Any, text: str) -> PartJudgement:
    from gradtutor.calculus.equivalence import check_exprs
    from gradtutor.calculus.printing import pretty

    u = split.parse(text)
    composed = g.xreplace({split.u: u})
    if _same(split.f, composed) and u != split.parse(split.var):
        result = check_exprs(split.f, composed)
        note = (
            f"g(u) = {pretty(g)} with u = {pretty(u)} is a right split: g(u(x)) = "
            f"{pretty(split.f)}. The more usual one takes the whole inside as u: "
            f"g(u) = {pretty(split.outer_value)}, u = {pretty(split.inner_value)}."
        )
        return PartJudgement(result, note)
    # wrong for the learner's own g: compare with the inner that goes with it
    return PartJudgement(check_exprs(inner, u))


def _against(task: str, text: str) -> PartJudgement:
    """The derivative of the learner's own g or u (misconceptions named as for any task)."""
    from gradtutor.calculus.equivalence import check

    return PartJudgement(check(task, text))


def _same(a: Any, b: Any) -> bool:
    from gradtutor.calculus.equivalence import check_exprs
    from gradtutor.calculus.results import Verdict

    return check_exprs(a, b).verdict == Verdict.EQUIVALENT


def _plain(expr: Any) -> str:
    from gradtutor.calculus.printing import plain

    return plain(expr)
