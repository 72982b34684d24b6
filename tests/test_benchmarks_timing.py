"""The benchmarks' one timing helper: one p99 formula (nearest rank) for every script."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


timing = load("timing")


@pytest.mark.parametrize(
    ("samples", "q", "expected"),
    [
        (list(range(1, 101)), 99, 99),  # 99 of 100 samples are ≤ 99
        (list(range(1, 201)), 99, 198),
        (list(range(1, 11)), 99, 10),  # fewer than 100 samples: the maximum
        ([7.0], 99, 7.0),
        ([3, 1, 2], 50, 2),  # order of the samples does not matter
        (list(range(1, 101)), 100, 100),
    ],
)
def test_percentile_is_nearest_rank(samples: list[float], q: float, expected: float) -> None:
    assert timing.percentile(samples, q) == expected


def test_percentile_refuses_no_samples_and_a_bad_q() -> None:
    with pytest.raises(ValueError, match="no samples"):
        timing.percentile([], 99)
    with pytest.raises(ValueError, match="q must be in"):
        timing.percentile([1.0], 0)


def test_describe_and_summary_report_the_same_figures() -> None:
    seconds = [i / 1000 for i in range(1, 101)]  # 1 … 100 ms
    assert timing.describe(seconds) == ("median    50.500 ms  p99    99.000 ms  max   100.000 ms")
    assert timing.summary("x", [float(i) for i in range(1, 101)]) == (
        "x" + " " * 34 + "median    50.500 ms  p99    99.000 ms  max   100.000 ms  (n=100)"
    )


def test_no_benchmark_script_keeps_its_own_percentile_formula() -> None:
    for script in BENCHMARKS.glob("bench_*.py"):
        text = script.read_text(encoding="utf-8")
        assert "0.99" not in text, script.name
        assert "from timing import" in text, script.name
