"""The curvature lesson: every number recomputed, every `descend` command run, its claim checked."""

from __future__ import annotations

import json
import math
import re
import shlex

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.descent.optimizers import parse_optimizer
from gradtutor.descent.run import run
from gradtutor.descent.schedules import parse_schedule
from gradtutor.descent.surfaces import find_surface
from gradtutor.tutor.lessons import load_lessons

runner = CliRunner()
LESSON = next(lesson for lesson in load_lessons() if lesson.id == "curvature")
TEXT = LESSON.markdown


def descend(command: str) -> dict:
    args = shlex.split(command)
    assert args[:2] == ["gradtutor", "descend"]
    result = runner.invoke(app, [*args[1:], "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_descend_command_in_the_lesson_runs() -> None:
    commands = set(re.findall(r"`(gradtutor descend [^`]+)`", TEXT))
    assert len(commands) >= 8
    for command in commands:
        descend(command)


def test_hessians_eigenvalues_and_condition_numbers() -> None:
    ellipse, booth = find_surface("ellipse"), find_surface("booth")
    np.testing.assert_allclose(ellipse.hessian(np.zeros(2)), [[2, 0], [0, 50]], atol=1e-6)
    np.testing.assert_allclose(booth.hessian(np.zeros(2)), [[10, 8], [8, 10]], atol=1e-6)
    lams, vecs = np.linalg.eigh(booth.hessian(np.zeros(2)))
    np.testing.assert_allclose(lams, [2, 18], atol=1e-6)
    np.testing.assert_allclose(np.abs(vecs[:, 1]), [math.sqrt(0.5)] * 2, atol=1e-6)  # (1, 1)
    assert "H = [[2, 0], [0, 50]]" in TEXT and "H = [[10, 8], [8, 10]]" in TEXT
    assert "25 for the\nellipse, 9 for Booth" in TEXT


def test_above_at_and_below_the_limit() -> None:
    assert abs(1 - 0.045 * 50) == pytest.approx(1.25)
    above = descend("gradtutor descend ellipse --lr 0.045")["runs"][0]
    assert above["stop_reason"] == "diverged" and above["verdict"]["outcome"] == "explodes"
    at = descend("gradtutor descend ellipse --lr 0.04")["runs"][0]
    assert at["stop_reason"] == "oscillating"
    assert at["stop_detail"].startswith("at the limit: it oscillates without converging")
    below = descend("gradtutor descend ellipse --lr 0.035")["runs"][0]
    assert below["stop_reason"] == "converged"


def test_the_slow_direction_sets_the_rate() -> None:
    assert abs(1 - 0.035 * 50) == pytest.approx(0.75) and abs(1 - 0.035 * 2) == pytest.approx(0.93)
    rates = descend("gradtutor descend ellipse --lr 0.035")["runs"][0]["rates"]
    assert rates["predicted_rate"] == pytest.approx(0.93)
    assert rates["achieved_rate"] == pytest.approx(0.93, abs=1e-4)
    shown = runner.invoke(
        app, ["descend", "ellipse", "--lr", "0.035", "--no-animate"], env={"COLUMNS": "120"}
    )
    assert "predicted 0.93 per step" in shown.stdout and "achieved 0.93." in shown.stdout


def test_best_fixed_rate_and_momentum_figures() -> None:
    assert pytest.approx(0.03846, abs=1e-5) == 2 / 52 and pytest.approx(0.9231, abs=1e-4) == 24 / 26
    gd = descend("gradtutor descend ellipse --lr best")["runs"][0]
    assert gd["params"]["lr"] == pytest.approx(2 / 52)
    assert gd["rates"]["achieved_rate"] == pytest.approx(24 / 26, abs=1e-4)
    assert gd["steps"] == 165
    kappa = 25
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    assert beta == pytest.approx(0.4444, abs=1e-4)
    assert 4 / (math.sqrt(50) + math.sqrt(2)) ** 2 == pytest.approx(4 / 72)
    assert pytest.approx(0.05556, abs=1e-5) == 4 / 72
    heavy = descend("gradtutor descend ellipse -o momentum --lr best")["runs"][0]
    assert heavy["params"]["momentum"] == pytest.approx(beta)
    assert heavy["steps"] == 43 and heavy["stop_reason"] == "converged"
    assert heavy["rates"]["predicted_rate"] == pytest.approx(2 / 3, abs=1e-6)
    assert heavy["rates"]["achieved_rate"] == pytest.approx(0.69, abs=0.005)
    assert "converges in 43 steps where\nthe best plain GD needs 165" in TEXT


def test_rosenbrock_converges_though_it_overshoots_at_the_start() -> None:
    surface = find_surface("rosenbrock")
    start_max = float(np.linalg.eigvalsh(surface.hessian(np.array(surface.start)))[-1])
    min_max = float(np.linalg.eigvalsh(surface.hessian(np.array([1.0, 1.0])))[-1])
    assert start_max == pytest.approx(2092, abs=1) and min_max == pytest.approx(1002, abs=1)
    assert 2 / start_max < 0.0015 and 2 / min_max > 0.0015
    data = descend("gradtutor descend rosenbrock --lr 0.0015 --steps 20000")["runs"][0]
    assert data["stop_reason"] == "converged"
    np.testing.assert_allclose(data["trajectory"][-1], [1, 1], atol=1e-3)


def test_noise_floor_and_the_schedule_that_lowers_it() -> None:
    lr, sigma = 0.1, 1.0
    per_coordinate = lr * sigma**2 / (4 * (1 - lr))  # var of x' = (1 − 2lr)x − lr·σz
    assert 2 * per_coordinate == pytest.approx(0.056, abs=5e-4)
    surface = find_surface("bowl")
    spec = parse_optimizer("sgd:lr=0.1")
    flat_tail, scheduled = [], []
    plan = parse_schedule("step:k=100,gamma=0.5", max_steps=1000)
    for seed in range(20):
        kw = {"max_steps": 1000, "tol": 1e-4, "noise": sigma, "seed": seed}
        flat_tail.append(run(surface, spec, surface.start, **kw).losses[500:].mean())
        scheduled.append(run(surface, spec, surface.start, schedule=plan, **kw).losses[-1])
    assert np.mean(flat_tail) == pytest.approx(2 * per_coordinate, rel=0.1)
    assert np.mean(scheduled) == pytest.approx(0.001, rel=0.5)
    constant = descend("gradtutor descend bowl --lr 0.1 --noise 1")["runs"][0]
    assert constant["stop_reason"] == "max_steps"
