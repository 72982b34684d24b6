"""Rich renderables for the quiz, progress and home screens.

Nothing here imports sympy: worked solutions come in already rendered (or not at all).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from gradtutor.calculus.results import CheckResult, Verdict, format_number
from gradtutor.tutor.answers import Checked, DecimalVerdict
from gradtutor.tutor.session import AnswerVerdict, Outcome, QuizSummary, StopReason

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.tutor.progress import DayProgress, ProgressReport

_SUPERSCRIPT = str.maketrans("0123456789-+n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿ")
_POWER = re.compile(r"\^(\(-?\d+\)|-?\d+|n)(?![\w(]|\.\d)")
_TIMES = re.compile(r"(?<=[\d)])\*(?=[A-Za-z(])")


def readable(text: str) -> str:
    """Plain input syntax made easier to read: ``3*x^2`` → ``3x²``, other ``*`` → ``·``.

    Only whole integer exponents become superscripts, so the meaning never changes.
    """
    text = _POWER.sub(lambda m: m.group(1).strip("()").translate(_SUPERSCRIPT), text)
    text = _TIMES.sub("", text)
    return text.replace("*", "·")


def _dots(difficulty: int) -> str:
    level = max(1, min(5, difficulty))
    return "●" * level + "○" * (5 - level)


def difficulty_label(difficulty: int) -> str:
    """``difficulty ●●○○○``: the question's difficulty, 1 to 5."""
    return f"difficulty {_dots(difficulty)}"


RETRY_BANNERS = {
    "retry": "Same skill, new numbers.",
    "retry-same": "Same question again (this one has no other numbers).",
}


def question_view(
    *,
    number: int,
    total: int | None,
    prompt: str,
    topic_title: str,
    difficulty: int,
    reason: str = "",
    answer_note: str = "",
) -> RenderableType:
    """The question's box; ``answer_note`` says what form of answer is wanted."""
    of = f" of {total}" if total else ""
    title = Text.assemble(
        (f"Question {number}{of}", "bold"),
        "  ",
        (topic_title, "cyan"),
        "  ",
        (difficulty_label(difficulty), "dim"),
    )
    body = Text(readable(prompt))
    if reason in RETRY_BANNERS:
        body = Text.assemble((RETRY_BANNERS[reason] + "\n", "italic dim"), body)
    if answer_note:
        body = Text.assemble(body, ("\n" + answer_note, "dim"))
    # On a narrow terminal a long topic title pushed "difficulty ●●○○○" off the border:
    # then the topic moves into the box, above the question.
    short = Text.assemble(
        (f"Question {number}{of}", "bold"), "  ", (difficulty_label(difficulty), "dim")
    )
    narrow_body = Text.assemble((topic_title + "\n", "cyan"), body)
    return _QuestionBox(
        Panel(body, title=title, title_align="left", border_style="blue", expand=False),
        Panel(narrow_body, title=short, title_align="left", border_style="blue", expand=False),
        title.cell_len,
    )


class _QuestionBox:
    """The question's panel, with the topic in the title when the title fits the width."""

    def __init__(self, wide: Panel, narrow: Panel, title_width: int) -> None:
        self.wide, self.narrow, self.title_width = wide, narrow, title_width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # the title sits between "╭─ " and " ─╮"
        yield self.wide if self.title_width + 6 <= options.max_width else self.narrow

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        chosen = self.wide if self.title_width + 6 <= options.max_width else self.narrow
        return Measurement.get(console, options, chosen)


def prompt_text(label: str) -> str:
    """The text before the answer line: the part's label, or a plain arrow."""
    return f"{readable(label)} = " if label else "> "


def parts_view(count: int) -> RenderableType:
    """A one-line answer whose number of pieces does not match the question's parts."""
    letters = ", ".join("abcdefghijklmnopqrstuvwxyz"[: max(2, min(count, 26))])
    return Text(
        f"This question has {count} parts; answer them one at a time, "
        f"or all at once as ({letters}).",
        style="yellow",
    )


def part_answer_view(label: str, answer: str) -> RenderableType:
    """One piece of a one-line answer, before its verdict: ``∂f/∂x = 7``."""
    return Text.assemble((f"{readable(label)} = " if label else "", "bold"), answer)


_MARKS = {
    "right": ("✓", "bold green", ""),
    "wrong": ("✗", "bold red", ""),
    "missed": ("✗", "bold red", " (answer shown)"),
    "unread": ("?", "bold yellow", " (not read)"),
    "close": ("≈", "bold yellow", " (close: give 3 significant figures)"),
}


