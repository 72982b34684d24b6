"""The after-run summary: a table per optimizer, the ranking, the maths, the replay command."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from gradtutor.descent.optimizers import DEFAULTS, OptimizerSpec
from gradtutor.descent.run import Race, Run
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
    """Who won: the runs that got within tolerance, fastest first; else the lowest loss."""
    ranked = [r for _, r in race.ranking()]
    done = [r for r in ranked if r.stop_reason == "converged"]
    tol = f"|∇f| < {fmt(race.tol)}"
    if not done:
        text = f"No optimizer converged within {race.max_steps} steps"
        alive = [r for r in ranked if r.stop_reason != "diverged"]
        if not alive:
            return text + "; every run diverged."
        best = alive[0]
        return text + f"; closest: {best.spec.name} (loss {fmt(float(best.losses[-1]))})."
    winner, *rest = done
    text = f"Winner: {winner.spec.name}, first to {tol} (step {winner.steps})"
    if rest:
        text += "; then " + ", then ".join(f"{r.spec.name} (step {r.steps})" for r in rest)
    others = [r for r in ranked if r.stop_reason != "converged"]
    if others:
        text += "; did not converge: " + ", ".join(
            f"{r.spec.name} ({r.stop_reason})" for r in others
        )
    return text + "."


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
            table.add_column(grad if key == "grad" else title, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for i, run in enumerate(self.race.runs):
            row = _row(i, run, self.plain)
            table.add_row(*(row[c] for c in picked))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)


COLUMNS = (
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
) -> list[RenderableType]:
    """Renderables to print after the run (``endings``: what each final point is)."""
    table = SummaryTable(race, plain)
    out: list[RenderableType] = [table]
    if interrupted_at is not None:
        out.append(Text(f"Animation interrupted at step {interrupted_at}; the runs finished:"))
    out.extend(Text(line) for line in stop_lines(race, endings))
    if len(race.runs) > 1:
        out.append(Text(ranking_text(race), style=None if plain else "bold"))
    if not race.surface.typed:
        out.append(Text(f"Lesson: {race.surface.lesson}", style=None if plain else "italic"))
    for note in race.surface.notes:  # a typed loss's kink or step
        out.append(Text(f"Note: {note}", style=None if plain else "italic"))
    for note in notes:
        out.append(Text(note, style=None if plain else "yellow"))
    out.append(ReplayText(f"Replay: {replay}", style=None if plain else "dim"))
    return out


def _row(i: int, run: Run, plain: bool) -> list[Text | str]:
    colour = PATH_COLOURS[i % len(PATH_COLOURS)]
    name = Text(run.spec.name, style=None if plain else f"bold {colour}")
    pos = ", ".join(fmt(float(v)) for v in run.final)
    status = Text(run.stop_reason, style=None if plain else STATUS_COLOURS[run.stop_reason])
    return [
        name,
        settings_text(run.spec),
        str(run.steps),
        f"({pos})" if run.final.size > 1 else pos,
        fmt(float(run.losses[-1])),
        fmt(float(run.grad_norms[-1]), 3),
        status,
    ]
