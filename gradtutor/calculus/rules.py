"""Derivative rules as data: each rule is a frozen dataclass whose docstring is its formula.

A rule node holds the expression it differentiates (``expr``), the variable, its sub-steps and,
through :meth:`Rule.combine`, the formula that turns the sub-steps' results into its own result.
Building the tree lives in :mod:`gradtutor.calculus.derive`; words and colours live in
:mod:`gradtutor.render.explain`. The pattern is sympy's ``integrals/manualintegrate.py``.

Because every result is computed by ``combine`` from the children's results, a buggy twin of a
rule (a misconception) can replace one node's result and re-evaluate the tree above it
(:func:`evaluate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, ClassVar

import sympy
from sympy import Expr, Symbol


@dataclass(frozen=True)
class Rule:
    """d/dx f(x) = f'(x)"""

    expr: Expr
    variable: Symbol

    id: ClassVar[str] = "rule"
    name: ClassVar[str] = "rule"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        """The rules this one needed, in order."""
        return ()

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        """This rule's formula applied to its sub-steps' results."""
        raise NotImplementedError

    @cached_property
    def result(self) -> Expr:
        """The derivative of ``expr`` with respect to ``variable``."""
        return self.combine(tuple(step.result for step in self.substeps))

    @property
    def formula(self) -> str:
        """The general rule, e.g. ``d/dx x^n = n x^(n-1)`` (the class docstring)."""
        return (type(self).__doc__ or "").strip().splitlines()[0]

    @property
    def is_atomic(self) -> bool:
        return not self.substeps

    def details(self) -> dict[str, Any]:
        """Rule-specific fields for JSON (the parts of the substitution)."""
        return {}

    def to_json(self) -> dict[str, Any]:
        from gradtutor.calculus.printing import plain

        data: dict[str, Any] = {
            "rule": self.id,
            "name": self.name,
            "formula": self.formula,
            "expr": plain(self.expr),
            "variable": str(self.variable),
            "result": plain(self.result),
        }
        for key, value in self.details().items():
            data[key] = plain(value) if isinstance(value, sympy.Basic) else value
        data["substeps"] = [step.to_json() for step in self.substeps]
        return data


def walk(rule: Rule) -> Iterator[Rule]:
    """Every node of the tree, parents before children."""
    yield rule
    for step in rule.substeps:
        yield from walk(step)


def evaluate(rule: Rule, overrides: Mapping[int, Expr]) -> Expr:
    """The tree's result when the nodes whose ``id()`` is in ``overrides`` give those results."""
    if id(rule) in overrides:
        return overrides[id(rule)]
    if not overrides or not any(id(node) in overrides for node in walk(rule)):
        return rule.result
    return rule.combine(tuple(evaluate(step, overrides) for step in rule.substeps))


def operator(variable: Symbol, *, partial: bool = False) -> str:
    """d/dx, or ∂/∂x in a partial derivative."""
    return f"∂/∂{variable}" if partial else f"d/d{variable}"


def applied(variable: Symbol, expr: Expr, *, partial: bool = False) -> str:
    """``d/dx x²``, ``d/dx sin(x)``, ``d/dx (x² + 1)``: the operator applied, for people.

    The terms of a sum keep their order in ``expr`` (as typed): see :func:`shown`."""
    from gradtutor.calculus.printing import is_atomic

    text = shown(expr)
    simple = (
        is_atomic(expr)
        or expr.is_Function
        or (expr.is_Pow and (expr.exp.is_Number or expr.base == sympy.E))
    )
    return f"{operator(variable, partial=partial)} {text if simple else f'({text})'}"


def shown(expr: Expr) -> str:
    """``pretty(expr)``, but each sum's terms in the order of its ``args``, not sympy's.

    For an expression as typed (``parse(text, evaluate=False)``: an unevaluated sum keeps the
    typed order in ``args``), the terms appear where the learner put them, which is how a
    learner matches them. Evaluated results print with :func:`~printing.pretty` instead.
    """
    from gradtutor.calculus.printing import _drop_double_parentheses

    text = _drop_double_parentheses(_typed_printer().doprint(expr))
    text = re.sub(r"sqrt\(([A-Za-z0-9\u0370-\u03ff]+)\)", r"√\1", text).replace("sqrt(", "√(")
    return text.replace("-", "−")


