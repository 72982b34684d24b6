"""`gradtutor check`: exit codes, the --json contract, batch grading, help and version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor import __version__
from gradtutor.cli.app import app

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input, env={"COLUMNS": "100"})
    return result.exit_code, result.stdout, result.stderr


def test_right_answer_exits_0_and_says_correct() -> None:
    code, out, _ = run("check", "d/dx(3x^3)", "9x^2")
    assert code == 0
    assert out.splitlines() == [
        "✓ correct",
        "  expected d/dx(3x³) = 9x²",
        "  answer   9x²   (as read)",
    ]


def test_wrong_answer_exits_1_with_counterexample_and_feedback() -> None:
    code, out, _ = run("check", "d/dx(3x^3)", "9^2")
    assert code == 1
    assert "✗ not equal" in out
    assert "  answer   9² = 81   (as read)" in out
    assert "at x = 2: expected 36, your answer 81" in out
    assert "your answer has no x in it — the derivative of 3x³ still depends on x" in out


def test_domain_dependent_exits_1() -> None:
    code, out, _ = run("check", "sqrt(x^2)", "x")
    assert code == 1
    assert "≈ equal only for positive values" in out


def test_invalid_input_exits_2_with_caret_and_hint() -> None:
    code, out, _ = run("check", "9x^2", "sinx")
    assert code == 2
    assert "in your answer: 'sinx' isn't a name gradtutor knows" in out
    assert "    sinx\n    ^\n" in out
    assert "hint: did you mean sin(x)?" in out


def test_time_limit_exits_3() -> None:
    code, out, _ = run(
        # (a task no other test computes, so sympy's cache can't make it fast)
        "check",
        "d^3/dx^3(sec(tan(sec(tan(sec(tan(x)))))))",
        "0",
        "--time-limit",
        "0.002",  # even with sympy's cache warm, this task takes longer than 2 ms
    )
    assert code == 3
    assert "? undetermined" in out


def test_json_contract_for_a_wrong_answer() -> None:
    code, out, _ = run("check", "d/dx(3x^3)", "9^2", "--json")
    assert code == 1
    data = json.loads(out)
    assert set(data) >= {
        "verdict",
        "expected",
        "answer",
        "counterexample",
        "feedback",
        "elapsed_ms",
    }
    assert data["verdict"] == "not_equivalent"
    assert data["expected"] == "d/dx(3*x^3)"
    assert data["answer"] == "9^2"  # as typed
    assert data["expected_value"] == "9*x^2"
    assert data["counterexample"] == {"point": {"x": 2}, "expected": 36, "answer": 81}
    assert {
        "kind": "lost_variable",
        "message": "your answer has no x in it — the derivative of 3x³ still depends on x",
    } in data["feedback"]
    assert all(set(f) <= {"kind", "message", "id"} for f in data["feedback"])
    assert isinstance(data["elapsed_ms"], float)
    assert "error" not in data


def test_json_contract_for_bad_input() -> None:
    code, out, _ = run("check", "x^", "x", "--json")
    assert code == 2
    data = json.loads(out)
    assert data["verdict"] == "invalid"
    assert data["error"] == {
        "message": "the exponent is missing",
        "column": 1,
        "side": "expected",
        "hint": "for example x^2",
    }
    assert data["counterexample"] is None


def test_json_expressions_read_back_through_check() -> None:
    _, out, _ = run("check", "∂/∂x(x^2 y + e^(2x))", "2xy + 2e^(2x)", "--json")
    data = json.loads(out)
    assert data["verdict"] == "equivalent"
    # every expression in the JSON is input language: it checks equal to itself
    for field in ("expected", "answer", "expected_value"):
        _, again, _ = run("check", data[field], data["expected_value"], "--json")
        assert json.loads(again)["verdict"] == "equivalent", field


BATCH = "d/dx(3x^3)\t9x^2\nd/dx(3x^3)\t9^2\n\n# a comment\nno tab here\nx^\tx\nsqrt(x^2)\tx\n"


def test_batch_from_stdin_one_object_per_line_in_order() -> None:
    code, out, _ = run("check", "--batch", "-", input=BATCH)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(o["line"], o["verdict"]) for o in lines] == [
        (1, "equivalent"),
        (2, "not_equivalent"),
        (5, "invalid"),
        (6, "invalid"),
        (7, "domain_dependent"),
    ]
    assert lines[2]["error"]["message"] == (
        "expected two columns separated by a tab: expected<TAB>answer"
    )
    assert code == 2  # the worst verdict: an invalid line


def test_batch_from_file_uses_worker_processes(tmp_path: Path) -> None:
    pairs = [f"d/dx(x^{n})\t{n}x^{n - 1}" for n in range(2, 14)] + ["d/dx(x^2)\t2"]
    source = tmp_path / "class.tsv"
    source.write_text("\n".join(pairs) + "\n", encoding="utf-8")
    code, out, _ = run("check", "--batch", str(source), "--workers", "2")
    verdicts = [json.loads(line)["verdict"] for line in out.splitlines()]
    assert verdicts == ["equivalent"] * 12 + ["not_equivalent"]
    assert code == 1


def test_batch_missing_file_exits_2() -> None:
    code, _, err = run("check", "--batch", "/nonexistent/file.tsv")
    assert code == 2
    assert "can't read /nonexistent/file.tsv" in err


def test_missing_answer_is_a_usage_error() -> None:
    code, _, err = run("check", "9x^2")
    assert code == 2
    assert "check needs two arguments" in err


def test_help_shows_examples_and_version() -> None:
    code, out, _ = run("check", "--help")
    assert code == 0
    assert 'gradtutor check "d/dx(3x^3)" "9x^2"' in out
    code, out, _ = run("--version")
    assert (code, out) == (0, f"gradtutor {__version__}\n")


def test_python_api() -> None:
    from gradtutor import check

    assert check("d/dx(x^2)", "2x").verdict == "equivalent"


@pytest.mark.slow
def test_python_m_gradtutor_and_help_import_neither_sympy_nor_numpy() -> None:
    code = (
        "import sys, runpy; sys.argv = ['gradtutor', '--help']\n"
        "try:\n    runpy.run_module('gradtutor', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('sympy' in sys.modules, 'numpy' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Usage" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "False False"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("__import__('os').system('touch pwned')", 2),
        ("\\frac{", 2),
        ("(" * 5000, 2),
        ("9^9^9^9", 2),
        ("100000!", 2),
        ("x\x1b[31m", 2),
        ("x\u200b", 0),  # a zero-width space copied from a web page is just a space
        ("\ufeffx", 0),  # so is a byte-order mark
    ],
)
def test_hostile_and_huge_input_through_the_real_cli_never_tracebacks(
    answer: str, code: int, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gradtutor", "check", "x", answer],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == code
    assert "Traceback" not in result.stdout + result.stderr
    assert "\x1b" not in result.stdout  # control characters are never echoed raw
    assert not (tmp_path / "pwned").exists()


def test_negative_answer_is_an_argument_not_an_option() -> None:
    code, out, _ = run("check", "d/dx(1/x)", "-1/x^2")
    assert code == 0
    assert out.startswith("✓ correct")


def test_batch_strips_a_byte_order_mark_and_carries_extra_columns() -> None:
    code, out, _ = run("check", "--batch", "-", input="\ufeffd/dx(x^2)\t2x\tstudent-7\n")
    assert code == 0
    data = json.loads(out)
    assert (data["line"], data["verdict"], data["extra"]) == (1, "equivalent", ["student-7"])


def test_gradient_checked_component_by_component() -> None:
    code, out, _ = run(
        "check", "grad(3x^3z - y^2 + 5z + 2yz)", "(9x^2z, -2y+2z, 3x^3 + 5)", "--json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "not_equivalent"
    assert [(c["label"], c["verdict"]) for c in data["components"]] == [
        ("∂/∂x", "equivalent"),
        ("∂/∂y", "equivalent"),
        ("∂/∂z", "not_equivalent"),
    ]
    assert data["expected_value"] == "(9*x^2*z, -2*y + 2*z, 3*x^3 + 2*y + 5)"
    assert {"kind": "missing_term", "message": "∂/∂z: you are missing the term 2y"} in data[
        "feedback"
    ]


@pytest.mark.parametrize(
    ("expected", "answer", "message"),
    [
        (
            "grad(x^2 y)",
            "2xy",
            "the expected answer is the gradient with 2 components; yours is a single expression",
        ),
        ("grad(x^2 y)", "(2xy, x^2, 0)", "the expected answer has 2 components, yours has 3"),
    ],
)
def test_vector_shape_mismatch(expected: str, answer: str, message: str) -> None:
    code, out, _ = run("check", expected, answer, "--json")
    assert code == 1
    assert json.loads(out)["feedback"] == [{"kind": "shape", "message": message}]


def test_vector_that_is_right() -> None:
    code, out, _ = run("check", "grad(x^2 y)", "[2xy, x^2]")
    assert code == 0
    assert out.splitlines()[1] == "  expected ∇(x²y) over (x, y) = (2xy, x²)"


def test_counterexample_beyond_a_double_is_shown_not_crashed() -> None:
    code, out, _ = run("check", "1000!", "x")
    assert code == 1
    assert "at x = 2: expected 4.02387260077e+2567, your answer 2" in out


def test_batch_line_that_is_not_utf8_is_its_own_invalid_line(tmp_path: Path) -> None:
    source = tmp_path / "class.tsv"
    source.write_bytes(b"d/dx(x^2)\t2x\nx\t\xff\xfe\n2x\t2x\n")
    code, out, _ = run("check", "--batch", str(source))
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == [
        "equivalent",
        "invalid",
        "equivalent",
    ]
    assert code == 2


# -- vectors: regressions from the second red-team pass -----------------------------------


def test_gradient_variables_in_natural_order() -> None:
    code, _, _ = run("check", "grad(x1^2 + x2^2 + x10^2)", "(2x1, 2x2, 2x10)")
    assert code == 0


def test_swapped_gradient_components_are_named_as_such() -> None:
    code, out, _ = run("check", "grad((3w+b-2)^2)", "(6(3w+b-2), 2(3w+b-2))", "--json")
    assert code == 1
    assert json.loads(out)["feedback"][0] == {
        "kind": "order",
        "message": "your components are right but in another order: the gradient is taken "
        "over (b, w) in that order; write grad(f, …) with the variables in the order you want",
    }
    code, _, _ = run("check", "grad((3w+b-2)^2, w, b)", "(6(3w+b-2), 2(3w+b-2))")
    assert code == 0


@pytest.mark.parametrize("answer", ["2x", "(2x)", "[2x]"])
def test_one_variable_gradient_is_a_number(answer: str) -> None:
    code, _, _ = run("check", "grad(x^2)", answer)
    assert code == 0


@pytest.mark.parametrize(
    ("expected", "answer", "side", "column", "message"),
    [
        ("grad(,x)", "1", "expected", 5, "grad() needs a function: grad(x^2 y)"),
        ("(sinx, y)", "1", "expected", 1, "'sinx' isn't a name gradtutor knows"),
        ("(1, 2)", "(2xy, sinx)", "answer", 6, "'sinx' isn't a name gradtutor knows"),
        ("grad(xy, x, x)", "1", "expected", 5, "grad(f, x, y) names a variable twice"),
        ("[max(0,x), [1,2]]", "1", "expected", 11, "a vector inside a vector isn't supported"),
    ],
)
def test_bad_vectors_are_invalid_with_the_column_in_the_whole_text(
    expected: str, answer: str, side: str, column: int, message: str
) -> None:
    code, out, _ = run("check", expected, answer, "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert (error["side"], error["column"], error["message"]) == (side, column, message)


@pytest.mark.parametrize(
    "answer", ["\\left(2xy, x^2\\right)", "\\left[2xy, x^2\\right]", "{2xy, x^2}"]
)
def test_latex_and_brace_vectors(answer: str) -> None:
    code, _, _ = run("check", "grad(x^2 y)", answer)
    assert code == 0


# Five nested 20th derivatives of x^x: about a minute of work, so out of time under any limit.
NEVER_IN_TIME = "d^20/dx^20(d^20/dx^20(d^20/dx^20(d^20/dx^20(d^20/dx^20(x^x)))))"


def test_wrong_component_outranks_a_slow_one_and_supplies_the_counterexample() -> None:
    """The engine's own limit of 1 s, in a worker with a minute of room, so the slow
    component surely runs out of time and nothing else can. Through the CLI the worker's
    hard limit fell 0.1 s after the engine's and, on a loaded machine, killed it first,
    making the whole vector undetermined (5 runs in 12 beside two CPU-bound processes);
    and the third derivative of a sec/tan tower used then took 0.5 s, so on a quiet
    machine nothing ran out of time at all. (Not in this process: an alarm landing in a
    garbage-collection callback is "unraisable", and pytest's hook for those failed the
    test when the alarm fired again inside it.)"""
    from functools import partial

    from gradtutor.calculus import worker
    from gradtutor.calculus.equivalence import check

    engine = partial(check, time_limit=1)
    result = worker.run(engine, f"(x+1, {NEVER_IN_TIME})", "(x, 0)", time_limit=60)
    data = result.to_json()
    assert data["verdict"] == "not_equivalent"
    assert [(c["verdict"], c["feedback"][0]["kind"]) for c in data["components"]] == [
        ("not_equivalent", "missing_term"),
        ("undetermined", "time_limit"),
    ]
    assert data["counterexample"]["point"] == {"x": 2}
    assert (data["counterexample"]["expected"], data["counterexample"]["answer"]) == (3, 2)


def test_a_component_out_of_time_names_the_limit_not_the_time_that_was_left() -> None:
    # it said "could not decide within 0.750681 s": the remainder, not any limit one set
    from functools import partial

    from gradtutor.calculus import worker
    from gradtutor.calculus.equivalence import check

    engine = partial(check, time_limit=1)
    result = worker.run(engine, f"(x, {NEVER_IN_TIME})", "(x, 0)", time_limit=60)
    slow = result.to_json()["components"][1]
    assert slow["verdict"] == "undetermined"
    assert slow["feedback"] == [
        {
            "kind": "time_limit",
            "message": "gradtutor could not decide this component within the time limit "
            "(which covers the whole vector); this says nothing about whether it is right",
        }
    ]


def test_time_limit_covers_the_whole_vector() -> None:
    # how long this takes is measured in benchmarks/bench_limits.py, not asserted here
    variables = " + ".join(f"sin(x{i})^3" for i in range(60))
    # The limit covers the whole work, reading the 60 partial derivatives included.
    code, _, _ = run("check", f"grad({variables})", "(0, 0)", "--time-limit", "10")
    assert code == 1  # wrong shape
    code, _, _ = run(
        "check",
        f"grad({variables})",
        "(" + ", ".join("0" for _ in range(60)) + ")",
        "--time-limit",
        "0.3",
    )
    assert code in (1, 3)


def test_vector_longer_than_the_input_limit_is_invalid() -> None:
    long = "(" + ", ".join("sin(x)^2 + cos(x)^2" for _ in range(100)) + ")"
    code, out, _ = run("check", long, long, "--json")
    assert code == 2
    assert "characters long" in json.loads(out)["error"]["message"]


def test_a_check_that_timed_out_while_reading_prints_no_empty_as_read_rows() -> None:
    # `check "sin(x)^2+cos(x)^2" "1" --time-limit 0.001` printed "expected " and
    # "answer      (as read)" with nothing after them: nothing had been read.
    import io

    from rich.console import Console

    from gradtutor.calculus.results import CheckResult, Feedback, Verdict
    from gradtutor.render.check import render_check

    result = CheckResult(
        verdict=Verdict.UNDETERMINED,
        feedback=(Feedback("time_limit", "reading the input took too long"),),
    )
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(render_check(result))
    assert out.getvalue().splitlines() == [
        "? undetermined",
        "  • reading the input took too long",
    ]


def test_render_check_shows_the_display_forms_the_result_carries() -> None:
    # render_check parsed expected_value and simplest again to show them; the engine now
    # makes those forms where it has the maths, and render only formats (plain if none)
    import io
    from dataclasses import replace

    from rich.console import Console

    from gradtutor.calculus.equivalence import check
    from gradtutor.calculus.results import CheckResult, Verdict
    from gradtutor.render.check import render_check

    result = check("d/dx(x^3)", "3x^2 (sin(x)^2 + cos(x)^2)", time_limit=None)
    assert (result.expected_value, result.expected_value_shown) == ("3*x^2", "3x²")
    assert (result.simplest, result.simplest_shown) == ("3*x^2", "3x²")
    assert "expected_value_shown" not in result.to_json()  # not part of the JSON contract

    def lines(result: CheckResult) -> list[str]:
        out = io.StringIO()
        Console(file=out, width=80, color_system=None).print(render_check(result))
        return out.getvalue().splitlines()

    made = CheckResult(
        verdict=Verdict.EQUIVALENT,
        expected_read_as="d/dx(x³)",
        read_as="3x²",
        expected_value="3*x^2",
        derivative_mode=True,
        simplest="3*x^2",
    )
    assert lines(made) == [
        "✓ correct",
        "  expected d/dx(x³) = 3*x^2",
        "  answer   3x²   (as read)",
        "  • a simpler form: 3*x^2",
    ]
    assert lines(replace(made, expected_value_shown="3x²", simplest_shown="3x²")) == [
        "✓ correct",
        "  expected d/dx(x³) = 3x²",
        "  answer   3x²   (as read)",
        "  • a simpler form: 3x²",
    ]
