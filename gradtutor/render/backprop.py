"""Draw a filled computational graph: nodes in forward order, the backward pass, the check.

Readable at 80 columns: one row per node (op, sub-expression, inputs, value, gradient),
long graphs folded in the middle; then the backward pass written out node by node,
output first, with fan-out sums; then the finite-difference check of each parameter.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from gradtutor.network.graph import Backprop, Node
from gradtutor.network.numbers import decimal
from gradtutor.network.words import backward_step, grad_of, node_name, value_of

FOLD_AT = 40  # graphs with more nodes show their first and last FOLD_KEEP rows
FOLD_KEEP = 15
NUMBER_WIDTH = 14
TREE_MAX = 24  # graphs up to this size are also drawn as a tree of their edges
TREE_LABEL = 26
_OP_NAMES = {
    "input": "input",
    "const": "const",
    "add": "+",
    "sub": "−",
    "mul": "×",
    "div": "÷",
    "neg": "−u",
    "pow": "u^k",
    "powv": "u^v",
    "exp": "exp",
    "ln": "ln",
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "relu",
    "softplus": "sp",
    "sin": "sin",
    "cos": "cos",
}


def render_backprop(result: Backprop, width: int = 80) -> RenderableType:
    """The whole drawing: header, graph table, backward pass, gradient check."""
    parts: list[RenderableType] = [_header(result), Text("")]
    if len(result.graph.nodes) <= TREE_MAX:
        parts += [_tree(result), Text("")]
    return Group(
        *parts,
        Text("Forward (values, inputs first) and backward (∂L/∂node)", style="bold"),
        _graph_table(result, width),
        Text(""),
        _backward(result),
        Text(""),
        _gradient_check(result),
    )


def _header(result: Backprop) -> Text:
    at = ", ".join(f"{k} = {result.at_text.get(k, decimal(v))}" for k, v in result.at.items())
    text = Text()
    text.append("L = ", style="bold")
    text.append(result.graph.expression, style="bold")
    text.append(f"   at {at}\n")
    out = result.graph.nodes[result.graph.output]
    text.append(f"L = {value_of(result, out)}   ")
    text.append(f"({len(result.graph.nodes)} nodes; gradients for {', '.join(result.params)})")
    return text


def _tree(result: Backprop) -> RenderableType:
    """The edges as a tree, output at the root; a node used again is shown as ↑#id."""
    from rich.tree import Tree

    graph = result.graph
    seen: set[int] = set()

    params = set(result.params)

    def label(node: Node) -> Text:
        name = node.label if len(node.label) <= TREE_LABEL else node.label[: TREE_LABEL - 1] + "…"
        text = Text(f"#{node.id} ", style="dim")
        if not node.is_leaf:
            text.append(f"{_OP_NAMES.get(node.op, node.op)} ", style="bold")
        text.append(name)
        if node.op != "const":
            text.append(f" = {result.value_texts[node.id]}")
        if not node.is_leaf or node.label in params:
            text.append(f"   ∂L/∂ = {result.grad_texts[node.id]}", style="cyan")
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text

    def grow(tree: Tree, node: Node) -> None:
        for i in node.inputs:
            child = graph.nodes[i]
            if i in seen:
                tree.add(Text(f"↑ #{i} {child.label[:TREE_LABEL]} (used again)", style="dim"))
                continue
            seen.add(i)
            grow(tree.add(label(child)), child)

    root_node = graph.nodes[graph.output]
    seen.add(root_node.id)
    root = Tree(label(root_node), guide_style="dim")
    grow(root, root_node)
    title = Text("Edges, output at the root (a node used twice appears once, then as ↑#id)")
    return Group(Text.assemble((title.plain, "bold")), root)


def _rows(result: Backprop) -> list[Node | None]:
    nodes = list(result.graph.nodes)
    if len(nodes) <= FOLD_AT:
        return list(nodes)
    return [*nodes[:FOLD_KEEP], None, *nodes[-FOLD_KEEP:]]


def _cell(result: Backprop, node: Node, *, grad: bool) -> str:
    """Value or gradient, exact when that fits in the column, else the decimal."""
    text = grad_of(result, node) if grad else value_of(result, node)
    if len(text) > NUMBER_WIDTH:
        text = decimal(result.grads[node.id] if grad else result.values[node.id])
    return text


def _graph_table(result: Backprop, width: int) -> Group:
    digits = len(str(len(result.graph.nodes)))
    edges = max((len(_edges(n)) for n in result.graph.nodes), default=4)
    labels = max(len(n.label) for n in result.graph.nodes)
    fixed = digits + 5 + min(edges, 9) + 2 * NUMBER_WIDTH + 15  # 5 gaps of 3
    node_width = max(10, min(labels, width - fixed))
    params = set(result.params)
    folded = len(result.graph.nodes) - 2 * FOLD_KEEP
    rows: list[list[tuple[str, str]]] = []
    for node in _rows(result):
        if node is None:
            rows.append([("…", ""), ("", ""), (f"{folded} nodes folded", "dim")] + [("", "")] * 3)
            continue
        op = _OP_NAMES.get(node.op, node.op)
        if node.op == "input":
            op = "param" if node.label in params else "input"
        quiet = node.op == "const" or (node.op == "input" and node.label not in params)
        rows.append(
            [
                (str(node.id), ""),
                (op, ""),
                (node.label, ""),
                (_edges(node), ""),
                (_cell(result, node, grad=False), ""),
                (_cell(result, node, grad=True), "dim" if quiet else ""),
            ]
        )
    return columns(
        ["#", "op", "node", "from", "value", "∂L/∂node"],
        rows,
        right={0, 4, 5},
        limits=[digits, 5, node_width, max(4, min(edges, 9)), NUMBER_WIDTH, NUMBER_WIDTH],
    )


