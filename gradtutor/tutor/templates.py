"""Random parameters and text rendering for exercise templates.

A template names its parameters in a pack (``a = "2..9"``, ``lr = [0.1, 0.5]``,
``b = "= -w*x"``), draws them from a seeded RNG, keeps only draws that meet its
``where`` condition (a tiny arithmetic/comparison language evaluated here by
walking Python's AST with a whitelist, never with ``eval``), and substitutes
them into ``{name}`` placeholders.
"""

from __future__ import annotations

import ast
import math
import operator
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gradtutor.errors import GradtutorError

# A pack is held to the size limit of a learner's answer (gradtutor.calculus.limits).
_MAX_DIGITS = 3_900
_MAX_BITS = 13_000
_TOO_MANY_DIGITS = f"a number here would have more than {_MAX_DIGITS:,} digits"

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")

Number = Fraction
Value = Fraction | str


class TemplateError(GradtutorError, ValueError):
    """A parameter spec, condition or placeholder that cannot be used."""


@dataclass(frozen=True)
class IntRange:
    """An integer drawn uniformly from ``low..high`` (both ends included)."""

    low: int
    high: int

    def draw(self, rng: random.Random, values: Mapping[str, Value]) -> Value:
        return Fraction(rng.randint(self.low, self.high))


@dataclass(frozen=True)
class Choice:
    """One of a list of numbers or words (``[0.1, 0.5]``, ``["sin", "cos"]``)."""

    options: tuple[Value, ...]

    def draw(self, rng: random.Random, values: Mapping[str, Value]) -> Value:
        return rng.choice(self.options)


@dataclass(frozen=True)
class Derived:
    """A value computed from earlier parameters (``"= -w*x"``)."""

    expression: str

    def draw(self, rng: random.Random, values: Mapping[str, Value]) -> Value:
        return evaluate(self.expression, values)


ParamSpec = IntRange | Choice | Derived


def parse_param(name: str, spec: object) -> ParamSpec:
    """Read one parameter spec from a pack; raise TemplateError with the reason."""
    if not _NAME.match(name):
        raise TemplateError(f"parameter name {name!r} is not a plain identifier")
    if isinstance(spec, bool):
        raise TemplateError(f"parameter {name!r}: true/false is not a value")
    if isinstance(spec, int | float):
        return Choice((_number(spec),))
    if isinstance(spec, list):
        if not spec:
            raise TemplateError(f"parameter {name!r}: the list of choices is empty")
        return Choice(tuple(_choice(name, item) for item in spec))
    if isinstance(spec, str):
        text = spec.strip()
        if text.startswith("="):
            expression = text[1:].strip()
            compile_condition(expression)  # syntax check now, not at draw time
            return Derived(expression)
        match = _RANGE.match(text)
        if match:
            if max(len(match[1]), len(match[2])) > _MAX_DIGITS:  # int() would refuse, too
                raise TemplateError(f"parameter {name!r}: {_TOO_MANY_DIGITS}")
            low, high = int(match[1]), int(match[2])
            if low > high:
                raise TemplateError(f"parameter {name!r}: range {text!r} is empty")
            return IntRange(low, high)
    raise TemplateError(
        f'parameter {name!r}: {spec!r} is not a range like "2..9", a list of choices '
        'or a computed value like "= a*b"'
    )


def _choice(name: str, item: object) -> Value:
    if isinstance(item, bool) or not isinstance(item, int | float | str):
        raise TemplateError(f"parameter {name!r}: choice {item!r} is not a number or text")
    if isinstance(item, str):
        if not item.strip():
            raise TemplateError(f"parameter {name!r}: a choice is empty text")
        return item
    return _number(item)


def _number(value: int | float) -> Fraction:
    # Fraction(str(0.1)) is exactly 1/10, which is what the author wrote.
    return Fraction(str(value))


def format_value(value: Value) -> str:
    """A value as it appears in a prompt: ``3``, ``-2``, ``0.1``, ``1/3`` or a word."""
    if isinstance(value, str):
        return value
    if value.denominator == 1:
        return str(value.numerator)
    decimal = _finite_decimal(value)
    return decimal if decimal is not None else f"{value.numerator}/{value.denominator}"