def line_verdicts_view(verdicts: Sequence[tuple[str, str]], waiting: Sequence[str]) -> Text:
    """Each part's verdict on a one-line answer, and what is left to answer:
    ``∂f/∂x ✗, ∂f/∂y ✓. Answer ∂f/∂x again.`` A verdict is ``right``, ``wrong``,
    ``missed`` (out of tries) or ``unread`` (not a try)."""
    text = Text()
    for i, (label, verdict) in enumerate(verdicts):
        mark, style, note = _MARKS[verdict]
        text.append(", " if i else "")
        text.append(f"{readable(label)} " if label else "")
        text.append(mark, style=style)
        text.append(note, style="dim")
    text.append(".")
    names = [readable(label) for label in waiting]
    if len(names) == 1:
        text.append(f" Answer {names[0]} again.")
    elif names:
        letters = ", ".join("abcdefghijklmnopqrstuvwxyz"[: min(len(names), 26)])
        text.append(
            f" Still to answer: {', '.join(names)} (one at a time, or together as ({letters}))."
        )
    return text


def diagnosis_view(result: Checked, *, reveal_values: bool = True) -> RenderableType:
    """What the engine found in an answer, without giving the expected answer away.

    (``gradtutor.render.check`` shows the expected expression, right for ``check`` but
    not for a quiz with tries left.) When the expected answer is a number, a
    counterexample or a "factor" remark would give it away: ``reveal_values=False``
    leaves them out.
    """
    lines: list[RenderableType] = []
    error = result.error
    if error is not None:
        lines.append(Text("  " + error.message))
        caret = error.caret()
        if caret and "\n" in caret:
            first, second = caret.split("\n", 1)
            lines.append(Text("    " + first))
            lines.append(Text("    " + second, style="bold red"))
        if error.hint:
            lines.append(Text.assemble(("  hint: ", "dim"), error.hint))
        return Group(*lines)
    if result.read_as:
        lines.append(Text.assemble(("  read as ", "dim"), (result.read_as, "bold")))
    feedback = [item for item in result.feedback if reveal_values or item.kind != "factor"]
    if feedback:
        grid = Table.grid(padding=(0, 1), pad_edge=False)
        grid.add_column(width=3, justify="right")
        grid.add_column()
        for item in feedback:
            style = "cyan" if item.kind == "misconception" else ""
            grid.add_row("•", Text(item.message, style=style))
        lines.append(grid)
    example = result.counterexample
    if example is not None and reveal_values:
        point = ", ".join(f"{k} = {format_number(v)}" for k, v in (example.point or {}).items())
        lines.append(
            Text.assemble(
                f"  at {point}: " if point else "  ",
                "expected ",
                (format_number(example.expected), "bold"),
                ", your answer ",
                (format_number(example.answer), "bold"),
            )
        )
    if result.verdict == Verdict.DOMAIN_DEPENDENT:
        domain = result.domain if isinstance(result, CheckResult) else None
        lines.append(
            Text(
                f"  equal only {domain}" if domain else "  equal only on part of the domain",
                style="yellow",
            )
        )
    return Group(*lines)


def misconception_name(misconception_id: str) -> str:
    """A readable title for a misconception id (``chain_inner_missing`` → ``chain rule:
    inner derivative missing``); the id with spaces when it has no title."""
    from gradtutor.tutor.titles import misconception_title

    return misconception_title(misconception_id)


def right_view(result: Checked | None = None) -> RenderableType:
    """A right answer; for a decimal, the exact value it stands for."""
    decimal = result if isinstance(result, DecimalVerdict) else None
    exact = (decimal.exact_shown or decimal.exact) if decimal is not None else ""
    if decimal is None or not exact:
        return Text("✓ Right.", style="bold green")
    digits = decimal.significant_digits
    return Text.assemble(
        ("✓ Right", "bold green"),
        f" (to {digits} significant figures)." if digits else ".",
        " Exact value: ",
        (readable(exact), "bold"),
    )


def close_view(result: DecimalVerdict) -> RenderableType:
    """A decimal that is nearly right: too few digits, or a near miss (not a try)."""
    example = result.example or "1/3"
    digits = result.significant_digits
    why = "Close" if digits < 3 else "Close, but not right to the digits you typed"
    return Text(
        f"{why} — give 3 significant figures, or the exact value, e.g. {example}. "
        "(This does not count as a try.)",
        style="yellow",
    )


