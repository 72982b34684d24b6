"""Checking a catalogue the way a careful teacher would, before a learner sees it.

For each template: it renders for many seeds within its retries; no instance is
undefined or trivial; instances vary; hints are non-empty; a deliberately wrong
answer is marked wrong and the computed (or given) answer is marked right.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gradtutor.calculus.brackets import balanced, bracketed_items
from gradtutor.calculus.results import Verdict
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
    extra: Iterable[Template] = (),
) -> list[Problem]:
    """Every problem found in the catalogue's templates (retired ones are skipped), and in
    ``extra`` (templates left out of the catalogue for structural slips: their maths too)."""
    chosen = set(only_files) if only_files is not None else None
    problems: list[Problem] = []
    if lessons is not None:
        problems.extend(_missing_lessons(catalogue, set(lessons)))
    for template in [*catalogue.templates, *(t for t in extra if not t.retired)]:
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

    seen: set[str] = set()
    for seed in range(seeds):
        try:
            exercise, built = instantiate_in_time(template, seed)  # 2 s, as a check has
        except PackError as exc:
            return [*reasons, exc.reason]
        problem = _instance_problem(exercise, built.trivial) or _zero_answer(template, exercise)
        if problem is not None:
            return [*reasons, f"{_drawn(seed, exercise)}: {problem} ({exercise.prompt})"]
        for reason in _text_problems(exercise):
            if reason not in seen:
                seen.add(reason)
                reasons.append(f"{_drawn(seed, exercise)}: {reason}")
        prompts.add(exercise.prompt)
        if seed < 3:  # the slow part: equivalence checks
            reasons.extend(f"{_drawn(seed, exercise)}: {r}" for r in _answer_problems(exercise))
            if reasons:
                return reasons
    if seeds >= 4 and len(prompts) < 2:
        reasons.append(f"all {seeds} instances are the same: {next(iter(prompts))}")
    elif template.params and (count := distinct_instances(template)) < MIN_DISTINCT:
        reasons.append(
            f"only {count} distinct instances (at least {MIN_DISTINCT} are needed, so a "
            "learner who meets it again gets new numbers): widen the parameter ranges"
        )
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
    if len(exercise.parts) > 1:
        for part in exercise.parts:
            if len(_components(part.expected)) > 1:
                return (
                    f"the answer {part.label} is a vector {part.expected} in a question of "
                    f"{len(exercise.parts)} parts, where the quiz reads (a, b) as every part "
                    "at once: ask it in an exercise of its own"
                )
    # A descent step's parts are points, not derivatives: 0 is a fine next point.
    asked = [p for p in exercise.parts if p.task is not None and exercise.kind != "descent-step"]
    if asked and all(p.expected == "0" for p in asked):
        return "every derivative asked for is 0"
    return None


def _drawn(seed: int, exercise: Exercise) -> str:
    """'seed 3 (a = 2, n = 5)': the values every maths message names."""
    values = ", ".join(f"{name} = {value}" for name, value in exercise.values.items())
    return f"seed {seed} ({values})" if values else f"seed {seed}"


def _zero_answer(template: Template, exercise: Exercise) -> str | None:
    """An answer of exactly 0 is degenerate above difficulty 1 (and for any descent step)."""
    if template.difficulty <= 1 and exercise.kind != "descent-step":
        return None
    for part in exercise.parts:
        if part.expected == "0":
            name = f"{part.label} " if part.label else ""
            return (
                f"the answer {name}is 0, a degenerate instance at difficulty "
                f"{template.difficulty} (exclude it with where)"
            )
    return None


def _text_problems(exercise: Exercise) -> list[str]:
    found = rendering_problems(exercise.prompt, prompt=True)
    for n, hint in enumerate(exercise.hints, 1):
        found.extend(f"hint {n}: {r}" for r in rendering_problems(hint, prompt=False))
        found.extend(f"hint {n}: {r}" for r in hint_maths_problems(hint))
    return found


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"[A-Za-z_]+", text)


def _answer_problems(exercise: Exercise) -> list[str]:
    """The computed answer must check as right and a deliberately wrong one as wrong."""
    problems = []
    for part in exercise.parts:
        name = f"{part.label}: " if part.label else ""
        right = _verdict(part.expected, part.expected)
        if right != Verdict.EQUIVALENT:
            problems.append(f"{name}the expected answer {part.expected!r} checks as {right}")
        wrong, verdict = "", ""
        items = _components(part.expected)
        if len(items) > 1:  # a vector (a shape): change one component
            tries = ["(" + ", ".join([f"({items[0]}) + {k}", *items[1:]]) + ")" for k in (1, 2)]
        else:
            tries = [f"({part.expected}) + 1", f"({part.expected}) + 2"]
        for wrong in tries:
            verdict = _verdict(part.expected, wrong)
            if not verdict.startswith("error"):
                break
        if verdict != Verdict.NOT_EQUIVALENT:
            problems.append(f"{name}a wrong answer {wrong!r} checks as {verdict}")
    return problems


def _verdict(expected: str, answer: str) -> str:
    """The checker's verdict; a checker failure is reported, not raised."""
    from gradtutor.calculus.equivalence import check

    try:
        return check(expected, answer).verdict
    except Exception as exc:  # validation reports every failure it meets
        return f"error ({type(exc).__name__}: {exc})"


