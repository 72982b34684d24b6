"""The operations of a computational graph: each one's value and, beside it, its local derivative.

As in micrograd, a rule keeps its forward formula and its backward (local) derivative
together; the docstring is the rule. Every rule is written once against a small maths
backend, so the same code computes float64 numbers (:class:`FloatMath`) and exact sympy
values (:class:`ExactMath`). Buggy twins of these rules live in
:mod:`gradtutor.network.misconceptions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar


class UndefinedValue(ArithmeticError):
    """The graph is undefined at this point (ln of a negative, a division by zero, overflow)."""


# -- maths backends ---------------------------------------------------------------------


class FloatMath:
    """float64 arithmetic that raises :class:`UndefinedValue` instead of returning nan/inf."""

    @staticmethod
    def num(value: Any) -> float:
        return float(value)

    @staticmethod
    def exp(u: float) -> float:
        try:
            return math.exp(u)
        except OverflowError:
            raise UndefinedValue(f"exp({u:.6g}) overflows float64") from None

    @staticmethod
    def ln(u: float) -> float:
        if u <= 0:
            raise UndefinedValue(f"ln is undefined at {u:.6g} (it needs a positive number)")
        return math.log(u)

    @staticmethod
    def sigmoid(u: float) -> float:
        if u >= 0:
            return 1.0 / (1.0 + math.exp(-u))
        e = math.exp(u)
        return e / (1.0 + e)

    @staticmethod
    def tanh(u: float) -> float:
        return math.tanh(u)

    @staticmethod
    def softplus(u: float) -> float:
        return max(u, 0.0) + math.log1p(math.exp(-abs(u)))

    @staticmethod
    def sin(u: float) -> float:
        return math.sin(u)

    @staticmethod
    def cos(u: float) -> float:
        return math.cos(u)

    @staticmethod
    def div(a: float, b: float) -> float:
        if b == 0:
            raise UndefinedValue("a division by zero")
        return a / b

    @staticmethod
    def pow(u: float, k: float) -> float:
        if u == 0 and k < 0:
            raise UndefinedValue(f"0^{k:g} divides by zero")
        if u < 0 and not float(k).is_integer():
            raise UndefinedValue(f"({u:.6g})^{k:g} is not a real number")
        try:
            result = u**k
        except OverflowError:
            raise UndefinedValue(f"({u:.6g})^{k:g} overflows float64") from None
        if isinstance(result, complex) or math.isinf(result):
            raise UndefinedValue(f"({u:.6g})^{k:g} is not a finite real number")
        return float(result)

    @staticmethod
    def positive(u: float) -> bool:
        return u > 0


class ExactMath:
    """Exact sympy arithmetic: σ(3) stays σ(3), 1/2 stays 1/2."""

    @staticmethod
    def num(value: Any) -> Any:
        import sympy

        return sympy.nsimplify(value) if isinstance(value, float) else sympy.sympify(value)

    @staticmethod
    def exp(u: Any) -> Any:
        import sympy

        return sympy.exp(u)

    @staticmethod
    def ln(u: Any) -> Any:
        import sympy

        if not bool(u > 0):
            raise UndefinedValue("ln is undefined at a number ≤ 0")
        return sympy.log(u)

    @staticmethod
    def sigmoid(u: Any) -> Any:
        from gradtutor.calculus.functions import sigmoid

        return sigmoid(u)

    @staticmethod
    def tanh(u: Any) -> Any:
        import sympy

        return sympy.tanh(u)

    @staticmethod
    def softplus(u: Any) -> Any:
        from gradtutor.calculus.functions import softplus

        return softplus(u)

    @staticmethod
    def sin(u: Any) -> Any:
        import sympy

        return sympy.sin(u)

    @staticmethod
    def cos(u: Any) -> Any:
        import sympy

        return sympy.cos(u)

    @staticmethod
    def div(a: Any, b: Any) -> Any:
        if b == 0:
            raise UndefinedValue("a division by zero")
        return a / b

    @staticmethod
    def pow(u: Any, k: Any) -> Any:
        if u == 0 and bool(k < 0):
            raise UndefinedValue("0 to a negative power divides by zero")
        if bool(u < 0) and not getattr(k, "is_integer", False):
            raise UndefinedValue("a negative number to a fractional power is not real")
        return u**k

    @staticmethod
    def positive(u: Any) -> bool:
        return bool(u > 0)


Math = type[FloatMath] | type[ExactMath]
# A number of the graph: a float under FloatMath, a sympy number under ExactMath (sympy
# has no type stubs, so the two meet only in Any).
Value = Any


# -- the rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One operation: ``value(args)`` forward, ``local(args, out, slot)`` = ∂out/∂args[slot]."""

    op: ClassVar[str] = ""
    arity: ClassVar[int] = 1
    symbol: ClassVar[str] = ""

    def value(self, m: Math, args: list[Value], k: Value) -> Value:  # pragma: no cover - abstract
        raise NotImplementedError

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        raise NotImplementedError  # pragma: no cover - abstract

    def formula(self, slot: int) -> str:  # pragma: no cover - abstract
        """The local derivative in words, for the slot-th input (u, v)."""
        raise NotImplementedError


class Add(Rule):
    """u + v: ∂/∂u = 1, ∂/∂v = 1."""

    op, arity, symbol = "add", 2, "+"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return args[0] + args[1]

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return m.num(1)

    def formula(self, slot: int) -> str:
        return "∂(u + v)/∂" + "uv"[slot] + " = 1"


