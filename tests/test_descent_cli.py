"""``gradtutor descend`` through typer's CliRunner: JSON, listing, errors, replay, SVG, cast."""

from __future__ import annotations

import json
import shlex

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app

runner = CliRunner()


def invoke(*args: str, **kw):
    return runner.invoke(app, ["descend", *args], **kw)


def flat(text: str) -> str:
    """Whitespace (including the Console's word-wrap line breaks) as single spaces."""
    return " ".join(text.split())


def test_json_contract_for_gd_on_the_bowl():
    result = invoke("bowl", "-o", "sgd:lr=0.1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["surface"] == {"name": "bowl", "expression": "x^2 + y^2", "variables": ["x", "y"]}
    (run,) = data["runs"]
    assert run["optimizer"] == "sgd"
    assert run["params"]["lr"] == 0.1 and run["params"]["momentum"] == 0.0
    assert run["stop_reason"] == "converged" and run["steps"] == 50
    assert run["trajectory"][0] == [2.5, -2.0]
    assert run["trajectory"][1] == pytest.approx([2.0, -1.6])  # x − 0.1·2x
    assert run["losses"][1] == pytest.approx(4.0 + 2.56)
    assert len(run["trajectory"]) == len(run["losses"]) == 51


def test_typed_loss_json_uses_plain_syntax():
    result = invoke("x^2 + 10y^2", "-o", "sgd:lr=0.05", "--steps", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["surface"]["expression"] == "x^2 + 10*y^2"
    assert data["surface"]["variables"] == ["x", "y"]
    # start (2, 1.5): ∇f = (4, 30) → (2 − 0.2, 1.5 − 1.5) = (1.8, 0)
    assert data["runs"][0]["trajectory"][1] == pytest.approx([1.8, 0.0])


def test_race_options_split_and_lr_fills_in():
    result = invoke(
        "bowl",
        "--optimizer",
        "sgd,momentum",
        "--optimizer",
        "adam:lr=0.05,betas=0.8/0.99",
        "--lr",
        "0.01",
        "--steps",
        "5",
        "--json",
    )
    runs = json.loads(result.stdout)["runs"]
    assert [r["label"] for r in runs] == ["sgd", "momentum", "adam"]
    assert [r["params"]["lr"] for r in runs] == [0.01, 0.01, 0.05]
    assert runs[2]["params"]["betas"] == [0.8, 0.99]


def test_list_shows_every_surface_with_its_lesson():
    result = invoke("--list")
    assert result.exit_code == 0
    for name in ("rosenbrock", "himmelblau", "double-well", "plateau", "logistic"):
        assert name in result.stdout
    assert "Four equal minima" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x + y + z"], "descend draws losses of one or two variables; x + y + z has 3"),
        (["log(x)"], "not real-valued everywhere on the window"),
        (["1/x", "--start", "0"], "the loss is undefined at the start (x=0)"),
        (["bowl", "-o", "adamm"], "unknown optimizer 'adamm'"),
        (["bowl", "-o", "sgd:nesterov=true"], "Nesterov momentum requires a momentum > 0"),
        (["bowl", "--start", "1"], "--start needs 2 comma-separated number(s), not '1'"),
        (["bowl", "--window", "2:1,0:1"], "--window needs LO:HI ranges with LO < HI"),
        (["bowl", "--tol", "0"], "--tol must be positive"),
        (["bowl", "--scale", "rainbow"], "--scale must be quantile, log or linear"),
        (["x^2 +"], "cannot read the loss"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("gradtutor descend: ")
    assert message in first
    assert "Traceback" not in result.output + result.stderr


def test_non_terminal_output_is_final_frame_and_summary_without_cursor_moves():
    result = invoke("ellipse", "-o", "sgd:lr=0.05", env={"COLUMNS": "80", "LINES": "24"})
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b" not in out  # not a terminal: no colour, no cursor movement
    assert "ellipse  f(x, y) = x^2 + 25*y^2" in out
    assert "diverged" in out
    assert "each step overshoots further: exploding" in flat(out)
    assert "stable only for lr < 2/λmax = 0.04 (λmax = 50); lr = 0.05 is above it" in flat(out)
    assert "▀" not in out and not any(0x2800 <= ord(c) <= 0x28FF for c in out)  # plain chars
    replay = next(line for line in out.splitlines() if line.startswith("Replay: "))
    assert replay == (
        "Replay: gradtutor descend ellipse --optimizer sgd:lr=0.05 --start -2.5,1.0 "
        "--steps 1000 --tol 0.0001"
    )


def test_replay_command_reproduces_the_run_exactly():
    args = [
        "himmelblau",
        "-o",
        "momentum,adam",
        "--lr",
        "0.013",
        "--start",
        "-1,-1.25",
        "--steps",
        "300",
        "--window",
        "-6:6,-6:6",
    ]
    first = invoke(*args)
    replay = next(line for line in first.stdout.splitlines() if line.startswith("Replay: "))
    argv = shlex.split(replay.removeprefix("Replay: "))
    assert argv[:2] == ["gradtutor", "descend"]
    again = json.loads(invoke(*argv[2:], "--json").stdout)
    original = json.loads(invoke(*args, "--json").stdout)
    assert again["runs"] == original["runs"]


def test_typed_replay_quotes_the_expression():
    result = invoke("x^2 + 10y^2", "--steps", "20")
    replay = next(line for line in result.stdout.splitlines() if line.startswith("Replay: "))
    assert replay.startswith("Replay: gradtutor descend 'x^2 + 10y^2' --optimizer sgd:lr=0.05 ")


def test_save_svg_and_record_cast(tmp_path):
    svg, cast = tmp_path / "run.svg", tmp_path / "run.cast"
    result = invoke(
        "booth",
        "-o",
        "sgd,adam",
        "--steps",
        "60",
        "--every",
        "20",
        "--save",
        str(svg),
        "--record",
        str(cast),
        env={"COLUMNS": "90", "LINES": "30"},
    )
    assert result.exit_code == 0, result.output
    assert svg.read_text().lstrip().startswith("<svg")
    lines = cast.read_text().splitlines()
    header = json.loads(lines[0])
    assert (header["version"], header["width"], header["height"]) == (2, 90, 30)
    times = [json.loads(line)[0] for line in lines[1:]]
    assert times == [round(i / 30, 6) for i in range(len(times))]  # frame clock, 30 fps
    assert len(times) == 4  # steps 0, 20, 40 and the last (60)


def test_unwritable_save_path_is_a_usage_error(tmp_path):
    result = invoke("bowl", "--steps", "3", "--save", str(tmp_path / "missing" / "x.svg"))
    assert result.exit_code == 2
    assert result.stderr.startswith("gradtutor descend: --save: no such directory")


def test_help_shows_examples():
    result = runner.invoke(app, ["descend", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "gradtutor descend rosenbrock --optimizer sgd,momentum,adam" in result.stdout


def test_help_fits_80_columns_without_cutting_or_wrapping_commands():
    from gradtutor.cli.descend import EXAMPLES

    result = runner.invoke(app, ["descend", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "…" not in result.stdout  # the -o help was cut at "betas=0…"
    examples = [
        line.strip().split("[dim]")[0].strip()
        for line in EXAMPLES.splitlines()
        if line.strip().startswith("gradtutor descend")
    ]
    assert len(examples) == 10
    for command in examples:  # each example whole on one line of the help
        assert any(line.strip().startswith(command) for line in lines), command
    assert "adam:lr=0.05 (PyTorch's setting names)" in flat(result.stdout.replace("│", " "))


def test_frame_warns_when_lr_crosses_the_stability_limit():
    result = invoke("ellipse", "-o", "sgd:lr=0.05", env={"COLUMNS": "80", "LINES": "24"})
    assert "! sgd: lr 0.05 > 2/λmax = 0.04 — each step overshoots" in result.stdout
    calm = invoke("ellipse", "-o", "sgd:lr=0.03", env={"COLUMNS": "80", "LINES": "24"})
    assert "overshoots" not in calm.stdout
    assert "lr = 0.03 is below it: stable" in flat(calm.stdout)


def test_typed_one_d_loss_names_the_shallow_well_a_local_minimum():
    result = invoke("x^4 - 3x^2 + x", "--start", "1.8", "-o", "gd")
    assert result.exit_code == 0
    assert "ends at a local minimum (the window holds lower ground)" in flat(result.stdout)


def test_json_with_record_writes_the_cast_and_only_json_to_stdout(tmp_path):
    cast = tmp_path / "run.cast"
    result = invoke("parabola", "--steps", "10", "--every", "5", "--json", "--record", str(cast))
    assert json.loads(result.stdout)["runs"][0]["steps"] == 10
    events = cast.read_text().splitlines()[1:]
    assert len(events) == 3  # steps 0, 5, 10


def test_saddle_maths_note_agrees_with_the_divergence():
    result = invoke("saddle", "--no-animate", env={"COLUMNS": "200", "LINES": "24"})
    out = result.stdout
    assert "sgd: the loss is unbounded below — the path runs downhill forever" in out
    assert (
        "Maths: sgd: the surface curves downward along one direction (Hessian eigenvalue −2): "
        "descent runs away along it whatever the learning rate; "
        "2/λmax = 1 only limits the upward directions\n"
    ) in out
    assert "stable" not in out.split("Maths:")[1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "rosenbrok",
            "no surface named 'rosenbrok'; did you mean rosenbrock? "
            "(gradtutor descend --list shows them all)",
        ),
        (
            "Himmelblaux",
            "no surface named 'Himmelblaux'; did you mean himmelblau? "
            "(gradtutor descend --list shows them all)",
        ),
        (
            "sigmoid-plateau",
            "no surface named 'sigmoid-plateau'; did you mean sigmoid or "
            "plateau? (gradtutor descend --list shows them all)",
        ),
        (
            "bwl",
            "no surface named 'bwl'; did you mean bowl? (gradtutor descend --list shows them all)",
        ),
        (
            "nope",
            "no surface named 'nope'; gradtutor descend --list shows them all, "
            "or type a loss in x and y, e.g. 'x^2 + 10y^2'",
        ),
    ],
)
def test_an_unknown_word_is_an_unknown_surface_not_bad_maths(name, message):
    result = invoke(name)
    assert result.exit_code == 2
    assert result.stderr == f"gradtutor descend: {message}\n"


def test_words_that_are_losses_still_parse():
    result = invoke("xy", "--steps", "3", "--json")  # x·y: a loss, not a typo
    assert result.exit_code == 0
    assert json.loads(result.stdout)["surface"]["expression"] == "x*y"
    many = invoke("x-y-z")  # a real complaint about the maths, kept
    assert many.exit_code == 2
    assert "one or two variables; x - y - z has 3" in many.stderr


@pytest.mark.parametrize("width", [80, 60])
def test_closing_text_wraps_at_words_at_80_and_60_columns(width):
    args = ["rosenbrock", "-o", "sgd,momentum,adam", "--no-animate"]
    wide = invoke(*args, env={"COLUMNS": "400", "LINES": "24"}).stdout.splitlines()
    narrow = invoke(*args, env={"COLUMNS": str(width), "LINES": "24"}).stdout.splitlines()
    replay = narrow[-1]
    assert replay == wide[-1] and replay.startswith("Replay: gradtutor descend rosenbrock ")
    assert len(replay) > width  # one line to copy, however narrow the terminal
    assert all(len(line) <= width for line in narrow[:-1])

    def closing(lines):
        start = next(i for i, line in enumerate(lines) if line.startswith("sgd, momentum"))
        return lines[start:-1]

    assert closing(wide) == [
        "sgd, momentum and adam: used every step before |∇f| fell below the tolerance",
        "No optimizer converged within 1000 steps; closest: adam (loss 0.0003331). The "
        "racers use different learning rates (sgd 0.0005, momentum 0.0005, adam 0.05): the "
        "race compares settings as much as methods.",
        "Lesson: A curved banana valley: easy to fall into, slow to follow to (1, 1).",
        "Maths: sgd: where it ended, at (−1.116, 1.253), it is stable only for lr < 2/λmax = "
        "0.001673 (λmax = 1195); lr = 0.0005 is below it: stable, but it needed more steps; "
        "it was still moving, along a direction that bends downward a little (Hessian "
        "eigenvalue −0.1937)",
        "Maths: sgd: at the start (−1.5, 2), λmax = 2092: the local limit is 2/λmax = 0.0009559",
        "Maths: momentum: where it ended, at (0.925, 0.8553), it is stable only for lr < "
        "2(1+β)/λmax = 0.004288 (λmax = 886.1); lr = 0.0005 is below it: stable, but it "
        "needed more steps",
        "Maths: momentum: at the start (−1.5, 2), λmax = 2092: the local limit is "
        "2(1+β)/λmax = 0.001816",
    ]
    assert flat(" ".join(closing(narrow))).split() == flat(" ".join(closing(wide))).split()
    assert flat("\n".join(narrow)).count("used every step") == 1
