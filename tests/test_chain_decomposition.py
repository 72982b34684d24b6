"""Chain-rule decomposition accepts every valid non-trivial split (issue 10 item 4).

f(x) = sin(2x⁴): the pack's split is g(u) = sin(u), u = 2x⁴; g(u) = sin(2u) with u = x⁴ is right
too, and then g'(u) and u'(x) are judged as the derivatives of the learner's own pair
(d/du sin(2u) = 2cos(2u), d/dx x⁴ = 4x³ — sympy.diff agrees, see the oracle test)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import sympy
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.tutor.decomposition import judge_chain_part
from gradtutor.tutor.packs import Part

ROOT = Path(__file__).resolve().parent.parent
PACK = str(ROOT / "tests" / "data" / "chain_split_pack.toml")

SIN = SimpleNamespace(
    kind="chain",
    parts=(
        Part("g(u)", "sin(u)"),
        Part("u(x)", "2*x^4"),
        Part("g'(u)", "cos(u)", "d/du(sin(u))"),
        Part("u'(x)", "8*x^3", "d/dx(2x^4)"),
        Part("f'(x)", "8*x^3*cos(2*x^4)", "d/dx(sin(2x^4))"),
    ),
)
OWN = {0: "sin(2u)", 1: "x^4"}

# (part index, answer, parts already right, verdict or None for "the ordinary check")
TABLE = [
    (0, "sin(2u)", {}, "equivalent"),  # some inner part (x⁴) makes it compose to f
    (0, "sin(u)", {}, None),  # the usual g: the ordinary check
    (0, "cos(2u)", {}, None),  # no split makes it f: the ordinary check (a counterexample)
    (0, "sin(2u^4)", {}, None),  # u = x is a trivial split, not accepted
    (0, "u", {}, None),  # g(u) = u, u = f is trivial too
    (1, "x^4", {0: "sin(2u)"}, "equivalent"),
    (1, "2x^4", {0: "sin(2u)"}, "not_equivalent"),  # wrong for the learner's own g
    (2, "2cos(2u)", OWN, "equivalent"),
    (2, "cos(2u)", OWN, "not_equivalent"),
    (3, "4x^3", OWN, "equivalent"),
    (3, "8x^3", OWN, "not_equivalent"),
    (4, "8x^3 cos(2x^4)", OWN, None),  # f'(x) does not depend on the split
    (2, "cos(u)", {0: "sin(u)", 1: "2x^4"}, None),  # the usual split: the ordinary check
]


@pytest.mark.parametrize(("index", "answer", "accepted", "verdict"), TABLE)
def test_chain_split_judged_against_the_learners_own_pair(
    index: int, answer: str, accepted: dict[int, str], verdict: str | None
) -> None:
    judged = judge_chain_part(SIN, index, answer, accepted)
    if verdict is None:
        assert judged is None
    else:
        assert judged is not None and judged.result.verdict.value == verdict


def test_chain_split_own_pair_derivatives_match_sympy() -> None:
    u, x = sympy.symbols("u x")
    assert sympy.diff(sympy.sin(2 * u), u) == 2 * sympy.cos(2 * u)
    assert sympy.diff(x**4, x) == 4 * x**3
    assert sympy.sin(2 * u).subs(u, x**4) == sympy.sin(2 * x**4)


def test_chain_split_unusual_split_says_which_is_more_usual() -> None:
    judged = judge_chain_part(SIN, 1, "x^4", {0: "sin(2u)"})
    assert judged is not None
    assert judged.note == (
        "g(u) = sin(2u) with u = x⁴ is a right split: g(u(x)) = sin(2x⁴). The more usual one "
        "takes the whole inside as u: g(u) = sin(u), u = 2x⁴."
    )


def test_chain_split_own_g_prime_slip_is_still_diagnosed() -> None:
    judged = judge_chain_part(SIN, 2, "cos(2u)", OWN)
    assert judged is not None
    assert [f.id for f in judged.result.feedback if f.kind == "misconception"] == [
        "chain_inner_missing"
    ]


def test_chain_split_quiz_accepts_sin_2u_with_u_x4(tmp_path: Path) -> None:
    # in-process: the quiz's reading of the parts, not the process, is what this is about
    done = CliRunner().invoke(
        app,
        ["quiz", "--pack", PACK, "--count", "1", "--json"],
        input="sin(2u)\nx^4\n2cos(2u)\n4x^3\n8x^3 cos(2x^4)\n",
        env={"GRADTUTOR_HOME": str(tmp_path), "COLUMNS": "100"},
    )
    assert done.exit_code == 0, done.stderr
    record = json.loads(done.stdout)
    assert [p["verdict"] for p in record["parts"]] == ["correct"] * 5
    assert (record["attempts"], record["verdict"]) == (5, "correct")
    assert "The more usual one takes the whole inside as u" in " ".join(done.stderr.split())
