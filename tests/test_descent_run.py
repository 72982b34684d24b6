"""The run loop's stop reasons, the stability prediction and the JSON contract."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.descent.analysis import classify, stability
from gradtutor.descent.optimizers import parse_optimizer
from gradtutor.descent.run import STOP_DETAILS, race, run
from gradtutor.descent.surfaces import Surface, find_surface


def go(name, text, start=None, steps=1000, tol=1e-4):
    s = find_surface(name)
    return run(s, parse_optimizer(text), start or s.start, max_steps=steps, tol=tol)


def test_gd_on_the_bowl_contracts_by_1_minus_2lr_each_step():
    r = go("bowl", "sgd:lr=0.1")
    x0 = np.array([2.5, -2.0])
    # x_k = 0.8^k x0 and |∇f| = 2·0.8^k·|x0| < 1e-4 first at k = ⌈log(1e-4/(2|x0|))/log 0.8⌉
    k = math.ceil(math.log(1e-4 / (2 * np.linalg.norm(x0))) / math.log(0.8))
    assert k == 50
    assert r.stop_reason == "converged" and r.steps == k
    expect = np.array([0.8**i * x0 for i in range(k + 1)])
    np.testing.assert_allclose(r.trajectory, expect, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(r.losses, (expect**2).sum(axis=1), rtol=1e-12, atol=1e-20)


def test_ellipse_explodes_above_two_over_lambda_max():
    r = go("ellipse", "sgd:lr=0.05")
    # y multiplies by 1 − 0.05·50 = −1.5 each step; it leaves y ∈ [−1.5, 1.5] by ten
    # window-widths (|y| > 31.5) first at step ⌈log 31.5 / log 1.5⌉ = 9
    assert r.stop_reason == "diverged"
    assert r.steps == 9
    assert r.stop_detail == STOP_DETAILS["exploding"]
    assert "each step overshoots further: exploding" in r.stop_detail
    assert r.trajectory[1, 1] == pytest.approx(-1.5)


def test_ellipse_converges_just_below_the_limit():
    assert go("ellipse", "sgd:lr=0.039", steps=3000).stop_reason == "converged"


def test_stability_limit_on_the_ellipse():
    s = find_surface("ellipse")
    at = np.array(s.start)
    plain = stability(s, parse_optimizer("sgd:lr=0.05"), at)
    assert plain.limit == pytest.approx(0.04, rel=1e-6)
    assert not plain.stable and plain.exact
    assert plain.factor == pytest.approx(1.5, rel=1e-6)
    assert "lr < 2/λmax = 0.04" in plain.message()
    heavy = stability(s, parse_optimizer("momentum:lr=0.05"), at)
    assert heavy.limit == pytest.approx(2 * 1.9 / 50, rel=1e-6) and heavy.stable
    nesterov = stability(s, parse_optimizer("nesterov:lr=0.05"), at)
    assert nesterov.limit == pytest.approx(2 * 1.9 / (2.8 * 50), rel=1e-6)
    assert stability(s, parse_optimizer("adam"), at) is None


def test_saddle_exactly_on_the_ridge_converges_to_the_saddle_point():
    r = go("saddle", "sgd:lr=0.1", start=(-1.8, 0.0))
    assert r.stop_reason == "converged"
    s = find_surface("saddle")
    assert classify(s, r.final, r.losses[-1]).startswith("a saddle point")


def test_saddle_a_hair_off_runs_downhill_forever():
    r = go("saddle", "sgd:lr=0.1")
    assert r.stop_reason == "diverged"
    assert r.stop_detail == STOP_DETAILS["unbounded"]


def test_plateau_stalls_gd_but_not_adam():
    stalled = go("plateau", "sgd:lr=0.5")
    assert stalled.stop_reason == "stalled"
    assert stalled.steps == 100  # the first check after PATIENCE steps
    assert "vanishing gradient on a plateau" in stalled.stop_detail
    assert go("plateau", "adam:lr=0.1").stop_reason == "converged"


def test_saturated_sigmoid_stalls():
    assert go("sigmoid", "sgd:lr=1").stop_reason == "stalled"


def test_max_steps_keeps_the_start_and_every_step():
    r = go("rosenbrock", "sgd:lr=0.0005", steps=50)
    assert r.stop_reason == "max_steps" and r.steps == 50
    assert r.trajectory.shape == (51, 2) and r.losses.shape == (51,)
    assert r.trajectory[0].tolist() == [-1.5, 2.0]
    assert r.losses[0] == pytest.approx(12.5)  # (1 + 1.5)² + 100(2 − 2.25)²


def test_overflow_is_diverged():
    s = Surface(
        name="cliff",
        expression="exp(1000*x)",
        variables=("x",),
        window=((-1.0, 1.0),),
        start=(0.9,),
        minima=(),
        lesson="",
        value=lambda x: np.exp(1000 * x),
        gradient=lambda p: 1000 * np.exp(1000 * p),
    )
    r = run(s, parse_optimizer("sgd"), (0.9,), max_steps=10, tol=1e-6)
    assert (r.stop_reason, r.steps, r.stop_detail) == ("diverged", 0, STOP_DETAILS["overflow"])
    assert r.to_json()["losses"] == [None]  # JSON has no inf


def test_local_minimum_is_named():
    s = find_surface("rastrigin")
    r = go("rastrigin", "sgd:lr=0.002")
    assert r.stop_reason == "converged"
    assert classify(s, r.final, r.losses[-1]).startswith("a local minimum")
    assert classify(s, np.array([0.0, 0.0]), 0.0) == "a minimum"
    monkey = find_surface("monkey")
    assert classify(monkey, np.array([0.0, 0.0]), 0.0).startswith("a degenerate point")


def test_himmelblau_basin_depends_on_the_start():
    a = go("himmelblau", "sgd:lr=0.01", start=(1.0, 1.0))
    b = go("himmelblau", "sgd:lr=0.01", start=(-1.0, -1.0))
    np.testing.assert_allclose(a.final, [3.0, 2.0], atol=1e-4)
    np.testing.assert_allclose(b.final, [-3.779310253377747, -3.2831859912861696], atol=1e-4)


def test_race_ranks_by_steps_to_tolerance():
    s = find_surface("bowl")
    specs = [parse_optimizer(t) for t in ("adam:lr=0.1", "sgd:lr=0.1", "sgd:lr=0.01")]
    result = race(s, specs, s.start, max_steps=300, tol=1e-4)
    order = [i for i, _ in result.ranking()]
    assert order == [1, 0, 2]  # sgd 0.1 converges in 50, adam later, sgd 0.01 runs out
    assert [r.stop_reason for r in result.runs] == ["converged", "converged", "max_steps"]


def test_json_contract():
    s = find_surface("ellipse")
    result = race(s, [parse_optimizer("adam:lr=0.1")], s.start, max_steps=5, tol=1e-4)
    data = result.to_json()
    assert data["surface"] == {
        "name": "ellipse",
        "expression": "x^2 + 25*y^2",
        "variables": ["x", "y"],
    }
    (r,) = data["runs"]
    assert {"optimizer", "params", "trajectory", "losses", "stop_reason", "steps"} <= set(r)
    assert r["optimizer"] == "adam"
    assert r["params"] == {
        "lr": 0.1,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
        "maximize": False,
    }
    assert r["steps"] == 5 and len(r["trajectory"]) == 6 and len(r["losses"]) == 6
    assert r["trajectory"][0] == [-2.5, 1.0]
    assert r["losses"][0] == pytest.approx(6.25 + 25.0)
    assert r["stop_reason"] == "max_steps"


def test_window_override_changes_far_bound():
    s = replace(find_surface("ellipse"), window=((-3.0, 3.0), (-30.0, 30.0)))
    r = run(s, parse_optimizer("sgd:lr=0.05"), s.start, max_steps=100, tol=1e-4)
    # |y| = 1.5^k must now pass 30 + 10·60 = 630: first at k = ⌈log 630 / log 1.5⌉ = 16
    assert r.steps == 16 and r.stop_reason == "diverged"


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(0.02, 0.98))
def test_gd_on_the_bowl_converges_for_every_lr_below_two_over_lambda(lr):
    assert go("bowl", f"sgd:lr={lr}", steps=2000).stop_reason == "converged"


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(1.02, 3.0))
def test_gd_on_the_bowl_explodes_for_every_lr_above_two_over_lambda(lr):
    r = go("bowl", f"sgd:lr={lr}", steps=2000)
    assert (r.stop_reason, r.stop_detail) == ("diverged", STOP_DETAILS["exploding"])


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(0.041, 0.2))
def test_gd_on_the_ellipse_explodes_above_0_04(lr):
    assert go("ellipse", f"sgd:lr={lr}", steps=2000).stop_reason == "diverged"


def test_saddle_stability_says_descent_runs_away_not_stable():
    s = find_surface("saddle")
    verdict = stability(s, parse_optimizer("sgd:lr=0.1"), np.array(s.start))
    assert verdict.runs_away and not verdict.flat and verdict.lams == pytest.approx((-2, 2))
    assert verdict.message() == (
        "sgd: the surface curves downward along one direction (Hessian eigenvalue −2): "
        "descent runs away along it whatever the learning rate; "
        "2/λmax = 1 only limits the upward directions"
    )
    fast = stability(s, parse_optimizer("sgd:lr=1.5"), np.array(s.start))
    assert fast.message().endswith(
        "only limits the upward directions, and lr = 1.5 is above it: those overshoot too"
    )


def test_monkey_saddle_runs_away_near_the_start_and_is_flat_at_the_origin():
    s = find_surface("monkey")
    near = stability(s, parse_optimizer("sgd:lr=0.05"), np.array(s.start))
    assert near.runs_away  # Hessian [[6x, −6y], [−6y, −6x]] at (1.2, 0.1): eigenvalues ±7.225
    assert near.message().startswith(
        "sgd: the surface curves downward near the start along one direction "
        "(Hessian eigenvalue −7.225): descent runs away"
    )
    origin = stability(s, parse_optimizer("sgd:lr=0.05"), np.zeros(2))
    assert origin.flat and not origin.runs_away and origin.stable
    assert origin.message() == (
        "sgd: the Hessian is zero near the start (no curvature at all): curvature sets no "
        "limit on lr here, and the steps lr·|∇f| are as small as the slope (lr = 0.05)"
    )


def test_plateau_stability_says_almost_flat_not_a_huge_limit():
    s = find_surface("plateau")
    verdict = stability(s, parse_optimizer("sgd:lr=0.5"), np.array(s.start))
    # radial curvature (1 − r²)e^{−r²/2} < 0 out here, but tiny for a loss spanning 0..1
    assert verdict.flat and not verdict.runs_away
    assert verdict.message() == (
        "sgd: the surface is almost flat near the start (Hessian eigenvalues −0.002089, "
        "0.0001228, tiny for this surface): curvature sets no limit on lr here, and the "
        "steps lr·|∇f| are as small as the slope (lr = 0.5)"
    )
    assert "stable" not in verdict.message()


def test_a_maximum_curves_downward_in_every_direction():
    from gradtutor.descent.typed import surface_from_expression

    two = surface_from_expression("0 - x^2 - 2y^2")
    verdict = stability(two, parse_optimizer("sgd:lr=0.1"), np.array(two.start))
    assert verdict.limit is None and verdict.runs_away
    assert verdict.message() == (
        "sgd: the surface curves downward in every direction (Hessian eigenvalues −4, −2): "
        "descent runs away whatever the learning rate"
    )
    one = surface_from_expression("0 - x^2")
    verdict = stability(one, parse_optimizer("sgd:lr=0.1"), np.array(one.start))
    assert verdict.message() == (
        "sgd: the curve bends downward (f″ = −2): descent runs away whatever the learning rate"
    )
