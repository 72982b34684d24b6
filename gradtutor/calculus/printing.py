"""Print sympy expressions in gradtutor's own languages.

``plain``: ASCII input-language syntax (``9*x^2``, ``exp(-x)``, ``abs(x)``,
``d/dx(x^3)``) that :func:`gradtutor.calculus.parsing.parse` reads back to the same
expression — the form used in every ``--json`` output.

``pretty``: a one-line unicode rendering for people (``9x²``, ``e^(−x)``, ``|x|``,
``∂/∂x(x²y)``), used in "read as" lines and rich output.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import sympy
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from gradtutor.calculus.lexer import GREEK_LETTERS

_GREEK_CHAR = {name: ch for ch, name in GREEK_LETTERS.items()}
_GREEK_CHAR.update({"epsilon": "ε", "theta": "θ", "sigma": "σ", "phi": "φ"})


class PlainPrinter(StrPrinter):
    """sympy's str printer, speaking gradtutor's input language."""

    _default_settings: ClassVar[dict[str, Any]] = {**StrPrinter._default_settings, "order": None}

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "e"

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr: sympy.Expr) -> str:
        return "max(" + ", ".join(self._print(a) for a in _ordered_minmax(expr)) + ")"

    def _print_Min(self, expr: sympy.Expr) -> str:
        return "min(" + ", ".join(self._print(a) for a in _ordered_minmax(expr)) + ")"

    def _print_Heaviside(self, expr: sympy.Expr) -> str:
        return f"heaviside({self._print(expr.args[0])})"

    def _print_Derivative(self, expr: sympy.Derivative) -> str:
        inner = self._print(expr.expr)
        variables = list(expr.variable_count)
        if len(variables) == 1:
            var, count = variables[0]
            if count == 1:
                return f"d/d{var}({inner})"
            return f"d^{count}/d{var}^{count}({inner})"
        args = ", ".join(f"{v}, {c}" if c > 1 else str(v) for v, c in variables)
        return f"diff({inner}, {args})"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Mul(self, expr: sympy.Mul) -> str:
        return super()._print_Mul(expr).replace("**", "^")

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return f"{expr.p}/{expr.q}" if expr.q != 1 else str(expr.p)

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return expr.name

    def _print_Float(self, expr: sympy.Float) -> str:
        # Floats never come from the parser; print them exactly as a fraction.
        return self._print(sympy.Rational(str(expr)))

    def _print_factorial(self, expr: sympy.Expr) -> str:
        return f"factorial({self._print(expr.args[0])})"


def _ordered_minmax(expr: sympy.Expr) -> list[sympy.Expr]:
    """max(0, x) reads better than max(x, 0): numbers first."""
    return sorted(expr.args, key=lambda a: (not a.is_Number, sympy.default_sort_key(a)))


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class PrettyPrinter(PlainPrinter):
    """One-line unicode maths: 3x², x·y, e^(2x), √x, |x|, σ(x), ∂/∂x(…)."""

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        name = expr.name
        m = re.fullmatch(r"([A-Za-z]+)(_?)(\w*)", name)
        if m and m.group(1) in _GREEK_CHAR:
            name = _GREEK_CHAR[m.group(1)] + m.group(2) + m.group(3)
        return name

    def _print_Pi(self, expr: sympy.Expr) -> str:
        return "π"

    def _print_log(self, expr: sympy.Expr) -> str:
        if len(expr.args) == 1:
            return f"ln({self._print(expr.args[0])})"
        return super()._print_Function(expr)

    def _print_sigmoid(self, expr: sympy.Expr) -> str:
        return f"σ({self._print(expr.args[0])})"

    def _print_exp(self, expr: sympy.Expr) -> str:
        arg = expr.args[0]
        text = self._print(arg)
        if arg.is_Symbol or (arg.is_Integer and arg > 0):
            return f"e^{text}"
        return f"e^({text})"

    def _print_Derivative(self, expr: sympy.Derivative) -> str:
        inner = self._print(expr.expr)
        partial = len(expr.expr.free_symbols) > 1 or len(expr.variable_count) > 1
        d = "∂" if partial else "d"
        parts = []
        for var, count in expr.variable_count:
            v = self._print(var)
            parts.append(f"{d}{v}" if count == 1 else f"{d}{v}{str(count).translate(_SUPERSCRIPT)}")
        total = sum(c for _, c in expr.variable_count)
        top = d if total == 1 else d + str(total).translate(_SUPERSCRIPT)
        return f"{top}/{''.join(parts)}({inner})"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if isinstance(base, sympy.exp):  # (e^x)^y, not e^x^y
            power = self._print(exponent)
            if not (exponent.is_Symbol or (exponent.is_Integer and exponent > 0)):
                power = f"({power})"
            return f"({self._print(base)})^{power}"
        if exponent is sympy.S.Half:
            inner = self._print(base)
            return f"√{inner}" if base.is_Atom else f"√({inner})"
        if exponent.is_Integer and exponent >= 0:  # 1⁰ as 0¹ is, not 1^0 beside it
            text = self.parenthesize(base, PRECEDENCE["Pow"], strict=True)
            if base.is_Pow:
                text = f"({text})"  # (√x)² and (x²)², not √x² and x²²
            if base.is_Function and not isinstance(base, sympy.exp):
                # sin(x)² reads fine; keep it
                return f"{text}{str(exponent).translate(_SUPERSCRIPT)}"
            return f"{text}{str(exponent).translate(_SUPERSCRIPT)}"
        text = super()._print_Pow(expr, rational)
        return text

    def _print_Mul(self, expr: sympy.Mul) -> str:
        text = super()._print_Mul(expr)
        return _juxtapose(text)

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        return super()._print_Add(expr, order).replace(" - ", " − ")


_LETTERS = "A-Za-z\u0370-\u03ff"
_NUMBER_TIMES_LETTER = re.compile(rf"(?<![\w.^/])(\d+)\*(?=[{_LETTERS}(√|])")
_LETTER_DOT_LETTER = re.compile(
    rf"(?<![A-Za-z_\u0370-\u03ff])([{_LETTERS}][⁰¹²³⁴⁵⁶⁷⁸⁹⁻]*)·(?=[{_LETTERS}](?![\w(]))"
)


def _juxtapose(text: str) -> str:
    """3*x → 3x, x*y → xy (single letters only; w1·x1 keeps its dot)."""
    text = _NUMBER_TIMES_LETTER.sub(r"\1", text).replace("*", "·")
    previous = None
    while previous != text:
        previous, text = text, _LETTER_DOT_LETTER.sub(r"\1", text)
    return text


_plain = PlainPrinter()
_pretty = PrettyPrinter()


def _drop_double_parentheses(text: str) -> str:
    """((…)) → (…): sympy's printer doubles brackets around unevaluated denominators."""
    match: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            match[stack.pop()] = i
    drop: set[int] = set()
    for open_at, close_at in match.items():
        inner = open_at + 1
        if match.get(inner) == close_at - 1 and text[inner] == "(":
            drop.update((open_at, close_at))
    return "".join(ch for i, ch in enumerate(text) if i not in drop)


