"""Each backprop misconception is one block in gradtutor/network/misconceptions.py (issue 11,
item 6, the backprop half): its docstring is the buggy formula, its title and its twin sit
beside it, and every table read elsewhere (TWINS, MATRIX_TWINS, TITLES, BY_ID) is derived
from the registry. Every registered block is shown making its mistake on a small graph or
network, so a new block without an example here fails."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from gradtutor.network import misconceptions as mc
from gradtutor.network.graph import backprop, graph_from_text, parse_at
from gradtutor.network.layer_practice import (
    MATRIX_TWINS,
    format_matrix,
    judge_matrix,
    matrix_entries,
)
from gradtutor.network.layers import NetSpec, run_net
from gradtutor.network.practice import judge_entry, practice_entries
from gradtutor.tutor.titles import misconception_title

LOSS = "(σ(w*x + b) - y)^2"
POINT = "w=0.5,x=2,b=-1,y=1"

# id → (expression, point, node label, the number the mistake gives there)
GRAPH_EXAMPLES = {
    # ∂L/∂z = σ'(0) × (−1) = −0.25; the local derivative alone is 0.25
    "backprop_upstream_missing": (LOSS, POINT, "w*x + b", "0.25"),
    # ∂L/∂w = x + 2w = 3 + 4 = 7; the share through x*w alone is 3
    "backprop_fanout_not_summed": ("x*w + w^2", "x=3,w=2", "w", "3"),
    # σ'(2) = 0.10499; at the output a = σ(2) = 0.8808 it would be σ(a)(1 − σ(a)) = 0.20716
    "backprop_activation_output_used": ("σ(w*x)", "w=1,x=2", "w*x", "0.2072"),
    # ∂L/∂(a − y) = 2(a − y) = −1; with the sign flipped 2(y − a) = 1
    "backprop_loss_sign": (LOSS, POINT, "σ(w*x + b) - y", "1"),
    # … and without the factor 2: a − y = −0.5
    "backprop_mse_factor_missing": (LOSS, POINT, "σ(w*x + b) - y", "-0.5"),
    # ∂L/∂w = x × ∂L/∂z = 2 × (−0.25) = −0.5; with w for x: 0.5 × (−0.25) = −0.125
    "backprop_multiplied_by_weight": (LOSS, POINT, "w", "-0.125"),
    # z = w·x − 3 = −2 ≤ 0: the ReLU passes nothing back; passing ∂L/∂relu = y = 2 is wrong
    "backprop_relu_dead_gradient": ("relu(w*x - 3)*y", "w=1,x=1,y=2", "w*x - 3", "2"),
}

NET = NetSpec(sizes=(2, 3, 1), activation="sigmoid", loss="mse", seed=1, batch=4)
# id → (layer entry, the mistaken matrix as a function of the right one): W¹ is 3×2, batch 4
MATRIX_EXAMPLES = {
    "backprop_shape_transposed": ("dW1", lambda right: right.T),
    "backprop_batch_mean_missing": ("dW1", lambda right: right * 4),
}


def _blocks() -> list[type]:
    found = [
        obj
        for obj in vars(mc).values()
        if inspect.isclass(obj)
        and issubclass(obj, mc.Misconception)
        and obj not in (mc.Misconception, mc.Twin, mc.MatrixTwin)
    ]
    return sorted(found, key=lambda c: inspect.getsourcelines(c)[1])


def test_backprop_registry_is_the_blocks_in_file_order() -> None:
    blocks = _blocks()
    assert [type(m) for m in mc.MISCONCEPTIONS] == blocks
    assert len(blocks) == 9


def test_backprop_tables_are_derived_from_the_registry() -> None:
    ids = [m.id for m in mc.MISCONCEPTIONS]
    assert len(set(ids)) == len(ids)
    assert list(mc.BY_ID) == ids
    assert {m.id: m.title for m in mc.MISCONCEPTIONS} == mc.TITLES
    assert mc.TWINS + mc.MATRIX_TWINS == mc.MISCONCEPTIONS  # graph blocks first, then layers
    assert MATRIX_TWINS is mc.MATRIX_TWINS  # layer practice judges the registry's twins


def test_every_registered_backprop_twin_has_an_example_here() -> None:
    assert set(GRAPH_EXAMPLES) == {t.id for t in mc.TWINS}
    assert set(MATRIX_EXAMPLES) == {t.id for t in mc.MATRIX_TWINS}


@pytest.mark.parametrize("block", mc.MISCONCEPTIONS, ids=lambda m: m.id)
def test_every_backprop_block_has_its_formula_and_title(block: mc.Misconception) -> None:
    assert block.formula == type(block).__doc__
    left, _, right = block.formula.partition("=")
    assert left.strip() and right.strip()  # a buggy formula: "∂L/∂u = ∂c/∂u — …"
    assert block.title and misconception_title(block.id) == block.title
    assert block.id.startswith("backprop_")


def _places(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


@pytest.mark.parametrize("twin", mc.TWINS, ids=lambda t: t.id)
def test_every_graph_twin_reproduces_its_mistake_on_a_small_graph(twin: mc.Twin) -> None:
    text, at, label, mistaken = GRAPH_EXAMPLES[twin.id]
    values, texts = parse_at(at)
    result = backprop(graph_from_text(text), values, at_text=texts)
    entry = next(
        e
        for e in practice_entries(result)
        if e.phase == "backward" and result.graph.nodes[e.node].label == label
    )
    node = result.graph.nodes[entry.node]
    # the block's own twin gives the mistaken number for that node (to the digits stated)
    given = [d.value for d in twin.candidates(result, node)]
    assert any(abs(v - float(mistaken)) < 0.5 * 10 ** -_places(mistaken) for v in given)
    # and practice names this block, and no other, for that number
    judgement = judge_entry(result, entry, mistaken)
    assert (judgement.verdict, judgement.misconception) == ("wrong", twin.id)


@pytest.mark.parametrize("twin", mc.MATRIX_TWINS, ids=lambda t: t.id)
def test_every_matrix_twin_reproduces_its_mistake_on_a_small_network(twin: mc.MatrixTwin) -> None:
    key, mistake = MATRIX_EXAMPLES[twin.id]
    result = run_net(NET)
    entry = next(e for e in matrix_entries(result) if e.key == key)
    buggy = twin.value(result, entry)
    np.testing.assert_array_equal(buggy, mistake(entry.expected))
    judgement = judge_matrix(result, entry, format_matrix(buggy, digits=17))
    assert (judgement.verdict, judgement.misconception, judgement.message) == (
        "wrong",
        twin.id,
        twin.message,
    )
