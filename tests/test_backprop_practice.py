"""Practice on a graph: every answer judged by the engine, every backprop twin demonstrated.

Each misconception test types the number that mistake gives for that node and expects
exactly that id; the oracle for the right answer is the graph's own gradient (itself checked
against sympy.diff in test_backprop_graph.py).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.network.graph import backprop, graph_from_text, parse_at
from gradtutor.network.misconceptions import TWINS
from gradtutor.network.practice import judge_entry, practice_entries

runner = CliRunner()
LOSS = "(σ(w*x + b) - y)^2"
POINT = "w=0.5,x=2,b=-1,y=1"


def _entry(text: str, at: str, label: str, phase: str = "backward"):  # type: ignore[no-untyped-def]
    values, texts = parse_at(at)
    result = backprop(graph_from_text(text), values, at_text=texts)
    for entry in practice_entries(result):
        if entry.phase == phase and result.graph.nodes[entry.node].label == label:
            return result, entry
    raise AssertionError(f"no {phase} entry for {label}")


@pytest.mark.parametrize(
    ("text", "at", "label", "typed", "misconception"),
    [
        # ∂L/∂z = σ'(0) × (−1) = −0.25; the local derivative alone is 0.25
        (LOSS, POINT, "w*x + b", "0.25", "backprop_upstream_missing"),
        # ∂L/∂w = x + 2w = 3 + 4 = 7; one consumer's share is 3
        ("x*w + w^2", "x=3,w=2", "w", "3", "backprop_fanout_not_summed"),
        # σ'(2) = 0.10499; at the output a = σ(2) = 0.8808 it would be σ(a)(1 − σ(a)) = 0.2071
        ("σ(w*x)", "w=1,x=2", "w*x", "0.2071", "backprop_activation_output_used"),
        # tanh'(1) = 0.41997; at the output a = tanh(1) = 0.76159: 1 − tanh(a)² = 0.58782
        ("tanh(w*x)", "w=1,x=1", "w*x", "0.5878", "backprop_activation_output_used"),
        # the ReLU gate read on the wrong side: closed where z = 2 > 0
        ("relu(w*x)", "w=1,x=2", "w*x", "0", "backprop_activation_output_used"),
        # ∂L/∂(a − y) = 2(a − y) = −1; with the sign flipped 2(y − a) = 1
        (LOSS, POINT, "σ(w*x + b) - y", "1", "backprop_loss_sign"),
        # … and without the factor 2: a − y = −0.5
        (LOSS, POINT, "σ(w*x + b) - y", "-0.5", "backprop_mse_factor_missing"),
        # ∂L/∂w = x × ∂L/∂z = 2 × (−0.25) = −0.5; with w for x: 0.5 × (−0.25) = −0.125
        (LOSS, POINT, "w", "-0.125", "backprop_multiplied_by_weight"),
        # z = w·x − 3 = −2 < 0: the ReLU passes nothing back; passing ∂L/∂relu = y = 2 is wrong
        ("relu(w*x - 3)*y", "w=1,x=1,y=2", "w*x - 3", "2", "backprop_relu_dead_gradient"),
    ],
)
def test_each_backprop_twin_is_named_for_the_mistake_it_makes(
    text: str, at: str, label: str, typed: str, misconception: str
) -> None:
    result, entry = _entry(text, at, label)
    judgement = judge_entry(result, entry, typed)
    assert judgement.verdict == "wrong"
    assert judgement.misconception == misconception


def test_every_scalar_twin_has_its_buggy_formula_as_docstring() -> None:
    ids = {twin.id for twin in TWINS}
    assert ids == {
        "backprop_upstream_missing",
        "backprop_fanout_not_summed",
        "backprop_activation_output_used",
        "backprop_loss_sign",
        "backprop_mse_factor_missing",
        "backprop_multiplied_by_weight",
        "backprop_relu_dead_gradient",
    }
    for twin in TWINS:
        assert "=" in (type(twin).__doc__ or "")


@pytest.mark.parametrize(
    ("typed", "verdict"),
    [
        ("-0.25", "correct"),
        ("-1/4", "correct"),  # exact form, through the equivalence engine
        ("-σ(0)*(1 - σ(0))", "correct"),
        ("-0.2", "wrong"),  # truncation of −0.25 at one digit, but 20% off
        ("0.3", "wrong"),
        ("w + 1", "invalid"),  # not a number
        ("2 +* 3", "invalid"),  # not maths
    ],
)
def test_answers_are_judged_by_the_engine(typed: str, verdict: str) -> None:
    result, entry = _entry(LOSS, POINT, "w*x + b")
    assert judge_entry(result, entry, typed).verdict == verdict


def test_a_wrong_value_for_no_known_reason_gets_generic_feedback_and_the_rule() -> None:
    result, entry = _entry(LOSS, POINT, "w*x + b")
    judgement = judge_entry(result, entry, "-0.5")
    assert judgement.misconception is None
    assert "2 times the expected answer" in judgement.message
    assert "∂σ(z)/∂z = σ(z)(1 − σ(z))" in judgement.message


def test_forward_entry_exact_form() -> None:
    result, entry = _entry("σ(3*x)", "x=1", "σ(3*x)", phase="forward")
    assert judge_entry(result, entry, "σ(3)").verdict == "correct"
    assert judge_entry(result, entry, "0.9526").verdict == "correct"
    assert judge_entry(result, entry, "0.95").verdict == "close"  # 2 digits, within 1%
    assert judge_entry(result, entry, "0.9").verdict == "wrong"


def test_entries_forward_in_order_then_backward_in_reverse() -> None:
    values, _ = parse_at(POINT)
    result = backprop(graph_from_text(LOSS), values, wrt=("w", "b"))
    entries = practice_entries(result)
    forward = [e.node for e in entries if e.phase == "forward"]
    backward = [e.node for e in entries if e.phase == "backward"]
    assert forward == sorted(forward)
    assert backward == sorted(backward, reverse=True)
    labels = [result.graph.nodes[i].label for i in backward]
    # x and y are inputs, not parameters: their gradients are not asked
    assert "x" not in labels and "y" not in labels
    assert labels[-1] == "w"


def _practice(stdin: str, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app,
        ["backprop", LOSS, "--at", POINT, "--wrt", "w,b", "--practice", *extra],
        input=stdin,
        env={"NO_COLOR": "1", "COLUMNS": "80"},
    )
    return result.exit_code, result.stdout, result.stderr


def test_piped_practice_with_json_writes_one_object_per_asked_entry() -> None:
    code, out, err = _practice("1\n0\n0.5\n-0.5\n0.25\n-0.5\n-1\nskip\nquit\n", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    # the entry asked when quit came is reported too, as incomplete
    assert [r["phase"] for r in records] == ["forward"] * 5 + ["backward"] * 3
    for record in records:
        assert set(record) == {
            "node",
            "phase",
            "prompt",
            "expected",
            "answers",
            "verdict",
            "misconception",
        }
    assert records[0]["expected"] == "1"
    assert records[0]["verdict"] == "correct"
    assert records[5]["answers"] == ["-0.5", "-1"]
    assert records[5]["misconception"] == "backprop_mse_factor_missing"
    assert records[5]["verdict"] == "correct"
    assert records[6]["verdict"] == "skipped"
    assert records[6]["expected"] == "-1"
    assert records[7]["verdict"] == "incomplete"
    assert records[7]["answers"] == []
    assert "Summary" in err


def test_not_maths_at_the_prompt_is_feedback_not_a_crash() -> None:
    code, out, _ = _practice("2 +* 3\n1\nquit\n")
    assert "not maths gradtutor can read" in out
    assert "✓ right" in out
    assert code == 1


def test_all_right_exits_0() -> None:
    answers = ["1", "0", "0.5", "-0.5", "0.25", "-1", "-1", "-0.25", "-0.25", "-0.25", "-0.5"]
    code, out, _ = _practice("\n".join(answers) + "\n")
    assert "11/11 right (11 first time)" in out
    assert code == 0


def test_practice_answers_count_in_progress() -> None:
    _practice("1\n0\n0.5\n-0.5\n0.25\n-0.5\n-1\nquit\n")
    from gradtutor.tutor.store import open_store

    with open_store() as store:
        answers = store.answers()
    named = [a.misconception for a in answers if a.misconception]
    assert named == ["backprop_mse_factor_missing"]
    result = runner.invoke(app, ["progress", "--json"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    expected = {
        "id": "backprop_mse_factor_missing",
        "count": 1,
        "title": "the 2 of (ŷ − y)² dropped",
    }
    assert expected in report["misconceptions"]


def test_a_run_that_answers_nothing_saves_nothing() -> None:
    code, _, _ = _practice("hint\nquit\n")
    assert code == 1
    from gradtutor.tutor.store import open_store

    with open_store() as store:
        assert store.attempts() == []
        assert store.answers() == []


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # ∂L/∂(3x) = σ′(3) ≈ 0.04518; 3σ′(3) ≈ 0.1355 is ∂L/∂x, one step too far
        ("3σ(3)(1 − σ(3))", "your answer is 3 times the expected answer"),
        ("0.1355", "your answer is about 3 times the right value"),
        ("-0.04518", "your answer has the wrong sign"),
    ],
)
def test_generic_feedback_on_a_factor_exact_or_decimal(typed: str, said: str) -> None:
    result, entry = _entry("σ(3*x)", "x=1", "3*x")
    judgement = judge_entry(result, entry, typed)
    assert judgement.verdict == "wrong" and judgement.misconception is None
    assert said in judgement.message
    assert "∂σ(z)/∂z = σ(z)(1 − σ(z))" in judgement.message


def test_every_backprop_misconception_id_has_a_title() -> None:
    from gradtutor.network.layer_practice import MATRIX_TWINS
    from gradtutor.network.misconceptions import TITLES

    ids = {t.id for t in TWINS} | {t.id for t in MATRIX_TWINS}
    assert set(TITLES) == ids
    assert len(ids) == 9


@pytest.mark.parametrize(
    ("text", "at", "label", "typed", "said"),
    [
        # σ(0) = 0.5 asked; 0.6 once got "the rule here: σ(z): ∂/∂z = σ(z)(1 − σ(z))"
        (
            LOSS,
            POINT,
            "σ(w*x + b)",
            "0.6",
            "compute σ(w*x + b) = σ(0), where σ(z) = 1/(1 + e^(−z))",
        ),
        # a − y = 0.5 − 1 = −0.5 asked; 0.25 once got "u − v: ∂/∂u = 1, ∂/∂v = −1"
        (LOSS, POINT, "σ(w*x + b) - y", "0.25", "compute σ(w*x + b) - y = 0.5 − 1"),
    ],
)
def test_a_wrong_forward_value_is_told_what_to_compute_not_a_derivative_rule(
    text: str, at: str, label: str, typed: str, said: str
) -> None:
    result, entry = _entry(text, at, label, phase="forward")
    judgement = judge_entry(result, entry, typed)
    assert judgement.verdict == "wrong"
    assert judgement.message.endswith(said)
    assert "∂" not in judgement.message


def test_a_revealed_sigmoid_value_says_sigma_of_one_once() -> None:
    # `show` on σ(w*x) at w = 0.5, x = 2 printed "σ(w*x) = σ(1) = σ(1) ≈ 0.7311"
    from gradtutor.network.practice import hints, reveal

    result, entry = _entry("σ(w*x)", "w=0.5,x=2", "σ(w*x)", phase="forward")
    assert reveal(result, entry) == "σ(w*x) = σ(1) ≈ 0.7311"
    assert hints(result, entry)[1] == "σ(w*x) = σ(1) = ?"
    result, entry = _entry(LOSS, POINT, "w*x + b", phase="forward")
    assert reveal(result, entry) == "w*x + b = 1 + (-1) = 0"
    assert hints(result, entry)[1] == "w*x + b = 1 + (-1) = ?"
