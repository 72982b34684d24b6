"""Issue 8 item 10: every expression field of check's JSON reads back through check
unchanged in meaning, over the whole corpus (abs(2^x) once printed 2^re(x), which reads
back as 2^(r·e·x))."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradtutor.calculus.equivalence import check
from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.parsing import parse
from gradtutor.calculus.results import CheckResult, Verdict

CORPUS = Path(__file__).parent / "data" / "equivalence_corpus.tsv"


def _rows() -> list[tuple[str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, answer, *_ = line.split("\t")
            rows.append((expected, answer))
    return rows


def _same_meaning(printed: str, source: str) -> bool:
    """printed reads back to what source means: the same tree, or equal by check."""
    try:
        if parse(printed).expr == parse(source).expr:
            return True
    except ParseError:
        return False
    return check(source, printed, time_limit=10).verdict is Verdict.EQUIVALENT


def _fields(result: CheckResult, expected: str, answer: str) -> list[tuple[str, str, str]]:
    """(field name, printed expression, what it must mean)."""
    data = result.to_json()
    parts = [(data, expected, answer)]
    parts += [(c, "", "") for c in data.get("components", [])]
    found = []
    for part, source_expected, source_answer in parts:
        if source_expected:
            found.append(("expected", part["expected"], source_expected))
            found.append(("answer", part["answer"], source_answer))
        found.append(("expected_value", part["expected_value"], part["expected"]))
        if part["simplest"] is not None:
            found.append(("simplest", part["simplest"], part["answer"]))
    return [f for f in found if f[1] is not None]


# The corpus in four interleaved slices (together: every row), so that its seconds of
# checking spread over the test workers instead of ending the run on one of them.
SLICES = 4


@pytest.mark.slow
@pytest.mark.parametrize("part", range(SLICES))
def test_every_json_expression_of_the_corpus_reads_back_unchanged_in_meaning(part: int) -> None:
    failures = []
    for expected, answer in _rows()[part::SLICES]:
        result = check(expected, answer)
        if result.verdict is Verdict.INVALID or result.components:
            continue  # vectors are joined "(a, b)"; their components are covered alone
        for name, printed, source in _fields(result, expected, answer):
            if not _same_meaning(printed, source):
                failures.append((expected, answer, name, printed))
    assert failures == []


def test_abs_of_power_prints_expected_value_that_reads_back() -> None:
    result = check("abs(2^x)", "2^x")
    assert result.expected_value == "2^x"
    assert result.verdict is Verdict.EQUIVALENT


def _expression_strings(node: object, found: list[str]) -> None:
    """Every expression string of an explain --json object (rule trees included)."""
    keys = ("expr", "result", "simplified", "answer", "inner", "outer_expr")
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys and isinstance(value, str):
                found.append(value)
            else:
                _expression_strings(value, found)
    elif isinstance(node, list):
        for item in node:
            _expression_strings(item, found)


@pytest.mark.slow
def test_every_explain_json_expression_of_the_corpus_reads_back() -> None:
    from gradtutor.calculus.derive import solve_task
    from gradtutor.calculus.timelimit import TimeLimitExceeded

    unreadable, wrong = [], []
    tasks = sorted({e for e, _ in _rows() if e.startswith(("d/d", "∂/∂", "d^2", "grad"))})
    for task in tasks:
        try:
            data = solve_task(task).to_json()
        except (ParseError, TimeLimitExceeded):
            continue
        strings: list[str] = []
        _expression_strings(data, strings)
        for text in strings:
            try:
                parse(text)
            except ParseError:
                unreadable.append((task, text))
        if data["gradient"] is None and not _same_meaning(data["answer"], task):
            wrong.append((task, data["answer"]))
    assert unreadable == []
    assert wrong == []
