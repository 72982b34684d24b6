"""The input language: every form of the issue parses to the exact sympy expression."""

from __future__ import annotations

import os

import pytest
import sympy
from sympy import (
    Abs,
    Derivative,
    E,
    Heaviside,
    Max,
    Rational,
    asin,
    cos,
    cosh,
    exp,
    log,
    pi,
    sin,
    sinh,
    sqrt,
    symbols,
    tan,
    tanh,
)

from gradtutor.calculus.errors import ParseError, TooLargeError
from gradtutor.calculus.functions import sigmoid, softplus
from gradtutor.calculus.parsing import parse
from gradtutor.calculus.printing import plain, pretty

x, y, z, w1, x_1, b2, alpha, theta = symbols("x y z w1 x_1 b2 alpha theta")

FORMS = [
    ("3x^2", 3 * x**2),
    ("3*x**2", 3 * x**2),
    ("3x²", 3 * x**2),
    ("2yz", 2 * y * z),
    ("9zx^2", 9 * z * x**2),
    ("x y", x * y),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("2(x+1)", 2 * (x + 1)),
    ("-x^2", -(x**2)),
    ("x^-1", 1 / x),
    ("x^(1/2)", sqrt(x)),
    ("e^(2x)", exp(2 * x)),
    ("exp(x)", exp(x)),
    ("ln x", log(x)),
    ("ln(x)", log(x)),
    ("log(x)", log(x)),
    ("log(x, 2)", log(x) / log(2)),
    ("log_2(x)", log(x) / log(2)),
    ("sqrt(x)", sqrt(x)),
    ("√x", sqrt(x)),
    ("|x|", Abs(x)),
    ("abs(x)", Abs(x)),
    ("sin x", sin(x)),
    ("sin(2x)", sin(2 * x)),
    ("cos^2(x)", cos(x) ** 2),
    ("tan(x)", tan(x)),
    ("asin(x)", asin(x)),
    ("arcsin(x)", asin(x)),
    ("sinh(x)", sinh(x)),
    ("cosh(x)", cosh(x)),
    ("tanh(x)", tanh(x)),
    ("pi", pi),
    ("π", pi),
    ("e", E),
    ("max(0, x)", Max(0, x)),
    ("relu(x)", Max(0, x)),
    ("sigmoid(x)", sigmoid(x)),
    ("σ(x)", sigmoid(x)),
    ("softplus(x)", softplus(x)),
    ("alpha", alpha),
    ("θ", theta),
    ("w1", w1),
    ("x_1", x_1),
    ("b2", b2),
    ("0.5", Rational(1, 2)),
    ("1/2", Rational(1, 2)),
    # beyond the list
    ("sin x cos x", sin(x) * cos(x)),
    ("sin 2x", sin(2 * x)),
    ("ln x^2", log(x**2)),
    ("cos²x", cos(x) ** 2),
    ("sin^-1(x)", asin(x)),
    ("2^3^2", sympy.Integer(512)),
    ("||x|-1|", Abs(Abs(x) - 1)),
    ("2|x|", 2 * Abs(x)),
    ("xe^x", x * exp(x)),
    ("2πx", 2 * pi * x),
    ("0.33x", Rational(33, 100) * x),
    ("x·y", x * y),
    ("x × y", x * y),
    ("x − y", x - y),
    ("[x+1]^2", (x + 1) ** 2),
    ("heaviside(x)", Heaviside(x)),
    ("X", sympy.Symbol("X")),
]


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[t for t, _ in FORMS])
def test_form_parses_to_exact_expression(text: str, expected: sympy.Expr) -> None:
    assert parse(text).value == expected


DERIVATIVE_FORMS = [
    ("d/dx(x^3)", Derivative(x**3, x), 3 * x**2),
    ("d/dx x^3", Derivative(x**3, x), 3 * x**2),
    ("∂/∂x(x^2 y)", Derivative(x**2 * y, x), 2 * x * y),
    ("diff(x^2 y, x)", Derivative(x**2 * y, x), 2 * x * y),
    ("d^2/dx^2(x^3)", Derivative(x**3, (x, 2)), 6 * x),
    ("x'(x^3)", Derivative(x**3, x), 3 * x**2),  # the notes' own notation
]


@pytest.mark.parametrize(("text", "expr", "value"), DERIVATIVE_FORMS)
def test_derivative_operator_is_kept_then_evaluated(
    text: str, expr: sympy.Expr, value: sympy.Expr
) -> None:
    parsed = parse(text)
    assert parsed.expr == expr
    assert parsed.value == value


