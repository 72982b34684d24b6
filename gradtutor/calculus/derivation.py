"""Checking a learner's derivation line by line against the true derivative.

A derivation is a task line (``d/dx(3x^3)``, ``∂/∂x(...)``, or ``f(x,y) = ...`` with the variable
named by the first line's ``f'(x) =``) and the learner's lines. Each line is judged as soon as it
is given (:class:`DerivationChecker`), so the same core serves a file, stdin and a live prompt.
The first wrong line gets a diagnosis: a misconception when exactly one buggy twin reproduces it,
the term that changed since the previous line, a counterexample and the line it should have been.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import Expr, Symbol

from gradtutor.calculus import misconceptions as mc
from gradtutor.calculus import rules as r
from gradtutor.calculus.brackets import outside, split_top_level
from gradtutor.calculus.derive import TaskError, _typed, derive, simplify_result
from gradtutor.calculus.results import Counterexample, LineStatus, Verdict, format_number
from gradtutor.calculus.sampling import same_values, sample_points, values_at
from gradtutor.calculus.timelimit import DEFAULT_TIME_LIMIT

_VARIABLE_PREFIXES = (
    re.compile(r"^\s*[A-Za-z]\w*'\s*\(\s*([A-Za-z]\w*)\s*\)\s*="),  # f'(x) =
    re.compile(r"^\s*∂\w*\s*/\s*∂\s*([A-Za-z]\w*)\s*="),  # ∂f/∂x =
    re.compile(r"^\s*d\w*\s*/\s*d\s*([A-Za-z]\w*)\s*="),  # dy/dx =
)

_PRIME_NOTATION = re.compile(r"^\s*([A-Za-z]\w*)'\s*\(\s*([A-Za-z]\w*)\s*\)\s*=")


@dataclass(frozen=True)
class Task:
    """What is being differentiated: the expression as typed, the variable, the derivative."""

    text: str
    expr: Expr  # the function, as typed (unevaluated where the parser allows)
    variable: Symbol
    tree: r.Rule
    derivative: Expr  # simplified

    @property
    def held(self) -> tuple[Symbol, ...]:
        return tuple(sorted(self.expr.free_symbols - {self.variable}, key=str))

    @property
    def operator(self) -> Expr:
        return sympy.Derivative(self.expr, self.variable, evaluate=False)


def read_task(text: str, *, first_line: str | None = None, wrt: str | None = None) -> Task:
    """The task line read: ParseError if it is not maths, TaskError if the variable is unclear."""
    from gradtutor.calculus.parsing import parse

    parsed = parse(text)
    typed = _typed(text, parsed.expr)
    if isinstance(parsed.expr, sympy.Derivative):
        if len(parsed.expr.variables) != 1:
            raise TaskError("steps checks first derivatives: write one d/dx(...) or ∂/∂x(...)")
        variable = parsed.expr.variables[0]
        expr = typed.expr if isinstance(typed, sympy.Derivative) else parsed.expr.expr
    elif parsed.expr.has(sympy.Derivative):
        raise TaskError(
            "the task line should be one derivative, like d/dx(3x^3), or a function f(x) = ..."
        )
    else:
        expr = typed
        variable = _variable(expr, wrt, first_line, parsed.plain)
    tree = derive(expr, variable)
    return Task(text, expr, variable, tree, simplify_result(tree.result))


def _variable(expr: Expr, wrt: str | None, first_line: str | None, shown: str) -> Symbol:
    if wrt:
        return Symbol(wrt)
    if first_line:
        for pattern in _VARIABLE_PREFIXES:
            match = pattern.match(first_line)
            if match:
                return Symbol(match.group(1))
        from gradtutor.calculus.parsing import parse

        try:
            operators = parse(first_line).expr.atoms(sympy.Derivative)
        except ValueError:
            operators = set()
        variables = {v for op in operators for v in op.variables}
        if len(variables) == 1:
            return variables.pop()
    symbols = sorted(expr.free_symbols, key=str)
    if len(symbols) == 1:
        return symbols[0]
    names = ", ".join(str(s) for s in symbols) or "none"
    raise TaskError(
        f"{shown}: with respect to which variable? (variables: {names})",
        hint="write the task as d/dx(...) or ∂/∂x(...), or start the first line with f'(x) =",
    )


@dataclass(frozen=True)
class TermChange:
    """A term of the previous line that became something else (or vanished) in this line."""

    before: str | None  # pretty, None when the term is new
    after: str | None  # pretty, None when the term was dropped
    before_had_derivative: bool
    before_text: str | None = None  # the same terms in the input language, for JSON
    after_text: str | None = None

    def sentence(self) -> str:
        if self.before is None:
            return f"the term {self.after} is new: nothing before gives it"
        if self.after is None:
            return f"the term {self.before} disappeared"
        return f"the term {self.before} became {self.after}"

    def to_json(self) -> dict[str, Any]:
        return {"before": self.before_text, "after": self.after_text}


@dataclass(frozen=True)
class LineCheck:
    """The verdict on one line of the learner's derivation."""

    index: int
    text: str
    status: LineStatus
    message: str
    misconception: str | None = None
    diagnosis: mc.Diagnosis | None = None
    change: TermChange | None = None
    counterexample: Counterexample | None = None
    should_be: str | None = None  # the line it should have been (pretty)
    should_be_plain: str | None = None  # the same in the input language
    follows_from: int | None = None  # index of the wrong line this one carries forward
    caret: str = ""
    notes: tuple[str, ...] = ()  # remarks that are not a verdict (notation)

    def to_json(self) -> dict[str, Any]:
        d = self.diagnosis
        return {
            "text": self.text,
            "status": self.status,
            "misconception": self.misconception,
            "message": self.message,
            "change": self.change.to_json() if self.change else None,
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "should_be": self.should_be_plain,
            "follows_from": self.follows_from,
            "hints": [d.question, d.rule, d.correction] if d else None,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class DerivationReport:
    """A whole derivation judged: the task, its derivative and one verdict per line."""

    task: str
    derivative: Expr
    variable: Symbol
    lines: tuple[LineCheck, ...] = field(default=())

    @property
    def first_wrong_line(self) -> int | None:
        """The first line whose status is wrong (invalid and undetermined lines are not)."""
        return next((c.index for c in self.lines if c.status == LineStatus.WRONG), None)

    @property
    def first_problem_line(self) -> int | None:
        """The first line that is not ok: wrong, invalid or undetermined."""
        return next((c.index for c in self.lines if c.status != LineStatus.OK), None)

    @property
    def all_ok(self) -> bool:
        return bool(self.lines) and all(c.status == LineStatus.OK for c in self.lines)

    def to_json(self) -> dict[str, Any]:
        from gradtutor.calculus.printing import plain

        return {
            "task": self.task,
            "variable": str(self.variable),
            "derivative": plain(self.derivative),
            "first_wrong_line": self.first_wrong_line,
            "lines": [c.to_json() for c in self.lines],
        }


@dataclass
class _Line:
    text: str
    status: LineStatus
    value: Expr | None = None
    has_derivative: bool = False


class DerivationChecker:
    """Judges the learner's lines one at a time, remembering what came before."""

    def __init__(self, task: Task, *, time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        self.task = task
        self.time_limit = time_limit
        self._lines: list[_Line] = []
        self._checks: list[LineCheck] = []
        self._points = sample_points(task.expr.free_symbols | {task.variable})
        self._noted = False

    def report(self) -> DerivationReport:
        return DerivationReport(
            self.task.text, self.task.derivative, self.task.variable, tuple(self._checks)
        )

    def check_line(self, text: str) -> LineCheck:
        """Judge the next line, append it to the derivation and return the verdict."""
        check = self._judge(len(self._lines), text)
        self._checks.append(check)
        return check

    def _judge(self, index: int, text: str) -> LineCheck:
        from gradtutor.calculus.equivalence import check_exprs
        from gradtutor.calculus.errors import ParseError
        from gradtutor.calculus.parsing import parse

        try:
            parsed = parse(text)
            value = parsed.value  # may be refused by the size limits (a 20th derivative)
        except ParseError as err:
            self._lines.append(_Line(text, LineStatus.INVALID))
            hint = f" ({err.hint})" if err.hint else ""
            return LineCheck(
                index, text, LineStatus.INVALID, f"{err.message}{hint}", caret=err.caret()
            )
        line = _Line(text, LineStatus.OK, value, parsed.expr.has(sympy.Derivative))
        notes = self._notation_notes(text)
        result = check_exprs(self.task.derivative, value, time_limit=self.time_limit)
        verdict = result.verdict
        if verdict == Verdict.EQUIVALENT:
            substituted = self._substitution(text, self._lines[-1] if self._lines else None)
            self._lines.append(line)
            if substituted is not None:
                message = (
                    f"{substituted.message} (the value happens to be right here, the step is not)"
                )
                return LineCheck(
                    index,
                    text,
                    LineStatus.WRONG,
                    message,
                    misconception=substituted.id,
                    diagnosis=substituted,
                    notes=notes,
                )
            again = any(c.status == LineStatus.WRONG for c in self._checks)
            return LineCheck(
                index, text, LineStatus.OK, "right again" if again else "right", notes=notes
            )
        if verdict != Verdict.NOT_EQUIVALENT:
            line.status = LineStatus.UNDETERMINED
            self._lines.append(line)
            why = (
                "equal only on part of the domain"
                if verdict == Verdict.DOMAIN_DEPENDENT
                else ("could not decide in time")
            )
            return LineCheck(index, text, LineStatus.UNDETERMINED, why)
        line.status = LineStatus.WRONG
        previous = self._lines[-1] if self._lines else None
        self._lines.append(line)
        check = self._wrong(index, line, previous, result.counterexample)
        return dataclasses.replace(check, notes=notes) if notes else check

    def _notation_notes(self, text: str) -> tuple[str, ...]:
        """f'(x) = … written for a partial derivative: said once, as a note, not a mistake."""
        match = _PRIME_NOTATION.match(text)
        if not self.task.held or match is None or self._noted:
            return ()
        self._noted = True
        name, v = match.group(1), match.group(2)
        return (
            f"notation: {name}'({v}) is an ordinary derivative, and {name} has other variables: "
            f"this is the partial derivative ∂{name}/∂{v} (also written {name}_{v})",
        )

    def _substitution(self, text: str, previous: _Line | None) -> mc.Diagnosis | None:
        """A number put in for a variable in this line (see mc.diagnose_substitution)."""
        typed = _typed_value(text)
        if typed is None:
            return None
        before = self.task.expr if previous is None else _typed_value(previous.text)
        variables = self.task.expr.free_symbols | {self.task.variable}
        return mc.diagnose_substitution(before, typed, self.task.variable, variables)

    def _wrong(
        self, index: int, line: _Line, previous: _Line | None, counterexample: Counterexample | None
    ) -> LineCheck:
        carried = self._follows_from(line, index)
        if carried is not None:
            return LineCheck(
                index,
                line.text,
                LineStatus.WRONG,
                f"still wrong: it follows from line {carried + 1}, carrying that mistake forward",
                follows_from=carried,
            )
        change, diagnosis, slip = self._explain_wrong(line, previous)
        parts = ["wrong"]
        if previous is not None and previous.status == LineStatus.WRONG:
            parts[0] = f"wrong, and a new mistake: it does not follow from line {index}"
        if diagnosis is not None:
            parts.append(diagnosis.message)
        elif slip:
            parts.append("an arithmetic slip: this line does not equal the line before")
        if change is not None:
            parts.append(change.sentence())
        if counterexample is not None:
            parts.append(_counterexample_sentence(counterexample, self.task))
        should_be, should_be_plain = self._should_be(previous, line, change)
        parts.append(f"it should have been {should_be}")
        misconception = diagnosis.id if diagnosis else (mc.ARITHMETIC_SLIP if slip else None)
        return LineCheck(
            index,
            line.text,
            LineStatus.WRONG,
            "; ".join(parts),
            misconception=misconception,
            diagnosis=diagnosis,
            change=change,
            counterexample=counterexample,
            should_be=should_be,
            should_be_plain=should_be_plain,
        )

    def _explain_wrong(
        self, line: _Line, previous: _Line | None
    ) -> tuple[TermChange | None, mc.Diagnosis | None, bool]:
        """The changed term and the cause, within the time limit (else: wrong, no cause)."""
        from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit

        change = None
        try:
            with time_limit(self.time_limit):
                change = self._change(previous, line)
                diagnosis, slip = self._diagnose(line, previous, change)
        except TimeLimitExceeded:
            return change, None, False
        return change, diagnosis, slip

    def _follows_from(self, line: _Line, index: int) -> int | None:
        """The latest earlier wrong line this one equals (the mistake carried forward)."""
        mine = values_at(line.value, self._points)
        if mine is None:
            return None
        for k in range(index - 1, -1, -1):
            earlier = self._lines[k]
            if earlier.status == LineStatus.WRONG and earlier.value is not None:
                theirs = values_at(earlier.value, self._points)
                if theirs is not None and same_values(mine, theirs):
                    return k
            if earlier.status == LineStatus.OK:
                return None
        return None

    def _diagnose(
        self, line: _Line, previous: _Line | None, change: TermChange | None
    ) -> tuple[mc.Diagnosis | None, bool]:
        """(misconception, arithmetic slip?) for a wrong line that does not carry one forward."""
        algebra_step = (
            previous is not None
            and previous.status == LineStatus.OK
            and (
                not previous.has_derivative
                or (
                    change is not None
                    and change.before is not None
                    and not change.before_had_derivative
                )
            )
        )
        if not algebra_step:
            if previous is not None and previous.status == LineStatus.WRONG:
                return None, False  # a new mistake on top of an old one: no safe diagnosis
            t = self.task
            found = mc.diagnose(t.expr, t.variable, line.value, tree=t.tree)
            return found or self._substitution(line.text, previous), False
        # The previous line was right and this step was algebra: no rule can have been misused.
        assert previous is not None and previous.value is not None
        dropped = mc.diagnose_dropped_variable(previous.value, line.value, self.task.variable)
        if dropped is not None:
            return dropped, False
        typed = _typed_value(previous.text)
        power = typed is not None and mc.diagnose_power_of_product(
            typed, line.value, self.task.variable
        )
        if power:
            return power, False
        substituted = self._substitution(line.text, previous)
        if substituted is not None:
            return substituted, False
        return None, True

    def _change(self, previous: _Line | None, line: _Line) -> TermChange | None:
        if previous is not None and previous.value is None:
            return None
        before = self._task_terms() if previous is None else _terms(previous.text)
        after = _terms(line.text)
        if before is None or after is None:
            return None
        change = _changed_term(before, after, self._points)
        if previous is None and change is not None and change.before is None:
            return None  # a term "new" against the task's derivatives says nothing useful
        return change

    def _task_terms(self) -> list[_Term]:
        """The task's terms, each differentiated: what the first line's terms should equal."""
        from gradtutor.calculus.printing import plain

        t = self.task
        terms = sympy.Add.make_args(t.expr)
        partial = bool(t.held)
        return [
            _Term(
                plain(sympy.Derivative(term, t.variable, evaluate=False)),
                r.applied(t.variable, term, partial=partial),
                derive(term, t.variable).result,
                True,
            )
            for term in terms
        ]

    def _should_be(
        self, previous: _Line | None, line: _Line, change: TermChange | None
    ) -> tuple[str, str]:
        """The line it should have been: (for people, in the input language)."""
        from gradtutor.calculus.printing import plain, pretty

        if change is not None and (previous is None or previous.status == LineStatus.OK):
            # the learner's line with its one wrong term put right, in the learner's order
            before = self._task_terms() if previous is None else _terms(previous.text)
            fixed = _replace_term(line.text, before, self._points)
            if fixed is not None:
                return fixed
        return pretty(self.task.derivative), plain(self.task.derivative)


def _typed_value(text: str) -> Expr | None:
    """A line as typed (its powers of products not multiplied out), or None."""
    from gradtutor.calculus.parsing import parse

    try:
        return parse(text, evaluate=False).expr
    except ValueError:
        return None


def _counterexample_sentence(counterexample: Counterexample, task: Task) -> str:
    point = ", ".join(f"{k} = {format_number(v)}" for k, v in counterexample.point.items())
    return (
        f"at {point} this line gives {format_number(counterexample.answer)} "
        f"but the derivative is {format_number(counterexample.expected)}"
    )


# --- terms of a line ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    text: str
    shown: str
    value: Expr
    has_derivative: bool


_NOT_BINARY_AFTER = set("(*/^+-−=,·×÷[")


def split_terms(text: str) -> list[str]:
    """The top-level terms of a line as typed, each with its sign: 'a - b + c' → a, -b, +c."""
    body = split_top_level(text, "=")[-1]
    terms: list[str] = []
    start = 0
    for i, ch in outside(body):
        if ch not in "+-−":
            continue
        last = body[:i].rstrip()[-1:]  # a sign after an operator or "(" is no new term
        if last and last not in _NOT_BINARY_AFTER:
            terms.append(body[start:i])
            start = i
    terms.append(body[start:])
    return [t.strip() for t in terms if t.strip()]


def _terms(text: str) -> list[_Term] | None:
    from gradtutor.calculus.parsing import parse

    terms = []
    for piece in split_terms(text):
        try:
            parsed = parse(piece)
        except ValueError:
            return None
        shown = r.shown(_typed(piece, parsed.expr))  # a sum in brackets keeps its typed order
        terms.append(_Term(piece, shown, parsed.value, parsed.expr.has(sympy.Derivative)))
    return terms


def _nonzero(terms: list[_Term]) -> list[_Term]:
    return [t for t in terms if t.value != 0]


def _pairs(
    before: list[_Term], after: list[_Term], points: list[Any]
) -> tuple[list[_Term], list[_Term]]:
    """The terms on each side left over once terms of equal value are matched up."""
    left = _nonzero(before)
    right = []
    for term in _nonzero(after):
        mine = values_at(term.value, points)
        match = next(
            (
                t
                for t in left
                if mine is not None
                and (theirs := values_at(t.value, points)) is not None
                and same_values(mine, theirs)
            ),
            None,
        )
        if match is None:
            right.append(term)
        else:
            left.remove(match)
    return left, right


def _changed_term(before: list[_Term], after: list[_Term], points: list[Any]) -> TermChange | None:
    left, right = _pairs(before, after, points)
    if len(left) == 1 and len(right) == 1:
        a, b = left[0], right[0]
        return TermChange(a.shown, b.shown, a.has_derivative, a.text, b.text)
    if len(left) == 1 and not right:
        a = left[0]
        return TermChange(a.shown, None, a.has_derivative, a.text, None)
    if len(right) == 1 and not left:
        b = right[0]
        return TermChange(None, b.shown, False, None, b.text)
    return None


def _replace_term(
    line_text: str, before: list[_Term] | None, points: list[Any]
) -> tuple[str, str] | None:
    """This line with its one changed term put back right: (pretty, input language).

    ``before``: the terms of the line before (or of the task, each differentiated)."""
    from gradtutor.calculus.printing import plain, pretty

    after = _terms(line_text)
    if before is None or after is None:
        return None
    left, right = _pairs(before, after, points)
    if len(left) != 1 or len(right) > 1:
        return None
    good = left[0].value
    if not right:
        shown = [*(t.shown for t in after), pretty(good)]
        typed = [*(t.text for t in after), plain(good)]
    else:
        shown = [pretty(good) if t is right[0] else t.shown for t in after]
        typed = [plain(good) if t is right[0] else t.text for t in after]
    return _join(shown, "−"), _join(typed, "-")


def _join(terms: list[str], minus: str) -> str:
    text = ""
    for term in terms:
        if not text:
            text = term
        elif term.startswith(("-", "−")):
            text += f" {minus} {term[1:].lstrip()}"
        else:
            text += f" + {term.lstrip('+').lstrip()}"
    return text
