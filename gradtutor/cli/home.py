"""The home screen (``gradtutor`` with no command): progress so far, what is due, what next.

It reads the database and the pack catalogue only, so it never imports sympy.
"""

from __future__ import annotations

from datetime import UTC, datetime

import typer


def home(ctx: typer.Context | None = None) -> None:
    from gradtutor.render.console import make_console
    from gradtutor.render.quiz import home_view
    from gradtutor.tutor.store import StoreError, open_store

    console = make_console()
    try:
        store = open_store()
    except StoreError as exc:  # reported by main: "gradtutor: …"
        hint = exc.hint or "run gradtutor --help for the commands"
        raise StoreError(exc.message, hint=hint, exit_code=exc.exit_code) from None
    with store:
        if store.unsaved:
            make_console(stderr=True).print(
                f"Progress is read only: {store.unsaved}.", style="yellow", markup=False
            )
        from gradtutor.cli.progress import load_catalogue_or_none, load_report

        catalogue = load_catalogue_or_none()
        report = load_report(store, now=datetime.now(UTC), catalogue=catalogue)
        from gradtutor.tutor.progress import outcomes_of
        from gradtutor.tutor.whatnext import next_step

        choosing = not report.due and catalogue is not None  # else no topic is chosen
        step = next_step(
            due=report.due,
            history=outcomes_of(store.attempts(finished_only=True)) if choosing else [],
            catalogue=catalogue,
            lesson_ids=_lesson_ids() if choosing else (),
        )
        console.print(
            home_view(report=report, next_step=step.text, command=step.command, notice=store.notice)
        )


def _lesson_ids() -> frozenset[str]:
    """The ids of the shipped lessons (none when they cannot be read: home still shows)."""
    from gradtutor.tutor.lessons import LessonError, load_lessons

    try:
        return frozenset(lesson.id for lesson in load_lessons())
    except (LessonError, OSError):
        return frozenset()
