"""Buggy twins of the backward rules: what a learner's wrong gradient was computed by.

Each misconception is one block, a class registered with ``@_block`` (the shape of
:mod:`gradtutor.calculus.misconceptions`): its docstring is the buggy formula, then its id
and title, then its twin — the computation that gives, with the numbers of this graph or
network, the value the mistake would give, and the message that explains it and ends with
the right rule. :data:`MISCONCEPTIONS` and everything read elsewhere (:data:`BY_ID`,
:data:`TITLES` for the quiz and ``progress``, :data:`TWINS` for graph practice and the
quiz's graph questions, :data:`MATRIX_TWINS` for layer practice) are derived from the
blocks, in the order they appear.

A wrong answer is named only when it matches one twin's value and no other twin's (an
ambiguous match names nothing).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from gradtutor.network.graph import Backprop, Contribution, Node
from gradtutor.network.numbers import decimal

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.network.layer_practice import MatrixEntry
    from gradtutor.network.layers import NetResult


@dataclass(frozen=True)
class Diagnosis:
    """A twin that reproduces the learner's number, and why."""

    id: str
    value: float
    message: str


class Misconception:
    """A buggy backward rule: the block's docstring is its formula; ``id`` and ``title`` name it."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""  # readable, for the quiz summary and ``progress``

    @property
    def formula(self) -> str:
        """The buggy formula: the block's docstring, stated once."""
        return type(self).__doc__ or ""


class Twin(Misconception):
    """A twin of a graph's backward rule; ``candidates`` yields the values it gives for one
    node."""

    def candidates(self, result: Backprop, node: Node) -> Iterator[Diagnosis]:
        raise NotImplementedError  # pragma: no cover - abstract


class MatrixTwin(Misconception):
    """A twin of a layer's matrix rule: the whole matrix it gives for one entry (None where
    the mistake cannot show), and its message. Judged in :mod:`gradtutor.network.layer_practice`."""

    message: ClassVar[str] = ""

    def value(self, result: NetResult, entry: MatrixEntry) -> Any | None:
        raise NotImplementedError  # pragma: no cover - abstract


_TABLE: list[Misconception] = []
_M = TypeVar("_M", bound=Misconception)


def _block(cls: type[_M]) -> type[_M]:
    """Register a misconception block (one instance: a twin holds no state)."""
    _TABLE.append(cls())
    return cls


def _replaced(result: Backprop, node: Node, index: int, value: float) -> float:
    """The node's gradient with contribution ``index`` replaced by ``value``."""
    parts = [c.value for c in result.contributions[node.id]]
    parts[index] = value
    return sum(parts)


def _consumer(result: Backprop, c: Contribution) -> Node:
    return result.graph.nodes[c.consumer]


# --- the twins of the graph's backward rules: one node's number ---------------------------


@_block
class UpstreamMissing(Twin):
    """∂L/∂u = ∂c/∂u — the local derivative alone, not × the upstream ∂L/∂c."""

    id = "backprop_upstream_missing"
    title = "local derivative without the upstream gradient"

    def candidates(self, result: Backprop, node: Node) -> Iterator[Diagnosis]:
        contributions = result.contributions[node.id]
        if not contributions or all(c.upstream == 1 for c in contributions):
            return
        value = sum(c.local for c in contributions)
        upstream = ", ".join(decimal(c.upstream) for c in contributions)
        yield Diagnosis(
            self.id,
            value,
            f"that is the local derivative alone; multiply it by the upstream gradient "
            f"({upstream}): backprop is local derivative × upstream",
        )


@_block
class FanoutNotSummed(Twin):
    """∂L/∂u = (∂c₁/∂u)·∂L/∂c₁ — one consumer's share, for a node used by c₁ and c₂."""

    id = "backprop_fanout_not_summed"
    title = "one path's share for a node used twice"

    def candidates(self, result: Backprop, node: Node) -> Iterator[Diagnosis]:
        contributions = result.contributions[node.id]
        if len(contributions) < 2:
            return
        shares = " + ".join(decimal(c.value) for c in contributions)
        for c in contributions:
            yield Diagnosis(
                self.id,
                c.value,
                f"that is one path's share; {node.label} is used {len(contributions)} times, "
                f"so its gradient is the sum over every use: {shares}",
            )


@_block
class ActivationOutputUsed(Twin):
    """σ′ taken at the output a = σ(z): σ(a)(1 − σ(a)) for σ(z)(1 − σ(z)) = a(1 − a);
    tanh′ as 1 − tanh(a)²; the ReLU gate read on the wrong side (closed where z > 0)."""

    id = "backprop_activation_output_used"
    title = "activation derivative taken at the output"

    def candidates(self, result: Backprop, node: Node) -> Iterator[Diagnosis]:
        from gradtutor.network.rules import FloatMath

        for i, c in enumerate(result.contributions[node.id]):
            consumer = _consumer(result, c)
            a = result.values[consumer.id]
            if consumer.op == "sigmoid":
                s = FloatMath.sigmoid(a)
                local, rule = s * (1 - s), "σ′(z) = σ(z)(1 − σ(z)) = a(1 − a) with a = σ(z)"
            elif consumer.op == "tanh":
                t = FloatMath.tanh(a)
                local, rule = 1 - t * t, "tanh′(z) = 1 − a² with a = tanh(z)"
            elif consumer.op == "relu" and result.values[node.id] > 0:
                local, rule = 0.0, "the gate is open where the input z is positive"
            else:
                continue
            yield Diagnosis(
                self.id,
                _replaced(result, node, i, local * c.upstream),
                f"the derivative was evaluated at the activation's output instead of its "
                f"input: {rule}",
            )


