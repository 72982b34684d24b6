"""Pixels for the descent view: colour scales, a colormap, and a braille dot canvas.

No rich here: numbers in, arrays out, so the frame builder can cache them.
"""

from __future__ import annotations

import numpy as np

# viridis at nine evenly spaced stops: perceptually uniform, readable in greyscale.
VIRIDIS = np.array(
    [
        (0x44, 0x01, 0x54),
        (0x47, 0x2C, 0x7A),
        (0x3B, 0x51, 0x8B),
        (0x2C, 0x71, 0x8E),
        (0x21, 0x90, 0x8D),
        (0x27, 0xAD, 0x81),
        (0x5C, 0xC8, 0x63),
        (0xAA, 0xDC, 0x32),
        (0xFD, 0xE7, 0x25),
    ],
    dtype=float,
)


def normalise(values: np.ndarray, scale: str) -> np.ndarray:
    """Map losses to [0, 1]: by rank (quantile), by log(f − min), or linearly. NaN stays NaN."""
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    if not finite.any():
        return out
    v = values[finite]
    if scale == "quantile":
        ranks = np.argsort(np.argsort(v, kind="stable"), kind="stable")
        out[finite] = ranks / max(v.size - 1, 1)
        return out
    if scale == "log":
        shifted = v - v.min()
        positive = shifted[shifted > 0]
        eps = float(positive.min()) if positive.size else 1.0
        v = np.log10(shifted + eps)
    low, high = float(v.min()), float(v.max())
    out[finite] = (v - low) / (high - low) if high > low else 0.0
    return out


def level_value(values: np.ndarray, scale: str, fraction: float) -> float:
    """The loss at a fraction of the colour scale (for the legend's labels)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan")
    if scale == "quantile":
        return float(np.quantile(v, fraction))
    low, high = float(v.min()), float(v.max())
    if scale == "log":
        shifted = v - low
        positive = shifted[shifted > 0]
        eps = float(positive.min()) if positive.size else 1.0
        a, b = np.log10(eps), np.log10(high - low + eps)
        return low + 10 ** (a + fraction * (b - a)) - eps
    return low + fraction * (high - low)


def colormap(t: np.ndarray) -> np.ndarray:
    """viridis(t) as uint8 RGB, shape t.shape + (3,); NaN maps to dark grey."""
    t = np.asarray(t, dtype=float)
    nan = ~np.isfinite(t)
    pos = np.clip(np.nan_to_num(t), 0.0, 1.0) * (len(VIRIDIS) - 1)
    i = np.minimum(pos.astype(int), len(VIRIDIS) - 2)
    frac = (pos - i)[..., None]
    rgb = VIRIDIS[i] * (1 - frac) + VIRIDIS[i + 1] * frac
    rgb[nan] = (40, 40, 40)
    return np.rint(rgb).astype(np.uint8)


def contour_mask(levels: np.ndarray, bands: int) -> np.ndarray:
    """Pixels where the banded level changes to the right or below: the contour lines."""
    band = np.floor(np.nan_to_num(levels, nan=-1.0) * bands).clip(-1, bands - 1)
    mask = np.zeros(levels.shape, dtype=bool)
    mask[:, :-1] |= band[:, :-1] != band[:, 1:]
    mask[:-1, :] |= band[:-1, :] != band[1:, :]
    return mask


# Braille: a cell is 2 dots wide and 4 tall; bit values by (row, column) within the cell.
BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)


class BrailleLayer:
    """Dots on a grid of rows × cols cells (4·rows × 2·cols dots), drawn incrementally."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.bits = np.zeros((rows, cols), dtype=np.uint8)

    def dot(self, dy: np.ndarray, dx: np.ndarray) -> None:
        """Set dots at integer dot coordinates (row dy from the top, column dx); clips."""
        dy = np.asarray(dy, dtype=np.int64)
        dx = np.asarray(dx, dtype=np.int64)
        keep = (dy >= 0) & (dy < 4 * self.rows) & (dx >= 0) & (dx < 2 * self.cols)
        dy, dx = dy[keep], dx[keep]
        np.bitwise_or.at(self.bits, (dy // 4, dx // 2), BRAILLE_BITS[dy % 4, dx % 2])

    def line(self, y0: float, x0: float, y1: float, x1: float) -> None:
        """A straight line between two dot positions (floats), sampled densely."""
        self.polyline(np.array([y0, y1]), np.array([x0, x1]))

    def polyline(self, ys: np.ndarray, xs: np.ndarray) -> None:
        """Segments joining consecutive points, all sampled at once (≥ 1 sample per dot)."""
        ys = np.asarray(ys, dtype=float)
        xs = np.asarray(xs, dtype=float)
        if len(ys) == 1:
            if np.isfinite(ys[0]) and np.isfinite(xs[0]):
                self.dot(np.rint(ys), np.rint(xs))
            return
        limit = 8.0 * (4 * self.rows + 2 * self.cols)  # far off-canvas ends are clipped
        y0, y1 = np.clip(ys[:-1], -limit, limit), np.clip(ys[1:], -limit, limit)
        x0, x1 = np.clip(xs[:-1], -limit, limit), np.clip(xs[1:], -limit, limit)
        ok = np.isfinite(y0) & np.isfinite(y1) & np.isfinite(x0) & np.isfinite(x1)
        y0, y1, x0, x1 = y0[ok], y1[ok], x0[ok], x1[ok]
        if y0.size == 0:
            return
        n = np.maximum(np.abs(y1 - y0), np.abs(x1 - x0)).astype(np.int64) + 1
        counts = n + 1
        seg = np.repeat(np.arange(n.size), counts)
        starts = np.cumsum(counts) - counts
        t = (np.arange(seg.size) - starts[seg]) / n[seg]
        self.dot(np.rint(y0[seg] + (y1 - y0)[seg] * t), np.rint(x0[seg] + (x1 - x0)[seg] * t))

    def cells(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the cells that hold any dot."""
        rows, cols = np.nonzero(self.bits)
        return rows, cols


def braille(bits: int) -> str:
    return chr(0x2800 + int(bits))
