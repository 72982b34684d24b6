"""The after-run summary: a table per optimizer, the ranking, the maths, the replay command."""

from __future__ import annotations

from rich.console import RenderableType
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
    done = [(i, r) for i, r in race.ranking() if r.stop_reason == "converged"]
    if not done:
        return f"No optimizer reached |∇f| < {fmt(race.tol)}."
    first = ", then ".join(f"{r.spec.name} (step {r.steps})" for _, r in done)
    return f"Reached |∇f| < {fmt(race.tol)}: {first}."


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
    grad = "|∇f|" if not plain else "|grad|"
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for name, justify in (
        ("optimizer", "left"),
        ("settings", "left"),
        ("steps", "right"),
        ("final position", "left"),
        ("loss", "right"),
        (grad, "right"),
        ("stop", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for i, run in enumerate(race.runs):
        table.add_row(*_row(i, run, plain))
    out: list[RenderableType] = [table]
    if interrupted_at is not None:
        out.append(Text(f"Animation interrupted at step {interrupted_at}; the runs finished:"))
    for run, ending in zip(race.runs, endings, strict=True):
        out.append(Text(f"{run.spec.name}: {run.stop_detail}{ending}"))
    if len(race.runs) > 1:
        out.append(Text(ranking_text(race)))
    if not race.surface.typed:
        out.append(Text(f"Lesson: {race.surface.lesson}", style=None if plain else "italic"))
    for note in notes:
        out.append(Text(note, style=None if plain else "yellow"))
    out.append(Text(f"Replay: {replay}", style=None if plain else "dim", no_wrap=True))
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
