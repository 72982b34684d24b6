"""Benchmarks for ``explain``, ``steps`` and the misconception library.

Run: python benchmarks/bench_explain.py

Each line prints median / p99 / max beside a baseline measured in the same run:

* diagnosing a wrong answer to a typical exercise (parse, rule tree, every buggy twin):
  ≤ 200 ms median; baseline: sympy.diff of the same expression.
* ``gradtutor explain "d/dx(3(2x^2)^5)"`` end to end (a new process): ≤ 1 s median;
  baseline: a new Python process that imports sympy and calls sympy.diff.
* checking one line of a derivation (DerivationChecker.check_line); baseline: equivalence.check.
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys

import sympy
from timing import describe, timings

from gradtutor.calculus.derivation import DerivationChecker, read_task
from gradtutor.calculus.derive import solve_task
from gradtutor.calculus.equivalence import check
from gradtutor.calculus.misconceptions import diagnose
from gradtutor.calculus.parsing import parse
from gradtutor.render.console import make_console
from gradtutor.render.explain import render_explain

# typical exercises (up to four rule applications deep) and a wrong answer to each
WRONG_ANSWERS = [
    ("sin(x^2)", "cos(x^2)"),
    ("x^2 sin(x)", "2x cos(x)"),
    ("3(2x^2)^5", "15(2x^2)^4"),
    ("ln(x^2 + 1)", "1/(x^2 + 1)"),
    ("e^(3x) cos(x)", "3e^(3x) sin(x)"),
    ("sin(x)/(x^2 + 1)", "(sin(x) 2x - cos(x)(x^2+1))/(x^2+1)^2"),
    ("3x^3 - 4x + 7", "9x^3 - 4"),
    ("sigmoid(2x + 1)", "sigmoid(2x+1)(1 - sigmoid(2x+1))"),
    ("sqrt(x^3 + 1)", "1/(2 sqrt(x^3+1))"),
    ("x^2 y^3 + 5y", "2x y^3 + 3x^2 y^2"),
]
X = sympy.Symbol("x")


def report(name: str, budget_ms: float | None, ours: list[float], base: list[float], label: str):
    median = statistics.median(ours) * 1000
    verdict = "" if budget_ms is None else (" ok" if median <= budget_ms else " OVER BUDGET")
    budget = "" if budget_ms is None else f"  (budget {budget_ms:g} ms{verdict})"
    print(f"{name}{budget}")
    print(f"  ours      {describe(ours)}")
    print(f"  baseline  {describe(base)}   [{label}]")


def bench_diagnose(rounds: int = 5) -> None:
    tasks = [(parse(t, evaluate=False).expr, parse(a).value) for t, a in WRONG_ANSWERS]
    plain_tasks = [parse(t).value for t, _ in WRONG_ANSWERS]
    ours, base = [], []
    for _ in range(rounds):
        for (expr, answer), plain_expr in zip(tasks, plain_tasks, strict=True):
            sympy.core.cache.clear_cache()
            ours += timings(lambda e=expr, a=answer: diagnose(e, X, a), 1)
            sympy.core.cache.clear_cache()
            base += timings(lambda e=plain_expr: sympy.diff(e, X), 1)
    report("diagnose a wrong answer (10 exercises)", 200, ours, base, "sympy.diff")


def bench_explain_process(repeat: int = 7) -> None:
    cmd = [sys.executable, "-m", "gradtutor", "explain", "d/dx(3(2x^2)^5)"]
    baseline = [
        sys.executable,
        "-c",
        "import sympy; x = sympy.Symbol('x'); sympy.diff(3*(2*x**2)**5, x)",
    ]
    ours = timings(lambda: subprocess.run(cmd, check=True, capture_output=True), repeat)
    base = timings(lambda: subprocess.run(baseline, check=True, capture_output=True), repeat)
    report(
        'gradtutor explain "d/dx(3(2x^2)^5)" end to end', 1000, ours, base, "python + sympy.diff"
    )


def bench_explain_in_process(repeat: int = 30) -> None:
    def explain() -> None:
        out = io.StringIO()
        make_console(file=out, width=100).print(render_explain(solve_task("d/dx(3(2x^2)^5)")))

    ours = timings(explain, repeat)
    base = timings(lambda: sympy.diff(parse("3(2x^2)^5").value, X), repeat)
    report("explain in process (solve_task + render)", None, ours, base, "parse + sympy.diff")


def bench_steps_line(repeat: int = 20) -> None:
    def one_derivation() -> None:
        checker = DerivationChecker(read_task("d/dx(3x^3 + 5x)"))
        checker.check_line("= 3*3x^2 + 5")
        checker.check_line("= 9^2 + 5")

    ours = timings(one_derivation, repeat)
    base = timings(
        lambda: (check("d/dx(3x^3 + 5x)", "9x^2 + 5"), check("d/dx(3x^3+5x)", "86")), repeat
    )
    report("steps: task + a right line + a wrong diagnosed line", None, ours, base, "2× check")


def main() -> None:
    bench_diagnose()
    bench_explain_in_process()
    bench_steps_line()
    bench_explain_process()


if __name__ == "__main__":
    main()
