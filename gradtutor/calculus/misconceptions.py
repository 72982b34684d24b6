"""Misconceptions as buggy twins of derivative rules.

Each misconception is one block, a class registered with ``@_block``: its docstring is the buggy
formula (as a rule's docstring is its formula in :mod:`gradtutor.calculus.rules`), then its id,
name and correct rule, its twin and its question, side by side. :data:`MISCONCEPTIONS` (and
:data:`BY_ID`) are derived from the blocks, in the order they appear.

Each :class:`Misconception` names the rule it twins and a function giving the buggy result at one
node of a rule tree (:mod:`gradtutor.calculus.rules`). Re-evaluating the tree with that node's
result replaced (:func:`~gradtutor.calculus.rules.evaluate`) gives the whole wrong answer a
learner with that misconception would write, for any expression. Answers are compared by value
(at sample points, never by form: 3x − 2 and −(2 − 3x) are the same inside). A wrong answer is
diagnosed only when exactly one misconception reproduces it; otherwise nothing is named, because
a confident wrong diagnosis does more harm than none.

One exception, the most common slip of all: a chain rule without its inner derivative
(``chain_inner_missing``, ``log_chain_missing``). Another twin inside the same chain can give
the same answer by a coincidence of numbers: d/dx (2x − 1)³ written 3(2x − 1)² is also what
d/dx (−1) = −1 gives (inner derivative 2 − 1 = 1), and d/dx (3x + 1)³ written 3(3x + 1)² is also
the power rule without its exponent (the exponent 3 equals the inner slope 3). When every other
twin that reproduces the answer does so only strictly inside that chain, the omission is named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import Expr, Symbol

from gradtutor.calculus import rules as r
from gradtutor.calculus.sampling import (  # by value at fixed points (imported from here, too)
    agrees_elsewhere,
    equal_at_samples,
    same_values,
    sample_points,
    values_at,
)


@dataclass(frozen=True)
class Context:
    """The derivative being taken: its variable and the variables held constant."""

    variable: Symbol
    held: tuple[Symbol, ...]
    root: Any = None  # the whole derivative's rule tree (the task), set by :func:`candidates`


Twin = Callable[[Any, Context], tuple[Expr, ...]]


@dataclass(frozen=True)
class Slip:
    """A twin that reproduced the learner's answer: where, and what it made of the whole."""

    node: Any  # the rule application that went wrong (a Rule)
    tree: r.Rule  # the whole derivative
    answer: Expr  # the whole wrong answer, as the twin gives it (what the learner wrote)
    chain: r.ChainRule | None = None  # the chain rule whose outer step ``node`` is, if any
    local: Expr | None = None  # what the twin made of ``node`` itself (the learner's step)

    @property
    def where(self) -> Expr:
        """What the learner differentiated there: (2x + 1)³ for the outer step u³ of a chain."""
        return self.chain.expr if self.chain is not None else self.node.expr

    def in_u(self) -> str:
        """' (with u = …)' when the node is in the chain rule's u (the learner never wrote u)."""
        return "" if self.chain is None else f" (with u = {r.shown(self.chain.inner)})"


@dataclass(frozen=True)
class Misconception:
    """A buggy twin of one rule: where it applies, what it yields, and three levels of help."""

    id: str
    name: str
    rules: tuple[type[r.Rule], ...]
    twin: Twin
    question: Callable[[Slip], str]  # level 1: a question pointing at the slip
    rule_hint: str  # level 2: the correct rule

    def applies(self, node: r.Rule) -> bool:
        return isinstance(node, self.rules)


def _p(expr: Expr) -> str:
    """A result, printed as sympy orders it."""
    from gradtutor.calculus.printing import pretty

    return pretty(expr)


def _s(expr: Expr) -> str:
    """An expression as the learner typed it (its sums' terms in the typed order)."""
    return r.shown(expr)


def _partial(node: r.Rule, ctx: Context | None) -> bool:
    return ctx is not None and bool(ctx.held) and node.variable == ctx.variable


# --- helpers the twins and questions share ------------------------------------------------


_TRIG_SIGN = (r.SinRule, r.CosRule, r.SecRule, r.CscRule, r.CotRule, r.AcosRule)


_EXP_RULES = (r.ExpRule, r.ExponentialRule)


def _base(node: r.ExpRule | r.ExponentialRule) -> Expr:
    return sympy.E if isinstance(node, r.ExpRule) else node.base


def _skipped_product(node: r.ProductRule) -> Expr | None:
    """u'·v' when it equals one of the product rule's terms (a factor's derivative is 1)."""
    product = sympy.Mul(*(f.result for f in node.factors))
    terms = node.terms(tuple(f.result for f in node.factors))
    return product if any(equal_at_samples(product, term) for term in terms) else None


def _wrote(slip: Slip) -> str:
    """What the learner wrote at the slip: the twin's result there, in x (not the chain's u)."""
    local = slip.local if slip.local is not None else slip.answer
    if slip.chain is not None:
        local = local.xreplace({slip.chain.u: slip.chain.inner})
    return _p(local)


# --- the blocks -----------------------------------------------------------------------------
# One class per misconception, in the order they are tried: its docstring is the buggy formula
# (as a rule's docstring is its formula), then its id, name and the correct rule (level 2), its
# twin (the buggy result at one node) and its question (level 1). Each question names what the
# learner wrote or should have written, never a step they could not see (the outer step u³ of a
# chain is "(2x + 1)³"; a dropped variable names the derivative's term).

_TABLE: list[Misconception] = []


def _block(cls: type[Any]) -> type[Any]:
    """Register a misconception block: its twin carries the block's formula as its docstring."""
    twin = cls.__dict__["twin"].__func__
    twin.__doc__ = cls.__doc__
    question = cls.__dict__["question"].__func__
    _TABLE.append(Misconception(cls.id, cls.name, cls.rules, twin, question, cls.rule_hint))
    return cls


