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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gradtutor.tutor import templates
from gradtutor.tutor.kinds import KINDS, Built
from gradtutor.tutor.resources import exercises_dir

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$")
TOPIC_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_MAX_TRIES = 100

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


class PackError(ValueError):
    """A pack that cannot be used: names the file, the exercise id and the reason."""

    def __init__(self, file: str | Path, exercise_id: str | None, reason: str) -> None:
        self.file = str(file)
        self.exercise_id = exercise_id
        self.reason = reason
        where = f"{self.file}: {exercise_id}" if exercise_id else self.file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Topic:
    """A quiz topic; ``prerequisites`` are topic ids learnt before this one."""

    id: str
    title: str
    prerequisites: tuple[str, ...] = ()
    lesson: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Template:
    """One exercise template from a pack, as written (parameters not yet drawn)."""

    id: str
    topics: tuple[str, ...]
    difficulty: int
    kind: str
    pack: str
    pack_version: str
    content_hash: str
    hints: tuple[str, ...]
    retired: bool = False
    file: str = ""
    where: str | None = None
    max_tries: int = DEFAULT_MAX_TRIES
    prompt: str | None = None
    answer: tuple[str, ...] | None = None
    params: Mapping[str, templates.ParamSpec] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    fields: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def topic(self) -> str:
        """The main topic (the first listed)."""
        return self.topics[0]


@dataclass(frozen=True)
class Part:
    """One answer the learner gives; ``expected`` is computed by the engine."""

    label: str
    expected: str
    task: str | None = None


@dataclass(frozen=True)
class Exercise:
    """A template with its parameters drawn for one seed: what the learner is asked."""

    template_id: str
    seed: int
    values: dict[str, str]
    prompt: str
    parts: tuple[Part, ...]
    hints: tuple[str, ...]
    topic: str
    kind: str
    difficulty: int

    def to_json(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "seed": self.seed,
            "values": dict(self.values),
            "prompt": self.prompt,
            "parts": [
                {"label": p.label, "expected": p.expected, "task": p.task} for p in self.parts
            ],
            "hints": list(self.hints),
            "topic": self.topic,
            "kind": self.kind,
            "difficulty": self.difficulty,
        }


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
    files = [p.resolve() for p in pack_files(exercises_dir())]
    for path in extra:
        files.extend(p for p in (q.resolve() for q in pack_files(Path(path))) if p not in files)
    return catalogue_from_files(files)


def catalogue_from_files(files: Sequence[Path]) -> Catalogue:
    """Load exactly these pack files and check them against each other."""
    topics: dict[str, tuple[Topic, Path]] = {}
    found: dict[str, Template] = {}
    for path in files:
        pack_topics, pack_templates = load_pack(path)
        for topic in pack_topics:
            if topic.id in topics:
                raise PackError(
                    path, None, f"topic {topic.id!r} is already defined in {topics[topic.id][1]}"
                )
            topics[topic.id] = (topic, path)
        for template in pack_templates:
            if template.id in found:
                raise PackError(
                    path, template.id, f"id is already used in {found[template.id].file}"
                )
            found[template.id] = template
    _check_references(topics, found)
    return Catalogue(
        topics=tuple(topic for topic, _ in topics.values()),
        all_templates=tuple(found.values()),
        files=tuple(str(p) for p in files),
    )


def _check_references(
    topics: Mapping[str, tuple[Topic, Path]], found: Mapping[str, Template]
) -> None:
    for topic, path in topics.values():
        for prerequisite in topic.prerequisites:
            if prerequisite not in topics:
                raise PackError(
                    path, None, f"topic {topic.id!r} needs unknown topic {prerequisite!r}"
                )
    for topic, path in topics.values():
        _check_acyclic(topic.id, topics, path)
    for template in found.values():
        for topic_id in template.topics:
            if topic_id not in topics:
                raise PackError(template.file, template.id, f"unknown topic {topic_id!r}")


def _check_acyclic(start: str, topics: Mapping[str, tuple[Topic, Path]], path: Path) -> None:
    seen: set[str] = set()
    stack = list(topics[start][0].prerequisites)
    while stack:
        current = stack.pop()
        if current == start:
            raise PackError(path, None, f"topic {start!r} is its own prerequisite")
        if current in seen or current not in topics:
            continue
        seen.add(current)
        stack.extend(topics[current][0].prerequisites)


