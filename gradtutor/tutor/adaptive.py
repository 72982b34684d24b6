"""What to ask next.

Topics are taken prerequisites first (power → product/chain → partials → gradient →
backprop): among the topics not yet mastered whose prerequisites are, the weakest
comes next. Within a topic a staircase sets the difficulty: a clean answer (first
try, no hint) climbs one level, a miss drops one. Templates are interleaved: never the
same one twice in a row while the topic has another, the least asked first — except
right after a miss, when the same template returns once with new numbers.
``--review`` serves the templates due.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gradtutor.tutor import session

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.tutor.models import Template
    from gradtutor.tutor.packs import Catalogue

MASTERY_WINDOW = 6  # the last answers in a topic that count towards its mastery
MASTERED = 0.8  # mastery at or above this means mastered
MIN_LEVEL, MAX_LEVEL = 1, 5


@dataclass(frozen=True)
class TopicInfo:
    id: str
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    topic: str
    difficulty: int


def topic_infos(catalogue: Catalogue) -> list[TopicInfo]:
    """The catalogue's topics as adaptive selection sees them."""
    return [TopicInfo(t.id, tuple(t.prerequisites)) for t in catalogue.topics]


def template_infos(
    templates: Sequence[Template], *, topic: str | None = None
) -> list[TemplateInfo]:
    """Templates as adaptive selection sees them, each in ``topic`` or its own first one."""
    return [TemplateInfo(t.id, topic or t.topics[0], t.difficulty) for t in templates]


@dataclass(frozen=True)
class Outcome:
    """How one finished question went, as adaptive selection needs it."""

    template_id: str
    topic: str
    outcome: session.Outcome  # finished: correct, wrong, skipped or shown
    clean: bool  # right on the first try of every part, no hint

    @property
    def score(self) -> float:
        if self.outcome != session.Outcome.CORRECT:
            return 0.0
        return 1.0 if self.clean else 0.5

    @property
    def missed(self) -> bool:
        return self.outcome in (session.Outcome.WRONG, session.Outcome.SHOWN)


@dataclass(frozen=True)
class Choice:
    template_id: str
    reason: str  # "retry" | "review" | "topic" | "weakest"


def mastery(topic: str, history: Sequence[Outcome]) -> float:
    """0–1: the mean score of the topic's last MASTERY_WINDOW questions (missing ones count 0)."""
    scores = [o.score for o in history if o.topic == topic][-MASTERY_WINDOW:]
    return sum(scores) / MASTERY_WINDOW


def level(topic: str, history: Sequence[Outcome]) -> int:
    """The difficulty to ask next in a topic: up one per clean answer, down one per miss."""
    current = MIN_LEVEL
    for o in history:
        if o.topic != topic:
            continue
        if o.clean:
            current = min(MAX_LEVEL, current + 1)
        elif o.outcome != session.Outcome.CORRECT:
            current = max(MIN_LEVEL, current - 1)
    return current


def prerequisite_order(topics: Sequence[TopicInfo]) -> list[str]:
    """Topic ids with every prerequisite before the topics that need it (else catalogue order)."""
    known = {t.id: t for t in topics}
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(topic_id: str) -> None:
        if topic_id in ordered or topic_id in visiting or topic_id not in known:
            return
        visiting.add(topic_id)
        for prerequisite in known[topic_id].prerequisites:
            visit(prerequisite)
        visiting.discard(topic_id)
        ordered.append(topic_id)

    for t in topics:
        visit(t.id)
    return ordered


def next_topic(
    topics: Sequence[TopicInfo], templates: Sequence[TemplateInfo], history: Sequence[Outcome]
) -> str | None:
    """The weakest unmastered topic whose prerequisites are mastered."""
    order = prerequisite_order(topics)
    askable = {t.topic for t in templates}
    known = {t.id: t for t in topics}
    scores = {topic: mastery(topic, history) for topic in order}

    def ready(topic: str) -> bool:
        return all(
            scores.get(p, 1.0) >= MASTERED or p not in askable for p in known[topic].prerequisites
        )

    candidates = [t for t in order if t in askable and scores[t] < MASTERED and ready(t)]
    if not candidates:
        candidates = [t for t in order if t in askable]
    if not candidates:
        return None
    return min(candidates, key=lambda t: (scores[t], order.index(t)))


def pick_template(
    topic: str,
    templates: Sequence[TemplateInfo],
    history: Sequence[Outcome],
    rng: random.Random,
    asked: Sequence[str] = (),
) -> str | None:
    """A template of ``topic`` at the staircase level (the hardest not above it), interleaved.

    The template served last (``asked[-1]``, else the last in ``history``) is never served
    again straight away while the topic has another. Among the templates at the chosen
    difficulty, the one asked least often in this quiz comes first, then the one served
    longest ago; ``rng`` breaks the remaining ties.
    """
    pool = [t for t in templates if t.topic == topic]
    if not pool:
        return None
    last = asked[-1] if asked else (history[-1].template_id if history else None)
    if len(pool) > 1:
        pool = [t for t in pool if t.id != last]
    target = level(topic, history)
    at_or_below = [t.difficulty for t in pool if t.difficulty <= target]
    difficulty = max(at_or_below) if at_or_below else min(t.difficulty for t in pool)
    choices = sorted(t.id for t in pool if t.difficulty == difficulty)
    served = [o.template_id for o in history]

    def freshness(template_id: str) -> tuple[int, int]:
        seen = max((i for i, s in enumerate(served) if s == template_id), default=-1)
        return asked.count(template_id), seen

    freshest = min(freshness(c) for c in choices)
    return rng.choice([c for c in choices if freshness(c) == freshest])


def choose_next(
    *,
    topics: Sequence[TopicInfo],
    templates: Sequence[TemplateInfo],
    history: Sequence[Outcome],
    rng: random.Random,
    topic: str | None = None,
    due: Iterable[str] | None = None,
    asked: Sequence[str] = (),
) -> Choice | None:
    """The next template to ask, or None when there is nothing (left) to ask.

    ``history`` is every finished question, oldest first, this quiz's included;
    ``due`` (review mode) lists due template ids, most overdue first; ``asked`` is the
    templates already asked in this quiz, in order: review mode serves each once, and
    only a miss in this quiz brings its template straight back.
    """
    by_id = {t.id: t for t in templates}
    last = history[-1] if history else None
    if (
        last
        and last.missed
        and last.template_id in by_id
        and asked
        and asked[-1] == last.template_id
    ):
        # Retry a miss once with new numbers; after a second miss in a row, move on.
        repeated = len(history) > 1 and history[-2].template_id == history[-1].template_id
        if not (repeated and history[-2].missed):
            return Choice(history[-1].template_id, "retry")
    if due is not None:
        for template_id in due:
            fits = topic is None or (template_id in by_id and by_id[template_id].topic == topic)
            if template_id in by_id and template_id not in asked and fits:
                return Choice(template_id, "review")
        return None
    chosen_topic = topic
    if chosen_topic is None:
        chosen_topic = next_topic(topics, templates, history)
    if chosen_topic is None:
        return None
    picked = pick_template(chosen_topic, templates, history, rng, asked)
    if picked is None:
        return None
    return Choice(picked, "topic" if topic is not None else "weakest")
