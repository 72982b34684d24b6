"""The ``gradtutor`` command: a thin typer shell over the pure core.

Each command lives in its own module under ``gradtutor.cli`` and exposes
``register(app)``. Command modules import typer and rich only; sympy and numpy
are imported inside the command functions so ``gradtutor --help`` stays fast.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from gradtutor import __version__
from gradtutor.cli.exit_codes import ExitCode

# Modules that define commands; each has ``register(app: typer.Typer) -> None``.
# Their order is the order of `gradtutor --help`: the daily loop first.
COMMAND_MODULES: tuple[str, ...] = (
    "gradtutor.cli.check",
    "gradtutor.cli.explain",
    "gradtutor.cli.steps",
    "gradtutor.cli.quiz",
    "gradtutor.cli.progress",
    "gradtutor.cli.learn",
    "gradtutor.cli.descend",
    "gradtutor.cli.exercises",
    "gradtutor.cli.backprop",
)

HELP = """\
A terminal tutor for the calculus behind neural networks: practise derivatives, partial \
derivatives, the chain rule and gradients until you are sure of them, and watch gradient \
descent work and fail.

[b]Examples[/b]

  gradtutor                                [dim]# home: progress and what next[/dim]
  gradtutor check "d/dx(3x^3)" "9x^2"      [dim]# is this answer right?[/dim]
  gradtutor explain "d/dx(x^2 sin(x))"     [dim]# a worked solution[/dim]
  gradtutor steps work.txt                 [dim]# your derivation, line by line[/dim]
  gradtutor quiz --topic chain-rule        [dim]# practise; progress is saved[/dim]
  gradtutor learn gradient-descent         [dim]# a short lesson[/dim]
  gradtutor descend rosenbrock -o sgd,adam [dim]# optimizers race downhill[/dim]
  gradtutor backprop "x*w + w^2" --at x=3,w=2  [dim]# a graph, forward and back[/dim]

Exit codes: 0 correct/success, 1 wrong answer or failed check, 2 invalid input or \
usage, 3 undetermined (time limit), 130 interrupted.
"""

app = typer.Typer(
    name="gradtutor",
    help=HELP,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"gradtutor {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        help="Show the version and exit.",
        callback=_version_callback,
        is_eager=True,
    ),
) -> None:
    """A terminal tutor for the calculus behind neural networks."""
    if ctx.invoked_subcommand is None:
        home = _home_screen()
        if home is not None:
            home(ctx)
        else:
            typer.echo(ctx.get_help())


def _home_screen():  # type: ignore[no-untyped-def]
    """The no-argument home screen, if the tutor module provides one."""
    try:
        module = importlib.import_module("gradtutor.cli.home")
    except ModuleNotFoundError:
        return None
    return getattr(module, "home", None)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Entry point: run the app and map anything unexpected to a clear exit status."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(ExitCode.OK)
    except Exception as exc:  # the last line of defence: never a traceback
        if os.environ.get("GRADTUTOR_DEBUG"):
            raise
        sys.stderr.write(
            f"gradtutor: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in gradtutor; run with GRADTUTOR_DEBUG=1 for details.\n"
        )
        sys.exit(ExitCode.INTERNAL)
