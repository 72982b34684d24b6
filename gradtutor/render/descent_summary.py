"""The after-run summary: a table per optimizer, the ranking, the maths, the replay command."""

from __future__ import annotations

import math

from rich.console import Console, ConsoleOptions, JustifyMethod, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from gradtutor.descent.analysis import Rates
from gradtutor.descent.optimizers import DEFAULTS, OptimizerSpec
from gradtutor.descent.run import Race, Run, StopReason
from gradtutor.render.descent_frame import PATH_COLOURS, STATUS_COLOURS, fmt


def settings_text(spec: OptimizerSpec) -> str:
    """The settings that differ from torch's defaults (lr always shown)."""
    defaults = DEFAULTS[spec.kind]
    parts = [f"lr={fmt(spec.lr)}"]
    for key, value in spec.params.items():
        if key == "lr" or value == defaults[key]:
            continue
        if isinstance(value, bool):
            parts.append(f"{key}={'true' if value else 'false'}")
        elif isinstance(value, tuple):
            parts.append(f"{key}={'/'.join(fmt(v) for v in value)}")
        else:
            parts.append(f"{key}={fmt(value)}")
    return " ".join(parts)


def ranking_text(race: Race) -> str:
    """Who won: the lowest loss reached, then the fastest to |∇f| < tol among equals."""
    ranked = [r for _, r in race.ranking()]
    tol = f"|∇f| < {fmt(race.tol)}"
    text = _podium(race, ranked, tol)
    first = min(
        (r for r in ranked if r.stop_reason == StopReason.CONVERGED),
        key=lambda r: r.steps,
        default=None,
    )
    best = ranked[0]
    worse = first is not None and first is not best and not race.tied(first, best)
    if worse and first is not None and best.stop_reason != StopReason.DIVERGED:
        text += (
            f" {first.spec.name} stopped first (step {first.steps}) but at a worse point "
            f"(loss {fmt(float(first.losses[-1]))} against {fmt(float(best.losses[-1]))})."
        )
    rates = {r.spec.lr for r in race.runs}
    if len(rates) > 1:
        each = ", ".join(f"{r.spec.name} {fmt(r.spec.lr)}" for r in race.runs)
        text += (
            f" The racers use different learning rates ({each}): the race compares "
            "settings as much as methods."
        )
    return text


def _podium(race: Race, ranked: list[Run], tol: str) -> str:
    done = [r for r in ranked if r.stop_reason == StopReason.CONVERGED]
    if not done:
        text = f"No optimizer converged within {race.max_steps} steps"
        alive = [r for r in ranked if r.stop_reason != StopReason.DIVERGED]
        if not alive:
            return text + "; every run diverged."
        best = alive[0]
        return text + f"; closest: {best.spec.name} (loss {fmt(float(best.losses[-1]))})."
    winner, *rest = ranked
    level = [r.spec.name for r in rest if race.tied(winner, r)]
    loss = fmt(float(winner.losses[-1]))
    text = f"Winner: {winner.spec.name}, lowest loss ({loss})"
    if level:
        text = f"Winner: {winner.spec.name}, lowest loss ({loss}, level with {_names(level)})"
    if winner.stop_reason == StopReason.CONVERGED:
        text += f", {tol} {'first, ' if level else ''}at step {winner.steps}"
    else:
        text += f", {winner.stop_reason} after {winner.steps} steps"
    later = [r for r in rest if r.stop_reason != StopReason.DIVERGED]
    if later:
        text += "; then " + ", then ".join(_place(race, winner, r) for r in later)
    lost = [r for r in rest if r.stop_reason == StopReason.DIVERGED]
    if lost:
        text += "; diverged: " + ", ".join(r.spec.name for r in lost)
    return text + "."


def _place(race: Race, winner: Run, run: Run) -> str:
    loss = "the same loss" if race.tied(winner, run) else f"loss {fmt(float(run.losses[-1]))}"
    how = f"step {run.steps}" if run.stop_reason == StopReason.CONVERGED else run.stop_reason
    return f"{run.spec.name} ({loss}, {how})"


def widened_text(race: Race) -> str:
    """Say that the view was stretched to a start outside it (never 'diverged')."""
    start = ", ".join(fmt(float(v)) for v in race.start)
    ranges = ", ".join(
        f"{name} {fmt(lo)} to {fmt(hi)}"
        for name, (lo, hi) in zip(race.surface.variables, race.surface.window, strict=True)
    )
    return (
        f"The start ({start}) is outside the surface's usual view, so the view is widened "
        f"to {ranges}."
    )


BLOCKS = "▁▂▃▄▅▆▇█"


class ErrorPlot:
    """|error| along each Hessian eigenvector against steps, log scale, one row of blocks each.

    The bar height is log10 of the error between the smallest and the largest error;
    the slow direction (smallest λ) is the row that stays tall.
    """

    def __init__(self, rates: Rates) -> None:
        self.rates = rates

    def lines(self, width: int) -> list[str]:
        rows = self.rates.errors
        steps = len(rows[0])
        subscripts = "₁₂₃₄₅₆₇₈₉"
        labels = [
            f"λ{subscripts[i] if i < 9 else i + 1} = {fmt(lam)}"
            for i, lam in enumerate(self.rates.lams)
        ]
        pad = max(len(label) for label in labels)
        cols = max(8, min(steps, width - pad - 12))
        values = [v for row in rows for v in row if math.isfinite(v) and v > 0]
        top = max(values, default=1.0)
        floor = max(min(values, default=top) * 0.999, top * 1e-15)
        if floor >= top:
            floor = top / 10
        picks = [round(i * (steps - 1) / max(cols - 1, 1)) for i in range(cols)]
        out = [
            f"{self.rates.label}: |error| along each eigenvector, log scale "
            f"({fmt(top)} down to {fmt(floor)}), steps 0 to {steps - 1}:"
        ]
        for label, row in zip(labels, rows, strict=True):
            bars = "".join(_block(row[k], floor, top) for k in picks)
            out.append(f"  {label.ljust(pad)} {bars} {fmt(row[-1], 2)}")
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        head, *rows = self.lines(options.max_width)
        yield Text(head)  # wraps at words like the rest of the summary
        for line in rows:  # one row of blocks each: never wrapped, cropped if need be
            yield Text(line, no_wrap=True, overflow="crop")


