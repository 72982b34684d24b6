"""The one place that decides how a learner's text becomes sympy.

A hand-written recursive-descent parser over the tokens of :mod:`lexer`, building
sympy objects directly — typed text is never passed to ``eval`` (sympy's own
``parse_expr`` evaluates Python, so it is not used). Every construction is
guarded: input length, nesting depth, the size of powers and factorials.

Grammar (lowest precedence first)::

    sum     := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary | unary)*     # juxtaposition multiplies, left to right
    unary   := ("-" | "+") unary | power              # -x^2 is -(x^2)
    power   := postfix ("^" exponent | SUPERSCRIPT)*  # right-associative
    postfix := atom "!"*
    atom    := NUMBER | NAME | CONST | "(" sum ")" | "|" sum "|" | "√" power
             | FUNC ["^" exponent] (args | operand) | DERIV (group | operand)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import sympy
from sympy import Derivative, Integer, Rational, Symbol

from gradtutor.calculus.errors import ParseError, TooLargeError
from gradtutor.calculus.functions import sigmoid, softplus
from gradtutor.calculus.lexer import Token, normalise, tokenize
from gradtutor.calculus.limits import (
    check_derivatives,
    check_node,
    check_numbers,
    check_periodic,
    check_power,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "ParseError", "Parsed", "parse"]

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 100  # nested brackets, functions and powers
MAX_BITS = 13_000  # an exact number may have about 3,900 digits (Python prints up to 4,300)
MAX_EXPONENT = 10**6  # x^n with a symbolic base
MAX_FACTORIAL = 1000

_START_KINDS = frozenset({"NUM", "NAME", "CONST", "FUNC", "SQRT", "DERIV"})


# name -> (sympy callable, minimum args, maximum args)
_ONE_ARG: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "cot": sympy.cot,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "asec": sympy.asec,
    "acsc": sympy.acsc,
    "acot": sympy.acot,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "sech": sympy.sech,
    "csch": sympy.csch,
    "coth": sympy.coth,
    "asinh": sympy.asinh,
    "acosh": sympy.acosh,
    "atanh": sympy.atanh,
    "exp": sympy.exp,
    "ln": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "relu": lambda u: sympy.Max(0, u),
    "sigmoid": sigmoid,
    "softplus": softplus,
    "sign": sympy.sign,
    "heaviside": sympy.Heaviside,
    "factorial": sympy.factorial,
}
_ALIASES = {
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arcsec": "asec",
    "arccsc": "acsc",
    "arccot": "acot",
    "arsinh": "asinh",
    "arcsinh": "asinh",
    "arcosh": "acosh",
    "arccosh": "acosh",
    "artanh": "atanh",
    "arctanh": "atanh",
    "sgn": "sign",
    "cosec": "csc",
    "log2": "log_2",
    "log10": "log_10",
}
# Functions that may carry a power before their argument: cos^2(x), ln^2(x).
_POWERABLE = frozenset(
    [
        "sin",
        "cos",
        "tan",
        "sec",
        "csc",
        "cot",
        "sinh",
        "cosh",
        "tanh",
        "sech",
        "csch",
        "coth",
        "ln",
        "log",
        "sigmoid",
        "softplus",
    ]
)
_INVERTIBLE = {
    "sin": "asin",
    "cos": "acos",
    "tan": "atan",
    "sec": "asec",
    "csc": "acsc",
    "cot": "acot",
    "sinh": "asinh",
    "cosh": "acosh",
    "tanh": "atanh",
}
_LHS = re.compile(
    r"""^\s*(?:
        [A-Za-z\u0370-\u03ff]\w*'*(?:\s*\([^()=]*\))?   # f, f', f(x), f'(x), f(x,y)
      | d\w*\s*/\s*d\w+                                # dy/dx, df/dx
      | ∂\w*\s*/\s*∂\w+                                # ∂f/∂x
    )?\s*=(?!=)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Parsed:
    """What a learner typed, read as maths.

    ``expr`` keeps derivative operators unevaluated (``Derivative``); ``value``
    evaluates them. ``plain`` reads back through :func:`parse` to the same
    expression; ``pretty`` is for display ("read as: 3·x²").
    """

    text: str
    expr: sympy.Expr
    notes: tuple[str, ...] = field(default=())
    evaluated: sympy.Expr | None = field(default=None, repr=False)  # set when expr is raw

    @property
    def evaluated_expr(self) -> sympy.Expr:
        """The expression with sympy's automatic simplification applied (derivatives kept)."""
        return self.expr if self.evaluated is None else self.evaluated

    @cached_property
    def value(self) -> sympy.Expr:
        expr = self.evaluated_expr
        if expr.has(Derivative):
            return doit_real(expr)
        return expr

    @cached_property
    def numeric_form(self) -> sympy.Expr:
        """What to evaluate at points: the raw tree when there is one, so domains are as typed.

        sympy rewrites exp(ln(x)) to x and sqrt(x)^2 to x (true for complex numbers);
        over the reals the typed form is undefined for x < 0, and that matters.
        """
        if self.has_derivative:
            return self.value
        return self.expr

    @cached_property
    def symbols(self) -> tuple[Symbol, ...]:
        return tuple(sorted(self.value.free_symbols, key=lambda s: s.name))

    @cached_property
    def plain(self) -> str:
        from gradtutor.calculus.printing import plain

        return plain(self.expr)

    @cached_property
    def pretty(self) -> str:
        from gradtutor.calculus.printing import pretty

        return pretty(self.expr)

    @property
    def has_derivative(self) -> bool:
        return self.expr.has(Derivative)