class Sub(Rule):
    """u − v: ∂/∂u = 1, ∂/∂v = −1."""

    op, arity, symbol = "sub", 2, "−"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return args[0] - args[1]

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return m.num(1 if slot == 0 else -1)

    def formula(self, slot: int) -> str:
        return "∂(u − v)/∂u = 1" if slot == 0 else "∂(u − v)/∂v = −1"


class Mul(Rule):
    """u·v: ∂/∂u = v, ∂/∂v = u."""

    op, arity, symbol = "mul", 2, "×"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return args[0] * args[1]

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return args[1 - slot]

    def formula(self, slot: int) -> str:
        return "∂(u·v)/∂u = v" if slot == 0 else "∂(u·v)/∂v = u"


class Div(Rule):
    """u / v: ∂/∂u = 1/v, ∂/∂v = −u/v²."""

    op, arity, symbol = "div", 2, "÷"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.div(args[0], args[1])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        u, v = args
        return m.div(m.num(1), v) if slot == 0 else m.div(-u, v * v)

    def formula(self, slot: int) -> str:
        return "∂(u/v)/∂u = 1/v" if slot == 0 else "∂(u/v)/∂v = −u/v²"


class Neg(Rule):
    """−u: ∂/∂u = −1."""

    op, symbol = "neg", "−"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return -args[0]

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return m.num(-1)

    def formula(self, slot: int) -> str:
        return "∂(−u)/∂u = −1"


class Pow(Rule):
    """u^k (k a number): ∂/∂u = k·u^(k−1)."""

    op, symbol = "pow", "^"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.pow(args[0], m.num(k))

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        kk = m.num(k)
        return kk * m.pow(args[0], kk - 1) if kk != 1 else m.num(1)

    def formula(self, slot: int) -> str:
        return "∂(u^k)/∂u = k·u^(k−1)"


class PowVar(Rule):
    """u^v: ∂/∂u = v·u^(v−1), ∂/∂v = u^v·ln u."""

    op, arity, symbol = "powv", 2, "^"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.pow(args[0], args[1])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        u, v = args
        if slot == 0:
            return v * m.pow(u, v - 1)
        return out * m.ln(u)

    def formula(self, slot: int) -> str:
        return "∂(u^v)/∂u = v·u^(v−1)" if slot == 0 else "∂(u^v)/∂v = u^v·ln u"


class Exp(Rule):
    """exp(u): ∂/∂u = exp(u)."""

    op, symbol = "exp", "exp"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.exp(args[0])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return out

    def formula(self, slot: int) -> str:
        return "∂exp(u)/∂u = exp(u)"


class Ln(Rule):
    """ln(u): ∂/∂u = 1/u."""

    op, symbol = "ln", "ln"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.ln(args[0])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return m.div(m.num(1), args[0])

    def formula(self, slot: int) -> str:
        return "∂ln(u)/∂u = 1/u"


class Sigmoid(Rule):
    """σ(z): ∂/∂z = σ(z)(1 − σ(z)), evaluated at the input z."""

    op, symbol = "sigmoid", "σ"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.sigmoid(args[0])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return out * (1 - out)

    def formula(self, slot: int) -> str:
        return "∂σ(z)/∂z = σ(z)(1 − σ(z))"


class Tanh(Rule):
    """tanh(z): ∂/∂z = 1 − tanh(z)²."""

    op, symbol = "tanh", "tanh"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.tanh(args[0])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return 1 - out * out

    def formula(self, slot: int) -> str:
        return "∂tanh(z)/∂z = 1 − tanh(z)²"


class Relu(Rule):
    """relu(z) = max(0, z): ∂/∂z = 1 if z > 0, else 0 (0 at the kink)."""

    op, symbol = "relu", "relu"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return args[0] if m.positive(args[0]) else m.num(0)

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return m.num(1 if m.positive(args[0]) else 0)

    def formula(self, slot: int) -> str:
        return "∂relu(z)/∂z = 1 if z > 0, else 0"


class Softplus(Rule):
    """softplus(z) = ln(1 + e^z): ∂/∂z = σ(z)."""

    op, symbol = "softplus", "softplus"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.softplus(args[0])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return m.sigmoid(args[0])

    def formula(self, slot: int) -> str:
        return "∂softplus(z)/∂z = σ(z)"


class Sin(Rule):
    """sin(u): ∂/∂u = cos(u)."""

    op, symbol = "sin", "sin"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.sin(args[0])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return m.cos(args[0])

    def formula(self, slot: int) -> str:
        return "∂sin(u)/∂u = cos(u)"


class Cos(Rule):
    """cos(u): ∂/∂u = −sin(u)."""

    op, symbol = "cos", "cos"

    def value(self, m: Math, args: list[Value], k: Value) -> Value:
        return m.cos(args[0])

    def local(self, m: Math, args: list[Value], out: Value, slot: int, k: Value) -> Value:
        return -m.sin(args[0])

    def formula(self, slot: int) -> str:
        return "∂cos(u)/∂u = −sin(u)"


RULES: dict[str, Rule] = {
    rule.op: rule
    for rule in (
        Add(),
        Sub(),
        Mul(),
        Div(),
        Neg(),
        Pow(),
        PowVar(),
        Exp(),
        Ln(),
        Sigmoid(),
        Tanh(),
        Relu(),
        Softplus(),
        Sin(),
        Cos(),
    )
}
LEAF_OPS = frozenset({"input", "const"})
