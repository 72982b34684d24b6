"""Issue 8 corpus kinds, verified by sympy alone, and the checker's verdicts on them.

``issue8_pairs.tsv`` is the tuned set (the checker was fixed against these kinds);
``issue8_heldout.tsv`` was written after the fixes (one undecided pair there was then
fixed); ``issue8_heldout_b.tsv`` after every fix, never tuned on.
The oracle never calls gradtutor: sympy reads a hand-written Python form of each side,
and each side and their difference are evaluated with sympy's adaptive-precision evalf
at a grid of points of both signs, including whole numbers and simple fractions.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import sympy

from gradtutor.calculus.equivalence import check

DATA = Path(__file__).parent / "data"
_VALUES = [
    sympy.Rational(v)
    for v in ("-5/2", "-2", "-1", "-1/2", "-1/3", "1/3", "1/2", "1", "3/2", "2", "3", "7/3")
]
_REAL = {name: sympy.Symbol(name, real=True) for name in "abckmntwxyz"}


def _rows(name: str) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, answer, verdict, sym_e, sym_a, *_ = line.split("\t")
            rows.append((expected, answer, verdict, sym_e, sym_a))
    return rows


def _read(text: str, *, evaluate: bool) -> sympy.Expr:
    if text.startswith("diff("):  # a derivative is computed by sympy, then read as a value
        return sympy.sympify(text, locals=_REAL)
    return sympy.sympify(text, locals=_REAL, evaluate=evaluate)


def _real_value(expr: sympy.Expr, point: dict) -> sympy.Expr | None:
    """The value if it is a finite real number, else None."""
    value = expr.subs({s: sympy.Float(v, 40) for s, v in point.items()})
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    value = value.evalf(30)
    if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    re, im = value.as_real_imag()
    if abs(im) > 1e-25 * max(1, abs(re)):
        return None
    return re


def _defined(typed: sympy.Expr, point: dict) -> bool:
    """Over the reals every part must be real: sqrt(x)^2 at x = -2 is undefined, although
    sympy's complex arithmetic makes it -2."""
    return (
        all(
            _real_value(node, point) is not None
            for node in sympy.preorder_traversal(typed)
            if not node.is_Atom and node.free_symbols
        )
        and _real_value(typed, point) is not None
    )


def oracle(expected_text: str, answer_text: str) -> str:
    """equivalent / domain_dependent (equal wherever every variable is > 0) / not_equivalent.

    A point where only one side is defined counts only if that stays so when every
    coordinate moves a little (each by a different 1/1000s): x = 1 in 1/(x-1) + 1/(1-x) is
    a single hole, not a domain."""
    typed_e, typed_a = _read(expected_text, evaluate=False), _read(answer_text, evaluate=False)
    difference = _read(expected_text, evaluate=True) - _read(answer_text, evaluate=True)
    symbols = sorted(typed_e.free_symbols | typed_a.free_symbols, key=str)
    grid = list(itertools.product(_VALUES, repeat=len(symbols)))
    if len(grid) > 150:
        grid = random.Random(0).sample(grid, 150)
    differ, agree_positive = [], 0
    for values in grid:
        point = dict(zip(symbols, values, strict=True))
        de, da = _defined(typed_e, point), _defined(typed_a, point)
        if not de and not da:
            continue
        if de != da:
            near = {s: v + sympy.Rational(i + 1, 1000) for i, (s, v) in enumerate(point.items())}
            if _defined(typed_e, near) != _defined(typed_a, near):
                differ.append(values)
            continue
        ve, va = _real_value(typed_e, point), _real_value(typed_a, point)
        if abs(ve - va) > 1e-20 * max(1, abs(ve), abs(va)):
            differ.append(values)
            continue
        exact = difference.is_rational_function(*symbols)  # exact arithmetic is cheap here
        at = point if exact else {s: sympy.Float(v, 40) for s, v in point.items()}
        gap = difference.subs(at).evalf(30, maxn=2000)  # what the values' size may hide
        if abs(gap) > 1e-20:
            differ.append(values)
        elif all(v > 0 for v in values):
            agree_positive += 1
    if not differ:
        return "equivalent"
    if agree_positive and all(any(v <= 0 for v in vals) for vals in differ):
        return "domain_dependent"
    return "not_equivalent"


TUNED = _rows("issue8_pairs.tsv")
HELDOUT = _rows("issue8_heldout.tsv") + _rows("issue8_heldout_b.tsv")
ALL = TUNED + HELDOUT


@pytest.mark.slow
@pytest.mark.parametrize(("expected", "answer", "verdict", "sym_e", "sym_a"), ALL)
def test_stated_verdict_is_what_sympy_alone_finds(
    expected: str, answer: str, verdict: str, sym_e: str, sym_a: str
) -> None:
    assert oracle(sym_e, sym_a) == verdict


@pytest.mark.parametrize(("expected", "answer", "verdict", "sym_e", "sym_a"), ALL)
def test_checker_verdict_on_issue8_kinds(
    expected: str, answer: str, verdict: str, sym_e: str, sym_a: str
) -> None:
    assert str(check(expected, answer).verdict) == verdict
