"""Each misconception is diagnosed on several expressions; right answers and stray ones get none."""

from __future__ import annotations

import random

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradtutor.calculus.equivalence import check
from gradtutor.calculus.misconceptions import ALL_IDS, BY_ID, diagnose, diagnose_answer
from gradtutor.calculus.parsing import parse

X = sympy.Symbol("x")

# (task: the function differentiated in x, the learner's answer, the misconception id)
CASES = [
    ("sin(x^2)", "cos(x^2)", "chain_inner_missing"),
    ("e^(3x)", "e^(3x)", "chain_inner_missing"),
    ("(x^2 + 1)^3", "3(x^2 + 1)^2", "chain_inner_missing"),
    ("cos(5x)", "-sin(5x)", "chain_inner_missing"),
    ("sin(x^2)", "cos(x)*2x", "chain_outer_wrong_argument"),
    ("cos(x^3)", "-sin(x)*3x^2", "chain_outer_wrong_argument"),
    ("e^(x^2)", "e^x*2x", "chain_outer_wrong_argument"),
    ("x^2 sin(x)", "2x cos(x)", "product_as_product_of_derivatives"),
    ("x^3 sin(x)", "3x^2 cos(x)", "product_as_product_of_derivatives"),
    ("(x+1)(x^2+3)", "2x", "product_as_product_of_derivatives"),
    ("x^2 sin(x)", "2x sin(x)", "product_term_missing"),
    ("x^2 sin(x)", "x^2 cos(x)", "product_term_missing"),
    ("x ln(x)", "ln(x)", "product_term_missing"),
    ("sin(x)/x", "(sin(x) - x cos(x))/x^2", "quotient_sign"),
    ("x^2/(x+1)", "(x^2 - 2x(x+1))/(x+1)^2", "quotient_sign"),
    ("e^x/(x^2+1)", "(e^x*2x - e^x(x^2+1))/(x^2+1)^2", "quotient_sign"),
    ("sin(x)/x", "(x cos(x) - sin(x))/x", "quotient_denominator_not_squared"),
    ("x^2/(x+1)", "(2x(x+1) - x^2)/(x+1)", "quotient_denominator_not_squared"),
    ("3x^2", "6x^2", "power_exponent_not_reduced"),
    ("x^4 + 7", "4x^4", "power_exponent_not_reduced"),
    ("x^3 + x^2", "3x^3 + 2x^2", "power_exponent_not_reduced"),
    ("x^3", "3x^4", "power_exponent_increased"),
    ("5x^2", "10x^3", "power_exponent_increased"),
    ("x^5", "x^4", "power_coefficient_missing"),
    ("2x^3", "2x^2", "power_coefficient_missing"),
    ("x^4 + x", "x^3 + 1", "power_coefficient_missing"),
    ("3x^3", "9^2", "dropped_variable"),
    ("3x^3", "9", "dropped_variable"),
    ("3x^3 + 5x", "9 + 5", "dropped_variable"),
    ("4x^2", "8", "dropped_variable"),
    ("x^2 + 5", "2x + 5", "constant_not_zero"),
    ("x^3 - 4", "3x^2 - 4", "constant_not_zero"),
    ("sin(x) + 7", "cos(x) + 7", "constant_not_zero"),
    ("cos(x)", "sin(x)", "sign_error_trig"),
    ("sin(x)", "-cos(x)", "sign_error_trig"),
    ("cos(x^2)", "2x sin(x^2)", "sign_error_trig"),
    ("cot(x)", "csc(x)^2", "sign_error_trig"),
    ("e^x", "x e^(x-1)", "exp_power_rule_misuse"),
    ("2^x", "x 2^(x-1)", "exp_power_rule_misuse"),
    ("3^x + x^2", "x 3^(x-1) + 2x", "exp_power_rule_misuse"),
    ("ln(x^2+1)", "1/(x^2+1)", "log_chain_missing"),
    ("ln(sin(x))", "1/sin(x)", "log_chain_missing"),
    ("ln(3x)", "1/(3x)", "log_chain_missing"),
    ("x^2 y^3", "2x y^3 + 3x^2 y^2", "partial_other_var_not_constant"),
    ("x y", "y + x", "partial_other_var_not_constant"),
    ("x^2 + y^2", "2x + 2y", "partial_other_var_not_constant"),
    ("3x^3 z", "9x^2", "partial_constant_factor_dropped"),
    ("x^2 y", "2x", "partial_constant_factor_dropped"),
    ("5x y^2 + x^2", "5 + 2x", "partial_constant_factor_dropped"),
    ("3x^3 z - y^2 + 5z + 2y z", "9x^2", "partial_constant_factor_dropped"),
    ("e^(2x)", "2x e^(2x-1)", "exp_power_rule_misuse"),
    ("x y^2", "2x y", "partial_wrong_variable"),
    ("x^2 y^3 + x", "3x^2 y^2", "partial_wrong_variable"),
    ("ln(x)", "1/ln(x)", "log_reciprocal"),
    ("ln(x) + x^2", "1/ln(x) + 2x", "log_reciprocal"),
    ("e^x", "e^x ln(x)", "exp_log_factor"),
    ("2^x", "2^x ln(x)", "exp_log_factor"),
    ("e^(x^2)", "2x e^(2x)", "exp_exponent_differentiated"),
    ("e^(3x^2)", "6x e^(6x)", "exp_exponent_differentiated"),
    ("5 sin(x)", "cos(x)", "constant_multiple_dropped"),
    ("7x^2 + x", "2x + 1", "constant_multiple_dropped"),
    ("x e^x", "e^x", "product_rule_skipped"),
    ("x^2 e^x", "2x e^x", "product_rule_skipped"),
    ("2(4x^2)^4", "8*4x^6*8x", "power_of_product_not_distributed"),
    ("(3x^2)^4", "4*3x^6*6x", "power_of_product_not_distributed"),
    ("3x^3 - y^2 + 5x + 2", "9x^2", "partial_term_dropped"),
    ("x^2 + x y", "2x", "partial_term_dropped"),
    ("x^3", "x^3", "not_differentiated"),
    ("sin(x) + x^2", "sin(x) + x^2", "not_differentiated"),
    ("x^3", "6x", "differentiated_twice"),
    ("x^4 + sin(x)", "12x^2 - sin(x)", "differentiated_twice"),
]


