"""What the maths predicts: step-size stability from the Hessian, and what a point is.

On a quadratic with Hessian H, plain gradient descent multiplies the error along
each eigenvector (eigenvalue λ) by (1 − lr·λ) per step, so it is stable only for
lr < 2/λmax. Heavy-ball momentum β widens that to lr < 2(1 + β)/λmax, Nesterov to
lr < 2(1 + β)/((1 + 2β)·λmax). Elsewhere the same holds locally, from the Hessian at a point.

A negative eigenvalue (a saddle, a maximum) is different: there the error grows by
1 + lr·|λ| per step for every lr > 0, so no learning rate is "stable"; and where the
Hessian is (nearly) zero the curvature says nothing and the slope alone sets the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import numpy as np

from gradtutor.descent.optimizers import OptimizerSpec
from gradtutor.descent.run import CURVE, Race, Run, StopReason, SurfaceScale
from gradtutor.descent.schedules import Schedule
from gradtutor.descent.surfaces import Surface
from gradtutor.errors import UsageError


@dataclass(frozen=True)
class Stability:
    """The largest stable learning rate for one SGD-family optimizer at one point."""

    label: str
    lr: float
    lam_max: float
    limit: float | None  # None: no curvature upward, any lr is locally stable
    formula: str
    exact: bool  # True on a quadratic surface (the Hessian is the same everywhere)
    lams: tuple[float, ...] = ()  # every eigenvalue (weight decay included), ascending
    flat: bool = False  # the curvature is negligible for this surface's scale

    @property
    def lam_min(self) -> float:
        return self.lams[0] if self.lams else self.lam_max

    @property
    def stable(self) -> bool:
        """lr is below the limit of the upward directions (see ``runs_away`` for the rest)."""
        return self.limit is None or self.lr < self.limit

    @property
    def runs_away(self) -> bool:
        """Some direction curves downward: descent leaves along it at any lr."""
        return not self.flat and self.lam_min < 0

    @property
    def factor(self) -> float:
        """|1 − lr·λmax|: how much plain GD multiplies the error per step."""
        return abs(1 - self.lr * self.lam_max)

    def message(self) -> str:
        where = "" if self.exact else " near the start"
        if self.flat:
            return self._flat_message(where)
        if self.runs_away:
            return self._downward_message(where)
        if self.limit is None:
            return f"{self.label}: no upward curvature{where} (λmax = {self.lam_max:.4g})"
        verdict = "below it: stable" if self.stable else "above it: each step overshoots, exploding"
        return (
            f"{self.label}: stable{where} only for lr < {self.formula} = {self.limit:.4g} "
            f"(λmax = {self.lam_max:.4g}); lr = {self.lr:g} is {verdict}"
        )

    def _flat_message(self, where: str) -> str:
        if all(abs(lam) < 1e-12 for lam in self.lams):
            what = f"the Hessian is zero{where} (no curvature at all)"
        else:
            what = (
                f"the surface is almost flat{where} (Hessian {_eigen_list(self.lams)}, "
                "tiny for this surface)"
            )
        return (
            f"{self.label}: {what}: curvature sets no limit on lr here, and the steps "
            f"lr·|∇f| are as small as the slope (lr = {self.lr:g})"
        )

    def _downward_message(self, where: str) -> str:
        down = [lam for lam in self.lams if lam < 0]
        if self.limit is None:  # every direction curves downward: a maximum
            if len(self.lams) == 1:
                shape = f"the curve bends downward{where} (f″ = {_num(down[0])})"
            else:
                every = f"in every direction (Hessian {_eigen_list(down)})"
                shape = f"the surface curves downward{where} {every}"
            return f"{self.label}: {shape}: descent runs away whatever the learning rate"
        along = "one direction" if len(down) == 1 else f"{len(down)} directions"
        text = (
            f"{self.label}: the surface curves downward{where} along {along} "
            f"(Hessian {_eigen_list(down)}): descent runs away along it whatever the "
            f"learning rate; {self.formula} = {self.limit:.4g} only limits the upward directions"
        )
        if not self.stable:
            text += f", and lr = {self.lr:g} is above it: those overshoot too"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "optimizer": self.label,
            "lr": self.lr,
            "lambda_max": self.lam_max,
            "lambda_min": self.lam_min,
            "limit": self.limit,
            "stable": self.stable,
            "runs_away": self.runs_away,
            "flat": self.flat,
        }


def _num(value: float) -> str:
    """4 significant digits with a true minus sign."""
    return f"{value:.4g}".replace("-", "−")


def _eigen_list(lams: list[float] | tuple[float, ...]) -> str:
    if len(lams) == 1:
        return f"eigenvalue {_num(lams[0])}"
    return "eigenvalues " + ", ".join(_num(lam) for lam in lams)


def eigenvalues(surface: Surface, point: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(surface.hessian(np.asarray(point, dtype=float)))


def stability(
    surface: Surface,
    spec: OptimizerSpec,
    point: np.ndarray,
    scale: SurfaceScale | None = None,
) -> Stability | None:
    """The lr limit for SGD (plain, momentum, Nesterov); None for adaptive optimizers.

    ``flat``: the curvature is too small to bend the loss noticeably across the window
    (the run loop's own test for flat ground, from ``scale``).
    """
    if spec.kind != "sgd" or spec.params["maximize"]:
        return None
    lams = tuple(float(v) + spec.params["weight_decay"] for v in eigenvalues(surface, point))
    scale = scale or SurfaceScale.of(surface)
    flat = max(abs(v) for v in lams) * scale.span**2 < CURVE * scale.spread
    lam = max(lams)
    beta = spec.params["momentum"]
    damp = 1 - spec.params["dampening"] if beta else 1.0
    if beta == 0:
        numerator, formula = 2.0, "2/λmax"
    elif spec.params["nesterov"]:
        numerator, formula = 2 * (1 + beta) / (1 + 2 * beta), "2(1+β)/((1+2β)λmax)"
    else:
        numerator, formula = 2 * (1 + beta), "2(1+β)/λmax"
    if damp != 1.0:
        formula = formula.replace("λmax", "(1−τ)λmax")
    limit = numerator / (damp * lam) if lam > 0 and damp > 0 else None
    return Stability(spec.name, spec.lr, lam, limit, formula, surface.quadratic, lams, flat)


def classify(
    surface: Surface, point: np.ndarray, loss: float, scale: SurfaceScale | None = None
) -> str:
    """Name a critical point from the Hessian's eigenvalues (and the known minimum).

    With ``scale``, a point whose curvature is negligible for the surface is flat
    ground, not a (numerically) curved maximum or minimum.
    """
    lam = eigenvalues(surface, point)
    if scale is not None and float(np.max(np.abs(lam))) * scale.span**2 < CURVE * scale.spread:
        return "flat ground (the curvature is negligible: the second-derivative test cannot tell)"
    size = max(1.0, float(np.max(np.abs(lam))))
    tiny = 1e-6 * size
    if np.all(lam > tiny):
        if surface.min_value is not None:
            if loss > surface.min_value + 1e-6 * max(1.0, abs(surface.min_value)):
                return "a local minimum (the global minimum is lower)"
            return "a minimum"
        scale = SurfaceScale.of(surface, n=200 if surface.dim == 1 else 96)
        if loss > scale.floor + 1e-3 * scale.spread:
            return "a local minimum (the window holds lower ground)"
        return "a minimum"
    if np.all(lam < -tiny):
        return "a maximum"
    if np.any(lam > tiny) and np.any(lam < -tiny):
        return "a saddle point (Hessian eigenvalues of both signs)"
    return "a degenerate point (the Hessian is singular: the second-derivative test cannot tell)"


# --- the verdict a run is judged by -------------------------------------------------

AT_LIMIT = 1e-9  # |lr − limit| within this fraction of the limit: "at the limit"


class Outcome(StrEnum):
    """What the maths predicts for a run (the strings are what ``--json`` holds)."""

    CONVERGES = "converges"
    OSCILLATES = "oscillates"
    EXPLODES = "explodes"
    RUNS_AWAY = "runs_away"
    UNBOUNDED = "unbounded"
    OVERSHOOTS = "overshoots"
    SLOW = "slow"
    NOISY = "noisy"
    FLAT = "flat"
    SADDLE = "saddle"


@dataclass(frozen=True)
class Verdict:
    """The stability note for one run, judged where the run decides it.

    ``outcome`` says what the maths predicts for this run, and never contradicts the
    run's own stop reason (an :class:`Outcome`). ``text`` is the verdict, ``start`` the same
    local numbers at the start point, labelled as such (None on a quadratic, where
    the Hessian is the same everywhere).
    """

    label: str
    outcome: Outcome
    text: str
    start: str | None = None
    warning: str | None = None

    def lines(self) -> list[str]:
        return [self.text] + ([self.start] if self.start else [])

    def to_json(self) -> dict[str, Any]:
        return {
            "optimizer": self.label,
            "outcome": self.outcome,
            "text": self.text,
            "start": self.start,
        }


def _pos(point: np.ndarray) -> str:
    parts = [f"{float(v):.4g}".replace("-", "−") for v in point]
    return f"x = {parts[0]}" if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def at_limit(verdict: Stability) -> bool:
    return verdict.limit is not None and abs(verdict.lr - verdict.limit) <= AT_LIMIT * verdict.limit


def _limit_clause(st: Stability, where: str) -> str:
    """'sgd: stable only for lr < 2/λmax = 0.04 (λmax = 50); lr = 0.05 is ' (where: a place)."""
    place = f"{where}, it is " if where else ""
    return (
        f"{st.label}: {place}stable only for lr < {st.formula} = {st.limit:.4g} "
        f"(λmax = {st.lam_max:.4g}); lr = {st.lr:g} is "
    )


def judge(
    surface: Surface,
    run: Run,
    scale: SurfaceScale | None = None,
    *,
    schedule: Schedule | None = None,
    noise: float = 0.0,
) -> Verdict | None:
    """The verdict for one finished run (None for adaptive optimizers).

    With a ``schedule`` the learning rate in force is the one of the step judged (the
    last step for where the run ended); with ``noise`` a run that is stable at its end
    but never reached the tolerance is said to jitter, not to need more steps.
    """
    scale = scale or SurfaceScale.of(surface)
    start = np.asarray(run.trajectory[0], dtype=float)
    if stability(surface, run.spec, start, scale) is None:
        return None
    reason = run.stop_reason
    lr_at = (lambda k: schedule.lr(run.spec.lr, k)) if schedule is not None else None
    if reason == StopReason.DIVERGED:
        verdict = _diverged(surface, run, scale, lr_at)
    else:
        if lr_at is not None:
            run = replace(run, spec=run.spec.with_lr(lr_at(max(run.steps - 1, 0))))
        verdict = _settled(surface, run, scale, noise)
    if not surface.quadratic and verdict.outcome != Outcome.EXPLODES:
        verdict = Verdict(
            verdict.label,
            verdict.outcome,
            verdict.text,
            _start_line(surface, run, scale),
            verdict.warning,
        )
    return verdict


def _start_line(surface: Surface, run: Run, scale: SurfaceScale) -> str:
    """The curvature at the start: a local fact, labelled, not a verdict on the run."""
    start = np.asarray(run.trajectory[0], dtype=float)
    st = stability(surface, run.spec, start, scale)
    assert st is not None
    head = f"{st.label}: at the start {_pos(start)}, "
    down = [lam for lam in st.lams if lam < 0]
    if st.limit is not None and not st.stable:
        text = head + f"λmax = {st.lam_max:.4g}: the local limit is {st.formula} = {st.limit:.4g}"
        return text + f"; lr = {st.lr:g} is above it there, so the first steps overshoot"
    if st.runs_away:
        return head + (
            f"the surface curves downward (Hessian {_eigen_list(down)}), "
            "so the first steps head away"
        )
    if st.flat:
        return head + "the surface is almost flat (curvature sets no limit there)"
    if st.limit is None:
        return head + "there is no upward curvature"
    return head + f"λmax = {st.lam_max:.4g}: the local limit is {st.formula} = {st.limit:.4g}"


def _diverged(
    surface: Surface, run: Run, scale: SurfaceScale, lr_at: Callable[[int], float] | None = None
) -> Verdict:
    """Judged along the path: the first point where the curvature makes lr too large."""
    label = run.spec.name
    for k, point in enumerate(run.trajectory):
        if not np.all(np.isfinite(point)):
            break
        spec = run.spec if lr_at is None else run.spec.with_lr(lr_at(k))
        st = stability(surface, spec, point, scale)
        assert st is not None
        if st.limit is None or st.stable or at_limit(st):
            continue
        where = f"at {_pos(point)}, step {k} of the path" if k else f"at the start {_pos(point)}"
        where = "" if surface.quadratic else where
        text = _limit_clause(st, where) + "above it: each step overshoots, exploding"
        warning = f"! {label}: lr {st.lr:g} > {st.formula} = {st.limit:.3g} — each step overshoots"
        return Verdict(label, Outcome.EXPLODES, text, None, warning)
    for point in run.trajectory if "unbounded" in run.stop_detail else ():
        st = stability(surface, run.spec, point, scale)
        if st is not None and st.runs_away:
            where = "" if surface.quadratic else f" at {_pos(point)}"
            return Verdict(label, Outcome.RUNS_AWAY, st.message().replace(" near the start", where))
    if "unbounded" in run.stop_detail:
        return Verdict(
            label,
            Outcome.UNBOUNDED,
            f"{label}: the loss falls without bound along the path: descent runs downhill "
            "forever, whatever the learning rate",
        )
    for point in run.trajectory:
        st = stability(surface, run.spec, point, scale)
        if st is not None and st.runs_away:
            return Verdict(
                label,
                Outcome.RUNS_AWAY,
                st.message().replace(" near the start", f" at {_pos(point)}"),
            )
    return Verdict(
        label,
        Outcome.EXPLODES,
        f"{label}: the path left the view far behind: the steps lr·|∇f| grew faster than "
        "the curvature along the path predicts",
    )


def _settled(surface: Surface, run: Run, scale: SurfaceScale, noise: float = 0.0) -> Verdict:
    """Judged where the run ended: the minimum it reached, or where it stopped."""
    label = run.spec.name
    end = np.asarray(run.final, dtype=float)
    st = stability(surface, run.spec, end, scale)
    assert st is not None
    if run.stop_reason == StopReason.CONVERGED:
        if st.flat:
            return Verdict(
                label, Outcome.FLAT, st.message().replace(" near the start", f" at {_pos(end)}")
            )
        place = classify(surface, end, float(run.losses[-1]))
        what = "the local minimum" if "local" in place else "the minimum"
        where = "" if surface.quadratic else f"at {what} it reached, {_pos(end)}"
        if place.startswith("a saddle") or place == "a maximum":
            return Verdict(
                label,
                Outcome.SADDLE,
                f"{label}: it stopped where ∇f = 0 at {_pos(end)}, {place}: the surface curves "
                f"downward there (Hessian {_eigen_list(st.lams)}), so any nudge off it runs away",
            )
        if st.limit is None:  # (flat ground returned above)
            return Verdict(
                label, Outcome.FLAT, st.message().replace(" near the start", f" at {_pos(end)}")
            )
        if st.stable:
            return Verdict(label, Outcome.CONVERGES, _limit_clause(st, where) + "below it: stable")
        return Verdict(
            label,
            Outcome.CONVERGES,
            _limit_clause(st, where) + "not below it: it would overshoot here, but one step "
            "happened to land within the tolerance",
        )
    if run.stop_reason == StopReason.STALLED or st.flat:
        return Verdict(
            label, Outcome.FLAT, st.message().replace(" near the start", f" at {_pos(end)}")
        )
    where = "" if surface.quadratic else f"where it ended, at {_pos(end)}"
    if run.stop_reason == StopReason.OSCILLATING or (at_limit(st) and not st.runs_away):
        if st.limit is not None and at_limit(st):
            text = _limit_clause(st, where) + "at the limit: it oscillates without converging"
        else:
            text = (
                f"{label}: it settled into jumping between two points {where}: "
                "at the limit: it oscillates without converging"
            )
        return Verdict(label, Outcome.OSCILLATES, text)
    if st.runs_away and (st.limit is None or run.stop_reason != StopReason.MAX_STEPS):
        return Verdict(
            label, Outcome.RUNS_AWAY, st.message().replace(" near the start", " " + where)
        )
    if st.limit is None:
        return Verdict(label, Outcome.FLAT, st.message().replace(" near the start", " " + where))
    if not st.stable:
        return Verdict(
            label,
            Outcome.OVERSHOOTS,
            _limit_clause(st, where) + "above it: it keeps overshooting here and cannot settle",
        )
    if noise > 0:
        return Verdict(
            label,
            Outcome.NOISY,
            _limit_clause(st, where) + f"below it: stable, but gradient noise (σ = {noise:g}) "
            "keeps it jittering around the minimum, so |∇f| never stays below the "
            "tolerance; lowering the rate late (--schedule) shrinks the jitter",
        )
    text = _limit_clause(st, where) + "below it: stable, but it needed more steps"
    if st.runs_away:  # still travelling, along a direction that bends slightly downward
        down = [lam for lam in st.lams if lam < 0]
        text += (
            f"; it was still moving, along a direction that bends downward a little "
            f"(Hessian {_eigen_list(down)})"
        )
    elif run.spec.params["momentum"] == 0 and st.lam_min > 0:
        slow = abs(1 - st.lr * st.lam_min)
        text += (
            f" (along the flattest direction, λmin = {st.lam_min:.4g}, the error shrinks only "
            f"by |1 − lr·λmin| = {slow:.4g} per step)"
        )
    return Verdict(label, Outcome.SLOW, text)


def race_notes(race: Race) -> tuple[list[str], list[str], tuple[str, ...]]:
    """For each run what its end point is; the maths notes; a warning for the frame.

    The verdicts are judged where each run decides its fate (see ``judge``).
    """
    from gradtutor.descent.run import SurfaceScale

    surface = race.surface
    scale = SurfaceScale.of(surface)
    endings = []
    for run in race.runs:
        if run.stop_reason == StopReason.CONVERGED:
            place = classify(surface, run.final, float(run.losses[-1]), scale)
            endings.append(f" — it ends at {place}.")
        else:
            endings.append("")
    notes: list[str] = []
    warnings: list[str] = []
    for run in race.runs:
        verdict = judge(surface, run, scale, schedule=race.schedule, noise=race.noise)
        if verdict is None:
            continue
        notes.extend("Maths: " + line for line in verdict.lines())
        if verdict.warning:
            warnings.append(verdict.warning)
    return endings, notes, tuple(warnings[:1])


# --- quadratic surfaces: the rate the maths predicts, and the best settings ---------


@dataclass(frozen=True)
class Rates:
    """On a convex quadratic: per-step error factors predicted and achieved, and the best.

    ``predicted``: the spectral radius of the optimizer's linear update (for plain GD
    max |1 − lr·λᵢ|). ``achieved``: (‖e_K‖/‖e_J‖)^(1/(K−J)) over the second half of the
    run's measurable errors. ``best_lr``/``best_rate`` for plain GD: 2/(λmin + λmax) and
    (κ − 1)/(κ + 1); for heavy-ball momentum ``best_beta`` = ((√κ − 1)/(√κ + 1))²,
    ``best_lr`` = 4/(√λmax + √λmin)² and rate √β.
    """

    label: str
    momentum: bool
    lams: tuple[float, ...]
    lr: float
    beta: float
    predicted: float  # over the eigendirections the start has error along
    achieved: float | None
    best_lr: float
    best_rate: float
    best_beta: float | None
    errors: tuple[tuple[float, ...], ...]  # |vᵢ·e_k| per eigendirection i, per step k
    worst: float = 0.0  # over every eigendirection

    @property
    def kappa(self) -> float:
        return self.lams[-1] / self.lams[0]

    def lines(self) -> list[str]:
        lams = ", ".join(f"{lam:.4g}" for lam in self.lams)
        achieved = "not measurable" if self.achieved is None else f"{self.achieved:.4g}"
        head = f"Rate: {self.label}: predicted {self.predicted:.4g} per step"
        if not self.momentum:
            head += f" (max |1 − lr·λᵢ| with λ = {lams})"
        else:
            head += f" (spectral radius of the momentum update, λ = {lams}, β = {self.beta:.4g})"
        head += f"; achieved {achieved}."
        if self.worst > self.predicted + 1e-9:
            head += (
                f" (The start has no error along some eigenvector, so the worst factor, "
                f"{self.worst:.4g}, never shows.)"
            )
        if self.momentum:
            best = (
                f"Best momentum for κ = {self.kappa:.4g}: β = ((√κ − 1)/(√κ + 1))² = "
                f"{self.best_beta:.4g} with lr = 4/(√λmax + √λmin)² = {self.best_lr:.4g}, "
                f"rate √β = {self.best_rate:.4g} (--lr best uses them)."
            )
        else:
            best = (
                f"Best fixed lr = 2/(λmin + λmax) = {self.best_lr:.4g}, rate "
                f"(κ − 1)/(κ + 1) = {self.best_rate:.4g} with κ = {self.kappa:.4g} "
                "(--lr best uses it)."
            )
        return [head, best]

    def to_json(self) -> dict[str, Any]:
        return {
            "optimizer": self.label,
            "eigenvalues": list(self.lams),
            "predicted_rate": self.predicted,
            "achieved_rate": self.achieved,
            "best_lr": self.best_lr,
            "best_rate": self.best_rate,
            "best_momentum": self.best_beta,
        }


def convex_quadratic_eigen(surface: Surface) -> tuple[np.ndarray, np.ndarray] | None:
    """(eigenvalues ascending, eigenvectors as columns) if the surface is a convex quadratic."""
    if not surface.quadratic:
        return None
    lams, vecs = np.linalg.eigh(surface.hessian(np.zeros(surface.dim)))
    if not np.all(lams > 1e-12):
        return None
    return lams, vecs


def update_matrix(spec: OptimizerSpec, lam: float) -> np.ndarray:
    """The linear map of one SGD-family step on f = λθ²/2, on the state (θ, v)."""
    p = spec.params
    lr, beta, damp = spec.lr, p["momentum"], 1 - p["dampening"]
    lam = lam + p["weight_decay"]
    if beta == 0:
        return np.array([[1 - lr * lam]])
    if p["nesterov"]:
        return np.array([[1 - lr * (1 + beta) * lam, -lr * beta * beta], [lam, beta]])
    return np.array([[1 - lr * damp * lam, -lr * beta], [damp * lam, beta]])


def predicted_rate(spec: OptimizerSpec, lams: np.ndarray) -> float:
    return max(float(np.max(np.abs(np.linalg.eigvals(update_matrix(spec, lam))))) for lam in lams)


def best_gd(lams: np.ndarray) -> tuple[float, float]:
    """2/(λmin + λmax) and its rate (κ − 1)/(κ + 1)."""
    lo, hi = float(lams[0]), float(lams[-1])
    return 2 / (lo + hi), (hi - lo) / (hi + lo)


def best_momentum(lams: np.ndarray) -> tuple[float, float, float]:
    """Polyak's heavy ball: lr = 4/(√λmax + √λmin)², β = ((√κ − 1)/(√κ + 1))², rate √β."""
    lo, hi = float(lams[0]), float(lams[-1])
    root = (np.sqrt(hi) - np.sqrt(lo)) / (np.sqrt(hi) + np.sqrt(lo))
    return 4 / (np.sqrt(hi) + np.sqrt(lo)) ** 2, float(root**2), float(root)


