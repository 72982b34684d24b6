"""gradtutor: a terminal tutor for the calculus behind neural networks.

The public Python API is re-exported lazily so that ``import gradtutor`` (and so
``gradtutor --help``) does not pay for importing sympy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "check", "parse"]

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.calculus.guarded import check
    from gradtutor.calculus.parsing import parse


def __getattr__(name: str) -> Any:
    if name == "check":  # the engine's check in a worker process, killed at the deadline
        from gradtutor.calculus.guarded import check

        return check
    if name == "parse":
        from gradtutor.calculus.parsing import parse

        return parse
    raise AttributeError(f"module 'gradtutor' has no attribute {name!r}")