def _diagnose(task: str, answer: str):  # type: ignore[no-untyped-def]
    return diagnose(parse(task, evaluate=False).expr, X, parse(answer).value)


def test_misconceptions_each_case_is_diagnosed_with_its_id() -> None:
    for task, answer, expected in CASES:
        found = _diagnose(task, answer)
        assert found is not None and found.id == expected, (task, answer, found and found.id)


def test_misconceptions_every_rule_twin_id_has_cases() -> None:
    covered = {c[2] for c in CASES}
    assert covered == set(BY_ID)
    assert set(ALL_IDS) == covered | {
        "arithmetic_slip",
        "substituted_value",
        "differentiated_unasked",
    }


def test_misconceptions_three_levels_of_help() -> None:
    found = _diagnose("sin(x^2)", "cos(x^2)")
    assert found.question == (
        "You differentiated the outside at u = x². "
        "Did you multiply by the derivative of the inside, d/dx x²?"
    )
    assert found.rule == "Chain rule: d/dx f(g(x)) = f'(g(x))·g'(x)"
    assert found.correction == "d/dx sin(x²) = 2x·cos(x²)"


def test_misconceptions_partial_correction_uses_partial_operator() -> None:
    found = _diagnose("3x^3 z", "9x^2")
    assert found.correction == "∂/∂x (3x³z) = 9x²z"


RIGHT = [
    ("sin(x^2)", "2x cos(x^2)"),
    ("x^2 sin(x)", "x(x cos(x) + 2 sin(x))"),
    ("3x^3", "9x^2"),
    ("ln(x^2+1)", "2x/(x^2+1)"),
    ("3x^3 z", "9z x^2"),
    ("sin(x)/x", "cos(x)/x - sin(x)/x^2"),
    ("e^x", "e^x"),
]


