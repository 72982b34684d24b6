"""The one sampler (gradtutor.calculus.sampling): each way of comparing by value, and that the
checker, feedback, misconceptions and the derivation checker all use it rather than a copy."""

from __future__ import annotations

import mpmath
import sympy

from gradtutor.calculus import sampling
from gradtutor.calculus.numeric import compile_expr

X, Y = sympy.symbols("x y")


def test_sampling_is_the_one_copy_every_comparer_uses() -> None:
    from gradtutor.calculus import derivation, equivalence, feedback, misconceptions

    assert equivalence._outcome is sampling.outcome
    assert equivalence._points is sampling.random_points
    assert equivalence._nice_point is sampling.nice_point
    assert feedback.paired_values is sampling.paired_values
    assert misconceptions.values_at is sampling.values_at
    assert misconceptions.same_values is sampling.same_values
    assert misconceptions.sample_points is sampling.sample_points
    assert derivation.values_at is sampling.values_at


def test_sampling_outcome_cancellation_at_50_digits_is_agreement_at_120() -> None:
    # cosh(x)^2 - sinh(x)^2 at x = 35: 10^30-sized terms cancel to 1
    fe, fa = compile_expr(sympy.cosh(X) ** 2 - sympy.sinh(X) ** 2), compile_expr(sympy.Integer(1))
    with mpmath.workdps(sampling.DPS):
        assert sampling.outcome(fe, fa, {X: mpmath.mpf(35)}) == "agree"


def test_sampling_outcome_a_difference_of_a_billionth_is_a_difference() -> None:
    fe, fa = compile_expr(X**2), compile_expr(X**2 + sympy.Rational(1, 10**9))
    with mpmath.workdps(sampling.DPS):
        assert sampling.outcome(fe, fa, {X: mpmath.mpf(2)}) == "differ"


def test_sampling_outcome_one_sided_and_undefined() -> None:
    fe, fa = compile_expr(sympy.log(X)), compile_expr(X)
    with mpmath.workdps(sampling.DPS):
        assert sampling.outcome(fe, fa, {X: mpmath.mpf(-2)}) == "one_sided"
        assert sampling.outcome(fe, fe, {X: mpmath.mpf(-2)}) == "undefined"


def test_sampling_nice_point_is_the_first_readable_point_where_the_sides_differ() -> None:
    fe, fa = compile_expr(X**2), compile_expr(2 * X)  # equal at x = 2 (and 0): not shown there
    point = sampling.nice_point(fe, fa, [X], want="any")
    assert point == {X: 3}


def test_sampling_random_points_visit_both_signs_and_every_band() -> None:
    import random

    points = sampling.random_points(random.Random(1), [X], 32, positive=False)
    values = [float(p[X]) for p in points]
    assert sum(v < 0 for v in values) == 16
    for low, high in sampling.BANDS:
        assert any(low <= abs(v) <= high for v in values), (low, high)


def test_sampling_paired_values_are_at_40_digits_on_both_signs() -> None:
    pairs = sampling.paired_values(X**3, -(X**3))
    assert pairs is not None and len(pairs) == 12
    with mpmath.workdps(sampling.FEEDBACK_DPS):
        assert all(abs(a + e) <= mpmath.mpf(10) ** -38 * abs(e) for e, a in pairs)
    assert any(e < 0 for e, _ in pairs) and any(e > 0 for e, _ in pairs)


def test_sampling_varies_with_sees_through_a_constant_in_disguise() -> None:
    assert not sampling.varies_with(sympy.asin(X) + sympy.acos(X), X)
    assert sampling.varies_with(sympy.asin(X) + X * Y, X)


def test_sampling_values_at_fixed_points_allow_complex_and_refuse_undefined() -> None:
    points = sampling.sample_points({X})
    assert [float(p[X]) for p in points] == [0.4137, 0.5519, 0.6173]
    logs = sampling.values_at(sympy.log(X - 1), points)  # ln of a negative number: complex
    assert logs is not None and all(abs(v.imag - float(sympy.pi)) < 1e-12 for v in logs)
    assert sampling.values_at(1 / (X - sympy.Float(0.4137)), points) is None


def test_sampling_same_values_is_relative_to_a_billionth() -> None:
    assert sampling.same_values((1e6,), (1e6 + 1e-4,))
    assert not sampling.same_values((1.0,), (1.0 + 1e-8,))


def test_sampling_agrees_elsewhere_refutes_a_coincidence_inside_zero_one() -> None:
    # |x| and x are equal at the sample points in (0, 1.3), not at the wider ones
    assert not sampling.agrees_elsewhere(sympy.Abs(X), X, X)
    assert sampling.agrees_elsewhere(2 * X, X + X, X)
    assert sampling.equal_at_samples(sympy.Abs(X), X)
