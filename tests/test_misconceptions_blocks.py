"""Each misconception is one block in gradtutor/calculus/misconceptions.py (issue 11, item 6):
the table and BY_ID are derived from the blocks, never written a second time."""

from __future__ import annotations

import inspect

from gradtutor.calculus import misconceptions as mc


def _blocks() -> list[type]:
    found = [
        obj
        for obj in vars(mc).values()
        if inspect.isclass(obj) and "twin" in vars(obj) and "question" in vars(obj)
    ]
    return sorted(found, key=lambda c: inspect.getsourcelines(c)[1])


def test_misconceptions_table_is_the_blocks_in_file_order() -> None:
    assert [b.id for b in _blocks()] == [m.id for m in mc.MISCONCEPTIONS]
    assert list(mc.BY_ID) == [m.id for m in mc.MISCONCEPTIONS]


def test_misconceptions_each_row_carries_its_blocks_formula_twin_and_question() -> None:
    for block, m in zip(_blocks(), mc.MISCONCEPTIONS, strict=True):
        assert (m.name, m.rules, m.rule_hint) == (block.name, block.rules, block.rule_hint)
        assert m.twin is vars(block)["twin"].__func__
        assert m.question is vars(block)["question"].__func__
        assert m.twin.__doc__ == block.__doc__  # the buggy formula, stated once