def test_misconceptions_right_answers_get_none() -> None:
    for task, answer in RIGHT:
        assert _diagnose(task, answer) is None, (task, answer)


STRAY = [
    ("x^2", "7x"),
    ("sin(x^2)", "tan(x)"),
    ("x^2 sin(x)", "x^3"),
    ("3x^3", "12x^5 + 1"),
    ("e^x", "ln(x)"),
]


def test_misconceptions_answers_matching_no_twin_get_none() -> None:
    for task, answer in STRAY:
        assert _diagnose(task, answer) is None, (task, answer)


def test_misconceptions_product_rule_skipped_when_both_product_slips_agree() -> None:
    # (x^3 e^x)' written 3x^2 e^x: the product of the derivatives (3x^2 · e^x) and the product
    # rule with the term x^3 e^x missing give the same answer; either way the product rule was
    # not used, which is what is named (neither of the two narrower ids)
    assert _diagnose("x^3 e^x", "3x^2 e^x").id == "product_rule_skipped"
    assert _diagnose("x^3 sin(x)", "3x^2 sin(x)").id == "product_term_missing"


def test_misconceptions_hook_returns_feedback() -> None:
    task = parse("d/dx(sin(x^2))").expr
    (feedback,) = diagnose_answer(task, parse("cos(x^2)").value)
    assert (feedback.kind, feedback.id) == ("misconception", "chain_inner_missing")
    assert diagnose_answer(task, parse("2x cos(x^2)").value) == []
    assert diagnose_answer(parse("x^2").expr, parse("2").value) == []  # no derivative: no twin


def test_misconceptions_hook_never_raises() -> None:
    assert diagnose_answer(sympy.Integer(1), sympy.nan) == []
    assert diagnose_answer(sympy.Derivative(sympy.Function("f")(X), X), X) == []


