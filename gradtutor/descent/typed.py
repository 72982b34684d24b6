"""A typed loss: parse it once with the engine, derive its gradient with sympy, lambdify both.

The learner's text never reaches ``eval``: it goes through the engine's parser to a
sympy expression, and only that expression is lambdified to numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np

from gradtutor.descent.surfaces import Surface
from gradtutor.errors import GradtutorError

DEFAULT_HALF_WIDTH = 3.0
DEFAULT_START = {1: (2.5,), 2: (2.0, 1.5)}
AXIS_ORDER = ("x", "y", "w", "b")  # x before y, weight before bias; others by name


class TypedLossError(GradtutorError, ValueError):
    """A loss that cannot be descended; ``message`` is one line for the learner."""

    def __init__(
        self,
        message: str,
        detail: str = "",
        *,
        unreadable: bool = False,
        column: int | None = None,
    ) -> None:
        super().__init__(message, column=column)
        self.detail = detail  # e.g. the parser's caret display
        self.unreadable = unreadable  # the parser could not read the text at all

    def caret(self) -> str:
        return self.detail


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


PREPARE_SECONDS = 5.0  # reading the loss and deriving its gradient, in a worker
FLOAT_MAX_DIGITS = 300  # an exact number beyond this is past what a float holds (~1.8e308)
STEP_LESSON = "the gradient is zero almost everywhere: descent cannot move"
KINK_NOTE = (
    "where |…|, max or min has a kink the gradient is not defined; "
    "descent uses a subgradient there (for |u| at u = 0: 0)"
)


@dataclass(frozen=True, eq=False)
class TypedSurface(Surface):
    """A typed loss. On a kink of |…| there is no curvature (central differences give 1/h):
    the Hessian there is the one just beside the kink, so advice about the learning rate
    near the start stays true."""

    kinks: Any = None  # the arguments of |…|, lambdified: zero on a kink

    def hessian(self, point: np.ndarray) -> np.ndarray:
        point = np.asarray(point, dtype=float)
        if self.kinks is not None:
            with np.errstate(all="ignore"):
                on_kink = np.any(np.abs(np.asarray(self.kinks(*point), dtype=float)) < 1e-9)
            if on_kink:
                point = point + 1e-3
        return super().hessian(point)


@dataclass(frozen=True)
class Symbolic:
    """The loss and its gradient as sympy expressions, with what a learner should know."""

    plain: str
    expr: Any
    symbols: tuple[Any, ...]
    gradient: tuple[Any, ...]
    quadratic: bool
    notes: tuple[str, ...] = ()


def prepare(text: str) -> Symbolic:
    """Read the loss and derive its gradient in a worker process, stopped after
    PREPARE_SECONDS whatever it is doing; raises TypedLossError for what can't be descended."""
    from gradtutor.calculus.timelimit import TimeLimitExceeded
    from gradtutor.calculus.worker import run

    try:
        return run(_prepare, text, time_limit=PREPARE_SECONDS)
    except TimeLimitExceeded:
        raise TypedLossError(
            f"working out this loss and its gradient took longer than {PREPARE_SECONDS:g} s; "
            "descend needs a loss it can differentiate quickly"
        ) from None


def _prepare(text: str) -> Symbolic:
    import sympy

    from gradtutor.calculus.functions import sigmoid, softplus
    from gradtutor.calculus.limits import expansion_terms
    from gradtutor.calculus.parsing import ParseError, parse

    try:
        parsed = parse(text)
        value = parsed.value
    except ParseError as err:
        hint = f" ({err.hint})" if err.hint else ""
        raise TypedLossError(
            f"cannot read the loss: {err.message}{hint}",
            err.caret(),
            unreadable=True,
            column=err.column,
        ) from err
    symbols = _ordered(tuple(value.free_symbols))
    names = tuple(str(s) for s in symbols)
    if len(symbols) == 0:
        raise TypedLossError(f"{parsed.plain} has no variable to descend along")
    if len(symbols) > 2:
        raise TypedLossError(
            f"descend draws losses of one or two variables; {parsed.plain} has "
            f"{len(symbols)} ({', '.join(names)})"
        )
    _check_float_range(value, parsed.plain)
    expr = value.replace(sigmoid, lambda a: 1 / (1 + sympy.exp(-a)))
    expr = expr.replace(softplus, lambda a: sympy.log(1 + sympy.exp(a)))
    gradient, notes = _gradient(expr, symbols, parsed.plain)
    # sympy.Poly multiplies out: (x+1)^100000 would take minutes. A quadratic is small.
    quadratic = (
        bool(expr.is_polynomial(*symbols))
        and expansion_terms(expr) <= 1_000
        and sympy.Poly(expr, *symbols).total_degree() <= 2
    )
    return Symbolic(parsed.plain, expr, symbols, gradient, quadratic, notes)


