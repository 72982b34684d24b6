"""The one table of elementary functions: one record per function.

The lexer's names, the parser's callables, aliases, ``cos^2(x)`` and ``sin^-1(x)``, the
LaTeX reader's commands, the numeric evaluator's mpmath functions and the derivative
rules used by ``explain`` all come from here. Adding ``gelu`` or ``softsign`` is one
record (plus its sympy class if sympy has none).

Pure data, standard library only, so the lexer (and ``gradtutor --help``) stays light;
the callables are looked up by name when first needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class ElementaryFunction:
    """One function of the input language.

    ``sympy`` names the sympy callable (an attribute of sympy, or of
    :mod:`gradtutor.calculus.functions`); ``mpmath`` the numeric one (an attribute of
    mpmath, or a special handled in :mod:`numeric`); ``derivative`` is f'(x) in the
    input language, the formula a derivative rule states (None: no rule, with the reason
    in ``no_rule``); ``powerable`` allows ``f^2(x)``; ``inverse`` names what ``f^-1(x)``
    means; ``large`` says where an argument too large to evaluate reliably starts
    ("both": |x| > 10^8, "above": x > 10^8).
    """

    name: str
    sympy: str
    mpmath: str
    derivative: str | None
    aliases: tuple[str, ...] = ()
    latex: tuple[str, ...] = ()
    powerable: bool = False
    inverse: str | None = None
    large: str = ""
    no_rule: str = ""


_F = ElementaryFunction
TABLE: tuple[ElementaryFunction, ...] = (
    _F("sin", "sin", "sin", "cos(x)", latex=("sin",), powerable=True, inverse="asin", large="both"),
    _F(
        "cos", "cos", "cos", "-sin(x)", latex=("cos",), powerable=True, inverse="acos", large="both"
    ),
    _F(
        "tan",
        "tan",
        "tan",
        "sec(x)^2",
        latex=("tan",),
        powerable=True,
        inverse="atan",
        large="both",
    ),
    _F(
        "sec",
        "sec",
        "sec",
        "sec(x)*tan(x)",
        latex=("sec",),
        powerable=True,
        inverse="asec",
        large="both",
    ),
    _F(
        "csc",
        "csc",
        "csc",
        "-csc(x)*cot(x)",
        aliases=("cosec",),
        latex=("csc", "cosec"),
        powerable=True,
        inverse="acsc",
        large="both",
    ),
    _F(
        "cot",
        "cot",
        "cot",
        "-csc(x)^2",
        latex=("cot",),
        powerable=True,
        inverse="acot",
        large="both",
    ),
    _F("asin", "asin", "asin", "1/sqrt(1 - x^2)", aliases=("arcsin",), latex=("arcsin",)),
    _F("acos", "acos", "acos", "-1/sqrt(1 - x^2)", aliases=("arccos",), latex=("arccos",)),
    _F("atan", "atan", "atan", "1/(1 + x^2)", aliases=("arctan",), latex=("arctan",)),
    _F("asec", "asec", "asec", "1/(x^2*sqrt(1 - 1/x^2))", aliases=("arcsec",), latex=("arcsec",)),
    _F("acsc", "acsc", "acsc", "-1/(x^2*sqrt(1 - 1/x^2))", aliases=("arccsc",), latex=("arccsc",)),
    _F("acot", "acot", "acot", "-1/(1 + x^2)", aliases=("arccot",), latex=("arccot",)),
    _F(
        "sinh",
        "sinh",
        "sinh",
        "cosh(x)",
        latex=("sinh",),
        powerable=True,
        inverse="asinh",
        large="both",
    ),
    _F(
        "cosh",
        "cosh",
        "cosh",
        "sinh(x)",
        latex=("cosh",),
        powerable=True,
        inverse="acosh",
        large="both",
    ),
    _F(
        "tanh",
        "tanh",
        "tanh",
        "1 - tanh(x)^2",
        latex=("tanh",),
        powerable=True,
        inverse="atanh",
    ),
    _F(
        "sech",
        "sech",
        "sech",
        "-sech(x)*tanh(x)",
        latex=("sech",),
        powerable=True,
    ),
    _F(
        "csch",
        "csch",
        "csch",
        "-csch(x)*coth(x)",
        aliases=("cosech",),
        latex=("csch", "cosech"),
        powerable=True,
    ),
    _F("coth", "coth", "coth", "1 - coth(x)^2", latex=("coth",), powerable=True),
    _F(
        "asinh",
        "asinh",
        "asinh",
        "1/sqrt(x^2 + 1)",
        aliases=("arsinh", "arcsinh"),
        latex=("arsinh", "arcsinh"),
    ),
    _F(
        "acosh",
        "acosh",
        "acosh",
        "1/sqrt(x^2 - 1)",
        aliases=("arcosh", "arccosh"),
        latex=("arcosh", "arccosh"),
    ),
    _F(
        "atanh",
        "atanh",
        "atanh",
        "1/(1 - x^2)",
        aliases=("artanh", "arctanh"),
        latex=("artanh", "arctanh"),
    ),
    _F("exp", "exp", "exp", "exp(x)", latex=("exp",), large="above"),
    _F("ln", "log", "log", "1/x", latex=("ln",), powerable=True),
    _F("sqrt", "sqrt", "sqrt", "1/(2*sqrt(x))"),
    _F("abs", "Abs", "abs", "sign(x)"),
    _F("relu", "relu", "relu", "heaviside(x)"),
    _F("sigmoid", "sigmoid", "sigmoid", "sigmoid(x)*(1 - sigmoid(x))", powerable=True),
    _F("softplus", "softplus", "softplus", "sigmoid(x)", powerable=True),
    _F(
        "sign",
        "sign",
        "sign",
        None,
        aliases=("sgn",),
        latex=("sgn",),
        no_rule="a step: 0 for x ≠ 0 and undefined at 0, not an elementary rule",
    ),
    _F(
        "heaviside",
        "Heaviside",
        "heaviside",
        None,
        aliases=("step",),  # ReLU's derivative as the lessons write it: step(x)
        no_rule="a step: 0 for x ≠ 0 and undefined at 0, not an elementary rule",
    ),
    _F(
        "factorial",
        "factorial",
        "factorial",
        None,
        no_rule="its derivative needs the digamma function, which the input language lacks",
    ),
)

# Names read by the parser itself rather than from the table (several arguments, a base).
SPECIAL_NAMES = ("log", "log2", "log10", "max", "min", "diff", "binomial")
# LaTeX commands for the special names.
SPECIAL_LATEX = ("log", "max", "min")

BY_NAME: dict[str, ElementaryFunction] = {f.name: f for f in TABLE}
ALIASES: dict[str, str] = {alias: f.name for f in TABLE for alias in f.aliases}
ALIASES.update({"log2": "log_2", "log10": "log_10"})
NAMES: frozenset[str] = frozenset(
    [f.name for f in TABLE] + [a for f in TABLE for a in f.aliases] + list(SPECIAL_NAMES)
)
POWERABLE: frozenset[str] = frozenset([f.name for f in TABLE if f.powerable] + ["log"])
INVERTIBLE: dict[str, str] = {f.name: f.inverse for f in TABLE if f.inverse}
LATEX: dict[str, str] = {cmd: f.name for f in TABLE for cmd in f.latex}
LATEX.update({cmd: cmd for cmd in SPECIAL_LATEX})


@cache
def sympy_callable(name: str) -> Any:
    """The sympy callable of a table function (imports sympy on first use)."""
    import sympy

    from gradtutor.calculus import functions

    record = BY_NAME[name]
    if record.sympy == "relu":
        # evaluate=False passes through: unevaluated parts (Heaviside(87/10) kept as typed)
        # are not comparable, and an evaluating Max would refuse them
        return lambda u, evaluate=True: sympy.Max(0, u, evaluate=evaluate)
    return getattr(functions, record.sympy, None) or getattr(sympy, record.sympy)


@cache
def derivative_of(name: str) -> Any:
    """f' as a function of the inner expression: derivative_of("sech")(u) = −sech(u)·tanh(u)."""
    import sympy

    from gradtutor.calculus.parsing import parse

    text = BY_NAME[name].derivative
    if text is None:
        raise KeyError(f"{name} has no derivative rule")
    formula = parse(text).expr
    x = sympy.Symbol("x")
    return lambda u: formula.xreplace({x: u})
