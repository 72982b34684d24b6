"""``gradtutor explain``: a worked solution that names every rule it uses."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from gradtutor.cli.errors import fail
from gradtutor.cli.exit_codes import ExitCode

HELP = """\
Work a derivative step by step, naming each rule (power, product, chain, partials …).

One line per rule application, nested under the step that needed it, then the \
simplify step (algebra, kept apart from the calculus). grad(...) works every \
partial derivative and shows the gradient vector.

[b]Examples[/b]

  gradtutor explain "d/dx(x^2 sin(x))"
  gradtutor explain "d/dx(3(2x^2)^5)" --brief
  gradtutor explain "∂/∂z(3x^3z - y^2 + 5z + 2yz)"
  gradtutor explain "grad(3x^3z - y^2 + 5z + 2yz)" --json
  gradtutor explain "x^2 y" --wrt y

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
        str | None,
        typer.Option("--wrt", "-x", help="The variable, for a task without d/dx.", metavar="VAR"),
    ] = None,
    brief: Annotated[
        bool, typer.Option("--brief", help="Hide the atomic leaves (x' = 1, c' = 0, …).")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the rule tree as JSON (see README).")
    ] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.05, max=600, help="Seconds allowed.")
    ] = 5.0,
) -> None:
    from gradtutor.calculus.derive import TaskError
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.timelimit import TimeLimitExceeded
    from gradtutor.cli.worked import explain

    try:  # worked and rendered in a worker process, killed at the time limit
        worked = explain(task, wrt, time_limit, brief, json_output)
    except ParseError as err:
        _fail(err.message, err.caret(), err.hint, ExitCode.INVALID, json_output, err.column)
    except TaskError as err:
        _fail(err.message, "", err.hint, ExitCode.INVALID, json_output)
    except TimeLimitExceeded:
        message = f"no worked solution within {time_limit:g} s"
        _fail(message, "", None, ExitCode.UNDETERMINED, json_output)
    if json_output:
        sys.stdout.write(json.dumps(worked, ensure_ascii=False) + "\n")
    else:
        from gradtutor.render.console import make_console
        from gradtutor.render.explain import print_trimmed

        print_trimmed(make_console(), worked)
    raise typer.Exit(ExitCode.OK)


def _fail(
    message: str,
    caret: str,
    hint: str | None,
    code: ExitCode,
    json_output: bool = False,
    column: int | None = None,
) -> None:
    """The error on stderr; with --json also as an object on stdout (see cli.errors)."""
    fail(
        "explain",
        message,
        caret=caret,
        hint=hint,
        column=column,
        json_output=json_output,
        code=code,
    )
