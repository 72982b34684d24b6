"""``gradtutor play FILE.cast``: play an asciicast recording back in the terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from gradtutor.cli.exit_codes import ExitCode

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.render.asciicast import Recording

HELP = """\
Play an asciicast v2 recording (from [b]descend --record[/b], or asciinema) in this \
terminal, at its own pace; no asciinema needed.

A recording is treated as untrusted: only text, colours and cursor moves reach the \
terminal (no window titles, clipboard writes or terminal queries). Piped, the \
output is written at once, without the pauses. Ctrl-C stops.

[b]Examples[/b]

  gradtutor descend beale --record beale.cast
  gradtutor play beale.cast
  gradtutor play beale.cast --speed 2          [dim]# twice as fast[/dim]
  gradtutor play beale.cast --idle-limit 0.5   [dim]# no pause longer than 0.5 s[/dim]
"""

RESET = "\x1b[0m\x1b[?25h"  # plain text and a visible cursor, whatever the recording left


def register(app: typer.Typer) -> None:
    app.command("play", help=HELP, rich_help_panel="Explore")(play_command)


def play_command(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE.cast", help="The recording to play.", show_default=False),
    ],
    speed: Annotated[
        float,
        typer.Option("--speed", "-s", help="Playback speed: 2 is twice as fast.", min=0.01),
    ] = 1.0,
    idle_limit: Annotated[
        float | None,
        typer.Option(
            "--idle-limit", "-i", metavar="SECONDS", help="Shorten longer pauses to this.", min=0
        ),
    ] = None,
) -> None:
    from gradtutor.render.asciicast import read_cast

    recording = read_cast(file)  # not a readable recording: its CastError, exit 2
    out = sys.stdout
    terminal = out.isatty()
    if terminal:
        _warn_if_larger(recording)
    try:
        play(recording, out, speed=speed, idle_limit=idle_limit, pause=terminal)
    except KeyboardInterrupt:
        out.write(RESET + "\n")
        out.flush()
        sys.stderr.write("interrupted\n")
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    if terminal:
        out.write(RESET)
    out.flush()


def play(
    recording: Recording,
    out: TextIO,
    *,
    speed: float = 1.0,
    idle_limit: float | None = None,
    pause: bool = True,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Write the recording's output, each event at its time (divided by ``speed``, pauses
    capped at ``idle_limit``); return the playback time it took, in recording seconds."""
    from gradtutor.render.asciicast import Sanitizer

    cleaner = Sanitizer()
    start = clock()
    shifted = previous = 0.0  # time removed by the idle limit; the last event's time
    for when, data in recording.events:
        gap = when - previous
        if idle_limit is not None and gap > idle_limit:
            shifted += gap - idle_limit
        previous = when
        due = (when - shifted) / speed
        if pause:
            delay = start + due - clock()
            if delay > 0:
                out.flush()
                sleep(delay)
        out.write(cleaner.feed(data))
    return previous - shifted


def _warn_if_larger(recording: Recording) -> None:
    import shutil

    columns, rows = shutil.get_terminal_size()
    if recording.width > columns or recording.height > rows:
        sys.stderr.write(
            f"note: recorded at {recording.width}×{recording.height}, this terminal is "
            f"{columns}×{rows}: lines may wrap (enlarge the window for a clean picture)\n"
        )
