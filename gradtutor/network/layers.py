"""A small multilayer network with numbers: forward and backward layer by layer, with shapes.

Conventions (column-per-example, as in the notes): ``x`` is n₀×N for a batch of N;
layer l has ``W`` of shape nₗ×nₗ₋₁ and ``b`` nₗ×1;
``z = W a + b``, ``a = act(z)`` in hidden layers; the output layer is linear for ``mse``,
a sigmoid for ``bce`` and a softmax for ``softmax-ce``. The loss ``L`` is the batch mean of
the per-example loss ℓ; ``δ = ∂ℓ/∂z`` (one column per example), ``∂L/∂W = mean δ·aᵀ``,
``∂L/∂b = mean δ``, ``∂ℓ/∂a_prev = Wᵀδ``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradtutor.errors import GradtutorError

MAX_WIDTH = 64
MAX_LAYERS = 200
MAX_BATCH = 256
ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = ("mse", "bce", "softmax-ce")


class NetError(GradtutorError, ValueError):
    """The network asked for cannot be built (a message for the learner)."""


@dataclass(frozen=True)
class NetSpec:
    sizes: tuple[int, ...]
    activation: str = "sigmoid"
    loss: str = "mse"
    seed: int = 0
    batch: int = 1


def parse_sizes(text: str) -> tuple[int, ...]:
    """``2-3-1`` → (2, 3, 1), within the caps (NetError otherwise)."""
    parts = text.replace("x", "-").replace(",", "-").split("-")
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise NetError(f"--net {text!r}: give layer widths like 2-3-1") from None
    if len(sizes) < 2:
        raise NetError(f"--net {text!r}: give at least an input and an output width, like 2-1")
    if any(s < 1 for s in sizes):
        raise NetError(f"--net {text!r}: every width must be at least 1")
    if max(sizes) > MAX_WIDTH:
        raise NetError(f"--net {text!r}: widths up to {MAX_WIDTH} (too big to teach with)")
    if len(sizes) - 1 > MAX_LAYERS:
        raise NetError(f"--net {text!r}: up to {MAX_LAYERS} layers")
    return sizes


def check_spec(spec: NetSpec) -> None:
    if spec.activation not in ACTIVATIONS:
        raise NetError(f"--activation {spec.activation}: choose {', '.join(ACTIVATIONS)}")
    if spec.loss not in LOSSES:
        raise NetError(f"--loss {spec.loss}: choose {', '.join(LOSSES)}")
    if not 1 <= spec.batch <= MAX_BATCH:
        raise NetError(f"--batch {spec.batch}: from 1 to {MAX_BATCH}")
    if spec.loss == "softmax-ce" and spec.sizes[-1] < 2:
        raise NetError("softmax-ce needs at least 2 outputs (classes), like 2-3-3")


@dataclass(frozen=True)
class Layer:
    """One layer's numbers (numpy arrays)."""

    W: Any
    b: Any
    z: Any
    a: Any
    delta: Any  # ∂ℓ/∂z, nₗ×N
    dW: Any  # ∂L/∂W = mean δ·a_prevᵀ
    db: Any  # ∂L/∂b = mean δ
    da_prev: Any  # ∂ℓ/∂a_prev = Wᵀδ, nₗ₋₁×N


@dataclass(frozen=True)
class NetResult:
    spec: NetSpec
    x: Any
    y: Any
    layers: tuple[Layer, ...]
    loss: float

    @property
    def output(self) -> Any:
        return self.layers[-1].a

    def to_json(self) -> dict[str, Any]:
        def m(array: Any) -> list[list[float]]:
            return [[float(v) for v in row] for row in array]

        return {
            "net": "-".join(str(s) for s in self.spec.sizes),
            "activation": self.spec.activation,
            "loss": self.spec.loss,
            "seed": self.spec.seed,
            "batch": self.spec.batch,
            "x": m(self.x),
            "y": m(self.y),
            "loss_value": float(self.loss),
            "layers": [
                {
                    "layer": i + 1,
                    "shapes": {
                        "W": list(layer.W.shape),
                        "b": list(layer.b.shape),
                        "z": list(layer.z.shape),
                    },
                    "W": m(layer.W),
                    "b": m(layer.b),
                    "z": m(layer.z),
                    "a": m(layer.a),
                    "delta": m(layer.delta),
                    "dW": m(layer.dW),
                    "db": m(layer.db),
                }
                for i, layer in enumerate(self.layers)
            ],
        }


