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

from dataclasses import dataclass
from typing import Any

import numpy as np

from gradtutor.descent.optimizers import OptimizerSpec
from gradtutor.descent.run import CURVE, SurfaceScale
from gradtutor.descent.surfaces import Surface


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


def classify(surface: Surface, point: np.ndarray, loss: float) -> str:
    """Name a critical point from the Hessian's eigenvalues (and the known minimum)."""
    lam = eigenvalues(surface, point)
    scale = max(1.0, float(np.max(np.abs(lam))))
    tiny = 1e-6 * scale
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