def load_pack(path: Path) -> tuple[list[Topic], list[Template]]:
    """Read and check one pack file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(path, None, f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise PackError(path, None, f"cannot read: {exc.strerror}") from None
    _check_keys(path, None, data, _PACK_KEYS, "pack")
    if data.get("format_version") != FORMAT_VERSION:
        raise PackError(
            path,
            None,
            f"format_version must be {FORMAT_VERSION}, not {data.get('format_version')!r}",
        )
    name = _text(path, None, data, "pack", default=path.stem)
    version = _text(path, None, data, "version")
    topics = [_topic(path, raw) for raw in _tables(path, data, "topic")]
    loaded = [_template(path, name, version, raw) for raw in _tables(path, data, "exercise")]
    return topics, loaded


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
    )


def _template(path: Path, pack: str, version: str, raw: Mapping[str, Any]) -> Template:
    template_id = raw.get("id")
    if not isinstance(template_id, str) or not ID_PATTERN.match(template_id):
        raise PackError(
            path,
            str(template_id),
            "id must be lower-case words joined by '.', like 'power.basic-1'",
        )
    kind_name = _text(path, template_id, raw, "kind")
    kind = KINDS.get(kind_name)
    if kind is None:
        raise PackError(
            path, template_id, f"unknown kind {kind_name!r}; known kinds: {', '.join(KINDS)}"
        )
    _check_keys(path, template_id, raw, _EXERCISE_KEYS | kind.fields, f"a {kind_name!r} exercise")
    for name in kind.required:
        if name not in raw:
            raise PackError(path, template_id, f"a {kind_name!r} exercise needs {name!r}")
    params = _params(path, template_id, raw.get("params", {}))
    where = _where(path, template_id, raw.get("where"), params)
    fields = {name: raw[name] for name in kind.fields if name in raw}
    for name, value in fields.items():
        _check_field(path, template_id, name, value)
    _check_placeholders(path, template_id, raw, fields, params)
    return Template(
        id=template_id,
        topics=_topics_of(path, template_id, raw),
        difficulty=_difficulty(path, template_id, raw),
        kind=kind_name,
        pack=pack,
        pack_version=version,
        content_hash=content_hash(raw),
        hints=_hints(path, template_id, raw),
        retired=_flag(path, template_id, raw, "retired"),
        file=str(path),
        where=where,
        max_tries=_max_tries(path, template_id, raw),
        prompt=_text(path, template_id, raw, "prompt", default=None),
        answer=_answer(path, template_id, raw),
        params=MappingProxyType(params),
        fields=MappingProxyType(fields),
    )


def _where(
    path: Path, tid: str, where: object, params: Mapping[str, templates.ParamSpec]
) -> str | None:
    if where is None:
        return None
    if not isinstance(where, str):
        raise PackError(path, tid, 'where must be a condition in quotes, like "a != b"')
    try:
        unknown = sorted(_names_in(where) - set(params))
    except templates.TemplateError as exc:
        raise PackError(path, tid, f"where: {exc}") from None
    if unknown:
        raise PackError(path, tid, f"where uses {unknown[0]!r}, not a parameter")
    return where


_TABLE_FIELDS = {"at", "start"}
_LIST_FIELDS = {"vars", "ask"}


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


def _hints(path: Path, tid: str, raw: Mapping[str, Any]) -> tuple[str, ...]:
    hints = raw.get("hints")
    if not isinstance(hints, list) or not hints:
        raise PackError(path, tid, "needs hints: a list of progressively stronger hints")
    for number, hint in enumerate(hints, 1):
        if not isinstance(hint, str) or not hint.strip():
            raise PackError(path, tid, f"hint {number} is empty")
    return tuple(hints)


def _answer(path: Path, tid: str, raw: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = raw.get("answer")
    if value is None:
        return None
    listed = [value] if isinstance(value, str) else value
    if not isinstance(listed, list) or not all(isinstance(a, str) and a.strip() for a in listed):
        raise PackError(path, tid, "answer must be text, or a list of texts (one per part)")
    return tuple(listed)


def _params(path: Path, tid: str, raw: object) -> dict[str, templates.ParamSpec]:
    if not isinstance(raw, dict):
        raise PackError(path, tid, 'params must be a table, like params = { a = "2..9" }')
    params: dict[str, templates.ParamSpec] = {}
    for name, spec in raw.items():
        try:
            params[name] = templates.parse_param(name, spec)
        except templates.TemplateError as exc:
            raise PackError(path, tid, str(exc)) from None
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


def _check_placeholders(
    path: Path,
    tid: str,
    raw: Mapping[str, Any],
    fields: Mapping[str, Any],
    params: Mapping[str, templates.ParamSpec],
) -> None:
    known = set(params)
    texts = _strings(fields) + _strings(raw.get("answer"))
    for text in texts:
        missing = templates.placeholders(text) - known
        if missing:
            raise PackError(path, tid, f"{text!r} uses {{{sorted(missing)[0]}}}, not a parameter")
    # hints and prompts may also name the rendered fields, e.g. {f} or {var}
    known |= set(fields)
    for text in _strings(raw.get("hints")) + _strings(raw.get("prompt")):
        missing = templates.placeholders(text) - known
        if missing:
            raise PackError(path, tid, f"{text!r} uses {{{sorted(missing)[0]}}}, not a parameter")
    for name, spec in params.items():
        if isinstance(spec, templates.Derived):
            earlier = set(list(params)[: list(params).index(name)])
            try:
                names = _names_in(spec.expression)
            except templates.TemplateError as exc:
                raise PackError(path, tid, str(exc)) from None
            if not names <= earlier:
                raise PackError(
                    path, tid, f"{name} = {spec.expression!r} must use parameters defined before it"
                )


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
    """The exercise for ``(template, seed)``: the same pair always gives the same exercise."""
    return instantiate(template, seed)[0]


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

    if len(given) != len(parts):
        raise PackError(
            template.file, template.id, f"gives {len(given)} answers for {len(parts)} parts"
        )
    for part, answer in zip(parts, given, strict=True):
        verdict = check(part.expected, answer).verdict
        if verdict != "equivalent":
            label = f" for {part.label}" if part.label else ""
            raise PackError(
                template.file,
                template.id,
                f"the given answer{label} {answer!r} is {verdict.replace('_', ' ')} "
                f"to the computed {part.expected!r}",
            )
    return parts
