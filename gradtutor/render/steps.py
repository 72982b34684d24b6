"""A learner's derivation, judged line by line, as rich renderables."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from gradtutor.calculus import rules as r
from gradtutor.calculus.derivation import DerivationReport, LineCheck, Task
from gradtutor.calculus.printing import pretty
from gradtutor.calculus.results import Counterexample, LineStatus, format_number
from gradtutor.calculus.scan import ScannedLine, ScanReport, ScanStatus
from gradtutor.render.explain import Wrapped, glued, result_text
from gradtutor.tutor.untrusted import neutralise

MARKS = {
    LineStatus.OK: ("✓", "green"),
    LineStatus.INVALID: ("?", "yellow"),
    LineStatus.UNDETERMINED: ("~", "yellow"),
}
WRONG_MARK = ("✗", "bold red")


def render_task(task: Task) -> Text:
    """The task as the tutor read it, with the variables held constant said once."""
    text = Wrapped.assemble(
        ("task: ", "bold"), glued(r.applied(task.variable, task.expr, partial=bool(task.held)))
    )
    if task.held:
        names = " and ".join(str(s) for s in task.held)
        verb = "is" if len(task.held) == 1 else "are"
        text.append(f"    {names} {verb} held constant", style="dim")
    return text


def render_line(check: LineCheck) -> RenderableType:
    """One judged line: a mark, the line as typed, and for a wrong line the diagnosis."""
    mark, style = MARKS.get(check.status, WRONG_MARK)
    number = (f"{check.index + 1:>3} ", "dim")
    head = Wrapped.assemble(number, (mark, style), " ", glued(neutralise(check.text)))
    notes = [_indent(note, "dim") for note in check.notes]
    if check.status == LineStatus.OK:
        head.append(f"    {check.message}", style="dim")
        return Group(head, *notes) if notes else head
    rows: list[RenderableType] = [head, *notes]
    if check.status == LineStatus.INVALID:
        rows.append(_indent(f"can't read this line: {check.message}", "yellow"))
        for caret_line in check.caret.split("\n") if check.caret else ():
            rows.append(_indent(caret_line, "yellow"))
        return Group(*rows)
    if check.status == LineStatus.UNDETERMINED:
        rows.append(_indent(check.message, "yellow"))
        return Group(*rows)
    if check.follows_from is not None:
        rows.append(_indent(check.message, "dim"))
        return Group(*rows)
    if check.message.startswith("wrong, and a new mistake"):
        rows.append(_indent(f"a new mistake: it does not follow from line {check.index}", "red"))
    d = check.diagnosis
    if d is not None:
        rows.append(_indent(f"{d.name}: {d.question}", "bold"))
        rows.append(_indent(f"rule: {d.rule}"))
    elif check.misconception == "arithmetic_slip":
        rows.append(_indent("an arithmetic slip: this line does not equal the line before", "bold"))
    if check.change is not None:
        rows.append(_indent(check.change.sentence()))
    if check.counterexample is not None:
        rows.append(_indent(_counterexample(check.counterexample)))
    if check.should_be:
        rows.append(_indent(f"it should have been: {glued(check.should_be)}", "green"))
    return Group(*rows)


def render_summary(report: DerivationReport, task: Task | None = None) -> Text:
    """The closing line: all right, or where it first went wrong and the true derivative
    (with ``task``: its terms in the order of the task's terms, as typed)."""
    first = report.first_problem_line
    if report.all_ok:
        return Text.assemble(("✓ every line is right", "bold green"))
    if not report.lines:
        return Text("no lines to check", style="yellow")
    where = "" if first is None else f"first problem at line {first + 1}; "
    return Wrapped.assemble(
        (where, "bold red"), "the derivative is ", (glued(_derivative(report, task)), "bold")
    )


def _derivative(report: DerivationReport, task: Task | None) -> str:
    shown = pretty(report.derivative)
    if task is not None and pretty(task.tree.result) == shown:
        return result_text(task.tree)  # the same terms, in the order typed
    return shown


def _indent(message: str, style: str = "") -> Padding:
    """A detail under its line; wrapped text keeps the indent."""
    return Padding(Wrapped(message, style=style), (0, 0, 0, 6), expand=False)


def _counterexample(ce: Counterexample) -> str:
    point = ", ".join(f"{k} = {format_number(v)}" for k, v in ce.point.items())
    return (
        f"at {point} this line gives {format_number(ce.answer)}, "
        f"the derivative {format_number(ce.expected)}"
    )


def render_scan(report: ScanReport) -> RenderableType:
    """Every derivation found in a file, by the file's own line numbers: ✓, ✗ with why, or ?
    for a line that was skipped (unreadable, or nothing to check it against)."""
    wrong = len(report.wrong)
    skipped = sum(1 for line in report.lines if line.status == ScanStatus.SKIPPED)
    n = len(report.derivations)
    rows: list[RenderableType] = [
        Wrapped.assemble(
            (f"{report.file}: ", "bold"),
            glued(f"{n} derivation{'s' * (n != 1)} found,"),
            " ",
            (
                glued(f"{wrong} wrong line{'s' * (wrong != 1)}"),
                "bold red" if wrong else "bold green",
            ),
            ", ",
            glued(f"{skipped} skipped"),
        )
    ]
    for derivation in report.derivations:
        task = derivation.task if derivation.task is not None else "working with no task line"
        rows.append(Text(""))
        rows.append(Wrapped.assemble((f"line {derivation.start_line}: ", "bold"), glued(task)))
        rows.extend(_scanned_line(line) for line in derivation.lines)
    return Group(*rows)


_SCAN_MARKS = {
    ScanStatus.OK: ("✓", "green"),
    ScanStatus.WRONG: WRONG_MARK,
    ScanStatus.SKIPPED: ("?", "yellow"),
}


def _scanned_line(line: ScannedLine) -> RenderableType:
    mark, style = _SCAN_MARKS.get(line.status, ("~", "yellow"))
    head = Wrapped.assemble((f"{line.line_no:>5} ", "dim"), (mark, style), " ", glued(line.text))
    parts = [p for p in line.message.split("; ") if p and p != "wrong"]
    if line.status == ScanStatus.OK:
        head.append(f"    {parts[0] if parts else ''}", style="dim")
        return Group(head, *(_indent(p, "dim") for p in parts[1:])) if parts[1:] else head
    tone = "yellow" if line.status != ScanStatus.WRONG else ""
    details = [
        _indent(p, "bold" if k == 0 and line.misconception else tone) for k, p in enumerate(parts)
    ]
    return Group(head, *details)
