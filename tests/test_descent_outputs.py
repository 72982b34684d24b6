"""``descend --save/--record`` paths checked before the run, the SVG's replay line kept
whole, and ``gradtutor play`` of a recording: timing, Ctrl-C, bad files, and the control
sequences a recording (untrusted) may and may not send to the terminal."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shlex
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.cli.descend import fold_replay
from gradtutor.cli.play import play
from gradtutor.render.asciicast import CastError, Recording, Sanitizer, parse_cast

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def descend(*args: str) -> object:
    return runner.invoke(app, ["descend", *args])


# --- the save and record paths -------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "name", "message"),
    [
        (
            "--save",
            "out.png",
            "gradtutor descend: --save writes an SVG picture (open it in a browser; convert "
            "with rsvg-convert for a PNG); name the file *.svg, not 'out.png'\n",
        ),
        (
            "--record",
            "run.svg",
            "gradtutor descend: --record writes an asciicast v2 recording (play it with "
            "gradtutor play FILE.cast); name the file *.cast, not 'run.svg'\n",
        ),
    ],
)
def test_png_is_refused_up_front_not_written_as_svg_text(
    tmp_path: Path, option: str, name: str, message: str
) -> None:
    # regression: `--save out.png` wrote SVG text into a file named .png
    result = descend("bowl", option, str(tmp_path / name))
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""  # nothing ran
    assert not (tmp_path / name).exists()


def test_a_missing_directory_is_refused_before_the_run(tmp_path: Path) -> None:
    # regression: the path was checked after the whole run (and its animation)
    target = tmp_path / "missing" / "x.svg"
    result = descend("bowl", "--save", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        f"gradtutor descend: --save: no such directory {str(target.parent)!r} for {str(target)!r}\n"
    )
    assert result.stdout == ""


def test_a_directory_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "run.cast").mkdir()
    result = descend("bowl", "--record", str(tmp_path / "run.cast"))
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"gradtutor descend: --record: {str(tmp_path / 'run.cast')!r} is a directory\n"
    )


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_an_unwritable_place_is_refused_before_the_run_even_for_root() -> None:
    result = descend("bowl", "--save", "/proc/gradtutor.svg")
    assert result.exit_code == 2
    assert result.stderr == (
        "gradtutor descend: --save: cannot write '/proc/gradtutor.svg' "
        "(No such file or directory)\n"
    )
    assert result.stdout == ""


def test_a_checked_new_path_is_not_left_behind_when_the_run_is_refused(tmp_path: Path) -> None:
    result = descend("nosuchsurface", "--save", str(tmp_path / "x.svg"))
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


REPLAY = (
    "gradtutor descend 'x^2 + 10y^2' --optimizer sgd:lr=0.05 --optimizer momentum:lr=0.05 "
    "--optimizer adam:lr=0.1 --start 2.0,1.5 --steps 1000 --tol 0.0001"
)


@pytest.mark.parametrize("width", [40, 60, 80, 200])
def test_fold_replay_keeps_the_command_and_the_width(width: int) -> None:
    folded = fold_replay(REPLAY, width)
    lines = folded.split("\n")
    assert all(len(line) <= width for line in lines), lines
    assert lines[0].startswith("Replay: gradtutor")
    assert shlex.split(folded.removeprefix("Replay: ").replace("\\\n", " ")) == shlex.split(REPLAY)
    assert (len(lines) == 1) == (width == 200)


def test_fold_replay_never_splits_a_quoted_expression() -> None:
    assert fold_replay(REPLAY, 40).split("\n")[:2] == [
        "Replay: gradtutor descend \\",
        "    'x^2 + 10y^2' --optimizer \\",
    ]


def svg_text(path: Path) -> str:
    texts = re.findall(r"<text[^>]*>(.*?)</text>", path.read_text(encoding="utf-8"))
    return "".join(html.unescape(t) for t in texts).replace("\xa0", " ")


def test_the_svg_keeps_the_whole_replay_line(tmp_path: Path) -> None:
    # regression: the SVG cut the Replay line at the picture's right edge ("--st")
    svg = tmp_path / "run.svg"
    result = runner.invoke(
        app,
        ["descend", "x^2 + 10y^2", "-o", "sgd,momentum,adam:lr=0.1", "--save", str(svg)],
    )
    assert result.exit_code == 0, result.output
    replay = next(line for line in result.stdout.splitlines() if line.startswith("Replay: "))
    assert replay == "Replay: " + REPLAY
    text = svg_text(svg)
    assert "--start 2.0,1.5 --steps 1000 \\" in text
    assert text.rstrip().endswith("--tol 0.0001")


# --- reading a recording -------------------------------------------------------------

HEADER = '{"version": 2, "width": 80, "height": 24}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "x.cast is empty: an asciicast starts with a JSON header line"),
        ("[1", "x.cast, line 1: not valid JSON"),
        ("[1, 2]", "x.cast, line 1: the header must be a JSON object"),
        (
            '{"version": 1}',
            "x.cast: asciicast version 1 is not supported (gradtutor plays version 2, "
            "the one `descend --record` writes)",
        ),
        ('{"version": 2, "width": 0, "height": 24}', "x.cast, line 1: width must be a whole"),
        ('{"version": 2, "width": 80, "height": 1e9}', "x.cast, line 1: height must be a whole"),
        (HEADER + '\n[0.5, "o"]', "x.cast, line 2: an event is [time, code, data]"),
        (HEADER + '\n["soon", "o", "x"]', "x.cast, line 2: the time must be a number"),
        (HEADER + '\n[NaN, "o", "x"]', "x.cast, line 2: the time must be a number"),
        (HEADER + '\n[2, "o", "a"]\n[1, "o", "b"]', "x.cast, line 3: time 1 goes back"),
        (HEADER + '\n[1, "o", 5]', "x.cast, line 2: the event's data must be text"),
        (HEADER + "\n" + "[" * 100_000, "x.cast, line 2: not valid JSON"),
    ],
)
def test_a_bad_recording_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(CastError) as info:
        parse_cast(text, name="x.cast")
    assert str(info.value).startswith(message)


def test_only_output_events_are_played() -> None:
    recording = parse_cast(
        HEADER + '\n[0, "o", "a"]\n[0.5, "i", "typed"]\n[1, "m", ""]\n[2, "r", "90x30"]\n'
        '[3, "o", "b"]\n'
    )
    assert recording.events == ((0.0, "a"), (3.0, "b"))
    assert (recording.width, recording.height, recording.duration) == (80, 24, 3.0)


def test_the_title_is_stripped_of_control_sequences() -> None:
    recording = parse_cast(
        '{"version": 2, "width": 8, "height": 2, "title": "a\\u001b]0;x\\u0007b\\u001b[31mc"}'
    )
    assert recording.title == "abc"


# --- what reaches the terminal -----------------------------------------------------------

ESC = "\x1b"


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        ("plain text\r\n\tand a tab\b", "plain text\r\n\tand a tab\b"),
        (
            f"{ESC}[1;38;2;1;2;3;48;5;200mcolour{ESC}[0m",
            f"{ESC}[1;38;2;1;2;3;48;5;200mcolour{ESC}[0m",
        ),
        (
            f"{ESC}[3A{ESC}[2B{ESC}[K{ESC}[J{ESC}[10;5H{ESC}[2J",
            f"{ESC}[3A{ESC}[2B{ESC}[K{ESC}[J{ESC}[10;5H{ESC}[2J",
        ),
        (f"{ESC}[?25l{ESC}[?25h", f"{ESC}[?25l{ESC}[?25h"),
        (f"a{ESC}]0;a window title\x07b", "ab"),  # OSC title (BEL-terminated)
        (f"a{ESC}]52;c;cm0gLXJmIH4=\x1b\\b", "ab"),  # OSC 52 writes the clipboard
        (f"a{ESC}]8;;http://x{ESC}\\link{ESC}]8;;{ESC}\\b", "alinkb"),  # hyperlinks
        (f"a{ESC}[6nb", "ab"),  # device status report: the terminal would type a reply
        (f"a{ESC}[21tb{ESC}[>0cc", "abc"),  # window report, device attributes
        (f"a{ESC}[?1049h{ESC}[?1000hb", "ab"),  # alternate screen, mouse reporting
        (f"a{ESC}Pq#0;2;0;0;0{ESC}\\b", "ab"),  # DCS (sixel, terminal settings)
        (f"a{ESC}cb{ESC}(0c", "abc"),  # full reset, charset switch
        ("a\x9b6nb\x07c\x00d\x7fe", "a6nbcde"),  # C1 CSI, BEL, NUL, DEL
        (f"a{ESC}[1 qb", "ab"),  # a CSI with an intermediate byte (cursor shape)
    ],
)
def test_sanitizer_keeps_screen_drawing_and_drops_the_rest(data: str, shown: str) -> None:
    assert Sanitizer().feed(data) == shown


def test_sanitizer_joins_a_sequence_split_across_events() -> None:
    cleaner = Sanitizer()
    assert cleaner.feed(f"red {ESC}[3") == "red "
    assert cleaner.feed("1mR") == f"{ESC}[31mR"
    assert cleaner.feed(f"x{ESC}]0;ti") == "x"
    assert cleaner.feed(f"tle\x07y{ESC}") == "y"
    assert cleaner.feed("[6nz") == "z"


def test_sanitizer_passes_what_descend_records_unchanged(tmp_path: Path) -> None:
    cast = tmp_path / "run.cast"
    result = runner.invoke(
        app,
        [
            "descend",
            "rosenbrock",
            "-o",
            "sgd,adam",
            "--steps",
            "40",
            "--every",
            "10",
            "--record",
            str(cast),
        ],
        env={"COLUMNS": "90", "LINES": "30"},
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in cast.read_text(encoding="utf-8").splitlines()[1:]]
    raw = "".join(data for _, _, data in events)
    assert "\x1b[" in raw
    assert Sanitizer().feed(raw) == raw


# --- playing --------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 9))
        self.now += seconds


RECORDING = Recording(80, 24, "", ((0.0, "a"), (0.5, "b"), (4.5, "c"), (5.0, "d")))


def played(**options: object) -> tuple[str, list[float], float]:
    clock, out = FakeClock(), io.StringIO()
    took = play(RECORDING, out, clock=clock, sleep=clock.sleep, **options)  # type: ignore[arg-type]
    return out.getvalue(), clock.slept, took


def test_play_writes_each_event_at_its_time() -> None:
    assert played() == ("abcd", [0.5, 4.0, 0.5], 5.0)


def test_play_speed_divides_the_pauses() -> None:
    assert played(speed=2.0) == ("abcd", [0.25, 2.0, 0.25], 5.0)


def test_play_idle_limit_caps_each_pause() -> None:
    assert played(idle_limit=1.0) == ("abcd", [0.5, 1.0, 0.5], 2.0)


def test_play_without_pauses_when_piped() -> None:
    assert played(pause=False) == ("abcd", [], 5.0)


def test_play_cli_piped_writes_the_safe_text_at_once(tmp_path: Path) -> None:
    cast = tmp_path / "x.cast"
    cast.write_text(
        HEADER + '\n[0, "o", "one\\u001b]0;t\\u0007 "]\n[60, "o", "two\\n"]\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["play", str(cast)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "one two\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "gradtutor play: cannot read {path}: No such file or directory\n"),
        (b"\xff\xfe", "gradtutor play: {path} is not UTF-8 text (byte 0)\n"),
        (b'{"version": 3}', "gradtutor play: {path}: asciicast version 3 is not supported"),
    ],
)
def test_play_a_bad_file_is_a_clear_error_and_exit_2(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "x.cast"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["play", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(message.format(path=path))
    assert result.stdout == ""


def test_play_refuses_a_speed_of_zero(tmp_path: Path) -> None:
    cast = tmp_path / "x.cast"
    cast.write_text(HEADER + "\n", encoding="utf-8")
    result = runner.invoke(app, ["play", str(cast), "--speed", "0"])
    assert result.exit_code == 2


@pytest.mark.slow
def test_play_in_a_terminal_and_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    import pexpect

    cast = tmp_path / "long.cast"
    events = [json.dumps([i * 0.2, "o", f"{ESC}[?25lframe {i}\r\n"]) for i in range(500)]
    cast.write_text(HEADER + "\n" + "\n".join(events) + "\n", encoding="utf-8")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "play", str(cast)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=30,
    )
    child.expect_exact("frame 2")
    child.sendintr()
    child.expect_exact("\x1b[0m\x1b[?25h")  # colours off and the cursor back
    child.expect_exact("interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "frame 499" not in child.before
