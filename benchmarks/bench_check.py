"""Speed and accuracy of the answer checker on the test corpus, beside a baseline.

    python benchmarks/bench_check.py            # the whole corpus
    python benchmarks/bench_check.py --quick    # every 5th pair, and no start-up timing

The corpus (tests/data/equivalence_corpus.tsv and issue8_pairs.tsv) is the one the
checker was tuned on: its wrong-verdict count is a regression figure, not an accuracy
figure. issue8_heldout.tsv was written after the issue-8 fixes and is reported apart;
heldout_blind.tsv (270 pairs) was written by someone who never ran the checker, each verdict
verified by its own script, and is reported apart too (the accuracy figure).

Ours: gradtutor.check(expected, answer) in-process, per pair.
Baseline (same run, same pairs, same parser): sympy.simplify(expected - answer) == 0,
which can only say equal / not equal; a pair counts as right for it when it says
"equal" exactly for the corpus's `equivalent` pairs.
Also: wall time of `gradtutor --help` beside `python -c pass`, and of a cold one-shot
`gradtutor check` beside `python -c "import sympy"` (sympy's import is the floor).
Targets (issue 8): median <= 5 ms, p99 <= 30 ms, max <= 300 ms in process;
--help <= 0.2 s; cold check <= 1.2x the sympy import.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import summary  # the shared timing helper: one p99 formula

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
TUNED = ("equivalence_corpus.tsv", "issue8_pairs.tsv")
HELDOUT = ("issue8_heldout.tsv", "issue8_heldout_b.tsv")
BLIND = ("heldout_blind.tsv",)


def load(names: tuple[str, ...], step: int = 1) -> list[tuple[str, str, str]]:
    rows = []
    for name in names:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
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
    """Wall times of whole commands, the runs interleaved (one of each in turn), so that a
    busy moment of the machine falls on ours and the baselines alike."""
    exe = [sys.executable, "-m", "gradtutor"]
    commands = {
        "gradtutor --help (wall)": [*exe, "--help"],
        "gradtutor --version (wall)": [*exe, "--version"],
        "baseline: python -c pass": [sys.executable, "-c", "pass"],
        "baseline: python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "cold gradtutor check (wall)": [*exe, "check", "d/dx(3x^3)", "9x^2"],
        "baseline: python -c 'import sympy'": [sys.executable, "-c", "import sympy"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            samples[name].append((time.perf_counter() - start) * 1000)
    ratio = statistics.median(samples["cold gradtutor check (wall)"]) / statistics.median(
        samples["baseline: python -c 'import sympy'"]
    )
    bytecode = "off (PYTHONDONTWRITEBYTECODE)" if sys.dont_write_bytecode else "on"
    return [
        *(summary(name, times) for name, times in samples.items()),
        f"cold check / sympy import (medians): {ratio:.2f}x (target <= 1.2x)",
        f"bytecode caching: {bytecode}; without it gradtutor's own modules are compiled "
        "on every start (sympy's and typer's come precompiled with them)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 5th pair; skip --help")
    args = parser.parse_args()
    sets = (
        ("tuned corpus", TUNED),
        ("held-out issue-8 pairs", HELDOUT),
        ("blind corpus (written without running the checker)", BLIND),
    )
    for label, names in sets:
        rows = load(names, 5 if args.quick else 1)
        ours, ours_wrong = bench_ours(rows)
        base, base_wrong = bench_baseline(rows)
        print(f"-- {label} --")
        print(summary("gradtutor check (in-process)", ours))
        print(summary("baseline simplify(e - a) == 0", base))
        print(
            f"verdicts not as stated: gradtutor {len(ours_wrong)} / {len(rows)}, "
            f"baseline {len(base_wrong)} / {len(rows)}"
        )
        for line in ours_wrong:
            print("  gradtutor:", line)
    if not args.quick:
        for line in bench_help():
            print(line)


if __name__ == "__main__":
    main()
