"""A page of notes, proofread: every derivation in a text or Markdown file, checked as `steps` does.

Derivations are found by their shape, at the start of a line, never inside prose:

* a function, ``f(x, y) = …``, then ``f'(x) = …`` and ``= …`` lines (a later ``f'(y) = …``
  starts the derivative in y of the same function);
* arrows, ``f=(3x^3) -> …``: consecutive arrows from the same function are one derivation;
* claims, ``d/dx(x^3) = 3x^2`` (more ``= …`` may follow, on the line or below it);
* working with no task line: two or more lines of bare maths (a digit, a variable and nothing
  else), possibly with short prose between them; each line is checked against the one before.

Prose, fenced code blocks and lines in backticks are left alone. A line of a derivation that
cannot be read is reported as ``skipped`` with the reason, never guessed at. Each derivation is
judged by :class:`~gradtutor.calculus.derivation.DerivationChecker`, so the verdicts, the
misconceptions and "carries the slip of line N forward" are those of ``steps``; line numbers
are the file's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from gradtutor.calculus.results import LineStatus, Verdict
from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.calculus.derivation import LineCheck, Task


class ScanStatus(StrEnum):
    """The verdict on one line of a scanned file: as a derivation line's (see
    :class:`~gradtutor.calculus.results.LineStatus`), but a line that cannot be read, or
    has nothing to be checked against, is skipped."""

    OK = "ok"
    WRONG = "wrong"
    SKIPPED = "skipped"
    UNDETERMINED = "undetermined"


_FUNCTION = re.compile(r"^\s*([A-Za-z]\w*)\s*\(\s*[A-Za-z]\w*(?:\s*,\s*[A-Za-z]\w*)*\s*\)\s*=(.*)$")
_PRIME = re.compile(r"^\s*([A-Za-z]\w*)'\s*\(\s*([A-Za-z]\w*)\s*\)\s*=")
_EQUALS = re.compile(r"^\s*=")
_ARROW = re.compile(r"^\s*[A-Za-z]\w*\s*=\s*\((.*)\)\s*->\s*(.*)$")
_CLAIM = re.compile(r"^\s*(?:d\^?\d*\s*/\s*d|∂\s*/\s*∂)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_MARKER = re.compile(r"^(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+)?")
_SHORT_PROSE = 40  # characters: a remark between lines of working ("combine the constants:")
_MAX_LINE = 400  # a longer line is prose (or data), never a derivation


@dataclass(frozen=True)
class ScannedLine:
    """One line of a derivation, judged: its number in the file, as typed, and the verdict."""

    line_no: int
    text: str
    status: ScanStatus
    message: str
    misconception: str | None = None
    follows_from: int | None = None  # the file line whose slip this one carries forward

    def to_json(self) -> dict[str, Any]:
        return {
            "line_no": self.line_no,
            "text": self.text,
            "status": self.status,
            "misconception": self.misconception,
            "message": self.message,
            "follows_from": self.follows_from,
        }


@dataclass(frozen=True)
class ScannedDerivation:
    """A derivation found in the file: where it starts, its task (None: bare working)."""

    start_line: int
    task: str | None
    lines: tuple[ScannedLine, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "start_line": self.start_line,
            "task": self.task,
            "lines": [line.to_json() for line in self.lines],
        }


@dataclass(frozen=True)
class ScanReport:
    """Every derivation found in one file."""

    file: str
    derivations: tuple[ScannedDerivation, ...] = field(default=())

    @property
    def lines(self) -> list[ScannedLine]:
        return [line for d in self.derivations for line in d.lines]

    @property
    def wrong(self) -> list[ScannedLine]:
        return [line for line in self.lines if line.status == ScanStatus.WRONG]

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "derivations": [d.to_json() for d in self.derivations]}


# --- finding derivations ------------------------------------------------------------------


@dataclass
class _Block:
    kind: str  # function | arrow | claim | working
    start_line: int
    task: str | None
    first_line: str | None = None  # the f'(x) = … line that names the variable
    entries: list[tuple[int, str]] = field(default_factory=list)  # (file line, text to judge)
    shown: dict[int, str] = field(default_factory=dict)  # entry index → the line as written
    function: str | None = None  # f, for a function block


def find_derivations(text: str) -> list[_Block]:
    """The derivations in ``text``, in order (not yet judged)."""
    blocks: list[_Block] = []
    current: _Block | None = None
    function: tuple[str, int, str] | None = None  # (name, line, text) of the last f(x) = …
    in_code = False

    def close() -> None:
        nonlocal current
        if current is not None and _worth_reporting(current):
            blocks.append(current)
        current = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if _FENCE.match(line):
            in_code = not in_code
            close()
            function = None
            continue
        if in_code or _inline_code(line) or len(line) > _MAX_LINE:
            close()
            function = None
            continue
        if not line:
            continue
        if _bare_maths(line):  # before a list marker is taken off: "- 3x" may be a minus
            if current is None or current.kind != "working":
                close()
                current = _Block("working", number, None)
            current.entries.append((number, line))
            function = None
            continue
        line = _LIST_MARKER.sub("", line)  # "- f(x) = …", "> = …", "1. d/dx(…) = …"
        prime = _PRIME.match(line)
        if prime and function is not None and prime.group(1) == function[0]:
            close()
            current = _Block("function", function[1], function[2], line, [(number, line)])
            current.function = function[0]
            continue
        defined = _FUNCTION.match(line)
        if defined and not prime:
            close()
            function = (defined.group(1), number, line)
            continue
        if _EQUALS.match(line):
            if current is not None and current.kind in ("function", "claim"):
                current.entries.append((number, line))
            continue
        arrow = _ARROW.match(line)
        if arrow:
            task, claim = arrow.group(1).strip(), arrow.group(2).strip()
            if current is None or current.kind != "arrow" or current.task != task:
                close()
                current = _Block("arrow", number, task)
            current.shown[len(current.entries)] = line
            current.entries.append((number, claim))
            function = None
            continue
        if _CLAIM.match(line):
            close()
            function = None
            pieces = _split_equals(line)
            current = _Block("claim", number, pieces[0])
            current.entries.extend((number, f"= {p}") for p in pieces[1:])
            continue
        # prose: it ends a derivation; working may have short remarks between its lines
        if current is not None and current.kind == "working" and len(line) <= _SHORT_PROSE:
            continue
        close()
        function = None
    close()
    return blocks


def _worth_reporting(block: _Block) -> bool:
    if block.kind == "working":
        return len(block.entries) >= 2  # one line of bare maths is not a derivation
    return bool(block.entries)


def _inline_code(line: str) -> bool:
    return len(line) > 1 and line.startswith("`") and line.endswith("`")


def _split_equals(line: str) -> list[str]:
    """``d/dx(x^3) = 3x^2 = …`` → the task and each claim (top-level = signs only)."""
    from gradtutor.calculus.brackets import split_top_level

    pieces = (piece.strip() for piece in split_top_level(line, "="))
    return [p for p in pieces if p]


_OPERATOR = re.compile(r"[\^*/+\-−·']|\d[A-Za-z(]")


def _bare_maths(line: str) -> bool:
    """A line that is nothing but a maths expression with a number and a variable in it
    (``15*2^4*x^8 * 4x``), not prose that happens to parse (``as z`` is a·s·z)."""
    from gradtutor.calculus.parsing import parse

    if "=" in line or "," in line or not re.search(r"\d", line) or not _OPERATOR.search(line):
        return False
    try:
        parsed = parse(line)
    except ValueError:
        return False
    import sympy

    expr = parsed.expr
    return isinstance(expr, sympy.Expr) and bool(expr.free_symbols) and not expr.is_Symbol


# --- judging ------------------------------------------------------------------------------


def scan_text(text: str, *, file: str = "-", time_limit: float = DEFAULT_TIME_LIMIT) -> ScanReport:
    """Find every derivation in ``text`` and judge each line, with the file's line numbers."""
    found = tuple(_judge(block, time_limit) for block in find_derivations(text))
    return ScanReport(file, found)