def _check_float_range(expr: Any, shown: str) -> None:
    """descend computes in floating point: refuse an exact number no float can hold."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.is_Rational:
            size = max(abs(int(node.p)), int(node.q))
            if size >= 10**FLOAT_MAX_DIGITS:
                raise TypedLossError(
                    f"the loss holds a number with {len(str(size)):,} digits; descend computes "
                    "in floating point, which holds numbers up to about 1.8·10^308"
                )
        else:
            stack.extend(node.args)


def _gradient(
    expr: Any, symbols: tuple[Any, ...], shown: str
) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The gradient over the reals (d/dx|x| = sign(x)); a kink gets a subgradient and a
    note, a step (heaviside, sign) a zero gradient and the lesson that goes with it."""
    import sympy

    real = {s: sympy.Symbol(s.name, real=True) for s in symbols}
    back = {r: s for s, r in real.items()}
    loss = expr.xreplace(real)
    notes: list[str] = []
    gradient = []
    for s in symbols:
        part = sympy.diff(loss, real[s])
        if part.has(sympy.DiracDelta):  # the derivative of a step: zero but at the step
            part = part.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))
        gradient.append(part.xreplace(back))
    steps = expr.atoms(sympy.Heaviside, sympy.sign)
    if steps and all(g == 0 for g in gradient):
        raise TypedLossError(
            f"{shown} is made of steps: {STEP_LESSON}. A smooth stand-in can be descended: "
            "sigmoid(10x) for heaviside(x), tanh(10x) for sign(x)"
        )
    if steps:
        from gradtutor.calculus.printing import plain

        named = ", ".join(sorted(plain(step) for step in steps))
        notes.append(
            f"{named}: the gradient of a step is zero almost everywhere, "
            "so descent moves only through the other terms"
        )
    kinks = expr.atoms(sympy.Abs, sympy.Max, sympy.Min)
    if kinks:
        notes.append(KINK_NOTE)
    return tuple(gradient), tuple(notes)


def surface_from_expression(
    text: str,
    *,
    window: tuple[tuple[float, float], ...] | None = None,
    start: tuple[float, ...] | None = None,
) -> Surface:
    """A Surface for ``text`` (one or two variables), checked on its window and start."""
    import sympy

    symbolic = prepare(text)
    symbols, expr = symbolic.symbols, symbolic.expr
    names = tuple(str(s) for s in symbols)
    modules = _numpy_modules()
    f = sympy.lambdify(symbols, expr, modules=modules)
    g = sympy.lambdify(symbols, list(symbolic.gradient), modules=modules)

    def grad(point: np.ndarray) -> np.ndarray:
        return np.array(g(*point), dtype=float)

    dim = len(symbols)
    window = window or tuple((-DEFAULT_HALF_WIDTH, DEFAULT_HALF_WIDTH) for _ in range(dim))
    if len(window) != dim:
        raise TypedLossError(f"--window needs {dim} range(s) for {', '.join(names)}")
    start = start or DEFAULT_START[dim]
    if len(start) != dim:
        raise TypedLossError(f"--start needs {dim} number(s) for {', '.join(names)}")
    kink_args = [k.args[0] for k in sorted(expr.atoms(sympy.Abs), key=sympy.default_sort_key)]
    surface = TypedSurface(
        name="typed",
        expression=symbolic.plain,
        variables=names,
        window=window,
        start=start,
        minima=(),
        lesson="Your own loss: its gradient comes from sympy, derived once.",
        value=f,
        gradient=grad,
        quadratic=symbolic.quadratic,
        typed=True,
        notes=_notes(symbolic, _kink_at_start(expr, symbols, start)),
        kinks=sympy.lambdify(symbols, kink_args, modules=modules) if kink_args else None,
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
    where = ", ".join(
        f"{v}∈[{lo:g}, {hi:g}]"
        for v, (lo, hi) in zip(surface.variables, surface.window, strict=True)
    )
    if not np.iscomplexobj(values) and np.isinf(values.astype(float)).any():
        raise TypedLossError(
            f"{surface.expression} grows past the largest floating-point number "
            f"(about 1.8·10^308) on the window {where}; descend computes in floating point: "
            "choose a smaller --window or a gentler loss"
        )
    if np.iscomplexobj(values) or np.isnan(values.astype(float)).any():
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


def _notes(symbolic: Symbolic, at_start: tuple[str, ...]) -> tuple[str, ...]:
    """The start on a kink says more than the general word about kinks: keep one."""
    if not at_start:
        return symbolic.notes
    return tuple(n for n in symbolic.notes if not n.startswith(KINK_NOTE[:20])) + at_start


def _kink_at_start(
    expr: Any, symbols: tuple[Any, ...], start: tuple[float, ...]
) -> tuple[str, ...]:
    """A note when the start sits exactly on a kink of |…| (the L1 loss at 0)."""
    import sympy

    from gradtutor.calculus.printing import plain

    at = dict(zip(symbols, (sympy.nsimplify(c) for c in start), strict=True))
    for kink in sorted(expr.atoms(sympy.Abs), key=sympy.default_sort_key):
        if kink.args[0].subs(at) == 0:
            where = ", ".join(f"{s}={c:g}" for s, c in zip(symbols, start, strict=True))
            return (
                f"the start ({where}) is on the kink of {plain(kink)}: the gradient is not defined "
                "there, so descent starts from a subgradient (0 for that term)",
            )
    return ()
