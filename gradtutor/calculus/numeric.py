"""Evaluate sympy expressions at real points with mpmath, fast and safely.

An expression is compiled once into nested closures and then evaluated at many
points. A value that is not a finite real number (``ln(−1)``, ``1/0``,
``sqrt(−2)``) is *undefined* there: :class:`Undefined` is raised, and the caller
skips or counts the point. No code is generated or ``eval``-ed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, NoReturn

import mpmath
import sympy
from mpmath import mpf

from gradtutor.calculus import function_table

Env = Mapping[sympy.Symbol, Any]
Compiled = Callable[[Env], Any]


class Undefined(ArithmeticError):
    """The expression has no real value at this point."""


class PrecisionLost(ArithmeticError):
    """A sum cancelled more digits than the working precision has: the value is noise."""


# A sum that cancels more than this many of the working digits is not trusted.
_SAFE_DIGITS = 20
# Digits a sum must keep after cancelling; more when re-evaluating with extra digits, so the
# value is then as accurate as one at the working precision would have been.
_NEEDED_DIGITS: ContextVar[int] = ContextVar("needed_digits", default=_SAFE_DIGITS)
# While set, a sum that cancels to exactly 0 is 0 if its terms are below this size
# (see :func:`evaluate`).
_TRUST_EXACT_ZERO: ContextVar[Any] = ContextVar("trust_exact_zero", default=None)


class Unsupported(ValueError):
    """The expression contains something this evaluator cannot compute."""


def _real(value: Any) -> Any:
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise Undefined("complex value")
        value = value.real
    if not mpmath.isfinite(value):
        raise Undefined("not finite")
    return value


def _log(value: Any) -> Any:
    if value <= 0:
        raise Undefined("log of a non-positive number")
    return mpmath.log(value)


def _pow(base: Any, exponent: Any, integer_exponent: int | None) -> Any:
    if integer_exponent is None and base < 0 and _is_whole(exponent):
        # (-2)^n at n = 3: a negative base to a whole-number power is a real number.
        integer_exponent = int(mpmath.nint(exponent))
    if integer_exponent is not None:
        if base == 0 and integer_exponent < 0:
            raise Undefined("division by zero")
        if abs(integer_exponent) > 10**6 and abs(base) != 1:
            return mpmath.power(base, integer_exponent)
        return base**integer_exponent
    if base < 0:
        raise Undefined("non-integer power of a negative number")
    if base == 0:
        if exponent <= 0:
            raise Undefined("0 to a non-positive power")
        return mpf(0)
    return mpmath.power(base, exponent)


def _is_whole(value: Any) -> bool:
    """An exponent that is a whole number (to all but the last few working digits)."""
    nearest = mpmath.nint(value)
    return bool(abs(value - nearest) <= mpmath.mpf(10) ** (5 - mpmath.mp.dps) * max(1, abs(value)))


def _sum(terms: list[Any], exact: bool = False) -> Any:
    total = mpmath.fsum(terms)
    largest = max(abs(t) for t in terms)
    if exact and total == 0:
        bound = _TRUST_EXACT_ZERO.get()
        if bound is not None and largest <= bound:
            return total
    if largest and abs(total) < largest * _power_of_ten(_NEEDED_DIGITS.get() - mpmath.mp.dps):
        raise PrecisionLost("catastrophic cancellation")
    return total


_POWERS_OF_TEN: dict[tuple[int, int], Any] = {}


def _power_of_ten(exponent: int) -> Any:
    """10^exponent at the working precision, computed once (sums ask for it constantly)."""
    key = (exponent, mpmath.mp.prec)
    value = _POWERS_OF_TEN.get(key)
    if value is None:
        value = _POWERS_OF_TEN[key] = mpmath.mpf(10) ** exponent
    return value


def _undefined(what: str) -> NoReturn:
    raise Undefined(what)


def _polygamma(order: int, value: Any) -> Any:
    if value <= 0 and mpmath.isint(value):
        raise Undefined("polygamma at a pole")
    return mpmath.polygamma(order, value)


def _heaviside(value: Any) -> Any:
    if value == 0:
        raise Undefined("the step function is undefined at 0")
    return mpf(1) if value > 0 else mpf(0)


def _factorial(value: Any) -> Any:
    if value < 0 and mpmath.isint(value):
        raise Undefined("factorial of a negative integer")
    if value > 10**6:
        raise Undefined("factorial too large")
    return mpmath.gamma(value + 1)


def _binomial(n: Any, k: Any) -> Any:
    if abs(n) > 10**6 or abs(k) > 10**6:
        raise Undefined("binomial too large")
    return mpmath.binomial(n, k)


# Beyond these magnitudes a value is astronomically large (e^(10^8)) or needs millions of
# digits of π to reduce (sin(10^90)): such a point proves nothing, so it is skipped.
_HUGE = mpf(10) ** 8


def _bounded(fn: Callable[[Any], Any], *, two_sided: bool) -> Callable[[Any], Any]:
    def _apply(value: Any) -> Any:
        if value > _HUGE or (two_sided and value < -_HUGE):
            raise PrecisionLost("argument too large to evaluate reliably")
        return fn(value)

    return _apply


_SPECIAL: dict[str, Callable[[Any], Any]] = {
    "abs": abs,
    "heaviside": _heaviside,
    "factorial": _factorial,
    "sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)) if abs(v) < _HUGE else mpf(v > 0),
    "softplus": lambda v: (
        mpmath.log1p(mpmath.exp(v)) if v < 0 else v + mpmath.log1p(mpmath.exp(-v))
    ),
}


def _unary_table() -> dict[type, Callable[[Any], Any]]:
    """sympy class → mpmath evaluator, from the one function table."""
    table: dict[type, Callable[[Any], Any]] = {}
    for record in function_table.TABLE:
        cls = function_table.sympy_callable(record.name)
        if not isinstance(cls, type) or record.name in ("ln", "sqrt"):
            continue  # relu is Max, ln is log, sqrt is a power: compiled by shape
        fn = _SPECIAL.get(record.mpmath) or getattr(mpmath, record.mpmath)
        if record.large:
            fn = _bounded(fn, two_sided=record.large == "both")
        table[cls] = fn
    # Produced by sympy rather than typed: Γ from derivatives of x!.
    table[sympy.gamma] = lambda v: _factorial(v - 1)
    table[sympy.loggamma] = lambda v: mpmath.loggamma(v) if v > 0 else _undefined("loggamma")
    return table


_UNARY = _unary_table()


_EXACT_HEADS = (
    sympy.Add,
    sympy.Mul,
    sympy.Abs,
    sympy.sign,
    sympy.Max,
    sympy.Min,
    sympy.Heaviside,
)


def _exact_class(expr: sympy.Basic) -> bool:
    """Built from whole powers, roots, |·|, sign and max only: a sum of such terms that is 0
    at two precisions is 0 (x + |x|). With exp, log or sin in it, rounding can make a tiny
    value look like 0 at any fixed precision (1 − σ(731) is 10^-318), so it is not trusted."""
    for node in sympy.preorder_traversal(expr):
        if node.is_Symbol or node.is_Rational:
            continue
        if isinstance(node, sympy.Pow):
            if node.exp.is_Integer or node.exp == sympy.S.Half:
                continue
            return False
        if not isinstance(node, _EXACT_HEADS):
            return False
    return True


def compile_expr(expr: sympy.Basic) -> Compiled:
    """Compile ``expr`` into a function of ``{symbol: mpf}`` returning an mpf (or raising)."""
    if expr.is_Symbol:
        sym = expr

        def _symbol(env: Env) -> Any:
            return env[sym]

        return _symbol
    if expr.is_Number:
        if expr.is_Rational:
            p, q = int(expr.p), int(expr.q)

            if q == 1 and abs(p) < 2**53:
                constant = mpf(p)  # exact at any precision
                return lambda env: constant
            if q == 1:
                return lambda env: mpf(p)

            def _rational(env: Env) -> Any:
                return mpf(p) / q

            return _rational
        raise Unsupported(f"number {expr}")
    if expr is sympy.E:
        return lambda env: mpmath.e
    if expr is sympy.pi:
        return lambda env: +mpmath.pi
    if isinstance(expr, sympy.Add):
        parts = [compile_expr(a) for a in expr.args]
        exact = _exact_class(expr)
        return lambda env: _sum([p(env) for p in parts], exact)
    if isinstance(expr, sympy.Mul):
        parts = [compile_expr(a) for a in expr.args]

        first, rest = parts[0], parts[1:]

        def _mul(env: Env) -> Any:
            result = first(env)
            for p in rest:
                result *= p(env)
            return result

        return _mul
    if isinstance(expr, sympy.Pow):
        return _compile_pow(expr)
    if isinstance(expr, sympy.log):
        arg = compile_expr(expr.args[0])
        if len(expr.args) == 2:  # log(x, b), kept unevaluated in a raw tree
            base = compile_expr(expr.args[1])
            return lambda env: _log(_real(arg(env))) / _log(_real(base(env)))
        return lambda env: _log(_real(arg(env)))
    if isinstance(expr, sympy.polygamma):  # from d/dx of x!
        order, arg = int(expr.args[0]), compile_expr(expr.args[1])
        return lambda env: _polygamma(order, arg(env))
    if isinstance(expr, sympy.binomial):
        n, k = compile_expr(expr.args[0]), compile_expr(expr.args[1])
        return lambda env: _binomial(n(env), k(env))
    if isinstance(expr, (sympy.Max, sympy.Min)):
        parts = [compile_expr(a) for a in expr.args]
        pick = max if isinstance(expr, sympy.Max) else min
        return lambda env: pick(p(env) for p in parts)
    fn = _UNARY.get(type(expr))
    if fn is not None and (len(expr.args) == 1 or isinstance(expr, sympy.Heaviside)):
        arg = compile_expr(expr.args[0])
        return lambda env: _real(fn(arg(env)))
    raise Unsupported(f"can't evaluate {type(expr).__name__} numerically")


def _compile_pow(expr: sympy.Pow) -> Compiled:
    base_expr, exp_expr = expr.args
    if not exp_expr.free_symbols and not exp_expr.is_Number:
        # A typed exponent such as x^(5 - 1) is the number 4: a whole power of any x.
        exp_expr = exp_expr.doit()
    base = compile_expr(base_expr)
    if exp_expr.is_Integer:
        n = int(exp_expr)
        return lambda env: _pow(base(env), None, n)
    if exp_expr.is_Rational and exp_expr.q == 2 and exp_expr.p == 1:

        def _sqrt(env: Env) -> Any:
            b = base(env)
            if b < 0:
                raise Undefined("square root of a negative number")
            return mpmath.sqrt(b)

        return _sqrt
    exponent = compile_expr(exp_expr)
    if base_expr is sympy.E:
        bounded_exp = _bounded(mpmath.exp, two_sided=False)
        return lambda env: bounded_exp(exponent(env))
    return lambda env: _pow(base(env), exponent(env), None)


def evaluate(compiled: Compiled, env: Env) -> Any:
    """Evaluate at one point: a finite real mpf, or raise :class:`Undefined`.

    A sum that cancels (x + |x| at x < 0, 1/(a−b) + 1/(b−a)) is re-evaluated with more
    than twice the digits. An exact zero is a value, not lost precision: a sum that is
    exactly 0 both at the working precision and at the higher one is 0 (x + 10^-60 − x is
    0 at 50 digits but not at 120, so it is not), provided its terms are built from
    arithmetic, roots and |·| only (no exp, log, sin: 1 − σ(731) is 0 at any precision
    below 318 digits) and are small enough that 0 at the higher precision pins the value
    below 10^-(digits + 20). Otherwise :class:`PrecisionLost`.
    """
    try:
        return _evaluate_once(compiled, env)
    except PrecisionLost:
        pass
    dps = mpmath.mp.dps
    token = _NEEDED_DIGITS.set(dps + 5)
    try:
        with mpmath.workdps(2 * dps + 20):
            return +_evaluate_once(compiled, env)
    except PrecisionLost:
        pass
    finally:
        _NEEDED_DIGITS.reset(token)
    bound = mpmath.mpf(10) ** (dps - _SAFE_DIGITS)
    low = _evaluate_trusting_zero(compiled, env, bound)
    with mpmath.workdps(2 * dps + 20):
        high = _evaluate_trusting_zero(compiled, env, bound)
    if abs(low - high) > mpmath.mpf(10) ** (_SAFE_DIGITS - dps) * max(abs(low), abs(high)):
        raise PrecisionLost("the value changes with the precision")
    return low


def _evaluate_trusting_zero(compiled: Compiled, env: Env, bound: Any) -> Any:
    token = _TRUST_EXACT_ZERO.set(bound)
    try:
        return _evaluate_once(compiled, env)
    finally:
        _TRUST_EXACT_ZERO.reset(token)


def _evaluate_once(compiled: Compiled, env: Env) -> Any:
    try:
        return _real(compiled(env))
    except (ZeroDivisionError, ValueError, OverflowError) as exc:
        if isinstance(exc, Unsupported):
            raise
        raise Undefined(str(exc)) from None
