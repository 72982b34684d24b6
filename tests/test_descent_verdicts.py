"""The lab's stability notes agree with its own runs, on every catalogue surface.

Regressions: the verdict was computed from the Hessian at the start point, so
`rosenbrock --lr 0.0015` said "exploding" and converged, `himmelblau` said descent
"runs away whatever the learning rate" and converged, `beale --lr 0.045` called
eigenvalues up to 281.5 "tiny" and exploded; at lr = 2/λmax the lab said "stable"
(bowl) or "exploding" (ellipse) while the run oscillated; a start outside the
window was "diverged" after 0 steps; races crowned the first to stop.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor.descent.analysis import judge, race_notes, stability
from gradtutor.descent.optimizers import parse_optimizer
from gradtutor.descent.run import SurfaceScale, race
from gradtutor.descent.surfaces import CATALOGUE, find_surface
from gradtutor.render.descent_summary import ranking_text

# What each predicted outcome allows the run to have done.
ALLOWED = {
    "converges": {"converged"},
    "oscillates": {"oscillating", "max_steps"},
    "explodes": {"diverged"},
    "unbounded": {"diverged"},
    "runs_away": {"diverged", "max_steps"},
    "overshoots": {"max_steps"},
    "slow": {"max_steps"},
    "flat": {"stalled", "converged", "max_steps"},
    "saddle": {"converged"},
    "noisy": {"max_steps"},
}


def _limit_at_minimum(surface):
    if not surface.minima:
        return None
    spec = parse_optimizer("sgd:lr=0.001")
    st = stability(surface, spec, np.array(surface.minima[0]), SurfaceScale.of(surface))
    return st.limit if st is not None else None


def _cases():
    for surface in CATALOGUE:
        yield surface, "sgd", None
        yield surface, "momentum", None
        limit = _limit_at_minimum(surface)
        if limit is not None:
            for factor in (0.5, 1.5):
                yield surface, f"sgd:lr={limit * factor!r}", None
            yield surface, f"sgd:lr={limit!r}", "at-limit"


CASES = list(_cases())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("surface", "text", "tag"),
    CASES,
    ids=[f"{s.name}-{t}" for s, t, _ in CASES],
)
def test_every_catalogue_surface_note_agrees_with_its_run(surface, text, tag) -> None:
    spec = parse_optimizer(text)
    if "lr" not in spec.explicit:
        spec = spec.with_lr(surface.suggested_lr(spec.kind))
    result = race(surface, [spec], surface.start, max_steps=1000, tol=1e-4)
    (run,) = result.runs
    verdict = judge(result.surface, run)
    assert verdict is not None
    assert run.stop_reason in ALLOWED[verdict.outcome], (verdict.outcome, run.stop_reason)
    if run.stop_reason == "converged":
        assert "exploding" not in verdict.text and "runs away" not in verdict.text
        assert "overshoot" not in verdict.text
    if run.stop_reason == "diverged":
        assert "is below it: stable" not in verdict.text
    if run.stop_reason == "oscillating":
        assert "at the limit: it oscillates without converging" in verdict.text
    if verdict.start is not None:
        assert verdict.start.startswith(f"{spec.name}: at the start ")
        assert "exploding" not in verdict.start and "whatever" not in verdict.start
    if tag == "at-limit" and surface.quadratic:
        assert verdict.outcome == "oscillates", verdict.text


def _one(name, text, start=None, steps=1000):
    surface = find_surface(name)
    result = race(
        surface, [parse_optimizer(text)], start or surface.start, max_steps=steps, tol=1e-4
    )
    return result, result.runs[0], judge(result.surface, result.runs[0])


def test_rosenbrock_judged_at_the_minimum_not_the_start() -> None:
    _, run, verdict = _one("rosenbrock", "sgd:lr=0.0015", steps=20000)
    assert run.stop_reason == "converged"
    np.testing.assert_allclose(run.final, [1, 1], atol=1e-3)
    assert verdict.outcome == "converges"
    # the Hessian at (1, 1) is [[802, −400], [−400, 200]]: λmax = 501 + √(301² + 400²)
    lam = 501 + np.hypot(301, 400)
    assert lam == pytest.approx(1001.6, abs=0.05)
    limit = float(verdict.text.split("2/λmax = ")[1].split(" ")[0])
    assert limit == pytest.approx(2 / lam, rel=2e-3)
    assert "lr = 0.0015 is below it: stable" in verdict.text
    assert verdict.start == (
        "sgd: at the start (−1.5, 2), λmax = 2092: the local limit is 2/λmax = 0.0009559; "
        "lr = 0.0015 is above it there, so the first steps overshoot"
    )


def test_himmelblau_does_not_say_runs_away_when_it_converges() -> None:
    _, run, verdict = _one("himmelblau", "sgd:lr=0.01")
    assert run.stop_reason == "converged" and run.steps == 22
    assert verdict.outcome == "converges"
    assert "whatever the learning rate" not in " ".join(verdict.lines())


def test_beale_explodes_where_the_curvature_is_281_not_tiny() -> None:
    _, run, verdict = _one("beale", "sgd:lr=0.045")
    assert run.stop_reason == "diverged"
    assert verdict.outcome == "explodes"
    assert "tiny" not in verdict.text
    assert verdict.text == (
        "sgd: at the start (1, 1.5), it is stable only for lr < 2/λmax = 0.007104 "
        "(λmax = 281.5); lr = 0.045 is above it: each step overshoots, exploding"
    )


@pytest.mark.parametrize(("name", "lr"), [("bowl", "1"), ("ellipse", "0.04")])
def test_at_the_limit_it_oscillates_without_converging(name, lr) -> None:
    _, run, verdict = _one(name, f"sgd:lr={lr}")
    assert run.stop_reason == "oscillating"
    assert run.stop_detail.startswith("at the limit: it oscillates without converging")
    assert verdict.outcome == "oscillates"
    assert f"lr = {lr} is at the limit: it oscillates without converging" in verdict.text
    # the last two points are a 2-cycle that does not shrink: the error along λmax flips sign
    np.testing.assert_allclose(run.trajectory[-1], run.trajectory[-3], atol=1e-8)
    assert run.grad_norms[-1] > 1


def test_bowl_stops_in_two_steps_at_the_limit() -> None:
    _, run, _ = _one("bowl", "sgd:lr=1")
    # x ← x − 1·2x = −x: (2.5, −2) → (−2.5, 2) → (2.5, −2): the cycle is seen at step 3
    assert run.steps == 3
    np.testing.assert_allclose(run.trajectory, [[2.5, -2], [-2.5, 2], [2.5, -2], [-2.5, 2]])


def test_a_start_outside_the_window_widens_the_view_and_is_never_diverged() -> None:
    result, run, verdict = _one("bowl", "sgd:lr=0.1", start=(100.0, 100.0))
    assert run.stop_reason == "converged"
    assert result.view_from == ((-3.0, 3.0), (-3.0, 3.0))
    (x0, x1), (y0, y1) = result.surface.window
    assert x0 == -3.0 and y0 == -3.0 and x1 >= 100 and y1 >= 100
    assert verdict.outcome == "converges"
    assert result.to_json()["widened_from"] == [[-3.0, 3.0], [-3.0, 3.0]]
    from gradtutor.render.descent_summary import widened_text

    assert widened_text(result) == (
        "The start (100, 100) is outside the surface's usual view, so the view is widened "
        "to x -3 to 110.3, y -3 to 110.3."
    )


def test_race_ranks_by_loss_reached_then_speed() -> None:
    surface = find_surface("double-well")
    specs = [parse_optimizer("gd:lr=0.02"), parse_optimizer("momentum:lr=0.02")]
    result = race(surface, specs, surface.start, max_steps=1000, tol=1e-4)
    gd, momentum = result.runs
    assert gd.steps < momentum.steps  # gd stops first ...
    assert momentum.losses[-1] < gd.losses[-1]  # ... at the worse, local minimum
    assert [r.spec.name for _, r in result.ranking()] == ["momentum", "gd"]
    text = ranking_text(result)
    assert text.startswith("Winner: momentum, lowest loss (-3.514)")
    assert "gd stopped first (step 50) but at a worse point (loss -1.07 against -3.514)" in text
    assert "different learning rates" not in text


def test_race_says_when_learning_rates_differ() -> None:
    surface = find_surface("double-well")
    specs = [parse_optimizer("gd:lr=0.02"), parse_optimizer("adam:lr=0.1")]
    result = race(surface, specs, surface.start, max_steps=1000, tol=1e-4)
    assert ranking_text(result).endswith(
        "The racers use different learning rates (gd 0.02, adam 0.1): the race compares "
        "settings as much as methods."
    )


def test_race_notes_show_the_start_labelled_separately_on_curved_surfaces() -> None:
    surface = find_surface("himmelblau")
    result = race(
        surface, [parse_optimizer("sgd:lr=0.01")], surface.start, max_steps=1000, tol=1e-4
    )
    _, notes, warnings = race_notes(result)
    assert notes[0].startswith(
        "Maths: sgd: at the minimum it reached, (−2.805, 3.131), it is stable"
    )
    assert notes[1].startswith("Maths: sgd: at the start (−0.5, 0.5), the surface curves downward")
    assert warnings == ()


def test_typed_surface_sin_cos_converges_without_a_runs_away_verdict() -> None:
    from gradtutor.descent.typed import surface_from_expression

    surface = surface_from_expression("sin(x)*cos(y)")
    spec = parse_optimizer("sgd").with_lr(surface.suggested_lr("sgd"))
    result = race(surface, [spec], surface.start, max_steps=1000, tol=1e-4)
    (run,) = result.runs
    verdict = judge(result.surface, run)
    assert run.stop_reason == "converged"
    assert verdict.outcome == "converges"
    assert "whatever the learning rate" not in verdict.text


def test_a_scheduled_run_is_judged_at_the_rate_in_force_at_its_end() -> None:
    from gradtutor.descent.schedules import parse_schedule

    surface = find_surface("bowl")  # 2/λmax = 1
    plan = parse_schedule("step:k=10,gamma=0.5", max_steps=1000)
    result = race(
        surface,
        [parse_optimizer("sgd:lr=1.1")],
        surface.start,
        max_steps=1000,
        tol=1e-4,
        schedule=plan,
    )
    (run,) = result.runs
    # ten steps at 1.1 multiply the error by −1.2 each, then 0.55 shrinks it by 0.1 a step
    assert run.stop_reason == "converged" and 10 < run.steps < 20
    assert plan.lr(1.1, 0) > 1 > plan.lr(1.1, run.steps - 1) == pytest.approx(0.55)
    verdict = judge(result.surface, run, schedule=plan)
    assert verdict.outcome == "converges"
    assert "lr = 0.55 is below it: stable" in verdict.text


def test_noise_keeps_a_stable_run_jittering_and_says_so() -> None:
    surface = find_surface("bowl")
    result = race(
        surface,
        [parse_optimizer("sgd:lr=0.1")],
        surface.start,
        max_steps=300,
        tol=1e-4,
        noise=1.0,
        seed=0,
    )
    (run,) = result.runs
    assert run.stop_reason == "max_steps"
    verdict = judge(result.surface, run, noise=1.0)
    assert verdict.outcome == "noisy"
    assert "gradient noise (σ = 1) keeps it jittering around the minimum" in verdict.text
