"""One frame of the descent view: heatmap, contours, braille paths, axes, legend, table.

The surface is rasterised once per terminal size (``_Layout``); a frame only
re-styles the cells that paths and markers touch, from cached segments. Lines
are lists of ``(text, Style | None)`` runs so the same frame can be printed by
rich (``Frame``) or turned into ANSI by the animation's line-diffing screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from gradtutor.descent.run import Race, Run, StopReason
from gradtutor.render.descent_canvas import (
    BrailleLayer,
    braille,
    colormap,
    contour_mask,
    level_value,
    normalise,
)

Run_ = tuple[str, Style | None]
Line = list[Run_]
Row = Sequence[Run_]  # a Line, or a row the layout caches (a tuple, so its id stays valid)

PATH_COLOURS = ("#ffffff", "#ff9e3d", "#3de0ff", "#ff5fd2", "#c6ff3d", "#8fa8ff")
PLAIN_PATH = "*#@%&$"
PLAIN_RAMP = " .:-=+"
MIN_COLOUR = "#ff3030"
CURVE_COLOUR = "#9a9a9a"
STATUS_COLOURS: dict[str, str] = {
    StopReason.CONVERGED: "green",
    StopReason.MAX_STEPS: "yellow",
    StopReason.DIVERGED: "red",
    StopReason.STALLED: "magenta",
    StopReason.OSCILLATING: "yellow",
    "running": "cyan",
}
MIN_MAP_ROWS = 4
MIN_MAP_COLS = 16
LESSON_MIN_HEIGHT = 30


def fmt(value: float, digits: int = 4) -> str:
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    return "-0" if text == "-0" else text.replace("e+0", "e").replace("e-0", "e-")


def nice_ticks(lo: float, hi: float, count: int) -> list[float]:
    """Round numbers (1, 2, 5 × 10ⁿ) inside [lo, hi], about ``count`` of them."""
    if not hi > lo or count < 1:
        return [lo]
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = first
    while v <= hi + 1e-9 * step:
        ticks.append(0.0 if abs(v) < 1e-12 * step else round(v, 12))
        v += step
    return ticks


@dataclass
class _Layout:
    """Everything about a frame that depends only on the terminal size."""

    width: int
    height: int
    map_rows: int
    map_cols: int
    label_width: int
    base_rows: list[Line]  # the surface, per map row, as merged runs
    cell_chars: list[list[str]]
    cell_styles: list[list[Style | None]]
    cell_bg: np.ndarray | None  # (rows, cols, 3) mean colour of each cell's two pixels
    y_labels: dict[int, str]
    axis_lines: list[Line]
    legend: Line
    y_range: tuple[float, float]  # 1-D: the loss range on screen
    rows: list[tuple[Run_, ...]] = field(default_factory=list)  # gutter + surface, per row
    layers: list[BrailleLayer] = field(default_factory=list)
    drawn: list[int] = field(default_factory=list)


class DescentView:
    """Draws a race at any step; caches the surface per size."""

    def __init__(
        self,
        race: Race,
        *,
        plain: bool = False,
        scale: str = "quantile",
        contours: bool = True,
        bands: int = 8,
        notes: tuple[str, ...] = (),
    ) -> None:
        self.race = race
        self.surface = race.surface
        self.plain = plain
        self.scale = scale
        self.contours = contours
        self.bands = bands
        self.notes = notes
        self._layout: _Layout | None = None
        self._styles: dict[tuple[object, ...], Style] = {}
        self.ranks = {idx: pos + 1 for pos, (idx, r) in enumerate(race.ranking())}

    @property
    def last_step(self) -> int:
        return max(r.steps for r in self.race.runs)

    def frame(self, step: int) -> Frame:
        return Frame(self, step)

    # --- layout -----------------------------------------------------------------------

    def chrome_rows(self, height: int) -> int:
        n = len(self.race.runs)
        axis = 2
        return 1 + axis + 1 + 1 + n + (1 if self.notes else 0) + self._lesson_rows(height)

    def _lesson_rows(self, height: int) -> int:
        """Tall terminals also show the surface's lesson under the title."""
        return 1 if height >= LESSON_MIN_HEIGHT and not self.surface.typed else 0

    def layout(self, width: int, height: int) -> _Layout:
        if self._layout and (self._layout.width, self._layout.height) == (width, height):
            return self._layout
        map_rows = max(MIN_MAP_ROWS, height - self.chrome_rows(height))
        label_width = 8
        map_cols = max(MIN_MAP_COLS, width - label_width - 1)
        if self.surface.dim == 2:
            layout = self._layout_2d(width, height, map_rows, map_cols, label_width)
        else:
            layout = self._layout_1d(width, height, map_rows, map_cols, label_width)
        layout.rows = [  # tuples: the screen caches their ANSI (see AnsiLines.line)
            (self._gutter(layout, r), *layout.base_rows[r]) for r in range(layout.map_rows)
        ]
        layout.layers = [BrailleLayer(map_rows, map_cols) for _ in self.race.runs]
        layout.drawn = [-1 for _ in self.race.runs]
        self._layout = layout
        return layout

    def _style(
        self,
        fg: tuple[int, ...] | str | None,
        bg: tuple[int, ...] | None = None,
        bold: bool = False,
    ) -> Style:
        """One Style object per (fg, bg, bold), so equal cells merge into one segment."""
        key = (fg, bg, bold)
        style = self._styles.get(key)
        if style is None:
            color = Color.from_rgb(*fg) if isinstance(fg, tuple) else fg
            bgcolor = Color.from_rgb(*bg) if bg is not None else None
            style = Style(color=color, bgcolor=bgcolor, bold=bold)
            self._styles[key] = style
        return style

    def _pixels(self, cols: int, pixel_rows: int) -> np.ndarray:
        (x0, x1), (y0, y1) = self.surface.window
        xs = x0 + (np.arange(cols) + 0.5) / cols * (x1 - x0)
        ys = y1 - (np.arange(pixel_rows) + 0.5) / pixel_rows * (y1 - y0)
        gx, gy = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            values = np.asarray(self.surface.value(gx, gy), dtype=float)
        return np.broadcast_to(values, gx.shape).copy()

    def _layout_2d(self, width: int, height: int, rows: int, cols: int, lw: int) -> _Layout:
        values = self._pixels(cols, 2 * rows)
        levels = normalise(values, self.scale)
        chars: list[list[str]] = []
        styles: list[list[Style | None]] = []
        cell_bg = None
        if self.plain:
            ramp = np.floor(np.nan_to_num(levels, nan=0.0) * len(PLAIN_RAMP)).clip(
                0, len(PLAIN_RAMP) - 1
            )
            mean = ((ramp[0::2] + ramp[1::2]) / 2).astype(int)
            chars = [[PLAIN_RAMP[v] for v in row] for row in mean]
            styles = [[None] * cols for _ in range(rows)]
        else:
            rgb = colormap(levels)
            cell_bg = ((rgb[0::2].astype(int) + rgb[1::2]) // 2).astype(np.uint8)
            if self.contours:
                mask = contour_mask(levels, self.bands)
                lifted = rgb.astype(float) * 0.7 + 255 * 0.3
                rgb = np.where(mask[..., None], lifted.astype(np.uint8), rgb)
            for r in range(rows):
                top, bottom = rgb[2 * r], rgb[2 * r + 1]
                styles.append(
                    [
                        self._style(tuple(top[c].tolist()), tuple(bottom[c].tolist()))
                        for c in range(cols)
                    ]
                )
                chars.append(["▀"] * cols)
        (x0, x1), (y0, y1) = self.surface.window
        return self._assemble(
            (width, height, rows, cols, lw), chars, styles, cell_bg,
            x_range=(x0, x1), y_range=(y0, y1), legend=self._legend(values, width),
        )  # fmt: skip

    def _assemble(
        self,
        size: tuple[int, int, int, int, int],
        chars: list[list[str]],
        styles: list[list[Style | None]],
        cell_bg: np.ndarray | None,
        *,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        legend: Line,
    ) -> _Layout:
        """The parts of a layout that 1-D and 2-D share: rows, axes, labels."""
        width, height, rows, cols, lw = size
        return _Layout(
            width=width,
            height=height,
            map_rows=rows,
            map_cols=cols,
            label_width=lw,
            base_rows=[_merge(chars[r], styles[r]) for r in range(rows)],
            cell_chars=chars,
            cell_styles=styles,
            cell_bg=cell_bg,
            y_labels=self._y_labels(*y_range, rows),
            axis_lines=self._axis_lines(*x_range, cols, lw),
            legend=legend,
            y_range=y_range,
        )

    def _layout_1d(self, width: int, height: int, rows: int, cols: int, lw: int) -> _Layout:
        (x0, x1) = self.surface.window[0]
        xs = x0 + (np.arange(2 * cols) + 0.5) / (2 * cols) * (x1 - x0)
        with np.errstate(all="ignore"):
            ys = np.broadcast_to(np.asarray(self.surface.value(xs), dtype=float), xs.shape)
        finite = ys[np.isfinite(ys)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        pad = 0.06 * (hi - lo) if hi > lo else 1.0
        lo, hi = lo - pad, hi + pad
        curve = BrailleLayer(rows, cols)
        dot_y = (hi - ys) / (hi - lo) * (4 * rows) - 0.5
        dot_x = np.arange(2 * cols, dtype=float)
        curve.polyline(dot_y, dot_x)
        chars: list[list[str]] = []
        styles: list[list[Style | None]] = []
        grey = None if self.plain else self._style(CURVE_COLOUR)
        for r in range(rows):
            row_bits = curve.bits[r]
            if self.plain:
                chars.append(["." if b else " " for b in row_bits])
            else:
                chars.append([braille(b) if b else " " for b in row_bits])
            styles.append([grey if b else None for b in row_bits])
        return self._assemble(
            (width, height, rows, cols, lw), chars, styles, None,
            x_range=(x0, x1), y_range=(lo, hi), legend=self._legend_1d(width),
        )  # fmt: skip

    def _y_labels(self, lo: float, hi: float, rows: int) -> dict[int, str]:
        labels: dict[int, str] = {}
        for tick in nice_ticks(lo, hi, max(2, rows // 4)):
            row = int((hi - tick) / (hi - lo) * rows) if hi > lo else 0
            if 0 <= row < rows and row not in labels:
                labels[row] = fmt(tick)
        return labels

    def _axis_lines(self, x0: float, x1: float, cols: int, lw: int) -> list[Line]:
        tick_cols: dict[int, str] = {}
        for tick in nice_ticks(x0, x1, max(2, cols // 12)):
            col = min(int((tick - x0) / (x1 - x0) * cols), cols - 1)
            if 0 <= col < cols:
                tick_cols[col] = fmt(tick)
        names = self.surface.variables
        corner = (f"{names[1]}↑" if len(names) == 2 else "f↑") if not self.plain else ""
        if self.plain:
            corner = f"{names[1]}^" if len(names) == 2 else "f^"
        rule = ["─" if not self.plain else "-"] * cols
        for col in tick_cols:
            rule[col] = "┬" if not self.plain else "+"
        dim = None if self.plain else Style(dim=True)
        first = [
            (corner.rjust(lw - 1) + (" └" if not self.plain else " +"), dim),
            ("".join(rule), dim),
        ]
        label = [" "] * (cols + 8)
        last_end = -1
        for col, text in sorted(tick_cols.items()):
            begin = max(0, col - len(text) // 2)
            if begin <= last_end:
                continue
            label[begin : begin + len(text)] = list(text)
            last_end = begin + len(text)
        xname = f"{names[0]}→" if not self.plain else f"{names[0]}->"
        text = "".join(label).rstrip()
        second = [(xname.rjust(lw - 1) + "  " + text, dim)]
        return [first, second]

    def _legend(self, values: np.ndarray, width: int) -> Line:
        scale = self.scale
        lo = fmt(level_value(values, scale, 0.0), 3)
        mid = fmt(level_value(values, scale, 0.5), 3)
        hi = fmt(level_value(values, scale, 1.0), 3)
        if self.plain:
            ramp = " ".join(f"'{c}'" for c in PLAIN_RAMP)
            text = f"loss {lo} {ramp} {hi} ({scale})  S start 1-6 now X min"
            if len(text) > width:  # narrow: the ramp in one quote, no scale name
                text = f"loss {lo} '{PLAIN_RAMP}' {hi}  S start 1-6 now X min"
            return [(text, None)]
        about = f" {hi} ({scale}; median {mid})  "
        bar = 12
        if len(f"loss {lo} ") + bar + len(about) + len("○ start ● now ★ min") > width:
            about, bar = f" {hi}  ", 8
        line: Line = [(f"loss {lo} ", None)]
        for i in range(bar):
            rgb = colormap(np.array([i / (bar - 1)]))[0]
            line.append(("█", self._style(tuple(rgb.tolist()))))
        line.append((about, None))
        line.extend(self._marker_legend())
        return line

    def _legend_1d(self, width: int) -> Line:
        if self.plain:
            text = "curve .  tangent / \\ (slope f')  S start 1-6 now X min"
            if len(text) > width:
                text = "curve .  tangent / \\  S start 1-6 now X min"
            return [(text, None)]
        line: Line = [("⣀⠤⠒", self._style(CURVE_COLOUR)), (" f   ", None)]
        line.append(("──", Style(color=PATH_COLOURS[0])))
        wide = len("⣀⠤⠒ f   ── tangent: its slope is f′(x)   ○ start ● now ★ min") <= width
        line.append((" tangent: its slope is f′(x)   " if wide else " tangent   ", None))
        line.extend(self._marker_legend())
        return line

    def _marker_legend(self) -> Line:
        return [
            ("○", Style(bold=True)),
            (" start ", None),
            ("●", Style(bold=True)),
            (" now ", None),
            ("★", Style(color=MIN_COLOUR, bold=True)),
            (" min", None),
        ]

    # --- frames -----------------------------------------------------------------------

    def lines(self, step: int, width: int, height: int) -> list[Row]:
        """The frame as lines of runs; rows the paths do not touch are cached objects."""
        lay = self.layout(width, height)
        overlay = self._overlay(lay, step)
        fits = lay.label_width + 1 + lay.map_cols <= width
        out: list[Row] = [_clip(self._title(width), width)]
        if self._lesson_rows(height):
            style = None if self.plain else Style(italic=True, dim=True)
            out.append(_clip([(self.surface.lesson, style)], width))
        for r in range(lay.map_rows):
            cells = overlay.get(r)
            if cells is None:
                row: Row = lay.rows[r]
            else:
                row = [lay.rows[r][0], *self._row_with(lay, r, cells)]
            out.append(row if fits else _clip(row, width))
        tail: list[Line] = [*lay.axis_lines, lay.legend, *self._table(step, width)]
        tail.extend([(note, None if self.plain else Style(color="red"))] for note in self.notes)
        out.extend(_clip(line, width) for line in tail)
        return out

    def _gutter(self, lay: _Layout, r: int) -> Run_:
        label = lay.y_labels.get(r, "")
        tick = ("┤" if label else "│") if not self.plain else ("+" if label else "|")
        return (label.rjust(lay.label_width - 1) + " " + tick, None)

    def _title(self, width: int) -> Line:
        s = self.surface
        args = ", ".join(s.variables)
        bold = None if self.plain else Style(bold=True)
        return [
            (s.name if not s.typed else "your loss", bold),
            (f"  f({args}) = {s.expression}", None),
        ]

    def _to_dots(self, lay: _Layout, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Dot coordinates (row from top, column) of points (2-D) or of (x, f(x)) in 1-D."""
        (x0, x1) = self.surface.window[0]
        dx = (points[:, 0] - x0) / (x1 - x0) * (2 * lay.map_cols) - 0.5
        if self.surface.dim == 2:
            y = points[:, 1]
        else:
            with np.errstate(all="ignore"):
                y = np.asarray(self.surface.value(points[:, 0]), dtype=float)
        lo, hi = lay.y_range
        dy = (hi - y) / (hi - lo) * (4 * lay.map_rows) - 0.5
        return dy, dx

    def _cell(self, lay: _Layout, point: np.ndarray) -> tuple[int, int] | None:
        dy, dx = self._to_dots(lay, point[None, :])
        if not (np.isfinite(dy[0]) and np.isfinite(dx[0])):
            return None
        r, c = math.floor((dy[0] + 0.5) / 4), math.floor((dx[0] + 0.5) / 2)
        if 0 <= r < lay.map_rows and 0 <= c < lay.map_cols:
            return r, c
        return None

    def _overlay(self, lay: _Layout, step: int) -> dict[int, dict[int, Run_]]:
        """Cells that differ from the bare surface at this step: paths, then markers."""
        cells: dict[int, dict[int, Run_]] = {}
        runs = self.race.runs
        for i, run in enumerate(runs):
            upto = min(step, run.steps)
            layer = lay.layers[i]
            if upto < lay.drawn[i]:
                layer.bits[:] = 0
                lay.drawn[i] = -1
            if upto > lay.drawn[i]:
                begin = max(lay.drawn[i], 0)
                pts = run.trajectory[begin : upto + 1]
                dy, dx = self._to_dots(lay, pts)
                layer.polyline(dy, dx)
                lay.drawn[i] = upto
            self._paint_layer(lay, cells, layer, i)
        if self.surface.dim == 1:
            for i, run in enumerate(runs):
                self._paint_tangent(lay, cells, run, min(step, run.steps), i)
        for m in self.surface.minima:
            self._mark(lay, cells, np.array(m), "★" if not self.plain else "X", MIN_COLOUR)
        self._mark(lay, cells, np.array(self.race.start), "○" if not self.plain else "S", "#ffffff")
        for i, run in enumerate(runs):
            now = run.trajectory[min(step, run.steps)]
            char = "●" if not self.plain else str(i + 1)[-1]
            self._mark(lay, cells, now, char, PATH_COLOURS[i % len(PATH_COLOURS)])
        return cells

    def _paint_layer(
        self, lay: _Layout, cells: dict[int, dict[int, Run_]], layer: BrailleLayer, i: int
    ) -> None:
        colour = PATH_COLOURS[i % len(PATH_COLOURS)]
        rows, cols = layer.cells()
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            bits = int(layer.bits[r, c])
            if self.plain:
                cells.setdefault(r, {})[c] = (PLAIN_PATH[i % len(PLAIN_PATH)], None)
                continue
            prev = cells.get(r, {}).get(c)
            if prev is not None and "\u2800" <= prev[0] <= "\u28ff":
                bits |= ord(prev[0]) - 0x2800
            cells.setdefault(r, {})[c] = (braille(bits), self._over(lay, r, c, colour))

    def _over(self, lay: _Layout, r: int, c: int, colour: str, bold: bool = False) -> Style:
        bg = None if lay.cell_bg is None else tuple(lay.cell_bg[r, c].tolist())
        return self._style(colour, bg, bold)

    def _paint_tangent(
        self, lay: _Layout, cells: dict[int, dict[int, Run_]], run: Run, k: int, i: int
    ) -> None:
        x = float(run.trajectory[k, 0])
        fx = float(run.losses[k])
        slope = float(self.surface.gradient(run.trajectory[k])[0])
        if not (math.isfinite(fx) and math.isfinite(slope)):
            return
        (x0, x1) = self.surface.window[0]
        half = 0.12 * (x1 - x0)
        ends = np.array([[x - half], [x + half]])
        dx = (ends[:, 0] - x0) / (x1 - x0) * (2 * lay.map_cols) - 0.5
        lo, hi = lay.y_range
        ys = fx + slope * (ends[:, 0] - x)
        dy = (hi - ys) / (hi - lo) * (4 * lay.map_rows) - 0.5
        layer = BrailleLayer(lay.map_rows, lay.map_cols)
        layer.line(dy[0], dx[0], dy[1], dx[1])
        if self.plain:
            char = (
                "-" if abs(slope) * (x1 - x0) < 0.02 * (hi - lo) else ("/" if slope > 0 else "\\")
            )
            rows, cols = layer.cells()
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                cells.setdefault(r, {})[c] = (char, None)
            return
        self._paint_layer(lay, cells, layer, i)

    def _mark(
        self,
        lay: _Layout,
        cells: dict[int, dict[int, Run_]],
        point: np.ndarray,
        char: str,
        colour: str,
    ) -> None:
        cell = self._cell(lay, point)
        if cell is None:
            return
        r, c = cell
        style = None if self.plain else self._over(lay, r, c, colour, bold=True)
        cells.setdefault(r, {})[c] = (char, style)

    def _row_with(self, lay: _Layout, r: int, over: dict[int, Run_]) -> Line:
        chars = lay.cell_chars[r]
        styles = lay.cell_styles[r]
        row_chars = list(chars)
        row_styles = list(styles)
        for c, (ch, st) in over.items():
            row_chars[c] = ch
            row_styles[c] = st
        return _merge(row_chars, row_styles)

    def _table(self, step: int, width: int) -> list[Line]:
        """The live status table; narrow terminals drop lr, then |∇f|, position and loss."""
        grad = "|∇f|" if not self.plain else "|grad|"
        pos_w = 19 if self.surface.dim == 2 else 10
        status_w = len("converged #1") if len(self.race.runs) > 1 else len("converged")
        columns = table_columns(width, pos_w, status_w)
        heads = {
            "step": f"{'step':>6}  ",
            "position": f"{'position':<{pos_w}}",
            "loss": f"{'loss':>10}",
            "grad": f"{grad:>9}",
            "lr": f"{'lr':>8}",
        }
        header = f"  {'optimizer':<10}" + "".join(heads[c] for c in columns) + "  status"
        out: list[Line] = [[(header, None if self.plain else Style(bold=True, dim=True))]]
        for i, run in enumerate(self.race.runs):
            k = min(step, run.steps)
            pos = _position(run.trajectory[k], pos_w)
            status = run.stop_reason if k == run.steps else "running"
            if status == StopReason.CONVERGED and len(self.race.runs) > 1:
                status += f" #{self.ranks[i]}"
            cells = {
                "step": f"{k:>6}  ",
                "position": f"{pos:<{pos_w}}",
                "loss": f"{fmt(float(run.losses[k]), 3):>10}",
                "grad": f"{fmt(float(run.grad_norms[k]), 2):>9}",
                "lr": f"{fmt(run.spec.lr, 3):>8}",
            }
            text = f"{run.spec.name[:9]:<10}" + "".join(cells[c] for c in columns) + "  "
            if self.plain:
                out.append([(f"{i + 1} " + text + status, None)])
                continue
            colour = PATH_COLOURS[i % len(PATH_COLOURS)]
            out.append(
                [
                    ("● ", Style(color=colour, bold=True)),
                    (text, None),
                    (status, Style(color=STATUS_COLOURS.get(status.split()[0]))),
                ]
            )
        return out


def _position(point: np.ndarray, room: int) -> str:
    """(x, y) in 3 significant digits, or 2 when that does not fit in ``room``."""
    for digits in (3, 2):
        text = ", ".join(fmt(float(v), digits) for v in point)
        text = f"({text})" if point.size > 1 else text
        if len(text) <= room:
            break
    return text[:room]


TABLE_WIDTHS = {"step": 8, "position": 0, "loss": 10, "grad": 9, "lr": 8}
TABLE_DROP = ("lr", "grad", "position", "loss")  # the first to go when the table is too wide


def table_columns(width: int, pos_w: int, status_w: int) -> list[str]:
    """The status table's middle columns that fit in ``width`` (marker, name, status fixed)."""
    columns = list(TABLE_WIDTHS)
    widths = {**TABLE_WIDTHS, "position": pos_w}
    fixed = 2 + 10 + 2 + status_w
    for name in TABLE_DROP:
        if fixed + sum(widths[c] for c in columns) <= width:
            break
        columns.remove(name)
    return columns


def _merge(chars: list[str], styles: list[Style | None]) -> Line:
    """Runs of equal style joined into one segment each."""
    out: Line = []
    if not chars:
        return out
    start = 0
    for c in range(1, len(chars) + 1):
        if c == len(chars) or styles[c] is not styles[start]:
            out.append(("".join(chars[start:c]), styles[start]))
            start = c
    return out


def _clip(line: Row, width: int) -> Line:
    out: Line = []
    used = 0
    for text, style in line:
        if used >= width:
            break
        text = text[: width - used]
        out.append((text, style))
        used += len(text)
    return out


class Frame:
    """A rich renderable for one step; it fits itself to the console when rendered."""

    def __init__(self, view: DescentView, step: int) -> None:
        self.view = view
        self.step = step

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        height = options.height or console.height
        for line in self.view.lines(self.step, options.max_width, height):
            for text, style in line:
                yield Segment(text, style)
            yield Segment.line()
