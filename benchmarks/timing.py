"""The one timing helper of the benchmark scripts: samples, then median / p99 / max.

Every script reports through ``describe`` (or ``summary``, the same figures with a
name and the sample count), so "p99" means one thing everywhere: the nearest-rank
99th percentile, the smallest sample that at least 99% of the samples do not exceed.
With fewer than 100 samples that is the maximum.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall seconds of ``repeat`` calls of ``fn``."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def percentile(samples: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q ≤ 100) of ``samples``."""
    if not samples:
        raise ValueError("no samples")
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], not {q!r}")
    ordered = sorted(samples)
    rank = math.ceil(q / 100 * len(ordered))  # 1-based
    return ordered[rank - 1]


def describe(samples: Sequence[float]) -> str:
    """``median … p99 … max …`` in milliseconds for samples in seconds."""
    ms = [s * 1000 for s in samples]
    return (
        f"median {statistics.median(ms):9.3f} ms  p99 {percentile(ms, 99):9.3f} ms  "
        f"max {max(ms):9.3f} ms"
    )


def summary(name: str, times_ms: Sequence[float]) -> str:
    """One named line: ``describe`` of samples already in milliseconds, with their count."""
    return f"{name:<34} {describe([t / 1000 for t in times_ms])}  (n={len(times_ms)})"
