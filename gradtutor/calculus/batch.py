"""Check many (expected, answer) pairs — a teacher grading a class — on every core."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.results import CheckResult, Feedback, InputError, Verdict
from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT

_WARM = ("gradtutor.calculus.misconceptions", "gradtutor.calculus.feedback")


@dataclass(frozen=True)
class BatchItem:
    """One line of a batch file and its verdict."""

    line: int  # 1-based line number in the input
    result: CheckResult
    extra: tuple[str, ...] = ()  # columns after the answer, passed through

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"line": self.line, **self.result.to_json()}
        if self.extra:
            data["extra"] = list(self.extra)
        return data

    @property
    def internal(self) -> bool:
        """Whether a bug in gradtutor, not the line, kept it from a verdict."""
        return self.result.error is not None and self.result.error.side == INTERNAL


INTERNAL = "internal"  # the error's side when a bug in gradtutor met the line (README)


def internal_error(number: int, text: str, exc: BaseException) -> BatchItem:
    """The line's item when a bug in gradtutor met it: ``undetermined``, with an error of
    side ``internal`` naming the exception; the batch goes on (README: check --batch)."""
    message = f"internal error: {type(exc).__name__}: {exc}"
    result = CheckResult(verdict=Verdict.UNDETERMINED, error=InputError(message, side=INTERNAL))
    return BatchItem(number, result, _extra(text))


def split_line(text: str) -> tuple[str, str, list[str]] | None:
    """``expected<TAB>answer[<TAB>extra…]`` → (expected, answer, extra); None without a tab.

    Extra columns (a student id, a question number) are carried into the output."""
    if "\t" not in text:
        return None
    expected, answer, *extra = text.rstrip("\r\n").split("\t")
    return expected, answer, extra


def batch_lines(lines: Iterable[str]) -> list[tuple[int, str]]:
    """The lines worth checking: blank lines and # comments are skipped."""
    kept = []
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r\n")
        if text.strip() and not text.lstrip().startswith("#"):
            kept.append((number, text))
    return kept


def _check_line(job: tuple[int, str, float | None]) -> BatchItem:
    """One line's verdict; a failure inside the engine is that line's problem alone."""
    from gradtutor.calculus.timelimit import TimeLimitExceeded

    try:
        return _check_line_unguarded(job)
    except (TimeLimitExceeded, RecursionError, MemoryError):
        raise  # the worker reports these as limits, not as faults
    except Exception as exc:  # deliberate: a bug meeting one line; the other lines still count
        return internal_error(job[0], job[1], exc)


def _check_line_unguarded(job: tuple[int, str, float | None]) -> BatchItem:
    number, text, limit = job
    pair = split_line(text)
    if pair is None:
        error = InputError(
            message="expected two columns separated by a tab: expected<TAB>answer",
            side="line",
        )
        return BatchItem(number, CheckResult(verdict=Verdict.INVALID, error=error))
    expected, answer, extra = pair
    from gradtutor.calculus.guarded import _check_job

    return BatchItem(number, _check_job(expected, answer, limit), tuple(extra))


def check_batch(
    lines: Iterable[tuple[int, str]],
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    workers: int | None = None,
) -> Iterator[BatchItem]:
    """Yield one BatchItem per line, in input order, using ``workers`` worker processes.

    Each line runs in a worker that is killed (and replaced) when its time limit runs
    out, so one line that never ends costs its limit and no more."""
    from gradtutor.calculus.guarded import timed_out
    from gradtutor.calculus.worker import Job, WorkerDied, run_many

    jobs = [(number, text, time_limit) for number, text in lines]
    if not time_limit:
        for job in jobs:
            yield _check_line(job)
        return
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    outcomes = run_many(
        (Job(_check_line, (job,), time_limit) for job in jobs), workers=workers, warm=_WARM
    )
    for job, outcome in zip(jobs, outcomes, strict=True):
        if outcome.timed_out:
            started = time.perf_counter() - time_limit  # it ran for its whole limit
            yield BatchItem(job[0], timed_out(time_limit, started), _extra(job[1]))
        elif isinstance(outcome.error, ParseError):  # too deep or too large to work with
            feedback = Feedback("limit", f"gradtutor could not decide: {outcome.error.message}")
            result = CheckResult(verdict=Verdict.UNDETERMINED, feedback=(feedback,))
            yield BatchItem(job[0], result, _extra(job[1]))
        elif isinstance(outcome.error, WorkerDied):  # killed from outside, out of memory
            feedback = Feedback("time_limit", f"gradtutor could not decide: {outcome.error}")
            result = CheckResult(verdict=Verdict.UNDETERMINED, feedback=(feedback,))
            yield BatchItem(job[0], result, _extra(job[1]))
        elif outcome.error is not None:  # a job the worker could not even run
            yield internal_error(job[0], job[1], outcome.error)
        else:
            yield outcome.value


def _extra(text: str) -> tuple[str, ...]:
    pair = split_line(text)
    return tuple(pair[2]) if pair else ()
