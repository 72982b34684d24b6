"""Exercise packs: the TOML format, loading, and turning a template into an exercise.

A pack is a TOML file a teacher can write without Python (see exercises/README.md).
``load_catalogue`` reads the shipped packs plus any teacher packs, checks their
structure and returns a ``Catalogue`` of frozen ``Template``s; ``generate`` draws a
template's parameters for a seed and asks the calculus engine for every expected
answer, so an answer key cannot be wrong.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gradtutor.calculus.errors import ParseError
from gradtutor.errors import GradtutorError
from gradtutor.tutor import templates
from gradtutor.tutor.kinds import KINDS, MATHS_FIELDS, Built
from gradtutor.tutor.models import DEFAULT_MAX_TRIES, Exercise, Part, Template, Topic
from gradtutor.tutor.resources import exercises_dir
from gradtutor.tutor.untrusted import neutralise

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$")
TOPIC_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_PACK_KEYS = {"format_version", "pack", "version", "title", "description", "topic", "exercise"}
_TOPIC_KEYS = {"id", "title", "prerequisites", "lesson", "description"}
_EXERCISE_KEYS = {
    "id",
    "topic",
    "topics",
    "difficulty",
    "kind",
    "params",
    "where",
    "max_tries",
    "hints",
    "prompt",
    "answer",
    "retired",
    "note",
}


class PackError(GradtutorError, ValueError):
    """A pack that cannot be used: names the file, the exercise id and the reason."""

    def __init__(self, file: str | Path, exercise_id: str | None, reason: str) -> None:
        self.file = str(file)
        self.exercise_id = exercise_id
        self.reason = reason
        where = f"{self.file}: {exercise_id}" if exercise_id else self.file
        super().__init__(neutralise(f"{where}: {reason}"))


@dataclass(frozen=True)
class Catalogue:
    """Every topic and template from the loaded packs."""

    topics: tuple[Topic, ...]
    all_templates: tuple[Template, ...]
    files: tuple[str, ...] = ()

    @property
    def templates(self) -> tuple[Template, ...]:
        """Templates in use (retired ones are kept only to look up old attempts)."""
        return tuple(t for t in self.all_templates if not t.retired)

    def template(self, template_id: str) -> Template:
        """The template with this id, retired or not; KeyError if there is none."""
        for template in self.all_templates:
            if template.id == template_id:
                return template
        raise KeyError(f"no exercise template {template_id!r}")

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(f"no topic {topic_id!r}")

    def by_topic(self, topic_id: str) -> tuple[Template, ...]:
        """Templates in use for a topic, easiest first."""
        chosen = [t for t in self.templates if topic_id in t.topics]
        return tuple(sorted(chosen, key=lambda t: (t.difficulty, t.id)))


# --- loading ---------------------------------------------------------------------------


def pack_files(path: Path) -> list[Path]:
    """The pack files at ``path``: the file itself, or the ``*.toml`` files of a directory."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*.toml") if p.is_file())
    if path.is_file():
        return [path]
    raise PackError(path, None, "no such file or directory")


def load_catalogue(extra: Sequence[Path] = ()) -> Catalogue:
    """The shipped packs plus teacher packs (files or directories); raise PackError."""
    return catalogue_from_files(_files_with(extra))


def check_catalogue(extra: Sequence[Path] = ()) -> Checked:
    """Like ``load_catalogue``, but every structural problem is collected, not raised."""
    return check_files(_files_with(extra))


def _files_with(extra: Sequence[Path]) -> list[Path]:
    files = [p.resolve() for p in pack_files(exercises_dir())]
    for path in extra:
        files.extend(p for p in (q.resolve() for q in pack_files(Path(path))) if p not in files)
    return files


@dataclass(frozen=True)
class Checked:
    """What loaded, and every problem met on the way (a template with one is left out)."""

    catalogue: Catalogue
    problems: tuple[PackError, ...]
    # Templates with only structural slips (a misspelt key, a missing hint, an unknown
    # topic): never served, but their maths is still checked so every problem shows at once.
    partial: tuple[Template, ...] = ()
    # (file, exercise id) → (file number, position in the file): reading order
    rank: Mapping[tuple[str, str | None], tuple[int, int]] = field(default_factory=dict)


