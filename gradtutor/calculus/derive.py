"""The builder: a sympy expression and a variable become a tree of rule applications.

``derive(expr, x)`` dispatches on the expression's head (sum, product, power, function …) and
returns a :class:`~gradtutor.calculus.rules.Rule` whose ``result`` is the derivative.
``solve_task(text)`` turns a learner's task (``d/dx(...)``, ``∂/∂z(...)``, ``grad(...)``) into a
:class:`WorkedSolution`: one worked derivative per operator, each with its separate simplify step.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import Expr, Symbol

from gradtutor.calculus import rules as r
from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT
from gradtutor.errors import GradtutorError

_FUNCTION_RULES: dict[type, type[r.FunctionRule]] = {
    sympy.sin: r.SinRule,
    sympy.cos: r.CosRule,
    sympy.tan: r.TanRule,
    sympy.sec: r.SecRule,
    sympy.csc: r.CscRule,
    sympy.cot: r.CotRule,
    sympy.asin: r.AsinRule,
    sympy.acos: r.AcosRule,
    sympy.atan: r.AtanRule,
    sympy.acot: r.AcotRule,
    sympy.asec: r.AsecRule,
    sympy.acsc: r.AcscRule,
    sympy.sinh: r.SinhRule,
    sympy.cosh: r.CoshRule,
    sympy.tanh: r.TanhRule,
    sympy.Abs: r.AbsRule,
}
_NAMED_RULES: dict[str, type[r.FunctionRule]] = {
    "sigmoid": r.SigmoidRule,
    "softplus": r.SoftplusRule,
}
_FRESH_NAMES = ("u", "v", "w", "t", "s", "p", "q")


@functools.cache
def _table_rule(func: type) -> type[r.FunctionRule] | None:
    """A rule from the function table (sech, asinh, …) for a function without its own above."""
    from gradtutor.calculus import function_table as table

    for record in table.TABLE:
        if record.derivative is not None and table.sympy_callable(record.name) is func:
            formula = f"d/dx {record.name}(x) = {record.derivative}"
            return r._function_rule(record.name, formula, table.derivative_of(record.name))
    return None


def derive(expr: Expr, variable: Symbol) -> r.Rule:
    """The rule tree for d/d(variable) of expr; its ``result`` equals ``sympy.diff``."""
    expr = sympy.sympify(expr)
    if not expr.has(variable):
        if expr.free_symbols:
            return r.HeldConstantRule(expr, variable)
        return r.ConstantRule(expr, variable)
    if expr == variable:
        return r.IdentityRule(expr, variable)
    if isinstance(expr, sympy.Derivative):
        done = r.in_shown_order(expr.doit())
        return r.RewriteRule(expr, variable, done, derive(done, variable), "inner derivative")
    if expr.is_Add:
        return r.SumRule(expr, variable, tuple(derive(t, variable) for t in expr.args))
    if expr.is_Mul:
        return _mul_rule(expr, variable)
    if expr.is_Pow:
        return _pow_rule(expr, variable)
    if isinstance(expr, sympy.exp):
        return _outer(expr, variable, expr.args[0], lambda e, u: r.ExpRule(e, u))
    if isinstance(expr, sympy.log):
        if len(expr.args) == 2:
            base = expr.args[1]
            return _outer(expr, variable, expr.args[0], lambda e, u: r.LogBaseRule(e, u, base))
        return _outer(expr, variable, expr.args[0], lambda e, u: r.LogRule(e, u))
    if isinstance(expr, sympy.Max) and len(expr.args) == 2 and sympy.S.Zero in expr.args:
        (arg,) = (a for a in expr.args if a != 0)
        return _outer(expr, variable, arg, lambda e, u: r.ReluRule(e, u))
    rule = (
        _FUNCTION_RULES.get(expr.func)
        or _NAMED_RULES.get(expr.func.__name__)
        or _table_rule(expr.func)
    )
    if rule is not None and len(expr.args) == 1:
        return _outer(expr, variable, expr.args[0], rule)
    return r.UnknownRule(expr, variable)


def _fresh_symbol(expr: Expr) -> Symbol:
    taken = {str(s) for s in expr.free_symbols}
    for name in _FRESH_NAMES:
        if name not in taken:
            return Symbol(name)
    return sympy.Dummy("u")


def _outer(
    expr: Expr, variable: Symbol, inner: Expr, make: Callable[[Expr, Symbol], r.Rule]
) -> r.Rule:
    """An atomic rule for f(x), or the chain rule for f(g(x)) with the atomic rule in u."""
    if inner == variable:
        return make(expr, variable)
    u = _fresh_symbol(expr)
    outer_expr = expr.xreplace({inner: u})
    return r.ChainRule(expr, variable, inner, u, make(outer_expr, u), derive(inner, variable))


def _flat_factors(expr: Expr) -> list[Expr]:
    """The factors of a product, nested products (as typed, unevaluated) flattened, 1s dropped."""
    if expr.is_Mul:
        return [f for arg in expr.args for f in _flat_factors(arg)]
    return [] if expr == 1 else [expr]


def _mul_rule(expr: Expr, variable: Symbol) -> r.Rule:
    flat = _flat_factors(expr)
    if len(flat) == 1:
        return derive(flat[0], variable)
    constants = [f for f in flat if not f.has(variable)]
    factors = [f for f in flat if f.has(variable)]
    log_base = _log_base(constants, factors)
    if log_base is not None:
        base, rest = log_base
        other = sympy.log(factors[0].args[0]) / sympy.log(base)
        if rest == 1:
            inner = factors[0].args[0]
            return _outer(expr, variable, inner, lambda e, u: r.LogBaseRule(e, u, base))
        return r.ConstantMultipleRule(expr, variable, rest, other, derive(other, variable))
    if constants:
        constant = sympy.Mul(*constants)
        other = factors[0] if len(factors) == 1 else sympy.Mul(*factors, evaluate=False)
        return r.ConstantMultipleRule(expr, variable, constant, other, derive(other, variable))
    numerator = [f for f in factors if not _is_reciprocal(f)]
    denominator = [_reciprocal(f) for f in factors if _is_reciprocal(f)]
    if numerator and denominator:
        num, den = _product(numerator), _product(denominator)
        return r.QuotientRule(expr, variable, derive(num, variable), derive(den, variable))
    return r.ProductRule(expr, variable, tuple(derive(f, variable) for f in factors))


def _product(factors: list[Expr]) -> Expr:
    return factors[0] if len(factors) == 1 else sympy.Mul(*factors, evaluate=False)


def _is_reciprocal(factor: Expr) -> bool:
    return bool(factor.is_Pow and factor.exp.is_Number and factor.exp < 0)


def _reciprocal(factor: Expr) -> Expr:
    return factor.base if factor.exp == -1 else factor.base ** (-factor.exp)


def _log_base(constants: list[Expr], factors: list[Expr]) -> tuple[Expr, Expr] | None:
    """log(u)/log(b) (how sympy stores log_b(u)): (b, the remaining constant), else None."""
    if len(factors) != 1 or not isinstance(factors[0], sympy.log):
        return None
    for c in constants:
        if (
            c.is_Pow
            and c.exp == -1
            and isinstance(c.base, sympy.log)
            and c.base.args[0].is_Number
            and c.base.args[0] > 0
        ):
            rest = sympy.Mul(*constants) / c
            return c.base.args[0], rest
    return None


def _pow_rule(expr: Expr, variable: Symbol) -> r.Rule:
    base, exponent = expr.args
    if base.is_Pow and base.exp.is_Number and exponent.is_Integer:
        # 1/x^n as typed, (x^n)^-1: rewrite to x^(-n) before the power rule
        powered = base.base ** (base.exp * exponent)
        return r.RewriteRule(expr, variable, powered, derive(powered, variable), "power of a power")
    if not exponent.has(variable):
        return _outer(expr, variable, base, lambda e, u: r.PowerRule(e, u, exponent))
    if not base.has(variable):
        if base == sympy.E:
            return _outer(expr, variable, exponent, lambda e, u: r.ExpRule(e, u))
        return _outer(expr, variable, exponent, lambda e, u: r.ExponentialRule(e, u, base))
    return r.GeneralPowerRule(expr, variable, derive(base, variable), derive(exponent, variable))


# --- worked solutions ---------------------------------------------------------------------


@dataclass(frozen=True)
class WorkedDerivative:
    """One derivative worked by the rules: the tree, its raw result and the simplified form."""

    expr: Expr
    variable: Symbol
    held: tuple[Symbol, ...]  # the other variables, held constant
    steps: r.Rule
    simplified: Expr

    @property
    def result(self) -> Expr:
        return self.steps.result

    @property
    def partial(self) -> bool:
        return bool(self.held)

    def to_json(self) -> dict[str, Any]:
        from gradtutor.calculus.printing import plain

        return {
            "expr": plain(self.expr),
            "variable": str(self.variable),
            "partial": self.partial,
            "held_constant": [str(s) for s in self.held],
            "steps": self.steps.to_json(),
            "result": plain(self.result),
            "simplified": plain(self.simplified),
        }


@dataclass(frozen=True)
class WorkedSolution:
    """A task's worked solution: one worked derivative per operator (a gradient has several)."""

    task: str
    derivatives: tuple[WorkedDerivative, ...]
    gradient: tuple[Expr, ...] | None = None
    value: Expr | None = None  # the task's value, when it is more than one derivative

    @property
    def answer(self) -> Expr:
        """What the task asks for, simplified: the derivative (the last one worked, for
        d²/dx² …), or the task's value when derivatives sit inside an expression
        (3·d/dx(x²) is 6x). For a gradient, the last component: see :meth:`answer_text`."""
        if self.value is not None:
            return self.value
        return self.derivatives[-1].simplified

    def answer_text(self) -> str:
        """The answer in plain syntax; a gradient as its vector, ``(2*x*y, x^2)``."""
        from gradtutor.calculus.printing import plain

        if self.gradient is not None:
            return "(" + ", ".join(plain(g) for g in self.gradient) + ")"
        return plain(self.answer)

    def to_json(self) -> dict[str, Any]:
        from gradtutor.calculus.printing import plain

        return {
            "task": self.task,
            "derivatives": [d.to_json() for d in self.derivatives],
            "gradient": None if self.gradient is None else [plain(g) for g in self.gradient],
            "answer": self.answer_text(),
        }


