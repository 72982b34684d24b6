"""`--deep N`: the true |∂L/∂aₗ| of one chain, checked against sympy.diff and finite differences."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy
from typer.testing import CliRunner

from gradtutor.calculus.functions import sigmoid
from gradtutor.cli.app import app
from gradtutor.network.deep import DeepError, DeepSpec, run_deep

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "80"})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("activation", "fn"),
    [("sigmoid", sigmoid), ("tanh", sympy.tanh), ("linear", lambda z: z)],
)
def test_scalar_chain_gradients_equal_sympy_diff(activation, fn) -> None:  # type: ignore[no-untyped-def]
    depth, w = 6, sympy.Rational(3, 2)
    result = run_deep(DeepSpec(depth=depth, activation=activation, weight=1.5))
    a = [sympy.Symbol(f"a{k}") for k in range(depth + 1)]
    for layer in result.layers:  # |∂L/∂a_l| where L = a_N as a function of a_l
        expr = a[layer.layer]
        for _ in range(depth - layer.layer):
            expr = fn(w * expr)
        value = sympy.Integer(1)  # a_0 = x = 1
        for _ in range(layer.layer):
            value = fn(w * value)
        oracle = abs(float(sympy.diff(expr, a[layer.layer]).subs(a[layer.layer], value).evalf(30)))
        assert layer.grad_norm == pytest.approx(oracle, rel=1e-12)


def test_sigmoid_layer_factors_are_the_true_sigma_prime_times_w() -> None:
    result = run_deep(DeepSpec(depth=8, activation="sigmoid", weight=1.0))
    factors = [d.factor for d in result.layers[1:]]
    assert all(f is not None and 0 < f <= 0.25 for f in factors)
    # the top factor is σ′(z₈) with z₈ = a₇ (w = 1): σ(a₇)(1 − σ(a₇))
    a = 1.0
    for _ in range(7):
        a = 1 / (1 + np.exp(-a))
    s = 1 / (1 + np.exp(-a))
    assert factors[0] == pytest.approx(s * (1 - s), rel=1e-12)


def test_linear_chain_explodes_by_w_to_the_n() -> None:
    result = run_deep(DeepSpec(depth=10, activation="linear", weight=1.5))
    assert result.overall == pytest.approx(1.5**10, rel=1e-12)


def test_matrix_chain_gradient_matches_finite_differences() -> None:
    spec = DeepSpec(depth=5, activation="tanh", init="xavier", width=4, seed=2)
    result = run_deep(spec)
    rng = np.random.default_rng(2)
    weights = [rng.normal(0, np.sqrt(1 / 4), (4, 4)) for _ in range(5)]
    x = rng.normal(0, 1, 4)

    def loss(v):  # type: ignore[no-untyped-def]
        for w in weights:
            v = np.tanh(w @ v)
        return v.sum()

    h = 1e-6
    numeric = np.array([(loss(x + h * e) - loss(x - h * e)) / (2 * h) for e in np.eye(4)])
    assert result.layers[-1].grad_norm == pytest.approx(np.linalg.norm(numeric), rel=1e-7)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (DeepSpec(depth=201), "from 1 to 200"),
        (DeepSpec(depth=3, weight=1.0, init="he"), "not both"),
        (DeepSpec(depth=3, init="glorot"), "choose xavier, he or normal"),
        (DeepSpec(depth=3, init="normal:-1"), "positive"),
        (DeepSpec(depth=3, init="he", width=65), "from 1 to 64"),
        (DeepSpec(depth=3, activation="gelu"), "choose sigmoid"),
        (DeepSpec(depth=200, activation="linear", weight=1e10), "overflows"),
    ],
)
def test_bad_chains(spec: DeepSpec, message: str) -> None:
    with pytest.raises(DeepError, match=message):
        run_deep(spec)


def test_cli_bars_and_json() -> None:
    code, out, _ = run("backprop", "--deep", "12", "--activation", "sigmoid", "--weight", "1")
    assert code == 0
    assert "σ′(z) = σ(z)(1 − σ(z)) ≤ 1/4" in out
    assert "not a flat loss surface" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    code, out, _ = run(
        "backprop", "--deep", "3", "--activation", "linear", "--weight", "2", "--json"
    )
    data = json.loads(out)
    assert [d["grad_norm"] for d in data["layers"]] == [1.0, 2.0, 4.0, 8.0]
    assert data["overall"] == 8.0


def test_cli_deep_error_exits_2() -> None:
    code, _, err = run("backprop", "--deep", "500")
    assert code == 2
    assert "from 1 to 200" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x*w", "--net", "2-1"], "not EXPR and --net"),
        (["--net", "2-1", "--deep", "3"], "not --net and --deep"),
        (["--deep", "3", "--practice"], "--practice works with an expression or --net"),
    ],
)
def test_one_mode_at_a_time(args: list[str], message: str) -> None:
    code, _, err = run("backprop", *args)
    assert code == 2
    assert message in err