@_block
class LogChainMissing:
    """d/dx ln(g(x)) = 1/g(x)"""

    id = "log_chain_missing"
    name = "log without the chain rule"
    rules = (r.ChainRule,)
    rule_hint = "d/dx ln(g(x)) = g'(x)/g(x)"

    @staticmethod
    def twin(node: r.ChainRule, ctx: Context) -> tuple[Expr, ...]:
        if not isinstance(node.outer, r.LogRule | r.LogBaseRule):
            return ()
        return (node.outer.result.xreplace({node.u: node.inner}),)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"1/u with u = {_s(node.inner)} is only the outer part. "
            f"Did you multiply by {r.applied(node.variable, node.inner)}?"
        )


@_block
class ChainInnerMissing:
    """d/dx f(g(x)) = f'(g(x))   (the inner derivative g'(x) left out)"""

    id = "chain_inner_missing"
    name = "chain rule: inner derivative missing"
    rules = (r.ChainRule,)
    rule_hint = "Chain rule: d/dx f(g(x)) = f'(g(x))·g'(x)"

    @staticmethod
    def twin(node: r.ChainRule, ctx: Context) -> tuple[Expr, ...]:
        if isinstance(node.outer, r.LogRule | r.LogBaseRule):
            return ()  # log_chain_missing, the more specific twin
        return (node.outer.result.xreplace({node.u: node.inner}),)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"You differentiated the outside at u = {_s(node.inner)}. "
            "Did you multiply by the derivative of the inside, "
            f"{r.applied(node.variable, node.inner)}?"
        )


@_block
class ChainOuterWrongArgument:
    """d/dx f(g(x)) = f'(x)·g'(x)"""

    id = "chain_outer_wrong_argument"
    name = "chain rule: outer derivative at the wrong argument"
    rules = (r.ChainRule,)
    rule_hint = "Chain rule: d/dx f(g(x)) = f'(g(x))·g'(x), with f' evaluated at g(x)"

    @staticmethod
    def twin(node: r.ChainRule, ctx: Context) -> tuple[Expr, ...]:
        return (node.outer.result.xreplace({node.u: node.variable}) * node.inner_step.result,)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"The outer derivative {_p(node.outer.result)} must be taken at u = {_s(node.inner)}, "
            f"not at {node.variable}. What did you put in for u?"
        )


@_block
class ProductAsProductOfDerivatives:
    """d/dx (u·v) = u'·v'   (when that is not also one of the rule's terms: product_rule_skipped)"""

    id = "product_as_product_of_derivatives"
    name = "product rule: product of the derivatives"
    rules = (r.ProductRule,)
    rule_hint = "Product rule: (u·v)' = u'·v + u·v'"

    @staticmethod
    def twin(node: r.ProductRule, ctx: Context) -> tuple[Expr, ...]:
        if _skipped_product(node) is not None:
            return ()
        return (sympy.Mul(*(f.result for f in node.factors)),)

    @staticmethod
    def question(slip: Slip) -> str:
        return (
            f"Is the derivative of the product {_s(slip.node.expr)} "
            "the product of the derivatives? "
            "Try it on x·x = x²."
        )


@_block
class ProductTermMissing:
    """d/dx (u·v) = u'·v   (or u·v': one term left out)"""

    id = "product_term_missing"
    name = "product rule: a term missing"
    rules = (r.ProductRule,)
    rule_hint = "Product rule: (u·v)' = u'·v + u·v' (one term per factor)"

    @staticmethod
    def twin(node: r.ProductRule, ctx: Context) -> tuple[Expr, ...]:
        terms = node.terms(tuple(f.result for f in node.factors))
        skipped = _skipped_product(node)
        left = (sympy.Add(*terms[:i], *terms[i + 1 :]) for i in range(len(terms)))
        if skipped is None:
            return tuple(left)
        return tuple(a for a in left if not equal_at_samples(a, skipped))

    @staticmethod
    def question(slip: Slip) -> str:
        n = len(slip.node.factors)
        return (
            f"The product {_s(slip.node.expr)} has {n} factors, so its derivative has {n} terms, "
            "one for each factor differentiated. How many did you write?"
        )


@_block
class QuotientSign:
    """d/dx (f/g) = (f·g' − f'·g)/g²"""

    id = "quotient_sign"
    name = "quotient rule: numerator reversed"
    rules = (r.QuotientRule,)
    rule_hint = "Quotient rule: (f/g)' = (f'·g − f·g')/g²"

    @staticmethod
    def twin(node: r.QuotientRule, ctx: Context) -> tuple[Expr, ...]:
        f, g = node.numerator, node.denominator
        return ((f.expr * g.result - f.result * g.expr) / g.expr**2,)

    @staticmethod
    def question(slip: Slip) -> str:
        return "In the quotient rule, which product comes first in the numerator: f'·g or f·g'?"


@_block
class QuotientDenominatorNotSquared:
    """d/dx (f/g) = (f'·g − f·g')/g"""

    id = "quotient_denominator_not_squared"
    name = "quotient rule: denominator not squared"
    rules = (r.QuotientRule,)
    rule_hint = "Quotient rule: (f/g)' = (f'·g − f·g')/g²"

    @staticmethod
    def twin(node: r.QuotientRule, ctx: Context) -> tuple[Expr, ...]:
        f, g = node.numerator, node.denominator
        return ((f.result * g.expr - f.expr * g.result) / g.expr,)

    @staticmethod
    def question(slip: Slip) -> str:
        denominator = _s(slip.node.denominator.expr)
        return f"What happens to the denominator {denominator} in the quotient rule?"


