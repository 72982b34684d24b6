"""The shipped packs: enough content, easy to hard, and every answer key equal to sympy.diff."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.calculus.functions import sigmoid, softplus
from gradtutor.calculus.parsing import parse
from gradtutor.tutor.lessons import load_lessons
from gradtutor.tutor.packs import Exercise, Template, generate, load_catalogue, rendered_fields
from gradtutor.tutor.validation import validate_catalogue

CATALOGUE = load_catalogue()
TEMPLATES = CATALOGUE.templates


def test_enough_templates_over_enough_topics() -> None:
    assert len(TEMPLATES) >= 80
    topics = {t.topic for t in TEMPLATES}
    assert len(topics) >= 12
    assert topics == {t.id for t in CATALOGUE.topics}


def test_every_topic_goes_from_easy_to_hard_with_hints() -> None:
    by_topic: dict[str, list[Template]] = defaultdict(list)
    for template in TEMPLATES:
        by_topic[template.topic].append(template)
    for topic, templates in by_topic.items():
        difficulties = {t.difficulty for t in templates}
        assert min(difficulties) <= 2, topic
        assert max(difficulties) >= 4, topic
        assert len(templates) >= 5, topic
        assert all(len(t.hints) >= 2 for t in templates), topic


def test_every_kind_is_used() -> None:
    assert {t.kind for t in TEMPLATES} == {
        "derivative",
        "partial",
        "gradient",
        "evaluate",
        "chain",
        "product",
        "descent-step",
        "neuron-backprop",
        "vanishing",
        "graph-node",
        "graph-fanout",
        "layer-gradient",
        "deep-chain",
    }


def test_topic_lessons_exist() -> None:
    lessons = {lesson.id for lesson in load_lessons()}
    assert {t.lesson for t in CATALOGUE.topics} <= lessons


def test_shipped_packs_validate() -> None:
    lessons = [lesson.id for lesson in load_lessons()]
    assert validate_catalogue(CATALOGUE, seeds=4, lessons=lessons) == []


# --- the answer key against sympy.diff ---------------------------------------------------


def value(text: str) -> sympy.Expr:
    return parse(text).value


def number(text: str) -> sympy.Expr:
    return sympy.nsimplify(value(text), rational=True)


def at(expr: sympy.Expr, point: dict[str, str]) -> sympy.Expr:
    return expr.subs({sympy.Symbol(k): number(v) for k, v in point.items()})


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": sympy.tanh,
    "relu": lambda z: sympy.Max(0, z),
    "softplus": softplus,
    "linear": lambda z: z,
}


def oracle(template: Template, exercise: Exercise) -> list[sympy.Expr]:
    """Each part's answer, straight from sympy.diff on the rendered template."""
    fields = rendered_fields(template, exercise.values)
    d, S = sympy.diff, sympy.Symbol
    kind = template.kind
    if kind in ("derivative", "partial"):
        return [d(value(fields["f"]), S(fields.get("var", "x")))]
    if kind == "gradient":
        f = value(fields["f"])
        variables = fields.get("vars") or sorted(str(s) for s in f.free_symbols)
        return [d(f, S(v)) for v in variables]
    if kind == "evaluate":
        var = fields.get("var", next(iter(fields["at"])))
        return [at(d(value(fields["f"]), S(var)), fields["at"])]
    if kind == "chain":
        g, u, x = value(fields["outer"]), value(fields["inner"]), S(fields.get("var", "x"))
        return [g, u, d(g, S("u")), d(u, x), d(g.subs(S("u"), u), x)]
    if kind == "product":
        u, v, x = value(fields["u"]), value(fields["v"]), S(fields.get("var", "x"))
        return [u, v, d(u, x), d(v, x), d(u * v, x)]
    if kind == "descent-step":
        f, lr = value(fields["f"]), number(fields["lr"])
        return [
            number(p) - lr * at(d(f, S(v)), fields["start"]) for v, p in fields["start"].items()
        ]
    if kind == "neuron-backprop":
        w, b = S("w"), S("b")
        act = ACTIVATIONS[fields.get("activation", "sigmoid")]
        loss = (act(w * number(fields["x"]) + b) - number(fields["y"])) ** 2
        point = {"w": fields["w"], "b": fields["b"]}
        return [at(d(loss, w), point), at(d(loss, b), point)]
    if kind == "vanishing":
        n, weight, x = int(fields["layers"]), number(str(fields.get("weight", "1"))), S("x")
        y = x
        for _ in range(n):
            y = sigmoid(weight * y)
        answers = {"derivative": d(y, x), "bound": (abs(weight) / 4) ** n}
        return [answers[ask] for ask in fields.get("ask", ["bound"])]
    if kind in ("graph-node", "graph-fanout"):  # ∂L/∂node: the node replaced by a symbol
        loss, node, s = value(fields["f"]), value(fields["node"]), S("s_node")
        target = node if isinstance(node, sympy.Symbol) else s
        return [at(d(loss.subs(node, target), target).subs(s, node), fields["at"])]
    if kind == "layer-gradient":  # ∂L/∂W = δ·xᵀ entry by entry, then Wᵀδ
        W = sympy.Matrix(_matrix(fields["weights"]))
        x = sympy.Matrix(_matrix(fields["inputs"])).reshape(W.cols, 1)
        delta = sympy.Matrix(_matrix(fields["deltas"])).reshape(W.rows, 1)
        answers = [W.rows, W.cols, *list(delta * x.T)]
        if "dx" in fields.get("ask", ["dW"]):
            answers += list(W.T * delta)
        return [sympy.Integer(a) if isinstance(a, int) else a for a in answers]
    if kind == "deep-chain":
        act = ACTIVATIONS[fields.get("activation", "sigmoid")]
        n, k, w, a = int(fields["layers"]), int(fields["k"]), number(fields["weight"]), S("a")
        below = number(fields["input"])
        for _ in range(k):
            below = act(w * below)
        chain = a
        for _ in range(n - k):
            chain = act(w * chain)
        return [d(chain, a).subs(a, below)]
    raise AssertionError(f"no oracle for kind {kind!r}")


