"""The numbers of a worked solution: after the symbolic derivative, substitute step by step.

For a question with numbers (a gradient-descent step, a derivative at a point, one neuron's
backprop, a bound on a chain of sigmoids) the worked solution ends with lines such as
``f′(2) = 2·2 = 4`` and ``x₁ = 2 − 0.5·4 = 0``: each line shows the formula, the numbers
put in, and the value (with a decimal beside a value that is not a short decimal itself).
Every value is computed here with sympy from the instance, never typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import sympy

DECIMAL_FIGURES = 4
TIME_LIMIT = 2.0  # seconds for the numbers of one question


def numbers_for(kind: str, fields: Mapping[str, Any]) -> tuple[tuple[str, ...], ...]:
    """The substitution lines of each part of an instance of ``kind`` (rendered fields);
    () for kinds without numbers or when something cannot be computed."""
    from gradtutor.calculus.errors import maths_failure
    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit

    builder = _BUILDERS.get(kind)
    if builder is None:
        return ()
    try:
        with time_limit(TIME_LIMIT):
            return tuple(tuple(lines) for lines in builder(fields))
    except TimeLimitExceeded:
        return ()
    except Exception as exc:
        if not maths_failure(exc):
            raise  # a bug in gradtutor: exit 70
        return ()  # the worked solution is still shown, without its numbers


def _read(text: str) -> sympy.Expr:
    from gradtutor.tutor.kinds import _value

    return _value(str(text))


def _num(text: str) -> sympy.Expr:
    from gradtutor.tutor.kinds import _number

    return _number(str(text))


def _pretty(expr: sympy.Expr) -> str:
    from gradtutor.calculus.printing import pretty

    return pretty(expr)


def value_text(expr: sympy.Expr) -> str:
    """``4``, ``1/4`` or ``(4 − 4σ(2))·σ(2)² ≈ 0.3699``: the exact value, and a decimal
    beside it when the exact form is not a short decimal or an integer."""
    import sympy

    expr = sympy.nsimplify(expr) if expr.is_Float else expr
    shown = _pretty(expr)
    if expr.is_Integer:
        return shown
    if expr.is_Rational and _short_decimal(expr):
        return shown
    decimal = sympy.N(expr, DECIMAL_FIGURES)
    return f"{shown} ≈ {_decimal(decimal)}"


def _short_decimal(value: sympy.Rational) -> bool:
    q = int(value.q)
    for prime in (2, 5):
        while q % prime == 0:
            q //= prime
    return q == 1 and len(str(value)) <= 6


def _decimal(value: sympy.Expr) -> str:
    text = f"{float(value):.{DECIMAL_FIGURES}g}"
    return text.replace("-", "−")


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _substituted(expr: sympy.Expr, point: Mapping[str, sympy.Expr]) -> str:
    """``expr`` written with each variable replaced by its number (in brackets when it is
    negative or a fraction): 2xy at (x, y) = (−1, 3) → ``2·(−1)·3``."""
    from gradtutor.calculus.printing import plain

    text = plain(expr)
    for name, value in sorted(point.items(), key=lambda kv: -len(kv[0])):
        shown = plain(value)
        bare = value.is_Integer and value >= 0
        pattern = rf"(?<![A-Za-z_0-9]){re.escape(name)}(?![A-Za-z_0-9(])"

        def put(
            match: re.Match[str], shown: str = shown, bare: bool = bare, text: str = text
        ) -> str:
            before, after = text[match.start() - 1 : match.start()], text[match.end() :][:1]
            inside = before == "(" and after == ")"
            return shown if bare or inside else f"({shown})"

        text = re.sub(pattern, put, text)
    return _readable(text)


def _readable(text: str) -> str:
    """Plain syntax shown as in the rest of the worked solution: ``·``, ``−``, ``σ``, ``²``."""
    text = re.sub(r"\^(\d+)(?![\d.(/])", lambda m: m[1].translate(_SUPERSCRIPTS), text)
    text = re.sub(r"(?<=\d)\*(?=\()", "·", text)
    return text.replace("*", "·").replace("sigmoid", "σ").replace("-", "−")


def _at(expr: sympy.Expr, point: Mapping[str, sympy.Expr]) -> sympy.Expr:
    import sympy

    return sympy.simplify(expr.subs({sympy.Symbol(k): v for k, v in point.items()}).doit())


def _number_in(value: sympy.Expr) -> str:
    shown = _pretty(value)
    return f"({shown})" if shown.startswith("−") or shown.startswith("-") else shown


# --- the kinds ---------------------------------------------------------------------------


def _descent(fields: Mapping[str, Any]) -> list[list[str]]:
    """f′ at the start, then x₁ = x₀ − lr·f′(x₀) with the numbers."""
    import sympy

    f = _read(fields["f"])
    start = fields["start"]
    point = {v: _num(start[v]) for v in start}
    rate = _num(fields["lr"])
    several = len(point) > 1
    at = ", ".join(_readable(str(start[v])) for v in point)
    parts = []
    lr = _readable(str(fields["lr"]))
    for var, x0 in point.items():
        derivative = sympy.diff(f, sympy.Symbol(var))
        slope = _at(derivative, point)
        name = f"∂f/∂{var}" if several else "f′"
        step = x0 - rate * slope
        lines = [
            f"{name}({', '.join(point)}) = {_pretty(derivative)}",
            f"{name}({at}) = {_substituted(derivative, point)} = {value_text(slope)}",
            f"{var}₁ = {var}₀ − lr·{name}({at}) = {_readable(str(start[var]))} − {lr}·"
            f"{_number_in(slope)} = {value_text(step)}",
        ]
        parts.append(lines)
    return parts


def _evaluate(fields: Mapping[str, Any]) -> list[list[str]]:
    """The derivative, then the same with the point's numbers put in."""
    import sympy

    f = _read(fields["f"])
    at = fields["at"]
    point = {v: _num(at[v]) for v in at}
    var = fields.get("var", next(iter(at)))
    derivative = sympy.diff(f, sympy.Symbol(var))
    name = f"∂f/∂{var}" if len(point) > 1 else "f′"
    args = ", ".join(point)
    values = ", ".join(_readable(str(at[v])) for v in point)
    return [
        [
            f"{name}({args}) = {_pretty(derivative)}",
            f"{name}({values}) = {_substituted(derivative, point)} = "
            f"{value_text(_at(derivative, point))}",
        ]
    ]


