"""Quiz kinds that use the backprop lab's graph: every expected answer computed by it.

- ``graph-node``: one node's gradient, given the upstream gradients its consumers send back;
- ``graph-fanout``: the same for a node used twice (the contributions add up);
- ``layer-gradient``: a layer's ∂L/∂W = δ·xᵀ — its shape, then its rows;
- ``deep-chain``: |∂L/∂a_k| in a chain of scalar layers aₗ = act(w·aₗ₋₁), L = a_N.

The worked solution of each is the forward and backward tables with numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gradtutor.tutor.models import Part

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.calculus.results import CheckResult
    from gradtutor.network.graph import Backprop, Node
    from gradtutor.network.misconceptions import Diagnosis
    from gradtutor.tutor.kinds import Built

MAX_CHAIN = 8


def _number(text: str) -> Any:
    from gradtutor.calculus.parsing import parse

    value = parse(str(text)).value
    if value.free_symbols:
        raise ValueError(f"{text!r} is not a number")
    return value


def _plain(expr: Any) -> str:
    from gradtutor.calculus.printing import plain

    return plain(expr)


def graph_result(f: str, at: Mapping[str, Any], wrt: tuple[str, ...] | None = None) -> Backprop:
    """The filled graph of ``f`` at the point (exact values required)."""
    from gradtutor.network.graph import backprop, graph_from_text

    values = {name: _number(text) for name, text in at.items()}
    texts = {name: str(text) for name, text in at.items()}
    result = backprop(graph_from_text(f), values, wrt=wrt, at_text=texts)
    if result.exact_grads is None:
        raise ValueError("the graph is too big for exact answers; use a smaller expression")
    return result


def _node(result: Backprop, label: str) -> Node:
    node = result.graph.node_named(label)
    if node is None:
        labels = ", ".join(repr(n.label) for n in result.graph.nodes if not n.is_leaf)
        raise ValueError(f"node {label!r} is not in the graph; its nodes are {labels}")
    if node.id == result.graph.output:
        raise ValueError(f"node {label!r} is the output: its gradient is always 1")
    return node


def _graph_question(fields: Mapping[str, Any], *, fanout: bool) -> Built:
    from gradtutor.network.numbers import show
    from gradtutor.network.words import grad_name, worked_tables
    from gradtutor.tutor.kinds import Built

    f, at, label = str(fields["f"]), fields["at"], str(fields["node"])
    result = graph_result(f, at)
    node = _node(result, label)
    exact_values, exact_grads = result.exact_values, result.exact_grads
    assert exact_values is not None and exact_grads is not None  # graph_result raises if not
    contributions = result.contributions[node.id]
    if fanout and len(contributions) < 2:
        raise ValueError(f"node {label!r} is used once; graph-fanout needs a node used twice")
    graph = result.graph
    sent = []
    for c in contributions:
        consumer = graph.nodes[c.consumer]
        exact = exact_grads[consumer.id]
        sent.append(f"{grad_name(graph, consumer)} = {show(c.upstream, exact)}")
    point = ", ".join(f"{k} = {v}" for k, v in at.items())
    value = show(result.values[node.id], exact_values[node.id])
    uses = f"It is used {len(contributions)} times. " if len(contributions) > 1 else ""
    prompt = (
        f"In the computational graph of L = {graph.expression} at {point}, the node "
        f"{label} has the value {value}. {uses}Upstream: {'; '.join(dict.fromkeys(sent))}. "
        f"Give {grad_name(graph, node)}."
    )
    expected = exact_grads[node.id]
    part = Part(
        grad_name(graph, node),
        _plain(expected),
        None,
        worked_tables(result),
        twin_answers(result, node),
    )
    trivial = "the gradient there is 0" if expected == 0 else None
    return Built(prompt, (part,), trivial)


def neuron_worked(activation: str, x: str, y: str, w: str, b: str) -> str | None:
    """The forward and backward tables of one neuron's loss (a worked solution)."""
    from gradtutor.network.graph import GraphError
    from gradtutor.network.words import worked_tables

    act = {"sigmoid": "σ", "linear": ""}.get(activation, activation)
    try:
        result = graph_result(
            f"({act}(w*x + b) - y)^2", {"w": w, "b": b, "x": x, "y": y}, ("w", "b")
        )
    except (GraphError, ValueError):
        return None
    return worked_tables(result)


