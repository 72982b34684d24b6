"""Speed and accuracy of the answer checker on the test corpus, beside a baseline.

    python benchmarks/bench_check.py            # the whole corpus
    python benchmarks/bench_check.py --quick    # every 5th pair, and no --help timing

Ours: gradtutor.check(expected, answer) in-process, per pair.
Baseline (same run, same pairs, same parser): sympy.simplify(expected - answer) == 0,
which can only say equal / not equal; a pair counts as right for it when it says
"equal" exactly for the corpus's `equivalent` pairs.
Also: wall time of `gradtutor --help` (subprocess), beside `python -c pass`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from timing import summary  # the shared helper: one p99 formula for every script

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "equivalence_corpus.tsv"


def load(step: int) -> list[tuple[str, str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, answer, verdict = line.split("\t")[:3]
            rows.append((expected, answer, verdict))
    return rows[::step]


def bench_ours(rows: list[tuple[str, str, str]]) -> tuple[list[float], list[str]]:
    from gradtutor.calculus.equivalence import check

    check("d/dx(x^2)", "2x")  # warm up imports and caches, as a running tutor would be
    times, wrong = [], []
    for expected, answer, verdict in rows:
        start = time.perf_counter()
        result = check(expected, answer)
        times.append((time.perf_counter() - start) * 1000)
        if result.verdict != verdict:
            wrong.append(f"{expected} | {answer}: expected {verdict}, got {result.verdict}")
    return times, wrong


def bench_baseline(rows: list[tuple[str, str, str]]) -> tuple[list[float], list[str]]:
    import sympy

    from gradtutor.calculus.parsing import parse
    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit

    times, wrong = [], []
    for expected, answer, verdict in rows:
        e, a = parse(expected).value, parse(answer).value
        start = time.perf_counter()
        try:
            with time_limit(10):
                equal = sympy.simplify(e - a) == 0
        except TimeLimitExceeded:
            equal = None
        times.append((time.perf_counter() - start) * 1000)
        if equal is None or equal != (verdict == "equivalent"):
            wrong.append(f"{expected} | {answer}: corpus {verdict}, simplify says {equal}")
    return times, wrong


def bench_help(runs: int = 15) -> list[str]:
    def wall(cmd: list[str]) -> list[float]:
        out = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False)
            out.append((time.perf_counter() - start) * 1000)
        return out

    exe = [sys.executable, "-m", "gradtutor"]
    return [
        summary("gradtutor --help (wall)", wall([*exe, "--help"])),
        summary("gradtutor --version (wall)", wall([*exe, "--version"])),
        summary("baseline: python -c pass", wall([sys.executable, "-c", "pass"])),
        summary("baseline: python -c 'import typer'", wall([sys.executable, "-c", "import typer"])),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 5th pair; skip --help")
    args = parser.parse_args()
    rows = load(5 if args.quick else 1)
    ours, ours_wrong = bench_ours(rows)
    base, base_wrong = bench_baseline(rows)
    print(summary("gradtutor check (in-process)", ours))
    print(summary("baseline simplify(e - a) == 0", base))
    print(
        f"wrong verdicts: gradtutor {len(ours_wrong)} / {len(rows)}, "
        f"baseline {len(base_wrong)} / {len(rows)}"
    )
    for line in ours_wrong:
        print("  gradtutor wrong:", line)
    if not args.quick:
        for line in bench_help():
            print(line)


if __name__ == "__main__":
    main()
