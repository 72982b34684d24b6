"""The descent view at pinned sizes: scales, braille, markers, table, line diffing, asciicast."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from rich.console import Console
from rich.text import Text

from gradtutor.descent.optimizers import parse_optimizer
from gradtutor.descent.run import race
from gradtutor.descent.surfaces import find_surface
from gradtutor.render.descent_canvas import BrailleLayer, contour_mask, normalise
from gradtutor.render.descent_frame import DescentView, fmt, nice_ticks
from gradtutor.render.descent_screen import AnsiLines, Cast, Screen, frame_steps, play


def text(line) -> str:
    return "".join(t for t, _ in line)


def bowl_view(plain: bool = True, specs=("sgd:lr=0.1",), steps=1000) -> DescentView:
    s = find_surface("bowl")
    result = race(s, [parse_optimizer(t) for t in specs], s.start, max_steps=steps, tol=1e-4)
    return DescentView(result, plain=plain)


def test_nice_ticks_and_numbers():
    assert nice_ticks(-2.0, 2.0, 4) == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert nice_ticks(-5.12, 5.12, 3) == [-5.0, 0.0, 5.0]
    assert nice_ticks(0.0, 1.0, 5) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert [fmt(v) for v in (0.0, 1234.5, 0.00012, -2.5, float("inf"))] == [
        "0",
        "1234",
        "0.00012",
        "-2.5",
        "inf",
    ]
    assert fmt(2.34e5, 3) == "2.34e5"


def test_colour_scales():
    values = np.array([1.0, 10.0, 100.0, 1000.0])
    np.testing.assert_allclose(normalise(values, "quantile"), [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(normalise(values, "linear"), [0, 9 / 999, 99 / 999, 1])
    log = normalise(values, "log")
    assert log[0] == 0 and log[-1] == 1 and np.all(np.diff(log) > 0)
    assert log[1] > 9 / 999  # log spreads the low end that linear crushes
    assert np.isnan(normalise(np.array([np.nan, 1.0]), "linear")[0])


def test_braille_dots_and_lines():
    layer = BrailleLayer(1, 2)
    layer.dot(np.array([0, 3]), np.array([0, 1]))
    assert chr(0x2800 + int(layer.bits[0, 0])) == "⢁"  # dots 1 and 8
    layer = BrailleLayer(1, 2)
    layer.line(1.0, 0.0, 1.0, 3.0)  # a horizontal line through dot row 1, all four columns
    assert layer.bits.tolist() == [[0x12, 0x12]]
    layer.dot(np.array([-1, 9]), np.array([0, 0]))  # off the canvas: ignored
    assert layer.bits.tolist() == [[0x12, 0x12]]


def test_contour_mask_marks_band_changes():
    levels = np.array([[0.05, 0.05, 0.95], [0.05, 0.05, 0.95]])
    assert contour_mask(levels, 2).tolist() == [[False, True, False], [False, True, False]]


def test_plain_frame_places_markers_where_the_arithmetic_says():
    view = bowl_view()
    lines = view.lines(0, 80, 20)
    assert len(lines) == 20
    assert text(lines[0]) == "bowl  f(x, y) = x^2 + y^2"
    # map: 71 columns × 14 rows over [−3, 3]², after a 9-character label gutter.
    # minimum (0, 0): dot column 3/6·142 − 0.5 = 70.5 → cell 35; dot row 3/6·56 − 0.5 → cell 7
    assert text(lines[1 + 7])[9 + 35] == "X"
    # start (2.5, −2) holds the current marker "1" at step 0:
    # dot column 5.5/6·142 − 0.5 = 129.67 → cell 65; dot row 5/6·56 − 0.5 = 46.17 → cell 11
    assert text(lines[1 + 11])[9 + 65] == "1"
    # y ticks every 2 (about 14/4 wanted over a range of 6): the 2 sits at row ⌊(3 − 2)/6·14⌋ = 2
    assert text(lines[1 + 2]).startswith("      2 +")
    assert text(lines[1 + 7]).startswith("      0 +")
    table = [text(line) for line in lines[-2:]]
    assert table[0].split() == ["optimizer", "step", "position", "loss", "|grad|", "lr", "status"]
    assert table[1].split() == ["1", "sgd", "0", "(2.5,", "-2)", "10.2", "6.4", "0.1", "running"]
    last = [text(line) for line in view.lines(view.last_step, 80, 20)]
    assert last[-1].split()[-1] == "converged" and " 50 " in last[-1]


def test_incremental_paths_equal_a_fresh_drawing_even_after_rewinding():
    view = bowl_view(plain=False, specs=("sgd:lr=0.1", "adam:lr=0.1"))
    for step in range(0, 120, 7):
        view.lines(step, 80, 24)
    fresh = bowl_view(plain=False, specs=("sgd:lr=0.1", "adam:lr=0.1"))
    assert view.lines(30, 80, 24) == fresh.lines(30, 80, 24)  # rewound from 119


def test_colour_frame_fits_the_console_and_uses_half_blocks_and_braille():
    view = bowl_view(plain=False, specs=("sgd:lr=0.1", "momentum:lr=0.1", "adam:lr=0.1"))
    console = Console(  # no_color=False: colour is the point here, whatever the host's NO_COLOR
        file=io.StringIO(),
        width=80,
        height=24,
        color_system="truecolor",
        force_terminal=True,
        no_color=False,
    )
    console.print(view.frame(40), height=23)
    out = console.file.getvalue()
    rows = out.splitlines()
    assert len(rows) == 23
    plain_rows = [Text.from_ansi(r).plain for r in rows]
    assert max(len(r) for r in plain_rows) <= 80
    body = "".join(plain_rows)
    assert "▀" in body and any(0x2800 < ord(c) <= 0x28FF for c in body) and "★" in body
    assert "\x1b[38;2;" in out and ";48;2;" in out  # truecolor heatmap


def test_one_d_view_draws_the_tangent_with_the_slope_sign():
    s = find_surface("parabola")
    result = race(s, [parse_optimizer("sgd:lr=0.1")], s.start, max_steps=100, tol=1e-4)
    rows = 20 - 7  # title, axis (2), legend, table header and one row
    lines = DescentView(result, plain=True).lines(0, 70, 20)
    body = "".join(text(line) for line in lines[1 : 1 + rows])
    assert "/" in body and "\\" not in body  # f'(2.5) = 5 > 0
    left = race(s, [parse_optimizer("sgd:lr=0.1")], (-2.5,), max_steps=100, tol=1e-4)
    lines = DescentView(left, plain=True).lines(0, 70, 20)
    body = "".join(text(line) for line in lines[1 : 1 + rows])
    assert "\\" in body and "/" not in body


def test_screen_redraws_only_changed_lines():
    screen = Screen(AnsiLines(None))
    first = screen.render([[("a", None)], [("b", None)], [("c", None)]])
    assert first == "a\x1b[K\nb\x1b[K\nc\x1b[K\n"
    second = screen.render([[("a", None)], [("B", None)], [("c", None)]])
    assert second == "\x1b[2A\rB\x1b[K\x1b[2B\r"  # up two lines, rewrite, back down
    assert screen.render([[("a", None)], [("B", None)], [("c", None)]]) == ""
    resized = screen.render([[("x", None)]])
    assert resized == "\x1b[3A\r\x1b[Jx\x1b[K\n"


def test_frame_steps():
    assert frame_steps(10, 4) == [0, 4, 8, 10]
    assert frame_steps(8, 4) == [0, 4, 8]
    assert frame_steps(0, 3) == [0]


def test_recording_is_asciicast_v2_on_the_frame_clock():
    view = bowl_view(plain=False)
    cast = Cast(80, 24)
    playback = play(view, console=None, fps=10, every=10, cast=cast, size=(80, 24))
    assert playback.shown_step == 50 and not playback.interrupted
    lines = cast.dumps().splitlines()
    header = json.loads(lines[0])
    assert header == {"version": 2, "width": 80, "height": 24, "env": {"TERM": "xterm-256color"}}
    events = [json.loads(line) for line in lines[1:]]
    assert [e[0] for e in events] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert all(e[1] == "o" for e in events)
    assert events[0][2].count("\n") == 23  # the whole first frame
    assert "\x1b[" in events[1][2] and events[1][2].count("\n") == 0  # then only changes
    again = Cast(80, 24)
    play(bowl_view(plain=False), console=None, fps=10, every=10, cast=again, size=(80, 24))
    assert again.dumps() == cast.dumps()  # reproducible


def test_colour_falls_back_to_256_and_16():
    view = bowl_view(plain=False)
    line = view.lines(0, 80, 24)[5]
    eight_bit = AnsiLines("256").line(line)
    standard = AnsiLines("standard").line(line)
    assert "38;5;" in eight_bit and "38;2;" not in eight_bit
    assert "38;5;" not in standard and "38;2;" not in standard and "\x1b[" in standard
    assert AnsiLines(None).line(line) == text(line)  # no colour system: the bare characters


def test_tall_terminals_show_the_lesson_under_the_title():
    view = bowl_view()
    tall = view.lines(0, 80, 30)
    assert text(tall[1]) == find_surface("bowl").lesson
    assert len(tall) == 30
    short = bowl_view().lines(0, 80, 29)
    assert text(short[1]).startswith("        |")  # the map starts right away


def race_of(name, specs, steps=1000):
    s = find_surface(name)
    return race(s, [parse_optimizer(t) for t in specs], s.start, max_steps=steps, tol=1e-4)


@pytest.mark.parametrize(
    ("width", "header"),
    [
        (80, ["optimizer", "step", "position", "loss", "|grad|", "lr", "status"]),
        (72, ["optimizer", "step", "position", "loss", "|grad|", "status"]),
        (71, ["optimizer", "step", "position", "loss", "status"]),
        (60, ["optimizer", "step", "loss", "status"]),
        (40, ["optimizer", "step", "status"]),
    ],
)
def test_live_table_drops_columns_to_fit_narrow_terminals(width, header):
    view = DescentView(
        race_of("bowl", ("sgd:lr=0.1", "momentum:lr=0.1", "adam:lr=0.1")), plain=True
    )
    table = [text(line) for line in view._table(view.last_step, width)]  # before any clipping
    assert all(len(line) <= width for line in table), table
    assert table[0].split() == header
    assert [line.split()[-2:] for line in table[1:]] == [
        ["converged", "#1"],
        ["converged", "#2"],
        ["converged", "#3"],
    ]
    frame = [text(line) for line in view.lines(view.last_step, width, 24)]
    assert frame[-4].split() == header  # the frame shows the whole table, not a cut one


def test_live_table_positions_shrink_to_two_digits_rather_than_overflow():
    view = DescentView(race_of("bowl", ("sgd:lr=0.1", "adam:lr=0.1")), plain=True)
    rows = [text(line) for line in view._table(view.last_step, 80)]
    assert "(3.57e-5, -2.85e-5)" in rows[1]  # 19 characters: fits
    assert "(-3.3e-5, -3.7e-5)" in rows[2]  # (-3.28e-5, -3.73e-5) would not


def test_legend_fits_at_60_columns():
    view = bowl_view()
    lines = view.lines(0, 60, 24)
    assert text(lines[-3]) == "loss 0.00694 ' .:-=+' 17.2  S start 1-6 now X min"


def test_ranking_names_the_winner_then_the_rest():
    from gradtutor.render.descent_summary import ranking_text

    bowl = race_of("bowl", ("sgd:lr=0.1", "momentum:lr=0.1", "adam:lr=0.1"))
    assert ranking_text(bowl) == (
        "Winner: sgd, lowest loss (2.088e-9, level with momentum and adam), |∇f| < 0.0001 "
        "first, at step 50; then momentum (the same loss, step 167), then adam (the same "
        "loss, step 206)."
    )
    mixed = race_of("ellipse", ("sgd:lr=0.05", "momentum:lr=0.01"))
    assert "; diverged: sgd." in ranking_text(mixed)
    assert ranking_text(mixed).startswith("Winner: momentum, lowest loss (")
    assert ranking_text(mixed).endswith(
        "The racers use different learning rates (sgd 0.05, momentum 0.01): the race "
        "compares settings as much as methods."
    )


def test_ranking_when_nobody_converges_names_the_closest():
    from gradtutor.render.descent_summary import ranking_text

    rosen = race_of("rosenbrock", ("sgd:lr=0.0005", "momentum:lr=0.0005", "adam:lr=0.05"))
    assert ranking_text(rosen) == (
        "No optimizer converged within 1000 steps; closest: adam (loss 0.0003331). The "
        "racers use different learning rates (sgd 0.0005, momentum 0.0005, adam 0.05): the "
        "race compares settings as much as methods."
    )
    blown = race_of("ellipse", ("sgd:lr=0.05", "sgd:lr=0.06"))
    assert ranking_text(blown).startswith(
        "No optimizer converged within 1000 steps; every run diverged. The racers use "
        "different learning rates (sgd 0.05, sgd 0.06)"
    )


def test_a_shared_stop_explanation_is_said_once():
    from gradtutor.render.descent_summary import stop_lines

    rosen = race_of("rosenbrock", ("sgd:lr=0.0005", "momentum:lr=0.0005", "adam:lr=0.05"))
    assert stop_lines(rosen, ["", "", ""]) == [
        "sgd, momentum and adam: used every step before |∇f| fell below the tolerance"
    ]
    well = race_of("double-well", ("sgd:lr=0.02", "momentum:lr=0.02", "adam:lr=0.1"))
    endings = [" — it ends at a local minimum.", " — it ends at a minimum.", ""]
    lines = stop_lines(well, endings)
    assert lines[0] == (
        "sgd: |∇f| < tol: the slope has vanished at a critical point — it ends at a local minimum."
    )
    assert lines[1].startswith("momentum: ")


@pytest.mark.parametrize("width", [80, 60, 50])
def test_summary_wraps_at_words_and_keeps_the_replay_on_one_line(width):
    from gradtutor.render.descent_summary import print_summary, ranking_text, summary

    result = race_of("rosenbrock", ("sgd:lr=0.0005", "momentum:lr=0.0005", "adam:lr=0.05"))
    notes = ["Maths: sgd: stable near the start only for lr < 2/λmax = 0.0009559 (λmax = 2092)"]
    replay = "gradtutor descend rosenbrock " + " ".join(["--optimizer sgd:lr=0.0005"] * 6)
    parts = summary(result, endings=["", "", ""], notes=notes, replay=replay, plain=True)
    console = Console(file=io.StringIO(), width=width, color_system=None)
    print_summary(console, parts)
    lines = console.file.getvalue().splitlines()
    assert lines[-1] == f"Replay: {replay}"  # soft-wrapped: one line to copy
    assert all(len(line) <= width for line in lines[:-1]), lines
    assert "…" not in "".join(lines)  # table columns are dropped, not cut
    start = next(i for i, line in enumerate(lines) if line.startswith("sgd, momentum and adam:"))
    words = " ".join(lines[start:-1]).split()
    expected = [
        "sgd, momentum and adam: used every step before |∇f| fell below the tolerance",
        ranking_text(result),
        f"Lesson: {result.surface.lesson}",
        *notes,
    ]
    assert words == " ".join(expected).split()  # nothing split mid-word