def wrong_view(result: Checked, tries_left: int, *, numeric: bool = False) -> RenderableType:
    """A miss: another try (or not), and the diagnosis. ``numeric``: the answer is a number."""
    more = (
        Text(
            f"Not quite. Try again ({tries_left} {'try' if tries_left == 1 else 'tries'} left; "
            "'hint' for a hint).",
            style="bold red",
        )
        if tries_left
        else Text("Not quite, and that was the last try.", style="bold red")
    )
    return Group(more, diagnosis_view(result, reveal_values=not (numeric and tries_left)))


def unjudged_view(result: Checked) -> RenderableType:
    if isinstance(result, DecimalVerdict) and result.verdict == AnswerVerdict.CLOSE:
        return close_view(result)
    if result.verdict == Verdict.UNDETERMINED:
        head = Text(
            "I could not decide that one in time. Write it another way, or 'skip'.", style="yellow"
        )
    else:
        head = Text("I can't read that as maths (it does not count as a try).", style="yellow")
    return Group(head, diagnosis_view(result))


def hint_view(text: str | None, number: int, total: int) -> RenderableType:
    if text is None:
        first = "No hints for this one." if total == 0 else "No more hints."
        return Text(f"{first} Type 'steps' for the worked solution.", style="yellow")
    return Text.assemble((f"Hint {number}/{total}: ", "bold magenta"), readable(text))


def solution_view(
    label: str,
    expected: str,
    worked: RenderableType | None,
    *,
    numbers: Sequence[str] = (),
) -> RenderableType:
    """The worked solution (the rule tree), then its numbers substituted step by step, then
    the answer."""
    answer = Text.assemble(
        ("Answer: ", "bold"),
        (f"{readable(label)} = " if label else ""),
        (readable(expected), "green"),
    )
    pieces: list[RenderableType] = [] if worked is None else [worked]
    if numbers:
        pieces.append(Text("With the numbers:", style="bold"))
        pieces.extend(Text(f"  {line}") for line in numbers)
    return Group(*pieces, answer) if pieces else answer


HELP_TEXT = (
    "Type your answer (e.g. 9x^2, 2*x*y, exp(x)*sin(x)). Commands: "
    "'hint' the next hint · 'steps' the worked solution · 'skip' · 'quit'."
)


def help_view() -> RenderableType:
    return Text(HELP_TEXT, style="dim")


SUMMARY_PROMPT_WIDTH = 48


