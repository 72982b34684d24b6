"""``gradtutor learn [TOPIC]``: short lessons in the terminal."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Annotated, ClassVar, NoReturn

import typer

from gradtutor.cli.completion import complete_topic
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.cli.pager import page, terminal_keys
from gradtutor.errors import UsageError
from gradtutor.render.console import make_console

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.markdown import Markdown

    from gradtutor.tutor.lessons import Lesson

HELP = """\
Read a short lesson: neurons, activations, loss, derivative rules, the chain rule, \
gradients, gradient descent, backpropagation and more.

Without a topic, lists the lessons. A topic is a lesson id or a quiz topic id. \
On a terminal a long lesson is shown a screen at a time (Space: more, b: back, \
q: quit); piped, it is plain text. Each lesson ends with links to the lessons \
before and after it.

[b]Examples[/b]

  gradtutor learn
  gradtutor learn chain-rule
  gradtutor learn --next              [dim]# the lesson after the one read last[/dim]
  gradtutor learn --search sigmoid    [dim]# which lessons mention it[/dim]
  gradtutor learn power-rule > rules.txt
"""


def register(app: typer.Typer) -> None:
    app.command("learn", help=HELP, rich_help_panel="Practice")(learn)


def learn(
    topic: Annotated[
        str | None,
        typer.Argument(
            metavar="[TOPIC]",
            help="A lesson id (see the list) or a quiz topic id.",
            autocompletion=complete_topic,
            show_default=False,
        ),
    ] = None,
    next_: Annotated[
        bool,
        typer.Option(
            "--next",
            help="The lesson after TOPIC, or after the one you read last (the first if none).",
        ),
    ] = False,
    search_word: Annotated[
        str | None,
        typer.Option(
            "--search", metavar="WORD", help="List the lessons that mention WORD, with the lines."
        ),
    ] = None,
    pager: Annotated[
        bool,
        typer.Option("--pager/--no-pager", help="Page a long lesson on a terminal."),
    ] = True,
) -> None:
    from gradtutor.tutor.lessons import LessonError, load_lessons

    console = make_console()
    try:
        lessons = load_lessons()  # a lesson that can't be read: its LessonError
    except OSError as exc:
        raise LessonError(exc.filename or "lessons", exc.strerror or str(exc)) from None
    if search_word is not None:
        if topic is not None or next_:
            raise UsageError("--search takes a word, not a topic or --next")
        raise typer.Exit(_search(console, lessons, search_word))
    if topic is None and not next_:
        _list(console, lessons, quiz_topics(lessons, _topic_lessons()))
        return
    lesson = _chosen(topic, next_, lessons)
    _show(console, lesson, lessons, page_it=pager)
    _remember(lesson.id)


def _chosen(topic: str | None, next_: bool, lessons: tuple[Lesson, ...]) -> Lesson:
    from gradtutor.tutor.lessons import last_read, next_lesson
    from gradtutor.tutor.store import default_home

    current: Lesson | None = None
    if topic is not None:
        current = resolve(topic.strip().lower(), lessons, _topic_lessons())
        if current is None:
            _unknown(topic, lessons)
    if not next_:
        assert current is not None
        return current
    after = current.id if current is not None else last_read(default_home())
    chosen = next_lesson(lessons, after)
    if chosen is None:
        make_console(stderr=True).print(
            f"{after} is the last lesson. `gradtutor learn` lists them all; "
            "`gradtutor quiz` practises what they teach.",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(ExitCode.OK)
    return chosen


def _remember(lesson_id: str) -> None:
    """Note the lesson for ``--next``; reading works even where nothing can be written."""
    from gradtutor.tutor.lessons import remember_read
    from gradtutor.tutor.store import default_home

    remember_read(default_home(), lesson_id)


def _topic_lessons() -> dict[str, str]:
    """Quiz topic id → lesson id, from the packs (empty if they cannot be read)."""
    from gradtutor.tutor.packs import PackError, load_catalogue

    try:
        catalogue = load_catalogue()
    except PackError:
        return {}
    return {t.id: t.lesson for t in catalogue.topics if t.lesson is not None}


def resolve(name: str, lessons: tuple[Lesson, ...], topic_lessons: dict[str, str]) -> Lesson | None:
    """The lesson named by a lesson id, a quiz topic id or a lesson's exact title."""
    by_id = {lesson.id: lesson for lesson in lessons}
    if name in by_id:
        return by_id[name]
    if name in topic_lessons and topic_lessons[name] in by_id:
        return by_id[topic_lessons[name]]
    for lesson in lessons:
        if lesson.title.lower() == name or lesson.topic == name:
            return lesson
    return None


