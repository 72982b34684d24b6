"""Activation functions as sympy functions, so they print, differentiate and explain by name.

``relu(x)`` needs no class: it is ``Max(0, x)``, whose derivative sympy already knows.
"""

from __future__ import annotations

import sympy
from sympy import Function, exp, log


class sigmoid(Function):
    """σ(x) = 1 / (1 + e^(−x)); σ'(x) = σ(x)(1 − σ(x))."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Expr | None:
        if arg.is_zero:
            return sympy.Rational(1, 2)
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return 1 / (1 + exp(-arg))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_evalf(self, prec: int) -> sympy.Expr:
        return self._eval_rewrite_as_exp(self.args[0])._eval_evalf(prec)


class softplus(Function):
    """softplus(x) = ln(1 + e^x); softplus'(x) = σ(x)."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Expr | None:
        if arg.is_zero:
            return log(2)
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return log(1 + exp(arg))

    _eval_rewrite_as_log = _eval_rewrite_as_exp

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_evalf(self, prec: int) -> sympy.Expr:
        return self._eval_rewrite_as_exp(self.args[0])._eval_evalf(prec)


def to_elementary(expr: sympy.Expr) -> sympy.Expr:
    """Rewrite sigmoid and softplus in terms of exp and log (for simplification)."""
    if expr.has(sigmoid, softplus):
        return expr.rewrite(exp)
    return expr