@cache
def _typed_printer() -> Any:
    from gradtutor.calculus.printing import PrettyPrinter

    class TypedPrinter(PrettyPrinter):
        def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
            return super()._print_Add(expr, "none")

    return TypedPrinter()


def in_shown_order(expr: Expr) -> Expr:
    """An evaluated expression rebuilt unevaluated with each sum's terms in printed order.

    A rule tree built from it then shows its terms as :func:`~printing.pretty` prints them
    (3x + 2, not sympy's internal 2 + 3x), for expressions that were never typed."""
    if not expr.args or not isinstance(expr, Expr):
        return expr
    args = expr.as_ordered_terms() if expr.is_Add else expr.args
    new = [in_shown_order(a) for a in args]
    if expr.is_Add or expr.is_Mul or expr.is_Pow:
        return expr.func(*new, evaluate=False)
    if all(a is b for a, b in zip(new, expr.args, strict=True)):
        return expr
    return expr.func(*new)


# --- atomic rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConstantRule(Rule):
    """d/dx c = 0"""

    id: ClassVar[str] = "constant"
    name: ClassVar[str] = "constant rule"

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return sympy.S.Zero


@dataclass(frozen=True)
class HeldConstantRule(Rule):
    """∂/∂x f(y, z) = 0   (the other variables are held constant)"""

    id: ClassVar[str] = "held_constant"
    name: ClassVar[str] = "held constant"

    @property
    def held(self) -> tuple[Symbol, ...]:
        return tuple(sorted(self.expr.free_symbols, key=str))

    def details(self) -> dict[str, Any]:
        return {"held": [str(s) for s in self.held]}

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return sympy.S.Zero


@dataclass(frozen=True)
class IdentityRule(Rule):
    """d/dx x = 1"""

    id: ClassVar[str] = "identity"
    name: ClassVar[str] = "identity rule"

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return sympy.S.One


@dataclass(frozen=True)
class PowerRule(Rule):
    """d/dx x^n = n x^(n-1)"""

    exponent: Expr

    id: ClassVar[str] = "power"
    name: ClassVar[str] = "power rule"

    def details(self) -> dict[str, Any]:
        return {"exponent": self.exponent}

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return self.exponent * self.variable ** (self.exponent - 1)


@dataclass(frozen=True)
class ExpRule(Rule):
    """d/dx e^x = e^x"""

    id: ClassVar[str] = "exp"
    name: ClassVar[str] = "exponential rule (e^x)"

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return sympy.exp(self.variable)


@dataclass(frozen=True)
class ExponentialRule(Rule):
    """d/dx a^x = a^x ln(a)"""

    base: Expr

    id: ClassVar[str] = "exponential"
    name: ClassVar[str] = "exponential rule (a^x)"

    def details(self) -> dict[str, Any]:
        return {"base": self.base}

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return self.base**self.variable * sympy.log(self.base)


@dataclass(frozen=True)
class LogRule(Rule):
    """d/dx ln(x) = 1/x"""

    id: ClassVar[str] = "ln"
    name: ClassVar[str] = "natural log rule"

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return 1 / self.variable


@dataclass(frozen=True)
class LogBaseRule(Rule):
    """d/dx log_b(x) = 1/(x ln(b))"""

    base: Expr

    id: ClassVar[str] = "log_base"
    name: ClassVar[str] = "log rule (base b)"

    def details(self) -> dict[str, Any]:
        return {"base": self.base}

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return 1 / (self.variable * sympy.log(self.base))


@dataclass(frozen=True)
class FunctionRule(Rule):
    """d/dx f(x) = f'(x)"""

    id: ClassVar[str] = "function"

    @staticmethod
    def derivative(x: Expr) -> Expr:
        raise NotImplementedError

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return self.derivative(self.variable)


