"""What the maths predicts: step-size stability from the Hessian, and what a point is.

On a quadratic with Hessian H, plain gradient descent multiplies the error along
each eigenvector (eigenvalue λ) by (1 − lr·λ) per step, so it is stable only for
lr < 2/λmax. Heavy-ball momentum β widens that to lr < 2(1 + β)/λmax, Nesterov to
lr < 2(1 + β)/((1 + 2β)·λmax). Elsewhere the same holds locally, from the Hessian at a point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gradtutor.descent.optimizers import OptimizerSpec
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

    @property
    def stable(self) -> bool:
        return self.limit is None or self.lr < self.limit

    @property
    def factor(self) -> float:
        """|1 − lr·λmax|: how much plain GD multiplies the error per step."""
        return abs(1 - self.lr * self.lam_max)

    def message(self) -> str:
        where = "" if self.exact else " near the start"
        if self.limit is None:
            return f"{self.label}: no upward curvature{where} (λmax = {self.lam_max:.4g})"
        verdict = "below it: stable" if self.stable else "above it: each step overshoots, exploding"
        return (
            f"{self.label}: stable{where} only for lr < {self.formula} = {self.limit:.4g} "
            f"(λmax = {self.lam_max:.4g}); lr = {self.lr:g} is {verdict}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "optimizer": self.label,
            "lr": self.lr,
            "lambda_max": self.lam_max,
            "limit": self.limit,
            "stable": self.stable,
        }


def eigenvalues(surface: Surface, point: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(surface.hessian(np.asarray(point, dtype=float)))


def stability(surface: Surface, spec: OptimizerSpec, point: np.ndarray) -> Stability | None:
    """The lr limit for SGD (plain, momentum, Nesterov); None for adaptive optimizers."""
    if spec.kind != "sgd" or spec.params["maximize"]:
        return None
    lam = float(eigenvalues(surface, point).max()) + spec.params["weight_decay"]
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
    return Stability(spec.name, spec.lr, lam, limit, formula, surface.quadratic)


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
        from gradtutor.descent.run import SurfaceScale

        scale = SurfaceScale.of(surface, n=200 if surface.dim == 1 else 96)
        if loss > scale.floor + 1e-3 * scale.spread:
            return "a local minimum (the window holds lower ground)"
        return "a minimum"
    if np.all(lam < -tiny):
        return "a maximum"
    if np.any(lam > tiny) and np.any(lam < -tiny):
        return "a saddle point (Hessian eigenvalues of both signs)"
    return "a degenerate point (the Hessian is singular: the second-derivative test cannot tell)"