def test_derivative_operators_inside_an_expression() -> None:
    parsed = parse("3*d/dx(x^3) - d/dx(y^2) + 5*d/dx(x)")
    assert parsed.value == 9 * x**2 + 5


def test_notes_line_with_learner_notation() -> None:
    # from the notes: f'(x) = 2*x'(x) + 3*x'(y^2)
    assert parse("f'(x) = 2*x'(x) + 3*x'(y^2)").value == 2


@pytest.mark.parametrize(
    "text", ["f'(x) = 9x^2", "dy/dx = 9x^2", "∂f/∂x = 9x^2", "= 9x^2", "f(x) = 9x^2", "y' = 9x^2"]
)
def test_leading_left_hand_side_is_ignored(text: str) -> None:
    assert parse(text).value == 9 * x**2


LATEX = [
    (r"\frac{d}{dx}\left(3x^{3}\right)", 9 * x**2),
    (r"3x^{2}\cdot\sin(x)", 3 * x**2 * sin(x)),
    (r"\sqrt{x}", sqrt(x)),
    (r"e^{2x}", exp(2 * x)),
    (r"\frac{1}{1+e^{-x}}", 1 / (1 + exp(-x))),
    (r"\frac{\partial}{\partial x}(x^2 y)", 2 * x * y),
    (r"\ln\left|x\right|", log(Abs(x))),
    (r"\sigma(x)", sigmoid(x)),
    (r"\theta^2", theta**2),
    (r"$x_{1}^2$", x_1**2),
    (r"\sqrt[3]{x}", x ** Rational(1, 3)),
]


@pytest.mark.parametrize(("text", "expected"), LATEX)
def test_latex(text: str, expected: sympy.Expr) -> None:
    assert parse(text).value == expected


@pytest.mark.parametrize("read", ["parse", "vector", "quiz"])
def test_a_braced_subscript_is_latex_to_every_reader(read: str) -> None:
    # the vector reader alone missed x_{1} (no backslash) and kept its components in LaTeX
    from gradtutor.calculus.vectors import read_vector
    from gradtutor.tutor.session import components

    text = "(x_{1}^2, x_{2})"
    if read == "parse":
        assert parse("x_{1}^2").value == x_1**2
    elif read == "vector":
        vector = read_vector(text)
        assert vector is not None and vector.components == ("x_1^2", "x_2")
    else:
        assert components(text) == ["x_1^2", "x_2"]


def test_typed_decimals_are_exact() -> None:
    assert parse("0.1").value == Rational(1, 10)
    assert parse("0.33x").value != x / 3


def test_unevaluated_parse_keeps_the_learners_arithmetic() -> None:
    parsed = parse("3*3*1^2", evaluate=False)
    assert plain(parsed.expr) == "3*3*1^2"
    assert parsed.value == 9


def test_glued_exponent_is_flagged() -> None:
    parsed = parse("e^2x")
    assert parsed.value == exp(2) * x
    assert parsed.notes == (
        "e^2x was read as (e^2)·x; write e^(2x) if the exponent is meant to include it",
    )
    assert parse("3x^3z").notes == ()  # the notes' 3x³z: x³·z is what was meant


ERRORS = [
    # text, message fragment, column, hint fragment
    ("x^", "the exponent is missing", 1, "x^2"),
    ("3x^2)", "this ) has no matching (", 4, "remove it"),
    ("sinx", "isn't a name gradtutor knows", 0, "did you mean sin(x)?"),
    ("sin2x", "isn't a name gradtutor knows", 0, "did you mean sin(2x)?"),
    ("(x+1", "never closed", 0, "add a )"),
    ("", "nothing to read", None, "type an expression"),
    ("   ", "nothing to read", None, "type an expression"),
    ("x +", "missing after '+'", 2, None),
    ("2 3", "two numbers in a row", 2, "2*3 or 23"),
    ("1/0", "division by zero", 1, None),
    ("x = y = 2", "looks like an equation", 2, "one expression"),
    ("|x", "not closed", 0, "add a |"),
    ("max(x)", "at least two arguments", 0, None),
    ("sin()", "needs an argument", 3, None),
    ("x @ y", "unexpected character '@'", 2, "write * for multiplication"),
    ("∫x", "unexpected character '∫'", 0, "not integrals"),
    ("1.2.3", "two decimal points", 3, None),
    ("ln(0)", "undefined", 0, None),
    ("g'(x)", "names a function", 0, "d/dx"),
]


