"""Check many (expected, answer) pairs — a teacher grading a class — on every core."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gradtutor.calculus.equivalence import DEFAULT_TIME_LIMIT, check
from gradtutor.calculus.results import CheckResult, InputError, Verdict

_IN_PROCESS_BELOW = 8  # a pool costs more than it saves for a handful of lines


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
    try:
        return _check_line_unguarded(job)
    except Exception as exc:  # keep the batch going: the other lines still count
        error = InputError(message=f"internal error: {type(exc).__name__}: {exc}", side="line")
        return BatchItem(job[0], CheckResult(verdict=Verdict.UNDETERMINED, error=error))


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
    return BatchItem(number, check(expected, answer, time_limit=limit), tuple(extra))


def check_batch(
    lines: Iterable[tuple[int, str]],
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    workers: int | None = None,
) -> Iterator[BatchItem]:
    """Yield one BatchItem per line, in input order, using ``workers`` processes."""
    jobs = [(number, text, time_limit) for number, text in lines]
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(jobs) < _IN_PROCESS_BELOW:
        for job in jobs:
            yield _check_line(job)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pool = context.Pool(processes=min(workers, len(jobs)))
    try:
        yield from pool.imap(_check_line, jobs, chunksize=4)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
