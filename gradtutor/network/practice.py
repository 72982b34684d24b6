"""Practice on a graph: the learner fills in every value, then every gradient; the engine judges.

UI-free: :func:`practice_entries` lists what to ask (forward in topological order, then
backward in reverse), :func:`judge_entry` judges one typed answer — a decimal to the digits
typed (``judge_decimal``) or an exact form (``σ(3)(1 − σ(3))``, through the equivalence
engine) — and names a misconception only when exactly one buggy twin reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradtutor.network.graph import Backprop, Node
from gradtutor.network.numbers import decimal
from gradtutor.network.words import (
    backward_step,
    forward_question,
    forward_step,
    grad_name,
    local_rules,
    node_name,
    value_of,
)


@dataclass(frozen=True)
class Entry:
    """One blank of the graph: a node's value (forward) or its gradient (backward)."""

    node: int
    phase: str  # "forward" | "backward"
    prompt: str
    expected: float
    exact: Any = None  # sympy, when known

    @property
    def expected_text(self) -> str:
        """The answer in gradtutor's input language (reads back through ``check``)."""
        if self.exact is not None:
            from gradtutor.calculus.printing import plain

            text = plain(self.exact)
            if len(text) <= 80:
                return text
        return repr(float(self.expected))


@dataclass(frozen=True)
class Judgement:
    """``verdict``: correct | close (right digits, too few of them) | wrong | invalid."""

    verdict: str
    message: str
    misconception: str | None = None


def depends_on_params(result: Backprop) -> set[int]:
    """Nodes with a path from a parameter: the ones whose gradients the learner needs."""
    params = set(result.params)
    found: set[int] = set()
    for node in result.graph.nodes:
        if (node.op == "input" and node.label in params) or any(i in found for i in node.inputs):
            found.add(node.id)
    return found


def practice_entries(result: Backprop) -> list[Entry]:
    """Forward: every operation in order. Backward: every needed gradient, output first."""
    graph = result.graph
    entries = []
    for node in graph.nodes:
        if node.is_leaf:
            continue
        exact = result.exact_values[node.id] if result.exact_values else None
        entries.append(
            Entry(node.id, "forward", _forward_prompt(result, node), result.values[node.id], exact)
        )
    needed = depends_on_params(result)
    for node in reversed(graph.nodes):
        if node.id == graph.output or node.op == "const" or node.id not in needed:
            continue
        exact = result.exact_grads[node.id] if result.exact_grads else None
        entries.append(
            Entry(node.id, "backward", _backward_prompt(result, node), result.grads[node.id], exact)
        )
    return entries


def _forward_prompt(result: Backprop, node: Node) -> str:
    graph = result.graph
    inputs = ", ".join(
        f"{node_name(graph, graph.nodes[i])} = {value_of(result, graph.nodes[i])}"
        for i in dict.fromkeys(node.inputs)
    )
    name = node_name(graph, node)
    shown = node.label if name != node.label else name
    return f"{shown} = ?   ({inputs})"


def _backward_prompt(result: Backprop, node: Node) -> str:
    graph = result.graph
    ups = []
    for c in result.contributions[node.id]:
        consumer = graph.nodes[c.consumer]
        text = f"{grad_name(graph, consumer)} = {decimal(c.upstream)}"
        if text not in ups:
            ups.append(text)
    return f"{grad_name(graph, node)} = ?   (upstream: {'; '.join(ups)})"


def reveal(result: Backprop, entry: Entry) -> str:
    """The entry worked out in full, with its numbers."""
    node = result.graph.nodes[entry.node]
    if entry.phase == "forward":
        return forward_step(result, node)
    return backward_step(result, node)


def hints(result: Backprop, entry: Entry) -> list[str]:
    """First the rule, then the numbers to combine (never the answer itself)."""
    graph = result.graph
    node = graph.nodes[entry.node]
    if entry.phase == "forward":
        from gradtutor.network.rules import RULES

        rule = RULES[node.op]
        step = forward_question(result, node)
        return [f"apply {rule.symbol or node.op} to the input values", f"{step} = ?"]
    rules = "; ".join(dict.fromkeys(local_rules(result, node)))
    uses = len(result.contributions[node.id])
    first = f"local derivative × upstream gradient ({rules})"
    if uses > 1:
        first += f"; {node_name(graph, node)} is used {uses} times: add the contributions"
    products = " + ".join(
        f"{decimal(c.local)} × {decimal(c.upstream)}" for c in result.contributions[node.id]
    )
    return [first, f"{grad_name(graph, node)} = {products} = ?"]


