"""The catalogue: gradients against finite differences and sympy, minima, windows, typed losses."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.descent.surfaces import CATALOGUE, find_surface
from gradtutor.descent.typed import TypedLossError, surface_from_expression

NAMES = [s.name for s in CATALOGUE]


def finite_difference(surface, point, h=1e-6):
    out = []
    for i in range(surface.dim):
        step = np.zeros(surface.dim)
        step[i] = h
        out.append((surface.loss(point + step) - surface.loss(point - step)) / (2 * h))
    return np.array(out)


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(NAMES), u=st.floats(0.02, 0.98), v=st.floats(0.02, 0.98))
def test_gradient_matches_finite_differences(name, u, v):
    s = find_surface(name)
    fractions = (u, v)[: s.dim]
    point = np.array([lo + t * (hi - lo) for t, (lo, hi) in zip(fractions, s.window, strict=True)])
    expect = finite_difference(s, point)
    scale = 1 + np.max(np.abs(expect))
    np.testing.assert_allclose(s.gradient(point), expect, rtol=1e-5, atol=1e-5 * scale)


@pytest.mark.parametrize("name", NAMES)
def test_expression_reads_back_through_the_engine_as_the_same_function(name):
    """The plain-syntax formula, parsed and differentiated by sympy, is the numpy surface."""
    s = find_surface(name)
    typed = surface_from_expression(s.expression, window=s.window, start=s.start)
    assert typed.variables == s.variables
    rng = np.random.default_rng(7)
    for _ in range(5):
        point = np.array([rng.uniform(lo, hi) for lo, hi in s.window])
        assert typed.loss(point) == pytest.approx(s.loss(point), rel=1e-9, abs=1e-9)
        np.testing.assert_allclose(typed.gradient(point), s.gradient(point), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_known_minima_are_critical_points_inside_the_window(name):
    s = find_surface(name)
    assert s.in_window(np.array(s.start))
    for m in s.minima:
        point = np.array(m)
        assert s.in_window(point)
        assert np.linalg.norm(s.gradient(point)) < 1e-6
        eig = np.linalg.eigvalsh(s.hessian(point))
        assert eig.min() > 0
    if s.min_value is not None and s.minima:
        assert min(s.loss(np.array(m)) for m in s.minima) == pytest.approx(s.min_value, abs=1e-9)


def test_catalogue_covers_the_issue():
    assert set(NAMES) >= {
        "bowl",
        "ellipse",
        "rosenbrock",
        "himmelblau",
        "beale",
        "booth",
        "saddle",
        "monkey",
        "rastrigin",
        "ackley",
        "camel",
        "regression",
        "logistic",
        "plateau",
        "double-well",
        "parabola",
        "sigmoid",
    }
    assert len(find_surface("himmelblau").minima) == 4
    assert find_surface("ellipse").expression == "x^2 + 25*y^2"
    assert find_surface("Ill-Conditioned") is find_surface("ellipse")


def test_hessian_of_the_ellipse_is_diag_2_50():
    eig = np.linalg.eigvalsh(find_surface("ellipse").hessian(np.array([0.7, -0.3])))
    np.testing.assert_allclose(eig, [2.0, 50.0], rtol=1e-7)


def test_regression_minimum_is_least_squares():
    """Normal equations for x = 1..5, y = 2.1, 3.9, 6.2, 7.8, 10.1: w = 19.9/10, b = 6.02 − 3w."""
    w, b = find_surface("regression").minima[0]
    assert (w, b) == pytest.approx((1.99, 0.05), abs=1e-12)


# --- typed losses -------------------------------------------------------------------


def test_typed_quadratic_gradient_and_suggested_rate():
    s = surface_from_expression("x^2 + 10y^2")
    assert s.expression == "x^2 + 10*y^2"
    assert s.variables == ("x", "y")
    assert s.quadratic
    np.testing.assert_allclose(s.gradient(np.array([2.0, 1.5])), [4.0, 30.0])
    assert s.suggested_lr("sgd") == 0.05  # 1/λmax with λmax = 20


def test_typed_weight_and_bias_axes_order():
    assert surface_from_expression("(w + b - 1)^2 + b^2").variables == ("w", "b")


def test_typed_activation_functions_are_lambdified():
    s = surface_from_expression("relu(x) + sigmoid(y)")
    assert s.loss(np.array([-1.0, 0.0])) == pytest.approx(0.5)
    np.testing.assert_allclose(s.gradient(np.array([2.0, 0.0])), [1.0, 0.25])


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("x + y + z", {}, "has 3 (x, y, z)"),
        ("7", {}, "has no variable"),
        ("log(x) + y^2", {}, "not real-valued everywhere on the window"),
        ("1/x + y^2", {"start": (0.0, 1.0)}, "the loss is undefined at the start"),
        ("x^2 +", {}, "cannot read the loss"),
        ("x^2", {"start": (1.0, 2.0)}, "--start needs 1 number"),
    ],
)
def test_typed_errors(text, options, message):
    with pytest.raises(TypedLossError, match=message.replace("(", r"\(").replace(")", r"\)")):
        surface_from_expression(text, **options)


def test_typed_log_works_on_a_window_where_it_is_defined():
    s = surface_from_expression("x - log(x)", window=((0.1, 4.0),), start=(3.0,))
    assert s.gradient(np.array([2.0]))[0] == pytest.approx(0.5)