def _unknown(topic: str, lessons: tuple[Lesson, ...]) -> NoReturn:
    from gradtutor.tutor.lessons import suggest
    from gradtutor.tutor.suggest import did_you_mean, suggestions

    names = [lesson.id for lesson in lessons] + list(_topic_lessons())
    close = suggestions(topic.lower(), names)  # a misspelt id first, then what the lessons teach
    if close:
        hint = f"{did_you_mean(close)} Run `gradtutor learn` to list the lessons"
    elif about := suggest(lessons, topic):  # a word the lessons teach: sigmoid → activations
        hint = f"lessons about it: {', '.join(about)}. Run `gradtutor learn` to list the lessons"
    else:
        hint = "run `gradtutor learn` to list the lessons"
    raise UsageError(f"no lesson for {topic!r}", hint=hint)


def quiz_topics(lessons: tuple[Lesson, ...], topic_lessons: dict[str, str]) -> dict[str, list[str]]:
    """Lesson id → the quiz topic ids it teaches (its own first, then the packs' order)."""
    topics: dict[str, list[str]] = {lesson.id: [] for lesson in lessons}
    for lesson in lessons:
        if lesson.topic is not None:
            topics[lesson.id].append(lesson.topic)
    for topic, lesson_id in topic_lessons.items():
        if lesson_id in topics and topic not in topics[lesson_id]:
            topics[lesson_id].append(topic)
    return topics


def _list(console: Console, lessons: tuple[Lesson, ...], topics: dict[str, list[str]]) -> None:
    if not console.is_terminal:
        for lesson in lessons:
            quiz = ", ".join(topics.get(lesson.id, []))
            shown = f"  (quiz: {quiz})" if quiz else ""
            console.file.write(f"{lesson.id:22} {lesson.title}{shown}\n")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold", title="Lessons")
    # Ids are typed back (`gradtutor learn ID`, `quiz --topic ID`): never cut one with "…"
    # on a narrow terminal. Both id columns keep their width; the title wraps instead.
    import textwrap

    ids = [lesson.id for lesson in lessons]
    cells = {lesson.id: topics.get(lesson.id, []) for lesson in lessons}
    longest_topic = max((len(t) for listed in cells.values() for t in listed), default=0)
    longest_list = max((len(", ".join(listed)) for listed in cells.values()), default=0)
    id_width = max(map(len, ids), default=0)
    topics_width = max(longest_topic, min(longest_list, console.width - id_width - 4 - 24))
    table.add_column("lesson", no_wrap=True, min_width=id_width)
    table.add_column("title")
    table.add_column("quiz topics", style="dim", no_wrap=True)
    for lesson in lessons:
        listed = ", ".join(cells[lesson.id])
        wrapped = textwrap.wrap(
            listed, topics_width, break_long_words=False, break_on_hyphens=False
        )
        table.add_row(lesson.id, lesson.title, "\n".join(wrapped))
    console.print(table)
    console.print(
        "Read one with: gradtutor learn LESSON (or a quiz topic id)",
        markup=False,
        highlight=False,
    )