def rates(surface: Surface, run: Run) -> Rates | None:
    """Predicted vs achieved rate for an SGD-family run on a convex quadratic."""
    spec = run.spec
    eig = convex_quadratic_eigen(surface)
    if eig is None or spec.kind != "sgd" or spec.params["maximize"]:
        return None
    lams, vecs = eig
    start = np.asarray(run.trajectory[0], dtype=float)
    hess = surface.hessian(start)
    target = start - np.linalg.solve(hess, surface.gradient(start))
    errors = np.abs((run.trajectory - target) @ vecs)  # (steps + 1, dim)
    excited = errors[0] > 1e-9 * max(float(np.max(errors[0])), 1e-300)
    momentum = spec.params["momentum"] != 0
    if momentum:
        best_lr, best_beta, best_rate = best_momentum(lams)
    else:
        (best_lr, best_rate), best_beta = best_gd(lams), None
    return Rates(
        label=spec.name,
        momentum=momentum,
        lams=tuple(float(v) for v in lams),
        lr=spec.lr,
        beta=float(spec.params["momentum"]),
        predicted=predicted_rate(spec, lams[excited] if excited.any() else lams),
        worst=predicted_rate(spec, lams),
        achieved=achieved_rate(np.linalg.norm(run.trajectory - target, axis=1)),
        best_lr=float(best_lr),
        best_rate=float(best_rate),
        best_beta=best_beta,
        errors=tuple(tuple(float(v) for v in row) for row in errors.T),
    )


