"""One error channel: every error a learner or a teacher can cause carries its exit status.

:class:`GradtutorError` is the base of every such error (a maths text that can't be read,
a pack that can't be used, an optimizer that doesn't exist, a bad option). It carries the
message, the exit status, and where it applies the 0-based column of the offending
character in ``text`` and a hint. The command line reports it in one way (see
``gradtutor.cli.reporting``): ``gradtutor COMMAND: message``, the text with a caret under
the column, ``hint: …``, and with ``--json`` the object :meth:`GradtutorError.to_json` on
stdout. Anything else that escapes a command is a bug: exit 70.

Core module: no rich, typer, sympy or numpy (``gradtutor --help`` imports it).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """Exit statuses shared by every command (a public contract, see README)."""

    OK = 0  # success / correct
    WRONG = 1  # wrong answer or failed check
    INVALID = 2  # invalid input or usage
    UNDETERMINED = 3  # time limit ran out, or methods disagreed
    INTERNAL = 70  # a bug in gradtutor (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C


def printable(text: str) -> str:
    """The text with control characters shown as '?', one for one (columns unchanged)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


class GradtutorError(Exception):
    """An error with a message for people and the exit status it ends a command with.

    Attributes:
        message: what is wrong, in the reader's words.
        exit_code: the status a command ends with (2, invalid input, unless said).
        text: the text that was read, for the caret display ("" if none).
        column: 0-based index of the offending character in ``text``, or None.
        hint: a suggestion ("did you mean sin(x)?"), or None.
    """

    exit_code: int = ExitCode.INVALID

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        column: int | None = None,
        hint: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.column = column
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def caret(self) -> str:
        """The text with a caret under the offending column (empty without a column)."""
        if self.column is None or not self.text:
            return ""
        line = printable(self.text)
        return f"{line}\n{' ' * min(self.column, len(line))}^"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` error object: ``{"message", "column", "hint"}``."""
        return {"message": self.message, "column": self.column, "hint": self.hint}

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross from worker processes to the command by pickle. The default rebuilds
        # an exception by calling its class with ``args``, which fails for subclasses whose
        # constructor takes other arguments than the message (PackError(file, id, reason)).
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(cls: type[GradtutorError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class UsageError(GradtutorError, ValueError):
    """Bad command-line use (options that don't go together, a value out of range):
    exit 2. ``show_help`` adds the line ``Try 'gradtutor COMMAND --help'.``."""

    def __init__(self, message: str, *, hint: str | None = None, show_help: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.show_help = show_help