def _search(console: Console, lessons: tuple[Lesson, ...], word: str) -> int:
    """Print the lessons that mention ``word``; the exit status (1 when none does)."""
    from gradtutor.tutor.lessons import search

    if not word.strip():
        raise UsageError("--search needs a word, e.g. --search sigmoid")
    hits = search(lessons, word)
    if not hits:
        make_console(stderr=True).print(
            f"no lesson mentions {word.strip()!r}. Run `gradtutor learn` to list the lessons.",
            markup=False,
            soft_wrap=True,
        )
        return int(ExitCode.WRONG)
    out = []
    for hit in hits:
        times = "once" if hit.count == 1 else f"{hit.count} times"
        out.append(f"{hit.lesson_id:22} {hit.title}  ({times})")
        out.extend(f"    {_inline_plain(text)}" for _, text in hit.lines[:MATCHED_LINES])
        if len(hit.lines) > MATCHED_LINES:
            out.append(f"    … and {len(hit.lines) - MATCHED_LINES} more line(s)")
    out.append("Read one with: gradtutor learn LESSON")
    console.print("\n".join(out), markup=False, highlight=False, soft_wrap=True)
    return int(ExitCode.OK)


MATCHED_LINES = 3
_MARKS = re.compile(r"\*\*|`|^#+\s*|^\|\s*|\s*\|$")


def _inline_plain(line: str) -> str:
    """A Markdown line without its marks: **bold**, `code`, a heading's #, a table's |."""
    return re.sub(r"\s*\|\s*", " | ", _MARKS.sub("", line)).strip()


def links(lessons: tuple[Lesson, ...], lesson: Lesson) -> str:
    """The line under a lesson: the commands for the lessons before and after it."""
    from gradtutor.tutor.lessons import neighbours

    before, after = neighbours(lessons, lesson.id)
    parts = []
    if before is not None:
        parts.append(f"← previous: gradtutor learn {before.id}")
    if after is not None:
        parts.append(f"next: gradtutor learn {after.id} →")
    else:
        parts.append("the last lesson: gradtutor quiz practises them all")
    return "   ".join(parts)


def render_plain(lesson: Lesson, width: int) -> str:
    """The lesson as plain text: no Markdown marks, headings underlined, tables drawn."""
    import io

    from rich.console import Console

    sink = io.StringIO()
    plain = Console(
        file=sink,
        width=width,
        no_color=True,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
    )
    plain.print(plain_markdown(f"# {lesson.title}\n\n{lesson.markdown}"))
    lines = [line.rstrip() for line in sink.getvalue().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):  # one blank line between blocks, none at the top
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def _show(console: Console, lesson: Lesson, lessons: tuple[Lesson, ...], *, page_it: bool) -> None:
    footer = links(lessons, lesson)
    if not console.is_terminal:
        # Piped or redirected: plain text a person can read, and grep
        console.file.write(render_plain(lesson, console.width) + "\n" + footer + "\n")
        return
    from rich.markdown import Markdown
    from rich.text import Text

    with console.capture() as captured:
        console.print(Markdown(f"# {lesson.title}\n\n{lesson.markdown}", code_theme="ansi_dark"))
        console.print()
        console.print(Text(footer, style="dim"))
    text = captured.get()
    lines = text.splitlines()
    height = console.size.height
    read_key = terminal_keys() if page_it and not console.is_dumb_terminal else None
    if read_key is None or len(lines) <= height - 1:
        console.file.write(text)
        console.file.flush()
        return
    page(lines, out=console.file, height=height, read_key=read_key, plain=_no_colour(console))


def _no_colour(console: Console) -> bool:
    return console.no_color or console.color_system is None


@functools.cache
def _plain_markdown_class() -> type[Markdown]:
    """rich's Markdown with headings for plain text (imported late: --help stays fast)."""
    from rich.markdown import Heading, Markdown
    from rich.text import Text

    class PlainHeading(Heading):
        """A heading on its own line, underlined with = (the title) or - (a section)."""

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            text = self.text.copy()
            text.justify = "left"
            yield text
            yield Text(("=" if self.tag == "h1" else "-") * text.cell_len)

    class PlainMarkdown(Markdown):
        elements: ClassVar = {**Markdown.elements, "heading_open": PlainHeading}

    return PlainMarkdown


def plain_markdown(markdown: str) -> Markdown:
    return _plain_markdown_class()(markdown)