def catalogue_from_files(files: Sequence[Path]) -> Catalogue:
    """Load exactly these pack files and check them against each other; raise PackError."""
    checked = check_files(files)
    if checked.problems:
        raise checked.problems[0]
    return checked.catalogue


def check_files(files: Sequence[Path]) -> Checked:
    """Load these pack files, collecting every problem in every file, not just the first."""
    topics: dict[str, tuple[Topic, Path]] = {}
    found: dict[str, Template] = {}
    problems: list[PackError] = []
    rank: dict[tuple[str, str | None], tuple[int, int]] = {}
    partial: list[Template] = []
    for number, path in enumerate(files):
        pack_topics, pack_templates, pack_problems, ids, pack_partial = _read_pack(path)
        partial.extend(pack_partial)
        rank[(str(path), None)] = (number, -1)
        rank.update({(str(path), tid): (number, n) for n, tid in enumerate(ids)})
        problems.extend(pack_problems)
        for topic in pack_topics:
            if topic.id in topics:
                reason = f"topic {topic.id!r} is already defined in {topics[topic.id][1]}"
                problems.append(PackError(path, None, reason))
            else:
                topics[topic.id] = (topic, path)
        for template in pack_templates:
            if template.id in found:
                reason = f"id is already used in {found[template.id].file}"
                problems.append(PackError(path, template.id, reason))
            else:
                found[template.id] = template
    problems.extend(_reference_problems(topics, found, partial))
    # In reading order: file by file, and within a file exercise by exercise.
    problems.sort(key=lambda p: rank.get((p.file, p.exercise_id), (len(files), 0)))
    catalogue = Catalogue(
        topics=tuple(topic for topic, _ in topics.values()),
        all_templates=tuple(found.values()),
        files=tuple(str(p) for p in files),
    )
    return Checked(catalogue, tuple(problems), tuple(partial), rank)


