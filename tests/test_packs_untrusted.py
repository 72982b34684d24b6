"""A teacher's pack is untrusted input (issue 12): encodings, nesting, terminal control
characters and markup in its text, and packs whose every exercise is broken."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.cli.quiz import QuizRunner
from gradtutor.errors import GradtutorError
from gradtutor.render.console import make_console
from gradtutor.tutor.packs import PackError, read_pack, read_toml

HEAD = 'format_version = 1\npack = "t"\nversion = "0.1.0"\ntitle = "T"\n'

HOSTILE = (
    HEAD
    + r"""
[[topic]]
id = "hostile"
title = "Hostile \u001b]0;pwned\u0007\u001b[2J [/] [link=http://x]y[/link]"
prerequisites = []

[[exercise]]
id = "hostile.square"
topic = "hostile"
difficulty = 1
kind = "derivative"
f = "x^2"
hints = ["look \u001b]52;c;cGFzdGU=\u0007 here\r over"]
"""
)

BROKEN = (
    HEAD
    + """
[[topic]]
id = "broken"
title = "Broken"
prerequisites = []

[[exercise]]
id = "broken.never"
topic = "broken"
difficulty = 1
kind = "derivative"
params = { a = "2..3" }
where = "a > 100"
f = "{a}x^2"
hints = ["never shown"]
"""
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


BAD_FILES = {
    "latin1.toml": (
        (HEAD + 'description = "caf\xe9"\n').encode("latin-1"),
        "not UTF-8: byte 0xe9 on line 5 (save the file as UTF-8)",
    ),
    "utf16.toml": (
        HEAD.encode("utf-16"),
        "the file is UTF-16; save it as UTF-8 (TOML is UTF-8)",
    ),
    "arrays.toml": (
        (HEAD + "x = " + "[" * 3000 + "]" * 3000 + "\n").encode(),
        "arrays or tables are nested more than 16 deep: not a pack",
    ),
    "tables.toml": (
        (HEAD + "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n").encode(),
        "arrays or tables are nested more than 16 deep: not a pack",
    ),
    "twenty.toml": (
        (HEAD + "x = " + "[" * 20 + "]" * 20 + "\n").encode(),
        "arrays or tables are nested more than 16 deep: not a pack",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_undecodable_or_deeply_nested_pack_is_a_pack_problem(tmp_path: Path, name: str) -> None:
    data, reason = BAD_FILES[name]
    path = write(tmp_path, name, data)
    with pytest.raises(PackError) as caught:
        read_toml(path)
    assert (caught.value.file, caught.value.exercise_id, caught.value.reason) == (
        str(path),
        None,
        reason,
    )


def flat(text: str) -> str:
    """Output with its line wrapping undone."""
    return " ".join(text.split())


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_validate_list_and_quiz_report_it_never_exit_70(tmp_path: Path, name: str) -> None:
    data, reason = BAD_FILES[name]
    path = write(tmp_path, name, data)
    runner = CliRunner()
    validate = runner.invoke(app, ["exercises", "validate", str(path)])
    assert validate.exit_code == ExitCode.WRONG
    assert reason in flat(validate.output)
    listed = runner.invoke(app, ["exercises", "list", "--pack", str(path)])
    assert listed.exit_code == ExitCode.INVALID
    assert reason in flat(listed.output)
    quiz = runner.invoke(app, ["quiz", "--pack", str(path)], input="")
    assert quiz.exit_code == ExitCode.INVALID
    assert reason in flat(quiz.output)


def test_control_characters_in_a_pack_reach_the_terminal_neutralised(tmp_path: Path) -> None:
    path = write(tmp_path, "hostile.toml", HOSTILE)
    topics, templates, problems = read_pack(path)
    assert problems == []
    assert topics[0].title == ("Hostile \\x1b]0;pwned\\x07\\x1b[2J [/] [link=http://x]y[/link]")
    assert templates[0].hints == ("look \\x1b]52;c;cGFzdGU=\\x07 here\\x0d over",)


class Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def read(self, prompt: str) -> str:
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


def run_quiz(path: Path, answers: list[str]) -> tuple[ExitCode, str]:
    out = io.StringIO()
    runner = QuizRunner(console=make_console(file=out, width=200), reader=Reader(answers))
    code = runner.run(topic=None, count=1, seed=1, review=False, packs=(path,))
    return code, out.getvalue()


def test_quiz_shows_a_hostile_pack_as_plain_visible_text(tmp_path: Path) -> None:
    code, text = run_quiz(write(tmp_path, "hostile.toml", HOSTILE), ["hint", "2x"])
    assert code == ExitCode.OK
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "Hostile \\x1b]0;pwned\\x07\\x1b[2J [/] [link=http://x]y[/link]" in text
    assert "look \\x1b]52;c;cGFzdGU=\\x07 here\\x0d over" in text


def test_quiz_of_a_pack_whose_every_exercise_is_broken_is_not_a_success(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    runner = QuizRunner(console=make_console(file=out, width=200), reader=Reader([]))
    with pytest.raises(GradtutorError) as caught:  # reported by the command: exit 2
        runner.run(
            topic=None,
            count=1,
            seed=1,
            review=False,
            packs=(write(tmp_path, "broken.toml", BROKEN),),
        )
    assert (caught.value.exit_code, caught.value.message) == (
        ExitCode.INVALID,
        "no exercise could be asked: every one tried is broken",
    )
    assert "Skipping a broken exercise" in out.getvalue()
