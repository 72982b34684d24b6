"""`exercises validate`: every problem in one run, did-you-mean, drawn values, hygiene checks.

Regressions: structural errors hid the maths errors until they were fixed; a misspelt key
said only "(a typo?)"; degenerate instances (an answer of 0, "(x)^2", "w*1", "x^(1-1)",
"5*3*x^3-1") and templates with five or fewer distinct instances passed validation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.tutor.packs import generate, load_catalogue
from gradtutor.tutor.validation import (
    MIN_DISTINCT,
    distinct_instances,
    hint_maths_problems,
    rendering_problems,
)

runner = CliRunner()
HEADER = 'format_version = 1\npack = "teacher"\nversion = "1"\n'


def exercise(tid: str, **changes: str) -> str:
    keys = {
        "id": f'"{tid}"',
        "topic": '"power-rule"',
        "difficulty": "1",
        "kind": '"derivative"',
        "f": '"{a}x^3"',
        "params": '{ a = "2..21" }',
        "hints": '["Power rule."]',
    } | changes
    return "\n[[exercise]]\n" + "".join(f"{key} = {value}\n" for key, value in keys.items())


def validate(tmp_path: Path, body: str, *extra: str) -> list[dict[str, str]]:
    path = tmp_path / "teacher.toml"
    path.write_text(HEADER + body, encoding="utf-8")
    result = runner.invoke(app, ["exercises", "validate", str(path), "--json", *extra])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_structural_and_maths_problems_of_one_exercise_in_one_run(tmp_path: Path) -> None:
    body = exercise(
        "teacher.a-1", topic='"power-rul"', f='"{a}sinx"', hints="[]", hint='["Power rule."]'
    ).replace("hints = []\n", "")
    reasons = [p["reason"] for p in validate(tmp_path, body, "--seeds", "2")]
    assert reasons == [
        "a 'derivative' exercise does not use 'hint'; did you mean 'hints'?",
        "needs hints: a list of progressively stronger hints",
        "unknown topic 'power-rul'; did you mean 'power-rule'?",
        'f = "{a}sinx" (with a = 2: "2sinx"): \'sinx\' isn\'t a name gradtutor knows '
        "(column 4); did you mean sin(x)?",
    ]


def test_unknown_topic_with_no_close_name_has_no_guess(tmp_path: Path) -> None:
    reasons = [p["reason"] for p in validate(tmp_path, exercise("teacher.a-1", topic='"zzz"'))]
    assert reasons == ["unknown topic 'zzz'"]


def test_an_answer_of_zero_above_difficulty_one_is_degenerate(tmp_path: Path) -> None:
    body = exercise(
        "teacher.zero-1",
        difficulty="2",
        kind='"gradient"',
        f='"{a}x^2 + {b}y"',
        vars='["x", "y"]',
        params='{ a = "2..21", b = "0..3" }',
    )
    problems = validate(tmp_path, body, "--seeds", "30")
    assert len(problems) == 1
    reason = problems[0]["reason"]
    assert reason.startswith("seed ") and "(a = " in reason and ", b = 0)" in reason
    assert (
        "the answer ∂f/∂y is 0, a degenerate instance at difficulty 2 (exclude it with where)"
        in reason
    )


def test_a_descent_step_landing_on_zero_is_degenerate_at_any_difficulty(tmp_path: Path) -> None:
    body = exercise(
        "teacher.step-1",
        kind='"descent-step"',
        f='"x^2"',
        start='{ x = "{x0}" }',
        lr='"{lr}"',
        params='{ x0 = "-12..12", lr = [0.5] }',
        where='"x0 != 0"',
    )
    (problem,) = validate(tmp_path, body)
    assert "the answer x₁ is 0, a degenerate instance at difficulty 1" in problem["reason"]


def test_fewer_than_twenty_distinct_instances(tmp_path: Path) -> None:
    (problem,) = validate(tmp_path, exercise("teacher.few-1", params='{ a = "2..6" }'))
    assert problem["reason"].startswith("only 5 distinct instances (at least 20 are needed")


@pytest.mark.parametrize(
    ("text", "prompt", "found"),
    [
        ("Differentiate f(x) = (x)^2.", True, "a bracket around a single symbol"),
        ("L(w) = ((w*1 + 4)^2)/2", True, "a multiplication by 1 in the question"),
        ("v' = x^(1-1).", False, "an exponent that is 0"),
        ("The first term: 5*3*x^3-1.", False, "an exponent without brackets"),
        ("f' = (2x + 1", False, "unbalanced brackets"),
        ("f' = 2x + 1)", False, "unbalanced brackets"),
    ],
)
def test_degenerate_renderings_are_named(text: str, prompt: bool, found: str) -> None:
    problems = rendering_problems(text, prompt=prompt)
    assert len(problems) == 1 and problems[0].startswith(found)


@pytest.mark.parametrize(
    "text",
    [
        "Differentiate f(x) = (x - 1)^2 + (-2)^3.",
        "Forward first: z = 2*1 - 2 = 0",  # a substitution in a hint, not in the question
        "d/dx x^5 = 5x^(5-1).",
        "(ab)^k = a^k b^k",
    ],
)
def test_sound_renderings_pass(text: str) -> None:
    assert rendering_problems(text, prompt=False) == []


def test_hint_maths_that_does_not_read_is_named() -> None:
    assert hint_maths_problems("So f'(x) = 3x^2 + .") != []
    assert hint_maths_problems("f'(x) = 3x^(3-1), and u' = 2 (a prime is notation).") == []
    assert hint_maths_problems("∇f = (2x, 6y) at the start.") == []


def test_validate_names_the_hint_and_the_drawn_values(tmp_path: Path) -> None:
    body = exercise("teacher.hint-1", hints='["The first term: {a}*3*x^3-1."]')
    (problem,) = validate(tmp_path, body, "--seeds", "2")
    assert problem["reason"] == (
        "seed 0 (a = 13): hint 1: an exponent without brackets, as in x^3-1 (reads as "
        "x³ − 1): 'The first term: 13*3*x^3-1.'"
    )


SHIPPED = [t for t in load_catalogue().templates]


@pytest.mark.parametrize("template", SHIPPED, ids=lambda t: t.id)
def test_every_shipped_template_has_twenty_distinct_instances(template) -> None:
    assert distinct_instances(template) >= MIN_DISTINCT


def test_parabola_step_never_jumps_exactly_to_zero() -> None:
    template = next(t for t in SHIPPED if t.id == "descent.parabola-1")
    answers = [generate(template, seed).parts[0].expected for seed in range(200)]
    assert "0" not in answers


def test_a_vector_answer_in_a_multi_part_question_is_refused(tmp_path: Path) -> None:
    body = exercise(
        "teacher.shape-1",
        kind='"compute"',
        prompt='"x has shape ({a}, 3). Give its rank and its shape."',
        values='["2", "({a}, 3)"]',
        labels='["rank", "shape"]',
    ).replace('f = "{a}x^3"\n', "")
    (problem,) = validate(tmp_path, body, "--seeds", "2")
    assert "the answer shape is a vector (" in problem["reason"]
    assert "where the quiz reads (a, b) as every part at once" in problem["reason"]


def test_a_shape_question_is_answered_as_a_tuple_in_the_quiz(tmp_path: Path) -> None:
    pack = tmp_path / "shapes.toml"
    pack.write_text(
        HEADER
        + '\n[[topic]]\nid = "my-shapes"\ntitle = "Shapes"\nprerequisites = []\n'
        + exercise(
            "teacher.shape-1",
            topic='"my-shapes"',
            kind='"compute"',
            prompt='"x has shape ({a}, 3, 7). Give the shape of x.sum(dim=1)."',
            values='["({a}, 7)"]',
            labels='["shape"]',
        ).replace('f = "{a}x^3"\n', ""),
        encoding="utf-8",
    )
    args = ["quiz", "--pack", str(pack), "--topic", "my-shapes", "--count", "1", "--json"]
    first = json.loads(runner.invoke(app, [*args, "--seed", "4"], input="(1, 1)\n").stdout)
    shape = first["expected"]
    assert shape.startswith("(") and shape.endswith(", 7)")
    right = json.loads(runner.invoke(app, [*args, "--seed", "4"], input=f"{shape}\n").stdout)
    assert right["verdict"] == "correct"
    assert first["verdict"] != "correct"
