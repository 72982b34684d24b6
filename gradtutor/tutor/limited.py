"""A teacher's pack gets the time limits of a learner's answer.

Building one exercise from a template gets PACK_SECONDS (as a learner's answer gets its
check); validating one template gets VALIDATE_SECONDS. Both run in a worker process
(gradtutor.calculus.worker) that is killed at the deadline, so a template asking for
``((((a^64)^64)^64)^64)^64`` or the 20th derivative of a power tower is reported as a
pack problem (file, exercise id, reason) instead of hanging the tutor.
"""

from __future__ import annotations

from dataclasses import fields
from types import MappingProxyType
from typing import Any

from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT, TimeLimitExceeded, time_limit
from gradtutor.tutor.packs import Exercise, PackError, Template, instantiate

PACK_SECONDS = DEFAULT_TIME_LIMIT  # to build one exercise: as long as a check gets
VALIDATE_SECONDS = 30.0  # to validate one template: 25 instances, 9 checks of 2 s at most
_WARM = ("gradtutor.tutor.packs", "gradtutor.tutor.validation", "gradtutor.calculus.misconceptions")


def generate(template: Template, seed: int) -> Exercise:
    """The exercise for ``(template, seed)``, built in a worker within PACK_SECONDS."""
    from gradtutor.calculus import worker

    try:
        exercise, problem = worker.run(
            _generate_job, _portable(template), seed, time_limit=PACK_SECONDS, warm=_WARM
        )
    except TimeLimitExceeded:
        raise PackError(template.file, template.id, _too_slow(seed)) from None
    if problem is not None:
        raise PackError(*problem)
    return exercise


def instantiate_in_time(template: Template, seed: int) -> tuple[Exercise, Any]:
    """``instantiate`` with the in-process limit of PACK_SECONDS (for code already in a
    worker, such as validation)."""
    try:
        with time_limit(PACK_SECONDS):
            return instantiate(template, seed)
    except TimeLimitExceeded:
        raise PackError(template.file, template.id, _too_slow(seed)) from None


def validate_template(template: Template, *, seeds: int) -> list[str]:
    """The validation's reasons, found in a worker within VALIDATE_SECONDS."""
    from gradtutor.calculus import worker

    try:
        return worker.run(
            _validate_job, _portable(template), seeds, time_limit=VALIDATE_SECONDS, warm=_WARM
        )
    except TimeLimitExceeded:
        return [
            f"validating it took longer than {VALIDATE_SECONDS:g} s "
            f"(an exercise has {PACK_SECONDS:g} s to be built, as an answer has to be checked)"
        ]


def _too_slow(seed: int) -> str:
    return f"seed {seed}: building the exercise took longer than {PACK_SECONDS:g} s"


def _generate_job(
    portable: dict[str, Any], seed: int
) -> tuple[Exercise | None, tuple[str, str | None, str] | None]:
    """(exercise, None), or (None, the PackError's file, id and reason): a PackError does
    not survive pickling (its constructor takes three arguments, its args hold one)."""
    try:
        return instantiate(_template(portable), seed)[0], None
    except PackError as exc:
        return None, (exc.file, exc.exercise_id, exc.reason)


def _validate_job(portable: dict[str, Any], seeds: int) -> list[str]:
    from gradtutor.tutor.validation import validate_template as validate_here

    return validate_here(_template(portable), seeds=seeds)


def _portable(template: Template) -> dict[str, Any]:
    """The template's fields as picklable values (read-only mappings become dicts)."""
    return {
        f.name: dict(value) if isinstance(value, MappingProxyType) else value
        for f in fields(template)
        for value in [getattr(template, f.name)]
    }


def _template(portable: dict[str, Any]) -> Template:
    # Any: the fields of a Template, each of its own type
    values: dict[str, Any] = {
        k: MappingProxyType(v) if isinstance(v, dict) else v for k, v in portable.items()
    }
    return Template(**values)
