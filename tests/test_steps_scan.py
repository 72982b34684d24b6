"""`steps --scan`: a page of notes proofread (issue 10 item 19).

The learner's own notes (tests/data/notes_000_2aca149b68c9a9b0.txt, a copy of the seed): every
derivation found, every slip reported at its line, nothing right flagged. Each verdict below
was worked by hand and is checked again by value against sympy.diff in
``test_scan_notes_verdicts_agree_with_sympy``.
"""

from __future__ import annotations

import json
from pathlib import Path

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gradtutor.calculus.scan import find_derivations, scan_text
from gradtutor.cli.app import app

NOTES = Path(__file__).resolve().parent / "data" / "notes_000_2aca149b68c9a9b0.txt"

# file line → (status, misconception). By hand:
EXPECTED = {
    19: ("skipped", None),  # f=(fg) -> fg'+f'g: the product rule in f and g, no one variable
    21: ("ok", None),  # 3*3x^2 + x'(3)*x^3 = 9x² + 0 = d/dx 3x³
    22: ("wrong", "dropped_variable"),  # 3*3*1^2 + 0 = 9, not 9x²: x became 1
    23: ("wrong", None),  # 9^2 = 81: a new mistake on top of line 22
    25: ("skipped", None),  # f=(x+y) -> x'+y': two variables, x' and y' not readable
    31: ("ok", None),  # ∂/∂x(2x + 3y²): 2·1 + 3·0 = 2
    32: ("wrong", "substituted_value"),  # 1*2*1^0 + 2*3*0^1 = 2, by putting in 1 and 0
    33: ("ok", None),
    34: ("ok", None),
    39: ("wrong", "constant_not_zero"),  # ... + 2: the constant 2 kept, 9x² + 7 ≠ 9x² + 5
    40: ("wrong", "substituted_value"),  # 9x² - 2*0^1 + 5: right value, y put in as 0
    41: ("wrong", "dropped_variable"),  # 9^2 - 0 + 5 = 86: 9x² became 9²
    42: ("wrong", None),  # 9^2 = 81: the + 5 lost too, a new mistake
    47: ("ok", None),  # ∂/∂y: 3·0 - 2y + 5·0 + 0 = -2y
    48: ("wrong", "partial_other_var_not_constant"),  # 3*3x^2 - 2y: x³ differentiated in y
    49: ("wrong", "substituted_value"),  # 3*3*0^2 - 2y = -2y, by putting in x = 0
    50: ("ok", None),
    51: ("ok", None),
    60: ("ok", None),  # ∂/∂x(xy) = y
    61: ("ok", None),
    62: ("ok", None),
    63: ("ok", None),  # ∂/∂y(xy) = x
    64: ("ok", None),
    65: ("ok", None),
    71: ("ok", None),  # ∂/∂z(3x³z − y² + 5z + 2yz) = 3x³ + 5 + 2y
    72: ("ok", None),
    73: ("ok", None),
    74: ("ok", None),  # ∂/∂y = −2y + 2z
    75: ("ok", None),
    76: ("ok", None),  # ∂/∂x = 9x²z
    77: ("ok", None),
    78: ("ok", None),
    79: ("ok", None),
    80: ("ok", None),
    98: ("skipped", None),  # 3*x'((2x^2))^5 * ...: derivative notation, no task line above it
    99: ("skipped", None),  # 3*5*(2x^2)^4 * 2*2*x: the start of the working, 960x⁹
    100: ("ok", None),  # 15*(2x^2)^4*4x = 960x⁹
    102: ("ok", None),  # 15*(2^(1*4)*x^(2*4))*4x = 960x⁹
    103: ("ok", None),  # 15*2^4*x^8*4x
    106: ("ok", None),  # 15*2^4*4*x^9
    108: ("ok", None),
    109: ("ok", None),  # 960*x^9
}
STARTS = [
    (19, "fg"),
    (21, "d/dx(3x^3)"),
    (25, "x+y"),
    (30, "∂/∂x(2x + 3y^2)"),
    (38, "∂/∂x(3x^3 - y^2 + 5x + 2)"),
    (46, "∂/∂y(3x^3 - y^2 + 5x + 2)"),
    (59, "∂/∂x(x*y)"),
    (59, "∂/∂y(x*y)"),
    (70, "∂/∂z(3x^3z - y^2 + 5z + 2yz)"),
    (70, "∂/∂y(3x^3z - y^2 + 5z + 2yz)"),
    (70, "∂/∂x(3x^3z - y^2 + 5z + 2yz)"),
    (98, None),
]


