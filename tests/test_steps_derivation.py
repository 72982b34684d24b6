"""Line-by-line checking: statuses, the first wrong line, diagnoses, the JSON contract, the CLI."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from gradtutor.calculus.derivation import DerivationChecker, read_task, split_terms
from gradtutor.cli.app import app

NOTES_PARTIAL = """\
# the notes: f(x,y) differentiated in x
f(x,y) = 3x^3 - y^2 + 5x + 2
f'(x) = 3*x'(x^3) - x'(y^2) + 5*x'(x) + 2
= 3*3*x^2 - 2*0^1 + 5*1 + 0
= 9^2 - 0 + 5 + 0
= 9^2
"""


def _run(task: str, *lines: str):  # type: ignore[no-untyped-def]
    checker = DerivationChecker(read_task(task, first_line=lines[0] if lines else None))
    for line in lines:
        checker.check_line(line)
    return checker.report()


def test_steps_notes_x_replaced_by_one() -> None:
    report = _run("d/dx(3x^3)", "= 3*3x^2 + x'(3)*x^3", "= 3*3*1^2 + 0*x^3", "= 9^2")
    assert [c.status for c in report.lines] == ["ok", "wrong", "wrong"]
    assert report.first_wrong_line == 1
    wrong = report.lines[1]
    assert wrong.misconception == "dropped_variable"
    assert wrong.change.sentence() == "the term 3·3x² became 3·3·1²"
    assert wrong.counterexample.point == {"x": 2}
    assert (wrong.counterexample.answer, wrong.counterexample.expected) == (9, 36)
    assert wrong.should_be == "9x² + 0x³"
    last = report.lines[2]
    assert last.follows_from is None and last.misconception is None  # a new mistake, no cause
    assert last.message.startswith("wrong, and a new mistake: it does not follow from line 2")


def test_steps_notes_partial_derivative() -> None:
    lines = [ln for ln in NOTES_PARTIAL.splitlines()[2:]]
    report = _run(NOTES_PARTIAL.splitlines()[1], *lines)
    assert str(report.variable) == "x"
    # line 2, 3*3*x^2 - 2*0^1 + 5*1 + 0, is right by value but puts 0 in for a variable
    assert [c.status for c in report.lines] == ["wrong", "wrong", "wrong", "wrong"]
    assert [c.misconception for c in report.lines] == [
        "constant_not_zero",
        "substituted_value",
        "dropped_variable",
        None,
    ]
    assert report.lines[3].change.sentence() == "the term 5 disappeared"


def test_steps_all_right_notes_partial_in_y() -> None:
    report = _run(
        "f(x,y) = 3x^3 - y^2 + 5x + 2",
        "f'(y) = 3*y'(x^3) - y'(y^2) + 5*y'(x) + 0",
        "= 3*3x^2*0 - 2y + 0 + 0",
        "= -2y",
    )
    assert str(report.variable) == "y"
    assert report.all_ok and report.first_wrong_line is None


def test_steps_wrong_line_carried_forward() -> None:
    report = _run("d/dx(x^3 + x)", "= 3x^3 + 1", "= 1 + 3x^3", "= 3x^2 + 1")
    assert [c.status for c in report.lines] == ["wrong", "wrong", "ok"]
    assert report.lines[0].misconception == "power_exponent_not_reduced"
    assert report.lines[1].follows_from == 0
    assert report.lines[2].message == "right again"


def test_steps_arithmetic_slip_after_a_right_line() -> None:
    report = _run("d/dx(x^2 + 3x)", "= 2x + 3", "= 2x + 4")
    assert report.lines[1].misconception == "arithmetic_slip"
    assert report.lines[1].change.sentence() == "the term 3 became 4"
    assert report.lines[1].should_be == "2x + 3"


def test_steps_rule_misapplied_in_a_line_with_operators() -> None:
    report = _run("∂/∂x(x^2 y^3)", "= y^3 * d/dx(x^2)", "= 2x y^3 + 3x^2 y^2")
    assert report.lines[0].status == "ok"
    assert report.lines[1].misconception == "partial_other_var_not_constant"


def test_steps_no_match_names_no_cause() -> None:
    report = _run("d/dx(sin(x^2))", "= 7x")
    (line,) = report.lines
    assert line.status == "wrong" and line.misconception is None and line.diagnosis is None
    assert line.should_be == "2x·cos(x²)"


def test_steps_invalid_line_has_caret_and_later_lines_judged() -> None:
    report = _run("d/dx(x^2)", "= 2x +", "= 2x")
    assert [c.status for c in report.lines] == ["invalid", "ok"]
    assert report.lines[0].caret.endswith("^")
    assert (report.first_wrong_line, report.first_problem_line) == (None, 0)
    assert not report.all_ok


def test_steps_json_contract() -> None:
    data = _run("d/dx(3x^3)", "= 9x^2", "= 9^2").to_json()
    assert data["task"] == "d/dx(3x^3)"
    assert data["derivative"] == "9*x^2"
    assert data["first_wrong_line"] == 1
    assert [(ln["text"], ln["status"], ln["misconception"]) for ln in data["lines"]] == [
        ("= 9x^2", "ok", None),
        ("= 9^2", "wrong", "dropped_variable"),
    ]
    assert data["lines"][0]["message"] == "right"
    assert data["lines"][1]["hints"][1].startswith("d/dx xⁿ = n·xⁿ⁻¹")
    # expressions in the JSON are in the input language, so they read back through check
    assert data["lines"][1]["change"] == {"before": "9x^2", "after": "9^2"}
    assert data["lines"][1]["should_be"] == "9*x^2"


def test_steps_split_terms_keeps_signs_and_brackets() -> None:
    assert split_terms("f'(x) = 3*x'(x^3) - x'(y^2) + 5*(x - 1) + 2") == [
        "3*x'(x^3)",
        "- x'(y^2)",
        "+ 5*(x - 1)",
        "+ 2",
    ]
    assert split_terms("= -2x^-1 + 3") == ["-2x^-1", "+ 3"]


runner = CliRunner()


def test_steps_cli_file_exit_status_and_output(tmp_path) -> None:  # type: ignore[no-untyped-def]
    work = tmp_path / "work.txt"
    work.write_text(NOTES_PARTIAL, encoding="utf-8")
    result = runner.invoke(app, ["steps", str(work)], env={"COLUMNS": "100"})
    assert result.exit_code == 1
    out = result.stdout
    assert "task: ∂/∂x (3x³ − y² + 5x + 2)    y is held constant" in out  # as typed
    assert "  3 ✗ = 9^2 - 0 + 5 + 0" in out
    assert "the term 3·3x² became 9²" in out
    assert "first problem at line 1; the derivative is 9x² + 5" in out


def test_steps_cli_stdin_json_all_right() -> None:
    result = runner.invoke(app, ["steps", "-", "--json"], input="d/dx(3x^3)\n= 3*3x^2\n= 9x^2\n")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["first_wrong_line"] is None
    assert [ln["status"] for ln in data["lines"]] == ["ok", "ok"]


def test_steps_cli_invalid_task_line_exits_2_with_caret() -> None:
    result = runner.invoke(app, ["steps", "-"], input="d/dx(3x^^3)\n= 9x^2\n")
    assert result.exit_code == 2
    assert "can't read the task line" in result.stderr
    assert "^" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_steps_a_task_typed_where_the_file_goes_gets_the_task_option() -> None:
    result = runner.invoke(app, ["steps", "d/dx(x^2)"])
    assert result.exit_code == 2
    assert result.stderr == (
        "gradtutor steps: can't read d/dx(x^2): [Errno 2] No such file or directory: "
        "'d/dx(x^2)'\n"
        "hint: a task goes in --task: gradtutor steps --task 'd/dx(x^2)'\n"
    )


@pytest.mark.parametrize(
    ("task", "message", "hint"),
    [
        (None, "no task was typed, so there is nothing to check", "e.g. d/dx(3x^3)"),
        (
            "d/dx(3x^3)",
            "no line was typed, so there is nothing to check",
            "type the first line of your working at 1>",
        ),
    ],
)
def test_steps_interactive_end_of_input_before_a_line_says_why_it_exits_2(
    monkeypatch: pytest.MonkeyPatch, task: str | None, message: str, hint: str
) -> None:
    # Ctrl-D at "task>" (or at "1>" after --task) once exited 2 with no word
    import io

    from gradtutor.cli import steps
    from gradtutor.errors import GradtutorError
    from gradtutor.render.console import make_console

    def end_of_input(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr(steps, "_line_reader", lambda: end_of_input)
    with pytest.raises(GradtutorError) as caught:  # the command reports it
        steps._interactive(make_console(file=io.StringIO()), task, None, 5.0)
    error = caught.value
    assert (error.message, error.hint, error.exit_code) == (message, hint, 2)


def test_steps_cli_task_option_and_unclear_variable() -> None:
    ok = runner.invoke(app, ["steps", "-", "--task", "d/dx(x^2)"], input="= 2x\n")
    assert ok.exit_code == 0
    unclear = runner.invoke(app, ["steps", "-"], input="x^2 y\n= 2xy\n")
    assert unclear.exit_code == 2
    assert "with respect to which variable?" in unclear.stderr


@pytest.mark.slow
def test_steps_interactive_checks_each_line_as_typed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sys

    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "steps"],
        env={
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "PATH": "/usr/bin:/bin",
            "TERM": "dumb",
            "GRADTUTOR_HOME": os.environ["GRADTUTOR_HOME"],  # the test's own, never the real one
        },
        encoding="utf-8",
        timeout=20,
    )
    child.expect("task> ")
    child.sendline("d/dx(3x^3)")
    child.expect("1> ")
    child.sendline("= 3*3x^2")
    child.expect("✓ = 3\\*3x\\^2    right")  # judged before the next line is asked for
    child.expect("2> ")
    child.sendline("= 9^2")
    child.expect("variable dropped")
    child.expect("3> ")
    child.sendline("")
    child.expect("first problem at line 2; the derivative is 9x²")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1


def test_steps_power_of_product_expanded_wrongly_is_named_at_its_line() -> None:
    # the notes' own step: 15*(2x^2)^4*4x expanded with the 2 not raised to the 4th power
    report = _run("d/dx(3(2x^2)^5)", "= 3*5*(2x^2)^4 * 2*2*x", "= 15*2x^8*4x")
    assert [c.status for c in report.lines] == ["ok", "wrong"]
    assert report.lines[1].misconception == "power_of_product_not_distributed"
    assert "You wrote (2x²)⁴ as 2x⁸" in report.lines[1].message


def test_steps_substituted_value_flagged_though_the_value_is_right() -> None:
    # the notes, ∂/∂y: x set to 0 to make 3*3x^2 vanish gives -2y, the right value by luck
    report = _run(
        "f(x,y) = 3x^3 - y^2 + 5x + 2",
        "f'(y) = 3*y'(x^3) - y'(y^2) + 5*y'(x) + 0",
        "= 3*3x^2 - 2y + 0 + 0",
        "= 3*3*0^2 - 2y + 0 + 0",
        "= 0 - 2y + 0 + 0",
    )
    assert [c.status for c in report.lines] == ["ok", "wrong", "wrong", "ok"]
    flagged = report.lines[2]
    assert flagged.misconception == "substituted_value"
    assert flagged.diagnosis.question == (
        "x was replaced by 0: 0² stands where x² was. Substitute numbers only after "
        "differentiating: the derivative must hold for every value of x. In ∂/∂y, x is held "
        "constant — a constant, not 0 or 1, so it stays x."
    )
    assert flagged.message.endswith("(the value happens to be right here, the step is not)")
    assert report.lines[3].message == "right again"


def test_steps_substituted_value_one_to_the_zero() -> None:
    # the notes: 2x + 3y^2 in x, with 1*2*1^0 + 2*3*0^1 (value 2, the right one)
    # (the message once wrote "0¹ and 1^0": one power in superscript, the other not)
    report = _run("f(x) = 2x + 3y^2", "f'(x) = 2*x'(x) + 3*x'(y^2)", "= 1*2*1^0 + 2*3*0^1", "= 2")
    assert [c.status for c in report.lines] == ["ok", "wrong", "ok"]
    assert report.lines[1].misconception == "substituted_value"
    assert report.lines[1].diagnosis.question.startswith(
        "0¹ and 1⁰ are numbers where powers of variables should be."
    )


def test_steps_substituted_value_names_a_wrong_line_no_twin_explains() -> None:
    # 3x^2 → 3*2^2: x put in as 2 (value wrong; no rule's twin gives 12)
    report = _run("d/dx(x^3)", "= 3x^2", "= 3*2^2")
    assert report.lines[1].misconception == "substituted_value"
    assert report.lines[1].diagnosis.question.startswith("x was replaced by 2: 2² stands where x²")


def test_steps_right_constants_are_not_substitutions() -> None:
    # powers of numbers that were numbers already are arithmetic, not substitution
    report = _run("d/dx(3(2x^2)^5)", "= 3*5*(2x^2)^4*4x", "= 15*2^4*x^8*4x", "= 960x^9")
    assert report.all_ok


def test_steps_prime_notation_for_a_partial_gets_a_note_once() -> None:
    report = _run("f(x,y) = x*y", "f'(x) = y * x'(x)", "= y * 1", "= y")
    assert report.all_ok
    assert report.lines[0].notes == (
        "notation: f'(x) is an ordinary derivative, and f has other variables: this is the "
        "partial derivative ∂f/∂x (also written f_x)",
    )
    assert [c.notes for c in report.lines[1:]] == [(), ()]
    assert report.lines[0].to_json()["notes"] == list(report.lines[0].notes)
    # one variable: f'(x) is the right notation, no note
    assert _run("f(x) = x^2", "f'(x) = 2x").lines[0].notes == ()


def test_a_power_zero_is_printed_in_superscript_like_every_other_whole_power() -> None:
    import sympy

    from gradtutor.calculus.printing import plain, pretty

    x = sympy.Symbol("x")
    assert pretty(sympy.Pow(sympy.Integer(1), sympy.Integer(0), evaluate=False)) == "1⁰"
    assert pretty(sympy.Pow(x + 1, sympy.Integer(0), evaluate=False)) == "(x + 1)⁰"
    assert plain(sympy.Pow(sympy.Integer(1), sympy.Integer(0), evaluate=False)) == "1^0"


@pytest.mark.slow
def test_steps_interactive_an_empty_task_says_why_it_exits_2() -> None:
    # Enter at "task>" (the banner says an empty line ends) once exited 2 with no word.
    import sys

    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "gradtutor", "steps"],
        env={
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "PATH": "/usr/bin:/bin",
            "TERM": "dumb",
            "GRADTUTOR_HOME": os.environ["GRADTUTOR_HOME"],
        },
        encoding="utf-8",
        timeout=20,
    )
    child.expect("task> ")
    child.sendline("")
    child.expect("gradtutor steps: no task was typed, so there is nothing to check")
    child.expect("hint: e.g. d/dx\\(3x\\^3\\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
