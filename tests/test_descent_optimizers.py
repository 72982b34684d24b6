"""Optimizers against hand-computed first steps and PyTorch's documented update equations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.descent.optimizers import (
    DEFAULTS,
    OptimizerError,
    OptimizerSpec,
    parse_optimizer,
)


def spec(text: str) -> OptimizerSpec:
    return parse_optimizer(text)


def steps_on_square(text: str, x0: float, n: int) -> list[float]:
    """Positions after each of n steps on f(x) = x², gradient 2x."""
    opt = spec(text).build(1)
    p = np.array([x0])
    out = []
    for _ in range(n):
        opt.step(p, 2 * p.copy())
        out.append(float(p[0]))
    return out


# --- hand-computed first steps (f = x², g = 2x, x0 = 1) --------------------------------


def test_sgd_plain_step_is_lr_times_gradient():
    opt = spec("sgd:lr=0.1").build(2)
    p = np.array([1.0, 2.0])
    opt.step(p, 2 * p.copy())
    assert p.tolist() == pytest.approx([0.8, 1.6], rel=1e-15)


def test_sgd_first_momentum_step_copies_the_gradient_without_dampening():
    # step 1: buf = g = 2 (not (1−τ)·g = 1); x1 = 1 − 0.1·2 = 0.8
    # step 2: g = 1.6; buf = 0.9·2 + 0.5·1.6 = 2.6; x2 = 0.8 − 0.26 = 0.54
    xs = steps_on_square("sgd:lr=0.1,momentum=0.9,dampening=0.5", 1.0, 2)
    assert xs == pytest.approx([0.8, 0.54], rel=1e-14)


def test_nesterov_steps():
    # step 1: buf = 2; g' = 2 + 0.9·2 = 3.8; x1 = 1 − 0.38 = 0.62
    # step 2: g = 1.24; buf = 1.8 + 1.24 = 3.04; g' = 1.24 + 2.736 = 3.976; x2 = 0.2224
    xs = steps_on_square("nesterov:lr=0.1", 1.0, 2)
    assert xs == pytest.approx([0.62, 0.2224], rel=1e-14)


def test_sgd_weight_decay_adds_lambda_theta_to_the_gradient():
    assert steps_on_square("sgd:lr=0.1,weight_decay=0.1", 1.0, 1) == pytest.approx([0.79])


def test_sgd_maximize_climbs():
    assert steps_on_square("sgd:lr=0.1,maximize=true", 1.0, 1) == pytest.approx([1.2])


def test_adam_adds_eps_after_bias_correction():
    # m = 0.2, v = 0.004; step size lr/(1−0.9) = 1; denom = √0.004/√0.001 + 1 = 3
    # x1 = 1 − 0.2/3. (ε before correction would give 1 − 0.1·2/((√0.004 + 1)/√0.001).)
    assert steps_on_square("adam:lr=0.1,eps=1", 1.0, 1) == pytest.approx([1 - 0.2 / 3], rel=1e-14)


def test_adam_first_step_moves_lr_against_the_sign():
    assert steps_on_square("adam:lr=0.1", 1.0, 1) == pytest.approx([0.9], rel=1e-8)


def test_adam_weight_decay_is_l2_on_the_gradient():
    # g = 2 + 0.5 = 2.5; m = 0.25; denom = 2.5 + 1 = 3.5; x1 = 1 − 0.25/3.5
    xs = steps_on_square("adam:lr=0.1,eps=1,weight_decay=0.5", 1.0, 1)
    assert xs == pytest.approx([1 - 0.25 / 3.5], rel=1e-14)


def test_adamw_decays_the_weights_first():
    # x ← 1·(1 − 0.1·0.5) = 0.95, then the Adam step 0.2/3 as above
    xs = steps_on_square("adamw:lr=0.1,eps=1,weight_decay=0.5", 1.0, 1)
    assert xs == pytest.approx([0.95 - 0.2 / 3], rel=1e-14)


def test_amsgrad_keeps_the_largest_second_moment():
    grads = [10.0, 0.1]
    plain, ams = spec("adam:lr=0.1").build(1), spec("amsgrad:lr=0.1").build(1)
    p, q = np.array([0.0]), np.array([0.0])
    for g in grads:
        plain.step(p, np.array([g]))
        ams.step(q, np.array([g]))
    # after step 1 both are at x1 = −0.1·10/(10 + ε).
    # Step 2: m = 0.91, v = 0.09991 but v_max = 0.1
    x1 = -0.1 * 10 / (10 + 1e-8)
    m, bc1, bc2 = 0.91, 1 - 0.9**2, 1 - 0.999**2
    expect_ams = x1 - (0.1 / bc1) * m / (math.sqrt(0.1) / math.sqrt(bc2) + 1e-8)
    expect_plain = x1 - (0.1 / bc1) * m / (math.sqrt(0.09991) / math.sqrt(bc2) + 1e-8)
    assert q[0] == pytest.approx(expect_ams, rel=1e-12)
    assert p[0] == pytest.approx(expect_plain, rel=1e-12)
    assert p[0] != pytest.approx(q[0], rel=1e-6)


def test_adagrad_steps_and_lr_decay():
    # sum = 4 + 5 = 9 → x1 = 1 − 0.1·2/3
    assert steps_on_square("adagrad:lr=0.1,initial_accumulator_value=5", 1.0, 1) == (
        pytest.approx([1 - 0.2 / 3], rel=1e-9)
    )
    # lr_decay = 1: step 1 at lr 0.1: x1 = 1 − 0.1·2/2 = 0.9;
    # step 2 at 0.1/2: g = 1.8, sum = 4 + 3.24 = 7.24; x2 = 0.9 − 0.05·1.8/√7.24
    xs = steps_on_square("adagrad:lr=0.1,lr_decay=1", 1.0, 2)
    assert xs == pytest.approx([0.9, 0.9 - 0.05 * 1.8 / math.sqrt(7.24)], rel=1e-9)


def test_rmsprop_plain_centered_and_momentum_first_steps():
    # v = 0.01·4 = 0.04; avg = 0.2 → x1 = 1 − 0.01·2/0.2 = 0.9
    assert steps_on_square("rmsprop", 1.0, 1) == pytest.approx([0.9], rel=1e-7)
    # centered: ḡ = 0.02; avg = √(0.04 − 0.0004)
    xs = steps_on_square("rmsprop:centered=true", 1.0, 1)
    assert xs == pytest.approx([1 - 0.02 / math.sqrt(0.0396)], rel=1e-7)
    # momentum buffer starts at zero: buf = 0·0.9 + 2/0.2 = 10 → x1 = 1 − 0.01·10
    assert steps_on_square("rmsprop:momentum=0.9", 1.0, 1) == pytest.approx([0.9], rel=1e-7)


# --- trajectories against the documented algorithms ------------------------------------


def reference(kind: str, params: dict, grad, x0: list[float], n: int) -> list[list[float]]:
    """PyTorch's documented pseudo-code, coordinate by coordinate in plain floats."""
    x = list(x0)
    d = len(x)
    m, v, vmax, buf, gavg, s = [0.0] * d, [0.0] * d, [0.0] * d, [0.0] * d, [0.0] * d, [0.0] * d
    if kind == "adagrad":
        s = [params["initial_accumulator_value"]] * d
    out = [list(x)]
    for t in range(1, n + 1):
        g = list(grad(x))
        for i in range(d):
            gi = -g[i] if params["maximize"] else g[i]
            lr, wd = params["lr"], params["weight_decay"]
            if kind == "sgd":
                gi += wd * x[i]
                mu = params["momentum"]
                if mu:
                    buf[i] = gi if t == 1 else mu * buf[i] + (1 - params["dampening"]) * gi
                    gi = gi + mu * buf[i] if params["nesterov"] else buf[i]
                x[i] -= lr * gi
            elif kind in ("adam", "adamw"):
                b1, b2 = params["betas"]
                if kind == "adamw":
                    x[i] -= lr * wd * x[i]
                else:
                    gi += wd * x[i]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                mhat = m[i] / (1 - b1**t)
                vmax[i] = max(vmax[i], v[i])
                vv = vmax[i] if params["amsgrad"] else v[i]
                vhat = vv / (1 - b2**t)
                x[i] -= lr * mhat / (math.sqrt(vhat) + params["eps"])
            elif kind == "adagrad":
                clr = lr / (1 + (t - 1) * params["lr_decay"])
                gi += wd * x[i]
                s[i] += gi * gi
                x[i] -= clr * gi / (math.sqrt(s[i]) + params["eps"])
            elif kind == "rmsprop":
                a = params["alpha"]
                gi += wd * x[i]
                v[i] = a * v[i] + (1 - a) * gi * gi
                vt = v[i]
                if params["centered"]:
                    gavg[i] = a * gavg[i] + (1 - a) * gi
                    vt -= gavg[i] ** 2
                if params["momentum"] > 0:
                    buf[i] = params["momentum"] * buf[i] + gi / (math.sqrt(vt) + params["eps"])
                    x[i] -= lr * buf[i]
                else:
                    x[i] -= lr * gi / (math.sqrt(vt) + params["eps"])
        out.append(list(x))
    return out


