"""Quadratic surfaces: predicted vs achieved rates, the best lr and β, noise, schedules.

Oracles: the per-direction factor |1 − lr·λ| (and the heavy-ball recurrence) computed
independently, a brute-force search for the best settings, and torch.optim.lr_scheduler's
published formulas (CosineAnnealingLR in its recursive form, as torch steps it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.descent.analysis import (
    best_gd,
    best_momentum,
    best_spec,
    predicted_rate,
    rates,
)
from gradtutor.descent.optimizers import parse_optimizer
from gradtutor.descent.run import race, run
from gradtutor.descent.schedules import ScheduleError, parse_schedule
from gradtutor.descent.surfaces import find_surface

QUADRATICS = ["bowl", "ellipse", "booth", "parabola", "regression"]
runner = CliRunner()


def _go(name, spec, steps=5000, **kw):
    surface = find_surface(name)
    return surface, race(surface, [spec], surface.start, max_steps=steps, tol=1e-4, **kw).runs[0]


@pytest.mark.parametrize("name", QUADRATICS)
def test_gd_achieved_rate_matches_max_abs_one_minus_lr_lambda(name) -> None:
    surface = find_surface(name)
    spec = parse_optimizer("sgd").with_lr(surface.suggested_lr("sgd"))
    _, result = _go(name, spec)
    found = rates(surface, result)
    lams = np.linalg.eigvalsh(surface.hessian(np.zeros(surface.dim)))
    # the oracle: the factor of every eigendirection the start has error along
    h = surface.hessian(np.zeros(surface.dim))
    target = -np.linalg.solve(h, surface.gradient(np.zeros(surface.dim)))
    _, vecs = np.linalg.eigh(h)
    along = np.abs((np.asarray(surface.start) - target) @ vecs) > 1e-9
    expected = max(abs(1 - spec.lr * lam) for lam, on in zip(lams, along, strict=True) if on)
    assert found.predicted == pytest.approx(expected, rel=1e-9)
    assert found.achieved == pytest.approx(expected, abs=5e-3)


@pytest.mark.parametrize("name", ["ellipse", "booth", "regression"])
def test_best_gd_lr_is_two_over_lmin_plus_lmax_and_beats_a_grid(name) -> None:
    surface = find_surface(name)
    lams = np.linalg.eigvalsh(surface.hessian(np.zeros(surface.dim)))
    lr, rate = best_gd(lams)
    assert lr == pytest.approx(2 / (lams[0] + lams[-1]))
    kappa = lams[-1] / lams[0]
    assert rate == pytest.approx((kappa - 1) / (kappa + 1))
    grid = np.linspace(1e-4, 2 / lams[-1], 4001)
    brute = min(max(abs(1 - g * lam) for lam in lams) for g in grid)
    assert rate <= brute + 1e-9 and rate == pytest.approx(brute, abs=1e-3)
    spec = best_spec(surface, parse_optimizer("sgd"))
    assert spec.lr == pytest.approx(lr)
    _, result = _go(name, spec)
    assert rates(surface, result).achieved == pytest.approx(rate, abs=5e-3)


@pytest.mark.parametrize("name", ["ellipse", "booth", "regression"])
def test_best_momentum_is_polyaks_and_beats_a_grid(name) -> None:
    surface = find_surface(name)
    lams = np.linalg.eigvalsh(surface.hessian(np.zeros(surface.dim)))
    lr, beta, rate = best_momentum(lams)
    kappa = lams[-1] / lams[0]
    assert beta == pytest.approx(((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2)
    assert rate == pytest.approx(math.sqrt(beta))
    best = min(
        predicted_rate(parse_optimizer(f"momentum:lr={float(g)!r},momentum={float(b)!r}"), lams)
        for g in np.linspace(0.5 * lr, 1.5 * lr, 41)
        for b in np.linspace(0.0, 0.95, 39)
    )
    assert rate <= best + 1e-6
    spec = best_spec(surface, parse_optimizer("momentum"))
    assert spec.lr == pytest.approx(lr) and spec.params["momentum"] == pytest.approx(beta)
    # the run's own rate, against the heavy-ball recurrence stepped by hand on each eigendirection
    _, result = _go(name, spec)
    achieved = rates(surface, result).achieved
    assert achieved == pytest.approx(rate, abs=0.03)


def test_momentum_prediction_matches_the_heavy_ball_recurrence() -> None:
    # θ_{k+1} = θ_k − lr·λθ_k + β(θ_k − θ_{k−1}): its characteristic roots
    lam, lr, beta = 2.0, 0.1, 0.9
    roots = np.roots([1, -(1 + beta - lr * lam), beta])
    spec = parse_optimizer(f"momentum:lr={lr},momentum={beta}")
    assert predicted_rate(spec, np.array([lam])) == pytest.approx(max(abs(roots)))


def test_lr_best_on_ellipse_prints_predicted_and_achieved() -> None:
    result = runner.invoke(
        app,
        ["descend", "ellipse", "--lr", "best", "-o", "sgd,momentum", "--no-animate"],
        env={"COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert (
        "Rate: sgd: predicted 0.9231 per step (max |1 − lr·λᵢ| with λ = 2, 50); achieved 0.9231."
        in out
    )
    assert (
        "Best fixed lr = 2/(λmin + λmax) = 0.03846, rate (κ − 1)/(κ + 1) = 0.9231 with κ = 25"
        in out
    )
    assert "β = ((√κ − 1)/(√κ + 1))² = 0.4444 with lr = 4/(√λmax + √λmin)² = 0.05556" in out
    assert "sgd: |error| along each eigenvector, log scale" in out
    assert "--optimizer momentum:lr=0.055555555555555546,momentum=0.4444444444444444" in out


def test_error_plot_shows_the_slow_direction_dominating() -> None:
    from gradtutor.render.descent_summary import ErrorPlot

    surface = find_surface("ellipse")
    _, result = _go("ellipse", parse_optimizer("sgd:lr=0.035"))
    lines = ErrorPlot(rates(surface, result)).lines(100)
    slow, fast = lines[1], lines[2]
    assert slow.lstrip().startswith("λ₁ = 2 ") and fast.lstrip().startswith("λ₂ = 50 ")
    # the last block: the λ = 2 error is still tall, the λ = 50 error at the floor
    assert slow.split()[-2][-1] in "▆▇█" and fast.split()[-2][-1] == "▁"


def test_lr_best_needs_a_convex_quadratic() -> None:
    result = runner.invoke(app, ["descend", "rosenbrock", "--lr", "best", "--no-animate"])
    assert result.exit_code == 2
    assert "--lr best needs a convex quadratic surface" in result.stderr


@pytest.mark.parametrize("bad", ["fast", "-1", "nan"])
def test_lr_must_be_a_number_or_best(bad) -> None:
    result = runner.invoke(app, ["descend", "bowl", "--lr", bad, "--no-animate"])
    assert result.exit_code == 2
    assert "--lr" in result.stderr


# --- schedules: torch.optim.lr_scheduler ---------------------------------------------


def test_step_schedule_is_steplr() -> None:
    plan = parse_schedule("step:k=3,gamma=0.5", max_steps=100)
    assert [plan.lr(0.8, t) for t in range(8)] == [0.8 * 0.5 ** (t // 3) for t in range(8)]
    assert plan.text == "step:k=3,gamma=0.5"


def test_exp_schedule_is_exponentiallr() -> None:
    plan = parse_schedule("exp:gamma=0.9", max_steps=100)
    assert [plan.lr(0.1, t) for t in range(5)] == pytest.approx([0.1 * 0.9**t for t in range(5)])


def test_cosine_schedule_matches_torchs_recursive_cosineannealinglr() -> None:
    base, eta_min, t_max = 0.2, 0.01, 10
    plan = parse_schedule(f"cosine:T_max={t_max},eta_min={eta_min}", max_steps=1000)
    lr = base  # torch's chainable form, step by step (torch/optim/lr_scheduler.py)
    for t in range(1, t_max + 1):
        if (t - 1 - t_max) % (2 * t_max) == 0:
            lr = lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        else:
            lr = (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max)) * (
                lr - eta_min
            ) + eta_min
        assert plan.lr(base, t) == pytest.approx(lr, rel=1e-12)
    assert parse_schedule("cosine", max_steps=300).params["T_max"] == 300


@pytest.mark.parametrize(
    "bad", ["warm", "step", "step:k=0,gamma=0.5", "exp:gamma=-1", "exp:rate=2", "cosine:T_max=0"]
)
def test_bad_schedules_are_refused(bad) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(bad, max_steps=100)
    result = runner.invoke(app, ["descend", "bowl", "--schedule", bad, "--no-animate"])
    assert result.exit_code == 2


def test_a_scheduled_gd_run_multiplies_by_one_minus_two_lr_t_each_step() -> None:
    surface = find_surface("parabola")
    plan = parse_schedule("step:k=5,gamma=0.5", max_steps=40)
    result = run(
        surface, parse_optimizer("sgd:lr=0.4"), (2.5,), max_steps=40, tol=1e-12, schedule=plan
    )
    x = 2.5
    for t, point in enumerate(result.trajectory[1:]):
        x *= 1 - 2 * plan.lr(0.4, t)
        assert point[0] == pytest.approx(x, rel=1e-12)


# --- noise --------------------------------------------------------------------------


def test_noise_is_gaussian_added_to_each_gradient_and_seeded() -> None:
    surface = find_surface("bowl")
    spec = parse_optimizer("sgd:lr=0.1")
    one = run(surface, spec, (2.5, -2.0), max_steps=30, tol=1e-4, noise=0.5, seed=7)
    again = run(surface, spec, (2.5, -2.0), max_steps=30, tol=1e-4, noise=0.5, seed=7)
    other = run(surface, spec, (2.5, -2.0), max_steps=30, tol=1e-4, noise=0.5, seed=8)
    np.testing.assert_array_equal(one.trajectory, again.trajectory)
    assert not np.allclose(one.trajectory, other.trajectory)
    draws = np.random.default_rng(7).standard_normal((30, 2))
    p = np.array([2.5, -2.0])
    for k in range(30):
        p = p - 0.1 * (2 * p + 0.5 * draws[k])
        np.testing.assert_allclose(one.trajectory[k + 1], p, rtol=1e-12)


def test_noise_and_schedule_are_in_the_replay_and_json() -> None:
    import json

    args = ["descend", "bowl", "--noise", "0.5", "--seed", "3", "--schedule", "exp:gamma=0.99"]
    shown = runner.invoke(app, [*args, "--no-animate"], env={"COLUMNS": "300"})
    assert shown.exit_code == 0
    assert "--noise 0.5 --seed 3 --schedule exp:gamma=0.99" in shown.stdout.splitlines()[-1]
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert data["noise"] == 0.5 and data["seed"] == 3 and data["schedule"] == "exp:gamma=0.99"
    assert data["runs"][0]["rates"]["predicted_rate"] == pytest.approx(0.8)


@pytest.mark.parametrize("width", [60, 80])
def test_rates_and_plot_fit_the_terminal(width) -> None:
    result = runner.invoke(
        app,
        ["descend", "ellipse", "-o", "sgd,momentum", "--no-animate"],
        env={"COLUMNS": str(width), "LINES": "30", "NO_COLOR": "1"},
    )
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("Replay: ")
    too_wide = [row for row in lines[:-1] if len(row) > width]
    assert too_wide == []
    assert any(line.lstrip().startswith("λ₁ = 2 ") for line in lines)
