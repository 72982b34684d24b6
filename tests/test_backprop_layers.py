"""Layers with shapes: backprop through a small network equals two independent oracles.

1. sympy.diff of the unrolled scalar loss (every weight a symbol), evaluated at the weights;
2. central finite differences of that same sympy loss at 50 digits with mpmath (h = 1e-15,
   truncation error ~1e-30), independent of the numpy implementation.
Both must agree with the float64 gradients to 1e-9.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

from gradtutor.network.layers import (
    NetError,
    NetSpec,
    finite_difference_check,
    make_params,
    parse_sizes,
    run_net,
)


def _unrolled_loss(spec: NetSpec, weights, biases, x, y):  # type: ignore[no-untyped-def]
    """The batch-mean loss as one sympy expression of symbols W{l}_{i}_{j}, b{l}_{i}."""
    symbols: dict[sympy.Symbol, float] = {}
    Ws, bs = [], []
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True), 1):
        W = sympy.Matrix(
            w.shape[0], w.shape[1], lambda i, j, n=layer: sympy.Symbol(f"W{n}_{i}_{j}")
        )
        B = sympy.Matrix(b.shape[0], 1, lambda i, j, n=layer: sympy.Symbol(f"b{n}_{i}"))
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                symbols[W[i, j]] = w[i, j]
            symbols[B[i, 0]] = b[i, 0]
        Ws.append(W)
        bs.append(B)
    act = {
        "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
        "tanh": sympy.tanh,
        "relu": lambda z: sympy.Max(0, z),
    }[spec.activation]
    total = 0
    n = x.shape[1]
    for k in range(n):
        a = sympy.Matrix([sympy.nsimplify(v) for v in x[:, k]])
        for layer, (W, B) in enumerate(zip(Ws, bs, strict=True)):
            z = W * a + B
            a = z.applyfunc(act) if layer < len(Ws) - 1 else z
        t = [sympy.nsimplify(v) for v in y[:, k]]
        if spec.loss == "mse":
            total += sum((a[i] - t[i]) ** 2 for i in range(len(t)))
        elif spec.loss == "bce":
            p = [1 / (1 + sympy.exp(-a[i])) for i in range(len(t))]
            total += -sum(
                t[i] * sympy.log(p[i]) + (1 - t[i]) * sympy.log(1 - p[i]) for i in range(len(t))
            )
        else:
            s = sum(sympy.exp(a[i]) for i in range(len(t)))
            total += -sum(t[i] * (a[i] - sympy.log(s)) for i in range(len(t)))
    return total / n, symbols


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize(
    ("sizes", "loss"), [((2, 3, 1), "mse"), ((2, 3, 1), "bce"), ((2, 2, 3), "softmax-ce")]
)
def test_network_gradients_equal_sympy_diff_and_high_precision_differences(
    sizes: tuple[int, ...], loss: str, activation: str
) -> None:
    spec = NetSpec(sizes=sizes, activation=activation, loss=loss, seed=3, batch=2)
    result = run_net(spec)
    weights = [layer.W for layer in result.layers]
    biases = [layer.b for layer in result.layers]
    expr, symbols = _unrolled_loss(spec, weights, biases, result.x, result.y)
    point = {s: sympy.nsimplify(v) for s, v in symbols.items()}
    assert float(expr.subs(point).evalf(30)) == pytest.approx(result.loss, rel=1e-12)
    ordered = list(symbols)
    f = sympy.lambdify(ordered, expr, modules="mpmath")
    with mpmath.workdps(50):
        base = [mpmath.mpf(str(point[s])) for s in ordered]
        for index, symbol in enumerate(ordered):
            name, *rest = symbol.name.split("_")
            layer = result.layers[int(name[1:]) - 1]
            if name.startswith("W"):
                analytic = layer.dW[int(rest[0]), int(rest[1])]
            else:
                analytic = layer.db[int(rest[0]), 0]
            oracle = float(sympy.diff(expr, symbol).subs(point).evalf(30))
            assert analytic == pytest.approx(oracle, rel=1e-9, abs=1e-12)
            h = mpmath.mpf("1e-15")
            up, down = list(base), list(base)
            up[index] += h
            down[index] -= h
            numeric = float((f(*up) - f(*down)) / (2 * h))
            assert analytic == pytest.approx(numeric, rel=1e-9, abs=1e-12)


def test_softmax_cross_entropy_output_delta_is_p_minus_y() -> None:
    spec = NetSpec(sizes=(2, 3), activation="sigmoid", loss="softmax-ce", seed=1, batch=4)
    result = run_net(spec)
    out = result.layers[-1]
    p = np.exp(out.z) / np.exp(out.z).sum(axis=0, keepdims=True)
    np.testing.assert_allclose(out.delta, p - result.y, rtol=0, atol=1e-15)
    assert result.y.sum(axis=0).tolist() == [1.0] * 4  # one-hot targets


def test_shapes_of_a_2_3_1_network_on_a_batch_of_4() -> None:
    result = run_net(NetSpec(sizes=(2, 3, 1), seed=1, batch=4))
    first, second = result.layers
    assert first.W.shape == (3, 2) and first.b.shape == (3, 1) and first.z.shape == (3, 4)
    assert first.dW.shape == (3, 2) and first.db.shape == (3, 1)
    assert second.W.shape == (1, 3) and second.delta.shape == (1, 4)
    assert second.da_prev.shape == (3, 4)  # Wᵀδ: 3×1 · 1×4


def test_float64_finite_difference_check_is_small() -> None:
    result = run_net(NetSpec(sizes=(2, 4, 2), activation="tanh", loss="bce", seed=5, batch=3))
    assert finite_difference_check(result) < 1e-6


def test_same_seed_same_numbers() -> None:
    a = make_params(NetSpec(sizes=(2, 3, 1), seed=7, batch=2))
    b = make_params(NetSpec(sizes=(2, 3, 1), seed=7, batch=2))
    for left, right in zip(a[0] + a[1] + [a[2], a[3]], b[0] + b[1] + [b[2], b[3]], strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2-65-1", "widths up to 64"),
        ("2", "at least an input"),
        ("2-a-1", "like 2-3-1"),
        ("2-0-1", "at least 1"),
    ],
)
def test_bad_sizes(text: str, message: str) -> None:
    with pytest.raises(NetError, match=message):
        parse_sizes(text)
