"""Optimizers in numpy with PyTorch's parameter names, defaults and update equations.

Each ``step`` mirrors the single-tensor code path of ``torch.optim`` (float64) in
the same order of operations, so a trajectory matches torch on the same function,
start and settings. Notable details kept on purpose:

* SGD's first momentum step stores a plain copy of the gradient (no dampening).
* Adam/AdamW add ε *after* bias correction: denom = √v / √(1 − β₂ᵗ) + ε.
* AdamW decays the weights first: θ ← θ(1 − lr·λ).
* RMSprop's momentum buffer starts at zero; Adagrad's lr decays as lr / (1 + (t − 1)·lr_decay).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradtutor.errors import GradtutorError

# PyTorch's defaults, in PyTorch's argument order.
DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": {
        "lr": 1e-3,
        "momentum": 0.0,
        "dampening": 0.0,
        "weight_decay": 0.0,
        "nesterov": False,
        "maximize": False,
    },
    "adagrad": {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
        "maximize": False,
    },
    "rmsprop": {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
        "maximize": False,
    },
    "adam": {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
        "maximize": False,
    },
    "adamw": {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 1e-2,
        "amsgrad": False,
        "maximize": False,
    },
}

# Named presets: (torch class, overrides of its defaults).
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "gd": ("sgd", {}),
    "sgd": ("sgd", {}),
    "momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("adagrad", {}),
    "rmsprop": ("rmsprop", {}),
    "adam": ("adam", {}),
    "amsgrad": ("adam", {"amsgrad": True}),
    "adamw": ("adamw", {}),
}


class OptimizerError(GradtutorError, ValueError):
    """A bad optimizer name or parameter; the message quotes the bad value."""


@dataclass(frozen=True)
class OptimizerSpec:
    """Which optimizer and with which settings (complete: every torch parameter)."""

    name: str  # as the learner typed it: "momentum", "adam", ...
    kind: str  # the torch class: "sgd", "adagrad", "rmsprop", "adam", "adamw"
    params: dict[str, Any] = field(hash=False)
    explicit: frozenset[str] = frozenset()  # parameters the learner set

    @property
    def lr(self) -> float:
        return float(self.params["lr"])

    def with_lr(self, lr: float) -> OptimizerSpec:
        return OptimizerSpec(self.name, self.kind, {**self.params, "lr": lr}, self.explicit)

    def build(self, dim: int) -> Optimizer:
        return _CLASSES[self.kind](dim, **self.params)

    def to_json(self) -> dict[str, Any]:
        return {"optimizer": self.kind, "label": self.name, "params": params_json(self.params)}

    def to_arg(self) -> str:
        """The ``--optimizer`` value that rebuilds exactly this spec (lr always written)."""
        kind, preset = PRESETS[self.name]
        base = {**DEFAULTS[kind], **preset}
        return f"{self.name}:" + ",".join(
            f"{key}={_format_value(value)}"
            for key, value in self.params.items()
            if key == "lr" or value != base[key]
        )


def params_json(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "/".join(repr(float(v)) for v in value)
    return repr(float(value))


def parse_optimizer(text: str) -> OptimizerSpec:
    """Parse ``NAME`` or ``NAME:key=value,key=value`` (betas as ``0.9/0.999``)."""
    name, _, rest = text.strip().partition(":")
    name = name.strip().lower()
    if name not in PRESETS:
        known = ", ".join(PRESETS)
        raise OptimizerError(f"unknown optimizer {name!r}; choose one of {known}")
    kind, preset = PRESETS[name]
    params = {**DEFAULTS[kind], **preset}
    explicit: set[str] = set()
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, raw = item.partition("=")
        key = key.strip()
        if not eq:
            raise OptimizerError(f"expected key=value in {item!r} (optimizer {text!r})")
        if key not in params:
            known = ", ".join(params)
            raise OptimizerError(f"{kind} has no parameter {key!r}; its parameters are {known}")
        params[key] = _parse_value(key, raw.strip(), params[key])
        explicit.add(key)
    validate(kind, params)
    return OptimizerSpec(name, kind, params, frozenset(explicit))


def _parse_value(key: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("true", "1", "yes"):
            return True
        if raw.lower() in ("false", "0", "no"):
            return False
        raise OptimizerError(f"{key} must be true or false, not {raw!r}")
    try:
        if isinstance(default, tuple):
            parts = tuple(float(p) for p in raw.split("/"))
            if len(parts) != 2:
                raise ValueError
            return parts
        value = float(raw)
    except ValueError:
        shape = "two numbers like 0.9/0.999" if isinstance(default, tuple) else "a number"
        raise OptimizerError(f"{key} must be {shape}, not {raw!r}") from None
    if not math.isfinite(value):
        raise OptimizerError(f"{key} must be finite, not {raw!r}")
    return value


def validate(kind: str, p: dict[str, Any]) -> None:
    """The same checks (and bounds) as torch's constructors."""
    if not p["lr"] >= 0.0:
        raise OptimizerError(f"invalid learning rate: lr={p['lr']} (must be >= 0)")
    if "eps" in p and not p["eps"] >= 0.0:
        raise OptimizerError(f"invalid epsilon value: eps={p['eps']}")
    if not p["weight_decay"] >= 0.0:
        raise OptimizerError(f"invalid weight_decay value: {p['weight_decay']}")
    if "momentum" in p and not p["momentum"] >= 0.0:
        raise OptimizerError(f"invalid momentum value: {p['momentum']}")
    if "betas" in p:
        for i, beta in enumerate(p["betas"]):
            if not 0.0 <= beta < 1.0:
                raise OptimizerError(f"invalid beta parameter at index {i}: {beta} (0 <= beta < 1)")
    if kind == "sgd" and p["nesterov"] and (p["momentum"] <= 0 or p["dampening"] != 0):
        raise OptimizerError("Nesterov momentum requires a momentum > 0 and zero dampening")
    if kind == "rmsprop" and not p["alpha"] >= 0.0:
        raise OptimizerError(f"invalid alpha value: {p['alpha']}")
    if kind == "adagrad":
        if not p["lr_decay"] >= 0.0:
            raise OptimizerError(f"invalid lr_decay value: {p['lr_decay']}")
        if not p["initial_accumulator_value"] >= 0.0:
            raise OptimizerError(
                f"invalid initial_accumulator_value: {p['initial_accumulator_value']}"
            )


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """In place, as torch's ``lerp_``: start + w(end − start), or end − (end − start)(1 − w)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[:] = end - (end - start) * (1 - weight)


class Optimizer:
    """Base: holds the state for one parameter vector; ``step`` updates it in place."""

    lr: float

    def step(self, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """v ← μv + (1 − τ)g (v₁ = g);  θ ← θ − lr·(g + μv if nesterov else v)."""

    def __init__(
        self,
        dim: int,
        *,
        lr: float,
        momentum: float,
        dampening: float,
        weight_decay: float,
        nesterov: bool,
        maximize: bool,
    ) -> None:
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov, self.maximize = weight_decay, nesterov, maximize
        self.buf: np.ndarray | None = None

    def step(self, param: np.ndarray, grad: np.ndarray) -> None:
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * param
        if self.momentum != 0:
            if self.buf is None:
                self.buf = g.copy()
            else:
                self.buf *= self.momentum
                self.buf += (1 - self.dampening) * g
            g = g + self.momentum * self.buf if self.nesterov else self.buf
        param += -self.lr * g


class Adagrad(Optimizer):
    """s ← s + g²;  θ ← θ − lr/(1 + (t−1)·lr_decay) · g / (√s + ε)."""

    def __init__(
        self,
        dim: int,
        *,
        lr: float,
        lr_decay: float,
        weight_decay: float,
        initial_accumulator_value: float,
        eps: float,
        maximize: bool,
    ) -> None:
        self.lr, self.lr_decay, self.weight_decay = lr, lr_decay, weight_decay
        self.eps, self.maximize = eps, maximize
        self.sum = np.full(dim, float(initial_accumulator_value))
        self.t = 0

    def step(self, param: np.ndarray, grad: np.ndarray) -> None:
        self.t += 1
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * param
        clr = self.lr / (1 + (self.t - 1) * self.lr_decay)
        self.sum += g * g
        std = np.sqrt(self.sum) + self.eps
        param += (-clr * g) / std


class RMSprop(Optimizer):
    """v ← αv + (1−α)g²;  θ ← θ − lr·g/(√(v − ḡ²) + ε), with an optional momentum buffer."""

    def __init__(
        self,
        dim: int,
        *,
        lr: float,
        alpha: float,
        eps: float,
        weight_decay: float,
        momentum: float,
        centered: bool,
        maximize: bool,
    ) -> None:
        self.lr, self.alpha, self.eps, self.weight_decay = lr, alpha, eps, weight_decay
        self.momentum, self.centered, self.maximize = momentum, centered, maximize
        self.square_avg = np.zeros(dim)
        self.grad_avg = np.zeros(dim)
        self.buf = np.zeros(dim)

    def step(self, param: np.ndarray, grad: np.ndarray) -> None:
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * param
        self.square_avg *= self.alpha
        self.square_avg += (1 - self.alpha) * g * g
        if self.centered:
            _lerp(self.grad_avg, g, 1 - self.alpha)
            avg = np.sqrt(self.square_avg + -1 * self.grad_avg * self.grad_avg)
        else:
            avg = np.sqrt(self.square_avg)
        avg += self.eps
        if self.momentum > 0:
            self.buf *= self.momentum
            self.buf += g / avg
            param += -self.lr * self.buf
        else:
            param += (-self.lr * g) / avg


class Adam(Optimizer):
    """m ← lerp(m, g, 1−β₁); v ← β₂v + (1−β₂)g²; θ ← θ − lr/(1−β₁ᵗ)·m/(√v/√(1−β₂ᵗ) + ε)."""

    decoupled = False

    def __init__(
        self,
        dim: int,
        *,
        lr: float,
        betas: tuple[float, float],
        eps: float,
        weight_decay: float,
        amsgrad: bool,
        maximize: bool,
    ) -> None:
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.weight_decay, self.amsgrad, self.maximize = weight_decay, amsgrad, maximize
        self.exp_avg = np.zeros(dim)
        self.exp_avg_sq = np.zeros(dim)
        self.max_exp_avg_sq = np.zeros(dim)
        self.t = 0

    def step(self, param: np.ndarray, grad: np.ndarray) -> None:
        self.t += 1
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            if self.decoupled:
                param *= 1 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * param
        m, v = self.exp_avg, self.exp_avg_sq
        _lerp(m, g, 1 - self.beta1)
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        bias_correction1 = 1 - self.beta1**self.t
        bias_correction2 = 1 - self.beta2**self.t
        step_size = self.lr / bias_correction1
        bias_correction2_sqrt = math.sqrt(bias_correction2)
        if self.amsgrad:
            np.maximum(self.max_exp_avg_sq, v, out=self.max_exp_avg_sq)
            v = self.max_exp_avg_sq
        denom = np.sqrt(v) / bias_correction2_sqrt + self.eps
        param += (-step_size * m) / denom


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ(1 − lr·λ) before the Adam step."""

    decoupled = True


# Each class takes (dim, **its own torch parameters): the keys of DEFAULTS[kind].
_CLASSES: dict[str, Callable[..., Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}