@_block
class PowerExponentNotReduced:
    """d/dx xⁿ = n·xⁿ"""

    id = "power_exponent_not_reduced"
    name = "power rule: exponent not reduced"
    rules = (r.PowerRule,)
    rule_hint = "Power rule: d/dx xⁿ = n·xⁿ⁻¹"

    @staticmethod
    def twin(node: r.PowerRule, ctx: Context) -> tuple[Expr, ...]:
        return (node.exponent * node.variable**node.exponent,)

    @staticmethod
    def question(slip: Slip) -> str:
        return (
            f"When you bring the exponent {_p(slip.node.exponent)} of {_s(slip.where)} down, "
            "what happens to the exponent itself?"
        )


@_block
class PowerExponentIncreased:
    """d/dx xⁿ = n·xⁿ⁺¹"""

    id = "power_exponent_increased"
    name = "power rule: exponent increased"
    rules = (r.PowerRule,)
    rule_hint = "Power rule: d/dx xⁿ = n·xⁿ⁻¹"

    @staticmethod
    def twin(node: r.PowerRule, ctx: Context) -> tuple[Expr, ...]:
        return (node.exponent * node.variable ** (node.exponent + 1),)

    @staticmethod
    def question(slip: Slip) -> str:
        return (
            f"Differentiating {_s(slip.where)}: "
            "does the exponent go up (as in integration) or down?"
        )


@_block
class PowerCoefficientMissing:
    """d/dx xⁿ = xⁿ⁻¹"""

    id = "power_coefficient_missing"
    name = "power rule: coefficient missing"
    rules = (r.PowerRule,)
    rule_hint = "Power rule: d/dx xⁿ = n·xⁿ⁻¹"

    @staticmethod
    def twin(node: r.PowerRule, ctx: Context) -> tuple[Expr, ...]:
        return (node.variable ** (node.exponent - 1),)

    @staticmethod
    def question(slip: Slip) -> str:
        return (
            f"You lowered the exponent of {_s(slip.where)}. Where did the old exponent "
            f"{_p(slip.node.exponent)} go?"
        )


@_block
class DroppedVariable:
    """d/dx xⁿ = n·1ⁿ⁻¹   (x replaced by 1, or left out)"""

    id = "dropped_variable"
    name = "variable dropped"
    rules = (r.PowerRule,)
    rule_hint = "d/dx xⁿ = n·xⁿ⁻¹ keeps the variable: 3·3x² = 9x², not 9² or 9"

    @staticmethod
    def twin(node: r.PowerRule, ctx: Context) -> tuple[Expr, ...]:
        if node.variable != ctx.variable:
            return ()
        return (node.result.xreplace({node.variable: sympy.S.One}),)

    @staticmethod
    def question(slip: Slip) -> str:
        """Names the derivative (or its one term) that lost the variable, and what it became."""
        x = slip.node.variable
        correct, answer = sympy.expand(slip.tree.result), sympy.expand(slip.answer)  # 9² stays 9²
        right_number, right_rest = correct.as_coeff_Add()
        wrong_number, wrong_rest = answer.as_coeff_Add()
        right, wrong = sympy.Add.make_args(right_rest), sympy.Add.make_args(wrong_rest)
        lost = [t for t in right if t not in wrong and t != 0]
        became = [t for t in wrong if t not in right and t != 0]
        if wrong_number != right_number:  # 9x² + 5 written 9 + 5: the 9 is what 9x² became
            became.append(wrong_number - right_number)
        if len(lost) == 1 and len(became) == 1 and len(sympy.Add.make_args(correct)) > 1:
            before, after = f"the term {_p(lost[0])}", became[0]
        else:
            before, after = _p(correct), answer
        kind = "the number " if after.is_number else ""
        return (
            f"Where did the variable {x} go? Replacing {x} by 1 (or dropping it) turns "
            f"{before} into {kind}{_p(after)}."
        )


@_block
class ConstantNotZero:
    """d/dx c = c"""

    id = "constant_not_zero"
    name = "constant not differentiated to 0"
    rules = (r.ConstantRule, r.HeldConstantRule)
    rule_hint = "Constant rule: d/dx c = 0"

    @staticmethod
    def twin(node: r.Rule, ctx: Context) -> tuple[Expr, ...]:
        return () if node.expr == 0 else (node.expr,)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"{_s(node.expr)} does not change when {node.variable} changes. "
            "What is its rate of change?"
        )


@_block
class SignErrorTrig:
    """d/dx cos x = sin x   (each trig derivative with the wrong sign)"""

    id = "sign_error_trig"
    name = "sign error in a trig derivative"
    rules = _TRIG_SIGN
    rule_hint = "d/dx sin x = cos x, d/dx cos x = −sin x"

    @staticmethod
    def twin(node: r.Rule, ctx: Context) -> tuple[Expr, ...]:
        return (-node.result,)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"Check the sign{slip.in_u()}: is the derivative of {_s(node.expr)} "
            f"equal to {_p(-node.result)}?"
        )


@_block
class ExpPowerRuleMisuse:
    """d/dx aˣ = x·aˣ⁻¹   (and d/dx a^g(x) = g·a^(g−1), with or without g')"""

    id = "exp_power_rule_misuse"
    name = "power rule used on an exponential"
    rules = (r.ExpRule, r.ExponentialRule, r.ChainRule)
    rule_hint = "d/dx eˣ = eˣ; d/dx aˣ = aˣ·ln a"

    @staticmethod
    def twin(node: r.ExpRule | r.ExponentialRule | r.ChainRule, ctx: Context) -> tuple[Expr, ...]:
        if isinstance(node, r.ChainRule):  # e^(2x) → 2x·e^(2x−1): the power rule on the exponent
            if not isinstance(node.outer, _EXP_RULES):
                return ()
            g, base = node.inner, _base(node.outer)
            wrong = g * base ** (g - 1)
            return (wrong, wrong * node.inner_step.result)
        x = node.variable
        return (x * _base(node) ** (x - 1),)

    @staticmethod
    def question(slip: Slip) -> str:
        return (
            f"You wrote {_wrote(slip)}. In {_s(slip.where)} the variable is in the exponent, "
            "not the base. "
            "Does the power rule x^n → n·x^(n−1) apply?"
        )


