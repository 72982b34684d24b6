"""Text from outside gradtutor (a teacher's pack, the progress database, a recording),
made safe to show on a terminal.

A terminal obeys the control characters in what it is sent: ESC starts sequences that
can retitle the window, clear the screen or write the clipboard; a carriage return or
backspace can overwrite what was printed; bidirectional overrides reorder a line. So
every such character is shown as a visible escape (``\\x1b``) instead. Newlines and
tabs stay: prompts and hints have several lines. Rich markup is a separate matter: the
renderers print untrusted text as plain text, never as markup.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, the Unicode line and paragraph
# separators, and the bidirectional embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str) -> str:
    """``text`` with every terminal control character shown as a visible escape."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_visible, text)


def valid_utf8(text: str) -> str:
    """``text`` without lone surrogates (undecodable input bytes): each becomes U+FFFD,
    so it can be stored in SQLite and written to any stream."""
    return _SURROGATE.sub("\ufffd", text)
