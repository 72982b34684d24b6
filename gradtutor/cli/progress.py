"""``gradtutor progress``: mastery per topic, accuracy, streak, misconceptions, reviews due."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import typer

from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import UsageError

HELP = """\
Show your progress: mastery per topic, accuracy, streak, reviews due.

Also the misconceptions you made most often and your accuracy over the last 14 days
as a small chart. The --json report has at least attempts (questions answered) and
mastery (0–1 per topic).

[b]Examples[/b]

  gradtutor progress
  gradtutor progress --json
  gradtutor progress --reset --yes
"""


def register(app: typer.Typer) -> None:
    app.command("progress", help=HELP, rich_help_panel="Practice")(progress)


def progress(
    json_output: bool = typer.Option(False, "--json", help="Write the report as one JSON object."),
    reset: bool = typer.Option(False, "--reset", help="Forget all progress (asks first)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --reset: do not ask."),
) -> None:
    from gradtutor.render.console import make_console
    from gradtutor.tutor.store import open_store

    console = make_console()
    errors = make_console(stderr=True)
    store = open_store()  # no database to be had: its StoreError, exit 2
    with store:
        if store.notice:
            errors.print(store.notice, style="yellow", markup=False)
        if reset:
            raise typer.Exit(_reset(store, yes=yes, console=console))
        if store.unsaved:
            errors.print(f"Progress is read only: {store.unsaved}.", style="yellow", markup=False)
        report = load_report(store)
    if json_output:
        data = {**report.to_json(), "database": str(store.path)}
        if report.misconceptions:
            from gradtutor.tutor.titles import misconception_title

            data["misconceptions"] = [
                {**item, "title": misconception_title(item["id"])}
                for item in data["misconceptions"]
            ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    from gradtutor.render.quiz import progress_view

    console.print(progress_view(report))
    if not report.attempts:
        console.print("No questions answered yet: start with [cyan]gradtutor quiz[/cyan].")
    console.print(f"Progress database: {store.path}", style="dim", markup=False)


def _reset(store: Any, *, yes: bool, console: Any) -> ExitCode:
    from gradtutor.tutor.store import StoreError

    if not yes:
        if sys.stdin is None or sys.stdin.closed:
            raise UsageError(
                "--reset: no input to read the confirmation from (stdin is closed); "
                "nothing was changed",
                hint="use --yes to reset without asking",
            )
        try:
            confirmed = typer.confirm(f"Forget all progress in {store.path}?", default=False)
        except (typer.Abort, EOFError, KeyboardInterrupt):
            confirmed = False
        if not confirmed:
            console.print("Nothing was changed.")
            return ExitCode.OK
    try:
        store.reset()
    except StoreError as exc:  # the database can't be written: exit 1, as it always was
        raise StoreError(exc.message, hint=exc.hint, exit_code=ExitCode.WRONG) from None
    console.print("Progress reset.")
    return ExitCode.OK


def load_report(store: Any, *, now: datetime | None = None, catalogue: Any = None) -> Any:
    """The progress report for the store, with topic titles when the packs load."""
    from gradtutor.tutor.progress import build_report

    catalogue = catalogue if catalogue is not None else load_catalogue_or_none()
    cards = store.cards()
    if catalogue is not None:  # a retired exercise is never served, so it is never due
        askable = {t.id for t in catalogue.templates}
        cards = [c for c in cards if c.template_id in askable]
    return build_report(
        store.attempts(),
        store.answers(),
        cards,
        now=now or datetime.now(UTC),
        topics=topic_titles(catalogue),
    )


def load_catalogue_or_none() -> Any:
    """The shipped packs, or None when they cannot be read (progress still shows)."""
    from gradtutor.tutor.packs import PackError, load_catalogue

    try:
        return load_catalogue()
    except (PackError, OSError):
        return None


def topic_titles(catalogue: Any) -> list[tuple[str, str]]:
    """(id, title) of every topic with exercises, prerequisites first; [] without packs."""
    from gradtutor.tutor.adaptive import prerequisite_order, topic_infos

    if catalogue is None:
        return []
    titles = {t.id: t.title for t in catalogue.topics if catalogue.by_topic(t.id)}
    order = prerequisite_order(topic_infos(catalogue))
    return [(t, titles[t]) for t in order if t in titles]
