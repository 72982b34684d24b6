"""The quiz's data: topics, templates as written, and exercises with their answer parts.

Plain frozen dataclasses, apart from the code that loads packs (:mod:`packs`) and the
kinds that build parts (:mod:`kinds`), so both import these without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gradtutor.tutor import templates

DEFAULT_MAX_TRIES = 100


@dataclass(frozen=True)
class Topic:
    """A quiz topic; ``prerequisites`` are topic ids learnt before this one."""

    id: str
    title: str
    prerequisites: tuple[str, ...] = ()
    lesson: str | None = None
    description: str = ""
    file: str = field(default="", compare=False)


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
    # a worked solution given as text (backprop: the forward and backward tables)
    worked: str | None = field(default=None, compare=False)
    # buggy twins' answers as (expected text, misconception id, message), for backprop kinds
    twins: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)


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