def _function_rule(rule_id: str, formula: str, derivative: Any) -> type[FunctionRule]:
    """A FunctionRule subclass for one elementary function (docstring = formula)."""
    cls = type(
        f"{rule_id.capitalize()}Rule",
        (FunctionRule,),
        {
            "__doc__": formula,
            "__module__": __name__,
            "__qualname__": f"{rule_id.capitalize()}Rule",
            "id": rule_id,
            "name": f"{rule_id} rule",
            "derivative": staticmethod(derivative),
        },
    )
    return dataclass(frozen=True)(cls)


_sq = sympy.sqrt
SinRule = _function_rule("sin", "d/dx sin(x) = cos(x)", lambda x: sympy.cos(x))
CosRule = _function_rule("cos", "d/dx cos(x) = -sin(x)", lambda x: -sympy.sin(x))
TanRule = _function_rule("tan", "d/dx tan(x) = sec(x)^2", lambda x: sympy.sec(x) ** 2)
SecRule = _function_rule(
    "sec", "d/dx sec(x) = sec(x) tan(x)", lambda x: sympy.sec(x) * sympy.tan(x)
)
CscRule = _function_rule(
    "csc", "d/dx csc(x) = -csc(x) cot(x)", lambda x: -sympy.csc(x) * sympy.cot(x)
)
CotRule = _function_rule("cot", "d/dx cot(x) = -csc(x)^2", lambda x: -(sympy.csc(x) ** 2))
AsinRule = _function_rule("asin", "d/dx asin(x) = 1/sqrt(1 - x^2)", lambda x: 1 / _sq(1 - x**2))
AcosRule = _function_rule("acos", "d/dx acos(x) = -1/sqrt(1 - x^2)", lambda x: -1 / _sq(1 - x**2))
AtanRule = _function_rule("atan", "d/dx atan(x) = 1/(1 + x^2)", lambda x: 1 / (1 + x**2))
AcotRule = _function_rule("acot", "d/dx acot(x) = -1/(1 + x^2)", lambda x: -1 / (1 + x**2))
AsecRule = _function_rule(
    "asec", "d/dx asec(x) = 1/(x^2 sqrt(1 - 1/x^2))", lambda x: 1 / (x**2 * _sq(1 - 1 / x**2))
)
AcscRule = _function_rule(
    "acsc", "d/dx acsc(x) = -1/(x^2 sqrt(1 - 1/x^2))", lambda x: -1 / (x**2 * _sq(1 - 1 / x**2))
)
SinhRule = _function_rule("sinh", "d/dx sinh(x) = cosh(x)", lambda x: sympy.cosh(x))
CoshRule = _function_rule("cosh", "d/dx cosh(x) = sinh(x)", lambda x: sympy.sinh(x))
TanhRule = _function_rule("tanh", "d/dx tanh(x) = 1 - tanh(x)^2", lambda x: 1 - sympy.tanh(x) ** 2)
AbsRule = _function_rule("abs", "d/dx |x| = sign(x)   (x ≠ 0)", lambda x: sympy.sign(x))
ReluRule = _function_rule(
    "relu", "d/dx max(0, x) = step(x)   (1 for x > 0, 0 for x < 0)", lambda x: sympy.Heaviside(x)
)


def _sigmoid_derivative(x: Expr) -> Expr:
    from gradtutor.calculus.functions import sigmoid

    return sigmoid(x) * (1 - sigmoid(x))


def _softplus_derivative(x: Expr) -> Expr:
    from gradtutor.calculus.functions import sigmoid

    return sigmoid(x)


SigmoidRule = _function_rule("sigmoid", "d/dx σ(x) = σ(x)(1 - σ(x))", _sigmoid_derivative)
SoftplusRule = _function_rule("softplus", "d/dx softplus(x) = σ(x)", _softplus_derivative)
for _cls, _name in (
    (AbsRule, "absolute value rule"),
    (ReluRule, "ReLU rule"),
    (SigmoidRule, "sigmoid rule"),
    (SoftplusRule, "softplus rule"),
):
    _cls.name = _name