def _residual_pow(result: Backprop, sub: Node) -> bool:
    """Is ``sub`` (u − v) squared by one of its consumers: a loss (ŷ − y)²?"""
    graph = result.graph
    return sub.op == "sub" and any(
        graph.nodes[c].op == "pow" and graph.nodes[c].k == 2 for c, _ in graph.consumers[sub.id]
    )


@_block
class LossSign(Twin):
    """∂/∂ŷ (ŷ − y)² = 2(y − ŷ) — the residual's sign flipped (it is 2(ŷ − y))."""

    id = "backprop_loss_sign"
    title = "residual sign flipped (y − ŷ for ŷ − y)"

    def candidates(self, result: Backprop, node: Node) -> Iterator[Diagnosis]:
        for i, c in enumerate(result.contributions[node.id]):
            consumer = _consumer(result, c)
            at_residual = _residual_pow(result, node) and consumer.op == "pow"
            through_residual = _residual_pow(result, consumer)
            if at_residual or through_residual:
                yield Diagnosis(
                    self.id,
                    _replaced(result, node, i, -c.value),
                    "the sign of the residual is flipped: the derivative of (ŷ − y)² with "
                    "respect to ŷ is 2(ŷ − y), not 2(y − ŷ)",
                )


@_block
class MseFactorMissing(Twin):
    """∂(u²)/∂u = u — the 2 of 2u dropped (as if L = (ŷ − y)² had no factor 2 to bring down)."""

    id = "backprop_mse_factor_missing"
    title = "the 2 of (ŷ − y)² dropped"

    def candidates(self, result: Backprop, node: Node) -> Iterator[Diagnosis]:
        for i, c in enumerate(result.contributions[node.id]):
            consumer = _consumer(result, c)
            if consumer.op == "pow" and consumer.k == 2:
                yield Diagnosis(
                    self.id,
                    _replaced(result, node, i, c.value / 2),
                    "the factor 2 is missing: the derivative of u² is 2u",
                )


@_block
class MultipliedByWeight(Twin):
    """∂(w·x)/∂w = w — the node's own value where the other factor belongs (it is x)."""

    id = "backprop_multiplied_by_weight"
    title = "w in place of x in ∂(w·x)/∂w"

    def candidates(self, result: Backprop, node: Node) -> Iterator[Diagnosis]:
        for i, c in enumerate(result.contributions[node.id]):
            consumer = _consumer(result, c)
            if consumer.op != "mul":
                continue
            other = result.graph.nodes[consumer.inputs[1 - c.slot]]
            yield Diagnosis(
                self.id,
                _replaced(result, node, i, result.values[node.id] * c.upstream),
                f"∂({consumer.label})/∂{node.label} is the other factor, {other.label}, "
                f"not {node.label} itself",
            )


@_block
class ReluDeadGradient(Twin):
    """∂relu(z)/∂z = 1 where z < 0 — the gradient passed through a closed ReLU (it is 0)."""

    id = "backprop_relu_dead_gradient"
    title = "gradient through a closed ReLU"

    def candidates(self, result: Backprop, node: Node) -> Iterator[Diagnosis]:
        for i, c in enumerate(result.contributions[node.id]):
            consumer = _consumer(result, c)
            if consumer.op == "relu" and result.values[node.id] <= 0:
                yield Diagnosis(
                    self.id,
                    _replaced(result, node, i, c.upstream),
                    f"the ReLU's input is {decimal(result.values[node.id])} ≤ 0, so the ReLU "
                    "is closed and passes no gradient back: its local derivative is 0",
                )


# --- the twins of the layer rules: whole matrices -------------------------------------------


@_block
class ShapeTransposed(MatrixTwin):
    """∂L/∂W = a_prev·δᵀ — the transpose of δ·a_prevᵀ (shape nₗ₋₁×nₗ instead of W's nₗ×nₗ₋₁)."""

    id = "backprop_shape_transposed"
    title = "x·δᵀ for δ·xᵀ (transposed)"
    message = "that is the transpose: ∂L/∂W = δ·xᵀ has W's shape, x·δᵀ has Wᵀ's"

    def value(self, result: NetResult, entry: MatrixEntry) -> Any | None:
        if not entry.key.startswith("dW") or entry.expected.shape[0] == entry.expected.shape[1]:
            return None
        return entry.expected.T


@_block
class BatchMeanMissing(MatrixTwin):
    """∂L/∂W = Σₙ δₙ·aₙᵀ — summed over the batch, not averaged (N times too big)."""

    id = "backprop_batch_mean_missing"
    title = "batch sum instead of mean"
    message = "that is the sum over the batch; L is the batch mean, so divide by N"

    def value(self, result: NetResult, entry: MatrixEntry) -> Any | None:
        if entry.key[:2] not in ("dW", "db") or result.spec.batch == 1:
            return None
        return entry.expected * result.spec.batch


# --- derived from the blocks ---------------------------------------------------------------

MISCONCEPTIONS: tuple[Misconception, ...] = tuple(_TABLE)
BY_ID: dict[str, Misconception] = {m.id: m for m in MISCONCEPTIONS}
# Readable names of every backprop misconception id, for summaries.
TITLES: dict[str, str] = {m.id: m.title for m in MISCONCEPTIONS}
TWINS: tuple[Twin, ...] = tuple(m for m in MISCONCEPTIONS if isinstance(m, Twin))
MATRIX_TWINS: tuple[MatrixTwin, ...] = tuple(m for m in MISCONCEPTIONS if isinstance(m, MatrixTwin))


def diagnoses(result: Backprop, node: Node) -> list[Diagnosis]:
    """Every twin's value for this node that differs from the right gradient."""
    right = result.grads[node.id]
    found = []
    for twin in TWINS:
        for diagnosis in twin.candidates(result, node):
            if not _same(diagnosis.value, right):
                found.append(diagnosis)
    return found


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
