"""How fast the size and time limits answer: the timings the tests used to assert.

Run: python benchmarks/bench_limits.py

Tests state what a limit answers (the message, the exit status); how long it takes is
measured here instead, beside a baseline in the same run, so a slow CI machine cannot
turn a correct refusal into a red test.

* refusing an oversized input (``9^9^9``, ``100000!``, ``2^(10^7)``, ``x^(10^9)``,
  1,001 characters) in ``parse``; baseline: reading ``3x^2`` into sympy.
* ``gradtutor check`` of a 60-variable gradient against 60 zeros with
  ``--time-limit 0.3`` (a new process; exit 1 or 3); baseline: ``gradtutor --version``.
"""

from __future__ import annotations

import subprocess
import sys

from timing import describe, timings

from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.parsing import parse

OVERSIZED = ["9^9^9", "100000!", "2^(10^7)", "x^(10^9)", "x" * 1001]


def report(name: str, ours: list[float], base: list[float], label: str) -> None:
    print(name)
    print(f"  ours      {describe(ours)}")
    print(f"  baseline  {describe(base)}   [{label}]")


def bench_refusals(repeat: int = 20) -> None:
    assert parse("3x^2").value is not None  # warm up imports

    def refuse(text: str) -> None:
        try:
            parse(text)
        except ParseError:
            return
        raise AssertionError(f"{text[:20]!r} was not refused")

    base = timings(lambda: parse("3x^2").value, repeat)
    for text in OVERSIZED:
        shown = text if len(text) < 20 else f"{len(text)} characters"
        report(
            f"refuse {shown}",
            timings(lambda t=text: refuse(t), repeat),
            base,
            "parse 3x^2 to sympy",
        )


def bench_vector_time_limit(repeat: int = 5) -> None:
    variables = " + ".join(f"sin(x{i})^3" for i in range(60))
    zeros = "(" + ", ".join("0" for _ in range(60)) + ")"
    cmd = [sys.executable, "-m", "gradtutor", "check", f"grad({variables})", zeros]

    def check() -> None:
        done = subprocess.run([*cmd, "--time-limit", "0.3"], capture_output=True, check=False)
        assert done.returncode in (1, 3), done.stderr

    version = [sys.executable, "-m", "gradtutor", "--version"]
    report(
        "check a 60-component gradient, --time-limit 0.3 (new process)",
        timings(check, repeat),
        timings(lambda: subprocess.run(version, capture_output=True, check=True), repeat),
        "gradtutor --version",
    )


if __name__ == "__main__":
    bench_refusals()
    bench_vector_time_limit()
