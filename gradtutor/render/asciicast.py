"""Reading an asciicast v2 recording to play it back: untrusted input, made safe.

A recording is a file from anywhere. Its output events are written to the learner's
terminal, and a terminal obeys more than colours: OSC sequences set the window title,
write the clipboard (OSC 52) or make links; ``ESC [ 6 n`` and friends make the
terminal *type* a reply into whatever reads it next; DCS, APC and C1 controls reach
further still. So every event goes through ``Sanitizer``, which keeps only what a
recording of a terminal program needs to redraw its screen:

* text, newline, carriage return, tab and backspace;
* CSI sequences with numeric parameters ending in ``m`` (colours and styles), ``A``–``H``,
  ``f`` (cursor moves), ``J``/``K`` (erase) and ``?25h``/``?25l`` (show/hide the cursor).

Everything else is dropped whole, never passed on in part. A sequence split across
two events is joined first (recorders cut output anywhere).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from gradtutor.errors import GradtutorError

MAX_BYTES = 64 * 1024 * 1024  # a recording larger than this is refused unread
MAX_SIZE = 1000  # columns or rows in the header

# CSI: ESC [ , parameter bytes, intermediate bytes, one final byte
_CSI = re.compile(r"\x1b\[([\x30-\x3f]*)([\x20-\x2f]*)([\x40-\x7e])")
_ALLOWED_FINALS = set("mABCDEFGHfJK")
_NUMERIC = re.compile(r"[0-9;:]{0,64}")
_KEPT_CONTROLS = {"\n", "\r", "\t", "\b"}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1 (ESC among them)
# string sequences (OSC, DCS, SOS, PM, APC): up to BEL or ST (ESC \)
_STRING_STARTS = {"]", "P", "X", "^", "_"}


class CastError(GradtutorError, ValueError):
    """A file that is not a readable asciicast v2 recording; the message says why."""


@dataclass(frozen=True)
class Recording:
    """A recording's header and its output events, ``(seconds from the start, text)``."""

    width: int
    height: int
    title: str
    events: tuple[tuple[float, str], ...]

    @property
    def duration(self) -> float:
        return self.events[-1][0] if self.events else 0.0


def read_cast(path: Path) -> Recording:
    """Read and check an asciicast v2 file; raise CastError naming the problem (and line)."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise CastError(f"cannot read {path}: {err.strerror}") from None
    if size > MAX_BYTES:
        raise CastError(f"{path} is {size:,} bytes; recordings up to {MAX_BYTES:,} are played")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise CastError(f"cannot read {path}: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise CastError(f"{path} is not UTF-8 text (byte {err.start})") from None
    return parse_cast(text, name=str(path))


def parse_cast(text: str, name: str = "the recording") -> Recording:
    """An asciicast v2 recording from its text (a JSON header line, then JSON events)."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CastError(f"{name} is empty: an asciicast starts with a JSON header line")
    header = _json(lines[0], name, 1)
    if not isinstance(header, dict):
        raise CastError(f"{name}, line 1: the header must be a JSON object")
    if header.get("version") != 2:
        raise CastError(
            f"{name}: asciicast version {header.get('version')!r} is not supported "
            "(gradtutor plays version 2, the one `descend --record` writes)"
        )
    width, height = _size(header, "width", name), _size(header, "height", name)
    title = header.get("title", "")
    title = Sanitizer.plain(title) if isinstance(title, str) else ""
    events: list[tuple[float, str]] = []
    last = 0.0
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        event = _json(line, name, number)
        if not (isinstance(event, list) and len(event) == 3 and isinstance(event[1], str)):
            raise CastError(f"{name}, line {number}: an event is [time, code, data]")
        when, code, data = event
        if isinstance(when, bool) or not isinstance(when, int | float) or not math.isfinite(when):
            raise CastError(f"{name}, line {number}: the time must be a number of seconds")
        if when < last:
            raise CastError(f"{name}, line {number}: time {when} goes back (before {last})")
        if not isinstance(data, str):
            raise CastError(f"{name}, line {number}: the event's data must be text")
        last = float(when)
        if code == "o":  # output; input ("i"), markers ("m") and resizes ("r") are skipped
            events.append((last, data))
    return Recording(width, height, title, tuple(events))


def _size(header: dict[str, object], key: str, name: str) -> int:
    value = header.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_SIZE:
        raise CastError(f"{name}, line 1: {key} must be a whole number from 1 to {MAX_SIZE}")
    return value


def _json(line: str, name: str, number: int) -> object:
    try:
        return json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        raise CastError(f"{name}, line {number}: not valid JSON") from None


class Sanitizer:
    """Feeds a recording's output through, keeping only the safe controls (see module)."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, data: str) -> str:
        """The safe part of ``data``; an unfinished escape sequence waits for the next feed."""
        text = self._pending + data
        self._pending = ""
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            control = _CONTROL.search(text, i)
            if control is None:
                out.append(text[i:])
                break
            start = control.start()
            out.append(text[i:start])  # plain text up to the next control character
            char = text[start]
            if char != "\x1b":
                if char in _KEPT_CONTROLS:
                    out.append(char)
                i = start + 1
                continue
            end, keep = _escape(text, start)
            if end is None:  # unfinished: keep for the next event (bounded)
                self._pending = text[start:] if n - start <= 4096 else ""
                break
            if keep:
                out.append(text[start:end])
            i = end
        return "".join(out)

    @staticmethod
    def plain(text: str) -> str:
        """``text`` with every control and escape sequence removed (for one-line titles)."""
        cleaner = Sanitizer()
        kept = cleaner.feed(text)
        return "".join(c for c in _CSI.sub("", kept) if not _is_control(c))


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


def _escape(text: str, i: int) -> tuple[int | None, bool]:
    """Where the escape sequence at ``text[i]`` ends, and whether it is kept.
    ``(None, False)`` when the text ends before the sequence does."""
    if i + 1 >= len(text):
        return None, False
    kind = text[i + 1]
    if kind == "[":
        match = _CSI.match(text, i)
        if match is None:
            # unfinished if only parameter/intermediate bytes follow; otherwise malformed
            rest = text[i + 2 :]
            if all(0x20 <= ord(c) <= 0x3F for c in rest):
                return None, False
            return i + 2, False
        params, intermediates, final = match.groups()
        keep = not intermediates and (
            (final in _ALLOWED_FINALS and _NUMERIC.fullmatch(params) is not None)
            or (final in "hl" and params == "?25")
        )
        return match.end(), keep
    if kind in _STRING_STARTS:
        for j in range(i + 2, len(text)):
            if text[j] == "\x07":
                return j + 1, False
            if text[j] == "\x1b" and j + 1 < len(text) and text[j + 1] == "\\":
                return j + 2, False
        return None, False
    if 0x20 <= ord(kind) <= 0x2F:  # ESC, intermediates, final (charset choices and the like)
        j = i + 1
        while j < len(text) and 0x20 <= ord(text[j]) <= 0x2F:
            j += 1
        return (j + 1, False) if j < len(text) else (None, False)
    return i + 2, False  # any other two-character escape (ESC c resets the terminal): dropped
