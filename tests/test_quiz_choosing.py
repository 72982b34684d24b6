"""What the quiz asks: the topic asked for, interleaved templates, a difficulty that climbs,
--seed independent of history, practice aimed at a misconception, and the summary."""

from __future__ import annotations

import io
import itertools
import json
import random
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sympy
from typer.testing import CliRunner

from gradtutor.calculus.parsing import parse
from gradtutor.calculus.printing import plain
from gradtutor.cli.app import app
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.cli.quiz import QuizRunner
from gradtutor.render import quiz as view
from gradtutor.render.console import make_console
from gradtutor.tutor import session
from gradtutor.tutor.adaptive import Outcome, TemplateInfo, TopicInfo, choose_next
from gradtutor.tutor.aimed import aim_at
from gradtutor.tutor.packs import load_catalogue

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
STAIRS = """
format_version = 1
pack = "stairs"
version = "0.1.0"
title = "Staircase test pack"

[[topic]]
id = "stairs"
title = "Stairs"
prerequisites = []
"""
# five templates of one topic at difficulties 1, 1, 2, 3, 4 with fixed numbers
for i, (n, d) in enumerate([(2, 1), (3, 1), (4, 2), (5, 3), (6, 4)]):
    STAIRS += f"""
[[exercise]]
id = "stairs.{i}"
topic = "stairs"
difficulty = {d}
kind = "derivative"
f = "x^{n}"
hints = ["Power rule."]
"""


class Reader:
    """Answers from a list; ``oracle`` answers each question right (sympy.diff of the f in
    the last question panel); ``skip`` skips. End of input when the list runs out."""

    def __init__(self, answers: list[str], out: io.StringIO) -> None:
        self.answers = list(answers)
        self.out = out

    def read(self, prompt: str) -> str:
        if not self.answers:
            raise EOFError
        answer = self.answers.pop(0)
        if answer != "oracle":
            return answer
        f = re.findall(r"f\(x\) = (.+?) with respect", self.out.getvalue())[-1]
        return plain(sympy.diff(parse(f).value, sympy.Symbol("x")))


def quiz(
    answers: list[str], *, packs: tuple[Path, ...] = (), **options: object
) -> tuple[ExitCode, list[dict], str]:
    out, records = io.StringIO(), io.StringIO()
    runner = QuizRunner(
        console=make_console(file=out, width=120),
        json_out=records,
        clock=lambda: T0,
        reader=Reader(answers, out),
    )
    settings: dict[str, object] = {"topic": None, "count": 5, "seed": None, "review": False}
    settings.update(options)
    code = runner.run(packs=packs, **settings)  # type: ignore[arg-type]
    return code, [json.loads(line) for line in records.getvalue().splitlines()], out.getvalue()