def _report():  # type: ignore[no-untyped-def]
    return scan_text(NOTES.read_text(encoding="utf-8"), file="notes.txt")


def test_scan_notes_finds_every_derivation() -> None:
    report = _report()
    assert [(d.start_line, d.task) for d in report.derivations] == STARTS


def test_scan_notes_every_line_verdict_at_its_file_line() -> None:
    report = _report()
    got = {line.line_no: (line.status, line.misconception) for line in report.lines}
    assert got == EXPECTED


def test_scan_notes_carried_forward_and_new_mistakes_name_file_lines() -> None:
    lines = {line.line_no: line for line in _report().lines}
    assert lines[23].message.startswith("wrong, and a new mistake: it does not follow from line 22")
    assert lines[42].message.startswith("wrong, and a new mistake: it does not follow from line 41")
    assert lines[32].message.startswith("number put in for a variable")
    assert "x was replaced by 0: 0² stands where x² was" in lines[49].message


def test_scan_notes_verdicts_agree_with_sympy() -> None:
    """By value, independently: each judged line of a derivation with a task equals
    sympy.diff of the task exactly when it is ok, or when it is a substitution (wrong whatever
    the value)."""
    from gradtutor.calculus.parsing import parse

    x, y, z = sympy.symbols("x y z")
    tasks = {
        21: (3 * x**3, x),
        30: (2 * x + 3 * y**2, x),
        38: (3 * x**3 - y**2 + 5 * x + 2, x),
        46: (3 * x**3 - y**2 + 5 * x + 2, y),
        59: (x * y, None),
        70: (3 * x**3 * z - y**2 + 5 * z + 2 * y * z, None),
    }
    for derivation in _report().derivations:
        if derivation.start_line not in tasks:
            continue
        f, v = tasks[derivation.start_line]
        v = v or sympy.Symbol(derivation.task[3])  # ∂/∂y(...) → y
        truth = sympy.diff(f, v)
        for line in derivation.lines:
            claim = line.text.split("->")[-1]
            equal = sympy.simplify(parse(claim).value - truth) == 0
            expected_equal = line.status == "ok" or line.misconception == "substituted_value"
            assert equal == expected_equal, (line.line_no, line.text)


def test_scan_leaves_prose_and_code_alone_and_skips_unreadable_lines() -> None:
    text = "\n".join(
        [
            "Some prose with f(x) = x^2 inside it is left alone.",  # 1
            "```",  # 2
            "f(x) = x^3",  # 3: in a code block
            "f'(x) = 2x",  # 4
            "```",  # 5
            "`d/dx(x^2) = 5`",  # 6: inline code
            "d/dx(x^3) = 3x^2 = 3x^3",  # 7: a claim, then a slip on the same line
            "= 3x^2",  # 8
            "g(t) = t^2 + 3t",  # 9
            "g'(t) = 2t + 3",  # 10
            "= 2t + $",  # 11: cannot be read
            "as z",  # 12: prose that happens to parse (a·s·z) is not maths
            "and x",  # 13
        ]
    )
    report = scan_text(text)
    got = [(d.start_line, d.task) for d in report.derivations]
    assert got == [(7, "d/dx(x^3)"), (9, "d/dt(t^2 + 3t)")]
    lines = [(ln.line_no, ln.status) for ln in report.lines]
    assert lines == [(7, "ok"), (7, "wrong"), (8, "ok"), (10, "ok"), (11, "skipped")]
    assert report.lines[-1].message.startswith("skipped: can't read this line")


def test_scan_working_without_a_task_line_carries_a_slip_forward() -> None:
    text = "2x^2 + 4x\n2(x^2 + 2x)\nthen:\n2x^2 + 5x\n2x^2 + 5x\n"
    (derivation,) = scan_text(text).derivations
    assert [(ln.line_no, ln.status, ln.follows_from) for ln in derivation.lines] == [
        (1, "skipped", None),
        (2, "ok", None),
        (4, "wrong", None),  # 2x² + 4x ≠ 2x² + 5x (at x = 1: 6 against 7)
        (5, "wrong", 4),
    ]