_COMPLEX_PARTS = (sympy.re, sympy.im, sympy.conjugate, sympy.arg, Derivative)


def doit_real(expr: sympy.Expr) -> sympy.Expr:
    """Evaluate derivative operators with every variable real (so d/dx|x| is sign(x)).

    Plain symbols first (fast); only when sympy answers in complex terms (re, im,
    Derivative left over — it does for |u|) redo it with real symbols (slower)."""
    check_derivatives(expr)  # a 20th derivative of a power tower is refused, not worked
    result = expr.doit()
    check_numbers(result)
    if not result.has(*_COMPLEX_PARTS):
        return result
    symbols = expr.free_symbols | {
        v for d in expr.atoms(Derivative) for v in d.variables if isinstance(v, Symbol)
    }
    real = {s: Symbol(s.name, real=True) for s in symbols if isinstance(s, Symbol)}
    back = {r: s for s, r in real.items()}
    return expr.xreplace(real).doit().xreplace(back)


def parse(text: str, *, evaluate: bool = True) -> Parsed:
    """Read ``text`` in gradtutor's input language (plain, unicode or LaTeX).

    With ``evaluate=False`` the learner's arithmetic is kept as typed
    (``3*3*1^2`` stays a product of 3, 3 and 1²) for step-by-step comparison.
    Raises :class:`ParseError` with a column and a hint.
    """
    if not isinstance(text, str):
        raise ParseError("expected text")
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"the input is {len(text):,} characters long; gradtutor reads up to {MAX_LENGTH:,}",
            text[:80] + "…",
            None,
        )
    source = text
    if "\\" in text or "_{" in text or text.strip().startswith("$"):
        from gradtutor.calculus.latex import latex_to_plain

        source = latex_to_plain(text)
    source = normalise(source)
    source = _strip_lhs(source)
    if not source.strip():
        raise ParseError("there is nothing to read", source, None, hint="type an expression")
    parser = _Parser(source, tokenize(source))
    expr = parser.parse()
    check_periodic(expr, source)
    if not evaluate:
        raw = _Parser(source, tokenize(source), evaluate=False).parse()
        return Parsed(text=text, expr=raw, notes=tuple(parser.notes), evaluated=expr)
    return Parsed(text=text, expr=expr, notes=tuple(parser.notes))


def _strip_lhs(source: str) -> str:
    """Drop a leading ``f'(x) =``, ``dy/dx =``, ``∂f/∂x =`` or ``=`` (blanked, columns kept)."""
    m = _LHS.match(source)
    if m and "=" not in source[m.end() :]:
        return " " * m.end() + source[m.end() :]
    if "=" in source:
        col = source.index("=")
        raise ParseError(
            "this looks like an equation; type just the expression",
            source,
            col,
            hint="a leading f'(x) = or dy/dx = is fine; the rest must be one expression",
        )
    return source