def achieved_rate(norms: np.ndarray) -> float | None:
    """The per-step factor over the second half of the errors still above rounding."""
    norms = np.asarray(norms, dtype=float)
    if norms.size < 3 or not np.all(np.isfinite(norms)) or norms[0] == 0:
        return None
    measurable = np.nonzero(norms > 1e-9 * norms[0])[0]
    last = int(measurable[-1]) if measurable.size else 0
    first = last // 2
    if last - first < 2 or norms[first] == 0:
        return None
    steps = np.arange(first, last + 1)
    logs = np.log(np.maximum(norms[first : last + 1], 1e-300))
    slope = float(np.polyfit(steps, logs, 1)[0])  # least squares: oscillations average out
    return float(np.exp(slope))


def best_spec(surface: Surface, spec: OptimizerSpec) -> OptimizerSpec:
    """``--lr best``: the optimal fixed lr (and β for momentum) on a convex quadratic."""
    eig = convex_quadratic_eigen(surface)
    if eig is None:
        raise UsageError(
            "--lr best needs a convex quadratic surface (bowl, ellipse, booth, parabola, "
            "regression or your own), where the Hessian fixes the best rate"
        )
    lams, _ = eig
    p = spec.params
    if spec.kind != "sgd" or p["nesterov"] or p["dampening"] or p["weight_decay"]:
        return spec  # no closed form here: keep the surface's suggested rate
    if p["momentum"] == 0:
        return spec.with_lr(best_gd(lams)[0])
    lr, beta, _ = best_momentum(lams)
    params = {**p, "lr": float(lr)}
    if "momentum" not in spec.explicit:
        params["momentum"] = float(beta)
    return OptimizerSpec(spec.name, spec.kind, params, spec.explicit)
