"""A scalar expression as a computational graph: forward values, backward gradients.

``build_graph`` turns a parsed sympy expression into nodes, one per operation, in forward
topological order; a sub-expression used twice is one node with two consumers.
``backprop`` fills the graph at a point: every value (float64, and exactly where sympy
keeps it short), then every gradient ∂L/∂node in reverse order, each as a sum of
contributions *local derivative × upstream gradient*, one per consumer — so a node used
twice shows its two contributions adding up. Central finite differences on each
parameter check the analytic gradients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from gradtutor.errors import GradtutorError
from gradtutor.network.rules import LEAF_OPS, RULES, ExactMath, FloatMath, UndefinedValue

__all__ = [
    "MAX_NODES",
    "Backprop",
    "Contribution",
    "Graph",
    "GraphError",
    "Node",
    "UndefinedNode",
    "backprop",
    "build_graph",
    "forward_values",
    "graph_from_text",
    "parse_at",
]

MAX_NODES = 5000
EXACT_MAX_NODES = 120  # exact sympy values only for graphs small enough to read
EXACT_TIME_LIMIT = 1.5
FD_STEP = 1e-6

# precedence of a node's label, for brackets: sums < products < powers < atoms
_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 2, "pow": 3, "powv": 3}
_FUNCTION_LABEL = {
    "exp": "exp",
    "ln": "ln",
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "relu",
    "softplus": "softplus",
    "sin": "sin",
    "cos": "cos",
}


class GraphError(GradtutorError, ValueError):
    """The expression or the point cannot make a graph (a message for the learner)."""


class UndefinedNode(GraphError):
    """A node's value is undefined at the point: names the node."""

    def __init__(self, node: Node, reason: str) -> None:
        super().__init__(f"node #{node.id} ({node.label}) is undefined at this point: {reason}")
        self.node = node
        self.reason = reason


@dataclass(frozen=True)
class Node:
    """One operation (or a leaf). ``k``: the exponent of ``pow``, the exact number of ``const``."""

    id: int
    op: str
    inputs: tuple[int, ...]
    label: str
    k: Any = None

    @property
    def is_leaf(self) -> bool:
        return self.op in LEAF_OPS

    @property
    def prec(self) -> int:
        if self.op == "const":
            text = self.label
            return 2 if ("/" in text or text.startswith("-")) else 4
        return _PREC.get(self.op, 4)


@dataclass(frozen=True)
class Graph:
    """Nodes in forward topological order (a node's id is its index); ``output`` is the last."""

    expression: str
    nodes: tuple[Node, ...]
    consumers: tuple[tuple[tuple[int, int], ...], ...]  # per node: (consumer id, input slot)

    @property
    def output(self) -> int:
        return len(self.nodes) - 1

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(n.label for n in self.nodes if n.op == "input")

    def node_named(self, name: str) -> Node | None:
        for node in self.nodes:
            if node.label == name:
                return node
        return None


@dataclass(frozen=True)
class Contribution:
    """What one consumer sends back to a node: ∂consumer/∂node × ∂L/∂consumer."""

    consumer: int
    slot: int
    local: float
    upstream: float

    @property
    def value(self) -> float:
        return self.local * self.upstream