class _Parser:
    def __init__(self, text: str, tokens: list[Token], *, evaluate: bool = True) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.abs_depth = 0
        self.evaluate = evaluate
        self.notes: list[str] = []

    # -- token helpers -------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.pos + k, len(self.tokens) - 1)]

    def is_op(self, value: str) -> bool:
        return self.tok.kind == "OP" and self.tok.value == value

    def advance(self) -> Token:
        tok = self.tok
        self.pos += 1
        return tok

    def error(self, message: str, column: int | None = None, hint: str | None = None) -> ParseError:
        return ParseError(message, self.text, self.tok.start if column is None else column, hint)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                self.text,
                self.tok.start,
            )

    # -- grammar -------------------------------------------------------------
    def parse(self) -> sympy.Expr:
        expr = self.sum()
        if self.tok.kind != "END":
            raise self.unexpected()
        return expr

    def sum(self) -> sympy.Expr:
        self.enter()
        left = self.term()
        terms = [left]
        while self.is_op("+") or self.is_op("-"):
            op = self.advance()
            if self.tok.kind == "END":
                raise self.error(f"something is missing after '{op.value}'", op.start)
            right = self.term()
            terms.append(right if op.value == "+" else self.neg(right))
            if self.evaluate:
                left = self.build(op, sympy.Add, left, terms[-1])
        self.depth -= 1
        if not self.evaluate and len(terms) > 1:
            return sympy.Add(*terms, evaluate=False)
        return left

    def term(self) -> sympy.Expr:
        left = self.unary()
        factors = [left]
        while True:
            tok = self.tok
            if self.is_op("*") or self.is_op("/"):
                self.advance()
                if self.tok.kind == "END":
                    raise self.error(f"something is missing after '{tok.value}'", tok.start)
                right = self.unary()
                if not self.evaluate:
                    if right.is_zero and tok.value == "/":
                        raise ParseError("division by zero", self.text, tok.start)
                    if tok.value == "/" and right.is_Integer and factors[-1].is_Rational:
                        factors[-1] = factors[-1] / right  # a typed fraction 1/2 is one number
                    else:
                        factors.append(right if tok.value == "*" else _reciprocal(right))
                elif tok.value == "*":
                    left = self.build(tok, sympy.Mul, left, right)
                else:
                    left = self.divide(tok, left, right)
            elif self.starts_operand():
                if tok.kind == "NUM" and self.tokens[self.pos - 1].kind == "NUM":
                    prev = self.tokens[self.pos - 1].value
                    raise self.error(
                        "two numbers in a row",
                        hint=f"did you mean {prev}*{tok.value} or {prev}{tok.value}?",
                    )
                right = self.power()
                if self.evaluate:
                    left = self.build(tok, sympy.Mul, left, right)
                else:
                    factors.append(right)
            elif not self.evaluate:
                return sympy.Mul(*factors, evaluate=False) if len(factors) > 1 else factors[0]
            else:
                return left

    def starts_operand(self) -> bool:
        tok = self.tok
        if tok.kind in _START_KINDS:
            return True
        if tok.kind == "OP" and tok.value == "(":
            return True
        return tok.kind == "OP" and tok.value == "|" and self.abs_depth == 0

    def unary(self) -> sympy.Expr:
        if self.is_op("-") or self.is_op("+"):
            op = self.advance()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return self.neg(operand) if op.value == "-" else operand
        return self.power()

    def power(self) -> sympy.Expr:
        base_tok = self.tok
        base = self.postfix()
        return self.exponents(base, base_tok)

    def exponents(self, base: sympy.Expr, base_tok: Token) -> sympy.Expr:
        if self.tok.kind == "SUP":
            sup = self.advance()
            base = self.pow(sup, base, Integer(int(sup.value)))
            return self.exponents(base, base_tok)
        if self.is_op("^"):
            caret = self.advance()
            if self.tok.kind == "END" or (self.tok.kind == "OP" and self.tok.value in ")*/^,"):
                raise self.error("the exponent is missing", caret.start, hint="for example x^2")
            self.enter()
            exp_tok = self.tok
            exponent = self.exponent()
            self.depth -= 1
            self.note_glued_exponent(base_tok, exp_tok)
            self.note_fraction_exponent(base_tok, exp_tok)
            return self.pow(caret, base, exponent)
        return base

    def exponent(self) -> sympy.Expr:
        if self.is_op("-") or self.is_op("+"):
            op = self.advance()
            self.enter()
            operand = self.exponent()
            self.depth -= 1
            return self.neg(operand) if op.value == "-" else operand
        return self.power()

    def note_glued_exponent(self, base_tok: Token, exp_tok: Token) -> None:
        """``e^2x`` is e²·x; say so, since the learner may have meant e^(2x)."""
        nxt = self.tok
        if (
            base_tok.kind in ("CONST", "NUM")
            and exp_tok.kind == "NUM"
            and self.pos > 0
            and self.tokens[self.pos - 1] is exp_tok
            and nxt.kind in ("NAME", "CONST")
            and not nxt.spaced
        ):
            base_text = self.text[base_tok.start : exp_tok.end]
            self.notes.append(
                f"{base_text}{nxt.value} was read as ({base_text})·{nxt.value}; "
                f"write {base_text[: base_text.rindex('^') + 1]}({exp_tok.value}{nxt.value}) "
                "if the exponent is meant to include it"
            )

    def note_fraction_exponent(self, base_tok: Token, exp_tok: Token) -> None:
        """``x^1/2`` is (x^1)/2; say so, since the learner may have meant x^(1/2)."""
        if (
            exp_tok.kind == "NUM"
            and self.tokens[self.pos - 1] is exp_tok
            and self.is_op("/")
            and self.peek().kind == "NUM"
        ):
            typed = self.text[base_tok.start : self.peek().end]
            caret = typed.rindex("^")
            self.notes.append(
                f"{typed} was read as ({typed[: typed.index('/')]})/{self.peek().value}; "
                f"write {typed[: caret + 1]}({typed[caret + 1 :]}) for a fractional power"
            )

    def postfix(self) -> sympy.Expr:
        expr = self.atom()
        while self.is_op("!"):
            bang = self.advance()
            expr = self.factorial(bang, expr)
        return expr

    def atom(self) -> sympy.Expr:
        tok = self.tok
        if tok.kind == "NUM":
            self.advance()
            return Rational(tok.value) if "." in tok.value else Integer(tok.value)
        if tok.kind == "NAME":
            self.advance()
            return Symbol(tok.value)
        if tok.kind == "CONST":
            self.advance()
            return sympy.E if tok.value == "E" else sympy.pi
        if tok.kind == "FUNC":
            return self.call()
        if tok.kind == "DERIV":
            return self.derivative()
        if tok.kind == "SQRT":
            self.advance()
            self.enter()
            arg = self.power()
            self.depth -= 1
            return self.apply(tok, sympy.sqrt, arg)
        if self.is_op("("):
            return self.group()
        if self.is_op("|"):
            self.advance()
            self.abs_depth += 1
            inner = self.sum()
            if not self.is_op("|"):
                raise self.error("the absolute value |…| is not closed", tok.start, hint="add a |")
            self.advance()
            self.abs_depth -= 1
            return self.apply(tok, sympy.Abs, inner)
        raise self.unexpected()

    def group(self) -> sympy.Expr:
        open_tok = self.advance()
        if self.is_op(")"):
            raise self.error("empty brackets ()", open_tok.start)
        saved_abs, self.abs_depth = self.abs_depth, 0
        inner = self.sum()
        self.abs_depth = saved_abs
        if not self.is_op(")"):
            if self.tok.kind == "END":
                raise self.error("this bracket is never closed", open_tok.start, hint="add a )")
            raise self.unexpected()
        self.advance()
        return inner

    def arguments(self, func: Token) -> list[sympy.Expr]:
        open_tok = self.advance()
        saved_abs, self.abs_depth = self.abs_depth, 0
        args = []
        if self.is_op(")"):
            raise self.error(f"{func.value}() needs an argument", open_tok.start)
        while True:
            args.append(self.sum())
            if self.is_op(","):
                self.advance()
                continue
            if self.is_op(")"):
                self.advance()
                break
            if self.tok.kind == "END":
                raise self.error("this bracket is never closed", open_tok.start, hint="add a )")
            raise self.unexpected()
        self.abs_depth = saved_abs
        return args

    def call(self) -> sympy.Expr:
        func = self.advance()
        name = _ALIASES.get(func.value, func.value)
        self.enter()
        power: sympy.Expr | None = None
        power_tok = self.tok
        if self.tok.kind == "SUP":
            power = Integer(int(self.advance().value))
        elif self.is_op("^"):
            self.advance()
            power = self.exponent()
        if power is not None and name not in _POWERABLE:
            raise self.error(
                f"a power right after {func.value} is only read for trig, hyperbolic "
                "and log functions (cos^2(x))",
                power_tok.start,
                hint=f"write {func.value}(…)^n",
            )
        if self.is_op("("):
            args = self.arguments(func)
        elif name in ("max", "min", "diff"):
            raise self.error(f"{func.value} needs brackets, e.g. {func.value}(0, x)", func.end)
        elif self.tok.kind == "END" or (not self.starts_operand() and not self.is_op("-")):
            raise self.error(f"{func.value} needs an argument", func.end, hint=f"{func.value}(x)")
        else:
            args = [self.implicit_operand()]
        if power is not None and power == -1 and name in _INVERTIBLE:
            name, power = _INVERTIBLE[name], None
        result = self.apply_named(func, name, args)
        if power is not None:
            result = self.pow(power_tok, result, power)
        self.depth -= 1
        return result

    def implicit_operand(self) -> sympy.Expr:
        """The argument of ``sin 2x`` or ``d/dx x^3``: a product of factors without brackets."""
        negative = False
        if self.is_op("-"):
            self.advance()
            negative = True
        operand = self.power()
        while self.tok.kind in ("NUM", "NAME", "CONST", "SQRT") or self.is_op("("):
            tok = self.tok
            operand = self.build(tok, sympy.Mul, operand, self.power())
        return self.neg(operand) if negative else operand

    def derivative(self) -> sympy.Expr:
        tok = self.advance()
        self.enter()
        if self.is_op("("):
            operand = self.group()
        elif self.tok.kind == "END" or not (self.starts_operand() or self.is_op("-")):
            raise self.error(
                f"what should be differentiated with respect to {tok.value}?",
                tok.end,
                hint=f"d/d{tok.value}(…)",
            )
        else:
            operand = self.implicit_operand()
        self.depth -= 1
        return self.make_derivative(tok, operand, [(Symbol(tok.value), tok.order)])

    # -- construction (guarded) ----------------------------------------------
    def apply_named(self, func: Token, name: str, args: list[sympy.Expr]) -> sympy.Expr:
        if name == "diff":
            return self.diff_call(func, args)
        if name in ("max", "min"):
            if len(args) < 2:
                raise self.error(
                    f"{name} needs at least two arguments, e.g. {name}(0, x)", func.start
                )
            return self.apply(func, sympy.Max if name == "max" else sympy.Min, *args)
        if name == "log" or name.startswith("log_"):
            base_text = name[4:] if name.startswith("log_") else None
            if base_text is not None:
                if len(args) != 1:
                    raise self.error(f"{func.value} takes one argument", func.start)
                base = sympy.E if base_text == "e" else Integer(base_text)
                args = [args[0], base]
            if len(args) == 1:
                return self.apply(func, sympy.log, args[0])
            if len(args) == 2:
                return self.apply(func, sympy.log, args[0], args[1])
            raise self.error("log takes one argument, or two: log(x, base)", func.start)
        fn = _ONE_ARG.get(name)
        if fn is None:  # pragma: no cover - the lexer only emits known names
            raise self.error(f"unknown function {func.value}", func.start)
        if len(args) != 1:
            raise self.error(f"{func.value} takes one argument", func.start)
        if name == "factorial":
            return self.factorial(func, args[0])
        return self.apply(func, fn, args[0])

    def diff_call(self, func: Token, args: list[sympy.Expr]) -> sympy.Expr:
        if len(args) < 2:
            raise self.error("diff needs the variable too: diff(x^2 y, x)", func.start)
        variables: list[tuple[Symbol, int]] = []
        for arg in args[1:]:
            if isinstance(arg, Symbol):
                variables.append((arg, 1))
            elif arg.is_Integer and variables and 1 <= int(arg) <= 3:
                variables[-1] = (variables[-1][0], int(arg))
            else:
                raise self.error(
                    "diff(f, x, …) takes variables after the expression",
                    func.start,
                    hint="diff(x^2 y, x) or diff(x^3, x, 2)",
                )
        return self.make_derivative(func, args[0], variables)

    def make_derivative(
        self, tok: Token, operand: sympy.Expr, variables: list[tuple[Symbol, int]]
    ) -> sympy.Expr:
        try:
            return Derivative(operand, *variables, evaluate=False)
        except (ValueError, TypeError) as exc:
            raise self.error(f"can't differentiate this: {exc}", tok.start) from None

    def build(self, tok: Token, op: Callable[..., sympy.Expr], *args: sympy.Expr) -> sympy.Expr:
        if self.evaluate:
            return self.checked(tok, op(*args))
        return op(*args, evaluate=False)

    def apply(self, tok: Token, fn: Callable[..., sympy.Expr], *args: sympy.Expr) -> sympy.Expr:
        if self.evaluate:
            return self.checked(tok, fn(*args))
        try:
            return fn(*args, evaluate=False)
        except TypeError:
            return fn(*args)

    def checked(self, tok: Token, expr: sympy.Expr) -> sympy.Expr:
        check_node(expr, self.text, tok.start)  # 1000!*1000! is over the limit once built
        if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise ParseError(
                "this is undefined (a division by zero, or ln of 0)",
                self.text,
                tok.start,
            )
        if expr.has(sympy.I):
            raise ParseError(
                "this is not a real number (gradtutor works with real numbers)",
                self.text,
                tok.start,
            )
        return expr

    def neg(self, expr: sympy.Expr) -> sympy.Expr:
        if self.evaluate or expr.is_Number:
            return -expr
        return sympy.Mul(Integer(-1), expr, evaluate=False)

    def divide(self, tok: Token, left: sympy.Expr, right: sympy.Expr) -> sympy.Expr:
        if right.is_zero:
            raise ParseError("division by zero", self.text, tok.start)
        if self.evaluate:
            return self.checked(tok, left / right)
        return sympy.Mul(left, sympy.Pow(right, -1, evaluate=False), evaluate=False)

    def pow(self, tok: Token, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if self.evaluate:
            _guard_power(self.text, tok.start, base, exponent)
            if base.is_zero and exponent.is_negative:
                raise ParseError(
                    "0 to a negative power is a division by zero", self.text, tok.start
                )
        if base is sympy.E and not self.evaluate:
            return sympy.exp(exponent, evaluate=False)  # prints as e^(−x), not 1/e^x
        return self.build(tok, sympy.Pow, base, exponent)

    def factorial(self, tok: Token, arg: sympy.Expr) -> sympy.Expr:
        if self.evaluate and arg.is_Number:
            if not arg.is_Integer or arg < 0:
                raise ParseError(
                    "factorials are read for whole numbers 0, 1, 2, …", self.text, tok.start
                )
            if arg > MAX_FACTORIAL:
                raise TooLargeError(
                    f"{arg}! is too large to work with (gradtutor computes up to {MAX_FACTORIAL}!)",
                    self.text,
                    tok.start,
                )
        return self.apply(tok, sympy.factorial, arg)

    def unexpected(self) -> ParseError:
        tok = self.tok
        if tok.kind == "END":
            return self.error(
                "the expression ends too soon", hint="something is missing at the end"
            )
        if tok.kind == "OP" and tok.value == ")":
            return self.error("this ) has no matching (", hint="remove it, or add a ( before it")
        if tok.kind == "OP" and tok.value == "|":
            return self.error("unexpected |", hint="|x| needs a bar on each side")
        if tok.kind == "OP" and tok.value == ",":
            return self.error(
                "unexpected ','", hint="commas separate function arguments: max(0, x)"
            )
        if tok.kind == "OP" and tok.value in "*/^!":
            return self.error(f"'{tok.value}' needs something before it")
        if tok.kind == "SUP":
            return self.error("a superscript needs something before it")
        return self.error(f"unexpected '{self.text[tok.start : tok.end]}'")


def _about(digits: int) -> str:
    return f"about {digits:,}" if digits < 10**15 else "more than 10^15"


def _reciprocal(expr: sympy.Expr) -> sympy.Expr:
    if expr.is_Integer:
        return Rational(1, expr)
    return sympy.Pow(expr, -1, evaluate=False)


def _guard_power(text: str, column: int, base: sympy.Expr, exponent: sympy.Expr) -> None:
    """Refuse powers whose exact value would be astronomically large (9^9^9)."""
    if exponent.is_Integer:
        n = abs(int(exponent))
        if base.is_Rational:
            p, q = abs(int(base.p)), int(base.q)
            size = max(p.bit_length(), q.bit_length())
            if size > 1 and n * (size - 1) > MAX_BITS:
                digits = int(n * math.log10(max(p, q))) + 1 if n < 10**15 else 10**15
                raise TooLargeError(
                    f"this power has {_about(digits)} digits; gradtutor works with numbers "
                    f"up to about {int(MAX_BITS * math.log10(2)):,} digits",
                    text,
                    column,
                )
        elif n > MAX_EXPONENT:
            raise TooLargeError(
                f"the exponent {n:,} is too large "
                f"(gradtutor reads exponents up to {MAX_EXPONENT:,})",
                text,
                column,
            )
    elif (
        exponent.is_Rational
        and base.is_Rational
        and max(abs(int(base.p)), int(base.q)).bit_length() > MAX_BITS
    ):
        raise TooLargeError("this root is of too large a number", text, column)
    else:
        check_power(base, exponent, text, column)  # 2^(10^6/3) holds 2^333333 exactly
