"""One way to show a result's number to people, in check, quiz and steps alike."""

from __future__ import annotations

import pytest

from gradtutor.calculus.results import Counterexample, format_number
from gradtutor.render.steps import _counterexample


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "undefined"),
        (3, "3"),
        (-12, "-12"),
        (3.0, "3"),
        (582760686857.0, "5.82761e+11"),  # steps showed a 12-digit rounding as if exact
        (10**20, "1e+20"),
        (1e20, "1e+20"),  # steps wrote out all 21 digits
        (0.1234567891, "0.123457"),
        (-2.5, "-2.5"),
        ("1.00000000000e+400", "1.00000000000e+400"),  # beyond a double, kept as text
    ],
)
def test_format_number(value: int | float | str | None, shown: str) -> None:
    assert format_number(value) == shown


def test_steps_shows_the_point_of_a_counterexample_as_check_does() -> None:
    ce = Counterexample(point={"x": 0.637281940123}, expected=2.0, answer=None)
    assert _counterexample(ce) == "at x = 0.637282 this line gives undefined, the derivative 2"