@_block
class PartialOtherVarNotConstant:
    """∂/∂x (x²y³) = 2x·y³ + 3x²y²   (the held variables differentiated too, as if y' = 1)"""

    id = "partial_other_var_not_constant"
    name = "partial derivative: other variable not held constant"
    rules = (r.HeldConstantRule, r.ConstantMultipleRule)
    rule_hint = "In ∂/∂x the other variables are constants: ∂/∂x (x²y³) = 2x·y³"

    @staticmethod
    def twin(node: r.HeldConstantRule | r.ConstantMultipleRule, ctx: Context) -> tuple[Expr, ...]:
        from gradtutor.calculus.derive import derive

        if node.variable != ctx.variable or not ctx.held:
            return ()
        if isinstance(node, r.HeldConstantRule):
            return (sympy.Add(*(derive(node.expr, v).result for v in ctx.held)),)
        held = [v for v in ctx.held if node.constant.has(v)]
        if not held:
            return ()
        dc = sympy.Add(*(derive(node.constant, v).result for v in held))
        return (dc * node.other + node.constant * node.substep.result,)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        held = sorted({str(s) for s in node.expr.free_symbols} - {str(node.variable)})
        names = " and ".join(held) or "the other variables"
        verb = "is" if len(held) == 1 else "are"
        return (
            f"In a partial derivative with respect to {node.variable}, {names} "
            f"{verb} held constant. Should {'it' if len(held) == 1 else 'they'} be differentiated?"
        )


@_block
class PartialConstantFactorDropped:
    """∂/∂x (c·y·f(x)) = c·f'(x)   (the held variable y dropped from the factor)"""

    id = "partial_constant_factor_dropped"
    name = "partial derivative: constant factor dropped"
    rules = (r.ConstantMultipleRule,)
    rule_hint = "A held variable is a constant factor and stays: ∂/∂x (3x³z) = 9x²z"

    @staticmethod
    def twin(node: r.ConstantMultipleRule, ctx: Context) -> tuple[Expr, ...]:
        if node.variable != ctx.variable or not any(node.constant.has(v) for v in ctx.held):
            return ()
        coefficient, _ = node.constant.as_coeff_Mul()
        return (coefficient * node.substep.result,)

    @staticmethod
    def question(slip: Slip) -> str:
        # the twin keeps the number and drops the held variables: name only what was dropped
        _, dropped = slip.node.constant.as_coeff_Mul()
        return (
            f"You wrote {_p(slip.answer)}, without {_p(dropped)}. "
            f"{_p(dropped)} is a constant factor in this partial derivative. "
            "Does a constant factor disappear, or stay as a factor?"
        )


@_block
class ProductRuleSkipped:
    """d/dx (x·eˣ) = eˣ   (u'·v' that is also one term of u'·v + u·v': the rule not used)"""

    id = "product_rule_skipped"
    name = "product rule not used"
    rules = (r.ProductRule,)
    rule_hint = "Product rule: (u·v)' = u'·v + u·v', e.g. (x·eˣ)' = eˣ + x·eˣ"

    @staticmethod
    def twin(node: r.ProductRule, ctx: Context) -> tuple[Expr, ...]:
        both = _skipped_product(node)
        return () if both is None else (both,)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"You wrote {_wrote(slip)} for {r.applied(node.variable, node.expr)}: the factors' "
            f"derivatives multiplied, which here is only one of the product rule's "
            f"{len(node.factors)} terms. What is the term with the other factor differentiated?"
        )


@_block
class ConstantMultipleDropped:
    """d/dx c·f(x) = f'(x)   (the number c left out: 5 sin x → cos x)"""

    id = "constant_multiple_dropped"
    name = "constant multiple dropped"
    rules = (r.ConstantMultipleRule,)
    rule_hint = "Constant multiple rule: d/dx c·f(x) = c·f'(x), e.g. d/dx 5 sin x = 5 cos x"

    @staticmethod
    def twin(node: r.ConstantMultipleRule, ctx: Context) -> tuple[Expr, ...]:
        c = node.constant
        if c.free_symbols or c in (1, -1) or node.variable != ctx.variable:
            return ()
        return (node.substep.result,)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"You wrote {_wrote(slip)} for {r.applied(node.variable, node.expr)}: where did the "
            f"constant factor {_p(node.constant)} go? A constant multiple stays in the derivative."
        )


@_block
class LogReciprocal:
    """d/dx ln x = 1/ln x"""

    id = "log_reciprocal"
    name = "ln x differentiated to 1/ln x"
    rules = (r.LogRule,)
    rule_hint = "d/dx ln x = 1/x"

    @staticmethod
    def twin(node: r.LogRule, ctx: Context) -> tuple[Expr, ...]:
        return (1 / node.expr,)

    @staticmethod
    def question(slip: Slip) -> str:
        return (
            f"You wrote {_wrote(slip)} for the derivative of {_s(slip.where)}: one over the log. "
            "Is d/dx ln x one over ln x, or one over x?"
        )


