"""Buggy twins of the numeric questions: the wrong numbers that known mistakes give.

A derivative question has twins of its rules (:mod:`gradtutor.calculus.misconceptions`);
a question whose answer is a number — a gradient-descent step, a derivative at a point,
one neuron's backprop — has twins of its procedure, computed from the instance's own
numbers: the step taken uphill (x₀ + lr·f′), the learning rate left out, the slope given
as the new point, f evaluated where f′ was asked, a value substituted before
differentiating, the factor 2 of a square dropped, ∂z/∂w = x left out. The rule twins
still count, evaluated at the question's point. A twin is named only when it alone
reproduces the learner's number (several mistakes giving the same number: none named).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import sympy

# id → readable title (the buggy formula is in each twin's message)
NAMES: dict[str, str] = {
    "descent_step_uphill": "gradient step taken uphill",
    "descent_lr_missing": "learning rate left out of the step",
    "descent_slope_as_point": "the slope given as the new point",
    "value_for_derivative": "the function's value given for its derivative",
    "substituted_value": "a value substituted before differentiating",
    "factor_two_dropped": "the factor 2 of a square dropped",
    "backprop_input_missing": "∂z/∂w = x left out",
    "backprop_activation_slope_missing": "the activation's derivative left out",
}
IDS: tuple[str, ...] = tuple(NAMES)
TIME_LIMIT = 2.0  # seconds for the twins of one question, and for matching one answer


@dataclass(frozen=True)
class NumericTwin:
    """One mistake on one part: its id, the number it gives, and what it did, as
    ``{answer} is …`` (the learner's number goes in front)."""

    id: str
    value: sympy.Expr
    explanation: str  # "x₀ + lr·f′(x₀) = -2 + 0.25·(-4): the step went uphill"
    rule: str  # the right rule, e.g. "x₁ = x₀ − lr·f′(x₀)"
    of_rule: bool = False  # a derivative rule's twin (checked after the procedure's own)

    def message_for(self, answer: str) -> str:
        return f"{answer.strip()} is {self.explanation}. {self.rule}"


@dataclass(frozen=True)
class Matched:
    """A twin that reproduced the learner's number, with its message."""

    id: str
    message: str


def match_twin(answer: str, twins: Sequence[NumericTwin]) -> Matched | None:
    """The misconception whose twin gives ``answer`` (exactly, or as a decimal right to the
    digits typed), or None.

    The procedure's own twins come first (the 2 of (a − y)² dropped is named as such, not
    as the power rule's coefficient). When two of them give the same number (x² from
    x₀ = −2: uphill and "f for f′" both give −3), the first in the order listed is named
    and the message says the other too. Rule twins count only when no procedure twin
    matches, and only when exactly one misconception gives the number.
    """
    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit

    try:
        with time_limit(TIME_LIMIT):
            return _match(answer, twins)
    except TimeLimitExceeded:
        return None


def _match(answer: str, twins: Sequence[NumericTwin]) -> Matched | None:
    value = _typed_number(answer)
    procedure = _distinct([t for t in twins if not t.of_rule and _same(answer, value, t.value)])
    if procedure:
        first, *others = procedure
        message = first.message_for(answer)
        if others:
            message += " (Or: " + "; or ".join(t.explanation for t in others) + ".)"
        return Matched(first.id, message)
    rules = _distinct([t for t in twins if t.of_rule and _same(answer, value, t.value)])
    if len(rules) == 1:
        return Matched(rules[0].id, rules[0].message_for(answer))
    return None


def _distinct(twins: Sequence[NumericTwin]) -> list[NumericTwin]:
    """The first twin of each id, in order."""
    seen: dict[str, NumericTwin] = {}
    for twin in twins:
        seen.setdefault(twin.id, twin)
    return list(seen.values())


def _typed_number(answer: str) -> sympy.Expr | None:
    from gradtutor.tutor.answers import number_of

    return number_of(answer)


def _same(answer: str, value: sympy.Expr | None, twin: sympy.Expr) -> bool:
    """Whether the learner's number is the twin's: as a decimal right to the digits typed,
    or equal to 30 significant digits (a diagnosis, not a grade: that is close enough)."""
    import sympy

    from gradtutor.calculus.decimal_answer import DecimalMatch, judge_decimal

    judged = judge_decimal(answer, twin)
    if judged is not None:
        return judged.verdict == DecimalMatch.RIGHT
    if value is None:
        return False
    try:
        a, b = complex(sympy.N(value, 30)), complex(sympy.N(twin, 30))
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


# --- the instances' numbers ---------------------------------------------------------------


def twins_for(
    kind: str, fields: Mapping[str, Any], *, with_rules: bool = True
) -> tuple[tuple[NumericTwin, ...], ...]:
    """The twins of each part of an instance of ``kind`` (rendered fields, as the kind's
    builder reads them); () for kinds without numeric twins. Twins equal to the right
    answer are left out (they would name a right answer's mistake). ``with_rules=False``
    leaves out the derivative rules' twins (cheaper, when only the procedure's matter)."""
    from gradtutor.calculus.errors import maths_failure
    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit

    builder = _BUILDERS.get(kind)
    if builder is None:
        return ()
    try:
        with time_limit(TIME_LIMIT):
            parts = builder(fields, with_rules)
            return tuple(
                tuple(t for t in twins if not _zero(t.value - right)) for right, twins in parts
            )
    except TimeLimitExceeded:
        return ()
    except Exception as exc:
        if not maths_failure(exc):
            raise  # a bug in gradtutor: exit 70
        return ()  # sympy can't take these numbers apart: no twin to name


def _zero(expr: sympy.Expr) -> bool:
    """Whether a number is 0 (to 30 significant digits; exactly for rationals)."""
    import sympy

    try:
        if expr.is_Rational:
            return bool(expr == 0)
        return abs(complex(sympy.N(expr, 30))) <= 1e-20
    except (TypeError, ValueError):
        return False


def _read(text: str) -> sympy.Expr:
    from gradtutor.tutor.kinds import _value

    return _value(str(text))


def _num(text: str) -> sympy.Expr:
    from gradtutor.tutor.kinds import _number

    return _number(str(text))


def _show(expr: sympy.Expr) -> str:
    from gradtutor.calculus.printing import pretty

    return pretty(expr)


def _shown_number(text: str) -> str:
    text = str(text)
    return f"({text})" if text[:1] in ("-", "\u2212") else text


def _has_square(expr: sympy.Expr) -> bool:
    import sympy

    return any(p.exp == 2 and p.base.free_symbols for p in expr.atoms(sympy.Pow))


def _at(expr: sympy.Expr, point: Mapping[str, sympy.Expr]) -> sympy.Expr:
    import sympy

    return sympy.simplify(expr.subs({sympy.Symbol(k): v for k, v in point.items()}).doit())


def _slope_twins(
    f: sympy.Expr, var: str, point: Mapping[str, sympy.Expr]
) -> list[tuple[str, sympy.Expr, str, str]]:
    """(id, wrong slope, what it is, rule) for the derivative's own misconceptions at
    ``point``: each rule twin of d/d(var) f, evaluated there."""
    import sympy

    from gradtutor.calculus import misconceptions as mc
    from gradtutor.calculus.derive import derive
    from gradtutor.calculus.errors import maths_failure

    variable = sympy.Symbol(var)
    tree = derive(f, variable)
    ctx = mc.Context(variable, tuple(sorted(f.free_symbols - {variable}, key=str)))
    found = []
    named: dict[sympy.Expr, str | None] = {}
    for candidate in mc.candidates(tree, ctx):
        # the id the derivative's own diagnosis gives this wrong derivative, so a number is
        # named as the same wrong formula would be (cos(2x) for sin(2x): the inner derivative
        # left out, not the constant multiple 2 of it dropped)
        if candidate.answer not in named:
            found_id = mc.diagnose(f, variable, candidate.answer, tree=tree)
            named[candidate.answer] = None if found_id is None else found_id.id
        mid = named[candidate.answer]
        if mid is None:
            continue
        m = mc.BY_ID[mid]
        try:
            wrong = _at(candidate.answer, point)
        except Exception as exc:
            if not maths_failure(exc):
                raise  # a bug in gradtutor: exit 70
            continue
        if wrong.free_symbols or not wrong.is_finite:
            continue
        found.append((m.id, wrong, m.name, m.rule_hint))
    return found


def _descent(
    fields: Mapping[str, Any], with_rules: bool = True
) -> list[tuple[sympy.Expr, list[NumericTwin]]]:
    """x₁ = x₀ − lr·f′(x₀), per coordinate, and its twins."""
    import sympy

    f = _read(fields["f"])
    start = fields["start"]
    point = {v: _num(start[v]) for v in start}
    rate = _num(fields["lr"])
    value = _at(f, point)
    prime = "∂f/∂" if len(point) > 1 else "f′"
    parts = []
    for var, x0 in point.items():
        slope = _at(sympy.diff(f, sympy.Symbol(var)), point)
        right = x0 - rate * slope
        d = f"{prime}{var}" if len(point) > 1 else "f′"
        at = f"({', '.join(_show(p) for p in point.values())})"
        x, lr, g = _show(x0), _shown_number(fields["lr"]), _shown_number(_show(slope))
        rule = f"Gradient descent steps downhill: {var}₁ = {var}₀ − lr·{d}{at}."
        twins = [
            NumericTwin(
                "descent_step_uphill",
                x0 + rate * slope,
                f"{var}₀ + lr·{d}{at} = {x} + {lr}·{g}: the step went uphill",
                rule,
            ),
            NumericTwin(
                "descent_lr_missing",
                x0 - slope,
                f"{var}₀ − {d}{at} = {x} − {g}: the learning rate {fields['lr']} is missing",
                rule,
            ),
            NumericTwin(
                "descent_slope_as_point",
                slope,
                f"the slope {d}{at} itself, not the new point",
                rule,
            ),
            NumericTwin(
                "value_for_derivative",
                x0 - rate * value,
                f"{var}₀ − lr·f{at} = {x} − {lr}·{_shown_number(_show(value))}: "
                "the step used f, not its slope",
                rule,
            ),
            NumericTwin(
                "substituted_value",
                x0,
                f"the start itself: putting {var} = {x} into f first leaves a constant, "
                "whose derivative is 0, so the point never moves",
                "Differentiate first, then substitute the numbers.",
            ),
        ]
        if _has_square(f):
            twins.append(
                NumericTwin(
                    "factor_two_dropped",
                    x0 - rate * slope / 2,
                    f"{var}₀ − lr·{d}/2: the factor 2 from the square is missing",
                    "d/dx u² = 2u·u′ keeps its 2.",
                )
            )
        for mid, wrong, name, hint in _slope_twins(f, var, point) if with_rules else ():
            twins.append(
                NumericTwin(
                    mid,
                    x0 - rate * wrong,
                    f"a step with the slope {_show(wrong)} ({name})",
                    f"{hint}.",
                    of_rule=True,
                )
            )
        parts.append((right, twins))
    return parts


def _evaluate(
    fields: Mapping[str, Any], with_rules: bool = True
) -> list[tuple[sympy.Expr, list[NumericTwin]]]:
    """f′ (or ∂f/∂var) at a point, and its twins."""
    import sympy

    f = _read(fields["f"])
    at = fields["at"]
    point = {v: _num(at[v]) for v in at}
    var = fields.get("var", next(iter(at)))
    right = _at(sympy.diff(f, sympy.Symbol(var)), point)
    where = ", ".join(f"{v} = {_show(p)}" for v, p in point.items())
    twins = [
        NumericTwin(
            "value_for_derivative",
            _at(f, point),
            f"the value of f at {where}, not of its derivative",
            "Differentiate first, then put in the numbers.",
        ),
        NumericTwin(
            "substituted_value",
            sympy.Integer(0),
            f"what putting {where} into f before differentiating gives (the derivative "
            "of a constant)",
            "Substitute only after differentiating.",
        ),
    ]
    if _has_square(f):
        twins.append(
            NumericTwin(
                "factor_two_dropped",
                right / 2,
                "half the derivative: the factor 2 from the square is missing",
                "d/dx u² = 2u·u′ keeps its 2.",
            )
        )
    for mid, wrong, name, hint in _slope_twins(f, var, point) if with_rules else ():
        wrong_value = f"the value of a wrong derivative ({name})"
        twins.append(NumericTwin(mid, wrong, wrong_value, f"{hint}.", of_rule=True))
    return [(right, twins)]


_ACTIVATIONS = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "softplus": "softplus"}


