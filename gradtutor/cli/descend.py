"""``gradtutor descend``: optimizers walking down a loss surface, animated in the terminal."""

from __future__ import annotations

import json
import math
import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gradtutor.cli.completion import complete_optimizer, complete_surface
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from gradtutor.descent.optimizers import OptimizerSpec
    from gradtutor.descent.run import Race
    from gradtutor.descent.surfaces import Surface

EXAMPLES = """\
[b]Examples[/b]

  gradtutor descend --list                   [dim]# surfaces and their lessons[/dim]
  gradtutor descend ellipse --lr 0.045       [dim]# above 2/λmax = 0.04: explodes[/dim]
  gradtutor descend rosenbrock --optimizer sgd,momentum,adam   [dim]# a race[/dim]
  gradtutor descend himmelblau -o adam:lr=0.1,betas=0.9/0.999 --start -1,-1
  gradtutor descend "x^2 + 10y^2" -o sgd:lr=0.09,momentum=0.5,nesterov=true
  gradtutor descend double-well -o gd -o momentum --lr 0.02
  gradtutor descend ellipse --lr best -o sgd,momentum   [dim]# the optimal rates[/dim]
  gradtutor descend bowl --noise 0.5 --schedule cosine   [dim]# noisy gradients, rate decays[/dim]
  gradtutor descend bowl --json > run.json
  gradtutor descend beale --save beale.svg --record beale.cast

Optimizers (PyTorch names, defaults and update rules): sgd (alias gd), momentum, \
nesterov, adagrad, rmsprop, adam, amsgrad, adamw. \
Stop reasons: converged, max_steps, diverged, stalled, oscillating.
"""

DEFAULT_STEPS = 1000
# Guards against what cannot be drawn or computed: coordinates whose loss or window
# arithmetic overflows a float, and a terminal reporting any size it likes.
MAX_COORDINATE = 1e6
MIN_WINDOW = 1e-6
MAX_COLUMNS = 400
MAX_LINES = 150
DEFAULT_TOL = 1e-4
ANIMATION_SECONDS = 8.0  # --every defaults so an animation lasts about this long


def register(app: typer.Typer) -> None:
    app.command(
        "descend",
        rich_help_panel="Explore",
        help="Watch optimizers walk down a loss surface (or your own loss), animated.\n\n"
        + EXAMPLES,
        no_args_is_help=True,
    )(descend_command)


