"""``gradtutor steps``: check a derivation line by line and say where it first goes wrong."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError

HELP = """\
Check your own derivation, line by line: which line first goes wrong, and why.

The first line is the task (d/dx(...), ∂/∂x(...), or f(x,y) = ... with the next line \
starting f'(x) =); every later line is one step of your work. Lines may start with =, \
and may still contain d/dx(...) or the notes' x'(...). Blank lines and lines starting \
with # are skipped.

Without FILE on a terminal, type the lines one by one: each is checked as soon as \
you press Enter (an empty line ends). The arrow keys edit the line and recall earlier \
lines, also from earlier runs.

[b]Examples[/b]

  gradtutor steps work.txt
  printf 'd/dx(3x^3)\\n= 3*3x^2\\n= 3*3*1^2\\n' | gradtutor steps -
  gradtutor steps work.txt --json
  gradtutor steps --task "∂/∂x(3x^3 - y^2 + 5x + 2)"
  gradtutor steps --scan notes.md

--scan FILE proofreads a page of notes: every derivation in it (f(x) = … then f'(x) = … \
and = … lines, f=(3x^3) -> … arrows, d/dx(…) = … claims, lines of working), by the \
file's line numbers; prose and code blocks are left alone, unreadable lines skipped.

Exit status: 0 every line right, 1 a line is wrong, invalid or undetermined, \
2 invalid task line or unreadable file, 3 the task could not be worked out in time \
(--scan: 0 no wrong line, 1 a wrong line).
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
    ] = DEFAULT_TIME_LIMIT,
    scan: Annotated[
        str | None,
        typer.Option(
            "--scan",
            help="Proofread a page of notes (text or Markdown): find every derivation in FILE "
            "and check each (see README).",
            metavar="FILE",
        ),
    ] = None,
) -> None:
    from gradtutor.render.console import make_console
    from gradtutor.render.explain import print_trimmed

    if scan is not None:
        raise typer.Exit(_scan(scan, json_output, time_limit))
    console = make_console(stderr=json_output)
    interactive = file is None and sys.stdin.isatty() and not json_output
    if interactive:
        raise typer.Exit(_interactive(console, task, wrt, time_limit))
    lines = _read(file)
    if task is None:
        if not lines:
            raise GradtutorError("no task line: the first line should be the task, e.g. d/dx(3x^3)")
        task, lines = lines[0], lines[1:]
    checker = _checker(task, lines[0] if lines else None, wrt, time_limit, json_output)
    if not lines:
        raise GradtutorError("nothing to check: give your lines after the task line")
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


def _scan(file: str, json_output: bool, time_limit: float) -> int:
    """steps --scan FILE: every derivation in a page of notes; exit 1 when a line is wrong."""
    from gradtutor.calculus.scan import scan_text
    from gradtutor.render.console import make_console
    from gradtutor.render.explain import print_trimmed
    from gradtutor.render.steps import render_scan

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GradtutorError(f"can't read {file}: {exc}") from None
    report = scan_text(text, file=file, time_limit=time_limit)
    if json_output:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    else:
        print_trimmed(make_console(), render_scan(report))
    return ExitCode.WRONG if report.wrong else ExitCode.OK


def _read(file: str | None) -> list[str]:
    try:
        if file is None or file == "-":
            text = sys.stdin.read()
        else:
            text = Path(file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        hint = None
        if isinstance(exc, FileNotFoundError) and "(" in str(file):  # a task typed as FILE
            import shlex

            hint = f"a task goes in --task: gradtutor steps --task {shlex.quote(str(file))}"
        raise GradtutorError(f"can't read {file}: {exc}", hint=hint) from None
    return [line.strip() for line in text.splitlines() if _is_work(line)]


def _is_work(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _checker(
    task: str, first_line: str | None, wrt: str | None, time_limit: float, json_output: bool
) -> Any:
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.timelimit import TimeLimitExceeded
    from gradtutor.cli.worked import Derivation

    checker = Derivation(time_limit, json_output)  # each line in a worker, killed at the limit
    try:  # a TaskError is reported as it is
        checker.begin(task, first_line, wrt)
        return checker
    except TimeLimitExceeded:
        raise GradtutorError(
            f"can't work out the task within {time_limit:g} s", exit_code=ExitCode.UNDETERMINED
        ) from None
    except ParseError as err:
        raise GradtutorError(
            f"can't read the task line: {err.message}",
            text=err.text,
            column=err.column,
            hint=err.hint,
        ) from None


def _interactive(console: Any, task: str | None, wrt: str | None, time_limit: float) -> int:
    """Check each line as it is typed. An empty line or end of input ends with the summary;
    so does Ctrl-C, on a line of its own, with exit status 130."""
    from gradtutor.render.explain import print_trimmed

    checker = None
    interrupted = False
    _ask = _line_reader()
    try:
        if task is None:
            console.print("Type the task (e.g. d/dx(3x^3)), then your lines; an empty line ends.")
            task = _ask("task> ")
            if not task:  # once a silent exit 2
                raise _nothing_typed("task")
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
        if not getattr(_ask, "ends_line", False):
            console.print()  # the shell's ^C stays on the prompt's line, the rest below it
    if checker is not None:
        summary, _, all_ok = checker.finish()
        print_trimmed(console, summary)
    if interrupted:
        return ExitCode.INTERRUPTED
    if checker is None:  # end of input before a line to check: once a silent exit 2 too
        raise _nothing_typed("line" if task else "task")
    return ExitCode.OK if all_ok else ExitCode.WRONG


def _nothing_typed(what: str) -> GradtutorError:
    """No task (or no line after it) before an empty line or the end of input."""
    hint = "e.g. d/dx(3x^3)" if what == "task" else "type the first line of your working at 1>"
    return GradtutorError(f"no {what} was typed, so there is nothing to check", hint=hint)


def _line_reader() -> Callable[[str], str]:
    """Read one line at a prompt: with line editing and history (the arrow keys recall earlier
    lines, also from earlier runs) through prompt_toolkit, as the quiz prompt has; plain
    ``input`` on a dumb terminal or where prompt_toolkit cannot drive the terminal."""
    from gradtutor.tutor.store import default_home

    try:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.utils import is_dumb_terminal

        if is_dumb_terminal():  # TERM=dumb: no cursor keys to speak of, plain input
            return lambda prompt: input(prompt).strip()
        from prompt_toolkit.history import FileHistory, History, InMemoryHistory

        history: History = InMemoryHistory()
        try:
            path = default_home() / "steps-history"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
            history = FileHistory(str(path))
        except OSError:
            pass
        session: Any = PromptSession(history=history)
    except Exception:  # no usable terminal for prompt_toolkit: plain input still works
        return lambda prompt: input(prompt).strip()

    def ask(prompt: str) -> str:
        return str(session.prompt(prompt)).strip()

    ask.ends_line = True  # type: ignore[attr-defined]  # prompt_toolkit ends the line on Ctrl-C
    return ask
