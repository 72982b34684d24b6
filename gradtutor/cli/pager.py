"""A small ``more``-like pager for long text on a terminal.

Why not ``less`` or rich's ``Console.pager``: both hand the text to an external
program (``$PAGER``, ``less`` without ``-R`` shows colour codes raw, and a system may
have none), and the text then vanishes from the screen when it ends. This pager
writes page after page into the normal scrollback, so what was read stays on the
screen (the "Try it" commands included) and a learner can copy from it.

Keys: Space (or f, PageDown) the next page, Enter (or j, Down) one more line,
b (or PageUp) the page before, q (or Esc) stop. At the end of the text it stops
by itself. Ctrl-C stops too, as an interruption.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TextIO

NEXT_PAGE = {" ", "f", "\x1b[6~", "\x06"}
NEXT_LINE = {"\r", "\n", "j", "\x1b[B", "\x0e"}
PREVIOUS_PAGE = {"b", "\x1b[5~", "\x02", "k", "\x1b[A"}
QUIT = {"q", "Q", "\x1b", "\x04"}

CLEAR = "\x1b[H\x1b[2J"
ERASE_LINE = "\r\x1b[K"


def prompt(first: int, last: int, total: int, *, plain: bool) -> str:
    """The status line: which lines are on screen and the keys."""
    percent = 100 * last // total
    text = f" lines {first}–{last} of {total} ({percent}%) · Space: more · b: back · q: quit "
    return text if plain else f"\x1b[7m{text}\x1b[0m"


def page(
    lines: Sequence[str],
    *,
    out: IO[str],
    height: int,
    read_key: Callable[[], str],
    plain: bool = False,
) -> None:
    """Write ``lines`` (already styled) a screen of ``height`` rows at a time."""
    rows = max(1, height - 1)  # the last row is the prompt
    total = len(lines)
    end = min(rows, total)
    out.write("".join(line + "\n" for line in lines[:end]))
    while end < total:
        out.write(prompt(max(1, end - rows + 1), end, total, plain=plain))
        out.flush()
        key = read_key()
        out.write(ERASE_LINE)
        if key in QUIT:
            break
        if key in PREVIOUS_PAGE:
            start = max(0, end - 2 * rows)
            end = min(start + rows, total)
            out.write(CLEAR + "".join(line + "\n" for line in lines[start:end]))
            continue
        step = 1 if key in NEXT_LINE else rows if key in NEXT_PAGE else 0
        stop = min(end + step, total)
        out.write("".join(line + "\n" for line in lines[end:stop]))
        end = stop
    out.flush()


@contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def terminal_keys(stream: TextIO | None = None) -> Callable[[], str] | None:
    """A key reader on the terminal (None if input is not one): one key, or one escape
    sequence such as an arrow, per call."""
    stream = stream if stream is not None else sys.stdin
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    if not os.isatty(fd):
        return None

    def read_key() -> str:
        with _cbreak(fd):
            data = os.read(fd, 8)
        return data.decode("utf-8", "replace") if data else "q"  # end of input: stop

    return read_key
