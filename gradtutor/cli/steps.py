"""``gradtutor steps``: check a derivation line by line and say where it first goes wrong."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from gradtutor.cli.errors import fail
from gradtutor.cli.exit_codes import ExitCode

HELP = """\
Check your own derivation, line by line: which line first goes wrong, and why.

The first line is the task (d/dx(...), ∂/∂x(...), or f(x,y) = ... with the next line \
starting f'(x) =); every later line is one step of your work. Lines may start with =, \
and may still contain d/dx(...) or the notes' x'(...). Blank lines and lines starting \
with # are skipped.

Without FILE on a terminal, type the lines one by one: each is checked as soon as \
you press Enter (an empty line ends).

[b]Examples[/b]

  gradtutor steps work.txt
  printf 'd/dx(3x^3)\\n= 3*3x^2\\n= 3*3*1^2\\n' | gradtutor steps -
  gradtutor steps work.txt --json
  gradtutor steps --task "∂/∂x(3x^3 - y^2 + 5x + 2)"

Exit status: 0 every line right, 1 a line is wrong, invalid or undetermined, \
2 invalid task line or unreadable file, 3 the task could not be worked out in time.
"""


def register(app: typer.Typer) -> None:
    app.command("steps", help=HELP, rich_help_panel="Check your maths")(steps_command)


def steps_command(
    file: Annotated[
        str | None,
        typer.Argument(help="The derivation: a file, or - for stdin.", show_default=False),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option("--task", "-t", help="The task line (then every input line is work)."),
    ] = None,
    wrt: Annotated[
        str | None,
        typer.Option("--wrt", help="The variable, when the task does not say.", metavar="VAR"),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the verdicts as one JSON object (see README).")
    ] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.05, max=600, help="Seconds allowed per line.")
    ] = 2.0,
) -> None:
    from gradtutor.render.console import make_console
    from gradtutor.render.explain import print_trimmed

    console = make_console(stderr=json_output)
    interactive = file is None and sys.stdin.isatty() and not json_output
    if interactive:
        raise typer.Exit(_interactive(console, task, wrt, time_limit))
    lines = _read(file, json_output)
    if task is None:
        if not lines:
            _fail(
                "no task line: the first line should be the task, e.g. d/dx(3x^3)",
                json_output=json_output,
            )
        task, lines = lines[0], lines[1:]
    checker = _checker(task, lines[0] if lines else None, wrt, time_limit, json_output)
    if not lines:
        _fail("nothing to check: give your lines after the task line", json_output=json_output)
    if not json_output:
        print_trimmed(console, checker.rendered_task)
    for line in lines:
        verdict = checker.check_line(line)
        if not json_output:
            print_trimmed(console, verdict)
    summary, report, all_ok = checker.finish()
    if json_output:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        print_trimmed(console, summary)
    raise typer.Exit(ExitCode.OK if all_ok else ExitCode.WRONG)


def _read(file: str | None, json_output: bool = False) -> list[str]:
    try:
        if file is None or file == "-":
            text = sys.stdin.read()
        else:
            text = Path(file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"can't read {file}: {exc}", json_output=json_output)
    return [line.strip() for line in text.splitlines() if _is_work(line)]


def _is_work(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _checker(
    task: str, first_line: str | None, wrt: str | None, time_limit: float, json_output: bool
) -> Any:
    from gradtutor.calculus.derive import TaskError
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.timelimit import TimeLimitExceeded
    from gradtutor.cli.worked import Derivation

    checker = Derivation(time_limit, json_output)  # each line in a worker, killed at the limit
    try:
        checker.begin(task, first_line, wrt)
        return checker
    except TimeLimitExceeded:
        _fail(
            f"can't work out the task within {time_limit:g} s",
            json_output=json_output,
            code=ExitCode.UNDETERMINED,
        )
    except ParseError as err:
        _fail(
            f"can't read the task line: {err.message}",
            err.caret(),
            err.hint,
            json_output=json_output,
            column=err.column,
        )
    except TaskError as err:
        _fail(err.message, "", err.hint, json_output=json_output)


def _interactive(console: Any, task: str | None, wrt: str | None, time_limit: float) -> int:
    """Check each line as it is typed. An empty line or end of input ends with the summary;
    so does Ctrl-C, on a line of its own, with exit status 130."""
    from gradtutor.render.explain import print_trimmed

    checker = None
    interrupted = False
    try:
        if task is None:
            console.print("Type the task (e.g. d/dx(3x^3)), then your lines; an empty line ends.")
            task = _ask("task> ")
            if not task:
                return ExitCode.INVALID
        first = _ask("   1> ")
        checker = _checker(task, first or None, wrt, time_limit, False)
        print_trimmed(console, checker.rendered_task)
        line = first
        while line:
            print_trimmed(console, checker.check_line(line))
            line = _ask(f"{checker.lines + 1:>4}> ")
    except EOFError:
        console.print()
    except KeyboardInterrupt:
        interrupted = True
        console.print()  # the shell's ^C stays on the prompt's line, the rest below it
    if checker is not None:
        summary, _, all_ok = checker.finish()
        print_trimmed(console, summary)
    if interrupted:
        return ExitCode.INTERRUPTED
    if checker is None:
        return ExitCode.INVALID
    return ExitCode.OK if all_ok else ExitCode.WRONG


def _ask(prompt: str) -> str:
    return input(prompt).strip()


def _fail(
    message: str,
    caret: str = "",
    hint: str | None = None,
    *,
    json_output: bool = False,
    column: int | None = None,
    code: ExitCode = ExitCode.INVALID,
) -> None:
    """The error on stderr, exit 2; with --json also as an object on stdout (see cli.errors)."""
    fail(
        "steps", message, caret=caret, hint=hint, column=column, json_output=json_output, code=code
    )
