"""Learning-rate schedules, as torch.optim.lr_scheduler defines them (closed forms).

Step t is the number of updates already made (torch's ``last_epoch`` when the
scheduler is stepped once per update), lr₀ the optimizer's learning rate:

* ``step:k=K,gamma=G``  StepLR:           lr_t = lr₀ · G^⌊t/K⌋
* ``exp:gamma=G``       ExponentialLR:    lr_t = lr₀ · G^t
* ``cosine[:T_max=T,eta_min=E]``  CosineAnnealingLR:
  lr_t = E + (lr₀ − E)(1 + cos(π·t/T))/2   (T defaults to the run's --steps)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from gradtutor.errors import GradtutorError


class ScheduleError(GradtutorError, ValueError):
    """A schedule that cannot be read; the message quotes it."""


_KINDS: dict[str, dict[str, float | None]] = {
    "step": {"step_size": None, "gamma": 0.1},
    "exp": {"gamma": None},
    "cosine": {"T_max": None, "eta_min": 0.0},
}
_ALIASES = {"k": "step_size", "t_max": "T_max"}
_NAMES = {"steplr": "step", "exponential": "exp", "exponentiallr": "exp", "cos": "cosine"}


@dataclass(frozen=True)
class Schedule:
    """lr as a function of the step; ``text`` rebuilds it on the command line."""

    kind: str
    params: dict[str, float] = field(hash=False)
    text: str = ""

    def lr(self, lr0: float, t: int) -> float:
        p = self.params
        if self.kind == "step":
            return lr0 * p["gamma"] ** (t // int(p["step_size"]))
        if self.kind == "exp":
            return lr0 * p["gamma"] ** t
        eta_min, t_max = p["eta_min"], p["T_max"]
        return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.params}


def parse_schedule(text: str, *, max_steps: int) -> Schedule:
    """``step:k=100,gamma=0.5`` | ``exp:gamma=0.99`` | ``cosine`` (T_max = max_steps)."""
    name, _, rest = text.strip().partition(":")
    kind = _NAMES.get(name.strip().lower(), name.strip().lower())
    if kind not in _KINDS:
        raise ScheduleError(
            f"unknown schedule {name!r}; use step:k=K,gamma=G, exp:gamma=G or cosine"
        )
    params = dict(_KINDS[kind])
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, raw = item.partition("=")
        key = _ALIASES.get(key.strip().lower(), key.strip())
        if not eq or key not in params:
            known = ", ".join(params)
            raise ScheduleError(f"{kind} schedule takes {known}, not {item!r}")
        try:
            value = float(raw)
        except ValueError:
            raise ScheduleError(f"{key} must be a number, not {raw.strip()!r}") from None
        if not math.isfinite(value):
            raise ScheduleError(f"{key} must be finite, not {raw.strip()!r}")
        params[key] = value
    if kind == "cosine" and params["T_max"] is None:
        params["T_max"] = float(max_steps)
    missing = [key for key, value in params.items() if value is None]
    if missing:
        needs = ", ".join(missing)
        raise ScheduleError(f"the {kind} schedule needs {needs} (e.g. {_example(kind)})")
    _check(kind, params)
    shown = ",".join(f"{'k' if k == 'step_size' else k}={v:g}" for k, v in params.items())
    values = {k: float(v) for k, v in params.items() if v is not None}
    return Schedule(kind, values, f"{kind}:{shown}")


def _example(kind: str) -> str:
    return {"step": "step:k=100,gamma=0.5", "exp": "exp:gamma=0.99"}.get(kind, "cosine")


def _check(kind: str, params: dict[str, float | None]) -> None:
    gamma = params.get("gamma")
    if gamma is not None and not gamma > 0:
        raise ScheduleError(f"gamma must be positive, not {gamma:g}")
    step = params.get("step_size")
    if step is not None and (step < 1 or step != int(step)):
        raise ScheduleError(f"k (step_size) must be a whole number ≥ 1, not {step:g}")
    t_max = params.get("T_max")
    if t_max is not None and not t_max > 0:
        raise ScheduleError(f"T_max must be positive, not {t_max:g}")
    eta = params.get("eta_min")
    if eta is not None and eta < 0:
        raise ScheduleError(f"eta_min must be ≥ 0, not {eta:g}")
