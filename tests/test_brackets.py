"""One reading of brackets for every place that splits maths text (vectors, quiz answers,
derivation lines, pack values): every kind of bracket counts, a stray closer closes nothing."""

from __future__ import annotations

import pytest

from gradtutor.calculus.brackets import balanced, bracketed_items, closing, split_top_level
from gradtutor.calculus.derivation import split_terms


@pytest.mark.parametrize(
    ("text", "separator", "pieces"),
    [
        ("f(a, b), c", ",", ["f(a, b)", " c"]),
        ("[1, 2], {3, 4}, ⟨5, 6⟩", ",", ["[1, 2]", " {3, 4}", " ⟨5, 6⟩"]),
        ("max(0, x)", ",", ["max(0, x)"]),
        ("a), b", ",", ["a)", " b"]),  # a stray ")" does not hide the comma after it
        ("d/dx(x^3) = 3x^2 = 3*x^2", "=", ["d/dx(x^3) ", " 3x^2 ", " 3*x^2"]),
        ("", ",", [""]),
    ],
)
def test_split_top_level(text: str, separator: str, pieces: list[str]) -> None:
    assert split_top_level(text, separator) == pieces


@pytest.mark.parametrize(
    ("text", "start", "index"),
    [("(a(b)c)d", 0, 6), ("(a(b)c)d", 2, 4), ("[x{y}]", 0, 5), ("(a", 0, None)],
)
def test_closing(text: str, start: int, index: int | None) -> None:
    assert closing(text, start) == index


@pytest.mark.parametrize(
    ("text", "expected"),
    [("(a[b]{c})", True), ("x+1)(x-1", False), ("((x)", False), ("", True)],
)
def test_balanced(text: str, expected: bool) -> None:
    assert balanced(text) is expected


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (" (8, 3, 32) ", ["8", "3", "32"]),
        ("[7, f(1, 2)]", ["7", "f(1, 2)"]),
        ("(8)", None),
        ("(a, b)(c, d)", None),
        ("7, 5", None),
    ],
)
def test_bracketed_items(text: str, items: list[str] | None) -> None:
    assert bracketed_items(text) == items


def test_terms_of_a_line_keep_a_latex_group_whole() -> None:
    # \frac{a+b}{c} was cut at its + when only ( ) and [ ] counted as brackets
    assert split_terms(r"y = \frac{a+b}{c} - x") == [r"\frac{a+b}{c}", "- x"]
    assert split_terms("f = 3x^2 - (x + 1) + 2e^-x") == ["3x^2", "- (x + 1)", "+ 2e^-x"]
