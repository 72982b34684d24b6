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
params = { a = "2..21" }
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
    from gradtutor.tutor.packs import load_catalogue

    topics = ", ".join(sorted(t.id for t in load_catalogue().topics))
    result = runner.invoke(app, ["exercises", "list", "--topic", "chain"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "gradtutor exercises list: no topic 'chain'\n"
        f"hint: did you mean chain-rule? Topics: {topics}\n"
    )


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


def test_help_shows_examples() -> None:
    for command in (
        ["exercises", "--help"],
        ["exercises", "list", "--help"],
        ["exercises", "validate", "--help"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0
        assert "gradtutor exercises" in result.stdout


def exercise(tid: str, **changes: str) -> str:
    """One [[exercise]] table of a sound derivative template, with some keys changed."""
    keys = {
        "id": f'"{tid}"',
        "topic": '"power-rule"',
        "difficulty": "1",
        "kind": '"derivative"',
        "f": '"{a}x^3"',
        "params": '{ a = "2..21" }',
        "hints": '["Power rule."]',
    } | changes
    return "\n[[exercise]]\n" + "".join(f"{key} = {value}\n" for key, value in keys.items())


HEADER = 'format_version = 1\npack = "teacher"\nversion = "1"\n'
SIX_PROBLEMS = HEADER + "".join(
    [
        exercise("teacher.a-1", difficulty="9"),
        exercise("teacher.b-1", topic='"nope"'),
        exercise("teacher.c-1", kind='"derivativ"'),
        exercise("teacher.d-1", f='"{a}x^3 + {q}"'),
        exercise("teacher.e-1", hints="[]"),
        exercise("teacher.f-1", f='"sinx"'),
    ]
)


def test_validate_reports_every_problem_in_a_file_in_one_run(tmp_path: Path) -> None:
    path = write(tmp_path, SIX_PROBLEMS)
    result = runner.invoke(app, ["exercises", "validate", str(path), "--json", "--seeds", "2"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"file": str(path), "id": tid, "reason": reason}
        for tid, reason in [
            ("teacher.a-1", "difficulty must be a whole number 1 to 5, not 9"),
            ("teacher.b-1", "unknown topic 'nope'"),
            (
                "teacher.c-1",
                "unknown kind 'derivativ'; known kinds: derivative, partial, gradient, "
                "evaluate, chain, product, descent-step, neuron-backprop, vanishing, compute, "
                "graph-node, graph-fanout, layer-gradient, deep-chain",
            ),
            ("teacher.d-1", "'{a}x^3 + {q}' uses {q}, not a parameter"),
            ("teacher.e-1", "needs hints: a list of progressively stronger hints"),
            (
                "teacher.f-1",
                "f = \"sinx\": 'sinx' isn't a name gradtutor knows (column 1); "
                "did you mean sin(x)?",
            ),
        ]
    ]


def test_validate_plain_output_lists_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, SIX_PROBLEMS)
    result = runner.invoke(app, ["exercises", "validate", str(path), "--seeds", "2"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 7
    assert lines[0] == f"✗ {path}: teacher.a-1: difficulty must be a whole number 1 to 5, not 9"
    assert lines[-1] == "6 problem(s) found"


def test_validate_several_problems_in_one_exercise(tmp_path: Path) -> None:
    body = HEADER + exercise("teacher.a-1", difficulty="0", hints='["Power.", ""]', colour="1")
    path = write(tmp_path, body)
    result = runner.invoke(app, ["exercises", "validate", str(path), "--json"])
    assert result.exit_code == 1
    assert [p["reason"] for p in json.loads(result.stdout)] == [
        "a 'derivative' exercise does not use 'colour' (a typo?)",
        "difficulty must be a whole number 1 to 5, not 0",
        "hint 2 is empty",
    ]


def test_validate_an_empty_pack_fails(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER)
    result = runner.invoke(app, ["exercises", "validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"✗ {path}: -: the pack is empty: it has no [[exercise]] tables\n1 problem(s) found\n"
    )


def test_validate_a_directory_without_packs_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["exercises", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == f"✗ {tmp_path}: -: no pack files (*.toml) here\n1 problem(s) found\n"


def test_validate_a_file_of_topics_only_passes() -> None:
    topics = Path(__file__).resolve().parents[1] / "exercises" / "topics.toml"
    result = runner.invoke(app, ["exercises", "validate", str(topics)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "✓ 18 topics valid (no exercises here)\n"


def test_a_parse_error_is_reported_against_the_text_the_teacher_wrote(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + exercise("teacher.f-1", f='"{a}sinx + x^2"'))
    result = runner.invoke(app, ["exercises", "validate", str(path), "--json", "--seeds", "1"])
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)
    assert problem["reason"] == (
        'f = "{a}sinx + x^2" (with a = 13: "13sinx + x^2"): '
        "'sinx' isn't a name gradtutor knows (column 4); did you mean sin(x)?"
    )


def test_a_parse_error_in_a_point_names_the_coordinate(tmp_path: Path) -> None:
    changes = {"kind": '"evaluate"', "at": '{ x = "{a}+" }'}
    path = write(tmp_path, HEADER + exercise("teacher.g-1", **changes))
    result = runner.invoke(app, ["exercises", "validate", str(path), "--json", "--seeds", "1"])
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)
    assert problem["reason"] == (
        'at.x = "{a}+" (with a = 2: "2+"): something is missing after \'+\' (column 4)'
    )


@pytest.mark.parametrize("command", [["validate"], ["list", "--pack"]])
def test_a_missing_pack_file_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "nope.toml"
    result = runner.invoke(app, ["exercises", *command, str(missing)])
    assert result.exit_code == 2
    assert result.stderr == f"gradtutor exercises {command[0]}: no pack file at {missing}\n"
    assert result.stdout == ""


@pytest.mark.parametrize("columns", ["60", "80"])
def test_list_on_a_terminal_never_cuts_an_id_or_topic(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    # At 80 columns the table showed "overfitting.deca…", at 60 "tensor.kee…": ids a
    # teacher has to type back. Kind and file may be shortened instead.
    rows = json.loads(runner.invoke(app, ["exercises", "list", "--json"]).stdout)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", columns)
    result = runner.invoke(app, ["exercises", "list"])
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines()[1:-1]]
    assert [(cells[0], cells[1]) for cells in lines] == [(r["id"], r["topic"]) for r in rows]