def test_misconceptions_hook_lets_the_time_limit_through(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from gradtutor.calculus import misconceptions
    from gradtutor.calculus.timelimit import TimeLimitExceeded

    def out_of_time(task, answer):  # type: ignore[no-untyped-def]
        raise TimeLimitExceeded

    monkeypatch.setattr(misconceptions, "_diagnose_answer", out_of_time)
    with pytest.raises(TimeLimitExceeded):
        diagnose_answer(parse("d/dx(x^2)").expr, X)


def test_misconceptions_check_json_gains_misconception_feedback() -> None:
    data = check("d/dx(x^2 + 5)", "2x + 5").to_json()
    assert data["verdict"] == "not_equivalent"
    ids = [f.get("id") for f in data["feedback"] if f["kind"] == "misconception"]
    assert ids == ["constant_not_zero"]


simple = st.recursive(
    st.sampled_from([X, X, sympy.Integer(3), sympy.Integer(-2)]),
    lambda kids: st.one_of(
        st.builds(lambda a, b: a + b, kids, kids),
        st.builds(lambda a, b: a * b, kids, kids),
        st.builds(lambda a, n: a**n, kids, st.sampled_from([2, 3, -1])),
        st.builds(
            lambda f, a: f(a), st.sampled_from([sympy.sin, sympy.cos, sympy.exp, sympy.log]), kids
        ),
    ),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(simple)
def test_misconceptions_never_diagnose_the_true_derivative(expr: sympy.Expr) -> None:
    assume(expr.has(X) and not expr.has(sympy.zoo, sympy.nan))
    assert diagnose(expr, X, sympy.diff(expr, X)) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(simple, st.data())
def test_misconceptions_a_twin_answer_is_named_by_its_own_id_or_not_at_all(
    expr: sympy.Expr, data: st.DataObject
) -> None:
    from gradtutor.calculus.derive import derive
    from gradtutor.calculus.misconceptions import (
        Context,
        candidates,
        same_values,
        sample_points,
        values_at,
    )

    assume(expr.has(X) and not expr.has(sympy.zoo, sympy.nan))
    tree = derive(expr, X)
    pool = list(candidates(tree, Context(X, ())))
    assume(pool)
    picked = data.draw(st.sampled_from(pool))
    found = diagnose(expr, X, picked.answer, tree=tree)
    assume(found is not None)  # naming nothing is allowed here; the recall floor below bounds it
    if found.id == picked.misconception.id:
        return
    from gradtutor.calculus.misconceptions import _WEAKER

    outranked_by = {s for weaker, ids in _WEAKER if weaker == picked.misconception.id for s in ids}
    if found.id in outranked_by:
        # a weaker twin (x² → 2 as 'differentiated twice') gives way to a rule's twin that
        # reproduces the same answer ('variable dropped'): the documented precedence
        return
    # a chain-rule omission may be named over a coincidence inside its chain, and only when
    # its own twin gives the same answer by value
    assert found.id in ("chain_inner_missing", "log_chain_missing")
    points = sample_points(expr.free_symbols | {X})
    picked_values = values_at(picked.answer, points)
    assert any(
        c.misconception.id == found.id
        and (v := values_at(c.answer, points)) is not None
        and picked_values is not None
        and same_values(v, picked_values)
        for c in pool
    )


def random_expression(rng: random.Random, leaves: int) -> sympy.Expr:
    """An expression like the ``simple`` strategy's, from a seeded generator (a fixed corpus)."""
    if leaves <= 1 or rng.random() < 0.3:
        return rng.choice([X, X, sympy.Integer(3), sympy.Integer(-2)])
    kind = rng.randrange(4)
    if kind == 0:
        return random_expression(rng, leaves // 2) + random_expression(rng, leaves - leaves // 2)
    if kind == 1:
        return random_expression(rng, leaves // 2) * random_expression(rng, leaves - leaves // 2)
    if kind == 2:
        return random_expression(rng, leaves - 1) ** rng.choice([2, 3, -1])
    function = rng.choice([sympy.sin, sympy.cos, sympy.exp, sympy.log])
    return function(random_expression(rng, leaves - 1))


def test_misconceptions_recall_floor_on_every_twin_of_a_fixed_random_corpus() -> None:
    """The two properties above pass when nothing is named; this bounds how often that happens.

    40 seeded random expressions (182 twin answers when written): the twins' answers must be
    named by their own ids at least 90% of the time (177 of 182, 97%, when written); a change
    that makes the diagnosis shy shows up here, where the properties cannot see it.
    """
    from gradtutor.calculus.derive import derive
    from gradtutor.calculus.misconceptions import Context, candidates

    rng = random.Random(2)
    corpus: list[sympy.Expr] = []
    while len(corpus) < 40:
        expr = random_expression(rng, 5)
        if expr.has(X) and not expr.has(sympy.zoo, sympy.nan) and expr not in corpus:
            corpus.append(expr)
    twins = named = 0
    for expr in corpus:
        tree = derive(expr, X)
        for twin in candidates(tree, Context(X, ())):
            found = diagnose(expr, X, twin.answer, tree=tree)
            twins += 1
            named += found is not None and found.id == twin.misconception.id
    assert twins >= 150
    assert named / twins >= 0.90, (named, twins)


def test_misconceptions_derivative_given_where_the_expression_was_asked() -> None:
    # issue 10 item 6: the answer is the derivative of the expected expression
    result = check("x^3", "3x^2")
    ids = [f.id for f in result.feedback if f.kind == "misconception"]
    assert ids == ["differentiated_unasked"]
    assert result.feedback[0].message == (
        "differentiated, not asked: you wrote 3x², which is d/dx of x³. Here the expression "
        "itself is asked for, not its derivative."
    )
    partial = check("x^2 y", "2xy").feedback[0]
    assert (partial.id, "∂/∂x of x²y" in partial.message) == ("differentiated_unasked", True)
    # not the derivative: nothing named
    assert [f.id for f in check("x^2 + 1", "2x + 1").feedback if f.kind == "misconception"] == []
