"""The decimal judge (agreed API; the quiz helper owns the final module)."""

from __future__ import annotations

import pytest
import sympy

from gradtutor.calculus.decimal_answer import judge_decimal
from gradtutor.calculus.functions import sigmoid

S3 = sigmoid(3)  # 0.952574126822433…


@pytest.mark.parametrize(
    ("typed", "exact", "verdict"),
    [
        ("0.9526", S3, "right"),  # rounded to 4 places
        ("0.9525", S3, "right"),  # truncated to 4 places
        ("0.953", S3, "right"),  # 3 significant digits
        ("0.95", S3, "close"),  # agrees, but only 2 significant digits
        ("0.96", S3, "close"),  # within 1%
        ("0.90", S3, "wrong"),
        ("-0.00127", sympy.Rational(-127, 100000), "right"),
        ("0.5", sympy.Rational(1, 2), "right"),  # equal exactly
        ("0.0452", S3 * (1 - S3), "right"),  # 0.045176…
    ],
)
def test_verdicts(typed: str, exact: sympy.Expr, verdict: str) -> None:
    judgement = judge_decimal(typed, exact)
    assert judgement is not None
    assert judgement.verdict == verdict


@pytest.mark.parametrize("typed", ["1.5e-3", "abc", "1/2", "σ(3)"])
def test_not_a_plain_decimal(typed: str) -> None:
    assert judge_decimal(typed, S3) is None
