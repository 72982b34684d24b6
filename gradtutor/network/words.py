"""Each node's forward and backward step written out with its numbers (plain text, no rich).

Used by the drawing, the practice prompts and the worked solutions alike, so the three
always say the same thing.
"""

from __future__ import annotations

from gradtutor.network.graph import Backprop, Graph, Node
from gradtutor.network.numbers import decimal
from gradtutor.network.rules import RULES

NAME_MAX = 22
_TIMES = {1: "once", 2: "twice", 3: "three times"}


def node_name(graph: Graph, node: Node) -> str:
    """A leaf by its name, a node by its sub-expression when short, else ``#id``."""
    if node.is_leaf or len(node.label) <= NAME_MAX:
        return node.label
    return f"#{node.id}"


def grad_name(graph: Graph, node: Node) -> str:
    """∂L/∂w, ∂L/∂(w*x + b), ∂L/∂#12."""
    name = node_name(graph, node)
    if node.is_leaf or name.startswith("#") or name.isidentifier():
        return f"∂L/∂{name}"
    return f"∂L/∂({name})"


def value_of(result: Backprop, node: Node) -> str:
    return result.value_texts[node.id]


def grad_of(result: Backprop, node: Node) -> str:
    return result.grad_texts[node.id]


def forward_step(result: Backprop, node: Node) -> str:
    """``w*x + b = 1 + (-1) = 0``: the operation on its input values."""
    if node.op in ("input", "const"):
        return forward_question(result, node)
    question, value = forward_question(result, node), value_of(result, node)
    middle = question.split(" = ", 1)[1]
    if value.startswith(f"{middle} "):  # σ(1) ≈ 0.7311, not σ(1) = σ(1) ≈ 0.7311
        return f"{node_name(result.graph, node)} = {value}"
    return f"{question} = {value}"


def forward_question(result: Backprop, node: Node) -> str:
    """``w*x + b = 1 + (-1)``: the operation on its input values, before its value."""
    graph = result.graph
    if node.op == "input":
        return f"{node.label} = {value_of(result, node)} (given)"
    if node.op == "const":
        return f"{node.label} (a number)"
    args = [_paren(decimal(result.values[i])) for i in node.inputs]
    rule = RULES[node.op]
    if len(args) == 2:
        middle = f"{args[0]} {rule.symbol} {args[1]}"
        if node.op == "powv":
            middle = f"{args[0]}^{args[1]}"
    elif node.op == "pow":
        middle = f"{args[0]}^{node.k}"
    elif node.op == "neg":
        middle = f"−{args[0]}"
    else:
        middle = f"{rule.symbol}({decimal(result.values[node.inputs[0]])})"
    return f"{node_name(graph, node)} = {middle}"


def contribution_text(result: Backprop, node: Node) -> list[str]:
    """One ``local × upstream`` per consumer, with the rule that gave the local derivative."""
    graph = result.graph
    parts = []
    for c in result.contributions[node.id]:
        consumer = graph.nodes[c.consumer]
        rule = RULES[consumer.op].formula(c.slot)
        parts.append(
            f"{decimal(c.local)} × {decimal(c.upstream)} (via {node_name(graph, consumer)}: {rule})"
        )
    return parts


def backward_step(result: Backprop, node: Node) -> str:
    """``∂L/∂w = 3 × 1 + 4 × 1 = 3 + 4 = 7: w is used twice``."""
    graph = result.graph
    name = grad_name(graph, node)
    contributions = result.contributions[node.id]
    total = grad_of(result, node)
    if not contributions:
        return f"{name} = 1 (the output)"
    products = " + ".join(
        f"{decimal(c.local)} × {_paren(decimal(c.upstream))}" for c in contributions
    )
    if len(contributions) == 1:
        return f"{name} = {products} = {total}"
    values = " + ".join(_paren(decimal(c.value)) for c in contributions)
    times = _TIMES.get(len(contributions), f"{len(contributions)} times")
    return f"{name} = {products} = {values} = {total}: {node_name(graph, node)} is used {times}"


def local_rules(result: Backprop, node: Node) -> list[str]:
    """The local rule of each consumer, as it applies to this node."""
    graph = result.graph
    return [
        RULES[graph.nodes[c.consumer].op].formula(c.slot) for c in result.contributions[node.id]
    ]


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def worked_tables(result: Backprop) -> str:
    """The worked solution of a backprop question: the forward table, then the backward one."""
    graph = result.graph
    params = set(result.params)
    lines = ["Forward (each node's value, inputs first):"]
    for node in graph.nodes:
        if node.op == "const":
            continue
        lines.append(f"  {forward_step(result, node)}")
    lines.append("Backward (∂L/∂node = local derivative × upstream, output first):")
    for node in reversed(graph.nodes):
        if node.op == "const" or (node.op == "input" and node.label not in params):
            continue
        lines.append(f"  {backward_step(result, node)}")
    return "\n".join(lines)
