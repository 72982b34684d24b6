"""Exit statuses shared by every command (a public contract, see README).

:class:`ExitCode` lives in the core module :mod:`gradtutor.errors`, beside the errors that
carry it; it is re-exported here for the commands."""

from __future__ import annotations

from gradtutor.errors import ExitCode

__all__ = ["ExitCode"]
