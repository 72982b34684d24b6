"""The checker behind a hard time limit: :func:`check` runs in a worker process.

``gradtutor.check`` is this function. It gives the same verdicts as
:func:`gradtutor.calculus.equivalence.check`, which stays the in-process engine that
other parts of gradtutor call from inside a worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.results import CheckResult, Feedback, Verdict
from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT, TimeLimitExceeded

__all__ = ["DEFAULT_TIME_LIMIT", "check", "time_limit_message", "timed_out"]

_WARM = ("gradtutor.calculus.misconceptions", "gradtutor.calculus.feedback")


def check(
    expected: str, answer: str, *, time_limit: float | None = DEFAULT_TIME_LIMIT
) -> CheckResult:
    """Is ``answer`` equal to ``expected``? Both are texts in gradtutor's input language.

    The work runs in a worker process that is killed when ``time_limit`` seconds have
    passed, whatever it is doing; the verdict is then ``undetermined`` with a
    ``time_limit`` feedback. Safe to call from any thread. ``time_limit=None`` runs in
    this process with no limit. Never raises on bad input (the verdict is ``invalid``).
    """
    from gradtutor.calculus import worker

    start = time.perf_counter()
    try:
        return worker.run(
            _check_job, expected, answer, time_limit, time_limit=time_limit, warm=_WARM
        )
    except TimeLimitExceeded:
        return timed_out(time_limit, start)
    except worker.WorkerDied as exc:
        return CheckResult(
            verdict=Verdict.UNDETERMINED,
            feedback=(Feedback("time_limit", f"gradtutor could not decide: {exc}"),),
            elapsed_ms=_ms(start),
        )
    except ParseError as exc:  # sympy recursed too deep, or ran out of memory, comparing
        return CheckResult(
            verdict=Verdict.UNDETERMINED,
            feedback=(Feedback("limit", f"gradtutor could not decide: {exc.message}"),),
            elapsed_ms=_ms(start),
        )


def time_limit_message(seconds: float | None) -> str:
    limit = f"{seconds:g} s" if seconds else "the time limit"
    return (
        f"gradtutor could not decide within {limit}; "
        "this says nothing about whether the answer is right"
    )


def timed_out(seconds: float | None, start: float) -> CheckResult:
    """The verdict when the worker was stopped at the deadline."""
    return CheckResult(
        verdict=Verdict.UNDETERMINED,
        feedback=(Feedback("time_limit", time_limit_message(seconds)),),
        elapsed_ms=_ms(start),
    )


def _check_job(expected: str, answer: str, limit: float | None) -> CheckResult:
    """In the worker: the engine's check, with the time-limit message in the caller's terms."""
    from dataclasses import replace

    from gradtutor.calculus.equivalence import check as engine_check
    from gradtutor.calculus.worker import soft_limit

    inner = soft_limit(limit) if limit else None
    result = engine_check(expected, answer, time_limit=inner)
    return _restate_limit(result, limit, replace)


def _restate_limit(
    result: CheckResult, limit: float | None, replace: Callable[..., CheckResult]
) -> CheckResult:
    if result.verdict is not Verdict.UNDETERMINED:
        return result
    feedback = tuple(
        Feedback(f.kind, time_limit_message(limit), f.id)
        if f.kind == "time_limit" and "could not decide within" in f.message
        else f
        for f in result.feedback
    )
    components = tuple(_restate_limit(c, limit, replace) for c in result.components)
    return replace(result, feedback=feedback, components=components)


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
