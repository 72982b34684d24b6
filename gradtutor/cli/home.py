"""The home screen (``gradtutor`` with no command): progress so far, what is due, what next.

It reads the database and the pack catalogue only, so it never imports sympy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import typer


@dataclass(frozen=True)
class NextStep:
    text: str
    command: str


def home(ctx: typer.Context | None = None) -> None:
    from gradtutor.cli.exit_codes import ExitCode
    from gradtutor.render.console import make_console
    from gradtutor.render.quiz import home_view
    from gradtutor.tutor.store import StoreError, open_store

    console = make_console()
    try:
        store = open_store()
    except StoreError as exc:
        errors = make_console(stderr=True)
        errors.print(f"gradtutor: progress database: {exc}", markup=False)
        errors.print("Run gradtutor --help for the commands.", markup=False)
        raise typer.Exit(ExitCode.INVALID) from None
    with store:
        if store.unsaved:
            make_console(stderr=True).print(
                f"Progress is read only: {store.unsaved}.", style="yellow", markup=False
            )
        from gradtutor.cli.progress import load_catalogue_or_none, load_report

        catalogue = load_catalogue_or_none()
        report = load_report(store, now=datetime.now(UTC), catalogue=catalogue)
        step = next_step(report, store, catalogue)
        console.print(
            home_view(report=report, next_step=step.text, command=step.command, notice=store.notice)
        )


def next_step(report: Any, store: Any, catalogue: Any) -> NextStep:
    """What to do next: reviews due first, then the lesson or practice of the next topic."""
    if report.due:
        plural = "s" if report.due != 1 else ""
        return NextStep(f"review {report.due} exercise{plural} due", "gradtutor quiz --review")
    if catalogue is None:
        return NextStep("practise", "gradtutor quiz")
    from gradtutor.tutor import adaptive
    from gradtutor.tutor.progress import outcomes_of

    history = outcomes_of(store.attempts(finished_only=True))
    topics = [adaptive.TopicInfo(t.id, tuple(t.prerequisites)) for t in catalogue.topics]
    templates = [
        adaptive.TemplateInfo(t.id, t.topics[0], t.difficulty) for t in catalogue.templates
    ]
    topic_id = adaptive.next_topic(topics, templates, history)
    if topic_id is None:
        return NextStep("practise", "gradtutor quiz")
    topic = catalogue.topic(topic_id)
    lesson = _lesson_for(topic)
    started = any(o.topic == topic_id for o in history)
    if lesson is not None and not started:
        return NextStep(
            f"read the lesson on {topic.title}, then practise it", f"gradtutor learn {lesson}"
        )
    score = adaptive.mastery(topic_id, history)
    return NextStep(
        f"practise {topic.title} (mastery {score:.0%})", f"gradtutor quiz --topic {topic_id}"
    )


def _lesson_for(topic: Any) -> str | None:
    """The topic's lesson id, if the lessons module knows it."""
    lesson = getattr(topic, "lesson", None)
    if not lesson:
        return None
    try:
        from gradtutor.tutor.lessons import load_lessons

        lessons = load_lessons()
    except Exception:
        return None
    ids = {getattr(item, "id", None) for item in _iter_lessons(lessons)}
    return lesson if lesson in ids else None


def _iter_lessons(lessons: Any) -> list[Any]:
    if isinstance(lessons, dict):
        return list(lessons.values())
    return list(getattr(lessons, "lessons", lessons))
