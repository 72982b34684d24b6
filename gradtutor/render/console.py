"""Build rich Consoles per invocation (never at import time).

rich already honours NO_COLOR, TERM=dumb and non-terminal output; this module is
the one place that decides widths and streams so commands and tests agree.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console


def make_console(
    *, stderr: bool = False, file: TextIO | None = None, width: int | None = None
) -> Console:
    """A Console for one command run; ``file``/``width`` let tests pin the output."""
    stream = file if file is not None else (sys.stderr if stderr else sys.stdout)
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)
