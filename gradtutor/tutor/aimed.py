"""Practice aimed at one misconception (``quiz --misconception ID``), across topics.

A template qualifies when the mistake can happen in it: a derivative part whose rule tree
has a node where that misconception's buggy twin gives a different answer, or a numeric
part (a descent step, a derivative at a point, a neuron's backprop) with a numeric twin of
that id that differs from the right number. One instance per template is looked at (seed
1): the kinds and their rules do not change with the numbers drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.tutor.models import Template
    from gradtutor.tutor.packs import Catalogue

MISCONCEPTION_TOPIC = "misconception"  # the pseudo-topic the staircase runs on in this mode


@dataclass(frozen=True)
class Aim:
    """The misconception practised and the templates where it can happen."""

    id: str
    title: str
    template_ids: tuple[str, ...]


def known_ids() -> tuple[str, ...]:
    """Every misconception id a quiz can name (rule twins, then numeric twins)."""
    from gradtutor.calculus.misconceptions import BY_ID
    from gradtutor.tutor.numeric_twins import IDS

    return tuple(dict.fromkeys([*BY_ID, *IDS]))


def aim_at(
    misconception_id: str, catalogue: Catalogue, allowed: Iterable[str] | None = None
) -> Aim:
    """The templates of ``catalogue`` (those in ``allowed``, if given) where the mistake
    ``misconception_id`` can happen, easiest first."""
    from gradtutor.tutor.titles import misconception_title

    keep = None if allowed is None else set(allowed)
    found = [
        t.id
        for t in sorted(catalogue.templates, key=lambda t: (t.difficulty, t.id))
        if (keep is None or t.id in keep) and _can_happen(misconception_id, t)
    ]
    return Aim(misconception_id, misconception_title(misconception_id), tuple(found))


TIME_LIMIT = 2.0  # seconds to look at one template


def _can_happen(misconception_id: str, template: Template) -> bool:
    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit

    try:
        with time_limit(TIME_LIMIT):
            return _happens(misconception_id, template)
    except TimeLimitExceeded:
        return False


def _happens(misconception_id: str, template: Template) -> bool:
    from gradtutor.tutor.numeric_twins import BUILT_FOR, NAMES, twins_for
    from gradtutor.tutor.packs import PackError, generate, rendered_fields

    try:
        exercise = generate(template, 1)
    except PackError:
        return False
    if misconception_id in NAMES:
        if exercise.kind not in BUILT_FOR:
            return False
        fields = rendered_fields(template, exercise.values)
        twins = twins_for(exercise.kind, fields, with_rules=False)
        return any(t.id == misconception_id for part in twins for t in part)
    return any(_rule_twin_differs(misconception_id, p.task) for p in exercise.parts if p.task)


def _rule_twin_differs(misconception_id: str, task: str) -> bool:
    """Whether d/dx task has a node where the misconception's twin changes the answer."""
    import sympy

    from gradtutor.calculus import misconceptions as mc
    from gradtutor.calculus.derive import derive
    from gradtutor.calculus.errors import maths_failure
    from gradtutor.calculus.parsing import parse

    if misconception_id not in mc.BY_ID:
        return False
    try:
        expr = parse(task).expr
        if not isinstance(expr, sympy.Derivative) or len(expr.variables) != 1:
            return False
        variable = expr.variables[0]
        tree = derive(expr.expr, variable)
        ctx = mc.Context(variable, tuple(sorted(expr.expr.free_symbols - {variable}, key=str)))
        points = mc.sample_points(expr.expr.free_symbols | {variable})
        right = mc.values_at(tree.result, points)
        for candidate in mc.candidates(tree, ctx):
            if candidate.misconception.id != misconception_id:
                continue
            values = mc.values_at(candidate.answer, points)
            if values is not None and right is not None and not mc.same_values(values, right):
                return True
    except Exception as exc:
        if not maths_failure(exc):
            raise  # a bug in gradtutor: exit 70
        return False  # a template the engine cannot take apart is simply not aimed at
    return False


def practice_command(misconception_id: str) -> str:
    """The command that practises a misconception. The twins of backprop's graph and layer
    rules are named in backprop practice, not aimed at by ``quiz --misconception`` (which
    refuses them, exit 2): for those, the backprop topic."""
    from gradtutor.network.misconceptions import TITLES as BACKPROP_ONLY

    if misconception_id in BACKPROP_ONLY:
        return "gradtutor quiz --topic backprop"
    return f"gradtutor quiz --misconception {misconception_id}"
