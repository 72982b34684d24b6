"""Benchmarks for ``gradtutor descend``: frame rendering, optimizer steps, JSON output.

Run: python benchmarks/bench_descent.py

Each line prints median / p99 / max of repeated timings beside a baseline measured in
the same run, with the issue's budget:

* one animation frame at 120×40 (contours, three paths, table) → ANSI: ≤ 5 ms median;
  baseline: the naive way, one styled rich Text span per heatmap cell, printed by rich.
* 1,000 Adam steps on Rosenbrock (the full run loop): ≤ 20 ms;
  baseline: 1,000 bare gradient evaluations (the floor for any optimizer).
* the JSON of a 10,000-step run: ≤ 1 s; baseline: json.dumps of the same numbers as one list.
"""

from __future__ import annotations

import io
import json
import statistics

import numpy as np
from rich.console import Console
from rich.text import Text
from timing import describe, timings

from gradtutor.descent.optimizers import parse_optimizer
from gradtutor.descent.run import race, run
from gradtutor.descent.surfaces import find_surface
from gradtutor.render.descent_frame import DescentView
from gradtutor.render.descent_screen import AnsiLines, Screen


def report(name: str, budget_ms: float, ours: list[float], baseline: list[float], label: str):
    median = statistics.median(ours) * 1000
    verdict = "ok" if median <= budget_ms else "OVER BUDGET"
    print(f"{name} (budget {budget_ms:g} ms median): {verdict}")
    print(f"  ours      {describe(ours)}")
    print(f"  baseline  {describe(baseline)}   [{label}]")


def bench_frame() -> None:
    surface = find_surface("rosenbrock")
    specs = [parse_optimizer(t) for t in ("sgd:lr=0.0005", "momentum:lr=0.0005", "adam:lr=0.05")]
    result = race(surface, specs, surface.start, max_steps=1000, tol=1e-4)
    view = DescentView(result)
    view.lines(0, 120, 40)  # the surface is rasterised once per size, as in a real run
    screen = Screen(AnsiLines("truecolor"))
    steps = iter(range(1, 10_000))

    def frame() -> None:
        screen.render(view.lines(next(steps) % 1001, 120, 40))

    ours = timings(frame, 400)

    rgb = np.random.default_rng(0).integers(0, 255, size=(80, 120, 3))
    console = Console(file=io.StringIO(), width=120, color_system="truecolor", force_terminal=True)

    def naive() -> None:
        text = Text()
        for r in range(0, 80, 2):
            for c in range(120):
                top, bottom = rgb[r, c], rgb[r + 1, c]
                fg = "rgb({},{},{})".format(*top)
                bg = "rgb({},{},{})".format(*bottom)
                text.append("▀", style=f"{fg} on {bg}")
            text.append("\n")
        console.print(text)
        console.file.seek(0)
        console.file.truncate()

    report(
        "frame 120x40, contours + 3 paths + table",
        5,
        ours,
        timings(naive, 20),
        "naive: a styled span per cell, printed by rich",
    )


def bench_adam() -> None:
    surface = find_surface("rosenbrock")
    spec = parse_optimizer("adam:lr=0.05")

    def adam() -> None:
        run(surface, spec, surface.start, max_steps=1000, tol=1e-12)

    point = np.array(surface.start)

    def gradients() -> None:
        for _ in range(1000):
            surface.gradient(point)

    report(
        "1,000 Adam steps on Rosenbrock (run loop)",
        20,
        timings(adam, 50),
        timings(gradients, 50),
        "1,000 gradient evaluations alone",
    )


def bench_json() -> None:
    surface = find_surface("rosenbrock")
    spec = parse_optimizer("sgd:lr=0.0005")
    result = race(surface, [spec], surface.start, max_steps=10_000, tol=1e-12)
    assert result.runs[0].steps == 10_000

    def dump() -> None:
        json.dumps(result.to_json())

    flat = result.runs[0].trajectory.ravel().tolist() + result.runs[0].losses.tolist()

    def baseline() -> None:
        json.dumps(flat)

    report(
        "JSON of a 10,000-step run",
        1000,
        timings(dump, 20),
        timings(baseline, 20),
        "json.dumps of the same floats as one flat list",
    )


if __name__ == "__main__":
    bench_frame()
    bench_adam()
    bench_json()