def twin_answers(result: Backprop, node: Node) -> tuple[tuple[str, str, str], ...]:
    """The buggy twins' answers for this node that only one twin gives, as exact texts.

    A twin's value is kept only when it is a simple fraction (the float is that fraction
    exactly), so the quiz can match it through the equivalence engine."""
    from fractions import Fraction

    from gradtutor.network.misconceptions import diagnoses

    by_value: dict[Fraction, list[Diagnosis]] = {}
    for diagnosis in diagnoses(result, node):
        fraction = Fraction(diagnosis.value).limit_denominator(1000)
        if abs(float(fraction) - diagnosis.value) <= 1e-12 * max(1.0, abs(diagnosis.value)):
            by_value.setdefault(fraction, []).append(diagnosis)
    answers = []
    for fraction, found in by_value.items():
        if len({d.id for d in found}) == 1:
            answers.append((str(fraction), found[0].id, found[0].message))
    return tuple(answers)


def with_twins(
    part: Part, answer: str, result: CheckResult, check: Callable[[str, str], CheckResult]
) -> CheckResult:
    """The engine's result on a wrong answer, naming a backprop twin that gives that answer."""
    import dataclasses

    from gradtutor.calculus.results import Feedback, Verdict

    twins = part.twins
    if not twins or result.verdict is not Verdict.NOT_EQUIVALENT:
        return result
    if any(f.kind == "misconception" for f in result.feedback):
        return result
    for value, twin_id, message in twins:
        if check(value, answer).verdict is Verdict.EQUIVALENT:
            named = Feedback("misconception", message, twin_id)
            return dataclasses.replace(result, feedback=(named, *result.feedback))
    return result


def graph_node(fields: Mapping[str, Any]) -> Built:
    return _graph_question(fields, fanout=False)


def graph_fanout(fields: Mapping[str, Any]) -> Built:
    return _graph_question(fields, fanout=True)


def _exact_matrix(text: str, what: str) -> list[list[Any]]:
    from gradtutor.calculus.vectors import split_top_level

    stripped = str(text).strip()
    if not (stripped.startswith("[") and stripped.endswith("]")):
        raise ValueError(f"{what} must be in brackets, like [[1, 2], [3, 4]] or [1, 2]")
    inner = stripped[1:-1].strip()
    nested = inner.startswith("[")
    rows = [r.strip()[1:-1] for r in split_top_level(inner)] if nested else [inner]
    matrix = [[_number(e) for e in split_top_level(r)] for r in rows]
    if len({len(r) for r in matrix}) != 1:
        raise ValueError(f"the rows of {what} have different lengths")
    return matrix