def make_params(spec: NetSpec) -> tuple[list[Any], list[Any], Any, Any]:
    """Weights (scaled 1/√nₗ₋₁), zero-mean biases, a batch x and targets y, all from the seed."""
    import numpy as np

    check_spec(spec)
    rng = np.random.default_rng(spec.seed)
    weights, biases = [], []
    for n_in, n_out in zip(spec.sizes[:-1], spec.sizes[1:], strict=True):
        weights.append(np.round(rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in)), 2))
        biases.append(np.round(rng.normal(0, 0.1, (n_out, 1)), 2))
    n_in, n_out, n = spec.sizes[0], spec.sizes[-1], spec.batch
    x = np.round(rng.normal(0, 1, (n_in, n)), 1)
    if spec.loss == "mse":
        y = np.round(rng.normal(0, 1, (n_out, n)), 1)
    elif spec.loss == "bce":
        y = rng.integers(0, 2, (n_out, n)).astype(float)
    else:
        y = np.zeros((n_out, n))
        y[rng.integers(0, n_out, n), np.arange(n)] = 1.0
    return weights, biases, x, y


def _act(name: str, z: Any) -> Any:
    import numpy as np

    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    return z  # linear


def _act_grad(name: str, z: Any, a: Any) -> Any:
    """act′(z): σ(z)(1 − σ(z)) = a(1 − a); 1 − tanh(z)² = 1 − a²; relu′ = [z > 0]; 1."""
    import numpy as np

    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def output_activation(loss: str) -> str:
    return {"mse": "linear", "bce": "sigmoid", "softmax-ce": "softmax"}[loss]


def _softmax(z: Any) -> Any:
    import numpy as np

    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def per_example_loss(loss: str, p: Any, y: Any) -> Any:
    """ℓ for each example (a row of N numbers)."""
    import numpy as np

    if loss == "mse":
        return ((p - y) ** 2).sum(axis=0)
    if loss == "bce":
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=0)
    return -(y * np.log(p)).sum(axis=0)


def output_delta(loss: str, p: Any, y: Any) -> Any:
    """δ = ∂ℓ/∂z at the output: 2(ŷ − y) for mse (linear output); p − y for bce (sigmoid)
    and for softmax with cross-entropy — the softmax Jacobian times −y/p collapses to p − y."""
    if loss == "mse":
        return 2 * (p - y)
    return p - y


def forward_backward(
    spec: NetSpec, weights: list[Any], biases: list[Any], x: Any, y: Any
) -> NetResult:
    """One forward and one backward pass over the batch."""
    zs, activations = [], [x]
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = w @ activations[-1] + b
        if i < last:
            a = _act(spec.activation, z)
        elif spec.loss == "softmax-ce":
            a = _softmax(z)
        elif spec.loss == "bce":
            a = _act("sigmoid", z)
        else:
            a = z
        zs.append(z)
        activations.append(a)
    n = x.shape[1]
    loss = float(per_example_loss(spec.loss, activations[-1], y).mean())
    delta = output_delta(spec.loss, activations[-1], y)
    layers: list[Layer] = []
    for i in range(last, -1, -1):
        a_prev = activations[i]
        dW = delta @ a_prev.T / n
        db = delta.mean(axis=1, keepdims=True)
        da_prev = weights[i].T @ delta
        layers.append(
            Layer(weights[i], biases[i], zs[i], activations[i + 1], delta, dW, db, da_prev)
        )
        if i > 0:
            delta = da_prev * _act_grad(spec.activation, zs[i - 1], activations[i])
    return NetResult(spec=spec, x=x, y=y, layers=tuple(reversed(layers)), loss=loss)


def run_net(spec: NetSpec) -> NetResult:
    weights, biases, x, y = make_params(spec)
    return forward_backward(spec, weights, biases, x, y)


def loss_at(spec: NetSpec, weights: list[Any], biases: list[Any], x: Any, y: Any) -> float:
    """L for given parameters (for finite differences)."""
    return forward_backward(spec, weights, biases, x, y).loss


def finite_difference_check(result: NetResult, h: float = 1e-6) -> float:
    """Largest |backprop − numeric| / max(|backprop|, |numeric|, 10⁻³) over all parameters
    (the floor keeps float64 rounding in tiny gradients from reading as a large error)."""
    weights = [layer.W.copy() for layer in result.layers]
    biases = [layer.b.copy() for layer in result.layers]
    worst = 0.0
    for i, layer in enumerate(result.layers):
        for params, grads in ((weights[i], layer.dW), (biases[i], layer.db)):
            for index in zip(*[axis.flat for axis in _indices(params.shape)], strict=True):
                old = params[index]
                params[index] = old + h
                up = loss_at(result.spec, weights, biases, result.x, result.y)
                params[index] = old - h
                down = loss_at(result.spec, weights, biases, result.x, result.y)
                params[index] = old
                numeric = (up - down) / (2 * h)
                analytic = grads[index]
                scale = max(abs(numeric), abs(analytic), 1e-3)
                worst = max(worst, abs(numeric - analytic) / scale)
    return worst


def _indices(shape: tuple[int, ...]) -> Any:
    import numpy as np

    return np.indices(shape)
