"""The ``gradtutor`` command: a thin typer shell over the pure core.

Each command lives in its own module under ``gradtutor.cli`` and exposes
``register(app)``. Command modules import typer and rich only; sympy and numpy
are imported inside the command functions so ``gradtutor --help`` stays fast.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

from gradtutor.cli import streams
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError

if TYPE_CHECKING:  # pragma: no cover
    import typer

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
    "gradtutor.cli.play",
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

_APP: typer.Typer | None = None


def __getattr__(name: str) -> Any:
    """``app`` is built on first use, so that the entry point imports almost nothing
    before :func:`main` can catch a Ctrl-C."""
    if name == "app":
        return _application()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _application() -> typer.Typer:
    global _APP
    if _APP is None:
        _APP = _build()
    return _APP


def _build(only: str | None = None) -> typer.Typer:
    """The app with every command, or with only the command module ``only`` (the one
    being run: importing the others, and building their parameters, is start-up time)."""
    global typer  # the commands' annotations (typer.Context) are resolved in this module
    import typer

    from gradtutor import __version__

    app = typer.Typer(
        name="gradtutor",
        help=HELP,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        add_completion=True,
    )

    def version_callback(value: bool) -> None:
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
            callback=version_callback,
            is_eager=True,
        ),
    ) -> None:
        """A terminal tutor for the calculus behind neural networks."""
        if ctx.invoked_subcommand is None:
            from gradtutor.cli.errors import report
            from gradtutor.cli.home import home

            try:
                home(ctx)
            except GradtutorError as error:  # no command here: "gradtutor: message"
                raise typer.Exit(report(error)) from None

    from gradtutor.cli.errors import install

    for name in COMMAND_MODULES if only is None else (only,):
        importlib.import_module(name).register(app)
    install(app)  # every command reports a GradtutorError the same way
    return app


def _invoked_module(argv: list[str]) -> str | None:
    """The command module of ``gradtutor COMMAND …`` when COMMAND is the first argument
    and no shell completion is asked for; else None (build every command)."""
    if len(argv) < 2 or any(key.endswith("_COMPLETE") for key in os.environ):
        return None
    name = f"gradtutor.cli.{argv[1]}"
    return name if name in COMMAND_MODULES else None


def main() -> None:
    """Entry point: run the app and map everything that can go wrong to a clear status.

    Streams first (closed, not UTF-8, a pipe whose reader left, a full disk), then the
    exit status: a closed pipe ends quietly with 141 (128 + SIGPIPE, as ``cat`` and
    ``yes`` do), a full disk says so with 1, a closed stream a command needs with 2,
    Ctrl-C anywhere with 130 and a newline, a GradtutorError with its own status (each
    command reports it: see cli.errors), anything else — a bug — with 70."""
    code: int = ExitCode.INTERRUPTED
    try:
        code = _run()
    except KeyboardInterrupt:  # between the command's end and here
        streams.say("\ninterrupted")
    finally:
        # The work is done and said: a Ctrl-C while Python shuts down changes nothing, and
        # must not turn the status into death by signal.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


def _run() -> int:
    try:
        streams.prepare()
        sys.argv[1:] = maths_arguments(sys.argv[1:])
        only = _invoked_module(sys.argv)
        if only == "gradtutor.cli.check" and not {"--batch", "--help", "-h"} & set(sys.argv):
            _prestart_worker()
        application = _application() if only is None else _build(only)
        try:
            application()
        except SystemExit as exc:
            code = _status_of(exc)
        except GradtutorError as exc:  # outside any command (a command reports its own)
            from gradtutor.cli.errors import report

            code = report(exc)
        else:  # pragma: no cover - typer's standalone mode always exits
            code = ExitCode.OK
        if code != PIPE_CLOSED:
            sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        streams.say("\ninterrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        streams.discard_stdout()
        return PIPE_CLOSED
    except streams.StreamClosed as exc:
        what = "can't write the output" if exc.name == "standard output" else "nothing to read"
        streams.say(f"gradtutor: {what}: {exc.name} is closed")
        return ExitCode.INVALID
    except OSError as exc:
        if exc.errno not in streams.WRITE_FAILURES:
            return _bug(exc)
        streams.discard_stdout()
        streams.say(f"gradtutor: can't write the output: {streams.WRITE_FAILURES[exc.errno]}")
        return ExitCode.WRONG
    except Exception as exc:  # the last line of defence: never a traceback
        return _bug(exc)


_MATHS_MARKS = frozenset("^*/()+ '[]{}|!\\√σ")


def maths_arguments(args: list[str]) -> list[str]:
    """Expressions that start with a minus sign, made arguments rather than options.

    ``gradtutor descend "-cos(x)"`` was read as ``-c -o s(x)`` ("unknown optimizer 's(x)'"),
    ``explain "-x^2" --wrt x`` as ``--wrt ^2``. An argument that starts with ``-`` and then
    a digit and a letter (``-2x``), or contains a mark no option has (``^ * / ( ) +``, a
    space, …), gets a leading space, which the maths reader skips and click does not take
    for an option."""
    out: list[str] = []
    for n, arg in enumerate(args):
        if arg == "--":
            return out + args[n:]
        product = arg[1:2].isdigit() and any(c.isalpha() for c in arg)  # -2x, not -2,1
        looks_like_maths = product or any(c in _MATHS_MARKS for c in arg)
        if arg.startswith("-") and not arg.startswith("--") and looks_like_maths:
            arg = " " + arg
        out.append(arg)
    return out


def _prestart_worker() -> None:
    """A one-shot check will run in a worker process: fork it now, before sympy is imported
    anywhere, so that it imports sympy while this process imports typer and parses the
    options (two cores at work instead of one after the other); this process then never
    imports sympy at all. The check's hard time limit is unchanged (see worker.prestart).

    The worker imports the checker but not the misconception library: a right answer
    never needs it, and a wrong one imports it in a few milliseconds of its time limit."""
    from gradtutor.calculus import worker

    worker.prestart()


PIPE_CLOSED = 141  # 128 + SIGPIPE: the reader of the output went away (`| head -1`)


def _status_of(exit: SystemExit) -> int:
    """The status of typer's SystemExit, recognising the two events typer maps itself:
    Ctrl-C (Exit(130) from a KeyboardInterrupt) and a closed pipe (exit 1 from EPIPE)."""
    context = exit.__context__
    if isinstance(context, BrokenPipeError):
        streams.discard_stdout()
        return PIPE_CLOSED
    if context is not None and isinstance(context.__cause__, KeyboardInterrupt):
        streams.say("\ninterrupted")
        return ExitCode.INTERRUPTED
    code = exit.code
    if code is None:
        return ExitCode.OK
    if isinstance(code, int):
        return code
    streams.say(str(code))
    return ExitCode.WRONG


def _bug(exc: BaseException) -> int:
    if os.environ.get("GRADTUTOR_DEBUG"):
        raise exc
    streams.say(
        f"gradtutor: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in gradtutor; run with GRADTUTOR_DEBUG=1 for details."
    )
    return ExitCode.INTERNAL
