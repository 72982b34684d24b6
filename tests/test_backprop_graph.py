"""The computational graph: one node per operation, values forward, gradients backward.

Oracles: sympy.diff of the whole expression at the point, and central finite differences.
"""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gradtutor.calculus.parsing import parse
from gradtutor.network.graph import (
    GraphError,
    UndefinedNode,
    backprop,
    build_graph,
    graph_from_text,
    parse_at,
)


def _run(text: str, at: str, **kwargs):  # type: ignore[no-untyped-def]
    values, texts = parse_at(at)
    return backprop(graph_from_text(text), values, at_text=texts, **kwargs)


def _sympy_grads(text: str, at: str) -> dict[str, float]:
    expr = parse(text).value
    values, _ = parse_at(at)
    subs = {sympy.Symbol(k): v for k, v in values.items()}
    return {k: float(sympy.diff(expr, sympy.Symbol(k)).subs(subs).evalf(30)) for k in values}


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("(σ(w*x + b) - y)^2", "w=0.5,x=2,b=-1,y=1"),
        ("x*w + w^2", "x=3,w=2"),
        ("ln(x)/x - 3*y/2 + sqrt(x)*exp(-y)", "x=2,y=1"),
        ("tanh(relu(a*b - 1))^2", "a=1.5,b=2"),
        ("x^y", "x=1.5,y=0.7"),
        ("exp(-(x - 1)^2/2)/(1 + x^2)", "x=0.3"),
        ("-x - y*z", "x=1,y=2,z=3"),
        ("σ(σ(u)*v)", "u=0.1,v=-2"),
        ("softplus(w*x - 1)^2", "w=0.3,x=-2"),
    ],
)
def test_gradients_equal_sympy_diff_at_the_point(text: str, at: str) -> None:
    result = _run(text, at)
    expected = _sympy_grads(text, at)
    for name, grad in expected.items():
        node = result.graph.node_named(name)
        assert node is not None
        assert result.grads[node.id] == pytest.approx(grad, rel=1e-12, abs=1e-12)
        assert result.relative_error(name) < 1e-6


def test_the_issue_example_values_and_gradients() -> None:
    result = _run("(σ(w*x + b) - y)^2", "w=0.5,x=2,b=-1,y=1")
    by_label = {n.label: n.id for n in result.graph.nodes}
    z = by_label["w*x + b"]
    a = by_label["σ(w*x + b)"]
    assert result.values[z] == 0.0
    assert result.values[a] == 0.5
    assert result.output == 0.25
    # ∂L/∂a = 2(a − y) = −1; ∂L/∂z = −1 · σ'(0) = −1/4; ∂L/∂w = −1/4 · x = −1/2
    assert result.grads[a] == -1.0
    assert result.grads[z] == -0.25
    assert result.grads[by_label["w"]] == -0.5
    assert result.exact_grads is not None
    assert result.exact_grads[by_label["w"]] == sympy.Rational(-1, 2)


def test_a_node_used_twice_sums_its_two_contributions() -> None:
    # L = x·w + w² at x=3, w=2: ∂L/∂w = x + 2w = 3 + 4 = 7, from two consumers
    result = _run("x*w + w^2", "x=3,w=2")
    w = result.graph.node_named("w")
    assert w is not None
    assert len(result.graph.consumers[w.id]) == 2
    parts = sorted(c.value for c in result.contributions[w.id])
    assert parts == [3.0, 4.0]
    assert result.grads[w.id] == 7.0
    assert sum(parts) == result.grads[w.id]


def test_shared_subexpression_is_one_node() -> None:
    graph = graph_from_text("σ(x*w)*(1 - σ(x*w))")
    labels = [n.label for n in graph.nodes]
    assert labels.count("σ(x*w)") == 1
    assert labels.count("x*w") == 1
    sigma = graph.node_named("σ(x*w)")
    assert sigma is not None
    assert len(graph.consumers[sigma.id]) == 2


def test_same_node_twice_in_one_operation() -> None:
    # (x + y)·(x + y): the sum feeds both slots of one product; ∂L/∂s = s + s
    result = _run("(x+y)*(x+y)", "x=1,y=2")
    s = result.graph.node_named("x + y")
    assert s is not None
    assert [c.slot for c in result.contributions[s.id]] == [0, 1]
    assert result.grads[s.id] == 6.0


def test_nodes_are_in_forward_topological_order() -> None:
    graph = graph_from_text("(σ(w*x + b) - y)^2 + ln(w^2 + 1)")
    for node in graph.nodes:
        assert all(i < node.id for i in node.inputs)
    assert graph.output == len(graph.nodes) - 1


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("(σ(w*x + b) - y)^2", "w=0.5,x=2,b=-1,y=1"),
        ("ln(x)/x - 3*y/2 + sqrt(x)*exp(-y) + relu(x - y) + tanh(x)^y", "x=2,y=1"),
        ("-x - y", "x=1,y=1"),
        ("2^x/(x*y)", "x=0.5,y=3"),
    ],
)
def test_each_label_reads_back_to_its_node_value(text: str, at: str) -> None:
    result = _run(text, at)
    values, _ = parse_at(at)
    for node in result.graph.nodes:
        expr = parse(node.label).value
        subs = {sympy.Symbol(k): v for k, v in values.items()}
        assert float(expr.subs(subs).evalf(30)) == pytest.approx(result.values[node.id], rel=1e-12)