def _finite_decimal(value: Fraction) -> str | None:
    """``0.25`` for 1/4; None when the decimal expansion does not end."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return None
    text = f"{float(value):.12f}".rstrip("0").rstrip(".")
    return text if Fraction(text) == value else None


def draw(
    params: Mapping[str, ParamSpec],
    condition: Callable[[Mapping[str, Value]], bool] | None,
    rng: random.Random,
    *,
    max_tries: int,
) -> dict[str, Value] | None:
    """Draw all parameters until ``condition`` holds; None after ``max_tries`` draws."""
    for _ in range(max_tries):
        values: dict[str, Value] = {}
        for name, spec in params.items():
            values[name] = spec.draw(rng, values)
        if condition is None or condition(values):
            return values
    return None


def render(text: str, values: Mapping[str, str]) -> str:
    """Substitute ``{name}`` placeholders; tidy signs (``+ -3`` → ``- 3``, ``*-2`` → ``*(-2)``)."""

    def substitute(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise TemplateError(f"placeholder {{{name}}} has no parameter of that name")
        return values[name]

    rendered = PLACEHOLDER.sub(substitute, text)
    rendered = re.sub(r"([*/^])\s*-(\d+(?:\.\d+)?(?:/\d+)?)", r"\1(-\2)", rendered)
    rendered = re.sub(r"\+\s*-\s*", "- ", rendered)
    rendered = re.sub(r"-\s*-\s*", "+ ", rendered)
    return rendered


def tidy_maths(text: str) -> str:
    """Drop unit coefficients and exponents a substitution left behind (``1x^1`` → ``x``)."""
    text = re.sub(r"(?<![\w.^])1(?=[^\W\d_]|\()", "", text)
    text = re.sub(r"\s*[+-]\s*0(?![\w.*/^(])", "", text)
    return re.sub(r"\^1(?![\d.(/])", "", text)


def placeholders(text: str) -> set[str]:
    """The names used as ``{name}`` in ``text``."""
    return set(PLACEHOLDER.findall(text))


# --- the ``where`` language: numbers, names, + - * / % ^ **, comparisons, and/or/not ---

_BINARY: dict[type[ast.operator], Callable[[Fraction, Fraction], Fraction]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_FUNCTIONS: dict[str, Callable[..., Fraction]] = {
    "abs": lambda x: abs(x),
    "min": lambda *xs: min(xs),
    "max": lambda *xs: max(xs),
}


def compile_condition(text: str) -> ast.expr:
    """Parse a condition or computed value; raise TemplateError if it uses anything else."""
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval").body
    except SyntaxError as exc:
        raise TemplateError(f"cannot read {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise TemplateError(f"{text!r} uses {type(node).__name__}, which is not allowed")
        if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords
        ):
            raise TemplateError(f"{text!r}: only abs(), min() and max() may be called")
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float | str)
        ):
            raise TemplateError(f"{text!r}: {node.value!r} is not a number or text")
    return tree


_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Pow,
    *_BINARY,
    ast.Compare,
    *_COMPARE,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Call,
)


def evaluate(text: str, values: Mapping[str, Value]) -> Value:
    """Evaluate a condition or computed value with exact fractions."""
    return _eval(compile_condition(text), values, text)


def condition_for(text: str | None) -> Callable[[Mapping[str, Value]], bool] | None:
    """A predicate for a ``where`` string (None when there is no condition)."""
    if text is None:
        return None
    tree = compile_condition(text)
    return lambda values: bool(_eval(tree, values, text))


def _eval(node: ast.expr, values: Mapping[str, Value], text: str) -> Value:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            return value
        if isinstance(value, int | float):
            return _number(value)
        raise TemplateError(f"{text!r}: {value!r} is not a number")
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise TemplateError(f"{text!r} uses {node.id!r}, which is not a parameter")
        return values[node.id]
    if isinstance(node, ast.BoolOp):
        results = (bool(_eval(item, values, text)) for item in node.values)
        return Fraction(all(results) if isinstance(node.op, ast.And) else any(results))
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, text)
        if isinstance(node.op, ast.Not):
            return Fraction(not operand)
        number = _numeric(operand, text)
        return -number if isinstance(node.op, ast.USub) else number
    if isinstance(node, ast.BinOp):
        return _binary(node, values, text)
    if isinstance(node, ast.Compare):
        return Fraction(_compare(node, values, text))
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        args = [_numeric(_eval(arg, values, text), text) for arg in node.args]
        return _FUNCTIONS[node.func.id](*args)
    raise TemplateError(f"{text!r}: cannot evaluate {type(node).__name__}")


def _binary(node: ast.BinOp, values: Mapping[str, Value], text: str) -> Fraction:
    left = _numeric(_eval(node.left, values, text), text)
    right = _numeric(_eval(node.right, values, text), text)
    if isinstance(node.op, ast.Pow):
        if right.denominator != 1 or abs(right) > 64:
            raise TemplateError(f"{text!r}: only small whole powers are allowed")
        if left == 0 and right < 0:
            raise TemplateError(f"{text!r}: 0 to a negative power")
        # ((a^64)^64)^64 … : estimate the digits before computing (b·log10|a|)
        size = max(abs(left.numerator), left.denominator)
        if size > 1 and abs(int(right)) * math.log10(size) > _MAX_DIGITS:
            raise TemplateError(f"{text!r}: {_TOO_MANY_DIGITS}")
        return left ** int(right)
    if isinstance(node.op, ast.Div | ast.Mod) and right == 0:
        raise TemplateError(f"{text!r}: division by zero")
    result = _BINARY[type(node.op)](left, right)
    if max(abs(result.numerator).bit_length(), result.denominator.bit_length()) > _MAX_BITS:
        raise TemplateError(f"{text!r}: {_TOO_MANY_DIGITS}")  # a product of allowed numbers
    return result


def _compare(node: ast.Compare, values: Mapping[str, Value], text: str) -> bool:
    left = _eval(node.left, values, text)
    for op, comparator in zip(node.ops, node.comparators, strict=True):
        right = _eval(comparator, values, text)
        if not isinstance(op, ast.Eq | ast.NotEq) and (
            isinstance(left, str) or isinstance(right, str)
        ):
            raise TemplateError(f"{text!r}: text can only be compared with == or !=")
        if not bool(_COMPARE[type(op)](left, right)):
            return False
        left = right
    return True


def _numeric(value: Value, text: str) -> Fraction:
    if isinstance(value, str):
        raise TemplateError(f"{text!r}: cannot do arithmetic with the text {value!r}")
    return value
