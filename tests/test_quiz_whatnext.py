"""The home screen's "what next" policy (tutor/whatnext.py), without the CLI or a database."""

from __future__ import annotations

from gradtutor.tutor.adaptive import Outcome
from gradtutor.tutor.packs import Catalogue, load_catalogue
from gradtutor.tutor.session import NextStep
from gradtutor.tutor.whatnext import next_step


def _power_only() -> Catalogue:
    shipped = load_catalogue()
    return Catalogue(
        topics=(shipped.topic("power-rule"),), all_templates=shipped.by_topic("power-rule")
    )


def test_whatnext_reviews_due_come_first_whatever_the_history() -> None:
    history = [Outcome("power.basic-1", "power-rule", "wrong", False)]
    step = next_step(
        due=2, history=history, catalogue=_power_only(), lesson_ids={"derivative-rules"}
    )
    assert step == NextStep("review 2 exercises due", "gradtutor quiz --review")
    one = next_step(due=1, history=[], catalogue=None)
    assert one == NextStep("review 1 exercise due", "gradtutor quiz --review")


def test_whatnext_without_a_catalogue_says_practise() -> None:
    assert next_step(due=0, history=[], catalogue=None) == NextStep("practise", "gradtutor quiz")


def test_whatnext_a_topic_not_started_gets_its_lesson_first() -> None:
    step = next_step(due=0, history=[], catalogue=_power_only(), lesson_ids={"derivative-rules"})
    assert step == NextStep(
        "read the lesson on Constant, power and sum rules, then practise it",
        "gradtutor learn derivative-rules",
    )


def test_whatnext_a_lesson_that_does_not_exist_is_not_suggested() -> None:
    step = next_step(due=0, history=[], catalogue=_power_only(), lesson_ids=())
    assert step == NextStep(
        "practise Constant, power and sum rules (mastery 0%)", "gradtutor quiz --topic power-rule"
    )


def test_whatnext_a_started_topic_is_practised_with_its_mastery() -> None:
    # one clean answer (score 1) and one miss (0) over a window of 6 (missing count 0): 1/6
    history = [
        Outcome("power.basic-1", "power-rule", "correct", True),
        Outcome("power.basic-2", "power-rule", "wrong", False),
    ]
    step = next_step(
        due=0, history=history, catalogue=_power_only(), lesson_ids={"derivative-rules"}
    )
    assert step == NextStep(
        "practise Constant, power and sum rules (mastery 17%)", "gradtutor quiz --topic power-rule"
    )


def test_summary_next_step_for_a_backprop_twin_is_a_command_the_quiz_accepts() -> None:
    # regression: the summary said "gradtutor quiz --misconception backprop_fanout_not_summed",
    # which the quiz refuses (exit 2): backprop twins are practised on the backprop topic
    from gradtutor.tutor.session import StopReason, suggest_next

    step = suggest_next((), [("backprop_fanout_not_summed", 1)], ended_by=StopReason.QUIT)
    assert step == NextStep(
        "Practise the mistake you made most:", "gradtutor quiz --topic backprop"
    )
    chain = suggest_next((), [("chain_inner_missing", 2)], ended_by=StopReason.QUIT)
    assert chain == NextStep(
        "Practise the mistake you made most:", "gradtutor quiz --misconception chain_inner_missing"
    )