def short_prompt(prompt: str, width: int = SUMMARY_PROMPT_WIDTH) -> str:
    """The question as the learner saw it, on one line, cut to ``width`` with an ellipsis."""
    text = " ".join(readable(prompt).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def summary_view(summary: QuizSummary, *, notice: str | None = None) -> RenderableType:
    """The end of a quiz: how each question went (tries, hints), misconceptions seen, and
    what to do next."""
    results = summary.results
    lines: list[RenderableType] = []
    hints = sum(r.hints_used for r in results)
    lines.append(
        Text.assemble(
            (summary.headline, "bold"),
            (f"  · {hints} hint{'s' if hints != 1 else ''}", "dim") if hints else "",
        )
    )
    if results:
        width = max(len(r.how) for r in results)
        for r in results:
            mark = ("✓", "green") if r.outcome == Outcome.CORRECT else ("✗", "red")
            if r.outcome in (Outcome.SKIPPED, Outcome.INCOMPLETE):
                mark = ("·", "yellow")
            if r.outcome == Outcome.CORRECT and not r.clean:
                mark = ("✓", "yellow")
            row = Text.assemble(
                (mark[0], mark[1]),
                " ",
                r.how.ljust(width),
                (f" {r.elapsed_ms / 1000:5.1f}s  ", "dim"),
                short_prompt(r.prompt),
                no_wrap=True,
                overflow="ellipsis",
            )
            lines.append(row)
    if summary.misconception_counts:
        seen = ", ".join(
            f"{misconception_name(m)} ×{n}" if n > 1 else misconception_name(m)
            for m, n in summary.misconception_counts
        )
        lines.append(Text.assemble(("Misconceptions: ", "bold"), seen))
    if summary.ended_by in (StopReason.INTERRUPT, StopReason.END_OF_INPUT, StopReason.QUIT):
        lines.append(Text("Quiz ended early; every answer so far is saved.", style="dim"))
    if summary.ended_by == StopReason.NOTHING_DUE and not summary.finished:
        lines.append(Text("Nothing is due for review.", style="dim"))
    step = summary.next_step
    if step is not None:
        lines.append(Text.assemble(("Next: ", "bold"), step.text))
        lines.append(Text.assemble(("  $ ", "dim"), (step.command, "cyan")))
    if notice:
        lines.append(Text(notice, style="yellow"))
    return Panel(Group(*lines), title="Summary", title_align="left", expand=False)


# -- progress ------------------------------------------------------------------------------

_BLOCKS = " ▁▂▃▄▅▆▇█"


def bar(fraction: float, width: int = 20) -> Text:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return Text.assemble(("█" * filled, "green"), ("░" * (width - filled), "dim"))


def sparkline(values: Sequence[float | None]) -> Text:
    """One character per value in 0–1; a blank-ish dot where there is no data."""
    text = Text()
    for v in values:
        if v is None:
            text.append("·", style="dim")
        else:
            text.append(_BLOCKS[max(1, round(v * (len(_BLOCKS) - 1)))], style="cyan")
    return text


def day_chart(days: Sequence[DayProgress]) -> RenderableType:
    """Accuracy per day as a bar (height = share right), questions answered, day of month."""
    grid = Table.grid(padding=(0, 1), pad_edge=False)
    grid.add_column(style="bold")
    for _ in days:
        grid.add_column(justify="right", width=2)
    grid.add_row("Accuracy", *(sparkline([d.accuracy]) for d in days))
    grid.add_row(
        Text("answered", style="dim"),
        *(Text(str(d.answered) if d.answered else "·", style="dim") for d in days),
    )
    grid.add_row(
        Text(_months(days[0].day, days[-1].day), style="dim"),
        *(Text(f"{d.day.day}", style="dim") for d in days),
    )
    return Group(Text("Last 14 days", style="bold"), grid)


def _months(first: date, last: date) -> str:
    return f"{last:%b}" if first.month == last.month else f"{first:%b}–{last:%b}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def progress_view(report: ProgressReport) -> RenderableType:
    parts: list[RenderableType] = []
    table = Table(title="Mastery by topic", title_justify="left", box=None, pad_edge=False)
    table.add_column("topic")
    table.add_column("mastery", no_wrap=True, min_width=20)  # never "░░░…"
    table.add_column("", justify="right")
    table.add_column("answered", justify="right")
    table.add_column("right", justify="right")
    for t in report.topics:
        mark = Text(" ✓", style="green") if t.mastered else Text("")
        table.add_row(
            Text(t.title),
            bar(t.mastery),
            Text.assemble(f"{t.mastery:.0%}", mark),
            str(t.answered),
            str(t.correct),
        )
    parts.append(table)
    parts.append(
        Text.assemble(
            ("Questions: ", "bold"),
            str(report.attempts),
            ("   Accuracy: ", "bold"),
            _percent(report.accuracy),
            ("   Streak: ", "bold"),
            f"{report.streak} day{'s' if report.streak != 1 else ''}",
            ("   Due for review: ", "bold"),
            str(report.due),
        )
    )
    if report.days:
        parts.append(day_chart(report.days))
    if report.misconceptions:
        from gradtutor.tutor.aimed import practice_command

        parts.append(Text("Most frequent misconceptions:", style="bold"))
        for misconception, count in report.misconceptions:
            parts.append(Text(f"  {count:>3} × {misconception_name(misconception)}"))
            parts.append(
                Text.assemble(
                    ("        practise it: ", "dim"),
                    (practice_command(misconception), "cyan"),
                )
            )
    return Group(*parts)


def home_view(
    *, report: ProgressReport, next_step: str, command: str, notice: str | None = None
) -> RenderableType:
    lines: list[RenderableType] = [
        Text("gradtutor — the calculus behind neural networks", style="bold")
    ]
    if report.attempts:
        lines.append(
            Text.assemble(
                f"{report.attempts} question{'s' if report.attempts != 1 else ''} so far, ",
                _percent(report.accuracy),
                " right · streak ",
                f"{report.streak} day{'s' if report.streak != 1 else ''}",
            )
        )
        mastered = [t.title for t in report.topics if t.mastered]
        if mastered:
            lines.append(Text("Mastered: " + ", ".join(mastered), style="green"))
    else:
        lines.append(Text("No questions answered yet."))
    lines.append(Text.assemble(("Due for review: ", "bold"), str(report.due)))
    lines.append(Text.assemble(("Next: ", "bold"), next_step))
    lines.append(Text.assemble(("  $ ", "dim"), (command, "cyan")))
    lines.append(Text("More: gradtutor --help", style="dim"))
    if notice:
        lines.append(Text(notice, style="yellow"))
    return Panel(Group(*lines), expand=False, border_style="blue")
