"""Issue 11 item 1 / issue 8 item 9: one table of elementary functions.

Every function name the lexer knows is parsed, evaluated, printed (and read back),
read from LaTeX and differentiated by a rule; each oracle is sympy's own.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy

from gradtutor.calculus import function_table as table
from gradtutor.calculus.derive import derive
from gradtutor.calculus.lexer import FUNCTIONS
from gradtutor.calculus.numeric import Undefined, compile_expr, evaluate
from gradtutor.calculus.parsing import parse
from gradtutor.calculus.printing import plain
from gradtutor.calculus.rules import UnknownRule

x = sympy.Symbol("x")
ONE_ARGUMENT = sorted(n for n in FUNCTIONS if n not in table.SPECIAL_NAMES)
POINTS = (0.5, -0.3, 1.5, 2.5, 3)


def _record(name: str) -> table.ElementaryFunction:
    return table.BY_NAME[table.ALIASES.get(name, name)]


def test_every_lexer_name_is_in_the_table_or_read_specially() -> None:
    for name in FUNCTIONS:
        assert name in table.SPECIAL_NAMES or table.ALIASES.get(name, name) in table.BY_NAME


@pytest.mark.parametrize("name", ONE_ARGUMENT)
def test_every_function_is_parsed_to_its_sympy_callable(name: str) -> None:
    record = _record(name)
    assert parse(f"{name}(x)").expr == table.sympy_callable(record.name)(x)


@pytest.mark.parametrize("name", ONE_ARGUMENT)
def test_every_function_is_evaluated_as_sympy_evaluates_it(name: str) -> None:
    expr = parse(f"{name}(x)").expr
    compiled = compile_expr(expr)
    checked = 0
    with mpmath.workdps(30):
        for point in POINTS:
            oracle = sympy.N(expr.subs(x, sympy.Rational(str(point))), 30)
            if not oracle.is_real or not oracle.is_finite:
                continue
            try:
                value = evaluate(compiled, {x: mpmath.mpf(str(point))})
            except Undefined:
                continue
            assert abs(value - mpmath.mpf(str(oracle))) < mpmath.mpf(10) ** -20
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("name", ONE_ARGUMENT)
def test_every_function_prints_to_text_that_reads_back(name: str) -> None:
    expr = parse(f"{name}(2x + 1)").expr
    assert parse(plain(expr)).expr == expr


@pytest.mark.parametrize("name", ONE_ARGUMENT)
def test_every_function_is_read_from_latex(name: str) -> None:
    expected = parse(f"{name}(x)").expr
    assert parse(f"\\operatorname{{{name}}}(x)").expr == expected
    for command in _record(name).latex:
        assert parse(f"\\{command}\\left(x\\right)").expr == expected


@pytest.mark.parametrize("name", ONE_ARGUMENT)
def test_every_function_is_differentiated_by_a_rule_equal_to_sympy_diff(name: str) -> None:
    record = _record(name)
    expr = parse(f"{name}(x^2 + 1)").expr
    if record.derivative is None:
        assert record.no_rule  # the reason is stated in the table
        return
    rule = derive(expr, x)
    assert not isinstance(rule, UnknownRule)
    real = sympy.Symbol("x", real=True)  # so sympy's d/dx |u| is sign(u)·u', not re/im parts
    oracle = sympy.diff(expr.subs(x, real), real).subs(real, x)
    difference = sympy.simplify(rule.result - oracle)
    if difference != 0:  # sympy may not simplify inverse-function forms: compare numbers
        for point in (1.3, 2.7):
            assert abs(complex(difference.subs(x, point).evalf())) < 1e-12


@pytest.mark.parametrize("record", [r for r in table.TABLE if r.derivative], ids=lambda r: r.name)
def test_table_derivative_formula_is_sympy_diff(record: table.ElementaryFunction) -> None:
    real = sympy.Symbol("x", real=True)
    u = table.sympy_callable(record.name)(real)
    formula = table.derivative_of(record.name)(real)
    for point in (0.3, 1.7, 2.9):
        want = sympy.diff(u, real).subs(real, point).evalf()
        got = formula.subs(real, point).evalf()
        if want.is_real and got.is_real:
            assert abs(float(want) - float(got)) < 1e-10


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("log_b(x)", sympy.log(x) / sympy.log(sympy.Symbol("b"))),
        ("\\log_b x", sympy.log(x) / sympy.log(sympy.Symbol("b"))),
        ("log_2(x)", sympy.log(x) / sympy.log(2)),
        ("binomial(n, 2)", sympy.binomial(sympy.Symbol("n"), 2)),
        ("\\binom{n}{2}", sympy.binomial(sympy.Symbol("n"), 2)),
        ("\\cfrac{1}{x}", 1 / x),
        ("\\sqrt[3]{3}^3", sympy.Integer(3)),
    ],
)
def test_suite_notation_is_read(typed: str, expected: sympy.Expr) -> None:
    assert sympy.simplify(parse(typed).expr - expected) == 0


def test_latex_root_keeps_its_brackets_before_a_power() -> None:
    # \sqrt[3]{3}^3 is (3^(1/3))^3 = 3, not 3^((1/3)^3) = 3^(1/27)
    assert parse("\\sqrt[3]{3}^3").expr == 3


def test_binomial_is_evaluated_numerically() -> None:
    n = sympy.Symbol("n")
    compiled = compile_expr(sympy.binomial(n, 2))
    with mpmath.workdps(30):
        assert evaluate(compiled, {n: mpmath.mpf(5)}) == 10
