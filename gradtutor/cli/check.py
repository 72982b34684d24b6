"""``gradtutor check``: is this answer right? If not, where and why."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gradtutor.calculus.results import Verdict
from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from rich.progress import Progress

EXAMPLES = """\
[b]Examples[/b]

  gradtutor check "d/dx(3x^3)" "9x^2"          [dim]# ✓ correct[/dim]
  gradtutor check "d/dx(3x^3)" "9^2"           [dim]# ✗ and why: the x went missing[/dim]
  gradtutor check "sqrt(x^2)" "x"              [dim]# ≈ equal only where x > 0[/dim]
  gradtutor check "∂/∂x(x^2 y)" "2xy" --json
  gradtutor check --batch answers.tsv > verdicts.jsonl
  gradtutor check "3σ(1)(1-σ(1))/2" "0.2949" --tolerance 0.001   [dim]# a decimal, within 0.1%[/dim]

Exit status: 0 equivalent, 1 not equivalent or domain-dependent, 2 invalid input,
3 undetermined (time limit).
"""


def register(app: typer.Typer) -> None:
    app.command(
        "check",
        help="Is this answer equal to the expected expression (or derivative)?\n\n" + EXAMPLES,
        no_args_is_help=True,
        rich_help_panel="Check your maths",
        # an answer such as -1/x^2 is an argument, not an unknown option
        context_settings={"ignore_unknown_options": True},
    )(check_command)


def check_command(
    expected: Annotated[
        str | None,
        typer.Argument(
            help="The expected expression, e.g. 'd/dx(3x^3)' or '9x^2'.", show_default=False
        ),
    ] = None,
    answer: Annotated[
        str | None, typer.Argument(help="The answer to judge, e.g. '9x^2'.", show_default=False)
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (see README for the fields).")
    ] = False,
    batch: Annotated[
        str | None,
        typer.Option(
            "--batch",
            metavar="FILE",
            help="Check tab-separated 'expected<TAB>answer' lines from FILE ('-' for stdin); "
            "one JSON object per line out.",
        ),
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", min=0.001, max=600, help="Seconds allowed per check."),
    ] = DEFAULT_TIME_LIMIT,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Processes for --batch (default: every core)."),
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option(
            "--tolerance",
            metavar="REL",
            min=0.0,
            max=1.0,
            help="For numeric answers: equal when within REL × |expected| (e.g. 0.001). "
            "Without it numbers must be exactly equal.",
        ),
    ] = None,
) -> None:
    if batch is not None:
        if expected is not None or answer is not None:
            raise UsageError(
                "give either EXPECTED ANSWER or --batch FILE, not both", show_help=True
            )
        raise typer.Exit(_run_batch(batch, time_limit, workers, tolerance))
    if expected is None or answer is None:
        raise UsageError(
            "check needs two arguments: EXPECTED ANSWER (or --batch FILE)", show_help=True
        )
    from gradtutor.calculus.guarded import check  # in a worker, killed at the deadline

    result = check(expected, answer, time_limit=time_limit)
    if tolerance is not None:
        from gradtutor.calculus.decimal_answer import with_tolerance

        result = with_tolerance(result, tolerance)
    if json_output:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    else:
        from gradtutor.render.check import render_check
        from gradtutor.render.console import make_console

        make_console().print(render_check(result))
    raise typer.Exit(exit_code(result.verdict))


def exit_code(verdict: Verdict) -> ExitCode:
    """The exit status for a verdict (README: exit codes)."""
    return {
        Verdict.EQUIVALENT: ExitCode.OK,
        Verdict.NOT_EQUIVALENT: ExitCode.WRONG,
        Verdict.DOMAIN_DEPENDENT: ExitCode.WRONG,
        Verdict.INVALID: ExitCode.INVALID,
        Verdict.UNDETERMINED: ExitCode.UNDETERMINED,
    }[verdict]


def _run_batch(
    source: str, time_limit: float, workers: int | None, tolerance: float | None = None
) -> int:
    """Every line's verdict as JSON Lines; the exit status is the worst verdict's, or 70
    when a bug in gradtutor met a line (that line is reported and the batch goes on)."""
    from gradtutor.calculus.batch import batch_lines, check_batch

    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        # A stray non-UTF-8 byte spoils its own line (shown as �), not the whole file.
        text = raw.decode("utf-8", errors="replace")
    except (OSError, UnicodeDecodeError) as exc:
        raise GradtutorError(f"can't read {source}: {exc}") from None
    lines = batch_lines(text.removeprefix("\ufeff").splitlines())  # spreadsheets add a BOM
    items = check_batch(lines, time_limit=time_limit, workers=workers)
    worst = ExitCode.OK
    bugs: list[int] = []  # the lines a bug in gradtutor met
    progress = _progress(len(lines))
    with progress or _nullcontext():
        task = progress.add_task("checking", total=len(lines)) if progress else None
        for item in items:
            if tolerance is not None:
                from dataclasses import replace

                from gradtutor.calculus.decimal_answer import with_tolerance

                item = replace(item, result=with_tolerance(item.result, tolerance))
            sys.stdout.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
            code = ExitCode.INTERNAL if item.internal else exit_code(item.result.verdict)
            worst = max(worst, code, key=_severity)
            bugs += [item.line] if item.internal else []
            if progress is not None and task is not None:
                progress.advance(task)
                progress.refresh()
    if bugs:
        where = ", ".join(map(str, bugs))
        sys.stderr.write(
            f'gradtutor check: internal error on line {where} (each line\'s "error" names it); '
            "this is a bug in gradtutor\n"
        )
    return worst


def _severity(code: int) -> int:
    """A bug outranks invalid input, which outranks undetermined, which outranks wrong."""
    order = (ExitCode.OK, ExitCode.WRONG, ExitCode.UNDETERMINED, ExitCode.INVALID)
    return (*order, ExitCode.INTERNAL).index(ExitCode(code))


def _progress(total: int) -> Progress | None:
    if not sys.stderr.isatty() or total < 2:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from gradtutor.render.console import make_console

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=make_console(stderr=True),
        transient=True,
        auto_refresh=False,  # no refresh thread: workers are forked, and forking needs one thread
    )


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
