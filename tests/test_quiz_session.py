"""The quiz question state machine, driven with small fakes of the exercise and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.tutor import session
from gradtutor.tutor.session import HintGiven, Judged, Revealed, Unjudged


@dataclass(frozen=True)
class FakePart:
    label: str
    expected: str
    task: str | None = None


@dataclass(frozen=True)
class FakeExercise:
    parts: tuple[FakePart, ...]
    template_id: str = "power.basic-2"
    seed: int = 7
    values: dict[str, str] = field(default_factory=lambda: {"a": "3", "n": "3"})
    prompt: str = "Differentiate f(x) = 3x^3 with respect to x."
    hints: tuple[str, ...] = ("Power rule.", "Bring the 3 down.")
    topic: str = "power-rule"
    kind: str = "derivative"
    difficulty: int = 1


@dataclass(frozen=True)
class FakeFeedback:
    kind: str
    message: str
    id: str | None = None


@dataclass(frozen=True)
class FakeResult:
    verdict: str
    feedback: tuple[FakeFeedback, ...] = ()


RIGHT = FakeResult("equivalent")
WRONG = FakeResult("not_equivalent")
SLIP = FakeResult(
    "not_equivalent",
    (FakeFeedback("misconception", "x became 1", "dropped_variable"),),
)
INVALID = FakeResult("invalid")


def test_the_slip_these_tests_use_is_a_real_misconception_id() -> None:
    # regression: the fake feedback named "variable-dropped", an id that never existed
    from gradtutor.calculus.misconceptions import ALL_IDS

    assert SLIP.feedback[0].id in ALL_IDS


UNDECIDED = FakeResult("undetermined")

CUBE = FakeExercise(parts=(FakePart("", "9*x^2", "d/dx(3x^3)"),))
GRAD = FakeExercise(
    template_id="gradient.basic-1",
    prompt="Find the gradient of f(x, y) = x^2*y.",
    parts=(FakePart("∂f/∂x", "2*x*y"), FakePart("∂f/∂y", "x^2")),
    topic="gradient",
    hints=(),
)


def test_right_first_time() -> None:
    state = session.ask(CUBE, now_ms=1000)
    state, event = session.judge(state, "9x^2", RIGHT, now_ms=4000)
    assert isinstance(event, Judged) and event.correct and event.revealed is None
    assert state.outcome == "correct" and state.tries == 1
    result = session.result_of(state)
    assert result.clean and result.elapsed_ms == 3000


def test_three_wrong_tries_reveal_the_answer() -> None:
    state = session.ask(CUBE, now_ms=0)
    state, first = session.judge(state, "9^2", SLIP, now_ms=10)
    assert isinstance(first, Judged) and first.tries_left == 2 and not state.done
    state, second = session.judge(state, "27x^2", WRONG, now_ms=20)
    assert isinstance(second, Judged) and second.tries_left == 1 and not state.done
    state, third = session.judge(state, "x^3", WRONG, now_ms=30)
    assert isinstance(third, Judged) and third.tries_left == 0
    assert third.revealed == CUBE.parts[0]
    assert state.outcome == "wrong" and state.tries == 3


def test_unreadable_or_undecided_input_is_not_a_try() -> None:
    state = session.ask(CUBE, now_ms=0)
    state, event = session.judge(state, "9x^^2", INVALID, now_ms=5)
    assert isinstance(event, Unjudged)
    state, event = session.judge(state, "9x^2+0*zeta(x)", UNDECIDED, now_ms=6)
    assert isinstance(event, Unjudged)
    assert state.tries == 0 and state.part_tries == 0 and not state.done
    assert [a.text for a in state.answers] == ["9x^^2", "9x^2+0*zeta(x)"]


def test_domain_dependent_answers_count_as_a_miss() -> None:
    state = session.ask(CUBE, now_ms=0)
    state, event = session.judge(state, "ln(x^2)", FakeResult("domain_dependent"), now_ms=1)
    assert isinstance(event, Judged) and not event.correct and state.tries == 1


def test_hints_come_in_order_then_run_out() -> None:
    state = session.ask(CUBE, now_ms=0)
    state, one = session.hint(state)
    state, two = session.hint(state)
    state, none = session.hint(state)
    assert (one, two, none) == (
        HintGiven("Power rule.", 1, 2),
        HintGiven("Bring the 3 down.", 2, 2),
        HintGiven(None, 2, 2),
    )
    assert state.hints_used == 2 and state.touched


def test_steps_show_the_solution_and_the_question_counts_as_shown() -> None:
    state = session.ask(CUBE, now_ms=0)
    state, event = session.show_steps(state, now_ms=50)
    assert event == Revealed(parts=CUBE.parts, reason="steps")
    assert state.outcome == "shown" and state.finished_ms == 50
    with pytest.raises(ValueError, match="already finished"):
        session.judge(state, "9x^2", RIGHT, now_ms=60)


def test_skip() -> None:
    state, event = session.skip(session.ask(CUBE, now_ms=0), now_ms=1)
    assert event.reason == "skip" and state.outcome == "skipped"


def test_multi_part_questions_are_checked_part_by_part() -> None:
    state = session.ask(GRAD, now_ms=0)
    assert state.part.label == "∂f/∂x"
    state, event = session.judge(state, "2xy", RIGHT, now_ms=1)
    assert isinstance(event, Judged) and event.correct and not state.done
    assert state.part.label == "∂f/∂y" and state.part_tries == 0
    state, event = session.judge(state, "2x", WRONG, now_ms=2)
    assert not state.done and state.part.label == "∂f/∂y"
    state, event = session.judge(state, "x^2", RIGHT, now_ms=3)
    assert state.outcome == "correct" and state.part_results == ("correct", "correct")
    result = session.result_of(state)
    assert result.tries == 3 and not result.clean


def test_a_missed_part_reveals_it_and_moves_on_to_the_next() -> None:
    state = session.ask(GRAD, now_ms=0, max_tries=2)
    state, _ = session.judge(state, "y", WRONG, now_ms=1)
    state, event = session.judge(state, "2x", WRONG, now_ms=2)
    assert isinstance(event, Judged) and event.revealed == GRAD.parts[0]
    assert state.part.label == "∂f/∂y" and not state.done
    state, _ = session.judge(state, "x^2", RIGHT, now_ms=3)
    assert state.outcome == "wrong" and state.part_results == ("missed", "correct")


def test_a_one_line_answer_is_one_attempt_and_its_right_parts_stay_done() -> None:
    state = session.ask(GRAD, now_ms=0)
    line = state.next_line
    state, first = session.judge(state, "3", WRONG, now_ms=1, part_index=0, line=line)
    state, second = session.judge(state, "x^2", RIGHT, now_ms=2, part_index=1, line=line)
    assert isinstance(first, Judged) and not first.correct and first.tries_left == 2
    assert isinstance(second, Judged) and second.correct
    assert state.part_results == (None, "correct") and state.open_parts == (0,)
    assert state.part.label == "∂f/∂x" and state.part_tries == 1 and not state.done
    assert (state.tries, state.attempts) == (2, 1)
    with pytest.raises(ValueError, match="not open"):
        session.judge(state, "x^2", RIGHT, now_ms=3, part_index=1)
    state, _ = session.judge(state, "2xy", RIGHT, now_ms=4)  # a line of its own
    assert state.outcome == "correct" and state.part_results == ("correct", "correct")
    result = session.result_of(state)
    assert (result.tries, result.attempts) == (3, 2) and not result.clean
    record = result.to_json()
    assert (record["attempts"], record["answers"]) == (2, ["3", "x^2", "2xy"])
    assert [[a["answer"] for a in p["answers"]] for p in record["parts"]] == [
        ["3", "2xy"],
        ["x^2"],
    ]


def test_a_right_one_line_answer_is_clean() -> None:
    state = session.ask(GRAD, now_ms=0)
    state, _ = session.judge(state, "2xy", RIGHT, now_ms=1, part_index=0, line=0)
    state, _ = session.judge(state, "x^2", RIGHT, now_ms=1, part_index=1, line=0)
    result = session.result_of(state)
    assert (result.outcome, result.attempts, result.tries, result.clean) == ("correct", 1, 2, True)


def test_an_unread_piece_does_not_make_a_line_an_attempt() -> None:
    state = session.ask(GRAD, now_ms=0)
    state, _ = session.judge(state, "x^^", INVALID, now_ms=1, part_index=0, line=0)
    state, _ = session.judge(state, "x^^2", INVALID, now_ms=1, part_index=1, line=0)
    assert (state.tries, state.attempts, state.next_line) == (0, 0, 1)


def test_skip_after_a_one_line_answer_reveals_only_the_open_parts() -> None:
    state = session.ask(GRAD, now_ms=0)
    state, _ = session.judge(state, "x^2", RIGHT, now_ms=1, part_index=1)
    state, event = session.skip(state, now_ms=2)
    assert event.parts == (GRAD.parts[0],)
    assert session.result_of(state).to_json()["parts"][1]["verdict"] == "correct"


def test_steps_in_the_second_part_reveal_only_what_is_left() -> None:
    state = session.ask(GRAD, now_ms=0)
    state, _ = session.judge(state, "2xy", RIGHT, now_ms=1)
    state, event = session.show_steps(state, now_ms=2)
    assert event.parts == (GRAD.parts[1],)


def test_abandon_marks_an_open_question_incomplete() -> None:
    state = session.ask(CUBE, now_ms=0)
    state, _ = session.judge(state, "9^2", SLIP, now_ms=10)
    state = session.abandon(state, now_ms=20)
    assert state.outcome == "incomplete"
    summary = session.summarise([session.result_of(state)], ended_by="interrupt")
    assert not summary.all_correct  # a wrong try was given before the end


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("hint", "hint"),
        ("  HINT ", "hint"),
        ("steps", "steps"),
        ("skip", "skip"),
        ("quit", "quit"),
        ("exit", "quit"),
        ("?", "help"),
        ("9x^2", None),
        ("hints", None),
        ("", None),
    ],
)
def test_prompt_commands(text: str, command: str | None) -> None:
    assert session.command_of(text) == command


def test_json_record_has_the_public_fields() -> None:
    state = session.ask(CUBE, now_ms=1_000)
    state, _ = session.judge(state, "9^2", SLIP, now_ms=2_000)
    state, _ = session.hint(state)
    state, _ = session.judge(state, "9x^2", RIGHT, now_ms=4_500)
    assert session.result_of(state).to_json() == {
        "id": "power.basic-2",
        "topic": "power-rule",
        "prompt": "Differentiate f(x) = 3x^3 with respect to x.",
        "expected": "9*x^2",
        "answers": ["9^2", "9x^2"],
        "verdict": "correct",
        "misconception": "dropped_variable",
        "attempts": 2,
        "hints_used": 1,
        "elapsed_ms": 3500,
        "seed": 7,
        "difficulty": 1,
        "misconceptions": ["dropped_variable"],
        "how": "right on try 2 · 1 hint",
        "parts": [
            {
                "label": "",
                "expected": "9*x^2",
                "verdict": "correct",
                "answers": [
                    {
                        "answer": "9^2",
                        "verdict": "not_equivalent",
                        "misconception": "dropped_variable",
                    },
                    {"answer": "9x^2", "verdict": "equivalent", "misconception": None},
                ],
            }
        ],
    }


def test_json_record_of_a_multi_part_question_lists_each_expected_answer() -> None:
    state = session.ask(GRAD, now_ms=0)
    state, _ = session.skip(state, now_ms=10)
    record = session.result_of(state).to_json()
    assert record["expected"] == ["2*x*y", "x^2"]
    assert [p["label"] for p in record["parts"]] == ["∂f/∂x", "∂f/∂y"]
    assert (record["verdict"], record["attempts"], record["misconception"]) == ("skipped", 0, None)


def test_summary_counts_misconceptions_most_frequent_first() -> None:
    results = []
    for slips in (2, 1):
        state = session.ask(CUBE, now_ms=0)
        for _ in range(slips):
            state, _ = session.judge(state, "9^2", SLIP, now_ms=1)
        state, _ = session.judge(state, "9x^2", RIGHT, now_ms=2)
        results.append(session.result_of(state))
    summary = session.summarise(results, ended_by="done")
    assert summary.misconception_counts == (("dropped_variable", 3),)
    assert summary.correct == 2 and summary.all_correct


ACTIONS = st.lists(
    st.sampled_from(["right", "wrong", "invalid", "hint", "steps", "skip", "line"]), max_size=20
)


@settings(max_examples=300, deadline=None)
@given(actions=ACTIONS, multi=st.booleans(), max_tries=st.integers(1, 4))
def test_any_sequence_of_moves_keeps_the_invariants(
    actions: list[str], multi: bool, max_tries: int
) -> None:
    exercise = GRAD if multi else CUBE
    state = session.ask(exercise, now_ms=0, max_tries=max_tries)
    for now, action in enumerate(actions, start=1):
        if state.done:
            break
        if action in ("right", "wrong", "invalid"):
            result = {"right": RIGHT, "wrong": WRONG, "invalid": INVALID}[action]
            state, _ = session.judge(state, action, result, now_ms=now)
        elif action == "line":  # a one-line answer: the last open part wrong, the rest right
            line, last = state.next_line, state.open_parts[-1]
            for index in state.open_parts:
                result = WRONG if index == last else RIGHT
                state, _ = session.judge(
                    state, "v", result, now_ms=now, part_index=index, line=line
                )
        elif action == "hint":
            state, _ = session.hint(state)
        elif action == "steps":
            state, _ = session.show_steps(state, now_ms=now)
        else:
            state, _ = session.skip(state, now_ms=now)
        per_part = [
            sum(1 for a in state.answers if a.part_index == i and a.judged)
            for i in range(len(exercise.parts))
        ]
        assert all(n <= max_tries for n in per_part)
        assert state.hints_used <= len(exercise.hints)
        assert len(state.part_results) <= len(exercise.parts)
        assert state.attempts <= state.tries
        assert state.done == (state.finished_ms is not None)
    if state.done:
        result = session.result_of(state)
        assert (result.outcome == "correct") == (
            len(state.part_results) == len(exercise.parts)
            and all(r == "correct" for r in state.part_results)
        )
        assert result.attempts == len({a.line for a in result.answers if a.judged})
        assert set(result.to_json()) >= {
            "id",
            "topic",
            "prompt",
            "expected",
            "answers",
            "verdict",
            "misconception",
            "attempts",
            "hints_used",
            "elapsed_ms",
        }
