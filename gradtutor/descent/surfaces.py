"""Loss surfaces: a catalogue of classic test functions, each with its lesson.

Every surface carries its formula in gradtutor's input language (so it reads
back through ``check``), a view window, a default start, its known minima and
hand-written numpy gradients (tested against finite differences and sympy).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# one coordinate, or a grid of them: surfaces are evaluated elementwise on either
Field = float | np.ndarray
Value = Callable[..., Field]  # f(*coords): one Field per variable, 1 or 2 of them
Gradient = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class Surface:
    """A loss f(x) or f(x, y) with what a learner needs to read it."""

    name: str
    expression: str  # plain input-language syntax, e.g. "x^2 + 25*y^2"
    variables: tuple[str, ...]
    window: tuple[tuple[float, float], ...]
    start: tuple[float, ...]
    minima: tuple[tuple[float, ...], ...]
    lesson: str
    value: Value
    gradient: Gradient
    lr: dict[str, float] = field(default_factory=dict)  # suggested rates by torch class
    quadratic: bool = False
    min_value: float | None = None  # the global minimum value when known
    typed: bool = False
    notes: tuple[str, ...] = ()  # a typed loss's kinks and steps (descent/typed.py)

    @property
    def dim(self) -> int:
        return len(self.variables)

    def loss(self, point: np.ndarray) -> float:
        return float(self.value(*point))

    def suggested_lr(self, kind: str) -> float:
        return self.lr.get(kind, self.lr.get("default", 0.01))

    def hessian(self, point: np.ndarray) -> np.ndarray:
        """Central differences of the gradient, symmetrised (exact for quadratics)."""
        point = np.asarray(point, dtype=float)
        n = point.size
        scale = max(1.0, float(np.max(np.abs(point))))
        h = 1e-5 * scale
        hess = np.empty((n, n))
        for i in range(n):
            step = np.zeros(n)
            step[i] = h
            hess[:, i] = (self.gradient(point + step) - self.gradient(point - step)) / (2 * h)
        return (hess + hess.T) / 2

    def in_window(self, point: np.ndarray, margin: float = 0.0) -> bool:
        for coord, (lo, hi) in zip(point, self.window, strict=True):
            span = hi - lo
            if not lo - margin * span <= coord <= hi + margin * span:
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "expression": self.expression,
            "variables": list(self.variables),
        }
        if self.notes:
            data["notes"] = list(self.notes)
        return data


def _vec(*parts: float) -> np.ndarray:
    return np.array(parts, dtype=float)


# --- 2-D surfaces -------------------------------------------------------------------


def _bowl(x: Field, y: Field) -> Field:
    return x**2 + y**2


def _ellipse(x: Field, y: Field) -> Field:
    return x**2 + 25 * y**2


def _rosenbrock(x: Field, y: Field) -> Field:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    return _vec(-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))


def _himmelblau(x: Field, y: Field) -> Field:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    a, b = x**2 + y - 11, x + y**2 - 7
    return _vec(4 * x * a + 2 * b, 2 * a + 4 * y * b)


def _beale_terms(x: Field, y: Field) -> tuple[Field, Field, Field]:
    return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale(x: Field, y: Field) -> Field:
    a, b, c = _beale_terms(x, y)
    return a**2 + b**2 + c**2


def _beale_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    a, b, c = _beale_terms(x, y)
    return _vec(
        2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1),
        2 * a * x + 4 * b * x * y + 6 * c * x * y**2,
    )


def _booth(x: Field, y: Field) -> Field:
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _booth_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return _vec(2 * a + 4 * b, 4 * a + 2 * b)


def _saddle(x: Field, y: Field) -> Field:
    return x**2 - y**2


def _monkey(x: Field, y: Field) -> Field:
    return x**3 - 3 * x * y**2


def _rastrigin(x: Field, y: Field) -> Field:
    tau = 2 * math.pi
    return 20 + x**2 - 10 * np.cos(tau * x) + y**2 - 10 * np.cos(tau * y)


def _rastrigin_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    tau = 2 * math.pi
    return _vec(2 * x + 10 * tau * math.sin(tau * x), 2 * y + 10 * tau * math.sin(tau * y))


def _ackley(x: Field, y: Field) -> Field:
    tau = 2 * math.pi
    s = np.sqrt(0.5 * (x**2 + y**2))
    return -20 * np.exp(-0.2 * s) - np.exp(0.5 * (np.cos(tau * x) + np.cos(tau * y))) + math.e + 20


def _ackley_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    tau = 2 * math.pi
    s = math.sqrt(0.5 * (x**2 + y**2))
    radial = 2 * math.exp(-0.2 * s) / s if s > 0 else 0.0  # the cone's tip: subgradient 0
    wave = math.pi * math.exp(0.5 * (math.cos(tau * x) + math.cos(tau * y)))
    return _vec(radial * x + wave * math.sin(tau * x), radial * y + wave * math.sin(tau * y))


def _camel(x: Field, y: Field) -> Field:
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _camel_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    return _vec(8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3)


# One-feature linear regression y ≈ w·x + b on five points; the loss is the MSE.
REGRESSION_X = (1.0, 2.0, 3.0, 4.0, 5.0)
REGRESSION_Y = (2.1, 3.9, 6.2, 7.8, 10.1)


def _mse(w: Field, b: Field) -> Field:
    total: Field = 0.0
    for xi, yi in zip(REGRESSION_X, REGRESSION_Y, strict=True):
        total = total + (w * xi + b - yi) ** 2
    return total / len(REGRESSION_X)


def _mse_grad(p: np.ndarray) -> np.ndarray:
    w, b = p
    gw = gb = 0.0
    for xi, yi in zip(REGRESSION_X, REGRESSION_Y, strict=True):
        r = w * xi + b - yi
        gw += 2 * r * xi
        gb += 2 * r
    n = len(REGRESSION_X)
    return _vec(gw / n, gb / n)


def _mse_expression() -> str:
    terms = []
    for xi, yi in zip(REGRESSION_X, REGRESSION_Y, strict=True):
        slope = "w" if xi == 1 else f"{xi:g}*w"
        terms.append(f"({slope} + b - {yi:g})^2")
    return f"({' + '.join(terms)})/{len(REGRESSION_X)}"


# One-feature logistic classifier p = σ(w·x + b); the loss is the mean cross-entropy.
CLASSIFIER_X = (-2.0, -1.0, 0.0, 0.5, 1.0, 2.0)
CLASSIFIER_Y = (0, 0, 1, 0, 1, 1)  # not separable, so the minimum is finite


def _logistic(w: Field, b: Field) -> Field:
    total: Field = 0.0
    for xi, yi in zip(CLASSIFIER_X, CLASSIFIER_Y, strict=True):
        sign = 1 if yi else -1
        total = total + np.logaddexp(0, -sign * (w * xi + b))
    return total / len(CLASSIFIER_X)


def _logistic_grad(p: np.ndarray) -> np.ndarray:
    w, b = p
    gw = gb = 0.0
    for xi, yi in zip(CLASSIFIER_X, CLASSIFIER_Y, strict=True):
        sign = 1 if yi else -1
        z = -sign * (w * xi + b)
        slope = 0.5 * (1 + math.tanh(z / 2))  # σ(z), stable for large |z|
        gw += -sign * xi * slope
        gb += -sign * slope
    n = len(CLASSIFIER_X)
    return _vec(gw / n, gb / n)


def _logistic_expression() -> str:
    terms = []
    for xi, yi in zip(CLASSIFIER_X, CLASSIFIER_Y, strict=True):
        z = _linear(-xi if yi else xi, -1 if yi else 1)
        terms.append(f"log(1 + exp({z}))")
    return f"({' + '.join(terms)})/{len(CLASSIFIER_X)}"


def _linear(a: float, c: int) -> str:
    """The text of a·w + c·b, tidy: "-2*w - b", "-b"."""
    parts = []
    if a != 0:
        coeff = {1.0: "", -1.0: "-"}.get(a, f"{a:g}*")
        parts.append(f"{coeff}w")
    sign = "-" if c < 0 else "+"
    parts.append(f" {sign} b" if parts else ("-b" if c < 0 else "b"))
    return "".join(parts)


def _plateau(x: Field, y: Field) -> Field:
    return 1 - np.exp(-(x**2 + y**2) / 2)


def _plateau_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    e = math.exp(-(x**2 + y**2) / 2)
    return _vec(x * e, y * e)


# --- 1-D surfaces -------------------------------------------------------------------


def _double_well(x: Field) -> Field:
    return x**4 - 3 * x**2 + x


def _sigmoid(z: Field) -> Field:
    return 0.5 * (1 + np.tanh(z / 2))


def _sigmoid_plateau(x: Field) -> Field:
    return (_sigmoid(x) - 0.9) ** 2


def _sigmoid_plateau_grad(p: np.ndarray) -> np.ndarray:
    s = float(_sigmoid(p[0]))
    return _vec(2 * (s - 0.9) * s * (1 - s))


def _surface(name: str, expression: str, variables: str, **kw: Any) -> Surface:
    return Surface(name=name, expression=expression, variables=tuple(variables.split()), **kw)


def _catalogue() -> tuple[Surface, ...]:
    sq = 3.0
    return (
        _surface(
            "bowl",
            "x^2 + y^2",
            "x y",
            window=((-sq, sq), (-sq, sq)),
            start=(2.5, -2.0),
            minima=((0.0, 0.0),),
            lesson="A round bowl: −∇f points straight at the minimum; GD is stable for lr < 1.",
            value=_bowl,
            gradient=lambda p: 2 * p,
            lr={"default": 0.1},
            quadratic=True,
            min_value=0.0,
        ),
        _surface(
            "ellipse",
            "x^2 + 25*y^2",
            "x y",
            window=((-sq, sq), (-1.5, 1.5)),
            start=(-2.5, 1.0),
            minima=((0.0, 0.0),),
            lesson="Ill-conditioned: 25× steeper in y, so GD needs lr < 2/50 = 0.04 and then "
            "crawls along x; momentum and Adam help.",
            value=_ellipse,
            gradient=lambda p: _vec(2 * p[0], 50 * p[1]),
            lr={"default": 0.035, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05, "adagrad": 0.5},
            quadratic=True,
            min_value=0.0,
        ),
        _surface(
            "rosenbrock",
            "(1 - x)^2 + 100*(y - x^2)^2",
            "x y",
            window=((-2.0, 2.0), (-1.0, 3.0)),
            start=(-1.5, 2.0),
            minima=((1.0, 1.0),),
            lesson="A curved banana valley: easy to fall into, slow to follow to (1, 1).",
            value=_rosenbrock,
            gradient=_rosenbrock_grad,
            lr={"default": 0.0005, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.005, "adagrad": 0.5},
            min_value=0.0,
        ),
        _surface(
            "himmelblau",
            "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            "x y",
            window=((-5.0, 5.0), (-5.0, 5.0)),
            start=(-0.5, 0.5),
            minima=(
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.2831859912861696),
                (3.5844283403304917, -1.8481265269644036),
            ),
            lesson="Four equal minima: the start decides which basin you end in.",
            value=_himmelblau,
            gradient=_himmelblau_grad,
            lr={"default": 0.01, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05, "adagrad": 0.5},
            min_value=0.0,
        ),
        _surface(
            "beale",
            "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
            "x y",
            window=((-4.5, 4.5), (-4.5, 4.5)),
            start=(1.0, 1.5),
            minima=((3.0, 0.5),),
            lesson="Flat plains and steep walls: the loss spans six orders of magnitude.",
            value=_beale,
            gradient=_beale_grad,
            lr={"default": 0.001, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.01, "adagrad": 0.5},
            min_value=0.0,
        ),
        _surface(
            "booth",
            "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
            "x y",
            window=((-10.0, 10.0), (-10.0, 10.0)),
            start=(-8.0, -6.0),
            minima=((1.0, 3.0),),
            lesson="A tilted quadratic: Hessian eigenvalues 18 and 2, "
            "so GD needs lr < 2/18 ≈ 0.11.",
            value=_booth,
            gradient=_booth_grad,
            lr={"default": 0.05, "adam": 0.5, "adamw": 0.5, "rmsprop": 0.2, "adagrad": 2.0},
            quadratic=True,
            min_value=0.0,
        ),
        _surface(
            "saddle",
            "x^2 - y^2",
            "x y",
            window=((-2.0, 2.0), (-2.0, 2.0)),
            start=(-1.8, 0.001),
            minima=(),
            lesson="A saddle: ∇f = 0 at the origin, yet it is no minimum; start exactly on "
            "y = 0 and GD stops there, a hair off and it escapes.",
            value=_saddle,
            gradient=lambda p: _vec(2 * p[0], -2 * p[1]),
            lr={"default": 0.1},
            quadratic=True,
        ),
        _surface(
            "monkey",
            "x^3 - 3*x*y^2",
            "x y",
            window=((-2.0, 2.0), (-2.0, 2.0)),
            start=(1.2, 0.1),
            minima=(),
            lesson="A monkey saddle: three valleys meet where even the Hessian is zero, so "
            "the second-derivative test cannot tell.",
            value=_monkey,
            gradient=lambda p: _vec(3 * p[0] ** 2 - 3 * p[1] ** 2, -6 * p[0] * p[1]),
            lr={"default": 0.05},
        ),
        _surface(
            "rastrigin",
            "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
            "x y",
            window=((-5.12, 5.12), (-5.12, 5.12)),
            start=(2.2, -3.3),
            minima=((0.0, 0.0),),
            lesson="An egg box of local minima: GD settles in the nearest one, far from (0, 0).",
            value=_rastrigin,
            gradient=_rastrigin_grad,
            lr={"default": 0.002, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.02, "adagrad": 0.5},
            min_value=0.0,
        ),
        _surface(
            "ackley",
            "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
            "x y",
            window=((-5.0, 5.0), (-5.0, 5.0)),
            start=(3.3, -2.6),
            minima=((0.0, 0.0),),
            lesson="A funnel covered in ripples: local minima everywhere, one deep hole at 0.",
            value=_ackley,
            gradient=_ackley_grad,
            lr={"default": 0.01, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05, "adagrad": 0.5},
            min_value=0.0,
        ),
        _surface(
            "camel",
            "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
            "x y",
            window=((-2.0, 2.0), (-1.2, 1.2)),
            start=(-1.5, -1.0),
            minima=(
                (0.08984201310031807, -0.7126564030207396),
                (-0.08984201310031807, 0.7126564030207396),
            ),
            lesson="Six-hump camel: six local minima, two of them global (f ≈ −1.0316).",
            value=_camel,
            gradient=_camel_grad,
            lr={"default": 0.01, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.02, "adagrad": 0.2},
            min_value=-1.0316284534898776,
        ),
        _surface(
            "regression",
            _mse_expression(),
            "w b",
            window=((-1.0, 5.0), (-4.0, 4.0)),
            start=(-0.5, 3.5),
            minima=((1.99, 0.05),),
            lesson="MSE of y ≈ w·x + b: convex, but uncentred x (1…5) stretches the valley "
            "(condition number ≈ 70), so GD zig-zags.",
            value=_mse,
            gradient=_mse_grad,
            lr={"default": 0.04, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05, "adagrad": 1.0},
            quadratic=True,
            min_value=_mse(1.99, 0.05),
        ),
        _surface(
            "logistic",
            _logistic_expression(),
            "w b",
            window=((-3.0, 6.0), (-4.0, 4.0)),
            start=(-2.5, 3.0),
            minima=((1.9774106308650021, -0.3215612520711857),),
            lesson="Cross-entropy of a logistic classifier: convex but not quadratic; steepest "
            "where the classifier is confidently wrong, flat where it is confidently right.",
            value=_logistic,
            gradient=_logistic_grad,
            lr={"default": 1.0, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05, "adagrad": 1.0},
            min_value=0.37640122252202507,
        ),
        _surface(
            "plateau",
            "1 - exp(-(x^2 + y^2)/2)",
            "x y",
            window=((-5.0, 5.0), (-5.0, 5.0)),
            start=(3.5, 2.4),
            minima=((0.0, 0.0),),
            lesson="Far from the centre the surface is almost flat: the gradient vanishes "
            "and GD stalls; Adam rescales tiny gradients and escapes.",
            value=_plateau,
            gradient=_plateau_grad,
            lr={"default": 0.5, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05, "adagrad": 0.5},
            min_value=0.0,
        ),
        # --- 1-D ---
        _surface(
            "double-well",
            "x^4 - 3*x^2 + x",
            "x",
            window=((-2.2, 2.2),),
            start=(2.0,),
            minima=((-1.3008395659415772,), (1.1309011226299859,)),
            lesson="Two wells: from the right GD settles in the shallow one (a local minimum); "
            "momentum can carry it over the hump.",
            value=_double_well,
            gradient=lambda p: _vec(4 * p[0] ** 3 - 6 * p[0] + 1),
            lr={"default": 0.02, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05, "adagrad": 0.5},
            min_value=-3.51390503893479,
        ),
        _surface(
            "parabola",
            "x^2",
            "x",
            window=((-3.0, 3.0),),
            start=(2.5,),
            minima=((0.0,),),
            lesson="The slope 2x shrinks near the bottom, so the steps shrink too; "
            "lr > 1 overshoots further each step.",
            value=lambda x: x**2,
            gradient=lambda p: 2 * p,
            lr={"default": 0.1},
            quadratic=True,
            min_value=0.0,
        ),
        _surface(
            "sigmoid",
            "(sigmoid(x) - 0.9)^2",
            "x",
            window=((-12.0, 6.0),),
            start=(-8.0,),
            minima=((2.1972245773362196,),),
            lesson="A saturated sigmoid: σ′(x) ≈ 0 for x ≪ 0, so the gradient vanishes and "
            "GD stalls on the plateau.",
            value=_sigmoid_plateau,
            gradient=_sigmoid_plateau_grad,
            lr={"default": 1.0, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05, "adagrad": 0.5},
            min_value=0.0,
        ),
    )


CATALOGUE: tuple[Surface, ...] = _catalogue()
ALIASES = {
    "ill-conditioned": "ellipse",
    "six-hump-camel": "camel",
    "linreg": "regression",
    "mse": "regression",
    "doublewell": "double-well",
    "monkey-saddle": "monkey",
}


def find_surface(name: str) -> Surface | None:
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    return next((s for s in CATALOGUE if s.name == key), None)


def close_names(name: str, n: int = 3) -> list[str]:
    """Catalogue names that look like ``name`` (a typo, or an alias misspelt), best first."""
    import difflib

    key = name.strip().lower()
    names = {s.name: s.name for s in CATALOGUE} | ALIASES
    found = difflib.get_close_matches(key, list(names), n=2 * n, cutoff=0.6)
    out: list[str] = []
    for match in found:
        if names[match] not in out:
            out.append(names[match])
    return out[:n]
