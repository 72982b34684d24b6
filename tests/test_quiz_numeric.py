"""Numeric questions in the quiz: decimals judged to the digits typed, mistakes named."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sympy

from gradtutor.cli.exit_codes import ExitCode
from gradtutor.cli.quiz import QuizRunner
from gradtutor.render.console import make_console
from gradtutor.tutor.numeric_twins import NAMES, match_twin, twins_for

PACK = Path(__file__).resolve().parent / "data" / "numeric_pack.toml"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class ScriptedReader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def read(self, prompt: str) -> str:
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


def quiz(answers: list[str], topic: str) -> tuple[ExitCode, list[dict], str]:
    out, records = io.StringIO(), io.StringIO()
    runner = QuizRunner(
        console=make_console(file=out, width=200),
        json_out=records,
        clock=lambda: T0,
        reader=ScriptedReader(answers),
    )
    code = runner.run(topic=topic, count=1, seed=1, review=False, packs=(PACK,))
    return code, [json.loads(line) for line in records.getvalue().splitlines()], out.getvalue()


def answer_verdicts(record: dict) -> list[tuple[str, str, str | None]]:
    answers = [a for p in record["parts"] for a in p["answers"]]
    return [(a["answer"], a["verdict"], a["misconception"]) for a in answers]


# --- decimals ----------------------------------------------------------------------------


def test_backprop_decimal_right_to_the_digits_typed_shows_the_exact_value() -> None:
    # x = 2, w = 1, b = 0, y = 0: ∂L/∂w = 4σ(2)²(1 − σ(2)) = 0.369911…, ∂L/∂b = 0.184955…
    code, records, text = quiz(["0.3699", "0.18496"], "num-backprop")
    assert code == ExitCode.OK
    assert records[0]["verdict"] == "correct" and records[0]["attempts"] == 2
    assert "✓ Right (to 4 significant figures). Exact value: (4 − 4σ(2))·σ(2)²" in text


def test_too_few_digits_is_close_and_not_a_try() -> None:
    code, records, text = quiz(["0.37", "0.37", "0.37", "0.3699", "0.185"], "num-backprop")
    assert "Close — give 3 significant figures, or the exact value, e.g. σ(1)." in text
    assert code == ExitCode.OK
    record = records[0]
    assert record["verdict"] == "correct"
    assert record["attempts"] == 2  # the three 'close' lines were not tries
    assert [v for _, v, _ in answer_verdicts(record)] == [
        "close",
        "close",
        "close",
        "equivalent",
        "equivalent",
    ]


def test_an_exact_answer_still_counts() -> None:
    code, records, _ = quiz(["4σ(2)^2(1-σ(2))", "2σ(2)^2(1-σ(2))*2/2"], "num-backprop")
    assert code == ExitCode.OK and records[0]["verdict"] == "correct"


def test_the_issue_regression_eleven_figures_are_not_rejected() -> None:
    dw = sympy.N(4 * sympy.exp(-2) / (1 + sympy.exp(-2)) ** 3, 11)  # 4σ(2)²(1 − σ(2))
    db = sympy.N(2 * sympy.exp(-2) / (1 + sympy.exp(-2)) ** 3, 11)  # 2σ(2)²(1 − σ(2))
    code, records, _ = quiz([str(dw), str(db)], "num-backprop")
    assert (code, records[0]["verdict"]) == (ExitCode.OK, "correct")


# --- numeric twins -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "misconception", "says"),
    [
        # x² from x₀ = −2 with lr 0.25: f′(−2) = −4, the right step is −1
        ("-3", "descent_step_uphill", "-3 is x₀ + lr·f′(−2) = −2 + 0.25·(−4): the step went up"),
        ("-4", "descent_slope_as_point", "-4 is the slope f′(−2) itself, not the new point"),
        ("-1.5", "factor_two_dropped", "the factor 2 from the square is missing"),
        ("-2", "substituted_value", "-2 is the start itself"),
    ],
)
def test_descent_step_mistakes_are_named(answer: str, misconception: str, says: str) -> None:
    code, records, text = quiz([answer, "-1"], "num-descent")
    assert code == ExitCode.OK
    assert records[0]["misconception"] == misconception
    assert says in text


def test_descent_lr_missing_and_f_for_f_prime_are_named() -> None:
    # (x − 1)² from x₀ = 3, lr 0.1: f′(3) = 4, f(3) = 4 — pick numbers where they differ
    twins = twins_for("descent-step", {"f": "(x - 1)^2", "start": {"x": "3"}, "lr": "0.1"})[0]
    assert match_twin("-1", twins).id == "descent_lr_missing"  # 3 − 4
    assert match_twin("3.4", twins).id == "descent_step_uphill"  # 3 + 0.1·4
    twins = twins_for("descent-step", {"f": "x^2 + 1", "start": {"x": "3"}, "lr": "0.1"})[0]
    found = match_twin("2", twins)  # 3 − 0.1·f(3) = 3 − 1
    assert found is not None and found.id == "value_for_derivative"
    assert found.message.startswith("2 is x₀ − lr·f(3) = 3 − 0.1·10: the step used f")


def test_backprop_without_x_and_without_the_factor_two_are_named() -> None:
    # ∂L/∂w = 2(a − y)σ′(z)x with a = σ(2): without x it is half, without the 2 half too —
    # both halve the value here, so the test uses x = 3 where they differ.
    fields = {"x": "3", "y": "1", "w": "1", "b": "-3", "activation": "sigmoid"}
    twins = twins_for("neuron-backprop", fields)[0]
    # z = 0, a = 1/2, σ′(0) = 1/4: right = 2(−1/2)(1/4)3 = −3/4
    assert match_twin("-1/4", twins).id == "backprop_input_missing"
    assert match_twin("-0.375", twins).id == "factor_two_dropped"
    assert match_twin("-3", twins).id == "backprop_activation_slope_missing"
    assert match_twin("-0.75", twins) is None  # the right answer names nothing


def test_evaluate_value_for_derivative_is_named() -> None:
    code, records, text = quiz(["-8", "4"], "num-evaluate")
    assert code == ExitCode.OK
    assert records[0]["misconception"] == "value_for_derivative"
    assert "-8 is the value of f at x = −2, not of its derivative" in text


def test_an_unexplained_wrong_number_names_nothing() -> None:
    _, records, _ = quiz(["17", "-1"], "num-descent")
    assert records[0]["misconception"] is None


def test_every_numeric_twin_id_has_a_readable_name() -> None:
    assert all(name and "_" not in name for name in NAMES.values())


def test_a_close_piece_of_a_one_line_answer_is_marked_close_not_unread() -> None:
    code, records, text = quiz(["(0.37, 0.185)", "0.36991"], "num-backprop")
    assert code == ExitCode.OK
    assert "∂L/∂w ≈ (close: give 3 significant figures), ∂L/∂b ✓. Answer ∂L/∂w again." in text
    assert records[0]["how"] == "right first time"  # the 'close' piece was not a try


def test_a_wrong_decimal_is_read_back_as_typed_not_as_a_fraction() -> None:
    _, records, text = quiz(["0.003"], "num-backprop")
    assert "read as 0.003" in text and "3/1000" not in text
    assert records[0]["parts"][0]["answers"][0]["verdict"] == "not_equivalent"


def test_a_rule_twin_at_the_point_is_named_when_no_procedure_mistake_fits() -> None:
    # f = sin(2x) at x = 0: f′(0) = 2; cos(2x) (inner derivative missing) gives 1 there
    twins = twins_for("evaluate", {"f": "sin(2x)", "at": {"x": "0"}})[0]
    found = match_twin("1", twins)
    assert found is not None and found.id == "chain_inner_missing"
    assert found.message.startswith("1 is the value of a wrong derivative (chain rule: inner")
    assert match_twin("2", twins) is None  # the right answer


def test_two_procedure_mistakes_giving_one_number_name_the_first_and_mention_the_other() -> None:
    # x² from x₀ = −2: uphill −2 + 0.25·(−4) and "f for f′" −2 − 0.25·4 are both −3
    twins = twins_for("descent-step", {"f": "x^2", "start": {"x": "-2"}, "lr": "0.25"})[0]
    found = match_twin("-3", twins)
    assert found is not None and found.id == "descent_step_uphill"
    assert "(Or: x₀ − lr·f(−2) = −2 − 0.25·4: the step used f, not its slope.)" in found.message