@_block
class ExpLogFactor:
    """d/dx eˣ = eˣ·ln x   (ln of the variable, where aˣ has ln of the base a)"""

    id = "exp_log_factor"
    name = "ln x put into the exponential rule"
    rules = (r.ExpRule, r.ExponentialRule)
    rule_hint = "d/dx eˣ = eˣ; d/dx aˣ = aˣ·ln a (ln of the base)"

    @staticmethod
    def twin(node: r.ExpRule | r.ExponentialRule, ctx: Context) -> tuple[Expr, ...]:
        x = node.variable
        return (_base(node) ** x * sympy.log(x),)

    @staticmethod
    def question(slip: Slip) -> str:
        return (
            f"You wrote {_wrote(slip)} for the derivative of {_s(slip.where)}: where does the ln "
            "come from? In d/dx aˣ = aˣ·ln a it is ln of the base a, and ln e = 1."
        )


@_block
class ExpExponentDifferentiated:
    """d/dx e^g(x) = e^g'(x)·g'(x)   (the exponent differentiated in place: e^(x²) → 2x·e^(2x))"""

    id = "exp_exponent_differentiated"
    name = "exponent differentiated in place"
    rules = (r.ChainRule,)
    rule_hint = "d/dx e^g(x) = e^g(x)·g'(x): the exponent stays, e.g. d/dx e^(x²) = 2x·e^(x²)"

    @staticmethod
    def twin(node: r.ChainRule, ctx: Context) -> tuple[Expr, ...]:
        if not isinstance(node.outer, _EXP_RULES):
            return ()
        dg = node.inner_step.result  # (a twin equal to the right answer is never named)
        moved = _base(node.outer) ** dg
        return (moved * dg, moved)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"You wrote {_wrote(slip)}: the exponent {_s(node.inner)} of {_s(node.expr)} was "
            f"differentiated where it stands. Does the exponent change, or does the whole power "
            f"stay and get multiplied by {r.applied(node.variable, node.inner)}?"
        )


@_block
class PowerOfProductNotDistributed:
    """d/dx (c·g)ⁿ = n·c·gⁿ⁻¹·(c·g)'   ((ab)ⁿ written a·bⁿ: the number not raised to the power)"""

    id = "power_of_product_not_distributed"
    name = "(ab)ⁿ written a·bⁿ"
    rules = (r.ChainRule,)
    rule_hint = "(ab)ⁿ = aⁿ·bⁿ: (4x²)³ = 4³·x⁶ = 64x⁶"

    @staticmethod
    def twin(node: r.ChainRule, ctx: Context) -> tuple[Expr, ...]:
        if not isinstance(node.outer, r.PowerRule):
            return ()
        c, rest = sympy.sympify(node.inner).as_coeff_Mul()
        k = node.outer.exponent - 1
        if not c.is_Rational or c in (0, 1, -1) or rest == 1 or not k.is_Integer or k in (0, 1):
            return ()
        return (node.outer.exponent * c * rest**k * node.inner_step.result,)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        c, rest = sympy.sympify(node.inner).as_coeff_Mul()
        k = node.outer.exponent - 1
        raised = sympy.Pow(c, k, evaluate=False)
        return (
            f"You wrote {_p(sympy.Pow(node.inner, k, evaluate=False))} as {_p(c * rest**k)}. "
            "Is (ab)ⁿ equal to a·bⁿ? "
            "Every factor is raised to the power: "
            f"{_p(raised)}·{_p(rest**k)} = {_p(c**k * rest**k)}."
        )


@_block
class PartialTermDropped:
    """∂/∂x (f + g) = f'   (one term's derivative left out of a partial derivative)"""

    id = "partial_term_dropped"
    name = "partial derivative: a term dropped"
    rules = (r.SumRule,)
    rule_hint = "Sum rule: ∂/∂x (f + g) = ∂f/∂x + ∂g/∂x; a term is 0 only when it has no x"

    @staticmethod
    def twin(node: r.SumRule, ctx: Context) -> tuple[Expr, ...]:
        if not ctx.held or node.variable != ctx.variable:
            return ()
        results = [t.result for t in node.terms]
        return tuple(
            sympy.Add(*results[:i], *results[i + 1 :])
            for i in range(len(results))
            if results[i] != 0
        )

    @staticmethod
    def question(slip: Slip) -> str:
        node, local = slip.node, slip.local
        results = [t.result for t in node.terms]
        dropped = next(
            (
                t
                for i, t in enumerate(node.terms)
                if local is not None
                and equal_at_samples(sympy.Add(*results[:i], *results[i + 1 :]), local)
            ),
            None,
        )
        what = f"the term {_s(dropped.expr)}" if dropped is not None else "a term"
        x = node.variable
        return (
            f"You wrote {_wrote(slip)}: where is the derivative of {what}? Every term with {x} "
            f"in it has a part in ∂/∂{x}; only the terms without {x} give 0."
        )


@_block
class PartialWrongVariable:
    """∂/∂x f(x, y) = ∂f/∂y   (the task's partial derivative taken in another variable)"""

    id = "partial_wrong_variable"
    name = "partial derivative in the wrong variable"
    rules = (r.Rule,)
    rule_hint = "∂/∂x differentiates in x and holds the others: ∂/∂x (xy²) = y², ∂/∂y (xy²) = 2xy"

    @staticmethod
    def twin(node: r.Rule, ctx: Context) -> tuple[Expr, ...]:
        from gradtutor.calculus.derive import derive

        if node is not ctx.root or not ctx.held:
            return ()
        return tuple(derive(node.expr, v).result for v in ctx.held)

    @staticmethod
    def question(slip: Slip) -> str:
        from gradtutor.calculus.derive import derive

        node, x = slip.node, slip.node.variable
        others = sorted(slip.node.expr.free_symbols - {x}, key=str)
        v = next(
            (v for v in others if equal_at_samples(derive(node.expr, v).result, slip.answer)), None
        )
        which = f"with respect to {v}" if v is not None else "with respect to another variable"
        held = f"; {v} is held constant" if v is not None else ""
        return (
            f"You wrote {_wrote(slip)}, the derivative of {_s(node.expr)} {which}. "
            f"The task asks ∂/∂{x}{held}."
        )