def _reference_problems(
    topics: Mapping[str, tuple[Topic, Path]],
    found: Mapping[str, Template],
    partial: Sequence[Template] = (),
) -> list[PackError]:
    problems = [
        PackError(path, None, f"topic {topic.id!r} needs unknown topic {prerequisite!r}")
        for topic, path in topics.values()
        for prerequisite in topic.prerequisites
        if prerequisite not in topics
    ]
    problems.extend(
        PackError(path, None, f"topic {topic.id!r} is its own prerequisite")
        for topic, path in topics.values()
        if _in_a_cycle(topic.id, topics)
    )
    problems.extend(
        PackError(template.file, template.id, _unknown("topic", topic_id, topics))
        for template in [*found.values(), *partial]
        for topic_id in template.topics
        if topic_id and topic_id not in topics
    )
    return problems


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    """ "unknown topic 'power-rul'; did you mean 'power-rule'?" (when one is close)."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"unknown {what} {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")


def _in_a_cycle(start: str, topics: Mapping[str, tuple[Topic, Path]]) -> bool:
    seen: set[str] = set()
    stack = list(topics[start][0].prerequisites)
    while stack:
        current = stack.pop()
        if current == start:
            return True
        if current in seen or current not in topics:
            continue
        seen.add(current)
        stack.extend(topics[current][0].prerequisites)
    return False


class _Problems:
    """Collects the problems of one file, so a check that fails does not hide the next."""

    def __init__(self) -> None:
        self.found: list[PackError] = []

    def attempt(
        self, check: Callable[..., Any], *args: Any, fallback: Any = None, **kwargs: Any
    ) -> Any:
        """``check(*args, **kwargs)``; on a PackError, note it and give ``fallback``."""
        try:
            return check(*args, **kwargs)
        except PackError as exc:
            self.found.append(exc)
            return fallback

    def add(self, path: Path, tid: str | None, reason: str) -> None:
        self.found.append(PackError(path, tid, reason))


def read_pack(path: Path) -> tuple[list[Topic], list[Template], list[PackError]]:
    """Read one pack file: its topics, its sound templates and every problem found."""
    return _read_pack(path)[:3]


def _read_pack(
    path: Path,
) -> tuple[list[Topic], list[Template], list[PackError], list[str], list[Template]]:
    """``read_pack``, the exercise ids in the order they are written, and the templates
    whose only problems are structural slips (see ``Checked.partial``)."""
    try:
        data = read_toml(path)
    except PackError as exc:
        return [], [], [exc], [], []
    problems = _Problems()
    problems.attempt(_check_keys, path, None, data, _PACK_KEYS, "pack")
    if data.get("format_version") != FORMAT_VERSION:
        reason = f"format_version must be {FORMAT_VERSION}, not {data.get('format_version')!r}"
        return [], [], [*problems.found, PackError(path, None, reason)], [], []
    name = problems.attempt(_text, path, None, data, "pack", default=path.stem) or path.stem
    version = problems.attempt(_text, path, None, data, "version", fallback="")
    topics = [
        topic
        for raw in problems.attempt(_tables, path, data, "topic", fallback=[])
        if (topic := problems.attempt(_topic, path, raw)) is not None
    ]
    tables = problems.attempt(_tables, path, data, "exercise", fallback=[])
    loaded: list[Template] = []
    partial: list[Template] = []
    for raw in tables:
        template, sound = _template(path, name, version, raw, problems)
        if template is not None:
            (loaded if sound else partial).append(template)
    if not data.get("exercise") and not data.get("topic"):
        problems.add(path, None, "the pack is empty: it has no [[exercise]] tables")
    ids = [str(raw.get("id")) for raw in tables]
    return topics, loaded, problems.found, ids, partial


MAX_PACK_BYTES = 4_000_000  # the shipped packs together are under 100 kB
MAX_PACK_DEPTH = 16  # tables and arrays within each other; a pack needs about 4


def read_toml(path: Path) -> dict[str, Any]:
    """A pack file's TOML, read as untrusted input: bounded in size and nesting, UTF-8
    only, and every string with its terminal control characters neutralised (a prompt
    cannot retitle the window or clear the screen). Raise PackError saying what is wrong."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PACK_BYTES + 1)
    except OSError as exc:
        raise PackError(path, None, f"cannot read: {exc.strerror}") from None
    if len(raw) > MAX_PACK_BYTES:
        raise PackError(path, None, f"larger than {MAX_PACK_BYTES:,} bytes: not a pack")
    text = _decoded(path, raw)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(path, None, f"not valid TOML: {exc}") from None
    except RecursionError:
        raise PackError(path, None, _too_deep()) from None
    if _depth(data) > MAX_PACK_DEPTH:
        raise PackError(path, None, _too_deep())
    return _neutralised(data)