def work(
    expr: Expr, variable: Symbol, *, time_limit: float = DEFAULT_TIME_LIMIT
) -> WorkedDerivative:
    """Derive expr by the rules, then simplify the result in a separate, algebra-only step."""
    steps = derive(expr, variable)
    held = tuple(sorted(expr.free_symbols - {variable}, key=str))
    simplified = simplify_result(steps.result.doit(), time_limit)  # d/dy(y^3) inside a constant
    return WorkedDerivative(expr, variable, held, steps, simplified)


def simplify_result(result: Expr, time_limit: float = DEFAULT_TIME_LIMIT) -> Expr:
    """The shortest of a few cheap algebraic rewrites of result (within a time limit).

    Not sympy.simplify: its first call imports sympy.physics.units (~0.35 s), which alone
    would blow the one-second budget of ``gradtutor explain``.
    """
    from gradtutor.calculus.timelimit import TimeLimitExceeded
    from gradtutor.calculus.timelimit import time_limit as limit

    best = result
    try:
        with limit(time_limit):
            for rewrite in _REWRITES:
                candidate = rewrite(result)
                if _number_times_sum(candidate):
                    continue  # 2(z − y) is no simpler than 2z − 2y for a learner
                if sympy.count_ops(candidate) < sympy.count_ops(best):
                    best = candidate
    except TimeLimitExceeded:
        pass
    return best