@dataclass(frozen=True)
class Backprop:
    """A graph filled in at a point."""

    graph: Graph
    at: dict[str, float]
    params: tuple[str, ...]
    values: tuple[float, ...]
    grads: tuple[float, ...]
    contributions: tuple[tuple[Contribution, ...], ...]
    numeric_grads: dict[str, float | None]
    exact_values: tuple[Any, ...] | None = field(default=None, repr=False)
    exact_grads: tuple[Any, ...] | None = field(default=None, repr=False)
    at_text: dict[str, str] = field(default_factory=dict)

    @property
    def output(self) -> float:
        return self.values[self.graph.output]

    @property
    def kinks(self) -> tuple[Node, ...]:
        """ReLU nodes whose input is exactly 0: their derivative is taken as 0 there."""
        return tuple(
            n for n in self.graph.nodes if n.op == "relu" and self.values[n.inputs[0]] == 0
        )

    @cached_property
    def value_texts(self) -> tuple[str, ...]:
        """Each node's value as shown: ``σ(3) ≈ 0.9526`` where short, else the decimal."""
        from gradtutor.network.numbers import show

        exact = self.exact_values or (None,) * len(self.values)
        return tuple(show(v, e) for v, e in zip(self.values, exact, strict=True))

    @cached_property
    def grad_texts(self) -> tuple[str, ...]:
        from gradtutor.network.numbers import show

        exact = self.exact_grads or (None,) * len(self.grads)
        return tuple(show(v, e) for v, e in zip(self.grads, exact, strict=True))

    def relative_error(self, name: str) -> float | None:
        """|analytic − numeric| / max(|analytic|, |numeric|) for one parameter (0 if both 0)."""
        numeric = self.numeric_grads.get(name)
        node = self.graph.node_named(name)
        if numeric is None or node is None:
            return None
        analytic = self.grads[node.id]
        scale = max(abs(analytic), abs(numeric))
        return 0.0 if scale == 0 else abs(analytic - numeric) / scale

    def to_json(self) -> dict[str, Any]:
        nodes = [
            {
                "id": n.id,
                "op": n.op,
                "label": n.label,
                "inputs": list(n.inputs),
                "value": _number(self.values[n.id]),
                "grad": _number(self.grads[n.id]),
            }
            for n in self.graph.nodes
        ]
        params = {}
        for name in self.params:
            node = self.graph.node_named(name)
            assert node is not None
            numeric = self.numeric_grads.get(name)
            params[name] = {
                "value": _number(self.values[node.id]),
                "grad": _number(self.grads[node.id]),
                "numeric_grad": None if numeric is None else _number(numeric),
            }
        return {
            "expression": self.graph.expression,
            "at": {k: _number(v) for k, v in self.at.items()},
            "output": _number(self.output),
            "nodes": nodes,
            "order": [n.id for n in self.graph.nodes],
            "params": params,
        }


def _number(value: float) -> float | int:
    if float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return float(value)


# -- building -------------------------------------------------------------------------------


def graph_from_text(text: str) -> Graph:
    """Parse ``text`` with gradtutor's parser and build its graph (GraphError on bad input)."""
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.parsing import parse

    try:
        parsed = parse(text, evaluate=False)
    except ParseError as exc:
        raise GraphError(str(exc)) from None
    if parsed.has_derivative:
        raise GraphError("give the function itself, not a derivative: backprop computes those")
    return build_graph(parsed.expr)


def build_graph(expr: Any, *, max_nodes: int = MAX_NODES) -> Graph:
    """The graph of a sympy expression (as parsed: Add, Mul, Pow and activation functions)."""
    builder = _Builder(max_nodes)
    builder.build(expr)
    nodes = tuple(builder.nodes)
    consumers: list[list[tuple[int, int]]] = [[] for _ in nodes]
    for node in nodes:
        for slot, i in enumerate(node.inputs):
            consumers[i].append((node.id, slot))
    return Graph(
        expression=nodes[-1].label,
        nodes=nodes,
        consumers=tuple(tuple(c) for c in consumers),
    )