def ours(text: str, grad, x0: list[float], n: int) -> list[list[float]]:
    opt = spec(text).build(len(x0))
    p = np.array(x0, dtype=float)
    out = [p.tolist()]
    for _ in range(n):
        opt.step(p, np.asarray(grad(p.tolist()), dtype=float))
        out.append(p.tolist())
    return out


def rosenbrock_grad(p):
    x, y = p
    return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]


@pytest.mark.parametrize(
    "text",
    [
        "sgd:lr=0.0005",
        "momentum:lr=0.0005,dampening=0.1",
        "nesterov:lr=0.0005,weight_decay=0.01",
        "adagrad:lr=0.3,lr_decay=0.01,initial_accumulator_value=0.1",
        "rmsprop:lr=0.002,centered=true,momentum=0.5",
        "adam:lr=0.02",
        "amsgrad:lr=0.02,weight_decay=0.001",
        "adamw:lr=0.02,betas=0.8/0.99",
    ],
)
def test_rosenbrock_trajectory_matches_documented_equations(text):
    s = spec(text)
    expect = np.array(reference(s.kind, s.params, rosenbrock_grad, [-1.5, 2.0], 300))
    got = np.array(ours(text, rosenbrock_grad, [-1.5, 2.0], 300))
    np.testing.assert_allclose(got, expect, rtol=1e-9, atol=1e-12)


