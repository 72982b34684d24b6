"""``gradtutor explain``: a worked solution that names every rule it uses."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, RenderableType

HELP = """\
Work a derivative step by step, naming each rule (power, product, chain, partials …).

One line per rule application, nested under the step that needed it, then the \
simplify step (algebra, kept apart from the calculus). grad(...) works every \
partial derivative and shows the gradient vector.

[b]Examples[/b]

  gradtutor explain "d/dx(x^2 sin(x))"
  gradtutor explain "d/dx(3(2x^2)^5)" --brief
  gradtutor explain "d/dx(x^2 sin(x))" --reveal
  gradtutor explain "∂/∂z(3x^3z - y^2 + 5z + 2yz)"
  gradtutor explain "grad(3x^3z - y^2 + 5z + 2yz)" --json
  gradtutor explain "x^2 y" --wrt y
  gradtutor explain "(w*x+b-y)^2" --wrt w,b
  gradtutor explain "grad((w*x+b-y)^2, w, b)"

Exit status: 0 explained, 2 invalid input, 3 time limit.
"""


def register(app: typer.Typer) -> None:
    app.command("explain", help=HELP, no_args_is_help=True, rich_help_panel="Check your maths")(
        explain_command
    )


def explain_command(
    task: Annotated[
        str,
        typer.Argument(
            help="What to differentiate: 'd/dx(...)', '∂/∂x(...)', 'grad(...)' or an expression.",
            show_default=False,
        ),
    ],
    wrt: Annotated[
        list[str] | None,
        typer.Option(
            "--wrt",
            "-x",
            help="The variable(s), for a task without d/dx: --wrt w, --wrt w,b or "
            "--wrt w --wrt b (each partial, then the gradient over them).",
            metavar="VAR",
        ),
    ] = None,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="Hide the atomic leaves (x' = 1, c' = 0, …) and fold trivial steps (5x → 5).",
        ),
    ] = False,
    reveal: Annotated[
        bool,
        typer.Option(
            "--reveal",
            help="On a terminal, show one step per Enter, to try each step before seeing it "
            "(a: show the rest, q: stop).",
        ),
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the rule tree as JSON (see README).")
    ] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.05, max=600, help="Seconds allowed.")
    ] = 5.0,
) -> None:
    from gradtutor.calculus.timelimit import TimeLimitExceeded
    from gradtutor.cli.worked import explain

    names = _wrt_names(wrt or [])
    if len(names) > 1:  # each partial: the gradient over exactly these variables
        _check_variables(task, names)
        task_text, single = f"grad({task}, {', '.join(names)})", None
    else:
        task_text, single = task, (names[0] if names else None)
    try:  # worked and rendered in a worker process, killed at the time limit
        # (a ParseError or TaskError is reported as it is, with its caret and hint)
        worked = explain(task_text, single, time_limit, brief, json_output)
        rendered = worked
    except TimeLimitExceeded:
        raise GradtutorError(
            f"no worked solution within {time_limit:g} s", exit_code=ExitCode.UNDETERMINED
        ) from None
    if json_output:
        sys.stdout.write(json.dumps(worked, ensure_ascii=False) + "\n")
    else:
        from gradtutor.render.console import make_console
        from gradtutor.render.explain import print_trimmed

        console = make_console()
        if reveal and sys.stdin.isatty() and console.is_terminal:
            _reveal(console, rendered)
        else:
            print_trimmed(console, rendered)
    raise typer.Exit(ExitCode.OK)


def _reveal(console: Console, rendered: RenderableType) -> None:
    """Print the worked solution a step at a time: Enter shows the next one."""
    from gradtutor.render.explain import reveal_chunks

    with console.capture() as capture:
        console.print(rendered)
    chunks = reveal_chunks(capture.get().rstrip("\n"))
    out = console.file
    out.write(chunks[0] + "\n")
    for k, chunk in enumerate(chunks[1:], start=2):
        out.write(f"  [Enter] next step ({k}/{len(chunks)}) · a: all · q: stop ")
        out.flush()
        try:
            key = input().strip().lower()
        except EOFError:
            key = "a"
        out.write("\x1b[1A\x1b[2K")  # the prompt line goes; the step takes its place
        if key == "q":
            break
        if key == "a":
            out.write("\n".join(chunks[k - 1 :]) + "\n")
            break
        out.write(chunk + "\n")
    out.flush()


def _wrt_names(values: list[str]) -> list[str]:
    """--wrt w,b / --wrt "w b" / --wrt w --wrt b → [w, b]; a name that can't be a variable
    (2, sin, x^2) is refused here, one that isn't in the task by the core."""
    import re

    from gradtutor.calculus.lexer import FUNCTIONS

    names: list[str] = []
    for value in values:
        for name in re.split(r"[,\s]+", value.strip()):
            if not name:
                continue
            if not re.fullmatch(r"[A-Za-z\u0370-\u03ff]\w*", name) or name in FUNCTIONS:
                raise UsageError(
                    f"--wrt {name}: not a variable name",
                    hint="name a variable of the expression, e.g. --wrt x or --wrt w,b",
                )
            if name in names:
                raise UsageError(f"--wrt names {name} twice")
            names.append(name)
    if values and not names:
        raise UsageError("--wrt needs a variable name", hint="e.g. --wrt x")
    return names


def _check_variables(task: str, names: list[str]) -> None:
    """Each --wrt name is a variable of the task (else a clear error, exit 2)."""
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.parsing import parse

    try:
        parsed = parse(task)
    except ParseError:
        return  # solve_task reports it, with its caret
    if parsed.has_derivative:
        message = (
            "--wrt is for an expression without d/dx: "
            "this task already says which variable (drop --wrt)"
        )
        raise UsageError(message)
    present = {s.name for s in parsed.symbols}
    for name in names:
        if name not in present:
            variables = ", ".join(sorted(present)) or "none"
            message = f"--wrt {name}: not a variable of {parsed.plain} (its variables: {variables})"
            raise UsageError(message)