def _block(value: float, floor: float, top: float) -> str:
    if not math.isfinite(value) or value <= floor:
        return " "
    frac = math.log10(value / floor) / math.log10(top / floor)
    return BLOCKS[min(len(BLOCKS) - 1, max(0, int(frac * len(BLOCKS))))]


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def stop_lines(race: Race, endings: list[str]) -> list[str]:
    """Why each run stopped, an explanation shared by several runs said once for all."""
    groups: dict[str, list[str]] = {}
    for run, ending in zip(race.runs, endings, strict=True):
        groups.setdefault(f"{run.stop_detail}{ending}", []).append(run.spec.name)
    return [f"{_names(names)}: {detail}" for detail, names in groups.items()]


class SummaryTable:
    """A row per optimizer; at narrow widths it drops settings, then |∇f|, then the position.

    Columns are only dropped, never cut mid-number: each kept column is at least as
    wide as its longest word (the settings are in the replay command anyway).
    """

    DROP = ("settings", "grad", "position")

    def __init__(self, race: Race, plain: bool) -> None:
        self.race = race
        self.plain = plain

    def columns(self, width: int) -> list[str]:
        rows = [_row(i, run, self.plain) for i, run in enumerate(self.race.runs)]
        keep = [key for key, _, _ in COLUMNS]
        least = {}
        for c, (key, title, _) in enumerate(COLUMNS):
            cells = [title, *(str(row[c]) for row in rows)]
            least[key] = max(len(word) for cell in cells for word in cell.split())
        for key in self.DROP:
            if sum(least[k] for k in keep) + 2 * (len(keep) - 1) <= width:
                break
            keep.remove(key)
        return keep

    def table(self, width: int) -> Table:
        keep = self.columns(width)
        grad = "|∇f|" if not self.plain else "|grad|"
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        picked = [c for c, (key, _, _) in enumerate(COLUMNS) if key in keep]
        for c in picked:
            key, title, justify = COLUMNS[c]
            table.add_column(grad if key == "grad" else title, justify=justify, overflow="fold")
        for i, run in enumerate(self.race.runs):
            row = _row(i, run, self.plain)
            table.add_row(*(row[c] for c in picked))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)


COLUMNS: tuple[tuple[str, str, JustifyMethod], ...] = (
    ("optimizer", "optimizer", "left"),
    ("settings", "settings", "left"),
    ("steps", "steps", "right"),
    ("position", "final position", "left"),
    ("loss", "loss", "right"),
    ("grad", "|grad|", "right"),
    ("stop", "stop", "left"),
)


class ReplayText(Text):
    """The replay command: printed with soft wrap so it stays one line to copy."""


def print_summary(console: Console, parts: list[RenderableType]) -> None:
    """Word-wrapped to the console's width, except the replay line (see ``ReplayText``)."""
    for part in parts:
        if isinstance(part, ReplayText):
            console.print(part, soft_wrap=True)
        else:
            console.print(part)


def summary(
    race: Race,
    *,
    endings: list[str],
    notes: list[str],
    replay: str,
    plain: bool,
    interrupted_at: int | None = None,
    rates: tuple[Rates, ...] = (),
) -> list[RenderableType]:
    """Renderables to print after the run (``endings``: what each final point is)."""
    table = SummaryTable(race, plain)
    out: list[RenderableType] = [table]
    if interrupted_at is not None:
        out.append(Text(f"Animation interrupted at step {interrupted_at}; the runs finished:"))
    if race.view_from is not None:
        out.append(Text(widened_text(race)))
    out.extend(Text(line) for line in stop_lines(race, endings))
    if len(race.runs) > 1:
        out.append(Text(ranking_text(race), style="" if plain else "bold"))
    if not race.surface.typed:
        out.append(Text(f"Lesson: {race.surface.lesson}", style="" if plain else "italic"))
    for note in race.surface.notes:  # a typed loss's kink or step
        out.append(Text(f"Note: {note}", style="" if plain else "italic"))
    for note in notes:
        out.append(Text(note, style="" if plain else "yellow"))
    for rate in rates:
        out.extend(Text(line) for line in rate.lines())
        out.append(ErrorPlot(rate))
    out.append(ReplayText(f"Replay: {replay}", style="" if plain else "dim"))
    return out


def _row(i: int, run: Run, plain: bool) -> list[Text | str]:
    colour = PATH_COLOURS[i % len(PATH_COLOURS)]
    name = Text(run.spec.name, style="" if plain else f"bold {colour}")
    pos = ", ".join(fmt(float(v)) for v in run.final)
    status = Text(run.stop_reason, style="" if plain else STATUS_COLOURS[run.stop_reason])
    return [
        name,
        settings_text(run.spec),
        str(run.steps),
        f"({pos})" if run.final.size > 1 else pos,
        fmt(float(run.losses[-1])),
        fmt(float(run.grad_norms[-1]), 3),
        status,
    ]
