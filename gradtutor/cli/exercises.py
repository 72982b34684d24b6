"""``gradtutor exercises list|validate``: see and check the exercise packs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import UsageError
from gradtutor.render.console import make_console

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence

    from rich.console import Console
    from rich.progress import Progress

    from gradtutor.tutor.packs import Catalogue, Checked, Template
    from gradtutor.tutor.validation import Problem

HELP = """\
List and validate exercise packs (TOML files a teacher can write; see exercises/README.md).

[b]Examples[/b]

  gradtutor exercises list
  gradtutor exercises list --json --pack my-pack.toml
  gradtutor exercises validate
  gradtutor exercises validate my-pack.toml
"""

exercises_app = typer.Typer(
    name="exercises", help=HELP, rich_markup_mode="rich", no_args_is_help=True
)

PACK_OPTION = typer.Option(
    None, "--pack", help="A teacher's pack file or directory to load as well (repeatable)."
)


def register(app: typer.Typer) -> None:
    app.add_typer(exercises_app, name="exercises", rich_help_panel="For teachers")


def _shown_path(file: str) -> str:
    """A shipped pack's path relative to the exercises directory; others as given (with
    control characters neutralised: a file name is untrusted text)."""
    from gradtutor.tutor.resources import exercises_dir
    from gradtutor.tutor.untrusted import neutralise

    try:
        return str(Path(file).relative_to(exercises_dir().resolve()))
    except ValueError:
        return neutralise(file)


def _load(packs: list[Path] | None) -> Catalogue:
    """The catalogue; a pack that can't be used is its PackError (exit 2)."""
    from gradtutor.tutor.packs import load_catalogue

    for path in packs or ():
        _require_pack(path)
    return load_catalogue(packs or ())


def _row(template: Template) -> dict[str, object]:
    return {
        "id": template.id,
        "topic": template.topic,
        "topics": list(template.topics),
        "difficulty": template.difficulty,
        "kind": template.kind,
        "file": _shown_path(template.file),
        "pack": template.pack,
        "pack_version": template.pack_version,
        "content_hash": template.content_hash,
        "retired": template.retired,
    }


@exercises_app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
    topic: str | None = typer.Option(None, "--topic", help="Only this topic's templates."),
    include_retired: bool = typer.Option(False, "--retired", help="Include retired templates."),
    pack: list[Path] | None = PACK_OPTION,
) -> None:
    """List every exercise template: id, topic, difficulty, kind and file.

    Example: gradtutor exercises list --topic chain-rule
    """
    catalogue = _load(pack)
    chosen: Sequence[Template] = catalogue.all_templates if include_retired else catalogue.templates
    if topic is not None:
        known = {t.id for t in catalogue.topics}
        if topic not in known:
            _unknown_topic(topic, known)
        chosen = tuple(t for t in chosen if topic in t.topics)
    order = {t.id: n for n, t in enumerate(catalogue.topics)}
    chosen = sorted(chosen, key=lambda t: (order.get(t.topic, len(order)), t.difficulty, t.id))
    rows = [_row(t) for t in chosen]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    _print_table(rows)


def _unknown_topic(topic: str, known: set[str]) -> NoReturn:
    import difflib

    from gradtutor.tutor.suggest import choices_hint

    close = difflib.get_close_matches(topic, sorted(known), n=3, cutoff=0.5)
    raise UsageError(f"no topic {topic!r}", hint=choices_hint(close, "topics", sorted(known)))


def _print_table(rows: list[dict[str, object]]) -> None:
    from rich.table import Table
    from rich.text import Text

    console = make_console()
    columns = ("id", "topic", "difficulty", "kind", "file")
    if not console.is_terminal:  # piped: one plain line per template, never wrapped
        for row in rows:
            id_, topic, difficulty, kind, file = (str(row[c]) for c in columns)
            console.file.write(f"{id_:28} {topic:22} {difficulty:>2} {kind:16} {file}\n")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in columns:
        # an id or topic is typed back (quiz --topic, packs): never cut it with "…"; at
        # 60 columns "tensor.keepdim-1" once showed as "tensor.kee…"
        typed_back = column in ("id", "topic")
        widest = max((len(str(row[column])) for row in rows), default=0)
        table.add_column(
            column,
            justify="right" if column == "difficulty" else "left",
            no_wrap=typed_back,
            min_width=max(widest, len(column)) if typed_back else None,
        )
    for row in rows:  # cells as Text: a file name is not markup
        table.add_row(*(Text(str(row[c])) for c in columns))
    console.print(table)
    console.print(f"{len(rows)} templates", markup=False, highlight=False)


