"""Errors a learner can read: a message, the column, and a hint where one applies."""

from __future__ import annotations


def printable(text: str) -> str:
    """The text with control characters shown as '?', one for one (columns unchanged)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


class ParseError(ValueError):
    """The text could not be read as maths.

    Attributes:
        message: what is wrong, in a learner's words.
        text: the text that was read (after look-alike characters were normalised).
        column: 0-based index of the offending character, or None.
        hint: a suggestion ("did you mean sin(x)?"), or None.
    """

    def __init__(
        self, message: str, text: str = "", column: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.column = column
        self.hint = hint

    def caret(self) -> str:
        """The text with a caret under the offending column (empty without a column)."""
        if self.column is None or not self.text:
            return ""
        line = printable(self.text)
        return f"{line}\n{' ' * min(self.column, len(line))}^"

    def __str__(self) -> str:
        where = f" (column {self.column + 1})" if self.column is not None else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.message}{where}{hint}"


class TooLargeError(ParseError):
    """A number, power or factorial too large to compute with safely."""
