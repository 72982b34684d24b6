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

from gradtutor.errors import GradtutorError
from gradtutor.tutor.resources import lessons_dir

_FENCE = "+++"
_KEYS = {"title", "order", "topic", "descend_demo", "try", "summary"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class LessonError(GradtutorError, ValueError):
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


# --- finding lessons: neighbours, search, suggestions -----------------------------------

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


@dataclass(frozen=True)
class SearchHit:
    """A lesson that mentions the searched word: where, and how often."""

    lesson_id: str
    title: str
    in_title: bool
    count: int
    lines: tuple[tuple[int, str], ...]  # (1-based line of the lesson text, the line)

    def to_json(self) -> dict[str, object]:
        return {
            "lesson": self.lesson_id,
            "title": self.title,
            "in_title": self.in_title,
            "count": self.count,
            "lines": [{"line": n, "text": text} for n, text in self.lines],
        }


def neighbours(lessons: Sequence[Lesson], lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
    """The lessons just before and just after ``lesson_id`` in teaching order."""
    ids = [lesson.id for lesson in lessons]
    index = ids.index(lesson_id)
    before = lessons[index - 1] if index > 0 else None
    after = lessons[index + 1] if index + 1 < len(lessons) else None
    return before, after


def search(lessons: Sequence[Lesson], word: str) -> tuple[SearchHit, ...]:
    """Lessons whose title or text mention ``word`` (case-insensitive, any part of a word),
    title matches first, then the most mentions; teaching order breaks ties."""
    needle = word.strip().lower()
    if not needle:
        return ()
    hits = []
    for order, lesson in enumerate(lessons):
        lines = tuple(
            (number, line.strip())
            for number, line in enumerate(lesson.markdown.splitlines(), start=1)
            if needle in line.lower()
        )
        in_title = needle in lesson.title.lower()
        count = lesson.markdown.lower().count(needle) + lesson.title.lower().count(needle)
        if count:
            hits.append(
                (
                    not in_title,
                    -count,
                    order,
                    SearchHit(lesson.id, lesson.title, in_title, count, lines),
                )
            )
    return tuple(hit for *_, hit in sorted(hits, key=lambda h: h[:3]))


def suggest(lessons: Sequence[Lesson], word: str, limit: int = 3) -> tuple[str, ...]:
    """Lesson ids for a word that names no lesson (``sigmoid`` → ``activations``): the
    lessons that mention it as a whole word in their title or most often in their text."""
    needle = word.strip().lower()
    ranked = []
    for order, lesson in enumerate(lessons):
        title_words = _WORD.findall(lesson.title.lower())
        text_words = _WORD.findall(lesson.markdown.lower())
        count = text_words.count(needle)
        if needle in title_words or count:
            ranked.append((needle not in title_words, -count, order, lesson.id))
    return tuple(lesson_id for *_, lesson_id in sorted(ranked)[:limit])


# --- where the learner stopped reading ----------------------------------------------------

LAST_READ = "last_lesson"


def last_read(home: Path) -> str | None:
    """The id of the lesson read last (None if none was, or the note cannot be read)."""
    try:
        text = (home / LAST_READ).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if _ID.match(text) else None


def remember_read(home: Path, lesson_id: str) -> bool:
    """Note ``lesson_id`` as read last, for ``learn --next``; False if it cannot be written."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        (home / LAST_READ).write_text(lesson_id + "\n", encoding="utf-8")
    except OSError:
        return False
    return True


def next_lesson(lessons: Sequence[Lesson], after: str | None) -> Lesson | None:
    """The lesson to read after ``after`` (the first one if None or unknown); None at the end."""
    ids = [lesson.id for lesson in lessons]
    if after is None or after not in ids:
        return lessons[0] if lessons else None
    return neighbours(lessons, after)[1]
