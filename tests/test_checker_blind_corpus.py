"""The blind corpus (tests/data/heldout_blind.tsv): 270 pairs written by someone who never ran
gradtutor's checker, each verdict decided by hand and verified by an independent script (see
the file's header). It was the accuracy figure for issue 8 (270/270 on its first full run
after the fixes); kept here so that no later change quietly loses a pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradtutor.calculus.equivalence import check
from gradtutor.calculus.results import Verdict

ROWS = [
    tuple(line.split("\t")[:3])
    for line in (Path(__file__).parent / "data" / "heldout_blind.tsv")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
]


def test_the_blind_corpus_has_its_270_pairs_and_only_known_verdicts() -> None:
    assert len(ROWS) == 270
    assert {row[2] for row in ROWS} <= {v.value for v in Verdict}


@pytest.mark.parametrize(("expected", "answer", "verdict"), ROWS)
def test_blind_pair_gets_its_stated_verdict(expected: str, answer: str, verdict: str) -> None:
    assert check(expected, answer).verdict == Verdict(verdict)
