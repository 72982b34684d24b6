"""How every command reports a :class:`~gradtutor.errors.GradtutorError`: one place.

A command raises the error (or lets the core's propagate); :class:`ReportingCommand`, the
class of every command (see ``app._build``), catches it and writes

    gradtutor COMMAND: message
      the text read
           ^            (a caret under the column, when there is one)
    hint: …             (when there is one)
    Try 'gradtutor COMMAND --help'.   (a usage error that asks for it)

to stderr — and, when the command was given ``--json``, ``{"error": {"message", "column",
"hint"}}`` to stdout first, so a script reading stdout always reads JSON (``check --json``
reports bad maths in its verdict object: that is a result, not an error) — then exits with
the error's status. The command's name and its ``--json`` come from click's parsed
context, not from a scan of the arguments.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from typer.core import TyperCommand

from gradtutor.errors import GradtutorError


def report(error: GradtutorError, command: str | None = None, *, json_output: bool = False) -> int:
    """Write ``error`` as above; its exit status. ``command`` is ``check`` or
    ``exercises list``; None for an error outside any command (``gradtutor: …``)."""
    if json_output:
        sys.stdout.write(json.dumps({"error": error.to_json()}, ensure_ascii=False) + "\n")
    prefix = f"gradtutor {command}" if command else "gradtutor"
    lines = [f"{prefix}: {error.message}"]
    caret = error.caret()
    if caret:
        lines.extend("  " + line for line in caret.split("\n"))
    if error.hint:
        lines.append(f"hint: {error.hint}")
    if getattr(error, "show_help", False):
        lines.append(f"Try '{prefix} --help'.")
    sys.stderr.write("\n".join(lines) + "\n")
    return int(error.exit_code)


class ReportingCommand(TyperCommand):
    """A command that reports the GradtutorError its callback raises (see the module)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GradtutorError as error:
            name = _command_name(ctx)
            raise typer.Exit(report(error, name, json_output=_json_given(ctx))) from None


def _json_given(ctx: Any) -> bool:
    """Whether ``--json`` was given: the value of the option spelt ``--json``, whatever its
    parameter is called (``json_output``, ``as_json``)."""
    for param in ctx.command.params:
        if "--json" in getattr(param, "opts", ()):
            return bool(ctx.params.get(param.name, False))
    return False


def _command_name(ctx: Any) -> str:
    """``check``, or ``exercises list`` for a sub-command (the program's own name, which
    depends on how it was started, left out)."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(reversed(names))


def install(app: typer.Typer) -> None:
    """Make every command of ``app`` (and of its sub-apps) a :class:`ReportingCommand`."""
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):  # typer's default: no command sets its own
            info.cls = ReportingCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            install(group.typer_instance)
