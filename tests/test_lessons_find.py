"""Finding and reading lessons: --next, the links under a lesson, --search, suggestions,
and the pager that keeps a long lesson's first lines on an 80×24 screen."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.cli.pager import page, prompt
from gradtutor.tutor.lessons import (
    last_read,
    load_lessons,
    neighbours,
    next_lesson,
    remember_read,
    search,
    suggest,
)

runner = CliRunner()
LESSONS = load_lessons()
ROOT = Path(__file__).resolve().parent.parent


def first_line(result) -> str:  # type: ignore[no-untyped-def]
    return result.stdout.splitlines()[0]


def test_neighbours_in_teaching_order() -> None:
    before, after = neighbours(LESSONS, "loss")
    assert (before.id, after.id) == ("activations", "gradient")
    assert neighbours(LESSONS, "neurons")[0] is None
    assert neighbours(LESSONS, "normalisation")[1] is None


def test_next_lesson_starts_at_the_first_and_ends_after_the_last() -> None:
    assert next_lesson(LESSONS, None).id == "neurons"
    assert next_lesson(LESSONS, "no-such-lesson").id == "neurons"
    assert next_lesson(LESSONS, "gradient").id == "gradient-descent"
    assert next_lesson(LESSONS, "normalisation") is None


def test_last_read_round_trip_and_a_bad_note(tmp_path: Path) -> None:
    assert last_read(tmp_path) is None
    assert remember_read(tmp_path / "new", "chain-rule")
    assert last_read(tmp_path / "new") == "chain-rule"
    (tmp_path / "last_lesson").write_text("../../etc/passwd\n", encoding="utf-8")
    assert last_read(tmp_path) is None  # only a lesson id is believed
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert remember_read(blocker / "home", "loss") is False  # cannot write: no error


def test_learn_next_follows_the_lesson_read_last(home: Path) -> None:
    assert (
        first_line(runner.invoke(app, ["learn", "--next"]))
        == "Neurons, weights, biases and the forward pass"
    )
    assert last_read(home) == "neurons"
    assert first_line(runner.invoke(app, ["learn", "--next"])) == (
        "Derivative rules: constant, power, sum, product, quotient, exp, log, trig"
    )
    runner.invoke(app, ["learn", "tensors"])
    assert first_line(runner.invoke(app, ["learn", "--next"])) == (
        "Normalisation and standardisation (z-score)"
    )


def test_learn_topic_next_is_the_lesson_after_that_topic() -> None:
    result = runner.invoke(app, ["learn", "chain-rule", "--next"])
    assert result.exit_code == 0
    assert first_line(result) == "Partial derivatives"


def test_learn_next_after_the_last_lesson_says_so() -> None:
    result = runner.invoke(app, ["learn", "normalisation", "--next"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("normalisation is the last lesson.")


@pytest.mark.parametrize(
    ("lesson", "links"),
    [
        ("neurons", "next: gradtutor learn derivative-rules →"),
        (
            "loss",
            "← previous: gradtutor learn activations   next: gradtutor learn gradient →",
        ),
        (
            "normalisation",
            "← previous: gradtutor learn tensors   "
            "the last lesson: gradtutor quiz practises them all",
        ),
    ],
)
def test_every_lesson_ends_with_links_to_its_neighbours(lesson: str, links: str) -> None:
    result = runner.invoke(app, ["learn", lesson])
    assert result.stdout.splitlines()[-1] == links


def test_search_ranks_title_matches_then_mentions() -> None:
    hits = search(LESSONS, "Gradient")
    # three titles say "gradient": the most mentions first, then teaching order (7 = 7)
    assert [(h.lesson_id, h.count, h.in_title) for h in hits][:4] == [
        ("vanishing-gradients", 10, True),
        ("gradient", 7, True),
        ("gradient-descent", 7, True),
        ("computational-graph", 9, False),
    ]
    # activations: six lines of text and the descend demo of its "Try it"
    sigmoid = search(LESSONS, "sigmoid")
    assert [(h.lesson_id, h.count) for h in sigmoid] == [
        ("activations", 7),
        ("vanishing-gradients", 5),
        ("loss", 2),
        ("computational-graph", 2),
        ("perceptron", 1),
        ("shapes-and-jacobians", 1),
        ("softmax-cross-entropy", 1),
    ]
    assert sigmoid[0].lines[1] == (13, "## Worked: the sigmoid's derivative")
    assert search(LESSONS, "  ") == ()


def test_learn_search_lists_lessons_with_their_lines_in_plain_text() -> None:
    result = runner.invoke(app, ["learn", "--search", "overshoot"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "curvature              Curvature: the Hessian and the learning rate  (3 times)"
    )
    assert "**" not in result.stdout and "`" not in result.stdout
    assert result.stdout.splitlines()[-1] == "Read one with: gradtutor learn LESSON"


def test_learn_search_without_a_match_exits_1() -> None:
    result = runner.invoke(app, ["learn", "--search", "zzzyx"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "no lesson mentions 'zzzyx'. Run `gradtutor learn` to list the lessons.\n"
    )


def test_learn_search_with_a_topic_is_a_usage_error() -> None:
    result = runner.invoke(app, ["learn", "loss", "--search", "mse"])
    assert result.exit_code == 2
    assert result.stderr == "gradtutor learn: --search takes a word, not a topic or --next\n"


@pytest.mark.parametrize(
    ("word", "lessons"),
    [
        ("sigmoid", ("activations", "loss", "computational-graph")),
        ("momentum", ("curvature", "gradient-descent")),
        ("epoch", ("overfitting",)),
        ("softmax", ("softmax-cross-entropy",)),
    ],
)
def test_suggest_lessons_that_teach_a_word(word: str, lessons: tuple[str, ...]) -> None:
    assert suggest(LESSONS, word) == lessons


def test_learn_sigmoid_suggests_the_activations_lesson() -> None:
    # regression: `learn sigmoid` said only "no lesson" though a lesson teaches the sigmoid
    result = runner.invoke(app, ["learn", "sigmoid"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "gradtutor learn: no lesson for 'sigmoid'\n"
        "hint: lessons about it: activations, loss, computational-graph. "
        "Run `gradtutor learn` to list the lessons\n"
    )


# --- the pager ------------------------------------------------------------------------


def keys(*pressed: str):  # type: ignore[no-untyped-def]
    queue = list(pressed)
    return lambda: queue.pop(0)


def paged(lines: list[str], height: int, *pressed: str) -> str:
    out = io.StringIO()
    page(lines, out=out, height=height, read_key=keys(*pressed), plain=True)
    return out.getvalue()


LINES = [f"line {n}" for n in range(1, 11)]


def test_pager_shows_a_screen_then_waits() -> None:
    out = paged(LINES, 5, "q")
    assert out == "line 1\nline 2\nline 3\nline 4\n" + prompt(1, 4, 10, plain=True) + "\r\x1b[K"


def test_pager_space_a_page_enter_a_line_and_stops_at_the_end() -> None:
    out = paged(LINES, 5, " ", "\r", " ")
    shown = [line for line in out.replace("\r\x1b[K", "").split("\n")]
    text = "\n".join(shown)
    for n in range(1, 11):
        assert f"line {n}\n" in text + "\n"
    assert prompt(1, 4, 10, plain=True) in out
    assert prompt(5, 8, 10, plain=True) in out
    assert prompt(6, 9, 10, plain=True) in out
    assert out.endswith("line 10\n")  # the end: no prompt, the text stays on the screen


def test_pager_back_redraws_the_page_before() -> None:
    out = paged(LINES, 5, " ", "b", "q")
    assert "\x1b[H\x1b[2Jline 1\nline 2\nline 3\nline 4\n" in out


def test_pager_text_that_fits_is_written_without_a_prompt() -> None:
    assert paged(LINES[:3], 5) == "line 1\nline 2\nline 3\n"


@pytest.mark.slow
def test_a_long_lesson_on_an_80x24_terminal_keeps_its_first_lines(home: Path) -> None:
    # regression: a long lesson scrolled its first 40 lines away at 80×24
    import pexpect

    env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "learn", "derivative-rules"],
        env=env,
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=30,
    )
    child.expect(r"lines 1–23 of (\d+)")
    total = int(child.match.group(1))
    assert total > 40
    assert (
        "Derivative rules: constant, power, sum, product, quotient, exp, log, trig" in child.before
    )
    assert "A derivative is a" in child.before  # the first paragraph is on the screen
    child.send(" ")
    child.expect(r"lines 24–46 of \d+")
    child.send("\r")
    child.expect(r"lines 25–47 of \d+")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert last_read(home) == "derivative-rules"


@pytest.mark.slow
def test_a_lesson_in_a_pipe_is_not_paged(home: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "gradtutor", "learn", "derivative-rules"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "lines 1–" not in done.stdout
    assert done.stdout.splitlines()[-1].startswith("← previous: gradtutor learn neurons")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("options", "term"),
    [(["--no-pager"], "xterm-256color"), ([], "dumb")],
    ids=["no-pager", "dumb"],
)
def test_no_pager_on_request_or_on_a_dumb_terminal(options: list[str], term: str) -> None:
    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "learn", "derivative-rules", *options],
        env={**os.environ, "TERM": term, "PYTHONPATH": str(ROOT)},
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=30,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = child.before  # everything the lesson wrote, at once
    assert "Derivative rules: constant, power, sum" in shown
    assert "next: gradtutor learn chain-rule →" in shown
    assert "lines 1–" not in shown