def descend_command(
    surface: Annotated[
        str | None,
        typer.Argument(
            help="A surface from --list (e.g. rosenbrock) or a loss in x, y such as 'x^2 + 10y^2'.",
            show_default=False,
            autocompletion=complete_surface,
        ),
    ] = None,
    optimizer: Annotated[
        list[str] | None,
        typer.Option(
            "--optimizer",
            "-o",
            metavar="NAME[:K=V,...]",
            help="An optimizer such as adam or adam:lr=0.05 (PyTorch's setting names); "
            "give several, comma-separated or repeated, for a race.",
            show_default=False,
            autocompletion=complete_optimizer,
        ),
    ] = None,
    lr: Annotated[
        str | None,
        typer.Option(
            "--lr",
            metavar="LR",
            help="Learning rate for every optimizer that sets none; 'best' on a "
            "quadratic: 2/(λmin+λmax) for sgd, Polyak's lr and β for momentum.",
        ),
    ] = None,
    noise: Annotated[
        float,
        typer.Option(
            "--noise",
            min=0.0,
            metavar="σ",
            help="Add Gaussian noise of this standard deviation to every gradient "
            "(as a minibatch would; seeded by --seed).",
        ),
    ] = 0.0,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed for --noise (the same seed, the same run).")
    ] = 0,
    schedule: Annotated[
        str | None,
        typer.Option(
            "--schedule",
            metavar="SPEC",
            help="Lower lr as the run goes, as torch's StepLR, ExponentialLR or "
            "CosineAnnealingLR: step:k=100,gamma=0.5, exp:gamma=0.99 or cosine.",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="X,Y", help="Start point (default: the surface's)."),
    ] = None,
    steps: Annotated[
        int, typer.Option("--steps", min=1, max=1_000_000, help="Most updates per optimizer.")
    ] = DEFAULT_STEPS,
    tol: Annotated[
        float, typer.Option("--tol", min=0.0, help="Converged once |∇f| is below this.")
    ] = DEFAULT_TOL,
    window: Annotated[
        str | None,
        typer.Option("--window", metavar="X0:X1,Y0:Y1", help="The view (default: the surface's)."),
    ] = None,
    fps: Annotated[
        float, typer.Option("--fps", min=0.5, max=240, help="Frames per second.")
    ] = 30.0,
    every: Annotated[
        int | None,
        typer.Option("--every", min=1, help="Draw every Nth step (default: ~8 s of animation)."),
    ] = None,
    animate: Annotated[
        bool, typer.Option("--animate/--no-animate", help="Animate (only on a terminal).")
    ] = True,
    scale: Annotated[
        str, typer.Option("--scale", help="Colour scale: quantile, log or linear.")
    ] = "quantile",
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the runs as JSON (see README for the fields).")
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option("--save", metavar="FILE.svg", help="Save the final frame and summary as SVG."),
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option("--record", metavar="FILE.cast", help="Record the animation (asciicast v2)."),
    ] = None,
    list_surfaces: Annotated[
        bool, typer.Option("--list", help="List the surfaces with their lessons.")
    ] = False,
) -> None:
    # A bad option, optimizer, schedule or loss raises a GradtutorError (UsageError,
    # OptimizerError, ScheduleError, TypedLossError), reported by the command: exit 2.
    if list_surfaces:
        _print_catalogue(json_output)
        return
    if surface is None:
        raise UsageError("name a surface (see --list) or type a loss, e.g. 'x^2 + 10y^2'")
    if tol <= 0:
        raise UsageError(f"--tol must be positive, not {tol:g}")
    if scale not in ("quantile", "log", "linear"):
        raise UsageError(f"--scale must be quantile, log or linear, not {scale!r}")
    check_output_path(save, "--save", ".svg")  # before the run, not after it
    check_output_path(record, "--record", ".cast")
    if not math.isfinite(noise):
        raise UsageError(f"--noise must be a finite number, not {noise:g}")
    loss = _surface(surface, window, start)
    specs = _specs(optimizer or ["sgd"], _rate(lr), loss)
    point = loss.start if start is None else _numbers(start, "--start", loss.dim)
    plan = _schedule(schedule, steps)
    from gradtutor.descent.run import race

    result = race(
        loss, specs, point, max_steps=steps, tol=tol, noise=noise, seed=seed, schedule=plan
    )
    replay = _replay(surface, loss, result, window, scale)
    if noise:
        replay += f" --noise {noise!r} --seed {seed}"
    if plan is not None:
        replay += f" --schedule {plan.text}"
    if fps != 30.0:
        replay += f" --fps {fps:g}"
    if every is not None:
        replay += f" --every {every}"
    if json_output:
        if save is not None or record is not None:  # the files too, with nothing on screen
            import io

            from gradtutor.render.console import make_console

            quiet = make_console(file=io.StringIO(), width=100)
            _show(
                result,
                replay,
                fps=fps,
                every=every,
                animate=False,
                scale=scale,
                save=save,
                record=record,
                console=quiet,
            )
        sys.stdout.write(json.dumps(_json(result), ensure_ascii=False) + "\n")
        return
    code = _show(
        result, replay, fps=fps, every=every, animate=animate, scale=scale, save=save, record=record
    )
    raise typer.Exit(code)


def _rate(text: str | None) -> float | str | None:
    """--lr: a number ≥ 0, or 'best' (worked out per optimizer from the surface)."""
    if text is None:
        return None
    if text.strip().lower() == "best":
        return "best"
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--lr needs a number or 'best', not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"--lr must be a finite number ≥ 0, not {text!r}")
    return value


def _schedule(text: str | None, steps: int) -> Any:
    if text is None:
        return None
    from gradtutor.descent.schedules import parse_schedule

    return parse_schedule(text, max_steps=steps)


def _json(result: Race) -> dict[str, Any]:
    """The race's JSON plus the analysis: each run's verdict and, on quadratics, its rates."""
    from gradtutor.descent.analysis import judge, rates

    out = result.to_json()
    for run, entry in zip(result.runs, out["runs"], strict=True):
        verdict = judge(result.surface, run, schedule=result.schedule, noise=result.noise)
        rate = rates(result.surface, run)
        entry["verdict"] = verdict.to_json() if verdict is not None else None
        entry["rates"] = rate.to_json() if rate is not None else None
    return out