class _Builder:
    def __init__(self, max_nodes: int) -> None:
        self.nodes: list[Node] = []
        self.max_nodes = max_nodes
        self._by_key: dict[tuple[Any, ...], int] = {}
        self._by_expr: dict[Any, int] = {}

    def build(self, expr: Any) -> int:
        found = self._by_expr.get(expr)
        if found is None:
            found = self._build(expr)
            self._by_expr[expr] = found
        return found

    def _node(self, op: str, inputs: tuple[int, ...], k: Any = None, name: str = "") -> int:
        key = (op, inputs, str(k), name)
        found = self._by_key.get(key)
        if found is not None:
            return found
        if len(self.nodes) >= self.max_nodes:
            raise GraphError(
                f"the graph has more than {self.max_nodes:,} nodes; "
                "the backprop lab draws graphs up to that size"
            )
        label = name or _label(op, [self.nodes[i] for i in inputs], k)
        node = Node(id=len(self.nodes), op=op, inputs=inputs, label=label, k=k)
        self.nodes.append(node)
        self._by_key[key] = node.id
        return node.id

    def _const(self, value: Any) -> int:
        from gradtutor.calculus.printing import plain

        return self._node("const", (), k=value, name=plain(value))

    def _build(self, expr: Any) -> int:
        import sympy

        from gradtutor.calculus.functions import sigmoid, softplus

        if isinstance(expr, sympy.Symbol):
            return self._node("input", (), name=expr.name)
        if not expr.free_symbols:
            value = expr.doit() if hasattr(expr, "doit") else expr
            if not (value.is_real and value.is_finite):
                raise GraphError(f"{value} is not a finite real number")
            return self._const(value)
        if isinstance(expr, sympy.Add):
            return self._sum(expr.args)
        if isinstance(expr, sympy.Mul):
            return self._product(expr.args)
        if isinstance(expr, sympy.Pow):
            return self._power(expr.base, expr.exp)
        simple = {
            sympy.exp: "exp",
            sympy.log: "ln",
            sigmoid: "sigmoid",
            sympy.tanh: "tanh",
            softplus: "softplus",
            sympy.sin: "sin",
            sympy.cos: "cos",
        }
        for cls, op in simple.items():
            if isinstance(expr, cls) and len(expr.args) == 1:
                return self._node(op, (self.build(expr.args[0]),))
        if isinstance(expr, sympy.Max) and len(expr.args) == 2 and 0 in expr.args:
            inner = expr.args[1] if expr.args[0] == 0 else expr.args[0]
            return self._node("relu", (self.build(inner),))
        name = getattr(expr.func, "__name__", type(expr).__name__)
        raise GraphError(
            f"the backprop lab has no rule for {name}: it builds graphs of +, −, ×, ÷, "
            "powers, exp, ln, σ (sigmoid), tanh, relu, softplus, sin and cos"
        )

    def _sum(self, terms: tuple[Any, ...]) -> int:
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        negative = [t for t in terms if t.could_extract_minus_sign()]
        ordered = positive + negative
        acc = self.build(ordered[0])
        for term in ordered[1:]:
            if term.could_extract_minus_sign():
                acc = self._node("sub", (acc, self.build(-term)))
            else:
                acc = self._node("add", (acc, self.build(term)))
        return acc

    def _product(self, factors: tuple[Any, ...]) -> int:
        import sympy

        numbers = [f for f in factors if not f.free_symbols]
        coefficient = sympy.Mul(*numbers) if numbers else sympy.Integer(1)
        rest = [f for f in factors if f.free_symbols]
        numerator = [f for f in rest if not _is_reciprocal(f)]
        denominator = [1 / f for f in rest if _is_reciprocal(f)]
        negate = False
        p, q = sympy.Integer(1), sympy.Integer(1)
        if coefficient.is_Rational:
            p, q = sympy.Integer(coefficient.p), sympy.Integer(coefficient.q)
            if p < 0:
                negate, p = True, -p
        else:
            if coefficient.could_extract_minus_sign():
                negate, coefficient = True, -coefficient
            p = coefficient
        acc = None
        if p != 1:
            acc = self._const(p)
        for factor in numerator:
            node = self.build(factor)
            acc = node if acc is None else self._node("mul", (acc, node))
        den = self._const(q) if q != 1 else None
        for factor in denominator:
            node = self.build(factor)
            den = node if den is None else self._node("mul", (den, node))
        if acc is None:
            acc = self._const(sympy.Integer(1))
        if den is not None:
            acc = self._node("div", (acc, den))
        if negate:
            acc = self._node("neg", (acc,))
        return acc

    def _power(self, base: Any, exponent: Any) -> int:
        import sympy

        if base == sympy.E:
            return self._node("exp", (self.build(exponent),))
        if exponent.free_symbols:
            return self._node("powv", (self.build(base), self.build(exponent)))
        if exponent == 1:
            return self.build(base)
        if exponent.could_extract_minus_sign():
            one = self._const(sympy.Integer(1))
            den = self.build(base) if exponent == -1 else self._power(base, -exponent)
            return self._node("div", (one, den))
        return self._node("pow", (self.build(base),), k=sympy.sympify(exponent))