@dataclass(frozen=True)
class UnknownRule(Rule):
    """d/dx f(x): no rule in gradtutor's table; sympy computes it"""

    id: ClassVar[str] = "unknown"
    name: ClassVar[str] = "no rule (computed by sympy)"

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return sympy.diff(self.expr, self.variable)


# --- rules with sub-steps -----------------------------------------------------------------


@dataclass(frozen=True)
class ConstantMultipleRule(Rule):
    """d/dx c·f(x) = c·f'(x)"""

    constant: Expr
    other: Expr
    substep: Rule

    id: ClassVar[str] = "constant_multiple"
    name: ClassVar[str] = "constant multiple rule"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.substep,)

    def details(self) -> dict[str, Any]:
        return {"constant": self.constant, "other": self.other}

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return self.constant * results[0]


@dataclass(frozen=True)
class SumRule(Rule):
    """d/dx (f ± g) = f' ± g'"""

    terms: tuple[Rule, ...]

    id: ClassVar[str] = "sum"
    name: ClassVar[str] = "sum rule"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return self.terms

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return sympy.Add(*results)


@dataclass(frozen=True)
class ProductRule(Rule):
    """d/dx (u·v) = u'·v + u·v'"""

    factors: tuple[Rule, ...]

    id: ClassVar[str] = "product"
    name: ClassVar[str] = "product rule"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return self.factors

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return sympy.Add(*self.terms(results))

    def terms(self, results: tuple[Expr, ...]) -> tuple[Expr, ...]:
        """u'vw, uv'w, uvw': one term per factor, that factor differentiated."""
        factors = [f.expr for f in self.factors]
        return tuple(
            sympy.Mul(*factors[:i], results[i], *factors[i + 1 :]) for i in range(len(factors))
        )


@dataclass(frozen=True)
class QuotientRule(Rule):
    """d/dx (f/g) = (f'·g - f·g')/g^2"""

    numerator: Rule
    denominator: Rule

    id: ClassVar[str] = "quotient"
    name: ClassVar[str] = "quotient rule"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.numerator, self.denominator)

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        f, g = self.numerator.expr, self.denominator.expr
        df, dg = results
        return (df * g - f * dg) / g**2


@dataclass(frozen=True)
class ChainRule(Rule):
    """d/dx f(g(x)) = f'(g(x))·g'(x)"""

    inner: Expr
    u: Symbol
    outer: Rule  # d/du f(u), an atomic rule in the variable ``u``
    inner_step: Rule  # d/dx g(x)

    id: ClassVar[str] = "chain"
    name: ClassVar[str] = "chain rule"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.outer, self.inner_step)

    def details(self) -> dict[str, Any]:
        return {"u": str(self.u), "inner": self.inner, "outer_expr": self.outer.expr}

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        outer, inner = results
        return outer.xreplace({self.u: self.inner}) * inner


@dataclass(frozen=True)
class GeneralPowerRule(Rule):
    """d/dx f^g = f^g·(g'·ln(f) + g·f'/f)"""

    base: Rule
    exponent: Rule

    id: ClassVar[str] = "general_power"
    name: ClassVar[str] = "general power rule (logarithmic differentiation)"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.base, self.exponent)

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        f, g = self.base.expr, self.exponent.expr
        df, dg = results
        return f**g * (dg * sympy.log(f) + g * df / f)


@dataclass(frozen=True)
class RewriteRule(Rule):
    """d/dx f = d/dx g   (f rewritten as the equal g first)"""

    rewritten: Expr
    substep: Rule
    reason: str = ""

    id: ClassVar[str] = "rewrite"
    name: ClassVar[str] = "rewrite"

    @property
    def substeps(self) -> tuple[Rule, ...]:
        return (self.substep,)

    def details(self) -> dict[str, Any]:
        return {"rewritten": self.rewritten, "reason": self.reason}

    def combine(self, results: tuple[Expr, ...]) -> Expr:
        return results[0]