def _numbers(text: str, option: str, dim: int) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"{option} needs {dim} comma-separated number(s), not {text!r}") from None
    if len(values) != dim or not all(math.isfinite(v) for v in values):
        raise UsageError(f"{option} needs {dim} comma-separated number(s), not {text!r}")
    if any(abs(v) > MAX_COORDINATE for v in values):
        raise UsageError(f"{option} must lie within ±{MAX_COORDINATE:,.0f}, not {text!r}")
    return values


def _window(text: str, dim: int) -> tuple[tuple[float, float], ...]:
    ranges = []
    for part in text.split(","):
        lo, sep, hi = part.partition(":")
        try:
            pair = (float(lo), float(hi))
        except ValueError:
            pair = (math.nan, math.nan)
        if not sep or not all(math.isfinite(v) for v in pair) or not pair[0] < pair[1]:
            raise UsageError(
                f"--window needs LO:HI ranges with LO < HI, like -2:2,-1:3; not {text!r}"
            )
        if any(abs(v) > MAX_COORDINATE for v in pair):
            raise UsageError(f"--window must lie within ±{MAX_COORDINATE:,.0f}, not {text!r}")
        if pair[1] - pair[0] < MIN_WINDOW:
            raise UsageError(f"--window ranges must be at least {MIN_WINDOW:g} wide, not {text!r}")
        ranges.append(pair)
    if len(ranges) != dim:
        raise UsageError(f"--window needs {dim} range(s) LO:HI for this surface, not {text!r}")
    return tuple(ranges)


def _surface(name: str, window: str | None, start: str | None) -> Surface:
    from dataclasses import replace

    from gradtutor.descent.surfaces import find_surface

    found = find_surface(name)
    if found is not None:
        if window is not None:
            found = replace(found, window=_window(window, found.dim))
        if start is not None:
            found = replace(found, start=_numbers(start, "--start", found.dim))
        return found
    from gradtutor.descent.typed import TypedLossError, surface_from_expression

    dim = None
    if window is not None:
        dim = window.count(",") + 1
    parsed_window = _window(window, dim) if window is not None and dim is not None else None
    parsed_start = None
    if start is not None:
        parsed_start = tuple(_numbers(start, "--start", start.count(",") + 1))
    try:
        return surface_from_expression(name, window=parsed_window, start=parsed_start)
    except TypedLossError as err:
        # A bare word ("rosenbrok", "nope") was meant as a surface's name, not as maths:
        # say so, rather than relay the parser's advice about multiplying variables.
        if BARE_WORD.fullmatch(name.strip()) and (err.unreadable or _close(name)):
            raise UsageError(_no_such_surface(name.strip())) from None
        raise


BARE_WORD = re.compile(r"[A-Za-z0-9_-]+")


def _close(name: str) -> list[str]:
    from gradtutor.descent.surfaces import close_names

    return close_names(name)


def _no_such_surface(name: str) -> str:
    close = _close(name)
    if close:
        guess = close[0] if len(close) == 1 else ", ".join(close[:-1]) + " or " + close[-1]
        return (
            f"no surface named {name!r}; did you mean {guess}? "
            "(gradtutor descend --list shows them all)"
        )
    return (
        f"no surface named {name!r}; gradtutor descend --list shows them all, "
        "or type a loss in x and y, e.g. 'x^2 + 10y^2'"
    )


def split_optimizers(values: list[str]) -> list[str]:
    """'sgd,momentum,adam:lr=0.1,betas=0.9/0.99' → ['sgd', 'momentum', 'adam:lr=0.1,betas=…']."""
    out: list[str] = []
    for value in values:
        for token in value.split(","):
            token = token.strip()
            if not token:
                continue
            if "=" in token.partition(":")[0] or ("=" in token and ":" not in token):
                if not out:
                    raise UsageError(
                        f"{token!r} needs an optimizer name before it, e.g. sgd:{token}"
                    )
                out[-1] += ("," if ":" in out[-1] else ":") + token
            else:
                out.append(token)
    return out