def _matrix(text: str) -> list[list[sympy.Expr]]:
    rows = json.loads(text)  # the shipped layer exercises use plain numbers: [[1, 2], [3, 4]]
    rows = rows if isinstance(rows[0], list) else [rows]
    return [[sympy.nsimplify(v, rational=True) for v in row] for row in rows]


def same(expected: str, truth: sympy.Expr) -> bool:
    difference = (value(expected) - truth).rewrite(sympy.exp)
    if sympy.simplify(difference) == 0:
        return True
    symbols = sorted(difference.free_symbols, key=str)
    for trial in (0.37, 1.3, 2.1):
        point = {s: trial + i / 7 for i, s in enumerate(symbols)}
        if abs(complex(difference.evalf(subs=point))) > 1e-9:
            return False
    return True


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_answer_key_is_sympy_diff(template: Template) -> None:
    for seed in (0, 1):
        exercise = generate(template, seed)
        truths = oracle(template, exercise)
        assert len(truths) == len(exercise.parts)
        for part, truth in zip(exercise.parts, truths, strict=True):
            assert same(part.expected, truth), (exercise.prompt, part.label, part.expected, truth)


@settings(max_examples=25, deadline=None)
@given(
    template_id=st.sampled_from(
        ["power.sum-3", "partial.three-1", "chain.notes-1", "descent.ellipse-1"]
    ),
    seed=st.integers(0, 2**31),
)
def test_any_seed_gives_a_sympy_diff_answer(template_id: str, seed: int) -> None:
    template = CATALOGUE.template(template_id)
    exercise = generate(template, seed)
    assert exercise == generate(template, seed)
    for part, truth in zip(exercise.parts, oracle(template, exercise), strict=True):
        assert same(part.expected, truth), (exercise.prompt, part.label)
