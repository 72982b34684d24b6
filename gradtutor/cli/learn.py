"""``gradtutor learn [TOPIC]``: short lessons in the terminal."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Annotated

import typer

from gradtutor.cli.exit_codes import ExitCode
from gradtutor.render.console import make_console

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from gradtutor.tutor.lessons import Lesson

HELP = """\
Read a short lesson: neurons, activations, loss, derivative rules, the chain rule, \
gradients, gradient descent, backpropagation and more.

Without a topic, lists the lessons. A topic is a lesson id or a quiz topic id.

[b]Examples[/b]

  gradtutor learn
  gradtutor learn chain-rule
  gradtutor learn power-rule | less
"""


def register(app: typer.Typer) -> None:
    app.command("learn", help=HELP, rich_help_panel="Practice")(learn)


def learn(
    topic: Annotated[
        str | None,
        typer.Argument(metavar="[TOPIC]", help="A lesson id (see the list) or a quiz topic id."),
    ] = None,
) -> None:
    from gradtutor.tutor.lessons import LessonError, load_lessons

    console = make_console()
    try:
        lessons = load_lessons()
    except (LessonError, OSError) as exc:
        make_console(stderr=True).print(f"error: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(ExitCode.INVALID) from None
    if topic is None:
        _list(console, lessons, quiz_topics(lessons, _topic_lessons()))
        return
    lesson = resolve(topic.strip().lower(), lessons, _topic_lessons())
    if lesson is None:
        _unknown(topic, lessons)
    _show(console, lesson)


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


def _unknown(topic: str, lessons: tuple[Lesson, ...]) -> None:
    names = [lesson.id for lesson in lessons] + list(_topic_lessons())
    from gradtutor.tutor.suggest import suggestions  # also finds `sigmoid` → activations

    about = {lesson.id: f"{lesson.title} {lesson.summary}" for lesson in lessons}
    close = suggestions(topic.lower(), names, described=about)
    err = make_console(stderr=True)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    err.print(f"error: no lesson for {topic!r}.{hint}", markup=False, soft_wrap=True)
    err.print("Run `gradtutor learn` to list the lessons.", markup=False, soft_wrap=True)
    raise typer.Exit(ExitCode.INVALID)


def close_matches(name: str, names: list[str]) -> list[str]:
    """Up to three names that ``name`` may have meant: prefixes first, then look-alikes."""
    known = sorted(set(names))
    prefixed = [n for n in known if n.startswith(name) or name.startswith(n)]
    similar = difflib.get_close_matches(name, known, n=3, cutoff=0.75)
    return list(dict.fromkeys(prefixed + similar))[:3]


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
    table.add_column("lesson")
    table.add_column("title")
    table.add_column("quiz topics", style="dim")
    for lesson in lessons:
        table.add_row(lesson.id, lesson.title, ", ".join(topics.get(lesson.id, [])))
    console.print(table)
    console.print(
        "Read one with: gradtutor learn LESSON (or a quiz topic id)",
        markup=False,
        highlight=False,
    )


def _show(console: Console, lesson: Lesson) -> None:
    if not console.is_terminal:
        # Piped or redirected: the Markdown itself is the plain text.
        console.file.write(f"# {lesson.title}\n\n{lesson.markdown}")
        return
    from rich.markdown import Markdown

    console.print(Markdown(f"# {lesson.title}\n\n{lesson.markdown}", code_theme="ansi_dark"))