# --- what a careful reader would trip over -------------------------------------------

MIN_DISTINCT = 20  # instances a template must be able to make
_DRAWS = 400  # parameter draws counted for distinctness (cheap: no maths)
_SKIP_HINT_MATHS = re.compile(r"['∂…∇₀-₉]|\b[A-Za-z]{4,}\b")
_KNOWN_WORDS = re.compile(r"\b(?:sigmoid|tanh|relu|sqrt|softplus|sinh|cosh|asin|acos|atan)\b")
_SEGMENT_END = (
    "; ",
    ": ",
    ", ",
    ". ",
    " and ",
    " — ",
    " with ",
    " so ",
    " at ",
    " for ",
    " which ",
    " if ",
    " when ",
    " because ",
    " since ",
)


def distinct_instances(template: Template, draws: int = _DRAWS) -> int:
    """How many different parameter sets the template draws in ``draws`` seeds."""
    import random

    from gradtutor.tutor import templates

    condition = templates.condition_for(template.where)
    seen = set()
    for seed in range(draws):
        rng = random.Random(f"{template.id}:{seed}")
        drawn = templates.draw(template.params, condition, rng, max_tries=template.max_tries)
        if drawn is not None:
            seen.add(tuple(sorted((k, templates.format_value(v)) for k, v in drawn.items())))
    return len(seen)


def rendering_problems(text: str, *, prompt: bool) -> list[str]:
    """Unbalanced brackets and degenerate renderings such as (x)^2, w*1, x^(1-1), x^3-1."""
    found = []
    if not balanced(text):
        found.append(f"unbalanced brackets in {text!r}")
    if re.search(r"(?<![\w)])\(\s*(?:[A-Za-z]\d*|\d+(?:\.\d+)?)\s*\)\s*\^", text):
        found.append(f"a bracket around a single symbol before a power, as in (x)^2: {text!r}")
    if re.search(r"\^\((\d+)\s*-\s*\1\)", text):
        found.append(f"an exponent that is 0, as in x^(1-1): {text!r}")
    if re.search(r"\^\d+[-+]\d", text):
        found.append(f"an exponent without brackets, as in x^3-1 (reads as x³ − 1): {text!r}")
    if prompt and re.search(r"[A-Za-z)]\s*\*\s*1(?![\d./])|(?<![\d.])\b1\s*\*\s*[A-Za-z(]", text):
        found.append(f"a multiplication by 1 in the question: {text!r}")
    return found


def hint_maths_problems(hint: str) -> list[str]:
    """Maths after an '=' in a hint, written in the input language, must read."""
    from gradtutor.calculus.parsing import parse

    found = []
    for match in re.finditer(r"=\s*", hint):
        segment = _segment(hint[match.end() :]).strip().rstrip(".")
        if not segment or not re.search(r"\w", segment):
            continue
        if _SKIP_HINT_MATHS.search(_KNOWN_WORDS.sub("f", segment)):
            continue  # prose, or notation the parser does not take (u', ∂L/∂w, x₀)
        for piece in _components(segment):
            try:
                parse(piece)
            except ValueError as exc:
                found.append(f"the maths {segment!r} in a hint does not read: {exc}")
                break
    return found


def _components(segment: str) -> list[str]:
    """A vector (a, b) is read component by component; anything else as it is."""
    return bracketed_items(segment) or [segment]


def _segment(text: str) -> str:
    """Up to the end of the clause, at bracket depth 0."""
    depth = 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                return text[:i]
        elif char == "=" and depth == 0:
            return text[:i]
        if depth == 0 and any(text.startswith(end, i) for end in _SEGMENT_END):
            return text[:i]
    return text
