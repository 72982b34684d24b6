"""Render a CheckResult for people: verdict, how each side was read, where they differ, why."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text

from gradtutor.calculus.results import (
    CheckResult,
    Counterexample,
    InputError,
    Verdict,
    format_number,
)

_HEADLINE = {
    Verdict.EQUIVALENT: ("✓ correct", "bold green"),
    Verdict.NOT_EQUIVALENT: ("✗ not equal", "bold red"),
    Verdict.DOMAIN_DEPENDENT: ("≈ equal only for positive values", "bold yellow"),
    Verdict.UNDETERMINED: ("? undetermined", "bold magenta"),
    Verdict.INVALID: ("! can't read the input", "bold red"),
}


def render_check(result: CheckResult, *, expected_label: str = "expected") -> RenderableType:
    """A rich renderable of ``result`` (plain text when the console has no colour). The
    maths is shown as the result carries it: no parsing here."""
    title, style = _HEADLINE[result.verdict]
    lines: list[RenderableType] = [Text(title, style=style)]
    if result.error is not None:
        lines.extend(_error_lines(result.error))
        return Group(*lines)
    if any((result.expected_read_as, result.expected, result.read_as, result.answer)):
        # nothing was read when reading itself ran out of time: no empty "(as read)" rows
        lines.extend(_read_lines(result, expected_label))
    if result.counterexample is not None:
        lines.append(_counterexample_line(result.counterexample, result.verdict))
    items: list[tuple[str, Text]] = []
    if result.domain and result.verdict is Verdict.DOMAIN_DEPENDENT:
        sentence = Text.assemble(
            (result.domain.capitalize(), "yellow"),
            " — the assumption textbooks often make silently — but not for every real value.",
        )
        items.append(("•", sentence))
    for item in result.feedback:
        items.append(
            ("•", Text(item.message, style="cyan" if item.kind == "misconception" else ""))
        )
    if result.simplest:
        simplest = result.simplest_shown or result.simplest
        items.append(("•", Text.assemble("a simpler form: ", (simplest, "bold"))))
    items.extend(("note:", Text(note, style="dim")) for note in result.notes)
    lines.extend(Bullet(marker, text) for marker, text in items)
    return Group(*lines)


class Bullet:
    """``• message`` whose wrapped lines stay indented under the message (no padding)."""

    def __init__(self, marker: str, text: Text, *, indent: int = 2) -> None:
        self.marker = marker
        self.text = text
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lead = " " * self.indent + self.marker + " "
        width = max(options.max_width - len(lead), 20)
        for number, line in enumerate(self.text.wrap(console, width)):
            line.rstrip()
            yield Text(lead if number == 0 else " " * len(lead)) + line


def _read_lines(result: CheckResult, expected_label: str) -> list[Bullet]:
    expected = Text(result.expected_read_as or result.expected or "", style="bold")
    if result.derivative_mode and result.expected_value is not None:
        value = result.expected_value_shown or result.expected_value
        expected.append(Text.assemble(" = ", (value, "bold")))
    answer = Text(result.read_as or result.answer or "", style="bold")
    answer.append(Text("   (as read)", style="dim"))
    width = max(len(expected_label), len("answer"))
    return [
        Bullet(f"{expected_label:<{width}}", expected),
        Bullet(f"{'answer':<{width}}", answer),
    ]


def _counterexample_line(ce: Counterexample, verdict: Verdict) -> Text:
    where = ", ".join(f"{name} = {format_number(value)}" for name, value in ce.point.items())
    where = f"at {where}" if where else "as numbers"
    return Text.assemble(
        f"  {where}: expected ",
        (format_number(ce.expected), "bold"),
        ", your answer ",
        (format_number(ce.answer), "bold"),
    )


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
