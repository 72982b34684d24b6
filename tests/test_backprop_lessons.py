"""Every number in the backprop lessons, recomputed: a lesson's claim is a test."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import sympy
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.network.deep import DeepSpec, run_deep
from gradtutor.network.graph import backprop, graph_from_text, parse_at
from gradtutor.network.words import backward_step

LESSONS = Path(__file__).resolve().parent.parent / "exercises" / "lessons"
runner = CliRunner()


def lesson(name: str) -> str:
    return (LESSONS / f"{name}.md").read_text(encoding="utf-8")


def _graph(text: str, at: str, wrt: tuple[str, ...] | None = None):  # type: ignore[no-untyped-def]
    values, texts = parse_at(at)
    return backprop(graph_from_text(text), values, wrt=wrt, at_text=texts)


def test_graph_lesson_table_is_the_commands_real_output() -> None:
    text = lesson("computational-graph")
    block = text.split("```\n", 2)[1].split("```")[0]
    result = runner.invoke(
        app,
        ["backprop", "(σ(w*x + b) - y)^2", "--at", "w=0.5,x=2,b=-1,y=1", "--wrt", "w,b"],
        env={"NO_COLOR": "1", "COLUMNS": "80"},
    )
    assert result.exit_code == 0
    for line in block.strip("\n").splitlines():
        assert line in result.stdout.splitlines(), line


def test_graph_lesson_backward_numbers() -> None:
    text = lesson("computational-graph")
    r = _graph("(σ(w*x + b) - y)^2", "w=0.5,x=2,b=-1,y=1", ("w", "b"))
    by = {n.label: n.id for n in r.graph.nodes}
    residual = r.values[by["σ(w*x + b) - y"]]
    assert "2(a − y) = 2 × (−0.5) = −1" in text
    assert residual == -0.5 and r.grads[by["σ(w*x + b) - y"]] == 2 * residual == -1
    assert "∂L/∂a = 1 × (−1) = −1" in text and r.grads[by["σ(w*x + b)"]] == -1
    z = r.values[by["w*x + b"]]
    sigma = 1 / (1 + math.exp(-z))
    assert "σ′(0) × (−1) = 0.25 × (−1) = −0.25" in text
    assert z == 0 and sigma * (1 - sigma) == 0.25 and r.grads[by["w*x + b"]] == -0.25
    assert "the **input** z = 0, not at the output a = 0.5" in text
    assert r.values[by["σ(w*x + b)"]] == 0.5
    assert "∂L/∂b = 1 × (−0.25) = −0.25" in text and r.grads[by["b"]] == -0.25
    assert "∂L/∂w = x × (−0.25) = 2 × (−0.25) = −0.5" in text and r.grads[by["w"]] == -0.5


def test_graph_lesson_fanout_line_is_what_the_engine_writes() -> None:
    text = lesson("computational-graph")
    r = _graph("x*w + w^2", "x=3,w=2")
    w = r.graph.node_named("w")
    assert w is not None
    line = backward_step(r, w)
    assert line == "∂L/∂w = 3 × 1 + 4 × 1 = 3 + 4 = 7: w is used twice"
    assert line in text
    x, ww = sympy.symbols("x w")
    assert sympy.diff(x * ww + ww**2, ww).subs({x: 3, ww: 2}) == 7


def test_graph_lesson_gradient_check_errors_are_around_1e_10() -> None:
    assert "Errors around 10⁻¹⁰" in lesson("computational-graph")
    r = _graph("(σ(w*x + b) - y)^2", "w=0.5,x=2,b=-1,y=1", ("w", "b"))
    for name in ("w", "b"):
        error = r.relative_error(name)
        assert error is not None and 1e-12 < error < 1e-8


def test_graph_lesson_deep_chain_numbers() -> None:
    text = lesson("computational-graph")
    result = run_deep(DeepSpec(depth=12, activation="sigmoid", weight=1.0))
    factors = [d.factor for d in result.layers[1:]]
    assert "here between 0.19 and 0.23" in text
    assert all(f is not None and 0.19 <= f <= 0.23 for f in factors)
    assert "from 1 at the top to about 1.4e-08 at the" in text
    assert result.layers[0].grad_norm == 1.0
    assert f"{result.layers[-1].grad_norm:.1e}" == "1.4e-08"


def test_shapes_lesson_numbers() -> None:
    text = lesson("shapes-and-jacobians")
    W = np.array([[1, 2], [0, -1], [3, 1]])
    x = np.array([[1], [2]])
    delta = np.array([[1], [-1], [2]])
    assert "W·x = [5, −2, 5]ᵀ" in text
    assert (W @ x).ravel().tolist() == [5, -2, 5]
    assert "∂L/∂W = δ · xᵀ = [[1, 2], [−1, −2], [2, 4]]" in text
    assert (delta @ x.T).tolist() == [[1, 2], [-1, -2], [2, 4]]
    assert "[1·1 + 0·(−1) + 3·2, 2·1 + (−1)·(−1) + 1·2] = [7, 5]" in text
    assert (W.T @ delta).ravel().tolist() == [1 * 1 + 0 * -1 + 3 * 2, 2 * 1 + -1 * -1 + 1 * 2]
    assert (W.T @ delta).ravel().tolist() == [7, 5]
    assert "(3×1 · 1×2 → 3×2)" in text and (delta @ x.T).shape == (3, 2)
    assert "2×1 · 1×3 → 2×3" in text and (x @ delta.T).shape == (2, 3)


@pytest.mark.parametrize(
    "claim",
    ["p ≈ (0.6652, 0.2447, 0.0900)", "L = −ln 0.6652 ≈ 0.4076", "here (−0.3348, 0.2447, 0.0900)"],
)
def test_softmax_lesson_numbers(claim: str) -> None:
    text = lesson("softmax-cross-entropy")
    assert claim in text
    z = [2, 1, 0]
    e = [sympy.exp(v) for v in z]
    p = [v / sum(e) for v in e]
    shown = [f"{float(v):.4f}" for v in p]
    assert shown == ["0.6652", "0.2447", "0.0900"]
    assert f"{float(-sympy.log(p[0])):.4f}" == "0.4076"
    grad = [float(p[i] - (1 if i == 0 else 0)) for i in range(3)]
    assert [f"{g:.4f}" for g in grad] == ["-0.3348", "0.2447", "0.0900"]
    # p − y is the softmax Jacobian's VJP with −y/p
    zs = sympy.symbols("z0:3")
    loss = -sympy.log(sympy.exp(zs[0]) / sum(sympy.exp(s) for s in zs))
    for i in range(3):
        value = float(sympy.diff(loss, zs[i]).subs(dict(zip(zs, z, strict=True))))
        assert value == pytest.approx(grad[i], rel=1e-12)