def _specs(values: list[str], lr: float | str | None, surface: Surface) -> list[OptimizerSpec]:
    from gradtutor.descent.analysis import best_spec
    from gradtutor.descent.optimizers import parse_optimizer

    specs = []
    for text in split_optimizers(values):
        spec = parse_optimizer(text)
        if "lr" not in spec.explicit:
            given = lr if isinstance(lr, float) else None
            spec = spec.with_lr(given if given is not None else surface.suggested_lr(spec.kind))
            if lr == "best":
                spec = best_spec(surface, spec)
        specs.append(spec)
    if not specs:
        raise UsageError("--optimizer needs a name, e.g. --optimizer adam")
    if len(specs) > 6:
        raise UsageError(f"a race has at most 6 optimizers, not {len(specs)}")
    return specs


def _replay(text: str, surface: Surface, result: Race, window: str | None, scale: str) -> str:
    parts = ["gradtutor", "descend", shlex.quote(text.strip())]
    for run in result.runs:
        parts += ["--optimizer", shlex.quote(run.spec.to_arg())]
    parts += ["--start", ",".join(repr(float(v)) for v in result.start)]
    parts += ["--steps", str(result.max_steps), "--tol", repr(result.tol)]
    if window is not None:
        parts += ["--window", ",".join(f"{lo!r}:{hi!r}" for lo, hi in surface.window)]
    if scale != "quantile":
        parts += ["--scale", scale]
    return " ".join(parts)


def _analysis(result: Race) -> tuple[list[str], list[str], tuple[str, ...]]:
    """What each end point is; the stability notes; the notes worth showing on the frame."""
    from gradtutor.descent.analysis import race_notes

    return race_notes(result)


def _plain(console: Console) -> bool:
    return console.no_color or console.color_system is None


def _show(
    result: Race,
    replay: str,
    *,
    fps: float,
    every: int | None,
    animate: bool,
    scale: str,
    save: Path | None,
    record: Path | None,
    console: Console | None = None,
) -> int:
    from gradtutor.render.console import make_console
    from gradtutor.render.descent_frame import DescentView
    from gradtutor.render.descent_screen import Cast, play
    from gradtutor.render.descent_summary import print_summary, summary

    console = console or make_console()
    _cap_size(console)
    plain = _plain(console)
    endings, notes, warnings = _analysis(result)
    view = DescentView(result, plain=plain, scale=scale, notes=warnings)
    last = view.last_step
    every = every or max(1, math.ceil(last / (fps * ANIMATION_SECONDS)))
    width, height = console.size
    cast = Cast(width, height, title=replay) if record is not None else None
    interrupted_at = None
    code = ExitCode.OK
    if animate and console.is_terminal and not console.is_dumb_terminal:
        playback = play(view, console=console, fps=fps, every=every, cast=cast)
        if playback.interrupted:
            interrupted_at, code = playback.shown_step, ExitCode.INTERRUPTED
            console.print()
    else:
        if cast is not None:
            colour_view = DescentView(result, plain=False, scale=scale, notes=warnings)
            play(colour_view, console=None, fps=fps, every=every, cast=cast, size=(width, height))
        console.print(view.frame(last), height=max(height - 1, 12))
    from gradtutor.descent.analysis import rates

    found = (rates(result.surface, run) for run in result.runs)
    parts = summary(
        result,
        endings=endings,
        notes=notes,
        replay=replay,
        plain=plain,
        interrupted_at=interrupted_at,
        rates=tuple(r for r in found if r is not None),
    )
    print_summary(console, parts)
    _write_outputs(result, view, parts, save, record, cast, width, height, scale, warnings)
    return int(code)


def _cap_size(console: Console) -> None:
    """Draw at most MAX_COLUMNS × MAX_LINES, whatever size the terminal reports: a frame
    costs time per cell, and a 3,000 × 2,000 report would never finish drawing."""
    width, height = console.size
    if width > MAX_COLUMNS or height > MAX_LINES:
        console.size = (min(width, MAX_COLUMNS), min(height, MAX_LINES))