@exercises_app.command("validate")
def validate_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="A pack file or directory to validate (default: the shipped packs)."),
    ] = None,
    seeds: int = typer.Option(25, "--seeds", min=1, max=1000, help="Instances drawn per template."),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as a JSON array."),
) -> None:
    """Check packs: unique ids, every template renders, answers are computed right.

    Example: gradtutor exercises validate my-pack.toml
    """
    from gradtutor.tutor.lessons import load_lessons
    from gradtutor.tutor.packs import PackError, check_catalogue, pack_files
    from gradtutor.tutor.validation import Problem, validate_catalogue

    err = make_console(stderr=True)
    if path is not None:
        _require_pack(path)
    only: set[str] | None = None
    problems: list[Problem] = []
    try:
        if path is not None:
            only = {str(p.resolve()) for p in pack_files(path)}
            if not only:
                problems.append(Problem(str(path), "-", "no pack files (*.toml) here"))
        checked = check_catalogue([path] if path is not None else ())
        lessons = None if path is not None else [lesson.id for lesson in load_lessons()]
    except PackError as exc:  # a shipped pack that cannot be found
        problems = [Problem(exc.file, exc.exercise_id or "-", exc.reason)]
        _report(problems, as_json, checked=0)
        raise typer.Exit(ExitCode.WRONG) from None
    except ValueError as exc:  # a lesson file that cannot be read
        problems = [Problem("lessons", "-", str(exc))]
        _report(problems, as_json, checked=0)
        raise typer.Exit(ExitCode.WRONG) from None

    # Every structural problem in every file, then the instances of the sound templates.
    problems.extend(Problem(p.file, p.exercise_id or "-", p.reason) for p in checked.problems)
    catalogue = checked.catalogue
    todo = [t for t in catalogue.templates if only is None or t.file in only]
    partial = [t for t in checked.partial if only is None or t.file in only]
    with _progress(err, len(todo) + len(partial)) as advance:
        problems += validate_catalogue(
            catalogue,
            seeds=seeds,
            only_files=only,
            lessons=lessons,
            progress=advance,
            extra=partial,
        )
    problems = _in_file_order(problems, checked)
    topics = sum(1 for t in catalogue.topics if only is None or t.file in only)
    _report(problems, as_json, checked=len(todo), topics=topics)
    if problems:
        raise typer.Exit(ExitCode.WRONG)


def _in_file_order(problems: list[Problem], checked: Checked) -> list[Problem]:
    """Every problem of one exercise together (structural, then maths), exercises in the
    order they are written; problems of no exercise (a file's, a topic's) where they fall."""
    far = (len(checked.rank) + 1, 0)

    def key(item: tuple[int, Any]) -> tuple[tuple[int, int], int]:
        index, problem = item
        tid = None if problem.exercise_id == "-" else problem.exercise_id
        return checked.rank.get((problem.file, tid), far), index

    return [problem for _, problem in sorted(enumerate(problems), key=key)]


def _require_pack(path: Path) -> None:
    """A pack path that does not exist is a usage error (exit 2), said plainly."""
    if not path.exists():
        from gradtutor.tutor.untrusted import neutralise

        raise UsageError(f"no pack file at {neutralise(str(path))}")


class _progress:
    """Progress on stderr: a bar on a terminal, a line per pack file otherwise."""

    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.total = total
        self.bar: Progress | None = None
        self.last_file: str | None = None

    def __enter__(self) -> Callable[[Template], None]:
        if self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(
                TextColumn("validating"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total)
        return self.advance

    def advance(self, template: Template) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=template.id)
        elif template.file != self.last_file:
            self.last_file = template.file
            self.console.print(f"validating {_shown_path(template.file)} …", markup=False)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _report(problems: list[Problem], as_json: bool, *, checked: int, topics: int = 0) -> None:
    if as_json:
        typer.echo(json.dumps([p.to_json() for p in problems], ensure_ascii=False, indent=2))
        return
    console = make_console()
    for problem in problems:
        shown = f"{_shown_path(problem.file)}: {problem.exercise_id}: {problem.reason}"
        console.print(
            f"[red]✗[/red] {_escape(shown)}", markup=True, highlight=False, soft_wrap=True
        )
    if problems:
        console.print(f"{len(problems)} problem(s) found", markup=False, highlight=False)
    elif checked == 0 and topics:  # a file of topics only, like the shipped topics.toml
        console.print(
            f"[green]✓[/green] {topics} topics valid (no exercises here)",
            markup=True,
            highlight=False,
        )
    else:
        console.print(f"[green]✓[/green] {checked} templates valid", markup=True, highlight=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
