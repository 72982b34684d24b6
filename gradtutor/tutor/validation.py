"""Checking a catalogue the way a careful teacher would, before a learner sees it.

For each template: it renders for many seeds within its retries; no instance is
undefined or trivial; instances vary; hints are non-empty; a deliberately wrong
answer is marked wrong and the computed (or given) answer is marked right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gradtutor.tutor.packs import Catalogue, Exercise, PackError, Template

DEFAULT_SEEDS = 25
_UNDEFINED = ("zoo", "nan", "oo", "Derivative", "Subs", "I")


@dataclass(frozen=True)
class Problem:
    """One reason a template is not fit to ask: where, which, why."""

    file: str
    exercise_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.exercise_id}: {self.reason}"

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "id": self.exercise_id, "reason": self.reason}


def validate_catalogue(
    catalogue: Catalogue,
    *,
    seeds: int = DEFAULT_SEEDS,
    only_files: Iterable[str] | None = None,
    lessons: Iterable[str] | None = None,
    progress: Callable[[Template], None] | None = None,
) -> list[Problem]:
    """Every problem found in the catalogue's templates (retired ones are skipped)."""
    chosen = set(only_files) if only_files is not None else None
    problems: list[Problem] = []
    if lessons is not None:
        problems.extend(_missing_lessons(catalogue, set(lessons)))
    for template in catalogue.templates:
        if chosen is not None and template.file not in chosen:
            continue
        if progress is not None:
            progress(template)
        from gradtutor.tutor.limited import validate_template as in_time  # a worker, 30 s

        problems.extend(
            Problem(template.file, template.id, reason) for reason in in_time(template, seeds=seeds)
        )
    return problems


def _missing_lessons(catalogue: Catalogue, lessons: set[str]) -> list[Problem]:
    return [
        Problem("topics", topic.id, f"lesson {topic.lesson!r} does not exist")
        for topic in catalogue.topics
        if topic.lesson is not None and topic.lesson not in lessons
    ]


def validate_template(template: Template, *, seeds: int = DEFAULT_SEEDS) -> list[str]:
    """The reasons this template is unfit (an empty list when it is fine)."""
    reasons = [f"hint {n} is empty" for n, h in enumerate(template.hints, 1) if not h.strip()]
    if not template.params:
        reasons.append("has no random parameters, so every instance is the same")
    prompts: set[str] = set()
    from gradtutor.tutor.limited import instantiate_in_time

    for seed in range(seeds):
        try:
            exercise, built = instantiate_in_time(template, seed)  # 2 s, as a check has
        except PackError as exc:
            return [*reasons, exc.reason]
        problem = _instance_problem(exercise, built.trivial)
        if problem is not None:
            return [*reasons, f"seed {seed}: {problem} ({exercise.prompt})"]
        prompts.add(exercise.prompt)
        if seed < 3:  # the slow part: equivalence checks
            reasons.extend(f"seed {seed}: {r}" for r in _answer_problems(exercise))
            if reasons:
                return reasons
    if seeds >= 4 and len(prompts) < 2:
        reasons.append(f"all {seeds} instances are the same: {next(iter(prompts))}")
    return reasons


def _instance_problem(exercise: Exercise, trivial: str | None) -> str | None:
    if trivial is not None:
        return trivial
    for part in exercise.parts:
        tokens = set(_words(part.expected))
        bad = tokens & set(_UNDEFINED)
        if bad:
            name = f"{part.label} " if part.label else ""
            return f"the answer {name}is undefined: {part.expected}"
    # A descent step's parts are points, not derivatives: 0 is a fine next point.
    asked = [p for p in exercise.parts if p.task is not None and exercise.kind != "descent-step"]
    if asked and all(p.expected == "0" for p in asked):
        return "every derivative asked for is 0"
    return None


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"[A-Za-z_]+", text)


def _answer_problems(exercise: Exercise) -> list[str]:
    """The computed answer must check as right and a deliberately wrong one as wrong."""
    problems = []
    for part in exercise.parts:
        name = f"{part.label}: " if part.label else ""
        right = _verdict(part.expected, part.expected)
        if right != "equivalent":
            problems.append(f"{name}the expected answer {part.expected!r} checks as {right}")
        wrong, verdict = "", ""
        for wrong in (f"({part.expected}) + 1", f"({part.expected}) + 2"):
            verdict = _verdict(part.expected, wrong)
            if not verdict.startswith("error"):
                break
        if verdict != "not_equivalent":
            problems.append(f"{name}a wrong answer {wrong!r} checks as {verdict}")
    return problems


def _verdict(expected: str, answer: str) -> str:
    """The checker's verdict; a checker failure is reported, not raised."""
    from gradtutor.calculus.equivalence import check

    try:
        return check(expected, answer).verdict
    except Exception as exc:  # validation reports every failure it meets
        return f"error ({type(exc).__name__}: {exc})"
