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

from gradtutor.calculus import function_table
from gradtutor.calculus.errors import ParseError, TooLargeError
from gradtutor.calculus.latex import latex_to_plain, looks_like_latex
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


# From the one function table (see function_table.py).
_ALIASES = function_table.ALIASES
# Functions that may carry a power before their argument: cos^2(x), ln^2(x).
_POWERABLE = function_table.POWERABLE
_INVERTIBLE = function_table.INVERTIBLE
_LHS = re.compile(
    r"""^\s*(?:
        [A-Za-z\u0370-\u03ff]\w*'*(?:\s*\([^()=]*\))?   # f, f', f(x), f'(x), f(x,y)
      | d\w*\s*/\s*d\w+                                # dy/dx, df/dx
      | ∂\w*\s*/\s*∂\w+                                # ∂f/∂x
    )?\s*=(?!=)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Ambiguity:
    """A second common reading of part of the input: ``1/2x`` is (1/2)·x, or 1/(2x)?

    ``note`` is the parser's note about it; ``alternative`` the whole input rewritten with
    the other reading, so a checker can ask whether that reading changes the verdict."""

    note: str
    chosen: str
    other: str
    alternative: str
    how: str = "write it with brackets"


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
    ambiguities: tuple[Ambiguity, ...] = field(default=())

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
    if looks_like_latex(text):
        source = latex_to_plain(text)
    source = normalise(source)
    source = _strip_lhs(source)
    if not source.strip():
        raise ParseError("there is nothing to read", source, None, hint="type an expression")
    parser = _Parser(source, tokenize(source))
    expr = parser.parse()
    ambiguities = tuple(parser.ambiguities)
    check_periodic(expr, source)
    if not evaluate:
        raw = _Parser(source, tokenize(source), evaluate=False).parse()
        return Parsed(
            text=text,
            expr=raw,
            notes=tuple(parser.notes),
            evaluated=expr,
            ambiguities=ambiguities,
        )
    return Parsed(text=text, expr=expr, notes=tuple(parser.notes), ambiguities=ambiguities)


_GREEK_FOR_PREFIX = ("epsilon", "lambda", "alpha", "sigma", "theta", "gamma", "delta", "omega")


def _reduced_fraction(top: str, bottom: str) -> bool:
    """x^1/2 may mean x^(1/2); nobody writes x^(2/4), so x^2/4 is plainly x²/4."""
    if "." in top or "." in bottom:
        return False
    return math.gcd(int(top), int(bottom)) == 1 and int(bottom) > 1


def _caret_end(typed: str) -> int:
    """Where the exponent starts in ``x^2`` or ``x**2`` (just after the last power sign)."""
    caret = max(typed.rfind("^"), typed.rfind("**") + 1)
    return caret + 1


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
        self.ambiguities: list[Ambiguity] = []

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

    def ambiguous(
        self, note: str, start: int, end: int, chosen: str, other: str, how: str = ""
    ) -> None:
        """Record a note and the other reading of text[start:end], written as ``other``."""
        self.notes.append(note)
        alternative = self.text[:start] + other + self.text[end:]
        how = how or "write it with brackets"
        self.ambiguities.append(Ambiguity(note, chosen, other, alternative, how))

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
        term_start = self.tok.start
        left = self.unary()
        factors = [left]
        over: tuple[int, int, int] | None = None  # 1/2x: (slash end, denominator start, end)
        while True:
            tok = self.tok
            if self.is_op("*") or self.is_op("/"):
                self.note_over_number(term_start, over)
                over = None
                self.advance()
                if self.tok.kind == "END":
                    raise self.error(f"something is missing after '{tok.value}'", tok.start)
                right_tok = self.tok
                right = self.unary()
                glued = self.tokens[self.pos - 1] is right_tok
                if tok.value == "/" and glued and right_tok.kind == "NUM":
                    over = (tok.end, right_tok.start, right_tok.end)
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
                if over is not None and not tok.spaced:
                    over = (over[0], over[1], self.tokens[self.pos - 1].end)
                else:
                    self.note_over_number(term_start, over)
                    over = None
                if self.evaluate:
                    left = self.build(tok, sympy.Mul, left, right)
                else:
                    factors.append(right)
            else:
                self.note_over_number(term_start, over)
                if not self.evaluate:
                    return sympy.Mul(*factors, evaluate=False) if len(factors) > 1 else factors[0]
                return left

    def note_over_number(self, term_start: int, over: tuple[int, int, int] | None) -> None:
        """``1/2x`` is (1/2)·x; say so, since the learner may have meant 1/(2x)."""
        if over is None:
            return
        slash_end, den_start, end = over
        den_end = next(t.end for t in self.tokens if t.start == den_start)
        if end == den_end:
            return  # 1/2 alone: nothing glued to the number
        typed = self.text[term_start:end]
        chosen = f"({self.text[term_start:den_end].strip()}){self.text[den_end:end]}"
        other = f"{self.text[term_start:slash_end]}({self.text[den_start:end]})"
        self.ambiguous(
            f"{typed} was read as {chosen}; write {other} if the whole of "
            f"{self.text[den_start:end]} is below the line",
            term_start,
            end,
            chosen,
            other,
        )

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
            head = base_text[: _caret_end(base_text)]
            other = f"{head}({exp_tok.value}{nxt.value})"
            self.ambiguous(
                f"{base_text}{nxt.value} was read as ({base_text})·{nxt.value}; "
                f"write {other} if the exponent is meant to include it",
                base_tok.start,
                nxt.end,
                f"({base_text})·{nxt.value}",
                other,
            )

    def note_fraction_exponent(self, base_tok: Token, exp_tok: Token) -> None:
        """``x^1/2`` is (x^1)/2; say so, since the learner may have meant x^(1/2)."""
        if (
            exp_tok.kind == "NUM"
            and self.tokens[self.pos - 1] is exp_tok
            and self.is_op("/")
            and self.peek().kind == "NUM"
            and _reduced_fraction(exp_tok.value, self.peek().value)
        ):
            typed = self.text[base_tok.start : self.peek().end]
            caret = _caret_end(typed)
            slash = typed.rindex("/")
            other = f"{typed[:caret]}({typed[caret:]})"
            self.ambiguous(
                f"{typed} was read as ({typed[:slash]})/{self.peek().value}; "
                f"write {other} for a fractional power",
                base_tok.start,
                self.peek().end,
                f"({typed[:slash]})/{self.peek().value}",
                other,
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
            self.note_letters_pi(tok)
            self.note_greek_prefix(tok)
            self.advance()
            return Symbol(tok.value)
        if tok.kind == "CONST":
            self.note_greek_prefix(tok)
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

    def note_letters_pi(self, tok: Token) -> None:
        """``pix`` is p·i·x: say so, since the learner may have meant π·x."""
        nxt = self.peek()
        if not (tok.value == "p" and nxt.kind == "NAME" and nxt.value == "i"):
            return
        if nxt.start != tok.end:
            return
        end, k = nxt.end, self.pos + 2
        while self.tokens[k].kind in ("NAME", "CONST") and self.tokens[k].start == end:
            end = self.tokens[k].end
            k += 1
        typed = self.text[tok.start : end]
        rest = self.text[nxt.end : end]
        letters = "·".join(typed)
        other = "pi*" + rest if rest else "pi"
        meant = "π·" + rest if rest else "π"
        self.ambiguous(
            f"{typed} was read as {letters}; write {other} if you meant {meant}",
            tok.start,
            end,
            letters,
            other,
            f"write {other}",
        )

    def note_greek_prefix(self, tok: Token) -> None:
        """``eps`` is e·p·s, ``lam`` is l·a·m: say so, since the learner may have meant ε, λ."""
        before = self.tokens[self.pos - 1] if self.pos > 0 else None
        if before is not None and before.kind in ("NAME", "CONST") and before.end == tok.start:
            return  # not the start of a run of letters
        end, k = tok.end, self.pos + 1
        while self.tokens[k].kind in ("NAME", "CONST") and self.tokens[k].start == end:
            end = self.tokens[k].end
            k += 1
        typed = self.text[tok.start : end]
        if len(typed) < 3 or not typed.isalpha():
            return
        greek = next((g for g in _GREEK_FOR_PREFIX if g.startswith(typed) and g != typed), None)
        if greek is None:
            return
        letters = "·".join(typed)
        self.ambiguous(
            f"{typed} was read as {letters}; write {greek} if you meant the Greek letter",
            tok.start,
            end,
            letters,
            greek,
            f"write {greek}",
        )

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
            operand_start = self.pos
            args = [self.implicit_operand()]
            self.note_implicit_argument(func, name, operand_start)
        if power is not None and power == -1 and name in _INVERTIBLE:
            name, power = _INVERTIBLE[name], None
        result = self.apply_named(func, name, args)
        if power is not None:
            result = self.pow(power_tok, result, power)
        self.depth -= 1
        return result

    def note_implicit_argument(self, func: Token, name: str, first: int) -> None:
        """``sin x^2`` is sin(x²), ``ln x/2`` is ln(x)/2: say so when the other reading,
        (sin x)² or ln(x/2), would change the verdict."""
        used = self.tokens[first : self.pos]
        if name not in _POWERABLE or not used or used[0].kind not in ("NAME", "NUM", "CONST"):
            return
        start, end = func.start, used[-1].end
        argument = self.text[used[0].start : used[0].end]
        power = self.text[used[0].end : end].strip()
        if len(used) in (2, 3) and (used[1].kind == "SUP" or used[1].value == "^"):
            if len(used) == 2 or used[2].kind == "NUM":
                chosen = f"{func.value}({argument}{power})"
                other = f"{func.value}({argument}){power}"
                self.ambiguous(
                    f"{self.text[start:end]} was read as {chosen}; "
                    f"write {other} if the power is on the {func.value}",
                    start,
                    end,
                    chosen,
                    other,
                )
            return
        nxt, after = self.tok, self.peek()
        if (
            len(used) == 1
            and nxt.kind == "OP"
            and nxt.value == "/"
            and after.kind in ("NUM", "NAME")
            and self.peek(2).kind in ("END", "OP")
            and self.peek(2).value not in ("^", "(")
        ):
            below = self.text[after.start : after.end]
            chosen = f"{func.value}({argument})/{below}"
            other = f"{func.value}({argument}/{below})"
            self.ambiguous(
                f"{self.text[start : after.end]} was read as {chosen}; "
                f"write {other} if the division is inside the {func.value}",
                start,
                after.end,
                chosen,
                other,
            )

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
        """``d/dx(f)``, ``d/dx f`` (everything after it at its level: d/dx x^2 + 1 is
        d/dx(x^2 + 1), as on paper), ``d(f)/dx`` and ``(f)'``."""
        tok = self.advance()
        self.enter()
        if tok.form == "prime":
            operand = self.group()
            self.depth -= 1
            return self.make_derivative(
                tok, operand, [(self.prime_variable(tok, operand), tok.order)]
            )
        if self.is_op("("):
            open_tok = self.tok
            operand = self.group()
            if tok.form != "leibniz" and (self.tok.kind == "SUP" or self.is_op("^")):
                # d/dx (x^4+1)^400: the power belongs to what is differentiated
                operand = self.exponents(operand, open_tok)
                self.note_operator(tok, operand)
        elif self.tok.kind == "END" or not (self.starts_operand() or self.is_op("-")):
            raise self.error(
                f"what should be differentiated with respect to {tok.value}?",
                tok.end,
                hint=f"d/d{tok.value}(…)",
            )
        else:
            operand = self.sum()
            if isinstance(operand, (sympy.Add, sympy.Mul)) and not _is_scaled_atom(operand):
                self.note_operator(tok, operand)
        self.depth -= 1
        return self.make_derivative(tok, operand, [(Symbol(tok.value), tok.order)])

    def note_operator(self, tok: Token, operand: sympy.Expr) -> None:
        """Say how far an operator without brackets reaches: "read as d/dx(x² + 1)"."""
        from gradtutor.calculus.printing import pretty

        typed = self.text[tok.start : tok.end].strip()
        self.notes.append(
            f"{typed} applies to everything after it: read as {typed}({pretty(operand)})"
        )

    def prime_variable(self, tok: Token, operand: sympy.Expr) -> Symbol:
        """The variable of ``(f)'``: the only one in f (x for a constant)."""
        symbols = sorted(operand.free_symbols, key=lambda s: s.name)
        if len(symbols) > 1:
            names = ", ".join(s.name for s in symbols)
            raise self.error(
                f"(…)' is a derivative, but of which variable? this has {names}",
                tok.start,
                hint=f"write d/d{symbols[0].name}(…) or ∂/∂{symbols[0].name}(…)",
            )
        return symbols[0] if symbols else Symbol("x")

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
                if base_text == "e":
                    base = sympy.E
                elif base_text.isdigit():
                    base = Integer(base_text)
                else:
                    base = Symbol(base_text)
                args = [args[0], base]
            if len(args) == 1:
                return self.apply(func, sympy.log, args[0])
            if len(args) == 2:
                return self.apply(func, sympy.log, args[0], args[1])
            raise self.error("log takes one argument, or two: log(x, base)", func.start)
        if name == "binomial":
            if len(args) != 2:
                raise self.error("binomial takes two arguments: binomial(n, k)", func.start)
            return self.apply(func, sympy.binomial, *args)
        if name not in function_table.BY_NAME:  # pragma: no cover - the lexer knows the names
            raise self.error(f"unknown function {func.value}", func.start)
        fn = function_table.sympy_callable(name)
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
            try:
                value = fn(*args)
            except ValueError:  # sympy's Max (relu) refuses an argument that is not real
                raise self.error(
                    f"{tok.value}(…) is not defined here: its argument is not a real number",
                    tok.start,
                ) from None
            return self.checked(tok, value)
        try:
            return fn(*args, evaluate=False)
        except TypeError:
            return fn(*args)

    def checked(self, tok: Token, expr: sympy.Expr) -> sympy.Expr:
        check_node(expr, self.text, tok.start)  # 1000!*1000! is over the limit once built
        if expr.has(sympy.re, sympy.im):
            # sympy treats letters as complex: |2^x| becomes 2^re(x). Every variable here is
            # real, so re(u) is u and im(u) is 0 (and "re" would read back as r·e).
            expr = expr.replace(sympy.re, lambda u: u).replace(sympy.im, lambda u: sympy.S.Zero)
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


def _is_scaled_atom(expr: sympy.Expr) -> bool:
    """3x or -x^2: one factor times a number, where "read as" would say nothing new."""
    if not isinstance(expr, sympy.Mul):
        return False
    return sum(1 for a in expr.args if not a.is_Number) <= 1


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