def columns(
    headers: list[str],
    rows: list[list[tuple[str, str]]],
    *,
    right: set[int],
    limits: list[int | None],
) -> Group:
    """A plain table (header, rule, rows; columns 3 apart), much faster than rich's Table.

    Each cell is (text, style); a text longer than its column's limit ends in "…"."""
    count = len(headers)
    widths = []
    for i in range(count):
        natural = max([len(headers[i])] + [len(row[i][0]) for row in rows])
        limit = limits[i]
        widths.append(natural if limit is None else min(natural, max(limit, len(headers[i]))))
    lines = [_row([(h, "bold") for h in headers], widths, right)]
    lines.append(Text("─" * (sum(widths) + 3 * (count - 1)), no_wrap=True, overflow="crop"))
    lines.extend(_row(row, widths, right) for row in rows)
    return Group(*lines)


def _row(cells: list[tuple[str, str]], widths: list[int], right: set[int]) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    for i, ((text, style), width) in enumerate(zip(cells, widths, strict=True)):
        if len(text) > width:
            text = text[: width - 1] + "…"
        padded = text.rjust(width) if i in right else text.ljust(width)
        if i:
            line.append("   ")
        line.append(padded, style=style or None)
    line.rstrip()
    return line


def _edges(node: Node) -> str:
    return ",".join(f"#{i}" for i in node.inputs)


def _backward(result: Backprop) -> Group:
    lines: list[RenderableType] = [
        Text("Backward, output first: local derivative × upstream", style="bold")
    ]
    graph = result.graph
    params = set(result.params)
    shown = [
        n
        for n in reversed(graph.nodes)
        if n.op != "const" and (n.op != "input" or n.label in params)
    ]
    keep = 2 * FOLD_KEEP
    for i, node in enumerate(shown):
        if len(shown) > FOLD_AT and i == FOLD_KEEP:
            lines.append(Text(f"  … {len(shown) - keep} steps folded …", style="dim"))
        if len(shown) > FOLD_AT and FOLD_KEEP <= i < len(shown) - FOLD_KEEP:
            continue
        line = Text("  ")
        line.append(backward_step(result, node))
        if len(result.contributions[node.id]) > 1:
            line.stylize("bold", 2)
        lines.append(line)
    return Group(*lines)


def _gradient_check(result: Backprop) -> Group:
    title = Text("Gradient check", style="bold")
    title.append(": central differences (f(v+h) − f(v−h))/2h, h = 1e-6·max(1, |v|)", style="")
    rows = []
    for name in result.params:
        node = result.graph.node_named(name)
        assert node is not None
        numeric = result.numeric_grads.get(name)
        error = result.relative_error(name)
        rows.append(
            [
                (node_name(result.graph, node), ""),
                (f"{result.grads[node.id]:.10g}", ""),
                ("undefined" if numeric is None else f"{numeric:.10g}", ""),
                ("—" if error is None else f"{error:.1e}", ""),
            ]
        )
    table = columns(
        ["param", "backprop", "finite diff.", "rel. error"],
        rows,
        right={1, 2, 3},
        limits=[24, None, None, None],
    )
    notes = [
        Text(
            f"note: {node.label} is at its kink (input 0): backprop takes its derivative as 0 "
            "there; finite differences average the two sides.",
            style="yellow",
        )
        for node in result.kinks
    ]
    return Group(title, table, *notes)


def render_practice_graph(result: Backprop, width: int = 80) -> RenderableType:
    """The graph to fill in: every node with its inputs; values only for the leaves."""
    labels = max(len(n.label) for n in result.graph.nodes)
    params = set(result.params)
    rows = []
    for node in _rows(result):
        if node is None:
            rows.append([("…", ""), ("", ""), ("folded", "dim"), ("", ""), ("", "")])
            continue
        op = _OP_NAMES.get(node.op, node.op)
        if node.op == "input":
            op = "param" if node.label in params else "input"
        value = _cell(result, node, grad=False) if node.is_leaf else "?"
        rows.append(
            [(str(node.id), ""), (op, ""), (node.label, ""), (_edges(node), ""), (value, "")]
        )
    table = columns(
        ["#", "op", "node", "from", "value"],
        rows,
        right={0, 4},
        limits=[None, 5, max(10, min(labels, width - 40)), 9, NUMBER_WIDTH],
    )
    title = Text("L = ", style="bold")
    title.append(result.graph.expression, style="bold")
    title.append(f"   ({len(result.graph.nodes)} nodes; gradients for {', '.join(result.params)})")
    return Group(title, table)