@pytest.mark.parametrize(("text", "message", "column", "hint"), ERRORS)
def test_errors_have_message_column_and_hint(
    text: str, message: str, column: int | None, hint: str | None
) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    error = info.value
    assert message in error.message
    assert error.column == column
    if hint is None:
        assert error.hint is None
    else:
        assert hint in (error.hint or "")


def test_caret_points_at_the_column() -> None:
    with pytest.raises(ParseError) as info:
        parse("3x^2)")
    assert info.value.caret() == "3x^2)\n    ^"


HOSTILE = [
    "__import__('os').system('touch pwned')",
    "().__class__",
    "lambda: 0",
    "x.__dict__",
    "exec('1')",
    "eval('x')",
    "open('/etc/passwd')",
    "import os",
    "globals()",
    "x; import os",
    "[c for c in ().__class__.__bases__]",
    "getattr(x, 'y')",
    "'x'",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_a_parse_error_with_no_side_effect(
    text: str, tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ParseError):
        parse(text)
    assert not os.path.exists("pwned")


def test_python_names_are_not_functions() -> None:
    # Letters spell variables, never Python: a short run is a product (xyz = x·y·z),
    # a word of four or more letters is refused rather than read as a product.
    assert parse("val").value == sympy.Symbol("v") * sympy.Symbol("a") * sympy.Symbol("l")
    with pytest.raises(ParseError) as info:
        parse("eval")
    assert info.value.hint == "to multiply variables write x*y*z*w, or put spaces between them"


SIZE_LIMITS = [
    ("(" * 10_000 + "x" + ")" * 10_000, "characters long"),
    ("(" * 300 + "x" + ")" * 300, "nested too deeply"),
    ("-" * 500 + "x", "nested too deeply"),
    ("sin(" * 150 + "x" + ")" * 150, "nested too deeply"),
    ("x^" * 5_000 + "x", "characters long"),
    ("9^9^9^9", "digits"),
    ("9^9^9", "digits"),
    ("100000!", "too large"),
    ("2^(10^7)", "digits"),
    ("x^(10^9)", "exponent"),
    ("x" * 1001, "characters long"),
]


@pytest.mark.parametrize(("text", "message"), SIZE_LIMITS, ids=[m for _, m in SIZE_LIMITS])
def test_size_limits_give_a_clear_error(text: str, message: str) -> None:
    # how fast the refusal comes is measured in benchmarks/bench_limits.py
    with pytest.raises(ParseError) as info:
        parse(text)
    assert message in info.value.message


def test_large_but_reasonable_numbers_are_fine() -> None:
    assert parse("2^100").value == 2**100
    assert parse("20!").value == sympy.factorial(20)
    assert parse("123456789012345678901234567890 x").value == 123456789012345678901234567890 * x


def test_too_large_is_a_parse_error_subclass() -> None:
    with pytest.raises(TooLargeError):
        parse("9^9^9")


PRETTY = [
    ("9x^2", "9x²"),
    ("3x^3z - y^2 + 5z + 2yz", "3x³z − y² + 2yz + 5z"),
    ("d/dx(3x^3)", "d/dx(3x³)"),
    ("∂/∂x(x^2 y)", "∂/∂x(x²y)"),
    ("sigmoid(x)(1-sigmoid(x))", "(1 − σ(x))·σ(x)"),
    ("sqrt(x+1)", "√(x + 1)"),
    ("|x-1|", "|x − 1|"),
    ("e^(-x)", "e^(−x)"),
    ("θ^2 + w_1", "θ² + w_1"),
]


@pytest.mark.parametrize(("text", "expected"), PRETTY)
def test_pretty_read_as(text: str, expected: str) -> None:
    assert pretty(parse(text).expr) == expected


PLAIN = [
    ("9x²", "9*x^2"),
    ("d/dx(3x^3)", "d/dx(3*x^3)"),
    ("e^(2x)", "exp(2*x)"),
    ("|x|", "abs(x)"),
    ("relu(x)", "max(0, x)"),
    ("σ(x)", "sigmoid(x)"),
    ("θ", "theta"),
    ("diff(x^2y^3, x, y)", "diff(x^2*y^3, x, y)"),
    ("e", "e"),
]


@pytest.mark.parametrize(("text", "expected"), PLAIN)
def test_plain_syntax(text: str, expected: str) -> None:
    assert plain(parse(text).expr) == expected


# -- regressions found by a red-team pass, named after the slip --------------------------


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("Sin(x)", "function names are lower-case", "did you mean sin(…)?"),
        ("sqr(x)", "isn't a function gradtutor knows", "did you mean sqrt(…)?"),
        ("cbrt(x)", "isn't a function gradtutor knows", "write a cube root as x^(1/3)"),
        ("1e3", "ambiguous", "write 1*10^3 for 1e3, or 1*e for Euler's e"),
        ("1e-3x", "ambiguous", "write 1*10^-3 for 1e-3"),
        ("\\", "a \\ at the end", None),
        ("x\\", "a \\ at the end", None),
    ],
)
def test_red_team_inputs_are_refused_with_a_useful_hint(
    text: str, message: str, hint: str | None
) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert message in info.value.message
    if hint is not None:
        assert hint in (info.value.hint or "")


