"""Result dataclasses of the engine and their JSON forms (a public contract, see README)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Number = int | float


class Verdict(StrEnum):
    EQUIVALENT = "equivalent"
    NOT_EQUIVALENT = "not_equivalent"
    DOMAIN_DEPENDENT = "domain_dependent"
    UNDETERMINED = "undetermined"
    INVALID = "invalid"


class LineStatus(StrEnum):
    """The verdict on one line of a learner's derivation (``steps``): right, wrong, not
    readable, or not decided in time. Only a wrong line makes a derivation wrong."""

    OK = "ok"
    WRONG = "wrong"
    INVALID = "invalid"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class Feedback:
    """One piece of feedback: ``kind`` (factor, sign, missing_term, …) and a message."""

    kind: str
    message: str
    id: str | None = None  # a misconception id, for kind == "misconception"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.id is not None:
            data["id"] = self.id
        return data


@dataclass(frozen=True)
class Counterexample:
    """A point where the two sides differ; a value is None where that side is undefined, and
    text (its digits) where it is beyond a double."""

    point: dict[str, Number]
    expected: Number | str | None
    answer: Number | str | None

    def to_json(self) -> dict[str, Any]:
        return {"point": dict(self.point), "expected": self.expected, "answer": self.answer}


def format_number(value: Number | str | None) -> str:
    """A number of a result as people read it: an exact whole number (an int) in full below
    10^15, a float to 6 significant digits (it is rounded already: 12 digits, so one that
    looks whole, 582760686857.0, need not be), one beyond a double (kept as text) as it is,
    and a missing value as "undefined"."""
    if value is None:
        return "undefined"
    if isinstance(value, str):
        return value
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    return f"{value:.6g}"


@dataclass(frozen=True)
class InputError:
    """Why one side could not be read."""

    message: str
    side: str  # "expected" or "answer"
    column: int | None = None
    hint: str | None = None
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "column": self.column,
            "side": self.side,
            "hint": self.hint,
        }

    def caret(self) -> str:
        if self.column is None or not self.text:
            return ""
        from gradtutor.calculus.errors import printable

        return f"{printable(self.text)}\n{' ' * min(self.column, len(self.text))}^"


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one (expected, answer) pair.

    ``expected``/``answer`` are the inputs as read, in plain input-language syntax;
    ``expected_value`` is the expected side with derivative operators evaluated.
    ``expected_read_as``/``read_as`` are unicode renderings for people, and so are
    ``expected_value_shown`` (made in derivative mode) and ``simplest_shown``; these two are
    None where no display form could be made (the plain text will do) and not in the JSON.
    """

    verdict: Verdict
    expected: str | None = None
    answer: str | None = None
    expected_value: str | None = None
    expected_read_as: str | None = None
    read_as: str | None = None
    counterexample: Counterexample | None = None
    feedback: tuple[Feedback, ...] = ()
    domain: str | None = None
    simplest: str | None = None
    notes: tuple[str, ...] = ()
    error: InputError | None = None
    elapsed_ms: float = 0.0
    derivative_mode: bool = field(default=False)
    components: tuple[CheckResult, ...] = ()  # for vectors and gradients, one per component
    labels: tuple[str, ...] = ()  # the components' names: "∂/∂x", or "1", "2", …
    expected_value_shown: str | None = None
    simplest_shown: str | None = None

    @property
    def correct(self) -> bool:
        return self.verdict is Verdict.EQUIVALENT

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verdict": str(self.verdict),
            "expected": self.expected,
            "answer": self.answer,
            "expected_value": self.expected_value,
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "feedback": [f.to_json() for f in self.feedback],
            "domain": self.domain,
            "simplest": self.simplest,
            "notes": list(self.notes),
            "elapsed_ms": round(self.elapsed_ms, 3),
        }
        if self.error is not None:
            data["error"] = self.error.to_json()
        if self.components:
            data["components"] = [
                {"label": label, **part.to_json()}
                for label, part in zip(self.labels, self.components, strict=True)
            ]
        return data