def test_scan_json_contract_and_exit_status(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["steps", "--scan", str(NOTES), "--json"])
    assert result.exit_code == 1  # the notes have wrong lines
    data = json.loads(result.stdout)
    assert data["file"] == str(NOTES)
    first = data["derivations"][1]
    assert set(first) == {"start_line", "task", "lines"}
    assert first["lines"][1] == {
        "line_no": 22,
        "text": "f=(3x^3) -> 3*3*1^2+0*x^3",
        "status": "wrong",
        "misconception": "dropped_variable",
        "message": first["lines"][1]["message"],
        "follows_from": None,
    }
    right = tmp_path / "right.md"
    right.write_text("# all right\n\nd/dx(x^3) = 3x^2\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["steps", "--scan", str(right)])
    assert done.exit_code == 0
    assert "1 derivation found, 0 wrong lines, 0 skipped" in done.output


def test_scan_unreadable_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["steps", "--scan", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2


def test_scan_human_output_names_file_lines() -> None:
    result = CliRunner().invoke(app, ["steps", "--scan", str(NOTES)], env={"COLUMNS": "100"})
    out = result.output
    assert "12 derivations found, 9 wrong lines, 4 skipped" in " ".join(out.split())
    assert "   22 ✗ f=(3x^3) -> 3*3*1^2+0*x^3" in out
    assert "   49 ✗ = 3*3*0^2 - 2y + 0 + 0" in out


def test_scan_finds_nothing_in_pure_prose() -> None:
    assert find_derivations("Neural networks learn.\n- VGG\n- ResNet\nx\n= input\n") == []


_POLY = st.lists(st.tuples(st.integers(1, 9), st.integers(0, 5)), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_POLY, st.integers(0, 3), st.integers(1, 9))
def test_scan_finds_a_planted_slip_and_flags_nothing_right(
    terms: list[tuple[int, int]], prose: int, bump: int
) -> None:
    """Oracle sympy.diff: a derivation of a random polynomial written right in two forms,
    among prose, is all ok; the same with a wrong constant added is wrong at that line."""
    from gradtutor.calculus.printing import plain

    x = sympy.Symbol("x")
    f = sum(c * x**p for c, p in terms)
    assume(f.has(x))
    d = sympy.diff(f, x)
    body = " + ".join(f"{c}x^{p}" for c, p in terms)
    lines = ["Some words about it."] * prose
    lines += [f"f(x) = {body}", f"f'(x) = {plain(d)}", f"= {plain(sympy.factor(d))}"]
    lines += ["More prose follows.", f"f(x) = {body}", f"f'(x) = {plain(d + bump)}"]
    report = scan_text("\n".join(lines))
    got = [(ln.line_no, ln.status) for ln in report.lines]
    assert got == [(prose + 2, "ok"), (prose + 3, "ok"), (prose + 6, "wrong")]


def test_scan_reads_derivations_in_markdown_lists_and_quotes() -> None:
    text = "- f(x) = x^3\n- f'(x) = 3x^2\n  = 3x^3\n> d/dx(x^2) = 2x\n1. d/dx(5x) = 5x\n"
    report = scan_text(text)
    assert [(d.start_line, d.task) for d in report.derivations] == [
        (1, "d/dx(x^3)"),
        (4, "d/dx(x^2)"),
        (5, "d/dx(5x)"),
    ]
    assert [(ln.line_no, ln.status) for ln in report.lines] == [
        (2, "ok"),
        (3, "wrong"),  # 3x^3 ≠ 3x²
        (4, "ok"),
        (5, "wrong"),  # d/dx(5x) = 5, not 5x
    ]


def test_scan_notes_leaves_prose_rules_and_code_alone() -> None:
    """Lines with maths that are not derivations are not judged: formulas inside prose
    (11: "... as easy as f(x) = max(0, x)", 87: "derives to 3*y'(x^3z) = 0", 95: "Therefore
    f'(x) = 3x^3z = ..."), rules stated without d/dx (26: x^n = nx^(n-1), 97: f(g(x)) = ...),
    the code span on line 111, the tensors (149-157) and the z-score block (162-168)."""
    judged = {line.line_no for line in _report().lines}
    assert judged.isdisjoint({11, 20, 26, 87, 95, 97, 111, *range(140, 180)})
