"""A typed loss: parse it once with the engine, derive its gradient with sympy, lambdify both.

The learner's text never reaches ``eval``: it goes through the engine's parser to a
sympy expression, and only that expression is lambdified to numpy.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

import numpy as np

from gradtutor.descent.surfaces import Surface

DEFAULT_HALF_WIDTH = 3.0
DEFAULT_START = {1: (2.5,), 2: (2.0, 1.5)}
AXIS_ORDER = ("x", "y", "w", "b")  # x before y, weight before bias; others by name


class TypedLossError(ValueError):
    """A loss that cannot be descended; ``message`` is one line for the learner."""

    def __init__(self, message: str, detail: str = "", *, unreadable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # e.g. the parser's caret display
        self.unreadable = unreadable  # the parser could not read the text at all


def _numpy_modules() -> list[Any]:
    def maximum(*args: Any) -> Any:
        return reduce(np.maximum, args)

    def minimum(*args: Any) -> Any:
        return reduce(np.minimum, args)

    def heaviside(x: Any, half: Any = 0.5) -> Any:
        return np.heaviside(x, half)

    return [{"Max": maximum, "Min": minimum, "Heaviside": heaviside}, "numpy"]


def _ordered(symbols: tuple[Any, ...]) -> tuple[Any, ...]:
    def key(s: Any) -> tuple[int, str]:
        name = str(s)
        return (AXIS_ORDER.index(name) if name in AXIS_ORDER else len(AXIS_ORDER), name)

    return tuple(sorted(symbols, key=key))


def surface_from_expression(
    text: str,
    *,
    window: tuple[tuple[float, float], ...] | None = None,
    start: tuple[float, ...] | None = None,
) -> Surface:
    """A Surface for ``text`` (one or two variables), checked on its window and start."""
    import sympy

    from gradtutor.calculus.functions import sigmoid, softplus
    from gradtutor.calculus.parsing import ParseError, parse

    try:
        parsed = parse(text)
    except ParseError as err:
        hint = f" ({err.hint})" if err.hint else ""
        raise TypedLossError(
            f"cannot read the loss: {err.message}{hint}", err.caret(), unreadable=True
        ) from err
    symbols = _ordered(parsed.symbols)
    names = tuple(str(s) for s in symbols)
    if len(symbols) == 0:
        raise TypedLossError(f"{parsed.plain} has no variable to descend along")
    if len(symbols) > 2:
        raise TypedLossError(
            f"descend draws losses of one or two variables; {parsed.plain} has "
            f"{len(symbols)} ({', '.join(names)})"
        )
    expr = parsed.value.replace(sigmoid, lambda a: 1 / (1 + sympy.exp(-a)))
    expr = expr.replace(softplus, lambda a: sympy.log(1 + sympy.exp(a)))
    gradient = [sympy.diff(expr, s) for s in symbols]
    modules = _numpy_modules()
    f = sympy.lambdify(symbols, expr, modules=modules)
    g = sympy.lambdify(symbols, gradient, modules=modules)

    def grad(point: np.ndarray) -> np.ndarray:
        return np.array(g(*point), dtype=float)

    dim = len(symbols)
    window = window or tuple((-DEFAULT_HALF_WIDTH, DEFAULT_HALF_WIDTH) for _ in range(dim))
    if len(window) != dim:
        raise TypedLossError(f"--window needs {dim} range(s) for {', '.join(names)}")
    start = start or DEFAULT_START[dim]
    if len(start) != dim:
        raise TypedLossError(f"--start needs {dim} number(s) for {', '.join(names)}")
    quadratic = (
        bool(expr.is_polynomial(*symbols)) and sympy.Poly(expr, *symbols).total_degree() <= 2
    )
    surface = Surface(
        name="typed",
        expression=parsed.plain,
        variables=names,
        window=window,
        start=start,
        minima=(),
        lesson="Your own loss: its gradient comes from sympy, derived once.",
        value=f,
        gradient=grad,
        quadratic=quadratic,
        typed=True,
    )
    _check_real(surface)
    _check_start(surface, start)
    return _with_suggested_lr(surface)


def _check_real(surface: Surface, n: int = 48) -> None:
    axes = [np.linspace(lo, hi, n) for lo, hi in surface.window]
    with np.errstate(all="ignore"):
        try:
            values = np.asarray(surface.value(*np.meshgrid(*axes)))
        except (TypeError, ValueError, ZeroDivisionError) as err:
            raise TypedLossError(f"{surface.expression} cannot be evaluated: {err}") from err
    if np.iscomplexobj(values) or np.isnan(values.astype(float)).any():
        where = ", ".join(
            f"{v}∈[{lo:g}, {hi:g}]"
            for v, (lo, hi) in zip(surface.variables, surface.window, strict=True)
        )
        raise TypedLossError(
            f"{surface.expression} is not real-valued everywhere on the window {where}; "
            "choose a --window where it is defined"
        )


def _check_start(surface: Surface, start: tuple[float, ...]) -> None:
    point = np.array(start, dtype=float)
    at = ", ".join(f"{v}={c:g}" for v, c in zip(surface.variables, start, strict=True))
    with np.errstate(all="ignore"):
        try:
            loss = surface.loss(point)
            grad = surface.gradient(point)
        except (TypeError, ValueError, ZeroDivisionError):
            loss, grad = math.nan, np.array([math.nan])
    if not math.isfinite(loss):
        raise TypedLossError(f"the loss is undefined at the start ({at}); choose another --start")
    if not np.all(np.isfinite(grad)):
        raise TypedLossError(
            f"the gradient is undefined at the start ({at}); choose another --start"
        )


def _with_suggested_lr(surface: Surface) -> Surface:
    """Plain GD at 1/λmax of the start's Hessian (half the stability limit), capped at 0.1."""
    from dataclasses import replace

    with np.errstate(all="ignore"):
        lam = float(np.max(np.linalg.eigvalsh(surface.hessian(np.array(surface.start)))))
    lr = 0.1 if not math.isfinite(lam) or lam <= 0 else min(0.1, 1 / lam)
    lr = float(f"{lr:.2g}")
    return replace(
        surface,
        lr={"default": lr, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.02, "adagrad": 0.5},
    )
