"""Vanishing and exploding gradients through depth: the true |∂L/∂aₗ| of one chain, layer by layer.

A chain of N layers ``aₗ = act(Wₗ aₗ₋₁)`` (no biases). With ``weight`` every layer is the
scalar w (width 1) and ``L = a_N``; with ``init`` every layer is a width×width matrix drawn
from the seed (xavier: σ = √(1/n), he: σ = √(2/n), normal:σ) and ``L = Σ a_N``. The numbers
are the gradients of that chain at that input — not a bound — so a learner sees each sigmoid
layer multiply by σ′(z)·w ≤ w/4, ReLU with He hold, and a linear chain with |w| > 1 explode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gradtutor.errors import GradtutorError

MAX_DEPTH = 200
MAX_WIDTH = 64
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")


class DeepError(GradtutorError, ValueError):
    """The chain asked for cannot be built (a message for the learner)."""


@dataclass(frozen=True)
class DeepSpec:
    depth: int
    activation: str = "sigmoid"
    weight: float | None = None
    init: str | None = None
    width: int = 16
    seed: int = 0
    x: float = 1.0


@dataclass(frozen=True)
class DeepLayer:
    layer: int  # l = 0 … N (0 is the input)
    grad_norm: float  # |∂L/∂aₗ| (the Euclidean norm for a vector)
    value_norm: float  # |aₗ|
    factor: float | None  # |∂L/∂aₗ₋₁| / |∂L/∂aₗ|, for l ≥ 1 (None where ∂L/∂aₗ = 0)


@dataclass(frozen=True)
class DeepResult:
    spec: DeepSpec
    sigma: float | None  # the init's standard deviation
    layers: tuple[DeepLayer, ...]  # l = N down to 0

    @property
    def overall(self) -> float | None:
        """|∂L/∂a₀| / |∂L/∂a_N|."""
        top, bottom = self.layers[0].grad_norm, self.layers[-1].grad_norm
        return None if top == 0 else bottom / top

    def to_json(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "depth": spec.depth,
            "activation": spec.activation,
            "weight": spec.weight,
            "init": spec.init,
            "sigma": self.sigma,
            "width": 1 if spec.weight is not None else spec.width,
            "seed": spec.seed,
            "layers": [
                {
                    "layer": d.layer,
                    "grad_norm": d.grad_norm,
                    "value_norm": d.value_norm,
                    "factor": d.factor,
                }
                for d in self.layers
            ],
            "overall": self.overall,
        }


def init_sigma(init: str, width: int) -> float:
    """xavier → √(1/n) (fan-in = fan-out = n), he → √(2/n), normal:σ → σ."""
    if init == "xavier":
        return math.sqrt(1 / width)
    if init == "he":
        return math.sqrt(2 / width)
    if init.startswith("normal:"):
        try:
            sigma = float(init.split(":", 1)[1])
        except ValueError:
            raise DeepError(
                f"--init {init}: give a number after normal:, like normal:0.5"
            ) from None
        if not (math.isfinite(sigma) and sigma > 0):
            raise DeepError(f"--init {init}: σ must be a positive number")
        return sigma
    raise DeepError(f"--init {init}: choose xavier, he or normal:σ")


def check(spec: DeepSpec) -> None:
    if not 1 <= spec.depth <= MAX_DEPTH:
        raise DeepError(f"--deep {spec.depth}: from 1 to {MAX_DEPTH} layers")
    if spec.activation not in ACTIVATIONS:
        raise DeepError(f"--activation {spec.activation}: choose {', '.join(ACTIVATIONS)}")
    if spec.weight is not None and spec.init is not None:
        raise DeepError("give --weight or --init, not both")
    if spec.weight is not None and not math.isfinite(spec.weight):
        raise DeepError(f"--weight {spec.weight}: give a finite number")
    if not 1 <= spec.width <= MAX_WIDTH:
        raise DeepError(f"--width {spec.width}: from 1 to {MAX_WIDTH}")


def _act(name: str, z: Any) -> tuple[Any, Any]:
    """(act(z), act′(z)) elementwise."""
    import numpy as np

    if name == "sigmoid":
        a = 1 / (1 + np.exp(-z))
        return a, a * (1 - a)
    if name == "tanh":
        a = np.tanh(z)
        return a, 1 - a * a
    if name == "relu":
        return np.maximum(z, 0), (z > 0).astype(float)
    return z, np.ones_like(z)


def run_deep(spec: DeepSpec) -> DeepResult:
    """Forward through the chain, then backward, keeping |∂L/∂aₗ| at every layer."""
    import numpy as np

    check(spec)
    weight = spec.weight if spec.weight is not None or spec.init is not None else 1.0
    if spec.init is None:
        weights = [np.array([[weight]]) for _ in range(spec.depth)]
        a = np.array([spec.x])
        sigma = None
    else:
        sigma = init_sigma(spec.init, spec.width)
        rng = np.random.default_rng(spec.seed)
        weights = [rng.normal(0, sigma, (spec.width, spec.width)) for _ in range(spec.depth)]
        a = rng.normal(0, 1, spec.width)
    activations, slopes = [a], []
    with np.errstate(over="ignore", invalid="ignore"):
        for w in weights:
            a, slope = _act(spec.activation, w @ a)
            activations.append(a)
            slopes.append(slope)
        grad = np.ones_like(activations[-1])
        norms = [float(np.linalg.norm(grad))]
        for w, slope in zip(reversed(weights), reversed(slopes), strict=True):
            grad = w.T @ (grad * slope)
            norms.append(float(np.linalg.norm(grad)))
        values = [float(np.linalg.norm(v)) for v in reversed(activations)]
    layers = []
    for i, norm in enumerate(norms):
        layer = spec.depth - i
        factor = None
        if i > 0 and norms[i - 1] != 0 and math.isfinite(norms[i - 1]):
            factor = norm / norms[i - 1]
        layers.append(DeepLayer(layer, norm, values[i], factor))
    if not all(math.isfinite(d.grad_norm) for d in layers):
        raise DeepError("the gradient overflows float64 in this chain; use fewer layers")
    return DeepResult(spec, sigma, tuple(layers))
