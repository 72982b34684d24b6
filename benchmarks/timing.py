"""Shared timing helpers for the benchmark scripts: samples, then median / p99 / max."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall seconds of ``repeat`` calls of ``fn``."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def describe(samples: list[float]) -> str:
    """``median … p99 … max …`` in milliseconds for samples in seconds."""
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    return f"median {statistics.median(ms):9.3f} ms  p99 {p99:9.3f} ms  max {ms[-1]:9.3f} ms"