def test_x_to_the_1_over_2_is_flagged() -> None:
    parsed = parse("x^1/2")
    assert parsed.value == x / 2
    assert parsed.notes == ("x^1/2 was read as (x^1)/2; write x^(1/2) for a fractional power",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(r"\log_2 x", log(x) / log(2)), (r"\log_{2} x", log(x) / log(2)), ("cosec(x)", sympy.csc(x))],
)
def test_more_forms(text: str, expected: sympy.Expr) -> None:
    assert parse(text).value == expected


def test_power_of_an_exponential_is_bracketed_when_shown() -> None:
    assert pretty(parse("(e^x)^y").expr) == "(e^x)^y"
    assert pretty(parse("sqrt(x)^2", evaluate=False).expr) == "(√x)²"


def test_huge_power_is_refused_before_python_cannot_print_it() -> None:
    with pytest.raises(TooLargeError):
        parse("10^6000")
    with pytest.raises(TooLargeError):
        parse("170!^170!")
    assert len(str(parse("10^3800").value)) == 3801


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # once read as d^100/(d·x^100)·x², "d^99*x^102 has several variables (d, x)"
        ("d^100/dx^100(x^2)", "a derivative of order 100 is more than gradtutor works out"),
        # the Leibniz form had no limit at all: d^25(x^30)/dx^25 was worked out
        ("d^25(x^30)/dx^25", "a derivative of order 25 is more than gradtutor works out"),
        ("d^100(x^2)/dx^100", "a derivative of order 100 is more than gradtutor works out"),
        # once read as x/d
        ("d^0/dx^0(x)", "a derivative of order 0 is no derivative"),
        # primes had no limit either: 25 of them were worked out
        ("(x^30)" + "'" * 25, "a derivative of order 25 is more than gradtutor works out"),
        ("x" + "'" * 23 + "(x^30)", "a derivative of order 23 is more than gradtutor works out"),
    ],
)
def test_derivative_orders_outside_1_to_20_are_refused_not_misread(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message.startswith(message)


def test_derivative_orders_up_to_20_still_work() -> None:
    x = sympy.Symbol("x")
    assert parse("d^20/dx^20(x^20)").value == sympy.factorial(20)
    assert parse("d^10(x^12)/dx^10").value == sympy.diff(x**12, x, 10)


@pytest.mark.parametrize("text", ["relu(exp(acos(pi/2)))", "relu(acos(2))"])
def test_relu_of_a_number_that_is_not_real_is_a_parse_error_not_exit_70(text: str) -> None:
    # sympy's Max raised a bare ValueError ("not comparable"), which reached main() as a bug
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == "relu(…) is not defined here: its argument is not a real number"
    assert info.value.column == 0


def test_relu_of_a_real_number_or_a_variable_still_reads() -> None:
    x = sympy.Symbol("x")
    assert parse("relu(-3)").value == 0
    assert parse("relu(acos(1/2))").value == sympy.pi / 3
    assert parse("relu(x)").value == sympy.Max(0, x)


def test_relu_of_a_part_kept_as_typed_reads_in_both_forms() -> None:
    # the unevaluated form (for showing the input as typed) built Max(0, Heaviside(87/10))
    # with evaluation on, and sympy refused the unevaluated Heaviside: exit 70 in check
    assert parse("relu(heaviside(8.7))").value == 1
    typed = parse("relu(heaviside(8.7))", evaluate=False)
    assert typed.expr == sympy.Max(
        0, sympy.Heaviside(sympy.Rational(87, 10), evaluate=False), evaluate=False
    )
    assert typed.value == 1
