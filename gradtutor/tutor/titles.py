"""Readable titles of misconception ids, for the quiz summary and ``progress``.

The derivative rules' twins carry their names (:mod:`gradtutor.calculus.misconceptions`),
the numeric questions' twins theirs (:mod:`gradtutor.tutor.numeric_twins`); an id known to
neither (from an older database) is shown with spaces for underscores.
"""

from __future__ import annotations


def misconception_title(misconception_id: str) -> str:
    from gradtutor.tutor.numeric_twins import NAMES

    if misconception_id in NAMES:
        return NAMES[misconception_id]
    try:
        from gradtutor.calculus.misconceptions import BY_ID
    except Exception:  # pragma: no cover - the engine always imports
        BY_ID = {}
    found = BY_ID.get(misconception_id)
    name = getattr(found, "name", None)
    return str(name) if name else misconception_id.replace("_", " ")