def plain(expr: sympy.Basic) -> str:
    """ASCII input-language syntax that reads back through ``parse`` unchanged in meaning."""
    return _drop_double_parentheses(_plain.doprint(expr))


def pretty(expr: sympy.Basic) -> str:
    """A one-line unicode rendering for display."""
    text = _drop_double_parentheses(_pretty.doprint(expr))
    text = re.sub(r"sqrt\(([A-Za-z0-9\u0370-\u03ff]+)\)", r"√\1", text).replace("sqrt(", "√(")
    return text.replace("-", "−")


def pretty_in_typed_order(expr: sympy.Basic, text: str) -> str:
    """``pretty(expr)``, but each sum's terms in the order they were typed in ``text``.

    sympy sorts the terms of a sum (3x³ − y² + 5x + 2 prints as 3x³ + 5x − y² + 2, also inside
    ∂/∂x(…)); a learner looks for the terms where they put them. Only the order changes: a sum
    is reordered when it has exactly the terms of a sum typed in ``text``, else it prints as
    :func:`pretty` prints it."""
    from gradtutor.calculus.parsing import parse

    try:
        raw = parse(text, evaluate=False).expr
    except ValueError:
        return pretty(expr)
    orders: dict[sympy.Basic, tuple[sympy.Basic, ...]] = {}
    for node in sympy.preorder_traversal(raw):
        if isinstance(node, sympy.Add):
            orders.setdefault(node, node.args)  # ``expr`` may be this raw tree itself
            terms = tuple(_evaluated(t) for t in node.args)
            whole = sympy.Add(*terms)
            if isinstance(whole, sympy.Add) and _same_terms(whole.args, terms):
                orders.setdefault(whole, terms)
    if not orders:
        return pretty(expr)
    text = _drop_double_parentheses(_TypedOrderPrinter(orders).doprint(expr))
    text = re.sub(r"sqrt\(([A-Za-z0-9\u0370-\u03ff]+)\)", r"√\1", text).replace("sqrt(", "√(")
    return text.replace("-", "−")


def _evaluated(expr: sympy.Basic) -> sympy.Basic:
    """An unevaluated (as typed) tree with sympy's automatic evaluation applied throughout."""
    if not expr.args or not isinstance(expr, sympy.Expr):
        return expr
    return expr.func(*(_evaluated(a) for a in expr.args))


def _same_terms(a: tuple[sympy.Basic, ...], b: tuple[sympy.Basic, ...]) -> bool:
    key = sympy.default_sort_key
    return sorted(a, key=key) == sorted(b, key=key)


class _TypedOrderPrinter(PrettyPrinter):
    """The pretty printer, with the sums in ``orders`` printed in their typed order."""

    def __init__(self, orders: dict[sympy.Basic, tuple[sympy.Basic, ...]]) -> None:
        super().__init__()
        self._orders = orders

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        terms = self._orders.get(expr)
        if terms is None:
            return super()._print_Add(expr, order)
        return super()._print_Add(sympy.Add(*terms, evaluate=False), "none")


def is_atomic(expr: sympy.Basic) -> bool:
    """True for expressions that need no brackets when juxtaposed."""
    return precedence(expr) >= PRECEDENCE["Atom"]
