"""The run loop: optimizers walk a surface until a stop reason applies.

Stop reasons (checked at every recorded point, in this order):

* ``diverged``  – the loss or gradient overflowed or became NaN, or the point left the
  window by more than ``FAR`` window-widths: exploding (or, if the loss fell, unbounded below).
* ``converged`` – |∇f| < tol at a point with curvature (a minimum, or a saddle or maximum).
* ``oscillating`` – the run has settled into a 2-cycle, jumping between the same two
  points: at the stability limit (lr = 2/λmax on a quadratic) it never converges.
* ``stalled``   – the gradient has vanished away from any minimum: |∇f| < tol on flat
  ground, or for ``PATIENCE`` steps the slope and the movement were negligible while
  the loss stayed well above the lowest value in the window.
* ``max_steps`` – every step was used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np

from gradtutor.descent.optimizers import OptimizerSpec
from gradtutor.descent.schedules import Schedule
from gradtutor.descent.surfaces import Surface

FAR = 10.0  # window-widths beyond the view that count as "ran away"
PATIENCE = 100  # steps of negligible progress before a run is called stalled
CYCLE = 1e-9  # a 2-cycle: p_k and p_(k−2) closer than this many window diagonals
# "Flat", relative to the surface: crossing the window at this slope (or curving at this
# rate) changes the loss by under FLAT (CURVE) of its spread over the window.
FLAT = 0.05
CURVE = 1.0


class StopReason(StrEnum):
    """Why a run stopped (the strings are what ``--json`` holds; see the module docstring)."""

    DIVERGED = "diverged"
    CONVERGED = "converged"
    OSCILLATING = "oscillating"
    STALLED = "stalled"
    MAX_STEPS = "max_steps"


# The sentence for each stop reason, and for the three ways of diverging.
STOP_DETAILS = {
    "converged": "|∇f| < tol: the slope has vanished at a critical point",
    "oscillating": "at the limit: it oscillates without converging — every step lands back "
    "where the one before last did",
    "max_steps": "used every step before |∇f| fell below the tolerance",
    "exploding": "the learning rate is too large — each step overshoots further: exploding",
    "unbounded": "the loss is unbounded below — the path runs downhill forever",
    "overflow": "the loss overflowed (inf or NaN) — exploding",
    "stalled": "vanishing gradient on a plateau: the slope is too small to make progress",
}


@dataclass(frozen=True)
class SurfaceScale:
    """How big the loss and the window are: used to judge 'flat' and 'far'."""

    floor: float  # the lowest loss known or seen in the window
    spread: float  # a robust range of the loss over the window (95th percentile − min)
    span: float  # the window's diagonal

    @classmethod
    def of(cls, surface: Surface, n: int = 64) -> SurfaceScale:
        axes = [np.linspace(lo, hi, n) for lo, hi in surface.window]
        with np.errstate(all="ignore"):
            grid = np.asarray(surface.value(*np.meshgrid(*axes)), dtype=float)
        values = np.broadcast_to(grid, (n,) * surface.dim)
        values = values[np.isfinite(values)]
        low = float(values.min()) if values.size else 0.0
        if surface.min_value is not None:
            low = min(low, surface.min_value)
        high = float(np.quantile(values, 0.95)) if values.size else 1.0
        span = math.hypot(*(hi - lo for lo, hi in surface.window))
        return cls(floor=low, spread=max(high - low, 1e-12), span=span)


@dataclass(frozen=True, eq=False)
class Run:
    """One optimizer's walk: every point from the start, and why it stopped."""

    spec: OptimizerSpec
    trajectory: np.ndarray  # shape (steps + 1, dim), the start included
    losses: np.ndarray
    grad_norms: np.ndarray
    stop_reason: StopReason
    stop_detail: str

    @property
    def steps(self) -> int:
        return len(self.trajectory) - 1

    @property
    def final(self) -> np.ndarray:
        return self.trajectory[-1]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.spec.to_json(),
            "trajectory": _json_points(self.trajectory),
            "losses": [_json_float(v) for v in self.losses.tolist()],
            "stop_reason": self.stop_reason,
            "stop_detail": self.stop_detail,
            "steps": self.steps,
        }


def _json_points(points: np.ndarray) -> list[list[float | None]]:
    """JSON has no inf or NaN: a point that overflowed is written with nulls."""
    if np.isfinite(points).all():
        return points.tolist()
    return [[_json_float(v) for v in row] for row in points.tolist()]


def _json_float(value: float) -> float | None:
    return value if math.isfinite(value) else None