def layer_gradient(fields: Mapping[str, Any]) -> Built:
    """∂L/∂W = δ·xᵀ for z = W·x + b, given W, x and δ = ∂L/∂z (and ∂L/∂x = Wᵀδ if asked)."""
    import sympy

    from gradtutor.tutor.kinds import Built

    W = sympy.Matrix(_exact_matrix(fields["weights"], "weights"))
    x = sympy.Matrix(_exact_matrix(fields["inputs"], "inputs")).reshape(W.shape[1], 1)
    delta = sympy.Matrix(_exact_matrix(fields["deltas"], "deltas"))
    if delta.rows * delta.cols != W.rows:
        raise ValueError(f"deltas has {delta.rows * delta.cols} entries; W has {W.rows} rows")
    delta = delta.reshape(W.rows, 1)
    dW = delta * x.T
    asks = list(fields.get("ask", ["dW"]))
    n, m = W.shape
    worked = [
        f"z = W·x + b: W is {n}×{m}, x is {m}×1, δ = ∂L/∂z is {n}×1.",
        f"∂L/∂W = δ·xᵀ ({n}×1 · 1×{m} → {n}×{m}), the shape of W:",
    ]
    parts = [
        Part("rows of ∂L/∂W", str(n), None, None),
        Part("columns of ∂L/∂W", str(m), None, None),
    ]
    for i in range(n):
        row = ", ".join(_plain(v) for v in dW.row(i))
        for j in range(m):
            parts.append(Part(f"∂L/∂W[{i + 1},{j + 1}]", _plain(dW[i, j])))
        worked.append(f"  row {i + 1} = δ{i + 1}·xᵀ = {_plain(delta[i])}·{_row(x.T)} = [{row}]")
    if "dx" in asks:
        dx = W.T * delta
        for j in range(m):
            parts.append(Part(f"∂L/∂x[{j + 1}]", _plain(dx[j])))
        text = "[" + ", ".join(_plain(v) for v in dx) + "]"
        worked.append(f"∂L/∂x = Wᵀ·δ ({m}×{n} · {n}×1 → {m}×1) = {text}")
    unknown = set(asks) - {"dW", "dx"}
    if unknown:
        raise ValueError(f"ask {sorted(unknown)[0]!r} is not 'dW' or 'dx'")
    text = "\n".join(worked)
    parts = [Part(p.label, p.expected, p.task, text) for p in parts]
    prompt = (
        f"A layer z = W·x + b with W = {_matrix_text(W)} and x = {_row(x.T)}ᵀ receives "
        f"δ = ∂L/∂z = {_row(delta.T)}ᵀ. Give the shape of ∂L/∂W (rows, columns), then its "
        "entries row by row" + (", then ∂L/∂x." if "dx" in asks else ".")
    )
    return Built(prompt, tuple(parts))


def _row(matrix: Any) -> str:
    return "[" + ", ".join(_plain(v) for v in matrix) + "]"


def _matrix_text(matrix: Any) -> str:
    return "[" + ", ".join(_row(matrix.row(i)) for i in range(matrix.rows)) + "]"


def deep_chain(fields: Mapping[str, Any]) -> Built:
    """∂L/∂a_k for aₗ = act(w·aₗ₋₁), l = 1…N, L = a_N: the product of act′(zₗ)·w above k."""
    from gradtutor.network.numbers import show
    from gradtutor.network.rules import RULES, ExactMath
    from gradtutor.tutor.kinds import Built

    layers = int(str(fields["layers"]))
    k = int(str(fields["k"]))
    activation = str(fields.get("activation", "sigmoid"))
    if not 1 <= layers <= MAX_CHAIN:
        raise ValueError(f"layers must be 1 to {MAX_CHAIN}, not {layers}")
    if not 0 <= k < layers:
        raise ValueError(f"k must be 0 to {layers - 1}, not {k}")
    if activation not in ("sigmoid", "tanh", "relu", "linear"):
        raise ValueError(f"activation {activation!r}: sigmoid, tanh, relu or linear")
    w = _number(fields["weight"])
    a = _number(fields["input"])
    rule = RULES.get(activation)
    zs, outs = [], [a]
    for _ in range(layers):
        z = w * a
        a = rule.value(ExactMath, [z], None) if rule else z
        zs.append(z)
        outs.append(a)
    grad, lines = 1, []
    for layer in range(layers, k, -1):
        z, out = zs[layer - 1], outs[layer]
        local = rule.local(ExactMath, [z], out, 0, None) if rule else 1
        grad = grad * local * w
        lines.append(
            f"  layer {layer}: z = w·a{layer - 1} = {show(float(z), z)}, "
            f"factor {activation}′(z)·w = {show(float(local * w), local * w)}, "
            f"∂L/∂a{layer - 1} = {show(float(grad), grad)}"
        )
    expected = grad
    act = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "linear": ""}[activation]
    step = f"{act}(w·a_(l-1))" if act else "w·a_(l-1)"
    prompt = (
        f"A chain of {layers} layers a_l = {step} with w = {fields['weight']}, "
        f"a_0 = {fields['input']} and L = a_{layers}. Give ∂L/∂a_{k}."
    )
    worked = "\n".join(
        [
            "Forward: z_l = w·a_(l-1), a_l = act(z_l); backward: multiply act′(z_l)·w per layer.",
            *lines,
        ]
    )
    trivial = "the gradient is 0" if expected == 0 else None
    return Built(prompt, (Part(f"∂L/∂a_{k}", _plain(expected), None, worked),), trivial)