def test_exact_values_where_short() -> None:
    result = _run("σ(3*x)", "x=1")
    assert result.exact_values is not None
    assert str(result.exact_values[-1]) == "sigmoid(3)"
    assert result.values[-1] == pytest.approx(1 / (1 + math.exp(-3)))


# -- bad input ---------------------------------------------------------------------------


def test_missing_variable_is_named() -> None:
    with pytest.raises(GraphError, match="no value for b"):
        _run("w*x + b", "w=1,x=2")


def test_unknown_name_in_at_is_named() -> None:
    with pytest.raises(GraphError, match="c is not a variable of the expression"):
        _run("w*x", "w=1,x=2,c=3")


def test_value_that_is_not_a_number() -> None:
    with pytest.raises(GraphError, match="w='abc' is not a number"):
        parse_at("w=abc")


def test_wrt_must_name_a_leaf() -> None:
    with pytest.raises(GraphError, match="--wrt z: not a leaf"):
        _run("w*x", "w=1,x=2", wrt=("z",))


def test_ln_of_a_negative_names_the_node() -> None:
    with pytest.raises(UndefinedNode, match=r"node #\d+ \(ln\(x - 3\)\) is undefined"):
        _run("ln(x - 3)", "x=1")


def test_division_by_zero_names_the_node() -> None:
    with pytest.raises(UndefinedNode, match=r"\(1/\(x - 1\)\)"):
        _run("1/(x - 1)", "x=1")


def test_graph_size_cap() -> None:
    x = sympy.Symbol("x")
    expr = sum(sympy.sin(k * x) for k in range(1, 30))
    with pytest.raises(GraphError, match="more than 50 nodes"):
        build_graph(expr, max_nodes=50)


def test_function_without_a_rule_is_refused() -> None:
    with pytest.raises(GraphError, match="no rule for asin"):
        graph_from_text("asin(x)")


# -- property: random expressions against sympy.diff --------------------------------------

_X, _Y, _Z = sympy.symbols("x y z")
_LEAVES = st.sampled_from([_X, _Y, _Z, sympy.Integer(2), sympy.Rational(1, 2), sympy.Integer(-3)])


def _combine(children: st.SearchStrategy) -> st.SearchStrategy:
    from gradtutor.calculus.functions import sigmoid

    unary = st.sampled_from(
        [sigmoid, sympy.tanh, sympy.exp, lambda u: sympy.Max(0, u), sympy.sin, lambda u: -u]
    )
    binary = st.sampled_from(
        [
            lambda a, b: a + b,
            lambda a, b: a - b,
            lambda a, b: a * b,
            lambda a, b: a / (1 + b**2),
            lambda a, b: a**2 + b,
            lambda a, b: sympy.log(1 + a**2) * b,
        ]
    )
    return st.one_of(
        st.builds(lambda f, u: f(u), unary, children),
        st.builds(lambda f, a, b: f(a, b), binary, children, children),
    )


_EXPRS = st.recursive(_LEAVES, _combine, max_leaves=8)
_VALUES = st.floats(min_value=-2.5, max_value=2.5, allow_nan=False).map(lambda v: round(v, 3))


def _filled(expr, x, y, z):  # type: ignore[no-untyped-def]
    """The graph of ``expr`` filled at (x, y, z) in floats; an example where a node is
    undefined (or with no variable) is skipped."""
    assume(expr.free_symbols)
    graph = build_graph(expr)
    at = {s.name: sympy.nsimplify(v) for s, v in ((_X, x), (_Y, y), (_Z, z))}
    at = {k: v for k, v in at.items() if sympy.Symbol(k) in expr.free_symbols}
    try:
        result = backprop(graph, at, exact=False)
    except UndefinedNode:
        assume(False)
    return graph, at, result


@settings(max_examples=60, deadline=None)
@given(expr=_EXPRS, x=_VALUES, y=_VALUES, z=_VALUES)
def test_random_expressions_match_sympy_diff(expr, x, y, z) -> None:  # type: ignore[no-untyped-def]
    graph, at, result = _filled(expr, x, y, z)
    relu_inputs = [result.values[n.inputs[0]] for n in graph.nodes if n.op == "relu"]
    assume(all(abs(v) > 1e-9 for v in relu_inputs))  # sympy's Heaviside(0) is not our 0
    subs = {sympy.Symbol(k): v for k, v in at.items()}
    for name in at:
        oracle = float(sympy.diff(expr, sympy.Symbol(name)).subs(subs).evalf(30))
        node = graph.node_named(name)
        assert node is not None
        assert result.grads[node.id] == pytest.approx(oracle, rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(expr=_EXPRS, x=_VALUES, y=_VALUES, z=_VALUES)
def test_random_graph_labels_read_back_to_their_values(expr, x, y, z) -> None:  # type: ignore[no-untyped-def]
    graph, at, result = _filled(expr, x, y, z)
    subs = {sympy.Symbol(k): v for k, v in at.items()}
    for node in graph.nodes:
        value = float(parse(node.label).value.subs(subs).evalf(30))
        assert value == pytest.approx(result.values[node.id], rel=1e-9, abs=1e-12), node.label
