"""One way for commands to report bad input: a message, the caret, a hint; JSON if asked."""

from __future__ import annotations

import json
import sys

import typer

from gradtutor.cli.exit_codes import ExitCode


def fail(
    command: str,
    message: str,
    *,
    caret: str = "",
    hint: str | None = None,
    column: int | None = None,
    json_output: bool = False,
    code: ExitCode = ExitCode.INVALID,
) -> None:
    """Write the error to stderr (and ``{"error": {"message", "column", "hint"}}`` to stdout
    with --json), then exit with ``code``. ``column`` is 0-based, or None."""
    if json_output:
        error = {"message": message, "column": column, "hint": hint}
        sys.stdout.write(json.dumps({"error": error}, ensure_ascii=False) + "\n")
    lines = [f"gradtutor {command}: {message}"]
    if caret:
        lines.extend("  " + line for line in caret.split("\n"))
    if hint:
        lines.append(f"hint: {hint}")
    sys.stderr.write("\n".join(lines) + "\n")
    raise typer.Exit(code)
