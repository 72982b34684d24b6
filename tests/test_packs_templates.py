"""Random parameters, the safe `where` language, and text rendering."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradtutor.tutor.templates import (
    Choice,
    Derived,
    IntRange,
    TemplateError,
    condition_for,
    draw,
    evaluate,
    format_value,
    parse_param,
    render,
    tidy_maths,
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("2..9", IntRange(2, 9)),
        (" -3 .. 3 ", IntRange(-3, 3)),
        ([0.1, 0.5], Choice((Fraction(1, 10), Fraction(1, 2)))),
        (["sin", "cos"], Choice(("sin", "cos"))),
        (4, Choice((Fraction(4),))),
        ("= -b/w", Derived("-b/w")),
    ],
)
def test_parse_param(spec: object, expected: object) -> None:
    assert parse_param("a", spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("9..2", "is empty"),
        ("2-9", 'not a range like "2..9"'),
        ([], "list of choices is empty"),
        (True, "true/false is not a value"),
        ("= a.b", "Attribute, which is not allowed"),
    ],
)
def test_bad_param_specs(spec: object, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse_param("a", spec)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("a != b", {"a": 2, "b": 3}, True),
        ("a != b", {"a": 3, "b": 3}, False),
        ("a*p^(n-1) + b != 0", {"a": 2, "p": 1, "n": 3, "b": -2}, False),
        ("p % q != 0 and 2*p != q", {"p": 4, "q": 2}, False),
        ("p % q != 0 and 2*p != q", {"p": 3, "q": 2}, True),
        ("0 < x <= 2", {"x": 2}, True),
        ("abs(x) > 1 or not y", {"x": -1, "y": 0}, True),
        ("t == 'sin'", {"t": "sin"}, True),
    ],
)
def test_where_conditions(text: str, values: dict[str, object], expected: bool) -> None:
    as_values = {k: v if isinstance(v, str) else Fraction(v) for k, v in values.items()}
    predicate = condition_for(text)
    assert predicate is not None
    assert predicate(as_values) is expected


def test_arithmetic_is_exact() -> None:
    assert evaluate("-b/w", {"b": Fraction(3), "w": Fraction(2)}) == Fraction(-3, 2)
    assert evaluate("0.1 + 0.2 == 0.3", {}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.__class__",
        "[x for x in y]",
        "lambda: 1",
        "open('f')",
        "a if b else c",
        "x[0]",
    ],
)
def test_where_refuses_anything_but_arithmetic(text: str) -> None:
    with pytest.raises(TemplateError):
        condition_for(text)


def test_where_errors_are_clear() -> None:
    with pytest.raises(TemplateError, match="division by zero"):
        evaluate("a/b", {"a": Fraction(1), "b": Fraction(0)})
    with pytest.raises(TemplateError, match="'z', which is not a parameter"):
        evaluate("z > 1", {})
    with pytest.raises(TemplateError, match="only small whole powers"):
        evaluate("2^100", {})


def test_draw_retries_until_the_condition_holds() -> None:
    params = {"a": IntRange(1, 3), "b": IntRange(1, 3)}
    values = draw(params, condition_for("a > b"), random.Random(1), max_tries=200)
    assert values is not None and values["a"] > values["b"]
    assert draw(params, condition_for("a > 5"), random.Random(1), max_tries=20) is None


def test_derived_values_follow_earlier_draws() -> None:
    params = {"w": Choice((Fraction(2),)), "b": Choice((Fraction(3),)), "x": Derived("-b/w")}
    assert draw(params, None, random.Random(0), max_tries=1) == {
        "w": Fraction(2),
        "b": Fraction(3),
        "x": Fraction(-3, 2),
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(3), "3"),
        (Fraction(-2), "-2"),
        (Fraction(1, 10), "0.1"),
        (Fraction(1, 3), "1/3"),
        (Fraction(-3, 2), "-1.5"),
        ("cos", "cos"),
    ],
)
def test_format_value(value: Fraction | str, text: str) -> None:
    assert format_value(value) == text


def test_render_substitutes_and_tidies_signs() -> None:
    assert render("{a}x^{n} + {b}", {"a": "3", "n": "4", "b": "-2"}) == "3x^4 - 2"
    assert render("x - {b}", {"b": "-5"}) == "x + 5"
    assert render("2*{a}*x^{n}", {"a": "-3", "n": "-2"}) == "2*(-3)*x^(-2)"
    with pytest.raises(TemplateError, match=r"placeholder \{c\}"):
        render("{c}x", {})


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        ("e^x/(x^1 + 7)", "e^x/(x + 7)"),
        ("5x^4 - 1x", "5x^4 - x"),
        ("x^1*e^x", "x*e^x"),
        ("σ(1σ(x))", "σ(σ(x))"),
        ("(σ(3w + b) - 0)^2", "(σ(3w + b))^2"),
        ("x^12 + 21x - 0.5 + 0.1x", "x^12 + 21x - 0.5 + 0.1x"),
    ],
)
def test_tidy_maths(text: str, tidy: str) -> None:
    assert tidy_maths(text) == tidy


@given(
    a=st.integers(-50, 50),
    b=st.integers(-50, 50).filter(lambda n: n != 0),
    c=st.integers(0, 5),
)
def test_where_arithmetic_matches_fractions(a: int, b: int, c: int) -> None:
    values = {"a": Fraction(a), "b": Fraction(b), "c": Fraction(c)}
    truth = Fraction(a) / b + a % b - a * b**c
    assert evaluate("a/b + a % b - a*b^c", values) == truth
    assert evaluate("a/b > a*b or not c", values) == Fraction(
        bool(Fraction(a) / b > a * b or not c)
    )
