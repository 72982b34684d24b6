"""What to ask next: prerequisites first, the weakest topic, a difficulty staircase, retries."""

from __future__ import annotations

import random

from gradtutor.tutor.adaptive import (
    Choice,
    Outcome,
    TemplateInfo,
    TopicInfo,
    choose_next,
    level,
    mastery,
    next_topic,
    prerequisite_order,
)

TOPICS = [
    TopicInfo("backprop", ("gradient",)),
    TopicInfo("gradient", ("partials",)),
    TopicInfo("partials", ("product", "chain")),
    TopicInfo("chain", ("power",)),
    TopicInfo("product", ("power",)),
    TopicInfo("power", ()),
]
TEMPLATES = [
    TemplateInfo("power.1a", "power", 1),
    TemplateInfo("power.1b", "power", 1),
    TemplateInfo("power.2", "power", 2),
    TemplateInfo("power.4", "power", 4),
    TemplateInfo("product.1", "product", 1),
    TemplateInfo("chain.1", "chain", 1),
    TemplateInfo("partials.1", "partials", 1),
    TemplateInfo("gradient.1", "gradient", 1),
    TemplateInfo("backprop.1", "backprop", 1),
]


def clean(template: str, topic: str) -> Outcome:
    return Outcome(template, topic, "correct", clean=True)


def wrong(template: str, topic: str) -> Outcome:
    return Outcome(template, topic, "wrong", clean=False)


def test_prerequisites_come_first() -> None:
    assert prerequisite_order(TOPICS) == [
        "power",
        "product",
        "chain",
        "partials",
        "gradient",
        "backprop",
    ]


def test_mastery_is_the_mean_of_the_last_six_scores() -> None:
    history = [wrong("power.1a", "power")] + [clean("power.1a", "power")] * 4
    assert mastery("power", history) == 4 / 6
    history.append(Outcome("power.2", "power", "correct", clean=False))  # right after a hint: 0.5
    assert mastery("power", history) == 4.5 / 6
    history.append(clean("power.2", "power"))  # the first miss drops out of the window
    assert mastery("power", history) == 5.5 / 6


def test_a_new_learner_starts_with_the_first_prerequisite() -> None:
    assert next_topic(TOPICS, TEMPLATES, []) == "power"


def test_mastering_power_opens_product_and_chain_weakest_first() -> None:
    history = [clean("power.1a", "power")] * 6
    assert next_topic(TOPICS, TEMPLATES, history) == "product"  # tie: teaching order
    history += [clean("product.1", "product")] * 3
    assert next_topic(TOPICS, TEMPLATES, history) == "chain"  # the weaker of the two
    history += [clean("chain.1", "chain")] * 4
    assert next_topic(TOPICS, TEMPLATES, history) == "product"
    history += [clean("product.1", "product")] * 3 + [clean("chain.1", "chain")] * 2
    assert next_topic(TOPICS, TEMPLATES, history) == "partials"


def test_everything_mastered_practises_the_weakest() -> None:
    history = [clean(t.id, t.topic) for t in TEMPLATES for _ in range(6)]
    history[-1] = wrong("backprop.1", "backprop")
    assert next_topic(TOPICS, TEMPLATES, history) == "backprop"


def test_difficulty_climbs_with_clean_answers_and_drops_with_misses() -> None:
    assert level("power", []) == 1
    history = [clean("power.1a", "power")] * 2
    assert level("power", history) == 3
    assert level("power", [*history, wrong("power.2", "power")]) == 2
    assert level("power", [clean("power.1a", "power")] * 9) == 5


def test_the_hardest_template_not_above_the_level_is_asked() -> None:
    history = [clean("power.1a", "power")] * 2  # level 3: power.2 (difficulty 2)
    choice = choose_next(topics=TOPICS, templates=TEMPLATES, history=history, rng=random.Random(1))
    assert choice == Choice("power.2", "weakest")


def test_the_last_template_is_not_repeated_when_another_fits() -> None:
    rng = random.Random(0)
    history = [Outcome("power.1a", "power", "correct", clean=False)]
    for _ in range(10):
        choice = choose_next(topics=TOPICS, templates=TEMPLATES, history=history, rng=rng)
        assert choice == Choice("power.1b", "weakest")


def test_after_a_miss_the_same_template_returns_once() -> None:
    history = [clean("power.1a", "power")] * 3 + [wrong("power.4", "power")]
    rng = random.Random(3)
    asked = ["power.4"]
    assert choose_next(
        topics=TOPICS, templates=TEMPLATES, history=history, rng=rng, asked=asked
    ) == Choice("power.4", "retry")
    history.append(wrong("power.4", "power"))  # missed again: move on (level has dropped)
    asked.append("power.4")
    choice = choose_next(topics=TOPICS, templates=TEMPLATES, history=history, rng=rng, asked=asked)
    assert choice is not None and choice.reason == "weakest" and choice.template_id == "power.2"


def test_a_shown_solution_is_retried_but_a_skip_is_not() -> None:
    shown = [Outcome("chain.1", "chain", "shown", clean=False)]
    skipped = [Outcome("chain.1", "chain", "skipped", clean=False)]
    kwargs = dict(topics=TOPICS, templates=TEMPLATES, rng=random.Random(0), asked=["chain.1"])
    assert choose_next(history=shown, **kwargs).reason == "retry"
    assert choose_next(history=skipped, **kwargs).reason == "weakest"


def test_a_miss_in_an_earlier_quiz_is_not_retried_at_once() -> None:
    history = [wrong("chain.1", "chain")]
    choice = choose_next(topics=TOPICS, templates=TEMPLATES, history=history, rng=random.Random(0))
    assert choice is not None and choice.reason == "weakest" and choice.template_id != "chain.1"


def test_a_chosen_topic_overrides_the_order() -> None:
    choice = choose_next(
        topics=TOPICS, templates=TEMPLATES, history=[], rng=random.Random(0), topic="gradient"
    )
    assert choice == Choice("gradient.1", "topic")


def test_review_serves_due_templates_once_each_then_stops() -> None:
    due = ["chain.1", "retired.1", "power.2"]
    kwargs = dict(topics=TOPICS, templates=TEMPLATES, rng=random.Random(0), due=due)
    assert choose_next(history=[], asked=[], **kwargs) == Choice("chain.1", "review")
    history = [clean("chain.1", "chain")]
    assert choose_next(history=history, asked=["chain.1"], **kwargs) == Choice("power.2", "review")
    history.append(clean("power.2", "power"))
    assert choose_next(history=history, asked=["chain.1", "power.2"], **kwargs) is None


def test_review_with_a_topic_serves_only_that_topic() -> None:
    choice = choose_next(
        topics=TOPICS,
        templates=TEMPLATES,
        history=[],
        rng=random.Random(0),
        due=["chain.1", "power.2"],
        topic="power",
    )
    assert choice == Choice("power.2", "review")