def judge_entry(result: Backprop, entry: Entry, text: str) -> Judgement:
    """Judge one typed answer against the entry (never raises on bad input)."""
    import sympy

    from gradtutor.calculus.decimal_answer import DecimalMatch, judge_decimal

    target = entry.exact if entry.exact is not None else sympy.Float(entry.expected, 17)
    decimal_verdict = judge_decimal(text, target)
    if decimal_verdict is not None:
        answer_value = float(text.strip().replace("−", "-"))
        if decimal_verdict.verdict == DecimalMatch.RIGHT:
            return Judgement("correct", "right")
        near = abs(answer_value - entry.expected) <= 0.01 * abs(entry.expected)
        if decimal_verdict.verdict == DecimalMatch.CLOSE and near:
            # Too few digits to tell a right rounding from a slip: ask for more, not a try.
            return Judgement("close", "close — give at least 3 significant digits")
        return _wrong(result, entry, text, answer_value, None)
    parsed = _read(text)
    if isinstance(parsed, Judgement):
        return parsed
    try:
        answer_value = float(parsed.evalf(30))
    except (TypeError, ValueError):
        return Judgement("invalid", "that is not a real number")
    if _equal(entry, target, parsed, answer_value):
        return Judgement("correct", "right")
    return _wrong(result, entry, text, answer_value, parsed)


def _read(text: str) -> Any:
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.parsing import parse

    if not text.strip():
        return Judgement("invalid", "type a number, an exact form such as σ(3)(1 - σ(3)), or hint")
    try:
        parsed = parse(text)
    except ParseError as exc:
        return Judgement("invalid", f"that is not maths gradtutor can read: {exc}")
    except RecursionError:
        return Judgement("invalid", "that is nested too deeply")
    if parsed.has_derivative:
        return Judgement("invalid", "give the number, not a derivative to take")
    expr = parsed.value
    if expr.free_symbols:
        names = ", ".join(sorted(s.name for s in expr.free_symbols))
        return Judgement("invalid", f"give a number: put in the values of {names}")
    return expr


def _equal(entry: Entry, target: Any, answer: Any, answer_value: float) -> bool:
    if entry.exact is not None:
        from gradtutor.calculus.equivalence import check_exprs
        from gradtutor.calculus.results import Verdict

        verdict = check_exprs(target, answer).verdict
        if verdict in (Verdict.EQUIVALENT, Verdict.NOT_EQUIVALENT):
            return verdict == Verdict.EQUIVALENT
    return _close(answer_value, entry.expected)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _matches(text: str, answer_value: float, twin_value: float, is_decimal: bool) -> bool:
    if is_decimal:
        import sympy

        from gradtutor.calculus.decimal_answer import DecimalMatch, judge_decimal

        judged = judge_decimal(text, sympy.Float(twin_value, 17))
        return judged is not None and judged.verdict == DecimalMatch.RIGHT
    return _close(answer_value, twin_value)


def _wrong(
    result: Backprop, entry: Entry, text: str, answer_value: float, parsed: Any
) -> Judgement:
    node = result.graph.nodes[entry.node]
    if entry.phase == "backward":
        from gradtutor.network.misconceptions import diagnoses

        found = [
            d
            for d in diagnoses(result, node)
            if _matches(text, answer_value, d.value, parsed is None)
        ]
        if len({d.id for d in found}) == 1:
            return Judgement("wrong", found[0].message, found[0].id)
    return Judgement("wrong", _generic(result, entry, node, text, answer_value, parsed))


# What a forward value means, for the operations that are not plain arithmetic.
_DEFINITIONS = {
    "sigmoid": "σ(z) = 1/(1 + e^(−z))",
    "tanh": "tanh(z) = (e^z − e^(−z))/(e^z + e^(−z))",
    "relu": "relu(z) = max(0, z)",
    "softplus": "softplus(z) = ln(1 + e^z)",
}

_FACTORS = (2, 3, 4, -1, -2, -3, -4, 0.5, 0.25, -0.5, -0.25, 10, 0.1)


def _generic(
    result: Backprop, entry: Entry, node: Node, text: str, answer_value: float, parsed: Any
) -> str:
    """The engine's generic feedback on the two numbers, and the correct local rule."""
    import sympy

    from gradtutor.calculus.feedback import generic_feedback

    expected = entry.exact if entry.exact is not None else sympy.Float(entry.expected, 17)
    answer = parsed if parsed is not None else sympy.Rational(text.strip().replace("−", "-"))
    words = [f.message for f in generic_feedback(expected, answer)]
    if not words and parsed is None and entry.expected != 0:
        # a decimal is not exact, so say "about": the ratio to the right value, if simple
        ratio = answer_value / entry.expected
        for factor in _FACTORS:
            if abs(ratio - factor) <= 0.005 * abs(factor):
                words.append(
                    "your answer has the wrong sign"
                    if factor == -1
                    else f"your answer is about {factor:g} times the right value"
                )
                break
    if entry.phase == "forward":
        # A value is asked, not a derivative: say what to compute, never the local
        # derivative (σ(0) = ? once got "∂/∂z = σ(z)(1 − σ(z))", a backward rule).
        step = forward_question(result, node)
        definition = _DEFINITIONS.get(node.op)
        words.append(f"compute {step}" + (f", where {definition}" if definition else ""))
    else:
        rules = "; ".join(dict.fromkeys(local_rules(result, node)))
        words.append(f"the rule: local derivative × upstream, with {rules}")
    return "; ".join(words)
