"""Lessons: the format, the shipped texts, and `gradtutor learn`."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.descent.optimizers import parse_optimizer
from gradtutor.descent.surfaces import find_surface
from gradtutor.tutor.lessons import Lesson, LessonError, load_lesson, load_lessons
from gradtutor.tutor.packs import load_catalogue

runner = CliRunner()
LESSONS = load_lessons()

EXPECTED_IDS = [
    "neurons",
    "derivative-rules",
    "chain-rule",
    "partial-derivatives",
    "activations",
    "loss",
    "gradient",
    "gradient-descent",
    "curvature",
    "perceptron",
    "backpropagation",
    "computational-graph",
    "shapes-and-jacobians",
    "softmax-cross-entropy",
    "vanishing-gradients",
    "overfitting",
    "tensors",
    "normalisation",
]


def test_lessons_in_teaching_order() -> None:
    assert [lesson.id for lesson in LESSONS] == EXPECTED_IDS
    assert all(isinstance(lesson, Lesson) for lesson in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_ends_with_try_it(lesson: Lesson) -> None:
    tail = lesson.markdown.split("## Try it")[-1]
    assert "## Try it" in lesson.markdown
    assert "gradtutor " in tail
    if lesson.topic is not None:
        assert f"gradtutor quiz --topic {lesson.topic}" in tail


def test_lesson_quiz_topics_exist() -> None:
    topics = {t.id for t in load_catalogue().topics}
    for lesson in LESSONS:
        assert lesson.topic is None or lesson.topic in topics, lesson.id
        for line in lesson.markdown.split("## Try it")[-1].splitlines():
            if "gradtutor quiz --topic" in line:
                assert line.split()[-1] in topics, (lesson.id, line)


def test_descend_demos_name_real_surfaces_and_optimizers() -> None:
    commands = [lesson.descend_demo for lesson in LESSONS if lesson.descend_demo]
    commands += [
        line.strip()
        for lesson in LESSONS
        for line in lesson.markdown.splitlines()
        if line.strip().startswith("gradtutor descend ")
    ]
    assert len(commands) >= 8
    for command in commands:
        words = shlex.split(command)
        assert find_surface(words[2]) is not None, command
        flag = "--optimizer" if "--optimizer" in words else "-o"
        for name in words[words.index(flag) + 1].split(","):
            parse_optimizer(name)
        rate = words[words.index("--lr") + 1]
        assert rate == "best" or float(rate) > 0


def test_the_notes_slip_is_corrected() -> None:
    rules = next(lesson for lesson in LESSONS if lesson.id == "derivative-rules").markdown
    assert "d/dx 3x^3 = 3 · 3x^2 = 9x^2" in rules
    assert "The answer is **9x^2**, not 9^2" in rules
    partials = next(lesson for lesson in LESSONS if lesson.id == "partial-derivatives").markdown
    assert "∂f/∂x = 3·3x^2 − 0 + 5 + 0 = 9x^2 + 5" in partials


def write_lesson(tmp_path: Path, text: str, name: str = "my-lesson.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_lesson_format(tmp_path: Path) -> None:
    path = write_lesson(
        tmp_path,
        '+++\ntitle = "Mine"\ntopic = "gradient"\ndescend_demo = "gradtutor descend bowl '
        '--optimizer sgd --lr 0.1"\n+++\nSome text.\n',
    )
    lesson = load_lesson(path)
    assert (lesson.id, lesson.title, lesson.topic) == ("my-lesson", "Mine", "gradient")
    assert lesson.markdown == (
        "Some text.\n\n## Try it\n\n    gradtutor quiz --topic gradient\n"
        "    gradtutor descend bowl --optimizer sgd --lr 0.1\n"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no header\n", "must start with a +++ header"),
        ('+++\ntitle = "x"\n', "header is not closed"),
        ("+++\n+++\ntext\n", "needs a title"),
        ('+++\ntitle = "x"\ncolour = 1\n+++\ntext\n', "unknown header key(s): colour"),
        ('+++\ntitle = "x"\ndescend_demo = "rm -rf /"\n+++\ntext\n', "descend_demo must be"),
        ('+++\ntitle = "x"\n+++\n\n', "the lesson has no text"),
    ],
)
def test_bad_lessons_name_the_reason(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(LessonError) as info:
        load_lesson(write_lesson(tmp_path, text))
    assert reason in info.value.reason
    assert info.value.file.endswith("my-lesson.md")


def test_learn_lists_lessons_plainly_when_piped() -> None:
    result = runner.invoke(app, ["learn"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[0] == "neurons"
    assert "(quiz: chain-rule)" in lines[2]
    assert "\x1b[" not in result.stdout


def test_learn_piped_is_plain_text_not_raw_markdown() -> None:
    # regression: piped, the lesson was its raw Markdown (`**rate of change**`, `# Title`)
    result = runner.invoke(app, ["learn", "power-rule"])
    assert result.exit_code == 0
    title = "Derivative rules: constant, power, sum, product, quotient, exp, log, trig"
    lines = result.stdout.splitlines()
    assert lines[:3] == [title, "=" * len(title), ""]
    assert (
        "A derivative is a rate of change: how fast f(x) changes when x changes, written" in lines
    )
    assert lines[lines.index("The rules") + 1] == "---------"
    assert lines[-3:] == [
        ' gradtutor explain "d/dx(3x^3)"',
        "",
        "← previous: gradtutor learn neurons   next: gradtutor learn chain-rule →",
    ]
    assert "**" not in result.stdout and "`" not in result.stdout and "\n#" not in result.stdout
    assert "\x1b[" not in result.stdout
    assert all(line == line.rstrip() for line in lines)


def test_learn_by_lesson_id() -> None:
    result = runner.invoke(app, ["learn", "chain-rule"])
    assert result.exit_code == 0
    assert result.stdout.startswith("The chain rule\n==============\n\n")
    assert "= 960x^9" in result.stdout


def test_learn_renders_markdown_on_a_terminal_without_colour_under_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    result = runner.invoke(app, ["learn", "gradient"])
    assert result.exit_code == 0
    assert "# The gradient" not in result.stdout  # a rendered heading, not raw Markdown
    assert "\x1b[1;4mThe gradient\x1b[0m" in result.stdout
    assert re.search(r"\x1b\[[0-9;]*(3[0-9]|9[0-7])m", result.stdout) is None  # no colours


def test_learn_unknown_topic_suggests_and_exits_2() -> None:
    result = runner.invoke(app, ["learn", "chian-rule"])
    assert result.exit_code == 2
    assert result.stderr == (
        "gradtutor learn: no lesson for 'chian-rule'\n"
        "hint: did you mean chain-rule? Run `gradtutor learn` to list the lessons\n"
    )
    assert result.stdout == ""


def test_learn_help_shows_an_example() -> None:
    result = runner.invoke(app, ["learn", "--help"])
    assert result.exit_code == 0
    assert "gradtutor learn chain-rule" in result.stdout


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("loss-functions", "Loss functions: MSE and binary cross-entropy\n"),
        ("loss", "Loss functions: MSE and binary cross-entropy\n"),
        ("backprop", "Backpropagation\n"),
        ("backpropagation", "Backpropagation\n"),
        ("trig", "Derivative rules: constant, power, sum, product, quotient, exp, log, trig\n"),
        ("Backprop", "Backpropagation\n"),
    ],
)
def test_learn_accepts_a_lesson_id_or_a_quiz_topic_id(name: str, title: str) -> None:
    result = runner.invoke(app, ["learn", name])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(title)


def test_learn_list_shows_every_quiz_topic_of_a_lesson() -> None:
    result = runner.invoke(app, ["learn"])
    assert result.exit_code == 0
    rows = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert rows["loss"].endswith("  (quiz: loss-functions)")
    assert rows["backpropagation"].endswith("  (quiz: backprop)")
    assert rows["derivative-rules"].endswith(
        "  (quiz: power-rule, product-rule, quotient-rule, exp-log, trig)"
    )
    assert rows["neurons"] == (
        "neurons                Neurons, weights, biases and the forward pass  (quiz: neurons)"
    )


def test_learn_list_on_a_terminal_has_a_quiz_topics_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "160")
    result = runner.invoke(app, ["learn"])
    assert result.exit_code == 0
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert "quiz topics" in plain
    assert "power-rule, product-rule, quotient-rule, exp-log, trig" in plain
    assert plain.rstrip().endswith("Read one with: gradtutor learn LESSON (or a quiz topic id)")


@pytest.mark.parametrize(
    ("name", "suggestions"),
    [
        ("loss-func", "loss or loss-functions"),
        ("backpropogation", "backprop or backpropagation"),
        ("backprp", "backprop"),
        ("gradiant", "gradient"),
    ],
)
def test_learn_unknown_topic_suggests_lessons_and_quiz_topics(name: str, suggestions: str) -> None:
    result = runner.invoke(app, ["learn", name])
    assert result.exit_code == 2
    assert result.stderr == (
        f"gradtutor learn: no lesson for {name!r}\n"
        f"hint: did you mean {suggestions}? Run `gradtutor learn` to list the lessons\n"
    )


def test_chain_rule_lesson_names_the_parts_as_the_quiz_does() -> None:
    chain = next(lesson for lesson in LESSONS if lesson.id == "chain-rule").markdown
    # outer g(u), inner u(x), whole f(x) = g(u(x)): the names the chain exercises use
    assert "f(x) = g(u(x))" in chain
    assert "the **outer** function g(u) and the **inner** function u = u(x)" in chain
    assert "outer g(u) = 3u^5 at the inner u(x) = 2x^2" in chain
    assert "f(g(x))" not in chain
    assert "f(u)" not in chain


def test_lessons_and_hints_never_point_to_notes_a_learner_does_not_have() -> None:
    for lesson in LESSONS:
        assert "notes" not in lesson.markdown.lower(), lesson.id
    for template in load_catalogue().all_templates:
        for hint in template.hints:
            assert "notes" not in hint.lower(), template.id
    rules = next(lesson for lesson in LESSONS if lesson.id == "partial-derivatives").markdown
    assert "A common slip is to write `f'(x)` for a partial\nderivative" in rules


@pytest.mark.parametrize("columns", ["60", "80"])
def test_learn_list_never_cuts_a_lesson_or_topic_id_on_a_narrow_terminal(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    # At 60 columns the list showed "shapes-and-jacobia…" and "softmax-cross-entr…": ids a
    # learner has to type back were cut, and the title column had room to wrap instead.
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", columns)
    result = runner.invoke(app, ["learn"])
    assert result.exit_code == 0
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert "…" not in plain
    assert max(len(line) for line in plain.splitlines()) <= int(columns)
    first_words = [line.split()[0] for line in plain.splitlines() if line and line[0] != " "]
    for lesson_id in EXPECTED_IDS:
        assert lesson_id in first_words
    topic_words = re.findall(r"[a-z]+(?:-[a-z]+)+", plain)
    assert "vanishing-gradients" in topic_words
    assert "partial-derivatives" in topic_words