def _write_outputs(
    result: Race,
    view: Any,
    parts: list[Any],
    save: Path | None,
    record: Path | None,
    cast: Any,
    width: int,
    height: int,
    scale: str,
    warnings: tuple[str, ...],
) -> None:
    import io

    from rich.console import Console

    from gradtutor.render.descent_frame import DescentView
    from gradtutor.render.descent_summary import print_summary

    target = save
    try:
        if save is not None:
            svg = Console(
                record=True,
                width=width,
                height=height,
                file=io.StringIO(),
                force_terminal=True,
                color_system="truecolor",
            )
            colour_view = DescentView(result, plain=False, scale=scale, notes=warnings)
            svg.print(colour_view.frame(view.last_step), height=max(height - 1, 12))
            print_summary(svg, _svg_parts(parts, width))
            svg.save_svg(str(save), title=f"gradtutor descend {result.surface.name}")
        target = record
        if record is not None and cast is not None:
            record.write_text(cast.dumps(), encoding="utf-8")
    except OSError as err:
        raise GradtutorError(f"cannot write {err.filename or target}: {err.strerror}") from None


# Why SVG only, not PNG: a frame is half-block and braille characters in 24-bit colour.
# Drawing it as pixels (with Pillow, say) needs a monospace font file with those glyphs;
# no light, well-kept dependency ships one, and none is guaranteed on a learner's
# machine, so a PNG could come out with boxes for glyphs. rich writes the SVG exactly,
# and a browser or `rsvg-convert run.svg -o run.png` makes a PNG with the system's fonts.
OUTPUT_HINTS = {
    ".svg": "an SVG picture (open it in a browser; convert with rsvg-convert for a PNG)",
    ".cast": "an asciicast v2 recording (play it with gradtutor play FILE.cast)",
}


def check_output_path(path: Path | None, option: str, suffix: str) -> None:
    """Refuse, before any work, a file that could not be written: the wrong extension,
    a missing or unwritable directory, a directory in its place."""
    if path is None:
        return
    if path.suffix.lower() != suffix:
        raise UsageError(
            f"{option} writes {OUTPUT_HINTS[suffix]}; name the file *{suffix}, not {path.name!r}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"{option}: no such directory {str(folder)!r} for {str(path)!r}")
    if path.is_dir():
        raise UsageError(f"{option}: {str(path)!r} is a directory")
    try:  # really open it: permission bits say nothing for root or a read-only file system
        if path.exists():
            with path.open("r+b"):
                pass
        else:
            with path.open("xb"):
                pass
            path.unlink()
    except OSError as err:
        raise UsageError(f"{option}: cannot write {str(path)!r} ({err.strerror})") from None


def fold_replay(replay: str, width: int) -> str:
    """The replay command folded to ``width`` columns with shell line continuations, split
    only between words, so the lines pasted into a shell are the same command."""
    words = [shlex.quote(word) for word in shlex.split(replay)]
    lines, line = [], "Replay:"
    for word in words:
        if len(line) + 1 + len(word) + 2 > width and line.strip() not in ("Replay:", ""):
            lines.append(line + " \\")
            line = "   "
        line += " " + word
    lines.append(line)
    return "\n".join(lines)


def _svg_parts(parts: list[Any], width: int) -> list[Any]:
    """The summary for the SVG: the replay line folded, not cut at the picture's edge."""
    from rich.text import Text

    from gradtutor.render.descent_summary import ReplayText

    return [
        Text(fold_replay(part.plain.removeprefix("Replay: "), width), style=part.style)
        if isinstance(part, ReplayText)
        else part
        for part in parts
    ]


def _print_catalogue(json_output: bool) -> None:
    from gradtutor.descent.surfaces import CATALOGUE

    if json_output:
        rows = [
            {
                **s.to_json(),
                "window": [list(w) for w in s.window],
                "start": list(s.start),
                "minima": [list(m) for m in s.minima],
                "lesson": s.lesson,
            }
            for s in CATALOGUE
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    from gradtutor.render.console import make_console

    console = make_console()
    plain = _plain(console)
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("surface", style=None if plain else "bold cyan", no_wrap=True)
    table.add_column("lesson, then the loss", overflow="fold")
    for s in CATALOGUE:
        cell = Text(s.lesson)
        cell.append(f"\nf({', '.join(s.variables)}) = {s.expression}", None if plain else "dim")
        table.add_row(s.name, cell)
    console.print(table)
    console.print("Or type your own loss in one or two variables: gradtutor descend 'x^2 + 10y^2'")