def _is_reciprocal(factor: Any) -> bool:
    import sympy

    return (
        isinstance(factor, sympy.Pow)
        and factor.exp.is_number
        and factor.exp.could_extract_minus_sign()
    )


def _wrap(node: Node, below: int) -> str:
    """The node's label, bracketed when its precedence is at most ``below``."""
    return f"({node.label})" if node.prec <= below else node.label


def _label(op: str, inputs: list[Node], k: Any) -> str:
    """The node's sub-expression in gradtutor's input language."""
    if op in _FUNCTION_LABEL:
        return f"{_FUNCTION_LABEL[op]}({inputs[0].label})"
    if op == "neg":
        return "-" + _wrap(inputs[0], 2)
    a = inputs[0]
    if op == "pow":
        from gradtutor.calculus.printing import plain

        exponent = plain(k)
        if not (k.is_Integer and k >= 0):
            exponent = f"({exponent})"
        return f"{_wrap(a, 3)}^{exponent}"
    b = inputs[1]
    if op == "add":
        return f"{a.label} + {_wrap(b, 1) if b.op != 'neg' else '(' + b.label + ')'}"
    if op == "sub":
        return f"{_wrap(a, 0)} - {_wrap(b, 2 if b.op == 'neg' else 1)}"
    if op == "mul":
        return f"{_wrap(a, 1)}*{_wrap(b, 2)}"
    if op == "div":
        return f"{_wrap(a, 1)}/{_wrap(b, 2)}"
    if op == "powv":
        return f"{_wrap(a, 3)}^{_wrap(b, 3)}"
    raise GraphError(f"unknown operation {op}")  # pragma: no cover - ops come from this module


# -- the point ------------------------------------------------------------------------------