def _judge(block: _Block, time_limit: float) -> ScannedDerivation:
    if block.kind == "working":
        return ScannedDerivation(block.start_line, None, tuple(_judge_working(block, time_limit)))
    from gradtutor.calculus.derivation import DerivationChecker, read_task
    from gradtutor.calculus.derive import TaskError
    from gradtutor.calculus.errors import ParseError

    task_text = block.task or ""
    try:
        task = read_task(task_text, first_line=block.first_line)
    except (ParseError, TaskError) as err:
        why = f"skipped: can't read the task {task_text!r}: {getattr(err, 'message', err)}"
        lines = tuple(
            ScannedLine(n, block.shown.get(k, t), ScanStatus.SKIPPED, why)
            for k, (n, t) in enumerate(block.entries)
        )
        return ScannedDerivation(block.start_line, task_text, lines)
    checker = DerivationChecker(task, time_limit=time_limit)
    shown = _task_shown(block, task)
    judged = [checker.check_line(t) for _, t in block.entries]
    lines = tuple(_scanned(block, k, check) for k, check in enumerate(judged))
    return ScannedDerivation(block.start_line, shown, lines)


def _task_shown(block: _Block, task: Task) -> str:
    """The task in the input language, the function as typed: ∂/∂x(3x^3 - y^2 + 5x + 2)."""
    if block.kind == "claim":
        return block.task or task.text
    body = block.task or ""
    if block.kind == "function":
        body = body.split("=", 1)[1].strip()
    op = "∂/∂" if task.held else "d/d"
    return f"{op}{task.variable}({body})"


