"""Did you mean …? One suggestion helper for topic and lesson names (quiz, learn).

A name typed that is not known gets up to three known names: those it begins (``chain`` →
``chain-rule``) or that begin it, then look-alikes (``chian-rule``), and only when neither
gives anything, the names whose description mentions the word (``sigmoid`` →
``activations``, whose title lists ReLU, sigmoid, tanh and softplus).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

MAX_SUGGESTIONS = 3


def suggestions(
    word: str, names: Iterable[str], *, described: Mapping[str, str] | None = None
) -> list[str]:
    """Up to three names ``word`` may have meant, best first."""
    word = word.strip().lower()
    known = sorted(set(names))
    if not word:
        return []
    prefixed = [n for n in known if n.startswith(word) or word.startswith(n)]
    similar = difflib.get_close_matches(word, known, n=MAX_SUGGESTIONS, cutoff=0.75)
    found = list(dict.fromkeys(prefixed + similar))
    if not found and described:
        pattern = re.compile(rf"\b{re.escape(word)}", re.IGNORECASE)
        found = [n for n in known if pattern.search(described.get(n, ""))]
    return found[:MAX_SUGGESTIONS]


def did_you_mean(found: list[str]) -> str:
    """``did you mean chain-rule?`` (or ``a, b or c``), for an error's hint; empty when
    there is nothing to say."""
    if not found:
        return ""
    if len(found) == 1:
        return f"did you mean {found[0]}?"
    return f"did you mean {', '.join(found[:-1])} or {found[-1]}?"


def choices_hint(found: list[str], label: str, choices: Iterable[str]) -> str:
    """An error's hint: the did-you-mean, if any, then every valid choice —
    ``did you mean chain-rule? Topics: power-rule, chain-rule`` or ``topics: …``."""
    listed = f"{label}: {', '.join(choices)}"
    guess = did_you_mean(found)
    return f"{guess} {listed[0].upper()}{listed[1:]}" if guess else listed