def parse_at(text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """``w=0.5,x=2`` → exact sympy numbers and the texts typed (GraphError on bad input)."""
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.parsing import parse

    values: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if "=" not in item:
            raise GraphError(f"--at expects NAME=VALUE pairs separated by commas; got {item!r}")
        name, _, value_text = (s.strip() for s in item.partition("="))
        if not name.isidentifier() and len(name) != 1:
            raise GraphError(f"{name!r} is not a variable name")
        if name in values:
            raise GraphError(f"{name} is given twice in --at")
        try:
            value = parse(value_text).value
        except ParseError as exc:
            raise GraphError(f"{name}={value_text!r} is not a number: {exc}") from None
        if value.free_symbols or not (value.is_real and value.is_finite):
            raise GraphError(f"{name}={value_text!r} is not a number")
        values[name] = value
        texts[name] = value_text
    return values, texts


def check_point(graph: Graph, at: dict[str, Any], wrt: tuple[str, ...] | None) -> tuple[str, ...]:
    """Every variable has a value, no value is for an unknown name, --wrt names leaves."""
    variables = graph.variables
    missing = [v for v in variables if v not in at]
    if missing:
        names = ", ".join(missing)
        raise GraphError(
            f"no value for {names}: add {', '.join(m + '=…' for m in missing)} to --at"
        )
    unknown = [name for name in at if name not in variables]
    if unknown:
        raise GraphError(
            f"{', '.join(unknown)} is not a variable of the expression "
            f"(its variables: {', '.join(variables) or 'none'})"
        )
    if not wrt:
        return variables
    for name in wrt:
        node = graph.node_named(name)
        if node is None or node.op != "input":
            what = "a computed node" if node is not None else "not in the expression"
            raise GraphError(
                f"--wrt {name}: not a leaf of the graph ({what}); "
                f"the leaves are {', '.join(variables)}"
            )
    return tuple(dict.fromkeys(wrt))


# -- forward and backward ---------------------------------------------------------------------


def forward_values(graph: Graph, at: dict[str, float], m: Any = FloatMath) -> list[Any]:
    """Every node's value at the point, in forward order (UndefinedNode names a bad node)."""
    values: list[Any] = []
    for node in graph.nodes:
        if node.op == "input":
            values.append(at[node.label] if m is not FloatMath else float(at[node.label]))
        elif node.op == "const":
            values.append(float(node.k) if m is FloatMath else node.k)
        else:
            args = [values[i] for i in node.inputs]
            try:
                value = RULES[node.op].value(m, args, node.k)
            except (UndefinedValue, ZeroDivisionError, OverflowError) as exc:
                raise UndefinedNode(node, str(exc) or "a division by zero") from None
            if m is FloatMath and not math.isfinite(value):
                raise UndefinedNode(node, "the value is not a finite number")
            values.append(value)
    return values


def backward(
    graph: Graph, values: list[Any], m: Any = FloatMath
) -> tuple[list[Any], list[list[Contribution]]]:
    """Gradients ∂L/∂node in reverse topological order, with each node's contributions."""
    n = len(graph.nodes)
    zero = 0.0 if m is FloatMath else m.num(0)
    grads: list[Any] = [zero] * n
    grads[-1] = 1.0 if m is FloatMath else m.num(1)
    contributions: list[list[Contribution]] = [[] for _ in range(n)]
    for node in reversed(graph.nodes):
        if node.is_leaf:
            continue
        rule = RULES[node.op]
        upstream = grads[node.id]
        args = [values[i] for i in node.inputs]
        for slot, i in enumerate(node.inputs):
            try:
                local = rule.local(m, args, values[node.id], slot, node.k)
            except (UndefinedValue, ZeroDivisionError) as exc:
                raise UndefinedNode(node, f"its derivative is undefined: {exc}") from None
            contributions[i].append(Contribution(node.id, slot, local, upstream))
            grads[i] = grads[i] + local * upstream
    for found in contributions:
        found.sort(key=lambda c: (c.consumer, c.slot))  # in forward order, as read
    return grads, contributions


def numeric_gradient(graph: Graph, at: dict[str, float], name: str) -> float | None:
    """Central finite difference (f(v+h) − f(v−h)) / 2h with h = 1e-6·max(1, |v|)."""
    v = float(at[name])
    h = FD_STEP * max(1.0, abs(v))
    try:
        up = forward_values(graph, {**at, name: v + h})[-1]
        down = forward_values(graph, {**at, name: v - h})[-1]
    except UndefinedNode:
        return None
    return (up - down) / (2 * h)


def backprop(
    graph: Graph,
    at: dict[str, Any],
    *,
    wrt: tuple[str, ...] | None = None,
    exact: bool = True,
    at_text: dict[str, str] | None = None,
) -> Backprop:
    """Fill the graph at ``at`` (exact numbers or floats): values, gradients, gradient check."""
    params = check_point(graph, at, wrt)
    floats = {k: float(v) for k, v in at.items()}
    for name, value in floats.items():
        if not math.isfinite(value):
            shown = (at_text or {}).get(name, "the value")
            raise GraphError(f"{name} = {shown} is too large for float64 arithmetic")
    values = forward_values(graph, floats)
    grads, contributions = backward(graph, values)
    for node in graph.nodes:
        if not math.isfinite(grads[node.id]):
            raise UndefinedNode(node, "its gradient is not a finite number")
    numeric = {name: numeric_gradient(graph, floats, name) for name in params}
    exact_values = exact_grads = None
    if exact and len(graph.nodes) <= EXACT_MAX_NODES:
        exact_values, exact_grads = _exact(graph, at)
    return Backprop(
        graph=graph,
        at=floats,
        params=params,
        values=tuple(values),
        grads=tuple(grads),
        contributions=tuple(tuple(c) for c in contributions),
        numeric_grads=numeric,
        exact_values=exact_values,
        exact_grads=exact_grads,
        at_text=dict(at_text or {}),
    )


def _exact(
    graph: Graph, at: dict[str, Any]
) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
    """Exact sympy values and gradients, under a time limit (None when they cannot be had)."""
    import sympy

    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit

    exact_at = {k: sympy.nsimplify(v) if isinstance(v, float) else v for k, v in at.items()}
    try:
        with time_limit(EXACT_TIME_LIMIT):
            values = forward_values(graph, exact_at, ExactMath)
            grads, _ = backward(graph, values, ExactMath)
    except (TimeLimitExceeded, GraphError, TypeError, ValueError, RecursionError):
        return None, None
    return tuple(values), tuple(grads)
