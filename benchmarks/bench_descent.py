"""Benchmarks for ``gradtutor descend``: frame rendering, optimizer steps, JSON output.

Run: python benchmarks/bench_descent.py

Each line prints median / p99 / max of repeated timings beside a baseline measured in
the same run, with the issue's budget:

* one full animation frame at 120×40 (contours, three paths, table) → ANSI, written to a
  pseudo-terminal: ≤ 5 ms median; baseline: the same frame (the same ``DescentView``, the
  same step) printed by rich's ``Console.print`` to the same pseudo-terminal.
* one animation update (only the lines that changed), beside the full redraw.
* 1,000 Adam steps on Rosenbrock (the full run loop): ≤ 20 ms;
  baseline: 1,000 bare gradient evaluations (the floor for any optimizer).
* the JSON of a 10,000-step run: ≤ 1 s; baseline: json.dumps of the same numbers as one list.
"""

from __future__ import annotations

import json
import os
import pty
import statistics
import threading

import numpy as np
from rich.console import Console
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


class TerminalSink:
    """A pseudo-terminal: what is written goes through the tty layer (as on screen) and
    a thread reads it away, like a terminal emulator would. Line-buffered, like stdout
    on a terminal."""

    def __init__(self) -> None:
        master, slave = pty.openpty()
        self._master = master
        self.file = os.fdopen(slave, "w", encoding="utf-8", buffering=1)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                if not os.read(self._master, 1 << 16):
                    return
            except OSError:
                return

    def close(self) -> None:
        self.file.close()
        os.close(self._master)


def bench_frame() -> None:
    """The same full 120×40 frame, written to the same pseudo-terminal, both ways."""
    surface = find_surface("rosenbrock")
    specs = [parse_optimizer(t) for t in ("sgd:lr=0.0005", "momentum:lr=0.0005", "adam:lr=0.05")]
    result = race(surface, specs, surface.start, max_steps=1000, tol=1e-4)
    view = DescentView(result)
    view.lines(0, 120, 40)  # the surface is rasterised once per size, as in a real run
    sink = TerminalSink()
    ansi = AnsiLines("truecolor")
    steps = iter(range(1, 10_000))

    def full_frame() -> None:  # a fresh Screen draws every line: the whole frame
        sink.file.write(Screen(ansi).render(view.lines(next(steps) % 1001, 120, 40)))
        sink.file.flush()

    console = Console(
        file=sink.file, width=120, height=40, color_system="truecolor", force_terminal=True
    )
    rich_steps = iter(range(1, 10_000))

    def rich_frame() -> None:  # the same frame as a rich renderable, printed by rich
        console.print(view.frame(next(rich_steps) % 1001), height=40)
        sink.file.flush()

    screen = Screen(ansi)
    screen.render(view.lines(0, 120, 40))
    update_steps = iter(range(1, 10_000))

    def update() -> None:  # what the animation writes per frame: only the changed lines
        sink.file.write(screen.render(view.lines(next(update_steps) % 1001, 120, 40)))
        sink.file.flush()

    ours, base = timings(full_frame, 200), timings(rich_frame, 200)
    updates = timings(update, 400)
    sink.close()
    report(
        "full frame 120x40 (contours + 3 paths + table) to a pty",
        5,
        ours,
        base,
        "the same frame printed by rich.Console.print",
    )
    report(
        "animation update (changed lines only) to a pty",
        5,
        updates,
        ours,
        "our full-frame redraw above",
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
