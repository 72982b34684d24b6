"""``descend`` guards (issue 12): non-finite rates, windows and starts beyond what a float
can draw, terminals reporting any size, a save to a full disk; and the Greek omicron."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from gradtutor.cli import descend
from gradtutor.cli.app import app
from gradtutor.cli.exit_codes import ExitCode

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["descend", *args], env=env)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lr", "inf"], "gradtutor descend: --lr must be a finite number ≥ 0, not 'inf'\n"),
        (["--lr", "1e309"], "gradtutor descend: --lr must be a finite number ≥ 0, not '1e309'\n"),
        (
            ["--window", "-1e308:1e308,-1e308:1e308"],
            "gradtutor descend: --window must lie within ±1,000,000, "
            "not '-1e308:1e308,-1e308:1e308'\n",
        ),
        (
            ["--window", "0:1e-9,0:1"],
            "gradtutor descend: --window ranges must be at least 1e-06 wide, not '0:1e-9,0:1'\n",
        ),
        (
            ["--start", "1e308,1e308"],
            "gradtutor descend: --start must lie within ±1,000,000, not '1e308,1e308'\n",
        ),
    ],
)
def test_numbers_that_cannot_be_drawn_or_written_as_json_are_refused(
    args: list[str], message: str
) -> None:
    result = invoke("bowl", *args, "--json")
    assert result.exit_code == ExitCode.INVALID
    # with --json a script reading stdout gets the error as JSON, never a half-written race
    error = {"message": message.removeprefix("gradtutor descend: ").rstrip("\n")}
    assert json.loads(result.stdout) == {"error": {**error, "column": None, "hint": None}}
    assert result.stderr == message


def test_a_typed_loss_window_beyond_floats_is_refused_too() -> None:
    result = invoke("x^2 + y^2", "--window", "-1e308:1e308,-1:1", "--json")
    assert result.exit_code == ExitCode.INVALID
    assert "--window must lie within ±1,000,000" in result.stderr


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.parametrize(("columns", "lines"), [(100_000, 100_000), (3_000, 2_000)])
def test_a_huge_terminal_is_drawn_at_a_capped_size(columns: int, lines: int) -> None:
    result = invoke("bowl", "--no-animate", env={"COLUMNS": str(columns), "LINES": str(lines)})
    assert result.exit_code == 0, result.output
    widths = [len(line) for line in result.stdout.splitlines()]
    assert max(widths) <= descend.MAX_COLUMNS
    assert len(result.stdout.splitlines()) <= descend.MAX_LINES + 40  # frame + summary


def test_the_animation_in_a_huge_terminal_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradtutor.cli.descend import _show
    from gradtutor.descent.optimizers import parse_optimizer
    from gradtutor.descent.run import race
    from gradtutor.descent.surfaces import find_surface

    surface = find_surface("bowl")
    assert surface is not None
    result = race(surface, [parse_optimizer("sgd:lr=0.1")], surface.start, max_steps=50, tol=1e-4)
    out = io.StringIO()
    console = Console(file=out, width=3_000, height=2_000, force_terminal=True)
    code = _show(
        result,
        "replay",
        fps=240,
        every=1_000,
        animate=True,
        scale="quantile",
        save=None,
        record=None,
        console=console,
    )
    assert code == 0
    assert console.size == (descend.MAX_COLUMNS, descend.MAX_LINES)
    plain_lines = ANSI.sub("", out.getvalue()).splitlines()
    assert max(len(line) for line in plain_lines) <= descend.MAX_COLUMNS


def test_save_to_a_full_disk_names_the_file(tmp_path: Path) -> None:
    full = tmp_path / "run.svg"
    full.symlink_to("/dev/full")  # an .svg name on a device that is always full
    result = invoke("bowl", "--no-animate", "--save", str(full))
    assert result.exit_code == ExitCode.INVALID
    assert result.stderr == f"gradtutor descend: cannot write {full}: No space left on device\n"


def view_box(svg: Path) -> str:
    match = re.search(r'viewBox="([^"]+)"', svg.read_text())
    assert match is not None
    return match.group(1)


@pytest.mark.slow
def test_save_in_a_huge_terminal_is_drawn_at_the_capped_size(tmp_path: Path) -> None:
    sizes = {"huge": ("3000", "1000"), "cap": (str(descend.MAX_COLUMNS), str(descend.MAX_LINES))}
    for name, (columns, lines) in sizes.items():
        env = {"COLUMNS": columns, "LINES": lines}
        result = invoke("bowl", "--no-animate", "--save", str(tmp_path / f"{name}.svg"), env=env)
        assert result.exit_code == 0, result.output
    assert view_box(tmp_path / "huge.svg") == view_box(tmp_path / "cap.svg")


def test_greek_omicron_typed_for_o_is_named() -> None:
    result = runner.invoke(app, ["check", "d/dx(x^2)", "2ο"])
    assert result.exit_code == ExitCode.INVALID
    assert "'ο' is the Greek letter omicron, not the Latin letter o" in result.output
    assert "hint: type the Latin letter o instead" in result.output
