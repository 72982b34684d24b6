"""Worked solutions end with the numbers: each line checked against sympy and the answer key."""

from __future__ import annotations

import re

import pytest
import sympy

from gradtutor.calculus.equivalence import check
from gradtutor.calculus.parsing import parse
from gradtutor.tutor.packs import generate, load_catalogue, rendered_fields
from gradtutor.tutor.worked_numbers import numbers_for, value_text


def test_the_issue_example_descent_step_substitutes_its_numbers() -> None:
    lines = numbers_for("descent-step", {"f": "x^2", "start": {"x": "2"}, "lr": "0.5"})
    assert lines == (("f′(x) = 2x", "f′(2) = 2·2 = 4", "x₁ = x₀ − lr·f′(2) = 2 − 0.5·4 = 0"),)


def test_the_issue_example_evaluate_ends_with_the_value_not_the_formula() -> None:
    lines = numbers_for("evaluate", {"f": "relu(x) + 4x", "at": {"x": "-2"}})
    assert lines == (("f′(x) = heaviside(x) + 4", "f′(−2) = heaviside(−2) + 4 = 4"),)


def test_a_partial_at_a_point_puts_every_number_in() -> None:
    lines = numbers_for("evaluate", {"f": "x^2 y", "at": {"x": "-1", "y": "3"}, "var": "x"})
    assert lines[0][-1] == "∂f/∂x(−1, 3) = 2·(−1)·3 = −6"


def test_one_neuron_forward_then_each_factor() -> None:
    fields = {"x": "2", "y": "-1", "w": "1", "b": "0", "activation": "linear"}
    dw, db = numbers_for("neuron-backprop", fields)
    assert dw == (
        "forward: z = w·x + b = 1·2 + 0 = 2; a = 2",
        "∂L/∂a = 2(a − y) = 2(2 − (−1)) = 6",
        "∂a/∂z = 1 (no activation: a = z)",
        "∂z/∂w = x = 2",
        "∂L/∂w = ∂L/∂a·∂a/∂z·∂z/∂w = 12",
    )
    assert db[-1] == "∂L/∂b = ∂L/∂a·∂a/∂z·1 = 6"


def test_a_value_that_is_not_a_short_decimal_gets_one_beside_it() -> None:
    assert value_text(sympy.Rational(1, 4)) == "1/4"
    assert value_text(sympy.Rational(1, 3)) == "1/3 ≈ 0.3333"
    assert value_text(-sympy.exp(1)) == "−e ≈ −2.718"


def _exact(line: str) -> str:
    """The exact value at the end of a line, in the input language."""
    last = line.rsplit(" = ", 1)[1].split(" ≈ ")[0]
    return last.replace("·", "*").replace("−", "-")


KINDS = ("descent-step", "evaluate", "neuron-backprop")
CATALOGUE = load_catalogue()
INSTANCES = [(t.id, seed) for t in CATALOGUE.templates if t.kind in KINDS for seed in (1, 2, 3)]


@pytest.mark.parametrize(("template_id", "seed"), INSTANCES)
def test_the_last_line_is_the_answer_key_of_every_shipped_instance(
    template_id: str, seed: int
) -> None:
    template = CATALOGUE.template(template_id)
    exercise = generate(template, seed)
    lines = numbers_for(template.kind, rendered_fields(template, exercise.values))
    assert len(lines) == len(exercise.parts)
    for part, part_lines in zip(exercise.parts, lines, strict=True):
        verdict = check(part.expected, _exact(part_lines[-1])).verdict
        assert verdict == "equivalent", (part_lines, part.expected)


@pytest.mark.parametrize(("template_id", "seed"), [i for i in INSTANCES if "descent" in i[0]])
def test_descent_slope_line_matches_sympy_at_the_start(template_id: str, seed: int) -> None:
    template = CATALOGUE.template(template_id)
    exercise = generate(template, seed)
    fields = rendered_fields(template, exercise.values)
    f = parse(fields["f"]).value
    point = {sympy.Symbol(v): sympy.nsimplify(fields["start"][v]) for v in fields["start"]}
    for (var, _), lines in zip(
        fields["start"].items(), numbers_for("descent-step", fields), strict=True
    ):
        slope = sympy.diff(f, sympy.Symbol(var)).subs(point)
        assert check(str(slope), _exact(lines[1])).verdict == "equivalent", lines


def test_the_quiz_shows_the_numbers_after_the_rule_tree() -> None:
    import io
    from datetime import UTC, datetime
    from pathlib import Path

    from gradtutor.cli.quiz import QuizRunner
    from gradtutor.render.console import make_console

    class Reader:
        def __init__(self) -> None:
            self.lines = ["steps"]

        def read(self, prompt: str) -> str:
            if not self.lines:
                raise EOFError
            return self.lines.pop(0)

    out = io.StringIO()
    runner = QuizRunner(
        console=make_console(file=out, width=100),
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
        reader=Reader(),
    )
    pack = Path(__file__).resolve().parent / "data" / "numeric_pack.toml"
    runner.run(topic="num-descent", count=1, seed=1, review=False, packs=(pack,))
    text = out.getvalue()
    tree, rest = text.index("power rule"), text.index("With the numbers:")
    assert tree < rest < text.index("Answer: x₁ = −1")
    assert re.search(r"x₁ = x₀ − lr·f′\(−2\) = −2 − 0\.25·\(−4\) = −1", text)