@_block
class NotDifferentiated:
    """d/dx f = f   (the function itself written for its derivative: d/dx forgotten)"""

    id = "not_differentiated"
    name = "not differentiated"
    rules = (r.Rule,)
    rule_hint = "d/dx f asks for the derivative f', not f itself"

    @staticmethod
    def twin(node: r.Rule, ctx: Context) -> tuple[Expr, ...]:
        return (node.expr,) if node is ctx.root else ()

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"You wrote {_wrote(slip)}, the function {_s(node.expr)} itself. "
            f"Did you take its derivative, {r.applied(node.variable, node.expr)}?"
        )


@_block
class DifferentiatedTwice:
    """d/dx f = f''   (the derivative differentiated once more)"""

    id = "differentiated_twice"
    name = "differentiated twice"
    rules = (r.Rule,)
    rule_hint = "d/dx f is the first derivative f'; f'' is d²/dx² f"

    @staticmethod
    def twin(node: r.Rule, ctx: Context) -> tuple[Expr, ...]:
        if node is not ctx.root:
            return ()
        return (sympy.diff(node.result, node.variable),)

    @staticmethod
    def question(slip: Slip) -> str:
        node = slip.node
        return (
            f"You wrote {_wrote(slip)}, the second derivative of {_s(node.expr)}: "
            f"the derivative {_p(node.result)} differentiated once more. The task asks for one."
        )


MISCONCEPTIONS: tuple[Misconception, ...] = tuple(_TABLE)
BY_ID: dict[str, Misconception] = {m.id: m for m in MISCONCEPTIONS}
ARITHMETIC_SLIP = "arithmetic_slip"
SUBSTITUTED_VALUE = "substituted_value"
DIFFERENTIATED_UNASKED = "differentiated_unasked"  # check: f' given where f was asked
ALL_IDS: tuple[str, ...] = (*BY_ID, SUBSTITUTED_VALUE, ARITHMETIC_SLIP, DIFFERENTIATED_UNASKED)


# --- diagnosis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    """A recognised misconception: where it happened and three levels of help."""

    id: str
    name: str
    node: r.Rule | None  # the rule application that went wrong (None: an algebra step)
    question: str  # level 1: a pointing question
    rule: str  # level 2: the correct rule
    correction: str  # level 3: the corrected step
    expected: Expr  # the correct derivative of the whole task

    @property
    def message(self) -> str:
        return f"{self.name}: {self.question}"

    def to_json(self) -> dict[str, Any]:
        from gradtutor.calculus.printing import plain

        return {
            "id": self.id,
            "name": self.name,
            "where": plain(self.node.expr) if self.node is not None else None,
            "question": self.question,
            "rule": self.rule,
            "correction": self.correction,
            "expected": plain(self.expected),
        }


@dataclass(frozen=True)
class _Candidate:
    misconception: Misconception
    node: r.Rule
    answer: Expr
    nodes: tuple[r.Rule, ...] = ()  # every node the twin replaced (``node`` alone if empty)
    local: Expr | None = None  # the twin's result at ``node`` (when it replaced one node)

    @property
    def changed(self) -> tuple[r.Rule, ...]:
        return self.nodes or (self.node,)


def candidates(tree: r.Rule, ctx: Context) -> Iterator[_Candidate]:
    """Every buggy whole answer: each twin at each node, and each twin at all its nodes."""
    if ctx.root is None:
        ctx = Context(ctx.variable, ctx.held, tree)
    nodes = list(r.walk(tree))
    for m in MISCONCEPTIONS:
        applied = [(n, m.twin(n, ctx)) for n in nodes if m.applies(n)]
        applied = [(n, alts) for n, alts in applied if alts]
        for node, alternatives in applied:
            for alt in alternatives:
                yield _Candidate(m, node, r.evaluate(tree, {id(node): alt}), local=alt)
        if len(applied) > 1:
            everywhere = {id(n): alts[0] for n, alts in applied}
            changed = tuple(n for n, _ in applied)
            yield _Candidate(m, applied[0][0], r.evaluate(tree, everywhere), changed)
    yield from _dropped_variable_lines(tree, ctx)


def _dropped_variants(expr: Expr, x: Symbol) -> list[tuple[Expr, Expr]]:
    """(term, slip) pairs: 9x² → 9 (x read as 1) and 9x² → 9² (x left out)."""
    variants: list[tuple[Expr, Expr]] = []
    for term in sympy.Add.make_args(sympy.expand(expr)):
        if not term.has(x):
            continue
        variants.append((term, term.xreplace({x: sympy.S.One})))
        coefficient, power = term.as_coeff_exponent(x)
        if coefficient.is_Number and power.is_Integer and power > 1 and coefficient != 1:
            variants.append((term, sympy.Pow(coefficient, power, evaluate=False)))
    return variants


def _dropped_variable_lines(tree: r.Rule, ctx: Context) -> Iterator[_Candidate]:
    """The written slips, term by term, on the whole correct derivative."""
    x = ctx.variable
    correct = sympy.expand(tree.result)
    m = BY_ID["dropped_variable"]
    for term, variant in _dropped_variants(correct, x):
        yield _Candidate(m, tree, correct - term + variant)
    if len(sympy.Add.make_args(correct)) > 1:
        yield _Candidate(m, tree, correct.xreplace({x: sympy.S.One}))


