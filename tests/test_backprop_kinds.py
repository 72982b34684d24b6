"""Quiz kinds that use the backprop graph: expected answers against independent oracles.

graph-node / graph-fanout: the node's sub-expression replaced by a fresh symbol s in the loss,
then sympy.diff with respect to s. layer-gradient: numpy δ·xᵀ and Wᵀδ. deep-chain: sympy.diff
of the composed chain. Worked solutions are the forward and backward tables.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy
from typer.testing import CliRunner

from gradtutor.calculus.parsing import parse
from gradtutor.cli.app import app
from gradtutor.tutor.packs import generate, instantiate, load_catalogue

CATALOGUE = load_catalogue()
SEEDS = range(8)


def _template(tid: str):  # type: ignore[no-untyped-def]
    return CATALOGUE.template(tid)


def _value(text: str) -> sympy.Expr:
    return parse(text).value


@pytest.mark.parametrize(
    "tid",
    [
        "backprop.graph-node-1",
        "backprop.graph-node-2",
        "backprop.graph-fanout-1",
        "backprop.graph-fanout-2",
    ],
)
def test_graph_kinds_expected_gradient_is_d_loss_d_node(tid: str) -> None:
    template = _template(tid)
    for seed in SEEDS:
        exercise, _ = instantiate(template, seed)
        fields = template.fields
        values = exercise.values
        point = {sympy.Symbol(k): _value(str(v).format(**values)) for k, v in fields["at"].items()}
        loss = parse(fields["f"]).value
        node = parse(fields["node"]).value
        s = sympy.Symbol("s_node")
        replaced = loss if isinstance(node, sympy.Symbol) else loss.subs(node, s)
        target = node if isinstance(node, sympy.Symbol) else s
        assert replaced.has(target)
        oracle = sympy.diff(replaced, target).subs(s, node).subs(point)
        (part,) = exercise.parts
        assert sympy.simplify(_value(part.expected) - oracle) == 0, (seed, part.expected)
        assert "Backward (∂L/∂node" in (part.worked or "")


@pytest.mark.parametrize("tid", ["backprop.layer-1", "backprop.layer-2"])
def test_layer_gradient_entries_are_delta_times_x_transposed(tid: str) -> None:
    template = _template(tid)
    for seed in SEEDS:
        exercise = generate(template, seed)
        v = {k: int(val) for k, val in exercise.values.items()}
        n = 3 if tid == "backprop.layer-1" else 2
        W = np.array([[v["a"], v["b"]], [v["c"], v["d"]], [1, 0]][:n])
        x = np.array([[v["p"]], [v["q"]]])
        delta = np.array([[v["r"]], [v["s"]], [1]][:n])
        parts = {p.label: p.expected for p in exercise.parts}
        assert parts["rows of ∂L/∂W"] == str(n) and parts["columns of ∂L/∂W"] == "2"
        dW = delta @ x.T
        for i in range(n):
            for j in range(2):
                assert int(parts[f"∂L/∂W[{i + 1},{j + 1}]"]) == dW[i, j]
        if tid == "backprop.layer-2":
            dx = (W.T @ delta).ravel()
            assert [int(parts[f"∂L/∂x[{j}]"]) for j in (1, 2)] == dx.tolist()


def test_deep_linear_chain_is_w_to_the_n() -> None:
    template = _template("backprop.deep-linear-1")
    for seed in SEEDS:
        exercise = generate(template, seed)
        n, w = int(exercise.values["n"]), sympy.nsimplify(exercise.values["w"])
        assert _value(exercise.parts[0].expected) == w**n


def test_deep_sigmoid_chain_equals_sympy_diff_of_the_composition() -> None:
    from gradtutor.calculus.functions import sigmoid

    template = _template("backprop.deep-sigmoid-1")
    for seed in SEEDS:
        exercise = generate(template, seed)
        w = sympy.nsimplify(exercise.values["w"])
        a0 = sympy.Symbol("a0")
        oracle = sympy.diff(sigmoid(w * sigmoid(w * a0)), a0).subs(a0, 0)
        got = _value(exercise.parts[0].expected)
        assert float(got) == pytest.approx(float(oracle), rel=1e-14)


def test_neuron_backprop_worked_solution_is_the_tables() -> None:
    exercise = generate(_template("backprop.sigmoid-1"), 0)
    worked = exercise.parts[0].worked or ""
    assert worked.startswith("Forward (each node's value, inputs first):")
    assert "Backward (∂L/∂node = local derivative × upstream, output first):" in worked
    assert "∂L/∂w = " in worked and "∂L/∂b = " in worked


def test_bad_node_label_is_a_clear_error() -> None:
    from gradtutor.tutor.backprop_kinds import graph_node

    with pytest.raises(ValueError, match="node 'w\\*z' is not in the graph"):
        graph_node({"f": "w*x + b", "at": {"w": "1", "x": "2", "b": "3"}, "node": "w*z"})
    with pytest.raises(ValueError, match="the output"):
        graph_node({"f": "w*x + b", "at": {"w": "1", "x": "2", "b": "3"}, "node": "w*x + b"})


def test_quiz_steps_shows_the_backward_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "one.toml"
    pack.write_text(
        'format_version = 1\npack = "one"\nversion = "1"\n\n[[exercise]]\n'
        'id = "mine.fanout-1"\ntopic = "backprop"\ndifficulty = 1\nkind = "graph-fanout"\n'
        'f = "x*w + w^2"\nat = { x = "3", w = "2" }\nnode = "w"\n'
        'hints = ["w is used twice."]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["quiz", "--pack", str(pack), "--count", "1", "--seed", "1", "--json"],
        input="6\nsteps\n",
        env={"NO_COLOR": "1", "COLUMNS": "100"},
    )
    record = json.loads(result.stdout.splitlines()[-1])
    assert record["expected"] == "7"
    assert record["verdict"] == "shown"  # "steps" ends the question with the solution shown
    assert "∂L/∂w = 3 × 1 + 4 × 1 = 3 + 4 = 7: w is used twice" in result.stderr


def test_quiz_names_a_backprop_twin_and_progress_counts_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "one.toml"
    pack.write_text(
        'format_version = 1\npack = "one"\nversion = "1"\n\n[[exercise]]\n'
        'id = "mine.fanout-2"\ntopic = "backprop"\ndifficulty = 1\nkind = "graph-fanout"\n'
        'f = "x*w + w^2"\nat = { x = "3", w = "2" }\nnode = "w"\n'
        'hints = ["w is used twice."]\n',
        encoding="utf-8",
    )
    env = {"NO_COLOR": "1", "COLUMNS": "100"}
    result = CliRunner().invoke(
        app,
        ["quiz", "--pack", str(pack), "--count", "1", "--seed", "1", "--json"],
        input="3\n7\n",  # x's share alone (3), then the sum 3 + 4
        env=env,
    )
    record = json.loads(result.stdout.splitlines()[-1])
    assert record["misconception"] == "backprop_fanout_not_summed"
    assert record["verdict"] == "correct"
    assert "one path's share" in result.stderr
    report = json.loads(CliRunner().invoke(app, ["progress", "--json"], env=env).stdout)
    expected = {
        "id": "backprop_fanout_not_summed",
        "count": 1,
        "title": "one path's share for a node used twice",
    }
    assert expected in report["misconceptions"]


def test_an_ambiguous_twin_value_is_not_offered() -> None:
    from gradtutor.network.graph import backprop, graph_from_text, parse_at
    from gradtutor.tutor.backprop_kinds import twin_answers

    # L = x*w + w^2 at x = 4, w = 2 (∂L/∂w = x + 2w = 8): the square's factor 2 dropped gives
    # x + w = 6, and w in place of x gives w + 2w = 6 too — two different mistakes, one number,
    # so 6 names nothing; one path's share (4) is still named
    values, _ = parse_at("x=4,w=2")
    result = backprop(graph_from_text("x*w + w^2"), values)
    node = result.graph.node_named("w")
    assert node is not None
    offered = {text: twin_id for text, twin_id, _ in twin_answers(result, node)}
    assert "6" not in offered
    assert offered["4"] == "backprop_fanout_not_summed"