def _neuron(
    fields: Mapping[str, Any], with_rules: bool = True
) -> list[tuple[sympy.Expr, list[NumericTwin]]]:
    """∂L/∂w and ∂L/∂b of L = (act(w·x + b) − y)², and their twins."""
    import sympy

    x, y, w, b = (_num(fields[k]) for k in ("x", "y", "w", "b"))
    activation = fields.get("activation", "sigmoid")
    z_symbol = sympy.Symbol("z")
    act = _read(f"{_ACTIVATIONS[activation]}(z)") if activation in _ACTIVATIONS else z_symbol
    z = w * x + b
    a = _at(act, {"z": z})
    slope = _at(sympy.diff(act, z_symbol), {"z": z})
    error = 2 * (a - y)
    loss = (a - y) ** 2
    chain = "∂L/∂w = 2(a − y)·a′(z)·x"
    parts = []
    for name, dz in (("w", x), ("b", sympy.Integer(1))):
        right = error * slope * dz
        label = f"∂L/∂{name}"
        twins = [
            NumericTwin(
                "factor_two_dropped",
                (a - y) * slope * dz,
                f"(a − y)·a′(z)·∂z/∂{name}: the 2 from the square is missing",
                "d/da (a − y)² = 2(a − y).",
            ),
            NumericTwin(
                "value_for_derivative",
                loss,
                f"the loss L = (a − y)² itself, not {label}",
                f"Backpropagate: {chain}.",
            ),
        ]
        if slope != 1:
            twins.append(
                NumericTwin(
                    "backprop_activation_slope_missing",
                    error * dz,
                    f"2(a − y)·∂z/∂{name} without the activation's slope a′(z) = {_show(slope)}",
                    f"The chain passes through the activation: {chain}.",
                )
            )
        if name == "w" and x != 1:
            twins.append(
                NumericTwin(
                    "backprop_input_missing",
                    error * slope,
                    f"2(a − y)·a′(z) without ∂z/∂w = x = {_show(x)}",
                    f"z = w·x + b, so ∂z/∂w = x: {chain}.",
                )
            )
        parts.append((right, twins))
    return parts


_BUILDERS: dict[str, Callable[..., list[tuple[Any, list[NumericTwin]]]]] = {
    "descent-step": _descent,
    "evaluate": _evaluate,
    "neuron-backprop": _neuron,
}
BUILT_FOR = frozenset(_BUILDERS)
