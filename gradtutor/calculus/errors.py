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


def maths_failure(exc: BaseException) -> bool:
    """Whether ``exc`` only means that sympy or mpmath could not take some maths apart, for
    optional work on a learner's or a pack's expressions (a hint, a misconception's name,
    a worked number), where that means "no hint here":

        except Exception as exc:
            if not maths_failure(exc):
                raise  # a bug in gradtutor: exit 70
            return []

    It is an ArithmeticError, TypeError, ValueError (so ParseError, TaskError),
    NotImplementedError, a sympy polynomial error, mpmath's NoConvergence, input too deep
    or too large (RecursionError, MemoryError) — or any exception raised inside sympy or
    mpmath themselves (sympy 1.14's sec and csc raise AttributeError from their
    assumptions on some arguments). An AttributeError, KeyError, IndexError, NameError,
    AssertionError … raised in gradtutor's own code is a bug, and this says False; so is
    the time limit (TimeLimitExceeded, injected wherever the work was, often in sympy).
    """
    from mpmath.libmp import NoConvergence
    from sympy.polys.polyerrors import BasePolynomialError

    from gradtutor.calculus.timelimit import TimeLimitExceeded

    if isinstance(exc, TimeLimitExceeded):
        return False

    expected = (
        ArithmeticError,
        TypeError,
        ValueError,
        NotImplementedError,
        RecursionError,
        MemoryError,
        BasePolynomialError,
        NoConvergence,
    )
    return isinstance(exc, expected) or _raised_in_libraries(exc)


def _raised_in_libraries(exc: BaseException) -> bool:
    import os

    import mpmath
    import sympy

    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    where = os.path.abspath(tb.tb_frame.f_code.co_filename)
    libraries = (os.path.dirname(os.path.abspath(m.__file__ or "")) for m in (sympy, mpmath))
    return any(where.startswith(root + os.sep) for root in libraries)
