"""The standard streams as gradtutor finds them, made safe before any command runs.

- A closed stream (``<&-``, ``>&-``): its descriptor is re-opened on /dev/null so no
  file opened later (a database!) takes its number, and the Python stream is replaced
  by one that raises :class:`StreamClosed` when used, so the command stops with a
  sentence naming the stream, exit 2.
- An output that cannot carry Unicode (ascii, latin-1): everything written is spelled in
  plain ASCII (``x^2``, ``d/dx``); see :mod:`gradtutor.render.plain_text`.
- Input that is not UTF-8: each bad byte reads as U+FFFD instead of failing.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any, TextIO

from gradtutor.render import plain_text


class StreamClosed(OSError):
    """A command needed a standard stream that was closed when gradtutor started."""

    def __init__(self, name: str) -> None:
        super().__init__(errno.EBADF, f"{name} is closed")
        self.name = name

    def __str__(self) -> str:
        return f"{self.name} is closed"


class ClosedStream(io.TextIOBase):
    """Stands in for a standard stream that was closed: any use says so."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def closed(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    @property
    def buffer(self) -> Any:
        raise StreamClosed(self.name)

    def readable(self) -> bool:
        return self.name == "standard input"

    def writable(self) -> bool:
        return self.name != "standard input"

    def fileno(self) -> int:
        raise StreamClosed(self.name)

    def read(self, size: int | None = -1) -> str:
        raise StreamClosed(self.name)

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]  # typeshed: _IOBase.readline -> bytes
        raise StreamClosed(self.name)

    def write(self, text: str) -> int:
        raise StreamClosed(self.name)

    def flush(self) -> None:
        return None


class Discard(io.TextIOBase):
    """A closed standard error: messages have nowhere to go, the exit status still says."""

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


class PlainWriter(io.TextIOBase):
    """Writes everything to ``stream`` in plain ASCII (for outputs that lack Unicode)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def encoding(self) -> str:  # type: ignore[override]  # an attribute in TextIOBase
        return self._stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]  # an attribute in TextIOBase
        return self._stream.errors

    def writable(self) -> bool:
        return True

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes | bytearray):  # click.echo may hand over bytes
            self._stream.write(plain_text.plain(bytes(text).decode("utf-8", "replace")))
        else:
            self._stream.write(plain_text.plain(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def prepare() -> None:
    """Make the three standard streams safe (see the module docstring)."""
    plain_text.register()
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if _closed(fd):
            _hold(fd)
            label = {"stdin": "standard input", "stdout": "standard output"}.get(name)
            setattr(sys, name, ClosedStream(label) if label else Discard())
    if isinstance(sys.stdin, io.TextIOWrapper):
        with contextlib.suppress(ValueError, io.UnsupportedOperation):
            sys.stdin.reconfigure(errors="replace")
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, io.TextIOWrapper):
            continue
        stream.reconfigure(errors=plain_text.HANDLER)
        if not plain_text.carries_unicode(stream.encoding):
            setattr(sys, name, PlainWriter(stream))


def _closed(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def _hold(fd: int) -> None:
    """Put /dev/null on the closed descriptor ``fd`` so nothing else is given it."""
    try:
        opened = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    if opened != fd:
        os.dup2(opened, fd)
        os.close(opened)


def discard_stdout() -> None:
    """After the output failed: point descriptor 1 at /dev/null, so what is still
    buffered is dropped quietly at exit instead of failing again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def say(message: str) -> None:
    """Write one line to stderr, if stderr can take it."""
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


WRITE_FAILURES = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too large",
    errno.EIO: "an input/output error",
}
