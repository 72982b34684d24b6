"""The shipped packs: enough content, easy to hard, and every answer key equal to sympy.diff."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

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
        "compute",
        "vanishing",
        "graph-node",
        "graph-fanout",
        "layer-gradient",
        "deep-chain",
    }


def test_topic_lessons_exist() -> None:
    lessons = {lesson.id for lesson in load_lessons()}
    assert {t.lesson for t in CATALOGUE.topics} <= lessons


def test_shipped_topics_name_lessons_that_validate_finds() -> None:
    lessons = [lesson.id for lesson in load_lessons()]
    assert validate_catalogue(CATALOGUE, seeds=4, lessons=lessons, only_files=[]) == []


# One test per pack file (together: every template), so that the ten seconds of validation
# spread over the test workers and a failure names its file.
@pytest.mark.parametrize("file", sorted({t.file for t in TEMPLATES}), ids=lambda f: Path(f).name)
def test_shipped_packs_validate(file: str) -> None:
    assert validate_catalogue(CATALOGUE, seeds=4, only_files=[file]) == []


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
    if kind == "compute":
        return compute_oracle(template.id, exercise.values)
    raise AssertionError(f"no oracle for kind {kind!r}")


def _step(z):  # the perceptron's step; z is never 0 in these templates
    assert z != 0
    return 1 if z > 0 else 0


def _std(data, divide_by):
    mean = sum(data) / len(data)
    return sympy.sqrt(sum((x - mean) ** 2 for x in data) / divide_by)


def compute_oracle(tid: str, values: dict[str, str]) -> list:
    """The numbers, recomputed in Python from the drawn values: the published formulas
    (z = w·x + b, the perceptron rule, z-scores, tensor shapes), not the pack's maths."""
    v = {k: sympy.Rational(x) for k, x in values.items()}
    sig = lambda z: 1 / (1 + sympy.exp(-z))  # noqa: E731
    relu = lambda z: max(0, z)  # noqa: E731
    g = v.get
    if tid in ("neuron.forward-1", "perceptron.predict-1"):
        z = g("w1") * g("x1") + g("w2") * g("x2") + g("b")
        return [z, relu(z) if tid == "neuron.forward-1" else _step(z)]
    if tid == "neuron.forward-2":
        z1 = g("a11") * g("x1") + g("a12") * g("x2") + g("b1")
        z2 = g("a21") * g("x1") + g("a22") * g("x2") + g("b2")
        return [z1, z2, sig(z1), sig(z2)]
    if tid == "neuron.forward-3":
        z = g("w1") * g("x1") + g("w2") * g("x2") + g("w3") * g("x3") + g("b")
        return [z, sig(z)]
    if tid == "neuron.forward-4":
        h1 = relu(g("a11") * g("x1") + g("a12") * g("x2") + g("b1"))
        h2 = relu(g("a21") * g("x1") + g("a22") * g("x2") + g("b2"))
        return [h1, h2, g("v1") * h1 + g("v2") * h2 + g("c")]
    if tid == "neuron.collapse-1":
        u1 = g("v1") * g("a11") + g("v2") * g("a21")
        u2 = g("v1") * g("a12") + g("v2") * g("a22")
        return [u1, u2, u1 * g("x1") + u2 * g("x2")]
    if tid.startswith("perceptron.update"):
        names = [k for k in ("1", "2", "3") if f"w{k}" in v]
        z = sum(g(f"w{k}") * g(f"x{k}") for k in names) + g("b")
        d = g("y") - _step(z)
        new = [g(f"w{k}") + g("lr") * d * g(f"x{k}") for k in names] + [g("b") + g("lr") * d]
        if tid == "perceptron.update-2":
            new.append(sum(new[i] * g(f"x{k}") for i, k in enumerate(names)) + new[-1])
        return new
    if tid == "perceptron.count-1":
        w1, w2, b = g("w1"), g("w2"), g("b")
        inputs = [(0, 0), (0, 1), (1, 0), (1, 1)]
        return [w1 + w2 + b, sum(_step(w1 * p + w2 * q + b) for p, q in inputs)]
    if tid == "normalise.zscore-1":
        return [(g("x") - g("m")) / g("s")]
    if tid == "normalise.minmax-1":
        return [(g("x") - g("lo")) / (g("hi") - g("lo"))]
    if tid == "normalise.undo-1":
        return [g("z") * g("s") + g("m"), -g("m") / g("s"), 1 / g("s")]
    if tid == "normalise.stats-1":
        data = [g("lo"), g("a"), g("a"), g("hi")]
        s = _std(data, 4)
        return [sum(data) / 4, s, (g("hi") - sum(data) / 4) / s]
    if tid == "normalise.sample-std-1":
        data = [g("lo"), g("a"), g("hi")]
        return [_std(data, 2), _std(data, 3), (g("hi") - g("a")) / _std(data, 2)]
    if tid == "tensor.shape-1":
        return [4, g("n") * g("c") * g("s") ** 2]
    if tid == "tensor.reduce-1":
        return [(g("n"), g("h"), g("w"))]
    if tid == "tensor.pool-1":
        return [(g("n"), g("c"))]
    if tid == "tensor.keepdim-1":
        return [(1, g("c"), g("h"), g("w"))]
    if tid == "tensor.layer-1":
        return [g("o") * g("i") + g("o"), g("n") * g("o")]
    if tid == "tensor.grad-1":
        return [(g("o"), g("i"))]
    if tid == "tensor.conv-1":
        return [g("o") * g("c") * g("k") ** 2 + g("o"), g("c") * g("h") ** 2]
    if tid.startswith("overfitting."):
        if tid == "overfitting.gap-1":
            return [g("v") - g("t")]
        val = [g(f"v{k}") for k in range(1, 7)]
        best = min(val)
        if tid == "overfitting.curve-1":
            return [val.index(best) + 1, val[5] - g("t6")]
        rise = next(k for k in range(1, 6) if val[k] > val[k - 1]) + 1
        return [rise, best, val[5] - best]
    if tid == "activation.dead-relu-1":
        z = g("w") * g("x") + g("b")
        return [z, _step(z) * g("x"), _step(z)]
    raise AssertionError(f"no oracle for {tid}")


def _matrix(text: str) -> list[list[sympy.Expr]]:
    rows = json.loads(text)  # the shipped layer exercises use plain numbers: [[1, 2], [3, 4]]
    rows = rows if isinstance(rows[0], list) else [rows]
    return [[sympy.nsimplify(v, rational=True) for v in row] for row in rows]


def same(expected: str, truth: sympy.Expr) -> bool:
    if isinstance(truth, tuple):  # a shape
        return expected == "(" + ", ".join(str(sympy.Integer(t)) for t in truth) + ")"
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