def _decoded(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PackError(path, None, "the file is UTF-16; save it as UTF-8 (TOML is UTF-8)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PackError(
            path,
            None,
            f"not UTF-8: byte 0x{raw[exc.start]:02x} on line {line} (save the file as UTF-8)",
        ) from None


def _too_deep() -> str:
    return f"arrays or tables are nested more than {MAX_PACK_DEPTH} deep: not a pack"


def _depth(data: object) -> int:
    """How deeply lists and tables nest in ``data`` (counted without recursion)."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_PACK_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _neutralised(data: Any) -> Any:
    if isinstance(data, str):
        return neutralise(data)
    if isinstance(data, dict):
        return {neutralise(key): _neutralised(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_neutralised(value) for value in data]
    return data


def _tables(path: Path, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    tables = data.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise PackError(path, None, f"{key!r} must be written as [[{key}]] tables")
    return tables


def _topic(path: Path, raw: Mapping[str, Any]) -> Topic:
    topic_id = raw.get("id")
    if not isinstance(topic_id, str) or not TOPIC_PATTERN.match(topic_id):
        raise PackError(path, None, f"topic id {topic_id!r} must look like 'chain-rule'")
    _check_keys(path, None, raw, _TOPIC_KEYS, f"topic {topic_id!r}")
    prerequisites = raw.get("prerequisites", [])
    if not isinstance(prerequisites, list) or not all(isinstance(p, str) for p in prerequisites):
        raise PackError(path, None, f"topic {topic_id!r}: prerequisites must be a list of ids")
    lesson = raw.get("lesson")
    if lesson is not None and not isinstance(lesson, str):
        raise PackError(path, None, f"topic {topic_id!r}: lesson must be a lesson id")
    return Topic(
        id=topic_id,
        title=_text(path, None, raw, "title"),
        prerequisites=tuple(prerequisites),
        lesson=lesson,
        description=_text(path, None, raw, "description", default=""),
        file=str(path),
    )


_ALL_KIND_FIELDS = {name for kind in KINDS.values() for name in kind.fields}


def _template(
    path: Path, pack: str, version: str, raw: Mapping[str, Any], problems: _Problems
) -> tuple[Template | None, bool]:
    """(template, sound): sound when it has no problem; a template with only structural
    slips (keys, hints, topics, id) comes back unsound, so its maths can still be checked;
    None when it cannot be built at all. Every problem is added to ``problems``."""
    before = len(problems.found)
    raw_id = raw.get("id")
    tid = str(raw_id)
    if not isinstance(raw_id, str) or not ID_PATTERN.match(raw_id):
        problems.add(path, tid, "id must be lower-case words joined by '.', like 'power.basic-1'")
    soft = len(problems.found) - before
    kind_name = problems.attempt(_text, path, tid, raw, "kind")
    kind = KINDS.get(kind_name) if kind_name is not None else None
    if kind_name is not None and kind is None:
        reason = f"unknown kind {kind_name!r}; known kinds: {', '.join(KINDS)}"
        problems.add(path, tid, reason)
    if kind is not None:
        keys_before = len(problems.found)
        problems.attempt(
            _check_keys, path, tid, raw, _EXERCISE_KEYS | kind.fields, f"a {kind_name!r} exercise"
        )
        soft += len(problems.found) - keys_before
        for name in sorted(kind.required - set(raw)):
            problems.add(path, tid, f"a {kind_name!r} exercise needs {name!r}")
    else:
        problems.attempt(
            _check_keys, path, tid, raw, _EXERCISE_KEYS | _ALL_KIND_FIELDS, "an exercise"
        )
    raw_params = raw.get("params", {})
    names = list(raw_params) if isinstance(raw_params, dict) else []
    params = _params(path, tid, raw_params, problems)
    where = problems.attempt(_where, path, tid, raw.get("where"), names)
    fields = {name: value for name, value in raw.items() if kind and name in kind.fields}
    for name, value in fields.items():
        problems.attempt(_check_field, path, tid, name, value)
    for reason in _placeholder_problems(raw, fields, names, params):
        problems.add(path, tid, reason)
    mark = len(problems.found)
    topics = problems.attempt(_topics_of, path, tid, raw)
    soft += len(problems.found) - mark
    difficulty = problems.attempt(_difficulty, path, tid, raw)
    mark = len(problems.found)
    hints = _hints(path, tid, raw, problems)
    retired = problems.attempt(_flag, path, tid, raw, "retired")
    soft += len(problems.found) - mark
    max_tries = problems.attempt(_max_tries, path, tid, raw)
    prompt = problems.attempt(_text, path, tid, raw, "prompt", default=None)
    answer = problems.attempt(_answer, path, tid, raw)
    failed = len(problems.found) - before
    if kind_name is None or kind is None or failed > soft:
        return None, False
    return Template(
        id=tid,
        topics=topics or ("",),
        difficulty=difficulty,
        kind=kind_name,
        pack=pack,
        pack_version=version,
        content_hash=content_hash(raw),
        hints=hints or (),
        retired=bool(retired),
        file=str(path),
        where=where,
        max_tries=max_tries,
        prompt=prompt,
        answer=answer,
        params=MappingProxyType(params),
        fields=MappingProxyType(fields),
    ), failed == 0


def _where(path: Path, tid: str, where: object, names: Sequence[str]) -> str | None:
    if where is None:
        return None
    if not isinstance(where, str):
        raise PackError(path, tid, 'where must be a condition in quotes, like "a != b"')
    try:
        unknown = sorted(_names_in(where) - set(names))
    except templates.TemplateError as exc:
        raise PackError(path, tid, f"where: {exc}") from None
    if unknown:
        raise PackError(path, tid, f"where uses {unknown[0]!r}, not a parameter")
    return where


_TABLE_FIELDS = {"at", "start"}
_LIST_FIELDS = {"vars", "ask", "values", "labels"}


def _check_field(path: Path, tid: str, name: str, value: object) -> None:
    """Kind fields are text (or a number); ``at``/``start`` tables; ``vars``/``ask`` lists."""

    def scalar(item: object) -> bool:
        return isinstance(item, str | int | float) and not isinstance(item, bool)

    if name in _TABLE_FIELDS:
        ok = isinstance(value, dict) and bool(value) and all(scalar(v) for v in value.values())
        shape = 'a table like { x = "{p}" }'
    elif name in _LIST_FIELDS:
        ok = isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
        shape = 'a list of texts like ["x", "y"]'
    else:
        ok = scalar(value) and str(value).strip() != ""
        shape = "text or a number"
    if not ok:
        raise PackError(path, tid, f"{name!r} must be {shape}, not {value!r}")


_NOT_HASHED = {"retired", "note"}  # retiring or annotating does not change what is asked


def content_hash(raw: Mapping[str, Any]) -> str:
    """sha256 of the template's table in a canonical form (sorted-key JSON)."""
    raw = {key: value for key, value in raw.items() if key not in _NOT_HASHED}
    canonical = json.dumps(
        raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_keys(
    path: Path, tid: str | None, raw: Mapping[str, Any], allowed: set[str], what: str
) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        import difflib

        guesses = [
            difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6) for key in unknown
        ]
        if all(guesses):
            meant = ", ".join(repr(g[0]) for g in guesses)
            raise PackError(
                path,
                tid,
                f"{what} does not use {', '.join(map(repr, unknown))}; did you mean {meant}?",
            )
        raise PackError(path, tid, f"{what} does not use {', '.join(map(repr, unknown))} (a typo?)")


def _text(path: Path, tid: str | None, raw: Mapping[str, Any], key: str, **kw: Any) -> Any:
    if key not in raw:
        if "default" in kw:
            return kw["default"]
        raise PackError(path, tid, f"missing {key!r}")
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise PackError(path, tid, f"{key!r} must be non-empty text")
    return value


def _flag(path: Path, tid: str, raw: Mapping[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise PackError(path, tid, f"{key!r} must be true or false")
    return value


def _topics_of(path: Path, tid: str, raw: Mapping[str, Any]) -> tuple[str, ...]:
    if "topic" in raw and "topics" in raw:
        raise PackError(path, tid, "give either 'topic' or 'topics', not both")
    value = raw.get("topics", raw.get("topic"))
    listed = [value] if isinstance(value, str) else value
    if not isinstance(listed, list) or not listed or not all(isinstance(t, str) for t in listed):
        raise PackError(path, tid, 'needs a topic (topic = "chain-rule") or a list of topics')
    return tuple(listed)


def _difficulty(path: Path, tid: str, raw: Mapping[str, Any]) -> int:
    value = raw.get("difficulty")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise PackError(path, tid, f"difficulty must be a whole number 1 to 5, not {value!r}")
    return value


def _max_tries(path: Path, tid: str, raw: Mapping[str, Any]) -> int:
    value = raw.get("max_tries", DEFAULT_MAX_TRIES)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10_000:
        raise PackError(path, tid, f"max_tries must be a whole number 1 to 10000, not {value!r}")
    return value


def _hints(path: Path, tid: str, raw: Mapping[str, Any], problems: _Problems) -> tuple[str, ...]:
    hints = raw.get("hints")
    if not isinstance(hints, list) or not hints:
        problems.add(path, tid, "needs hints: a list of progressively stronger hints")
        return ()
    for number, hint in enumerate(hints, 1):
        if not isinstance(hint, str) or not hint.strip():
            problems.add(path, tid, f"hint {number} is empty")
    return tuple(hints)


def _answer(path: Path, tid: str, raw: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = raw.get("answer")
    if value is None:
        return None
    listed = [value] if isinstance(value, str) else value
    if not isinstance(listed, list) or not all(isinstance(a, str) and a.strip() for a in listed):
        raise PackError(path, tid, "answer must be text, or a list of texts (one per part)")
    return tuple(listed)


def _params(
    path: Path, tid: str, raw: object, problems: _Problems
) -> dict[str, templates.ParamSpec]:
    if not isinstance(raw, dict):
        problems.add(path, tid, 'params must be a table, like params = { a = "2..9" }')
        return {}
    params: dict[str, templates.ParamSpec] = {}
    for name, spec in raw.items():
        try:
            params[name] = templates.parse_param(name, spec)
        except templates.TemplateError as exc:
            problems.add(path, tid, str(exc))
    return params


def _strings(value: Any) -> list[str]:
    """Every text inside a field (fields may be text, lists or tables of text)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def _placeholder_problems(
    raw: Mapping[str, Any],
    fields: Mapping[str, Any],
    names: Sequence[str],
    params: Mapping[str, templates.ParamSpec],
) -> list[str]:
    """Placeholders that name no parameter, and computed values that look ahead."""
    reasons = []
    known = set(names)
    for text in _strings(fields) + _strings(raw.get("answer")):
        missing = templates.placeholders(text) - known
        if missing:
            reasons.append(f"{text!r} uses {{{sorted(missing)[0]}}}, not a parameter")
    # hints and prompts may also name the rendered fields, e.g. {f} or {var}
    known |= set(fields)
    for text in _strings(raw.get("hints")) + _strings(raw.get("prompt")):
        missing = templates.placeholders(text) - known
        if missing:
            reasons.append(f"{text!r} uses {{{sorted(missing)[0]}}}, not a parameter")
    for name, spec in params.items():
        if isinstance(spec, templates.Derived):
            earlier = set(names[: names.index(name)])
            try:
                used = _names_in(spec.expression)
            except templates.TemplateError as exc:
                reasons.append(str(exc))
                continue
            if not used <= earlier:
                reasons.append(
                    f"{name} = {spec.expression!r} must use parameters defined before it"
                )
    return reasons


def _names_in(expression: str) -> set[str]:
    import ast

    tree = templates.compile_condition(expression)
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called


# --- generating --------------------------------------------------------------------------


def generate(template: Template, seed: int) -> Exercise:
    """The exercise for ``(template, seed)``: the same pair always gives the same exercise.

    Built in a worker process within 2 s (gradtutor.tutor.limited); PackError if not."""
    from gradtutor.tutor.limited import generate as in_time

    return in_time(template, seed)


def instantiate(template: Template, seed: int) -> tuple[Exercise, Built]:
    """The exercise for ``(template, seed)`` and what its kind built (for validation)."""
    rng = random.Random(f"{template.id}:{seed}")
    try:
        condition = templates.condition_for(template.where)
        drawn = templates.draw(template.params, condition, rng, max_tries=template.max_tries)
    except templates.TemplateError as exc:
        raise PackError(template.file, template.id, str(exc)) from None
    if drawn is None:
        raise PackError(
            template.file,
            template.id,
            f"no parameters met where = {template.where!r} in {template.max_tries} tries",
        )
    values = {name: templates.format_value(value) for name, value in drawn.items()}
    try:
        fields = rendered_fields(template, values)
        built = KINDS[template.kind].build(fields)
        context = {**values, **{k: v for k, v in fields.items() if isinstance(v, str)}}
        prompt = _render_text(template.prompt, context) if template.prompt else built.prompt
        hints = tuple(_render_text(hint, context) for hint in template.hints)
        parts = built.parts
        if template.answer is not None:
            given = [templates.tidy_maths(templates.render(a, values)) for a in template.answer]
            parts = _verify_given(template, parts, given)
    except PackError:
        raise
    except ParseError as exc:
        reason = _field_parse_problem(template, values) or f"seed {seed}: {exc}"
        raise PackError(template.file, template.id, reason) from None
    except (templates.TemplateError, ValueError) as exc:
        raise PackError(template.file, template.id, f"seed {seed}: {exc}") from None
    except Exception as exc:  # a teacher's pack must never crash the tutor
        reason = f"seed {seed}: cannot build the exercise ({type(exc).__name__}: {exc})"
        raise PackError(template.file, template.id, reason) from None
    exercise = Exercise(
        template_id=template.id,
        seed=seed,
        values=values,
        prompt=prompt,
        parts=parts,
        hints=hints,
        topic=template.topic,
        kind=template.kind,
        difficulty=template.difficulty,
    )
    return exercise, built


def _field_parse_problem(template: Template, values: Mapping[str, str]) -> str | None:
    """The first maths field that does not read, reported against the text as written.

    ``f = "{a}sinx"`` is reported as ``f = "{a}sinx" (with a = 3: "3sinx"): 'sinx' isn't
    a name gradtutor knows (column 4); did you mean sin(x)?`` — the column counts in the
    teacher's text, not in ``d/dx(3sinx)`` which the engine was given.
    """
    from gradtutor.calculus.parsing import parse

    for name in MATHS_FIELDS:
        written = template.fields.get(name)
        if isinstance(written, dict):
            items = [(f"{name}.{key}", value) for key, value in written.items()]
        else:
            items = [(name, written)]
        for label, text in items:
            if not isinstance(text, str):
                continue
            rendered = _render_field(text, values)
            try:
                parse(rendered)
            except ParseError as exc:
                return _describe_parse_error(label, text, rendered, values, exc)
    return None


def _describe_parse_error(
    label: str, written: str, rendered: str, values: Mapping[str, str], exc: ParseError
) -> str:
    drawn = [f"{n} = {values[n]}" for n in sorted(templates.placeholders(written)) if n in values]
    where = f'{label} = "{written}"'
    if rendered != written:
        where += (
            f' (with {", ".join(drawn)}: "{rendered}")' if drawn else f' (read as "{rendered}")'
        )
    column = ""
    if exc.column is not None:
        column = f" (column {_column_in(written, exc.text or rendered, exc.column) + 1})"
    hint = f"; {exc.hint}" if exc.hint else ""
    return f"{where}: {exc.message}{column}{hint}"


def _column_in(written: str, read: str, column: int) -> int:
    """The column in ``written`` that column ``column`` of ``read`` (its rendering) came from.

    Text the substitution kept maps one to one; a column inside a drawn value maps to
    the start of its placeholder.
    """
    import difflib

    position = 0
    matcher = difflib.SequenceMatcher(None, read, written, autojunk=False)
    for start_read, start_written, size in matcher.get_matching_blocks():
        if start_read <= column < start_read + size:
            return start_written + column - start_read
        if start_read + size <= column:
            position = start_written + size
    return min(position, len(written))


def _render_text(text: str, context: Mapping[str, str]) -> str:
    return templates.tidy_maths(templates.render(text, context))


def rendered_fields(template: Template, values: Mapping[str, str]) -> dict[str, Any]:
    """The template's kind fields (``f``, ``at``, ``lr`` …) with these values substituted."""
    return {name: _render_field(value, values) for name, value in template.fields.items()}


def _render_field(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return templates.tidy_maths(templates.render(value, values))
    if isinstance(value, int | float):
        return templates.format_value(Fraction(str(value)))  # 0.1 stays 0.1
    if isinstance(value, list):
        return [_render_field(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _render_field(item, values) for key, item in value.items()}
    return value


def _verify_given(
    template: Template, parts: tuple[Part, ...], given: list[str]
) -> tuple[Part, ...]:
    """A pack may state its answers; each must be equivalent to the computed one."""
    from gradtutor.calculus.equivalence import check
    from gradtutor.calculus.results import Verdict

    if len(given) != len(parts):
        raise PackError(
            template.file, template.id, f"gives {len(given)} answers for {len(parts)} parts"
        )
    for part, answer in zip(parts, given, strict=True):
        verdict = check(part.expected, answer).verdict
        if verdict != Verdict.EQUIVALENT:
            label = f" for {part.label}" if part.label else ""
            raise PackError(
                template.file,
                template.id,
                f"the given answer{label} {answer!r} is {verdict.replace('_', ' ')} "
                f"to the computed {part.expected!r}",
            )
    return parts
