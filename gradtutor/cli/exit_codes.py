"""Exit statuses shared by every command (a public contract, see README)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # success / correct
    WRONG = 1  # wrong answer or failed check
    INVALID = 2  # invalid input or usage
    UNDETERMINED = 3  # time limit ran out, or methods disagreed
    INTERNAL = 70  # a bug in gradtutor (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C
