"""Render a CheckResult for people: verdict, how each side was read, where they differ, why."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from gradtutor.calculus.results import CheckResult, Counterexample, InputError, Verdict

_HEADLINE = {
    Verdict.EQUIVALENT: ("✓ correct", "bold green"),
    Verdict.NOT_EQUIVALENT: ("✗ not equal", "bold red"),
    Verdict.DOMAIN_DEPENDENT: ("≈ equal only for positive values", "bold yellow"),
    Verdict.UNDETERMINED: ("? undetermined", "bold magenta"),
    Verdict.INVALID: ("! can't read the input", "bold red"),
}


def render_check(result: CheckResult, *, expected_label: str = "expected") -> RenderableType:
    """A rich renderable of ``result`` (plain text when the console has no colour)."""
    title, style = _HEADLINE[result.verdict]
    lines: list[RenderableType] = [Text(title, style=style)]
    if result.error is not None:
        lines.extend(_error_lines(result.error))
        return Group(*lines)
    lines.extend(_read_lines(result, expected_label))
    if result.counterexample is not None:
        lines.append(_counterexample_line(result.counterexample, result.verdict))
    if result.domain and result.verdict is Verdict.DOMAIN_DEPENDENT:
        lines.append(
            Text.assemble(
                "  ",
                (result.domain.capitalize(), "yellow"),
                " — the assumption textbooks often make silently — but not for every real value.",
            )
        )
    items = [
        ("•", Text(f.message, style="cyan" if f.kind == "misconception" else ""))
        for f in result.feedback
    ]
    if result.simplest:
        items.append(("•", Text.assemble("a simpler form: ", (_pretty(result.simplest), "bold"))))
    items.extend(("note:", Text(note, style="dim")) for note in result.notes)
    if items:
        lines.append(Padding(_bullets(items), (0, 0, 0, 2)))
    return Group(*lines)


def _bullets(items: list[tuple[str, Text]]) -> Table:
    """Marker and message in two columns, so a wrapped message stays indented."""
    grid = Table.grid(padding=(0, 1), pad_edge=False)
    grid.add_column(justify="right")
    grid.add_column()
    for marker, text in items:
        grid.add_row(marker, text)
    return grid


def _read_lines(result: CheckResult, expected_label: str) -> list[Text]:
    expected = result.expected_read_as or result.expected or ""
    lines = [Text.assemble(f"  {expected_label:<9}", (expected, "bold"))]
    if result.derivative_mode and result.expected_value is not None:
        from_value = _pretty_value(result)
        lines[0].append(Text.assemble(" = ", (from_value, "bold")))
    lines.append(Text.assemble("  answer   ", (result.read_as or result.answer or "", "bold")))
    lines[-1].append(Text("   (as read)", style="dim"))
    return lines


def _pretty_value(result: CheckResult) -> str:
    return _pretty(result.expected_value or "")


def _pretty(plain_text: str) -> str:
    """Unicode display of a plain-syntax expression from a result."""
    from gradtutor.calculus.parsing import parse

    try:
        return parse(plain_text).pretty
    except Exception:  # display only: fall back to the plain text
        return plain_text


def _counterexample_line(ce: Counterexample, verdict: Verdict) -> Text:
    where = ", ".join(f"{name} = {_fmt(value)}" for name, value in ce.point.items())
    where = f"at {where}" if where else "as numbers"
    expected = "undefined" if ce.expected is None else _fmt(ce.expected)
    answer = "undefined" if ce.answer is None else _fmt(ce.answer)
    return Text.assemble(
        f"  {where}: expected ", (expected, "bold"), ", your answer ", (answer, "bold")
    )


def _fmt(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"


def _error_lines(error: InputError) -> list[Text]:
    side = "your answer" if error.side == "answer" else "the expected expression"
    lines = [Text(f"  in {side}: {error.message}")]
    caret = error.caret()
    if caret:
        first, second = caret.split("\n")
        lines.append(Text("    " + first))
        lines.append(Text("    " + second, style="bold red"))
    if error.hint:
        lines.append(Text.assemble(("  hint: ", "dim"), error.hint))
    return lines
