"""Animation output: frames as ANSI, redrawing only the lines that changed.

rich's ``Live`` rewrites every line on every refresh; a truecolor heatmap is
~30 bytes per cell, so at 120×40 that is ~150 KB a frame. ``Screen`` keeps the
previous frame and emits only changed lines (relative cursor moves, like Live),
and the same bytes feed the asciicast recorder, stamped by the frame clock
(frame i at i/fps seconds) so a recording is reproducible.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.color import ColorSystem
from rich.console import Console
from rich.style import Style

from gradtutor.render.descent_frame import DescentView, Row

HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"
RESET = "\x1b[0m"

COLOR_SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
    "windows": ColorSystem.WINDOWS,
}


class AnsiLines:
    """Turns runs of (text, Style) into ANSI strings, one SGR prefix per style (cached)."""

    def __init__(self, color_system: str | None) -> None:
        self.system = COLOR_SYSTEMS.get(color_system or "")
        self._prefix: dict[int, tuple[Style, str]] = {}
        self._lines: dict[int, tuple[Row, str]] = {}  # cached rows (the bare surface)

    def prefix(self, style: Style) -> str:
        hit = self._prefix.get(id(style))
        if hit is not None and hit[0] is style:
            return hit[1]
        # a copy: rich caches a style's codes for the first colour system it meets
        code = style.copy().render("\x00", color_system=self.system).split("\x00")[0]
        self._prefix[id(style)] = (style, code)
        return code

    def line(self, runs: Row) -> str:
        hit = self._lines.get(id(runs))
        if hit is not None and hit[0] is runs:
            return hit[1]
        parts = []
        for text, style in runs:
            code = self.prefix(style) if style is not None and self.system else ""
            parts.append(f"{code}{text}{RESET}" if code else text)
        joined = "".join(parts)
        if isinstance(runs, tuple):  # the frame's persistent rows; the cache keeps them alive
            self._lines[id(runs)] = (runs, joined)
        return joined


@dataclass
class Screen:
    """The frame on the terminal; ``render`` returns the bytes that update it."""

    ansi: AnsiLines
    shown: list[str] = field(default_factory=list)

    def render(self, lines: list[Row]) -> str:
        new = [self.ansi.line(line) for line in lines]
        old, n = self.shown, len(self.shown)
        self.shown = new
        if n == 0:
            return "".join(f"{text}\x1b[K\n" for text in new)
        if len(new) != n:  # re-fitted to a new size: clear the old frame, draw afresh
            return f"\x1b[{n}A\r\x1b[J" + "".join(f"{text}\x1b[K\n" for text in new)
        out = []
        for i, (was, now) in enumerate(zip(old, new, strict=True)):
            if was != now:
                up = n - i
                out.append(f"\x1b[{up}A\r{now}\x1b[K\x1b[{up}B\r")
        return "".join(out)


@dataclass
class Cast:
    """An asciicast v2 recording: a header line, then [time, "o", data] events."""

    width: int
    height: int
    title: str = ""
    events: list[tuple[float, str]] = field(default_factory=list)

    def add(self, t: float, data: str) -> None:
        if data:
            self.events.append((round(t, 6), data))

    def dumps(self) -> str:
        header: dict[str, Any] = {
            "version": 2,
            "width": self.width,
            "height": self.height,
            "env": {"TERM": "xterm-256color"},
        }
        if self.title:
            header["title"] = self.title
        lines = [json.dumps(header)]
        lines += [json.dumps([t, "o", data], ensure_ascii=False) for t, data in self.events]
        return "\n".join(lines) + "\n"


def frame_steps(last: int, every: int) -> list[int]:
    """Which steps are drawn: 0, every, 2·every, … and always the last."""
    steps = list(range(0, last + 1, max(1, every)))
    if steps[-1] != last:
        steps.append(last)
    return steps


@dataclass
class Playback:
    shown_step: int
    interrupted: bool


def play(
    view: DescentView,
    *,
    console: Console | None,
    fps: float,
    every: int,
    cast: Cast | None = None,
    color_system: str | None = "truecolor",
    size: tuple[int, int] = (80, 24),
    sleep: Callable[[float], None] = time.sleep,
) -> Playback:
    """Animate on ``console`` (None: only record). Ctrl-C stops and reports the step shown."""
    ansi = AnsiLines(console.color_system if console is not None else color_system)
    screen = Screen(ansi)
    steps = frame_steps(view.last_step, every)
    out = console.file if console is not None else None
    shown = 0
    start = time.monotonic()
    try:
        if out is not None:
            out.write(HIDE_CURSOR)
        for i, step in enumerate(steps):
            width, height = console.size if console is not None else size
            data = screen.render(view.lines(step, width - 1, height - 1))
            if cast is not None:
                cast.add(i / fps, data)
            if out is not None:
                out.write(data)
                out.flush()
                shown = step
                delay = start + (i + 1) / fps - time.monotonic()
                if delay > 0 and i + 1 < len(steps):
                    sleep(delay)
            shown = step
    except KeyboardInterrupt:
        return Playback(shown, True)
    finally:
        if out is not None:
            out.write(SHOW_CURSOR)
            out.flush()
    return Playback(shown, False)