def run(
    surface: Surface,
    spec: OptimizerSpec,
    start: tuple[float, ...],
    *,
    max_steps: int,
    tol: float,
    scale: SurfaceScale | None = None,
    noise: float = 0.0,
    seed: int = 0,
    schedule: Schedule | None = None,
) -> Run:
    """Run one optimizer from ``start`` for at most ``max_steps`` updates.

    ``noise``: each gradient the optimizer sees gets Gaussian noise of this standard
    deviation per coordinate (seeded, as a minibatch would); the stop tests use the
    true gradient. ``schedule``: the learning rate for step t (torch's lr_scheduler).
    """
    scale = scale or SurfaceScale.of(surface)
    rng = np.random.default_rng(seed) if noise > 0 else None
    dim = surface.dim
    point = np.array(start, dtype=float)
    optimizer = spec.build(dim)
    trajectory = np.empty((max_steps + 1, dim))
    losses = np.empty(max_steps + 1)
    norms = np.empty(max_steps + 1)
    bounds = [(lo - FAR * (hi - lo), hi + FAR * (hi - lo)) for lo, hi in surface.window]
    value, gradient = surface.value, surface.gradient
    reason, detail = StopReason.MAX_STEPS, STOP_DETAILS["max_steps"]
    k = 0
    with np.errstate(all="ignore"):
        while True:
            loss = float(value(*point))
            grad = np.asarray(gradient(point), dtype=float)
            norm = math.sqrt(float(grad @ grad))
            trajectory[k] = point
            losses[k] = loss
            norms[k] = norm
            stop = _stop(surface, scale, point, loss, norm, bounds, losses[0], tol)
            if stop is None and noise == 0 and _cycling(trajectory, k, scale.span):
                stop = StopReason.OSCILLATING, STOP_DETAILS["oscillating"]
            if stop is None and k >= PATIENCE and k % 10 == 0:
                stop = _stalled(surface, scale, trajectory, losses, norms, k)
            if stop is not None:
                reason, detail = stop
                break
            if k == max_steps:
                break
            if schedule is not None:
                optimizer.lr = schedule.lr(spec.lr, k)
            if rng is not None:
                grad = grad + noise * rng.standard_normal(dim)
            optimizer.step(point, grad)
            k += 1
    n = k + 1
    return Run(spec, trajectory[:n].copy(), losses[:n].copy(), norms[:n].copy(), reason, detail)


def _stop(
    surface: Surface,
    scale: SurfaceScale,
    point: np.ndarray,
    loss: float,
    norm: float,
    bounds: list[tuple[float, float]],
    first_loss: float,
    tol: float,
) -> tuple[StopReason, str] | None:
    if not (math.isfinite(loss) and math.isfinite(norm)):
        if loss == -math.inf:
            return StopReason.DIVERGED, STOP_DETAILS["unbounded"]
        return StopReason.DIVERGED, STOP_DETAILS["overflow"]
    for coord, (lo, hi) in zip(point, bounds, strict=True):
        if not lo <= coord <= hi:
            key = "unbounded" if loss < first_loss else "exploding"
            return StopReason.DIVERGED, STOP_DETAILS[key]
    if norm < tol:
        if _curving(surface, scale, point) or loss - scale.floor <= FLAT * scale.spread:
            return StopReason.CONVERGED, STOP_DETAILS["converged"]
        return StopReason.STALLED, STOP_DETAILS["stalled"]
    return None


def _cycling(trajectory: np.ndarray, k: int, span: float) -> bool:
    """Two steps running, the point came back to where it was two steps before, having moved."""
    if k < 3:
        return False
    close = CYCLE * span
    now, before = trajectory[k], trajectory[k - 2]
    if any(abs(float(a) - float(b)) > close for a, b in zip(now, before, strict=True)):
        return False  # the common case, decided without numpy's overhead
    moved = np.linalg.norm(trajectory[k] - trajectory[k - 1]) > 1e3 * close
    return bool(
        moved
        and np.linalg.norm(trajectory[k] - trajectory[k - 2]) <= close
        and np.linalg.norm(trajectory[k - 1] - trajectory[k - 3]) <= close
    )


def _curving(surface: Surface, scale: SurfaceScale, point: np.ndarray) -> bool:
    """Is the surface bent here (a minimum, saddle or maximum) rather than flat?"""
    curvature = float(np.max(np.abs(np.linalg.eigvalsh(surface.hessian(point)))))
    return curvature * scale.span**2 >= CURVE * scale.spread


