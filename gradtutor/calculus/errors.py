"""Errors a learner can read: a message, the column, and a hint where one applies."""

from __future__ import annotations

from gradtutor.errors import GradtutorError, printable

__all__ = ["ParseError", "TooLargeError", "printable"]


class ParseError(GradtutorError, ValueError):
    """The text could not be read as maths (exit 2).

    Attributes:
        message: what is wrong, in a learner's words.
        text: the text that was read (after look-alike characters were normalised).
        column: 0-based index of the offending character, or None.
        hint: a suggestion ("did you mean sin(x)?"), or None.
    """

    def __init__(
        self, message: str, text: str = "", column: int | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, text=text, column=column, hint=hint)

    def __str__(self) -> str:
        where = f" (column {self.column + 1})" if self.column is not None else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.message}{where}{hint}"


class TooLargeError(ParseError):
    """A number, power or factorial too large to compute with safely."""