def diagnose_dropped_variable(before: Expr, after: Expr, variable: Symbol) -> Diagnosis | None:
    """An algebra step from a right line ``before`` to ``after`` that lost the variable."""
    points = sample_points(before.free_symbols | after.free_symbols | {variable})
    given = values_at(after, points)
    if given is None:
        return None
    expanded = sympy.expand(before)
    for term, variant in _dropped_variants(expanded, variable):
        values = values_at(expanded - term + variant, points)
        if values is not None and same_values(values, given):
            m = BY_ID["dropped_variable"]
            question = (
                f"Where did {variable} go? {_p(term)} became {_p(variant)}, "
                f"as if {variable} were 1 or not there."
            )
            correction = f"keep the {variable}: the term is {_p(term)}, not {_p(variant)}"
            return Diagnosis(m.id, m.name, None, question, m.rule_hint, correction, before)
    return None


def diagnose_power_of_product(
    typed_before: Expr, after: Expr, variable: Symbol
) -> Diagnosis | None:
    """An algebra step that wrote a power of a product (c·g)ᵏ as c·gᵏ: (4x²)³ → 4x⁶.

    ``typed_before`` is the previous (right) line as typed, unevaluated, so its powers of
    products are still there to be found."""
    points = sample_points(typed_before.free_symbols | after.free_symbols | {variable})
    given = values_at(after, points)
    if given is None:
        return None
    m = BY_ID["power_of_product_not_distributed"]
    for power in sorted(typed_before.atoms(sympy.Pow), key=sympy.default_sort_key):
        c, rest = sympy.sympify(power.base).as_coeff_Mul()
        k = power.exp
        if not c.is_Rational or c in (0, 1, -1) or rest == 1 or not k.is_Integer or k in (0, 1):
            continue
        wrong = sympy.Mul(c, rest**k)
        values = values_at(typed_before.xreplace({power: wrong}).doit(), points)
        if values is not None and same_values(values, given):
            raised = sympy.Pow(c, k, evaluate=False)
            question = (
                f"You wrote {_s(power)} as {_p(wrong)}. Is (ab)ⁿ equal to a·bⁿ? Every factor "
                f"is raised to the power: {_p(raised)}·{_p(rest**k)} = {_p(c**k * rest**k)}."
            )
            correction = f"{_s(power)} = {_p(c**k * rest**k)}, not {_p(wrong)}"
            return Diagnosis(m.id, m.name, None, question, m.rule_hint, correction, power)
    return None


def diagnose_substitution(
    typed_before: Expr | None, typed_after: Expr, variable: Symbol, variables: set[Symbol]
) -> Diagnosis | None:
    """A line that puts a number in for a variable before differentiating is done.

    Flagged whatever the value (3·3·0² − 2y is right for ∂/∂y, by luck): a power of 0 or 1
    (0², 1⁰, 0¹: nobody writes those but for x set to 0 or 1), or a power of another number
    standing where the line before had the same power of a variable (3x² → 3·2²)."""
    before_powers = (
        _powers_of_variables(typed_before, variables) if typed_before is not None else []
    )
    after_powers = _powers_of_variables(typed_after, variables)
    found: list[tuple[Expr, Expr | None]] = []
    for power in sorted(typed_after.atoms(sympy.Pow), key=sympy.default_sort_key):
        n, k = power.base, power.exp
        if not (n.is_Number and k.is_Number):
            continue
        was = [p for p in before_powers if p.exp == k]
        v = was[0].base if was else None
        fewer = v is not None and before_powers.count(was[0]) > after_powers.count(was[0])
        if n in (0, 1) or fewer:
            found.append((power, v))
    if not found:
        return None
    named = [f for f in found if f[1] is not None]
    return _substitution(*(named or found)[0], variable, also=[p for p, _ in found])


def _powers_of_variables(expr: Expr, variables: set[Symbol]) -> list[Expr]:
    """Every power v^k of a variable in a typed tree (with repeats), in a fixed order."""
    found = [p for p in sympy.preorder_traversal(expr) if p.is_Pow and p.base in variables]
    return sorted(found, key=sympy.default_sort_key)


def _substitution(power: Expr, v: Expr | None, variable: Symbol, *, also: list[Expr]) -> Diagnosis:
    def raw(p: Expr) -> str:
        return _p(sympy.Pow(p.base, p.exp, evaluate=False))

    shown = raw(power)
    if v is not None:
        kept = _p(sympy.Pow(v, power.exp, evaluate=False))
        question = f"{v} was replaced by {power.base}: {shown} stands where {kept} was."
        correction = f"keep {v}: write {kept}, not {shown}"
    else:
        every = [raw(p) for p in also]
        listed = " and ".join(every)
        verb = "is a number" if len(every) == 1 else "are numbers"
        where = "a power of a variable" if len(every) == 1 else "powers of variables"
        question = f"{listed} {verb} where {where} should be."
        correction = f"keep the variable where {listed} stands"
    who = f"{v}" if v is not None else "the variable"
    question += (
        f" Substitute numbers only after differentiating: the derivative must hold for "
        f"every value of {who}."
    )
    if v is not None and v != variable:
        question += (
            f" In ∂/∂{variable}, {v} is held constant — a constant, not 0 or 1, so it stays {v}."
        )
    rule = (  # the rule as the derivative-rules lesson states it
        "Only substitute a value after differentiating, and only when the question asks for "
        "f'(a) (gradtutor learn derivative-rules)"
    )
    return Diagnosis(
        SUBSTITUTED_VALUE, "number put in for a variable", None, question, rule, correction, power
    )