def _stalled(
    surface: Surface,
    scale: SurfaceScale,
    trajectory: np.ndarray,
    losses: np.ndarray,
    norms: np.ndarray,
    k: int,
) -> tuple[StopReason, str] | None:
    """No progress for PATIENCE steps on ground that is flat and well above the floor."""
    if losses[k] - scale.floor <= FLAT * scale.spread:
        return None
    if float(norms[k - PATIENCE : k + 1].max()) * scale.span >= FLAT * scale.spread:
        return None
    moved = float(np.linalg.norm(trajectory[k] - trajectory[k - PATIENCE]))
    if moved >= FLAT * scale.span or _curving(surface, scale, trajectory[k]):
        return None
    return StopReason.STALLED, STOP_DETAILS["stalled"]


@dataclass(frozen=True, eq=False)
class Race:
    """Several optimizers from one start on one surface."""

    surface: Surface
    start: tuple[float, ...]
    runs: tuple[Run, ...]
    max_steps: int
    tol: float
    view_from: tuple[tuple[float, float], ...] | None = None  # the window before widening
    noise: float = 0.0
    seed: int = 0
    schedule: Schedule | None = None

    @cached_property
    def scale(self) -> SurfaceScale:
        return SurfaceScale.of(self.surface)

    def ranking(self) -> list[tuple[int, Run]]:
        """Best first: the lowest loss reached (equal within a hair count as a tie), then
        converged before not, then fewest steps; diverged runs last."""
        same = 1e-6 * self.scale.spread

        def loss(r: Run) -> float:
            value = float(r.losses[-1])
            return (
                value if math.isfinite(value) and r.stop_reason != StopReason.DIVERGED else math.inf
            )

        ordered = sorted(enumerate(self.runs), key=lambda item: loss(item[1]))
        groups: list[list[tuple[int, Run]]] = []
        for item in ordered:
            here, there = loss(item[1]), loss(groups[-1][0][1]) if groups else math.nan
            if groups and (abs(here - there) <= same or here == math.inf == there):
                groups[-1].append(item)
            else:
                groups.append([item])
        out: list[tuple[int, Run]] = []
        for group in groups:
            out.extend(sorted(group, key=_speed))
        return out

    def tied(self, a: Run, b: Run) -> bool:
        """Did two runs reach the same loss (within a millionth of the surface's spread)?"""
        same = 1e-6 * self.scale.spread
        return abs(float(a.losses[-1]) - float(b.losses[-1])) <= same

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "surface": self.surface.to_json(),
            "start": list(self.start),
            "window": [list(w) for w in self.surface.window],
            "max_steps": self.max_steps,
            "tol": self.tol,
            "runs": [r.to_json() for r in self.runs],
        }
        if self.view_from is not None:
            out["widened_from"] = [list(w) for w in self.view_from]
        out["noise"] = self.noise
        out["seed"] = self.seed
        out["schedule"] = self.schedule.text if self.schedule is not None else None
        return out


def _speed(item: tuple[int, Run]) -> tuple[bool, int]:
    return item[1].stop_reason != StopReason.CONVERGED, item[1].steps


def race(
    surface: Surface,
    specs: list[OptimizerSpec],
    start: tuple[float, ...],
    *,
    max_steps: int,
    tol: float,
    noise: float = 0.0,
    seed: int = 0,
    schedule: Schedule | None = None,
) -> Race:
    """Run every optimizer from ``start``; a start outside the view widens the view to it
    (a start is never "diverged" before its first step)."""
    view_from = None
    if not surface.in_window(np.asarray(start, dtype=float)):
        view_from = surface.window
        surface = widen_to(surface, start)
    scale = SurfaceScale.of(surface)
    runs = tuple(
        run(
            surface,
            s,
            start,
            max_steps=max_steps,
            tol=tol,
            scale=scale,
            noise=noise,
            seed=seed,
            schedule=schedule,
        )
        for s in specs
    )
    return Race(surface, tuple(start), runs, max_steps, tol, view_from, noise, seed, schedule)


def widen_to(surface: Surface, point: tuple[float, ...]) -> Surface:
    """The surface with its window stretched to hold ``point`` (plus a tenth for margin)."""
    from dataclasses import replace

    window = []
    for coord, (lo, hi) in zip(point, surface.window, strict=True):
        new_lo, new_hi = min(lo, coord), max(hi, coord)
        pad = 0.1 * (new_hi - new_lo)
        window.append((new_lo - pad if coord < lo else lo, new_hi + pad if coord > hi else hi))
    return replace(surface, window=tuple(window))
