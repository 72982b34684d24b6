"""What to do next, for the home screen: reviews due first, then the next topic's lesson
(before it is practised) or practice. UI-free; reads neither the database nor sympy.

The end of a quiz has its own suggestion (:func:`gradtutor.tutor.session.suggest_next`),
from that quiz's answers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from gradtutor.tutor import adaptive
from gradtutor.tutor.adaptive import template_infos, topic_infos
from gradtutor.tutor.session import NextStep

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.tutor.packs import Catalogue

PRACTISE = NextStep("practise", "gradtutor quiz")


def next_step(
    *,
    due: int,
    history: Sequence[adaptive.Outcome],
    catalogue: Catalogue | None,
    lesson_ids: Collection[str] = (),
) -> NextStep:
    """``due``: reviews due now; ``history``: finished questions, oldest first;
    ``lesson_ids``: the lessons there are (a topic's lesson is suggested only if it exists)."""
    if due:
        plural = "s" if due != 1 else ""
        return NextStep(f"review {due} exercise{plural} due", "gradtutor quiz --review")
    if catalogue is None:
        return PRACTISE
    topics = topic_infos(catalogue)
    topic_id = adaptive.next_topic(topics, template_infos(catalogue.templates), history)
    if topic_id is None:
        return PRACTISE
    topic = catalogue.topic(topic_id)
    started = any(o.topic == topic_id for o in history)
    if topic.lesson and topic.lesson in lesson_ids and not started:
        return NextStep(
            f"read the lesson on {topic.title}, then practise it",
            f"gradtutor learn {topic.lesson}",
        )
    score = adaptive.mastery(topic_id, history)
    return NextStep(
        f"practise {topic.title} (mastery {score:.0%})", f"gradtutor quiz --topic {topic_id}"
    )
