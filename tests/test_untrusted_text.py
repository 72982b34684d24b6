"""Text from outside gradtutor reaches the terminal with its control characters visible."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.tutor.untrusted import neutralise, valid_utf8


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain x^2 + σ(z)\n\tnext line", "plain x^2 + σ(z)\n\tnext line"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),  # window title (OSC 0)
        ("\x1b]52;c;cGFzdGU=\x07", "\\x1b]52;c;cGFzdGU=\\x07"),  # clipboard (OSC 52)
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),  # clear screen, cursor home
        ("a\rb\x08c\x7f", "a\\x0db\\x08c\\x7f"),  # overwrite, backspace, DEL
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("abc\u202edef\u2066", "abc\\u202edef\\u2066"),  # bidirectional override, isolate
        ("line\u2028sep", "line\\u2028sep"),
    ],
)
def test_neutralise_shows_every_control_character(text: str, shown: str) -> None:
    assert neutralise(text) == shown


def test_valid_utf8_replaces_each_undecodable_byte() -> None:
    assert valid_utf8("3x\udcff^2\ud800") == "3x\ufffd^2\ufffd"
    assert valid_utf8("x²") == "x²"


def test_a_derivation_file_cannot_drive_the_terminal(tmp_path: Path) -> None:
    work = tmp_path / "work.txt"
    work.write_text("x^2\n2x\x1b[2J\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["steps", str(work)], env={"COLUMNS": "100"})
    assert "\x1b[2J" not in result.output
    assert "2x\\x1b[2J" in result.output
