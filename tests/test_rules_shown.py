"""rules.shown / rules.applied print sums in the order of their terms (as typed)."""

from __future__ import annotations

import sympy

from gradtutor.calculus import rules as r
from gradtutor.calculus.parsing import parse
from gradtutor.calculus.printing import pretty

X, Y, Z = sympy.symbols("x y z")


def test_rules_shown_keeps_the_typed_order_of_terms() -> None:
    typed = parse("3x^3z - y^2 + 5z + 2yz", evaluate=False).expr
    assert r.shown(typed) == "3x³z − y² + 5z + 2yz"
    assert pretty(typed) == "3x³z − y² + 2yz + 5z"  # sympy's order, for results
    assert r.applied(Z, typed, partial=True) == "∂/∂z (3x³z − y² + 5z + 2yz)"
    assert r.shown(parse("sqrt(1 + x) - (x + 1)^2", evaluate=False).expr) == "√(1 + x) − (x + 1)²"


def test_rules_in_shown_order_prints_like_pretty() -> None:
    for expr in (X**2 + X, 3 * X + 2, X * (3 * X + 2), sympy.sin(X + 1) + X**3 - 4):
        rebuilt = r.in_shown_order(expr)
        assert r.shown(rebuilt) == pretty(expr), expr
        assert sympy.simplify(rebuilt.doit() - expr) == 0


def test_rules_sum_rule_terms_follow_the_typed_order() -> None:
    from gradtutor.calculus.derive import derive

    tree = derive(parse("1 + x + x^2", evaluate=False).expr, X)
    assert isinstance(tree, r.SumRule)
    assert [r.shown(t.expr) for t in tree.terms] == ["1", "x", "x²"]
    assert tree.result == 2 * X + 1