def _number_times_sum(expr: Expr) -> bool:
    return bool(
        expr.is_Mul and len(expr.args) == 2 and expr.args[0].is_Number and expr.args[1].is_Add
    )


def _trig(expr: Expr) -> Expr:
    return sympy.trigsimp(expr) if expr.has(sympy.sin, sympy.cos, sympy.tan) else expr


def _rational(expr: Expr) -> Expr:
    return sympy.factor_terms(sympy.cancel(sympy.together(expr)))


def _fraction(expr: Expr) -> Expr:
    """Numerator expanded, denominator factored: (x² − 2x − 1)/(x − 1)²."""
    numerator, denominator = sympy.fraction(sympy.cancel(sympy.together(expr)))
    if denominator == 1:
        return expr
    return sympy.expand(numerator) / sympy.factor(denominator)


_REWRITES: tuple[Callable[[Expr], Expr], ...] = (
    sympy.expand,
    sympy.factor_terms,
    _rational,
    _fraction,
    sympy.powsimp,
    _trig,
)


class TaskError(GradtutorError, ValueError):
    """The task parsed, but says nothing to differentiate (or not which variable)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)


def solve_task(
    text: str, *, wrt: str | None = None, time_limit: float = DEFAULT_TIME_LIMIT
) -> WorkedSolution:
    """A worked solution for ``d/dx(...)``, ``∂/∂x(...)``, ``grad(...)`` or a plain expression.

    Raises ParseError for text that is not maths and TaskError when the variable is unclear.
    """
    from gradtutor.calculus.parsing import parse
    from gradtutor.calculus.vectors import grad_argument

    grad = grad_argument(text)
    if grad is not None:
        if wrt is not None:
            raise TaskError("--wrt is for an expression without grad(…) or d/dx")
        inside, variables = _grad_variables(text, grad[1])
        try:
            parsed = parse(inside)
        except ParseError as err:
            raise _within(err, text, inside) from None
        expr = _typed(inside, parsed.value)
        if not expr.free_symbols:
            raise TaskError(f"grad({inside}) has no variables: its gradient is empty.")
        parts = tuple(work(expr, s, time_limit=time_limit) for s in (variables or parsed.symbols))
        return WorkedSolution(text, parts, tuple(p.simplified for p in parts))
    parsed = parse(text)
    typed = _typed(text, parsed.expr)
    operators = _derivatives_in(typed)
    if operators and wrt is not None:
        raise TaskError(
            "--wrt is for an expression without d/dx: "
            "this task already says which variable (drop --wrt)"
        )
    if operators:
        worked: list[WorkedDerivative] = []
        for op in operators:
            expr = op.expr
            for variable, count in op.variable_count:
                for _ in range(int(count)):
                    worked.append(work(expr, variable, time_limit=time_limit))
                    expr = r.in_shown_order(worked[-1].simplified)
        whole = None if operators == [typed] else simplify_result(parsed.value, time_limit)
        return WorkedSolution(text, tuple(worked), value=whole)
    expr = typed
    variable = _choose_variable(expr, wrt, parsed.plain)
    return WorkedSolution(text, (work(expr, variable, time_limit=time_limit),))


def _grad_variables(text: str, inside: str) -> tuple[str, tuple[Symbol, ...]]:
    """grad(f, w, b) as check reads it: the function, and the variables named (or none)."""
    from gradtutor.calculus.brackets import split_top_level
    from gradtutor.calculus.vectors import read_vector

    pieces = split_top_level(inside)
    if len(pieces) == 1:
        return inside, ()
    read_vector(text)  # the same checks (and errors) as check: names, repeats
    return pieces[0], tuple(Symbol(p.strip()) for p in pieces[1:])


def _within(err: ParseError, text: str, inside: str) -> ParseError:
    """A parse error in the inside of grad(...), placed in the whole task as typed."""
    start = text.find(inside)
    if err.column is None or start < 0 or len(err.text) != len(inside):
        return err
    moved = copy.copy(err)
    moved.text = text[:start] + err.text + text[start + len(inside) :]
    moved.column = err.column + start
    return moved


def _typed(text: str, fallback: Expr) -> Expr:
    """The expression as typed (3(2x^2)^5, not sympy's 96x^10), when the parser can keep it."""
    from gradtutor.calculus.parsing import parse

    try:
        return parse(text, evaluate=False).expr
    except ValueError:
        return fallback


def _derivatives_in(expr: Expr) -> list[sympy.Derivative]:
    """The outermost derivative operators in expr, in reading order."""
    if isinstance(expr, sympy.Derivative):
        return [expr]
    found: list[sympy.Derivative] = []
    for arg in expr.args:
        found.extend(_derivatives_in(arg))
    return found


def _choose_variable(expr: Expr, wrt: str | None, shown: str) -> Symbol:
    symbols = sorted(expr.free_symbols, key=str)
    if wrt is not None:
        if wrt not in {s.name for s in symbols}:
            names = ", ".join(str(s) for s in symbols) or "none"
            raise TaskError(
                f"--wrt {wrt}: not a variable of {shown} (its variables: {names})",
                hint=f"--wrt {symbols[0]}" if symbols else None,
            )
        return Symbol(wrt)
    if len(symbols) == 1:
        return symbols[0]
    if not symbols:
        raise TaskError(
            f"{shown} has no variable to differentiate.",
            hint="its derivative is 0; write e.g. d/dx(x^2)",
        )
    names = ", ".join(str(s) for s in symbols)
    first = symbols[0]
    raise TaskError(
        f"{shown} has several variables ({names}): which one?",
        hint=f"write ∂/∂{first}({shown}), add --wrt {first}, or ask for grad({shown})",
    )