def _scanned(block: _Block, k: int, check: LineCheck) -> ScannedLine:
    """A steps verdict with the file's line numbers in place of the derivation's own."""
    entries = block.entries
    number, text = entries[k][0], block.shown.get(k, entries[k][1])
    if check.status == LineStatus.INVALID:
        return ScannedLine(
            number, text, ScanStatus.SKIPPED, f"skipped: can't read this line: {check.message}"
        )
    if check.follows_from is not None:
        earlier = entries[check.follows_from][0]
        message = f"still wrong: it carries the slip of line {earlier} forward"
        return ScannedLine(number, text, ScanStatus.WRONG, message, None, earlier)
    message = check.message
    if message.startswith("wrong, and a new mistake") and k > 0:
        rest = message.split("; ", 1)[1:] or [""]
        before = entries[k - 1][0]
        message = f"wrong, and a new mistake: it does not follow from line {before}; {rest[0]}"
        message = message.rstrip("; ")
    message = "; ".join([message, *check.notes]) if check.notes else message
    return ScannedLine(number, text, ScanStatus(check.status), message, check.misconception)


def _judge_working(block: _Block, time_limit: float) -> Iterator[ScannedLine]:
    """Working with no task: each line against the last right line before it (a chain of
    equals); a line equal to a wrong one carries its slip forward."""
    import sympy

    from gradtutor.calculus.parsing import parse

    right: tuple[int, Any] | None = None  # the last line that was right (or the first line)
    wrong: tuple[int, Any] | None = None  # the last wrong line since then
    for number, text in block.entries:
        parsed = parse(text)
        if parsed.expr.has(sympy.Derivative):
            why = "skipped: a derivative with no task line to check it against"
            yield ScannedLine(number, text, ScanStatus.SKIPPED, why)
            right = wrong = None
            continue
        value = parsed.value
        if right is None:
            why = "skipped: the first line of working with no task line; the next lines are "
            why += "checked against it"
            yield ScannedLine(number, text, ScanStatus.SKIPPED, why)
            right = (number, value)
            continue
        verdict = _verdict(right[1], value, time_limit)
        if verdict == Verdict.EQUIVALENT:
            yield ScannedLine(number, text, ScanStatus.OK, f"equals line {right[0]}")
            right, wrong = (number, value), None
        elif verdict != Verdict.NOT_EQUIVALENT:
            yield ScannedLine(
                number, text, ScanStatus.UNDETERMINED, f"could not decide ({verdict})"
            )
        elif wrong is not None and _verdict(wrong[1], value, time_limit) == Verdict.EQUIVALENT:
            message = f"still wrong: it carries the slip of line {wrong[0]} forward"
            yield ScannedLine(number, text, ScanStatus.WRONG, message, None, wrong[0])
        else:
            message = f"wrong: an arithmetic slip, this line does not equal line {right[0]}"
            yield ScannedLine(number, text, ScanStatus.WRONG, message, "arithmetic_slip")
            wrong = (number, value)


def _verdict(a: Any, b: Any, time_limit: float) -> Verdict:
    from gradtutor.calculus.equivalence import check_exprs

    return check_exprs(a, b, time_limit=time_limit).verdict