def diagnose(
    expr: Expr, variable: Symbol, answer: Expr, *, tree: r.Rule | None = None
) -> Diagnosis | None:
    """The one misconception whose twin reproduces ``answer`` (d/d(variable) of expr), or None."""
    from gradtutor.calculus.derive import derive

    tree = tree if tree is not None else derive(expr, variable)
    held = tuple(sorted(expr.free_symbols - {variable}, key=str))
    ctx = Context(variable, held)
    points = sample_points(expr.free_symbols | answer.free_symbols | {variable})
    correct = values_at(tree.result, points)
    given = values_at(answer, points)
    if correct is None or given is None or same_values(correct, given):
        return None
    matches: dict[str, list[_Candidate]] = {}
    seen: dict[Expr, tuple[complex, ...] | None] = {}  # twins often give the same answer
    for candidate in candidates(tree, ctx):
        if candidate.answer not in seen:
            seen[candidate.answer] = values_at(candidate.answer, points)
        values = seen[candidate.answer]
        if values is None or same_values(values, correct) or not same_values(values, given):
            continue
        matches.setdefault(candidate.misconception.id, []).append(candidate)
    found = _one_explanation(matches)
    if found is None or not agrees_elsewhere(found.answer, answer, variable):
        return None
    return _diagnosis(found, tree, ctx)


# the inner derivative left out: named over a coincidence strictly inside the same chain
_OMISSIONS = ("chain_inner_missing", "log_chain_missing")


# (an explanation, what outranks it): the function itself or f'' as the answer is named only
# when no rule's twin gives it (e^(3x) for d/dx e^(3x) is the chain rule's inner derivative
# left out); and a held variable differentiated only by a cancellation (−y² giving −2y exactly
# where a dropped 2yz term would have given +2y) loses to the term the line visibly lacks;
# (2x)³ → 3(2x)² is the inner derivative left out, not (2x)² read as 2x² times 2 by chance.
_ANY_RULE = tuple(
    m.id for m in MISCONCEPTIONS if m.id not in ("not_differentiated", "differentiated_twice")
)
_WEAKER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("not_differentiated", _ANY_RULE),
    ("differentiated_twice", _ANY_RULE),
    ("partial_other_var_not_constant", ("partial_term_dropped",)),
    ("power_of_product_not_distributed", ("chain_inner_missing",)),  # 3(2x)² for d/dx (2x)³
)


def _one_explanation(matches: dict[str, list[_Candidate]]) -> _Candidate | None:
    """The one misconception behind the answer, or None when the evidence is ambiguous."""
    for weaker, stronger in _WEAKER:
        if weaker in matches and any(s in matches for s in stronger):
            del matches[weaker]
    if len(matches) == 1:
        return next(iter(matches.values()))[0]
    for omission in _OMISSIONS:
        for candidate in matches.get(omission, ()):
            chain = candidate.node
            if candidate.nodes or not isinstance(chain, r.ChainRule):
                continue  # the twin at several chains at once: no single chain to point at
            inside = {id(n) for n in r.walk(chain) if n is not chain}
            others = [c for key, cs in matches.items() if key != omission for c in cs]
            if all(id(n) in inside for c in others for n in c.changed):
                return candidate
    return None


def _diagnosis(found: _Candidate, tree: r.Rule, ctx: Context) -> Diagnosis:
    m, node = found.misconception, found.node
    correction = f"{r.applied(node.variable, node.expr, partial=_partial(node, ctx))} = "
    correction += _p(node.result)
    if node is not tree:
        whole = r.applied(tree.variable, tree.expr, partial=_partial(tree, ctx))
        correction += f", so {whole} = {_p(tree.result)}"
    chain = next((n for n in r.walk(tree) if isinstance(n, r.ChainRule) and n.outer is node), None)
    question = m.question(Slip(node, tree, found.answer, chain, found.local))
    return Diagnosis(m.id, m.name, node, question, m.rule_hint, correction, tree.result)


def diagnose_answer(task: Expr, answer: Expr) -> list[Any]:
    """The hook `check` calls: a Feedback for the misconception behind a wrong derivative.

    ``task`` is the expected side as read (an unevaluated Derivative); ``answer`` is evaluated.
    Returns [] when nothing matches, or when sympy cannot take the answer apart (a hint
    is never worth a verdict); check's own time limit (TimeLimitExceeded) passes through so
    the check can still end on time, and so does a bug.
    """
    from gradtutor.calculus.errors import maths_failure

    try:
        return _diagnose_answer(task, answer)
    except Exception as exc:
        if not maths_failure(exc):
            raise  # a bug in gradtutor: exit 70
        return []


def _diagnose_answer(task: Expr, answer: Expr) -> list[Any]:
    from gradtutor.calculus.results import Feedback

    if not task.has(sympy.Derivative):
        unasked = diagnose_unasked_derivative(task, answer)
        return [] if unasked is None else [unasked]
    if not isinstance(task, sympy.Derivative) or len(task.variables) != 1:
        return []
    found = diagnose(task.expr, task.variables[0], answer)
    if found is None:
        return []
    return [Feedback(kind="misconception", id=found.id, message=found.message)]


def diagnose_unasked_derivative(expected: Expr, answer: Expr) -> Any | None:
    """The answer is the derivative of the expected expression, which asked for no derivative
    (x³ expected, 3x² given): a Feedback naming it, or None."""
    from gradtutor.calculus.results import Feedback

    symbols = sorted(expected.free_symbols, key=str)
    if not symbols or len(symbols) > 3:
        return None
    if equal_at_samples(expected, answer):
        return None
    for v in symbols:
        derivative = sympy.diff(expected, v)
        if (
            derivative != 0
            and equal_at_samples(derivative, answer)
            and agrees_elsewhere(derivative, answer, v)
        ):
            d = r.operator(v, partial=len(symbols) > 1)
            message = (
                f"differentiated, not asked: you wrote {_p(answer)}, which is {d} of "
                f"{_s(expected)}. Here the expression itself is asked for, not its derivative."
            )
            return Feedback(kind="misconception", id=DIFFERENTIATED_UNASKED, message=message)
    return None
