"""`gradtutor exercises list|validate` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app

runner = CliRunner()

GOOD = """format_version = 1
pack = "teacher"
version = "2024.1"

[[topic]]
id = "my-topic"
title = "My topic"
prerequisites = ["power-rule"]

[[exercise]]
id = "teacher.cube-1"
topic = "my-topic"
difficulty = 1
kind = "derivative"
f = "{a}x^3"
params = { a = "2..9" }
hints = ["Power rule."]
"""

BAD = """format_version = 1
pack = "teacher"
version = "1"

[[exercise]]
id = "teacher.constant-1"
topic = "power-rule"
difficulty = 1
kind = "derivative"
f = "{a}"
params = { a = "2..9" }
hints = ["Constants."]

[[exercise]]
id = "teacher.same-1"
topic = "power-rule"
difficulty = 1
kind = "derivative"
f = "x^{n}"
params = { n = [3] }
hints = ["Power rule."]

[[exercise]]
id = "teacher.undefined-1"
topic = "power-rule"
difficulty = 2
kind = "evaluate"
f = "ln(x) + {n}x"
at = { x = "0" }
params = { n = "2..3" }
hints = ["Logs."]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "teacher.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_list_json_has_one_row_per_template() -> None:
    result = runner.invoke(app, ["exercises", "list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) >= 80
    row = next(r for r in rows if r["id"] == "power.basic-2")
    assert row == {
        "id": "power.basic-2",
        "topic": "power-rule",
        "topics": ["power-rule"],
        "difficulty": 1,
        "kind": "derivative",
        "file": "rules.toml",
        "pack": "rules",
        "pack_version": "1.0.0",
        "content_hash": row["content_hash"],
        "retired": False,
    }
    assert len(row["content_hash"]) == 64


def test_list_piped_is_plain_lines_in_topic_order() -> None:
    result = runner.invoke(app, ["exercises", "list", "--topic", "power-rule"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["power.basic-1", "power-rule", "1", "derivative", "rules.toml"]
    assert "\x1b[" not in result.stdout


def test_list_with_a_teacher_pack(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    result = runner.invoke(app, ["exercises", "list", "--json", "--pack", str(path)])
    assert result.exit_code == 0
    row = next(r for r in json.loads(result.stdout) if r["id"] == "teacher.cube-1")
    assert (row["topic"], row["file"], row["pack_version"]) == ("my-topic", str(path), "2024.1")


def test_list_unknown_topic_suggests_and_exits_2() -> None:
    result = runner.invoke(app, ["exercises", "list", "--topic", "chain"])
    assert result.exit_code == 2
    assert "no topic 'chain'. Did you mean chain-rule?" in result.stderr


def test_list_with_a_broken_pack_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("difficulty = 1", "difficulty = 9"))
    result = runner.invoke(app, ["exercises", "list", "--pack", str(path)])
    assert result.exit_code == 2
    assert f"{path}: teacher.cube-1: difficulty must be a whole number 1 to 5" in result.stderr
    assert "Traceback" not in result.output


def test_validate_a_good_teacher_pack(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["exercises", "validate", str(write(tmp_path, GOOD)), "--seeds", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "1 templates valid" in result.stdout
    assert "validating" in result.stderr  # progress goes to stderr


def test_validate_names_file_id_and_reason(tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    result = runner.invoke(app, ["exercises", "validate", str(path), "--json", "--seeds", "5"])
    assert result.exit_code == 1
    problems = {p["id"]: p for p in json.loads(result.stdout)}
    assert set(problems) == {"teacher.constant-1", "teacher.same-1", "teacher.undefined-1"}
    assert all(p["file"] == str(path) for p in problems.values())
    assert "every derivative asked for is 0" in problems["teacher.constant-1"]["reason"]
    assert "all 5 instances are the same" in problems["teacher.same-1"]["reason"]
    assert "is undefined: zoo" in problems["teacher.undefined-1"]["reason"]


def test_validate_structural_error_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + GOOD.split("[[exercise]]")[1].join(["[[exercise]]", ""]))
    result = runner.invoke(app, ["exercises", "validate", str(path)])
    assert result.exit_code == 1
    assert "teacher.cube-1: id is already used in" in result.stdout


def test_validate_a_shipped_pack_by_relative_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    result = runner.invoke(app, ["exercises", "validate", "exercises/chain.toml", "--seeds", "2"])
    assert result.exit_code == 0, result.output
    assert "✓ 9 templates valid" in result.stdout


def test_validate_missing_path_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["exercises", "validate", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_help_shows_examples() -> None:
    for command in (
        ["exercises", "--help"],
        ["exercises", "list", "--help"],
        ["exercises", "validate", "--help"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0
        assert "gradtutor exercises" in result.stdout