_ACTIVATIONS = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "softplus": "softplus"}


def _neuron(fields: Mapping[str, Any]) -> list[list[str]]:
    """Forward pass, then each factor of the chain rule, then the product."""
    import sympy

    x, y, w, b = (_num(fields[k]) for k in ("x", "y", "w", "b"))
    activation = fields.get("activation", "sigmoid")
    name = _ACTIVATIONS.get(activation, "")
    z_symbol = sympy.Symbol("z")
    act = _read(f"{name}(z)") if name else z_symbol
    z = w * x + b
    a = _at(act, {"z": z})
    slope = _at(sympy.diff(act, z_symbol), {"z": z})
    error = 2 * (a - y)
    a_of = f"{name}({_pretty(z)})" if name else _pretty(z)
    a_value = value_text(a)
    a_line = f"a = {a_value}" if a_value.split(" ≈ ")[0] == a_of else f"a = {a_of} = {a_value}"
    slope_line = (
        f"∂a/∂z = {name}′({_pretty(z)}) = {value_text(slope)}"
        if name
        else "∂a/∂z = 1 (no activation: a = z)"
    )
    common = [
        f"forward: z = w·x + b = {_readable(str(fields['w']))}·{_number_in(x)} + "
        f"{_number_in(b)} = {_pretty(z)}; {a_line}",
        f"∂L/∂a = 2(a − y) = 2({a_value.split(' ≈ ')[0]} − {_number_in(y)}) = {value_text(error)}",
        slope_line,
    ]
    dw = error * slope * x
    db = error * slope
    return [
        [
            *common,
            f"∂z/∂w = x = {_pretty(x)}",
            f"∂L/∂w = ∂L/∂a·∂a/∂z·∂z/∂w = {value_text(dw)}",
        ],
        [*common, "∂z/∂b = 1", f"∂L/∂b = ∂L/∂a·∂a/∂z·1 = {value_text(db)}"],
    ]


def _vanishing(fields: Mapping[str, Any]) -> list[list[str]]:
    """The bound: each layer multiplies the gradient by at most |w|·σ′(0) = |w|/4."""
    import sympy

    layers = int(str(fields["layers"]))
    weight = _num(fields.get("weight", "1"))
    asks = fields.get("ask", ["bound"])
    parts: list[list[str]] = []
    for ask in asks:
        if ask != "bound":
            parts.append([])
            continue
        per_layer = abs(weight) / 4
        bound = sympy.nsimplify(per_layer**layers)
        parts.append(
            [
                "σ′(z) = σ(z)(1 − σ(z)) is largest at z = 0: σ′(0) = 1/4",
                f"each layer: |w|·σ′(z) ≤ {_pretty(abs(weight))}·1/4 = {value_text(per_layer)}",
                f"{layers} layers: ({_pretty(per_layer)})^{layers} = {value_text(bound)}",
            ]
        )
    return parts


_BUILDERS: dict[str, Callable[[Mapping[str, Any]], list[list[str]]]] = {
    "descent-step": _descent,
    "evaluate": _evaluate,
    "neuron-backprop": _neuron,
    "vanishing": _vanishing,
}