@pytest.fixture(params=["one topic", "listed second"])
def stairs(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The staircase pack; "listed second": every template is listed under another topic
    first (as chain-rule templates are under exp-log), which once kept the staircase of the
    topic practised from ever climbing."""
    text = STAIRS
    if request.param == "listed second":
        text += '\n[[topic]]\nid = "other"\ntitle = "Other"\nprerequisites = []\n'
        text = text.replace('topic = "stairs"', 'topics = ["other", "stairs"]')
    path = tmp_path / "stairs.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- 8. a topic means that topic ----------------------------------------------------------


def test_topic_chain_rule_shows_and_credits_only_chain_rule(tmp_path: Path) -> None:
    code, records, text = quiz(["skip"] * 6, topic="chain-rule", count=6, seed=3)
    assert code == ExitCode.WRONG
    assert [r["topic"] for r in records] == ["chain-rule"] * 6
    assert text.count("Chain rule  difficulty") == 6
    assert "Exponentials and logarithms" not in text
    database = Path(__import__("os").environ["GRADTUTOR_HOME"]) / "progress.sqlite3"
    with sqlite3.connect(database) as db:
        topics = {row[0] for row in db.execute("SELECT topic FROM attempts")}
    assert topics == {"chain-rule"}


def test_a_topic_misspelt_gets_did_you_mean() -> None:
    catalogue = load_catalogue()
    topics = ", ".join(t.id for t in catalogue.topics if catalogue.by_topic(t.id))
    result = CliRunner().invoke(app, ["quiz", "--topic", "chain"])
    assert result.exit_code == 2
    assert result.stderr == (
        "gradtutor quiz: no exercises for topic 'chain'\n"
        f"hint: did you mean chain-rule? Topics: {topics}\n"
    )


def test_learn_sigmoid_suggests_activations() -> None:
    result = CliRunner().invoke(app, ["learn", "sigmoid"])
    assert result.exit_code == 2
    # the lesson teaching σ first
    assert result.stderr.startswith(
        "gradtutor learn: no lesson for 'sigmoid'\nhint: lessons about it: activations,"
    )


# -- 9. interleaving and a staircase that climbs ---------------------------------------------


def test_all_right_climbs_the_staircase_without_repeating_a_template(stairs: Path) -> None:
    code, records, _ = quiz(["oracle"] * 6, packs=(stairs,), topic="stairs", count=6, seed=1)
    assert code == ExitCode.OK
    assert [r["verdict"] for r in records] == ["correct"] * 6
    # up one level per clean answer; at the top the two hardest alternate
    assert [r["difficulty"] for r in records] == [1, 2, 3, 4, 3, 4]
    ids = [r["id"] for r in records]
    assert all(a != b for a, b in itertools.pairwise(ids))


def test_skips_never_serve_the_same_template_twice_in_a_row(stairs: Path) -> None:
    _, records, _ = quiz(["skip"] * 8, packs=(stairs,), topic="stairs", count=8, seed=1)
    ids = [r["id"] for r in records]
    assert len(ids) == 8
    assert all(a != b for a, b in itertools.pairwise(ids))
    # the two easiest alternate rather than one returning again and again
    assert set(ids) == {"stairs.0", "stairs.1"}


def test_pick_interleaves_the_least_asked_template() -> None:
    topics = [TopicInfo("t")]
    templates = [TemplateInfo(f"t.{i}", "t", 1) for i in range(3)]
    asked: list[str] = []
    history: list[Outcome] = []
    for _ in range(6):
        choice = choose_next(
            topics=topics, templates=templates, history=history, rng=random.Random(0), asked=asked
        )
        assert choice is not None
        asked.append(choice.template_id)
        history.append(Outcome(choice.template_id, "t", "skipped", clean=False))
    assert sorted(asked[:3]) == ["t.0", "t.1", "t.2"] and sorted(asked[3:]) == sorted(asked[:3])


# -- 12. --seed repeats the same questions whatever the history -----------------------------


def test_seed_repeats_the_questions_whatever_the_history() -> None:
    first = quiz(["skip"] * 4, count=4, seed=7)[1]
    # history that moves the staircase and the recency of power-rule templates
    quiz(["oracle"] * 5, topic="power-rule", count=5, seed=100)
    again = quiz(["skip"] * 4, count=4, seed=7)[1]
    assert [(r["id"], r["prompt"]) for r in again] == [(r["id"], r["prompt"]) for r in first]


# -- 10. practice aimed at a misconception ---------------------------------------------------


def test_aimed_templates_are_those_where_the_mistake_can_happen() -> None:
    catalogue = load_catalogue()
    uphill = aim_at("descent_step_uphill", catalogue)
    assert {catalogue.template(t).kind for t in uphill.template_ids} == {"descent-step"}
    inner = aim_at("chain_inner_missing", catalogue).template_ids
    assert "chain.power-1" in inner and "power.basic-1" not in inner
    assert aim_at("backprop_input_missing", catalogue).title == "∂z/∂w = x left out"


def test_quiz_misconception_serves_only_aimed_questions_across_topics() -> None:
    _code, records, text = quiz(["skip"] * 6, count=6, seed=2, misconception="factor_two_dropped")
    aimed = set(aim_at("factor_two_dropped", load_catalogue()).template_ids)
    assert {r["id"] for r in records} <= aimed
    assert len({r["topic"] for r in records}) >= 2  # across topics
    assert "Practising: the factor 2 of a square dropped" in text


def test_an_unknown_misconception_is_a_usage_error_with_a_suggestion() -> None:
    from gradtutor.tutor.aimed import known_ids

    result = CliRunner().invoke(app, ["quiz", "--misconception", "chain_inner"])
    assert result.exit_code == 2
    assert result.stderr == (
        "gradtutor quiz: no misconception 'chain_inner'\n"
        f"hint: did you mean chain_inner_missing? Known ids: {', '.join(known_ids())}\n"
    )


# -- 11. the summary --------------------------------------------------------------------------


def _result(outcome: str, verdicts: list[str], hints: int) -> session.QuestionResult:
    answers = tuple(
        session.Answer("", str(i), v, 0, None, 0, line=i) for i, v in enumerate(verdicts)
    )
    return session.QuestionResult(
        template_id="t",
        topic="power-rule",
        seed=1,
        difficulty=1,
        prompt="Differentiate f(x) = x^3 with respect to x.",
        labels=("",),
        expected=("3*x^2",),
        answers=answers,
        outcome=outcome,
        part_results=("correct" if outcome == "correct" else "missed",),
        hints_used=hints,
        elapsed_ms=1500,
    )


@pytest.mark.parametrize(
    ("outcome", "verdicts", "hints", "how"),
    [
        ("correct", ["equivalent"], 0, "right first time"),
        (
            "correct",
            ["not_equivalent", "not_equivalent", "equivalent"],
            3,
            "right on try 3 · 3 hints",
        ),
        ("correct", ["equivalent"], 1, "right first try · 1 hint"),
        ("wrong", ["not_equivalent"] * 3, 0, "missed after 3 tries"),
        ("skipped", [], 0, "skipped"),
        ("incomplete", ["not_equivalent"], 1, "unfinished · 1 try · 1 hint"),
        ("correct", ["close", "equivalent"], 0, "right first time"),  # 'close' is not a try
    ],
)
def test_each_question_says_how_it_went(
    outcome: str, verdicts: list[str], hints: int, how: str
) -> None:
    assert _result(outcome, verdicts, hints).how == how


def test_quitting_on_the_first_question_is_not_score_zero_of_zero() -> None:
    summary = session.summarise([_result("incomplete", ["not_equivalent"], 0)], ended_by="quit")
    assert summary.headline == "No question finished; 1 left unfinished (what you typed is saved)."
    out = io.StringIO()
    make_console(file=out, width=80).print(view.summary_view(summary))
    assert "0/0" not in out.getvalue()


def test_the_summary_says_what_to_do_next() -> None:
    missed = _result("wrong", ["not_equivalent"] * 3, 0)
    lessons = {"power-rule": "derivative-rules"}
    summary = session.summarise([missed], ended_by="done", topic="power-rule", lessons=lessons)
    assert summary.next_step == session.NextStep(
        "Read the lesson, then practise power-rule again:", "gradtutor learn derivative-rules"
    )
    summary = session.summarise([missed], ended_by="done")  # a topic without a lesson
    assert summary.next_step == session.NextStep(
        "Practise power-rule again:", "gradtutor quiz --topic power-rule"
    )
    with_mistake = session.QuestionResult(
        **{
            **missed.__dict__,
            "answers": (
                session.Answer("", "x^2", "not_equivalent", 0, "power_coefficient_missing", 0),
            ),
        }
    )
    summary = session.summarise([with_mistake], ended_by="done")
    assert summary.next_step is not None
    assert summary.next_step.command == "gradtutor quiz --misconception power_coefficient_missing"
    summary = session.summarise([_result("correct", ["equivalent"], 0)], ended_by="done")
    assert summary.next_step is not None and "harder" in summary.next_step.text
    out = io.StringIO()
    make_console(file=out, width=80).print(view.summary_view(summary))
    assert "1 of 1 right, all first time without a hint" in out.getvalue()
    assert "$ gradtutor quiz" in out.getvalue()
