"""Short lessons: Markdown files in ``exercises/lessons/`` with a TOML header.

A lesson file starts with a ``+++``-fenced TOML block (title, order, the quiz topic
it leads to, a ``gradtutor descend`` demo where one fits) followed by Markdown. The
loader appends a "Try it" section built from that header, so every lesson ends
with something to do.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gradtutor.tutor.resources import lessons_dir

_FENCE = "+++"
_KEYS = {"title", "order", "topic", "descend_demo", "try", "summary"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class LessonError(ValueError):
    """A lesson file that cannot be read: names the file and the reason."""

    def __init__(self, file: str | Path, reason: str) -> None:
        self.file = str(file)
        self.reason = reason
        super().__init__(f"{self.file}: {reason}")


@dataclass(frozen=True)
class Lesson:
    """One lesson; ``markdown`` already ends with its "Try it" section."""

    id: str
    title: str
    topic: str | None
    markdown: str
    descend_demo: str | None = None
    order: int = 0
    summary: str = ""
    file: str = ""


def load_lessons(directory: Path | None = None) -> tuple[Lesson, ...]:
    """Every lesson in ``directory`` (default: the shipped ones), in teaching order."""
    folder = directory if directory is not None else lessons_dir()
    lessons = [load_lesson(path) for path in sorted(folder.glob("*.md"))]
    return tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.id)))


def load_lesson(path: Path) -> Lesson:
    """Read one lesson file; raise LessonError with the reason."""
    text = path.read_text(encoding="utf-8")
    header, body = _split(path, text)
    unknown = sorted(set(header) - _KEYS)
    if unknown:
        raise LessonError(path, f"unknown header key(s): {', '.join(unknown)}")
    lesson_id = path.stem
    if not _ID.match(lesson_id):
        raise LessonError(path, f"file name {path.name!r} must be lower-case words joined by '-'")
    title = header.get("title")
    if not isinstance(title, str) or not title.strip():
        raise LessonError(path, "the header needs a title")
    topic = _optional_text(path, header, "topic")
    demo = _optional_text(path, header, "descend_demo")
    if demo is not None and not demo.startswith("gradtutor descend "):
        raise LessonError(path, "descend_demo must be a 'gradtutor descend ...' command")
    extra = header.get("try", [])
    if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
        raise LessonError(path, "try must be a list of commands")
    order = header.get("order", 0)
    if isinstance(order, bool) or not isinstance(order, int):
        raise LessonError(path, "order must be a whole number")
    if not body.strip():
        raise LessonError(path, "the lesson has no text")
    markdown = body.strip() + "\n\n" + try_it(topic, demo, extra)
    return Lesson(
        id=lesson_id,
        title=title,
        topic=topic,
        markdown=markdown,
        descend_demo=demo,
        order=order,
        summary=_optional_text(path, header, "summary") or "",
        file=str(path),
    )


def try_it(topic: str | None, demo: str | None, extra: Sequence[str] = ()) -> str:
    """The closing section: the quiz for the lesson's topic, a descend demo, more."""
    commands = []
    if topic is not None:
        commands.append(f"gradtutor quiz --topic {topic}")
    if demo is not None:
        commands.append(demo)
    commands.extend(extra)
    lines = "\n".join(f"    {command}" for command in commands)
    return f"## Try it\n\n{lines}\n"


def _split(path: Path, text: str) -> tuple[dict[str, object], str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        raise LessonError(path, f"must start with a {_FENCE} header")
    for index in range(1, len(lines)):
        if lines[index].strip() == _FENCE:
            try:
                header = tomllib.loads("".join(lines[1:index]))
            except tomllib.TOMLDecodeError as exc:
                raise LessonError(path, f"header is not valid TOML: {exc}") from None
            return header, "".join(lines[index + 1 :])
    raise LessonError(path, f"the {_FENCE} header is not closed")


def _optional_text(path: Path, header: dict[str, object], key: str) -> str | None:
    value = header.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LessonError(path, f"{key} must be non-empty text")
    return value
