"""Size limits, checked cheaply before the expensive work and again after evaluation.

Every exact number gradtutor works with has at most about 3,900 digits (Python prints
integers up to 4,300). The parser refuses a single number or power beyond that; here
the same limit is held for what those numbers become: a product of allowed numbers
(``1000!*1000!``), a power with a fractional exponent (``2^(10^6/3)``), a derivative's
coefficients. The other guards estimate before computing: how many terms an n-th
derivative grows to (found by differentiating one order at a time and stopping as soon
as the expression is too big), how many terms an expansion would have, and how large
the argument of a periodic function is (sympy's trigonometric rewriting recurses once
per factor of 2 in ``sin(10^3800 x)``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import sympy

from gradtutor.calculus.errors import TooLargeError

MAX_BITS = 13_000  # the parser's limit for one exact number: about 3,900 digits
MAX_DIGITS = 3_900
TOO_MANY_DIGITS = f"a number here would have more than {MAX_DIGITS:,} digits"
MAX_DERIVATIVE_NODES = 20_000  # an n-th derivative bigger than this is refused
MAX_EXPANSION_TERMS = 20_000
MAX_PERIODIC_DIGITS = 100  # sin(c·x) with c of more digits is refused
_PERIODIC = (sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc)
_CHECK_ORDER_FROM = 4  # lower orders cannot grow far; the hard time limit covers them


def too_large(value: sympy.Expr) -> bool:
    """Is this exact number beyond the limit?"""
    if value.is_Integer:
        return abs(int(value)).bit_length() > MAX_BITS
    if value.is_Rational:
        return max(abs(int(value.p)).bit_length(), int(value.q).bit_length()) > MAX_BITS
    return False


def check_numbers(expr: sympy.Expr, text: str = "", column: int | None = None) -> None:
    """Refuse an expression holding an exact number of more than 3,900 digits."""
    for atom in _rationals(expr):
        if too_large(atom):
            raise TooLargeError(TOO_MANY_DIGITS, text, column)


def check_node(expr: sympy.Expr, text: str = "", column: int | None = None) -> None:
    """The same check for one freshly built node and its direct arguments (cheap: the
    parser calls it at every step, so every intermediate number is held to the limit)."""
    if expr.is_Rational:
        if too_large(expr):
            raise TooLargeError(TOO_MANY_DIGITS, text, column)
        return
    for arg in expr.args:
        if arg.is_Rational and too_large(arg):
            raise TooLargeError(TOO_MANY_DIGITS, text, column)


def power_digits(base: sympy.Expr, exponent: sympy.Expr) -> float | None:
    """About how many digits ``base^exponent`` has, for a rational base and exponent
    (the integer part of a fractional power is computed exactly by sympy)."""
    if not (base.is_Rational and exponent.is_Rational) or base == 0:
        return None
    size = max(abs(int(base.p)), int(base.q))
    if size <= 1:
        return 0.0
    return abs(float(exponent)) * math.log10(size) if abs(exponent) < 10**300 else math.inf


def check_power(base: sympy.Expr, exponent: sympy.Expr, text: str, column: int | None) -> None:
    """Refuse ``a^b`` whose exact value would exceed the limit, before computing it."""
    digits = power_digits(base, exponent)
    if digits is not None and digits > MAX_DIGITS:
        raise TooLargeError(TOO_MANY_DIGITS, text, column)


def check_periodic(expr: sympy.Expr, text: str = "", column: int | None = None) -> None:
    """Refuse sin(c·x) (and cos, tan …) with a coefficient of more than 100 digits."""
    for call in expr.atoms(*_PERIODIC):
        for number in _rationals(call.args[0]):
            if max(abs(int(number.p)), int(number.q)) >= 10**MAX_PERIODIC_DIGITS:
                name = type(call).__name__
                raise TooLargeError(
                    f"the number inside {name}(…) has more than {MAX_PERIODIC_DIGITS} digits; "
                    f"gradtutor works with {name} of numbers up to {MAX_PERIODIC_DIGITS} digits",
                    text,
                    column,
                )


def check_derivatives(expr: sympy.Expr) -> None:
    """Refuse an n-th derivative (n ≥ 4) that grows too large to work out.

    It is worked one order at a time; as soon as it has more than 20,000 nodes it is
    refused, so the cost is bounded by the last step below the limit."""
    if not expr.has(sympy.Derivative):
        return
    for derivative in _innermost_first(expr):
        if sum(count for _, count in derivative.variable_count) >= _CHECK_ORDER_FROM:
            _trial_derivative(derivative)


def _trial_derivative(derivative: sympy.Derivative) -> None:
    inner = derivative.expr
    if inner.has(sympy.Derivative):
        inner = inner.doit()
    done = 0
    total = sum(int(count) for _, count in derivative.variable_count)
    nodes = _nodes(inner, MAX_DERIVATIVE_NODES)
    for variable, count in derivative.variable_count:
        for _ in range(int(count)):
            inner = sympy.diff(inner, variable)
            done += 1
            before, nodes = nodes, _nodes(inner, MAX_DERIVATIVE_NODES)
            if nodes > MAX_DERIVATIVE_NODES or _bound_to_outgrow(before, nodes, total - done):
                raise TooLargeError(
                    f"the {_ordinal(total)} derivative here grows too large to work out: "
                    f"the {_ordinal(done)} already has {nodes:,} parts, "
                    f"about {nodes / max(before, 1):.1f} times the one before"
                )
            check_numbers(inner)


def _bound_to_outgrow(before: int, after: int, orders_left: int) -> bool:
    """Growing by the same factor for the orders left, would it pass four times the limit?
    (Only judged once it is big: small expressions grow by large factors at first.)"""
    if after < 1_000 or orders_left <= 0:
        return False
    ratio = after / max(before, 1)
    return ratio > 1.2 and math.log(after) + orders_left * math.log(ratio) > math.log(
        4 * MAX_DERIVATIVE_NODES
    )


def expansion_terms(expr: sympy.Expr) -> float:
    """An upper bound on the number of terms of ``sympy.expand(expr)`` (may be inf)."""
    if expr.is_Add:
        return sum(expansion_terms(a) for a in expr.args)
    if expr.is_Mul:
        return math.prod(expansion_terms(a) for a in expr.args)
    if expr.is_Pow and expr.exp.is_Integer and int(expr.exp) > 1:
        k = expansion_terms(expr.base)
        n = int(expr.exp)
        if k <= 1:
            return 1.0
        # terms of (a1 + … + ak)^n: C(n + k − 1, k − 1)
        log_terms = (
            math.lgamma(n + k) - math.lgamma(k) - math.lgamma(n + 1) if k < 10**9 else math.inf
        )
        return math.exp(min(log_terms, 700.0))
    return 1.0


def check_expansion(expr: sympy.Expr, text: str = "") -> None:
    """Refuse to expand what would have more than 20,000 terms."""
    terms = expansion_terms(expr)
    if terms > MAX_EXPANSION_TERMS:
        shown = f"about {terms:,.0f}" if terms < 1e15 else "more than 10^15"
        raise TooLargeError(
            f"multiplied out, this would have {shown} terms; "
            f"gradtutor works with up to {MAX_EXPANSION_TERMS:,}",
            text,
        )


def _rationals(expr: sympy.Expr) -> Iterable[sympy.Rational]:
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.is_Rational:
            yield node
        elif node.args:
            stack.extend(node.args)


def _nodes(expr: sympy.Expr, stop: int) -> int:
    """The number of nodes of the tree, counting no further than ``stop + 1``."""
    count = 0
    stack = [expr]
    while stack and count <= stop:
        node = stack.pop()
        count += 1
        stack.extend(node.args)
    return count


def _innermost_first(expr: sympy.Expr) -> list[sympy.Derivative]:
    found: list[sympy.Derivative] = []

    def visit(node: sympy.Expr) -> None:
        for arg in node.args:
            visit(arg)
        if isinstance(node, sympy.Derivative):
            found.append(node)

    visit(expr)
    return found


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