def quad_grad(p):
    x, y = p
    return [2 * x + y, x + 6 * y]  # f = x² + xy + 3y²


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(["sgd", "adam", "adamw", "rmsprop", "adagrad"]),
    lr=st.floats(1e-3, 0.1),
    beta=st.floats(0.0, 0.95),
    wd=st.sampled_from([0.0, 0.01, 0.3]),
    flag=st.booleans(),
    x0=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
)
def test_every_optimizer_matches_its_equations(kind, lr, beta, wd, flag, x0):
    extra = {
        "sgd": f"momentum={beta},nesterov={str(flag and beta > 0).lower()}",
        "adam": f"betas={beta}/0.999,amsgrad={str(flag).lower()}",
        "adamw": f"betas={beta}/0.99,amsgrad={str(flag).lower()}",
        "rmsprop": f"momentum={beta},centered={str(flag).lower()}",
        "adagrad": f"lr_decay={beta}",
    }[kind]
    text = f"{kind}:lr={lr},weight_decay={wd},{extra}"
    s = spec(text)
    expect = np.array(reference(s.kind, s.params, quad_grad, list(x0), 60))
    got = np.array(ours(text, quad_grad, list(x0), 60))
    np.testing.assert_allclose(got, expect, rtol=1e-9, atol=1e-10)


# --- names, defaults, validation -----------------------------------------------------


def test_pytorch_defaults():
    assert DEFAULTS["sgd"]["lr"] == 1e-3
    assert DEFAULTS["adam"] == {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
        "maximize": False,
    }
    assert DEFAULTS["adamw"]["weight_decay"] == 1e-2
    assert DEFAULTS["adagrad"]["eps"] == 1e-10
    assert DEFAULTS["rmsprop"]["alpha"] == 0.99


def test_presets():
    assert spec("momentum").kind == "sgd" and spec("momentum").params["momentum"] == 0.9
    assert spec("nesterov").params["nesterov"] is True
    assert spec("gd").params["momentum"] == 0.0


def test_parse_settings():
    s = spec("adam:lr=0.05,betas=0.8/0.99,amsgrad=true")
    assert s.params["lr"] == 0.05 and s.params["betas"] == (0.8, 0.99)
    assert s.params["amsgrad"] is True
    assert s.explicit == frozenset({"lr", "betas", "amsgrad"})


def test_to_arg_round_trips():
    s = spec("nesterov:lr=0.01,weight_decay=0.001")
    assert s.to_arg() == "nesterov:lr=0.01,weight_decay=0.001"
    assert parse_optimizer(s.to_arg()).params == s.params


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("adamm", "unknown optimizer 'adamm'"),
        ("adam:momentum=0.9", "adam has no parameter 'momentum'"),
        ("adam:lr=fast", "lr must be a number, not 'fast'"),
        ("adam:lr=-1", "invalid learning rate"),
        ("adam:betas=0.9", "betas must be two numbers"),
        ("adam:betas=1.0/0.999", "invalid beta parameter at index 0"),
        ("sgd:nesterov=true", "Nesterov momentum requires a momentum > 0"),
        ("sgd:nesterov=maybe", "nesterov must be true or false"),
        ("sgd:lr", "expected key=value"),
    ],
)
def test_bad_optimizers_are_named(text, message):
    with pytest.raises(OptimizerError, match=message.replace("(", r"\(")):
        parse_optimizer(text)
