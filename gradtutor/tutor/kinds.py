"""Task kinds: how a rendered template becomes a prompt and answer parts.

Each kind lists the pack fields it reads and a ``build`` function. ``build`` asks the
calculus engine for every expected answer (``parse("d/dx(...)").value`` printed with
``plain``), so no answer key is typed by hand. sympy is imported inside the builders:
loading packs stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gradtutor.calculus.brackets import bracketed_items, outside
from gradtutor.tutor.models import Part

if TYPE_CHECKING:  # pragma: no cover
    import sympy

SUBSCRIPT_ONE = "₁"
# Fields read as maths (the others are names, lists of words or counts); a parse error
# is reported against the first of these that does not read on its own.
MATHS_FIELDS = ("f", "outer", "inner", "u", "v", "x", "y", "w", "b", "at", "start", "lr", "weight")


@dataclass(frozen=True)
class Built:
    """What a kind makes of one rendered template."""

    prompt: str
    parts: tuple[Part, ...]
    trivial: str | None = None  # why this instance asks for nothing (a zero derivative …)


@dataclass(frozen=True)
class Kind:
    """A task kind: the fields it needs, the ones it may use, and its builder."""

    name: str
    required: frozenset[str]
    optional: frozenset[str]
    build: Callable[[Mapping[str, Any]], Built]
    summary: str

    @property
    def fields(self) -> set[str]:
        return set(self.required | self.optional)


# --- engine access ----------------------------------------------------------------------


def _value(text: str) -> sympy.Expr:
    from gradtutor.calculus.parsing import parse

    return parse(text).value


def _plain(expr: sympy.Expr) -> str:
    from gradtutor.calculus.printing import plain

    return plain(expr)


def _derivative_task(f: str, var: str, *, partial: bool) -> str:
    return f"∂/∂{var}({f})" if partial else f"d/d{var}({f})"


def _symbols_of(f: str) -> list[str]:
    return sorted(str(s) for s in _value(f).free_symbols)


def _number(text: str) -> sympy.Expr:
    """A parameter value as an exact number (``0.1`` is 1/10)."""
    import sympy

    value = _value(str(text))
    if not value.is_number:
        raise ValueError(f"{text!r} is not a number")
    return sympy.nsimplify(value, rational=True) if value.is_Float else value


def _at_point(expr: sympy.Expr, point: Mapping[str, sympy.Expr]) -> sympy.Expr:
    import sympy

    substitution = {sympy.Symbol(k): v for k, v in point.items()}
    # relu'(0) and |x|'(0) do not exist, though sympy would say Heaviside(0) = 1/2.
    for kink in expr.atoms(sympy.Heaviside, sympy.sign, sympy.DiracDelta):
        if kink.args[0].subs(substitution) == 0:
            where = ", ".join(f"{k} = {v}" for k, v in point.items())
            raise ValueError(f"the derivative does not exist at {where} (a kink, as relu at 0)")
    return sympy.simplify(expr.subs(substitution).doit())


def _args(variables: Sequence[str]) -> str:
    return ", ".join(variables)


def _point(variables: Sequence[str], values: Sequence[str]) -> str:
    if len(variables) == 1:
        return f"{variables[0]} = {values[0]}"
    return f"({_args(variables)}) = ({', '.join(values)})"


def _factor(text: str) -> str:
    """``text`` ready to be multiplied: parenthesised unless it is one term."""
    for index, char in outside(text):
        if char in "+-" and index > 0 and text[index - 1] not in "^*/(eE":
            return f"({text})"
    return text


# --- the kinds --------------------------------------------------------------------------


def _shaped(f: str, derivative: sympy.Expr) -> sympy.Expr:
    """The key in the shape the rule gives, where sympy expanded it.

    d/dx (9x + 5)^2 is 2(9x + 5)·9 = 18(9x + 5), which sympy prints as 162x + 90; a
    quotient's derivative stays one fraction over v^2 (−15/(7x + 3)^2), not a sum.
    """
    import sympy

    if not derivative.is_Add or sympy.count_ops(derivative) > 40:
        return derivative
    best, length = derivative, len(_plain(derivative))
    whole = _value(f)
    for base in {p.base for p in whole.atoms(sympy.Pow) if p.base.is_Add}:
        factor = sympy.cancel(derivative / base)
        if factor.is_Add or (factor.has(sympy.Add) and not factor.is_Pow):
            continue
        if sympy.expand(factor * base - derivative) != 0:
            continue
        shaped = sympy.Mul(factor, base, evaluate=False)
        if len(_plain(shaped)) <= length + 4:
            return shaped
    if any(p.exp.is_negative for p in whole.atoms(sympy.Pow)):
        together = sympy.together(derivative)
        for fraction in (together, sympy.factor(together)):
            if len(_plain(fraction)) < len(_plain(best)):
                best = fraction
    return best


def _derivative(fields: Mapping[str, Any]) -> Built:

    f, var, name = fields["f"], fields.get("var", "x"), fields.get("name", "f")
    task = _derivative_task(f, var, partial=False)
    prompt = f"Differentiate {name}({var}) = {f} with respect to {var}."
    return Built(prompt, (Part("", _plain(_shaped(f, _value(task))), task),))


def _partial(fields: Mapping[str, Any]) -> Built:

    f, var, name = fields["f"], fields["var"], fields.get("name", "f")
    variables = fields.get("vars") or _symbols_of(f)
    task = _derivative_task(f, var, partial=True)
    prompt = f"Find ∂{name}/∂{var} for {name}({_args(variables)}) = {f}."
    return Built(prompt, (Part("", _plain(_shaped(f, _value(task))), task),))


def _gradient(fields: Mapping[str, Any]) -> Built:

    f, name = fields["f"], fields.get("name", "f")
    variables = fields.get("vars") or _symbols_of(f)
    parts = []
    for var in variables:
        task = _derivative_task(f, var, partial=True)
        parts.append(Part(f"∂{name}/∂{var}", _plain(_value(task)), task))
    labels = ", ".join(p.label for p in parts)
    prompt = f"Find the gradient ∇{name} of {name}({_args(variables)}) = {f}: give {labels}."
    return Built(prompt, tuple(parts))


def _evaluate(fields: Mapping[str, Any]) -> Built:

    f, name, at = fields["f"], fields.get("name", "f"), fields["at"]
    variables = list(at)
    var = fields.get("var", variables[0])
    partial = len(variables) > 1
    task = _derivative_task(f, var, partial=partial)
    point = {v: _number(at[v]) for v in variables}
    expected = _at_point(_value(task), point)
    where = _point(variables, [str(at[v]) for v in variables])
    if partial:
        prompt = f"Let {name}({_args(variables)}) = {f}. Evaluate ∂{name}/∂{var} at {where}."
    else:
        prompt = f"Let {name}({var}) = {f}. Evaluate {name}'({at[var]})."
    return Built(prompt, (Part("", _plain(expected), task),))


def _compose(outer: str, inner: str) -> str:
    """``outer`` with ``u`` replaced by ``(inner)``: ``3u^5`` and ``2x^2`` give ``3(2x^2)^5``."""

    def replace(match: re.Match[str]) -> str:
        before = outer[: match.start()].rstrip()
        atomic = re.fullmatch(r"[A-Za-z0-9.]+", inner) is not None
        if before.endswith("(") and outer[match.end() :].startswith(")"):
            return inner
        return inner if atomic else f"({inner})"

    return re.sub(r"(?<![A-Za-z])u(?![A-Za-z])", replace, outer)


def _chain(fields: Mapping[str, Any]) -> Built:
    import sympy

    outer, inner, var = fields["outer"], fields["inner"], fields.get("var", "x")
    u = sympy.Symbol("u")
    composed_expr = _value(outer).subs(u, _value(inner))
    composed = fields.get("f") or _compose(outer, inner)
    outer_task = _derivative_task(outer, "u", partial=False)
    inner_task = _derivative_task(inner, var, partial=False)
    whole_task = _derivative_task(composed, var, partial=False)
    whole = _value(whole_task)
    if sympy.simplify(whole - sympy.diff(composed_expr, sympy.Symbol(var))) != 0:
        raise ValueError(f"f = {composed!r} is not outer(inner)")
    parts = (
        Part("g(u)", _plain(_value(outer)), None),
        Part(f"u({var})", _plain(_value(inner)), None),
        Part("g'(u)", _plain(_value(outer_task)), outer_task),
        Part(f"u'({var})", _plain(_value(inner_task)), inner_task),
        Part(f"f'({var})", _plain(whole), whole_task),
    )
    prompt = (
        f"Let f({var}) = {composed}. Write f as g(u) with u = u({var}) the inner function: "
        f"give g(u), u({var}), g'(u), u'({var}) and then f'({var}) by the chain rule."
    )
    return Built(prompt, parts)


def _product(fields: Mapping[str, Any]) -> Built:

    u, v, var = fields["u"], fields["v"], fields.get("var", "x")
    f = f"{_factor(u)}*{_factor(v)}"
    u_task, v_task = (_derivative_task(t, var, partial=False) for t in (u, v))
    whole_task = _derivative_task(f, var, partial=False)
    parts = (
        Part(f"u({var})", _plain(_value(u)), None),
        Part(f"v({var})", _plain(_value(v)), None),
        Part(f"u'({var})", _plain(_value(u_task)), u_task),
        Part(f"v'({var})", _plain(_value(v_task)), v_task),
        Part(f"f'({var})", _plain(_value(whole_task)), whole_task),
    )
    prompt = (
        f"Let f({var}) = {f}. Take u as the first factor and v as the second: "
        f"give u, v, u', v' and then f'({var}) = u'v + uv'."
    )
    return Built(prompt, parts)


def _descent_step(fields: Mapping[str, Any]) -> Built:

    f, start, lr = fields["f"], fields["start"], fields["lr"]
    name = fields.get("name", "f")
    variables = list(start)
    point = {v: _number(start[v]) for v in variables}
    rate = _number(lr)
    partial = len(variables) > 1
    parts, slopes = [], []
    for var in variables:
        task = _derivative_task(f, var, partial=partial)
        slopes.append(_at_point(_value(task), point))
        step = point[var] - rate * slopes[-1]
        parts.append(Part(f"{var}{SUBSCRIPT_ONE}", _plain(step), task))
    where = _point(variables, [str(start[v]) for v in variables])
    nexts = ", ".join(p.label for p in parts)
    prompt = (
        f"Gradient descent on {name}({_args(variables)}) = {f}, starting at {where} with "
        f"learning rate {lr}: take one step and give the next point {nexts}."
    )
    trivial = "the start is a stationary point" if all(s == 0 for s in slopes) else None
    return Built(prompt, tuple(parts), trivial)


_ACTIVATION_NAMES = {
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "relu",
    "softplus": "softplus",
    "linear": "",
}


def _neuron_backprop(fields: Mapping[str, Any]) -> Built:

    x, y, w, b = (fields[k] for k in ("x", "y", "w", "b"))
    activation = fields.get("activation", "sigmoid")
    if activation not in _ACTIVATION_NAMES:
        raise ValueError(f"activation {activation!r} is not one of {', '.join(_ACTIVATION_NAMES)}")
    act = _ACTIVATION_NAMES[activation]
    loss = f"({act}(w*{_factor(x)} + b) - {_factor(y)})^2"
    point = {"w": _number(w), "b": _number(b)}
    parts = []
    from gradtutor.tutor.backprop_kinds import neuron_worked

    worked = neuron_worked(activation, str(x), str(y), str(w), str(b))
    for var in ("w", "b"):
        task = _derivative_task(loss, var, partial=True)
        parts.append(Part(f"∂L/∂{var}", _plain(_at_point(_value(task), point)), task, worked))
    output = f"{act}(z)" if act else "z (no activation)"
    prompt = (
        f"One neuron: z = w*x + b, a = {output}, loss L = (a - y)^2. "
        f"With x = {x}, y = {y}, w = {w}, b = {b}, find ∂L/∂w and ∂L/∂b."
    )
    return Built(prompt, tuple(parts))


def _vanishing(fields: Mapping[str, Any]) -> Built:
    import sympy

    layers = int(str(fields["layers"]))
    weight = str(fields.get("weight", "1"))
    asks = fields.get("ask", ["bound"])
    if not 1 <= layers <= 12:
        raise ValueError(f"layers must be 1 to 12, not {layers}")
    scale = "" if weight == "1" else f"{_factor(weight)}*"
    f = "x"
    for _ in range(layers):
        f = f"σ({scale}{f})"
    parts = []
    for ask in asks:
        if ask == "derivative":
            task = _derivative_task(f, "x", partial=False)
            parts.append(Part("dy/dx", _plain(_value(task)), task))
        elif ask == "bound":
            # The steepest sigmoid slope is σ'(0); each layer multiplies by at most |w|·σ'(0).
            steepest = _at_point(_value("d/dz(σ(z))"), {"z": sympy.Integer(0)})
            bound = (abs(_number(weight)) * steepest) ** layers
            # A bound, not the maximum: with large |w| the sigmoids saturate and the true
            # largest |dy/dx| is far smaller (w = 12, 3 layers: bound 27, maximum ≈ 0.0104).
            parts.append(Part("upper bound on |dy/dx|", _plain(sympy.nsimplify(bound)), None))
        else:
            raise ValueError(f"ask {ask!r} is not 'derivative' or 'bound'")
    wording = " with the same weight w = " + weight if weight != "1" else ""
    prompt = (
        f"A chain of {layers} sigmoid layers{wording}: y = {f}. "
        + ("Give dy/dx. " if "derivative" in asks else "")
        + (
            "Bound each layer's σ′ by the sigmoid's steepest slope: what upper bound on "
            "|dy/dx| does that give? (A bound: the true |dy/dx| can be far smaller.)"
            if "bound" in asks
            else ""
        )
    ).strip()
    return Built(prompt, tuple(parts))


def _compute(fields: Mapping[str, Any]) -> Built:
    """Numbers computed from the maths in ``values`` (one part per label): a forward pass,
    a perceptron update, a z-score, a tensor's shape as (a, b, c). ``at`` substitutes
    values after derivative operators are evaluated (a dead ReLU's d/dw at its w)."""

    values, labels = list(fields["values"]), list(fields["labels"])
    if len(values) != len(labels):
        raise ValueError(f"values has {len(values)} items but labels has {len(labels)}")
    point = {name: _number(str(v)) for name, v in dict(fields.get("at", {})).items()}
    parts = []
    for label, text in zip(labels, values, strict=True):
        pieces = _vector_items(str(text))
        numbers = [_plain(_at_point(_value(piece), point)) for piece in pieces]
        expected = (
            numbers[0]
            if len(pieces) == 1 and pieces[0] == str(text)
            else ("(" + ", ".join(numbers) + ")")
        )
        parts.append(Part(str(label), expected, None))
    prompt = "Compute " + ", ".join(str(label) for label in labels) + "."
    return Built(prompt, tuple(parts))


def _vector_items(text: str) -> list[str]:
    """'(8, 3, 32)' → ['8', '3', '32']; anything else → [text]."""
    return bracketed_items(text) or [text.strip()]


def _kind(
    name: str,
    build: Callable[[Mapping[str, Any]], Built],
    summary: str,
    required: set[str],
    optional: set[str],
) -> Kind:
    return Kind(name, frozenset(required), frozenset(optional), build, summary)


def _backprop_kinds() -> tuple[Kind, ...]:
    """The backprop lab's kinds (gradtutor.tutor.backprop_kinds): graphs, layers, chains."""
    from gradtutor.tutor import backprop_kinds as bk

    return (
        _kind(
            "graph-node",
            bk.graph_node,
            "one node's gradient in a computational graph, given its upstream",
            {"f", "at", "node"},
            set(),
        ),
        _kind(
            "graph-fanout",
            bk.graph_fanout,
            "the gradient of a node used twice: the contributions add up",
            {"f", "at", "node"},
            set(),
        ),
        _kind(
            "layer-gradient",
            bk.layer_gradient,
            "a layer's ∂L/∂W = δ·xᵀ: its shape, then its rows (and ∂L/∂x = Wᵀδ)",
            {"weights", "inputs", "deltas"},
            {"ask"},
        ),
        _kind(
            "deep-chain",
            bk.deep_chain,
            "∂L/∂a_k in a chain of scalar layers",
            {"layers", "weight", "input", "k"},
            {"activation"},
        ),
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        _kind(
            "derivative", _derivative, "derivative of f with respect to var", {"f"}, {"var", "name"}
        ),
        _kind("partial", _partial, "one partial derivative", {"f", "var"}, {"vars", "name"}),
        _kind(
            "gradient",
            _gradient,
            "the gradient vector, one answer per component",
            {"f"},
            {"vars", "name"},
        ),
        _kind(
            "evaluate", _evaluate, "a derivative evaluated at a point", {"f", "at"}, {"var", "name"}
        ),
        _kind(
            "chain",
            _chain,
            "chain-rule decomposition: g(u), u(x), g'(u), u'(x), f'(x)",
            {"outer", "inner"},
            {"var", "f"},
        ),
        _kind("product", _product, "product-rule parts: u, v, u', v', f'", {"u", "v"}, {"var"}),
        _kind(
            "descent-step",
            _descent_step,
            "one gradient-descent step by hand",
            {"f", "start", "lr"},
            {"name"},
        ),
        _kind(
            "neuron-backprop",
            _neuron_backprop,
            "∂L/∂w and ∂L/∂b for one neuron",
            {"x", "y", "w", "b"},
            {"activation"},
        ),
        _kind(
            "vanishing",
            _vanishing,
            "the gradient through a chain of sigmoids",
            {"layers"},
            {"weight", "ask"},
        ),
        _kind(
            "compute",
            _compute,
            "numbers computed from maths, one part per label (a forward pass, a z-score …)",
            {"values", "labels"},
            {"at"},
        ),
        *_backprop_kinds(),
    )
}
