"""``explain`` and ``steps`` work done in a worker process, under the hard time limit.

The worker works the maths *and* renders it (rich renderables and JSON travel back to the
command intact; sympy expressions would not: pickling re-evaluates them, and a learner's
``3*3x^2`` would come back as ``9x^2``). ``steps`` keeps its derivation in the worker
between lines; a line that runs out of time is recorded as undetermined, and a fresh
worker replays the lines before it.
"""

from __future__ import annotations

from typing import Any

from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.results import LineStatus
from gradtutor.calculus.worker import Session, run, soft_limit

WARM = (
    "gradtutor.calculus.misconceptions",
    "gradtutor.calculus.feedback",
    "gradtutor.calculus.derive",
    "gradtutor.calculus.derivation",
    "gradtutor.render.explain",
    "gradtutor.render.steps",
)


def explain(task: str, wrt: str | None, time_limit: float, brief: bool, as_json: bool) -> Any:
    """The worked solution, rendered (or its JSON); raises ParseError, TaskError, or
    TimeLimitExceeded at the deadline."""
    return run(
        _explain_job, task, wrt, time_limit, brief, as_json, time_limit=time_limit, warm=WARM
    )


def _explain_job(task: str, wrt: str | None, limit: float, brief: bool, as_json: bool) -> Any:
    from gradtutor.calculus.derive import solve_task
    from gradtutor.calculus.limits import check_derivatives
    from gradtutor.calculus.parsing import parse
    from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT
    from gradtutor.render.explain import render_explain

    try:
        typed = parse(task).expr
    except ParseError:
        typed = None  # solve_task says what is wrong, with grad(...) taken into account
    if typed is not None:
        check_derivatives(typed)  # a 20th derivative of a power tower: refused, not worked
    solution = solve_task(task, wrt=wrt, time_limit=min(DEFAULT_TIME_LIMIT, soft_limit(limit)))
    return solution.to_json() if as_json else render_explain(solution, brief=brief)


class Derivation:
    """The learner's derivation, judged line by line in a worker (see module docstring)."""

    def __init__(self, time_limit: float, as_json: bool) -> None:
        self.time_limit = time_limit
        self.as_json = as_json
        self.session = Session(WARM)
        self.lines = 0
        self.rendered_task: Any = None

    def begin(self, task: str, first_line: str | None, wrt: str | None) -> Any:
        """Read the task; the rendered task line. Raises ParseError, TaskError, or
        TimeLimitExceeded."""
        self.rendered_task = self.session.call(
            _begin_job, task, first_line, wrt, self.time_limit, time_limit=self.time_limit
        )
        return self.rendered_task

    def check_line(self, text: str) -> Any:
        """The rendered verdict on one line (its JSON with ``as_json``)."""
        from gradtutor.calculus.timelimit import TimeLimitExceeded
        from gradtutor.calculus.worker import WorkerDied

        index = self.lines
        self.lines += 1
        try:
            return self.session.call(_line_job, text, self.as_json, time_limit=self.time_limit)
        except (TimeLimitExceeded, WorkerDied):
            message = f"could not decide within {self.time_limit:g} s"
            status = LineStatus.UNDETERMINED
        except ParseError as err:  # sympy recursed too deep or ran out of memory
            message, status = err.message, LineStatus.INVALID
        self.session.remember(_skip_job, text, status, message)
        return _render_skipped(index, text, status, message, self.as_json)

    def finish(self) -> tuple[Any, Any, bool]:
        """(rendered summary, report JSON, every line right?)."""
        return self.session.call(_finish_job, self.as_json, time_limit=max(self.time_limit, 5.0))

    def close(self) -> None:
        self.session.close()


# -- in the worker ----------------------------------------------------------------------

_state: dict[str, Any] = {}


def _begin_job(task: str, first_line: str | None, wrt: str | None, limit: float) -> Any:
    from gradtutor.calculus.derivation import DerivationChecker, read_task
    from gradtutor.render.steps import render_task

    checker = DerivationChecker(
        read_task(task, first_line=first_line, wrt=wrt), time_limit=soft_limit(limit)
    )
    _state["checker"] = checker
    return render_task(checker.task)


def _line_job(text: str, as_json: bool) -> Any:
    from gradtutor.render.steps import render_line

    check = _state["checker"].check_line(text)
    return check.to_json() if as_json else render_line(check)


def _skip_job(text: str, status: LineStatus, message: str) -> None:
    """Record a line stopped at the time limit as undetermined (the checker has no public
    way to add a line without judging it)."""
    from gradtutor.calculus.derivation import LineCheck, _Line

    checker = _state["checker"]
    if len(checker._lines) > len(checker._checks):  # stopped after the line was recorded
        del checker._lines[len(checker._checks) :]
    check = LineCheck(len(checker._lines), text, status, message)
    checker._lines.append(_Line(text, status))
    checker._checks.append(check)


def _render_skipped(index: int, text: str, status: LineStatus, message: str, as_json: bool) -> Any:
    from gradtutor.calculus.derivation import LineCheck

    check = LineCheck(index, text, status, message)
    if as_json:
        return check.to_json()
    from gradtutor.render.steps import render_line

    return render_line(check)


def _finish_job(as_json: bool) -> tuple[Any, Any, bool]:
    from gradtutor.render.steps import render_summary

    checker = _state["checker"]
    report = checker.report()
    rendered = None if as_json else render_summary(report, checker.task)  # terms as typed
    return rendered, report.to_json() if as_json else None, report.all_ok
