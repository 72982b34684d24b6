"""Quiz usability: retries with new numbers, the summary, the difficulty label, and a
multi-part question answered on one line. In-process, with a scripted reader."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gradtutor.cli.exit_codes import ExitCode
from gradtutor.cli.quiz import QuizRunner
from gradtutor.render import quiz as view
from gradtutor.render.console import make_console
from gradtutor.tutor import session
from gradtutor.tutor.packs import generate, load_catalogue
from gradtutor.tutor.store import open_store

FIXED = Path(__file__).resolve().parent / "data" / "quiz_pack.toml"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# Two exponents only: consecutive seeds often draw the same one (x⁵ twice).
DRAWN = """\
format_version = 1
pack = "quiz-drawn"
version = "0.1.0"
title = "Drawn numbers"

[[topic]]
id = "drawn"
title = "Drawn powers"
prerequisites = []

[[exercise]]
id = "drawn.power"
topic = "drawn"
difficulty = 1
kind = "derivative"
f = "x^{n}"
params = { n = "4..5" }
hints = ["Power rule."]

[[exercise]]
id = "drawn.harder"
topic = "drawn"
difficulty = 2
kind = "derivative"
f = "{a}x^{n}"
params = { a = "2..3", n = "6..7" }
hints = ["Constant multiple, then the power rule."]
"""


class ScriptedReader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def read(self, prompt: str) -> str:
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


@pytest.fixture
def drawn(tmp_path: Path) -> Path:
    path = tmp_path / "drawn.toml"
    path.write_text(DRAWN, encoding="utf-8")
    return path


def quiz(
    answers: list[str], *, pack: Path, width: int = 100, **options: object
) -> tuple[ExitCode, list[dict], str]:
    out, records = io.StringIO(), io.StringIO()
    runner = QuizRunner(
        console=make_console(file=out, width=width),
        json_out=records,
        clock=lambda: T0,
        reader=ScriptedReader(answers),
    )
    settings: dict[str, object] = {"topic": None, "count": 5, "seed": 1, "review": False}
    settings.update(options)
    code = runner.run(packs=(pack,), **settings)  # type: ignore[arg-type]
    return code, [json.loads(line) for line in records.getvalue().splitlines()], out.getvalue()


# -- 1. a retry draws numbers unlike the missed ones -----------------------------------------


def test_a_retry_never_repeats_the_missed_question(drawn: Path) -> None:
    template = load_catalogue([drawn]).template("drawn.power")
    prompt = {seed: generate(template, seed).prompt for seed in range(1, 200)}
    # A seed whose next seed draws the very same question (the bug: x⁵ twice).
    first = next(s for s in range(1, 150) if prompt[s] == prompt[s + 1])
    retry_seed = next(s for s in range(first + 1, first + 20) if prompt[s] != prompt[first])

    code, records, text = quiz(["steps", "skip"], pack=drawn, topic="drawn", count=2, seed=first)

    assert code == ExitCode.WRONG
    assert [(r["id"], r["verdict"]) for r in records] == [
        ("drawn.power", "shown"),
        ("drawn.power", "skipped"),
    ]
    assert [r["seed"] for r in records] == [first, retry_seed]
    assert records[1]["prompt"] == prompt[retry_seed] != records[0]["prompt"]
    assert "Same skill, new numbers." in text


# -- 2. the summary shows the questions, not template ids ------------------------------------


def test_the_summary_lists_the_questions_not_template_ids() -> None:
    code, records, text = quiz(["9x^2"], pack=FIXED, topic="quiz-power", count=1)
    assert code == ExitCode.OK and records[0]["id"] == "quiztest.cube"  # the id: in --json
    summary = text[text.index("Summary") :]
    assert "│ ✓ right first time   0.0s  Differentiate f(x) = 3x³ with respect to x." in summary
    assert "quiztest" not in text


def test_a_long_question_is_shortened_in_the_summary() -> None:
    prompt = "Find the gradient ∇f of f(x, y) = 2x^3 - y^2 + 5x + 2: give ∂f/∂x, ∂f/∂y."
    assert view.short_prompt(prompt) == "Find the gradient ∇f of f(x, y) = 2x³ - y² + 5x…"
    assert len(view.short_prompt(prompt)) == view.SUMMARY_PROMPT_WIDTH
    assert view.short_prompt("Differentiate\n  f(x) = x^3.") == "Differentiate f(x) = x³."


# -- 3. the header labels the difficulty, and it is the question's ----------------------------


def test_the_header_labels_the_difficulty_of_each_question(drawn: Path) -> None:
    # A clean answer climbs the staircase: the second question is the difficulty-2 one.
    template = load_catalogue([drawn]).template("drawn.power")
    n = generate(template, 1).values["n"]
    _, records, text = quiz([f"{n}x^{int(n) - 1}"], pack=drawn, topic="drawn", count=2)
    assert [(r["id"], r["difficulty"]) for r in records] == [("drawn.power", 1)]
    headers = [line for line in text.splitlines() if "Question" in line]
    assert headers[0].startswith("╭─ Question 1 of 2  Drawn powers  difficulty ●○○○○ ─")
    assert headers[1].startswith("╭─ Question 2 of 2  Drawn powers  difficulty ●●○○○ ─")
    panel = view.question_view(
        number=1, total=None, prompt="p", topic_title="t", difficulty=4, reason=""
    )
    assert "difficulty ●●●●○" in _plain(panel)


# -- 4. a multi-part question answered on one line -------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "(2xy, x^2)",
        "2xy, x^2",
        "[2*x*y, x^2]",
        r"\left(2xy, x^2\right)",
        r"\left[2xy,\, x^{2}\right]",
        r"$(2xy, x^2)$",
    ],
)
def test_a_gradient_answered_as_one_vector_is_checked_part_by_part(line: str) -> None:
    code, records, text = quiz([line], pack=FIXED, topic="quiz-partials", count=1, seed=3)
    assert code == ExitCode.OK
    (record,) = records
    assert (record["verdict"], record["attempts"]) == ("correct", 1)  # one line: one attempt
    pieces = session.components(line)
    assert [p["answers"][0]["answer"] for p in record["parts"]] == pieces
    assert [p["verdict"] for p in record["parts"]] == ["correct", "correct"]
    assert "unexpected ','" not in text
    assert text.count("✓ Right.") == 2
    assert "∂f/∂x ✓, ∂f/∂y ✓." in text


@pytest.mark.parametrize("again", ["(2xy, x^2)", "2xy"])
def test_a_wrong_first_component_still_checks_the_rest(home: Path, again: str) -> None:
    code, records, text = quiz(
        ["(2x, x^2)", again], pack=FIXED, topic="quiz-partials", count=1, seed=3
    )
    assert code == ExitCode.OK
    (record,) = records
    # The right ∂f/∂y is kept; the second line answers ∂f/∂x only (a repeated x^2 is
    # passed over).
    assert [[a["answer"] for a in p["answers"]] for p in record["parts"]] == [
        ["2x", "2xy"],
        ["x^2"],
    ]
    assert record["answers"] == ["2x", "x^2", "2xy"]
    assert record["attempts"] == 2
    assert "∂f/∂x ✗, ∂f/∂y ✓. Answer ∂f/∂x again." in text
    assert text.count("✓ Right.") == 2
    with open_store(home / "progress.sqlite3") as store:
        (row,) = store.attempts()
    # The store keeps one try per judged answer (what the review rating counts).
    assert (row.outcome, row.tries) == ("correct", 3)


def test_two_wrong_components_are_both_asked_again() -> None:
    code, records, text = quiz(
        ["(2x, 2y)", "(2xy, x^2)"], pack=FIXED, topic="quiz-partials", count=1, seed=3
    )
    assert code == ExitCode.OK
    (record,) = records
    assert record["answers"] == ["2x", "2y", "2xy", "x^2"]
    assert (record["attempts"], record["verdict"]) == (2, "correct")
    assert "∂f/∂x ✗, ∂f/∂y ✗. Still to answer: ∂f/∂x, ∂f/∂y (one at a time, or together as" in (
        " ".join(text.split())
    )


def test_an_unreadable_component_is_not_a_try_and_is_asked_again() -> None:
    code, records, text = quiz(
        ["(2xy, x^^2)", "x^2"], pack=FIXED, topic="quiz-partials", count=1, seed=3
    )
    assert code == ExitCode.OK
    (record,) = records
    assert [[a["verdict"] for a in p["answers"]] for p in record["parts"]] == [
        ["equivalent"],
        ["invalid", "equivalent"],
    ]
    assert record["attempts"] == 2
    assert "∂f/∂x ✓, ∂f/∂y ? (not read). Answer ∂f/∂y again." in text


def test_a_vector_with_the_wrong_number_of_parts_is_explained_not_counted() -> None:
    code, records, text = quiz(["(7, 5, 1)"], pack=FIXED, topic="quiz-partials", count=1)
    message = "This question has 2 parts; answer them one at a time, or all at once as (a, b)."
    assert message in " ".join(text.split())
    assert records == []  # not a try: the question was left untouched
    assert code == ExitCode.OK


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("(7, 5)", ["7", "5"]),
        ("[7,5]", ["7", "5"]),
        ("7, 5", ["7", "5"]),
        ("(2x*y, log(x, 2))", ["2x*y", "log(x, 2)"]),
        (r"\left(2x, 3y\right)", ["2x", "3y"]),
        (r"\left[2xy, x^2\right]", ["2xy", "x^2"]),
        (r"\left(\frac{1}{x}, 2\right)", ["((1)/(x))", "2"]),
        (r"$2x, 3y$", ["2x", "3y"]),
        (r"\frac{1}{2}\,x", None),  # a thin space is no comma
        (r"\left(2x, \bogus\right)", None),  # unreadable LaTeX: one answer, reported as such
        ("max(0, x)", None),  # one answer: its comma is inside brackets
        ("(max(0, x))", None),
        ("7", None),
    ],
)
def test_components_of_a_one_line_answer(text: str, pieces: list[str] | None) -> None:
    assert session.components(text) == pieces


def test_spread_fits_the_pieces_to_the_parts_still_open() -> None:
    exercise = generate(load_catalogue([FIXED]).template("quiztest.grad"), 1)
    state = session.ask(exercise, now_ms=0)
    assert session.spread(state, ["a", "b"]) == [(0, "a"), (1, "b")]
    assert session.spread(state, ["a", "b", "c"]) is None
    state, _ = session.judge(state, "2xy", _Right(), now_ms=0)
    assert session.spread(state, ["a", "b"]) == [(1, "b")]  # the first part is done
    assert session.spread(state, ["b"]) == [(1, "b")]
    # The second part done first (a one-line answer): the first is the one left.
    state = session.ask(exercise, now_ms=0)
    state, _ = session.judge(state, "x^2", _Right(), now_ms=0, part_index=1)
    assert state.part_index == 0 and state.open_parts == (0,)
    assert session.spread(state, ["a", "b"]) == [(0, "a")]
    assert session.spread(state, ["a"]) == [(0, "a")]
    assert view.parts_view(3).plain == (
        "This question has 3 parts; answer them one at a time, or all at once as (a, b, c)."
    )


def _plain(renderable: object) -> str:
    out = io.StringIO()
    make_console(file=out, width=80).print(renderable)
    return out.getvalue()


class _Right:
    verdict = "equivalent"
    feedback = ()
