"""Readable titles of misconception ids, for the quiz summary and ``progress``.

The derivative rules' twins carry their names (:mod:`gradtutor.calculus.misconceptions`),
the numeric questions' twins theirs (:mod:`gradtutor.tutor.numeric_twins`), the backward
rules' twins their titles (one block each in :mod:`gradtutor.network.misconceptions`, the
graph's and the layers'); an id known to none of them (from an older database) is shown
with spaces for underscores.
"""

from __future__ import annotations


def misconception_title(misconception_id: str) -> str:
    from gradtutor.calculus.misconceptions import BY_ID
    from gradtutor.network.misconceptions import TITLES
    from gradtutor.tutor.numeric_twins import NAMES

    if misconception_id in NAMES:
        return NAMES[misconception_id]
    if misconception_id in TITLES:
        return TITLES[misconception_id]
    found = BY_ID.get(misconception_id)
    name = getattr(found, "name", None)
    return str(name) if name else misconception_id.replace("_", " ")
