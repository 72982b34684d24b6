"""Plain ASCII for an output that cannot carry Unicode (``PYTHONIOENCODING=ascii``,
a latin-1 terminal): ``x²`` is written ``x^2``, ``∂f/∂x`` ``df/dx``, a box ``+-|``.

The streams get an encoding error handler (:data:`HANDLER`) rather than a second
printer: whatever writes, rich or ``json.dumps``, a character the encoding lacks is
replaced by its plain spelling. A character with no plain spelling becomes a JSON-style
escape (``\\u00e9``), which keeps a ``--json`` line valid JSON. Rich itself already
draws ASCII boxes when the encoding is not UTF.
"""

from __future__ import annotations

import codecs

HANDLER = "gradtutor-plain"

SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿˣᵗⁱʸᵀ", "0123456789+-=()nxtiyT", strict=True))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋ᵢⱼₖₙ", "0123456789+-ijkn", strict=True))

PLAIN: dict[str, str] = {
    # maths
    "∂": "d",
    "·": "*",
    "⋅": "*",
    "∗": "*",
    "×": "x",
    "÷": "/",
    "−": "-",
    "±": "+/-",
    "√": "sqrt",
    "∇": "grad ",
    "∫": "int",
    "∞": "inf",
    "≈": "~",
    "≠": "!=",
    "≤": "<=",
    "≥": ">=",
    "≪": "<<",
    "∈": " in ",
    "′": "'",
    "″": "''",
    "⟨": "<",
    "⟩": ">",
    # Greek letters used in the lessons and the optimizers
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "eps",
    "η": "eta",
    "θ": "theta",
    "λ": "lambda",
    "μ": "mu",
    "π": "pi",
    "σ": "sigma",
    "τ": "tau",
    "φ": "phi",
    # punctuation
    "…": "...",
    "—": "--",
    "–": "-",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "→": "->",
    "←": "<-",
    "↑": "^",
    "↓": "v",
    "•": "*",
    "●": "*",
    "○": "o",
    "★": "*",
    "✓": "ok",
    "✗": "x",
    # boxes and blocks
    "─": "-",
    "━": "-",
    "│": "|",
    "┃": "|",
    "┌": "+",
    "┐": "+",
    "└": "+",
    "┘": "+",
    "├": "+",
    "┤": "+",
    "┬": "+",
    "┴": "+",
    "┼": "+",
    "█": "#",
    "░": ".",
    "▀": "#",
    "▄": "#",
    "▁": "_",
    "▂": "_",
    "▃": ".",
    "▅": ":",
    "▆": ":",
    "▇": "#",
    "\ufffd": "?",
}


def plain(text: str) -> str:
    """``text`` in ASCII: superscript runs as ``^…``, known symbols spelled out."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in SUPERSCRIPTS or char in SUBSCRIPTS:
            table, mark = (SUPERSCRIPTS, "^") if char in SUPERSCRIPTS else (SUBSCRIPTS, "_")
            j = i
            while j < len(text) and text[j] in table:
                j += 1
            run = "".join(table[c] for c in text[i:j])
            out.append(mark + (run if len(run) == 1 or run.isdigit() else f"({run})"))
            i = j
            continue
        if char.isascii():
            out.append(char)
        elif char in PLAIN:
            out.append(PLAIN[char])
        elif 0x2800 <= ord(char) <= 0x28FF:  # braille dots of the plots
            out.append(".")
        else:
            out.append(_escape(char))
        i += 1
    return "".join(out)


def _escape(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:  # a byte that was not UTF-8
        return "?"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _handle(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    if error.encoding.replace("-", "").replace("_", "").lower().startswith("utf"):
        return "\ufffd" * len(bad), error.end  # only lone surrogates fail to encode in UTF
    return plain(bad), error.end


def register() -> None:
    """Make :data:`HANDLER` known to ``codecs`` (idempotent)."""
    codecs.register_error(HANDLER, _handle)


def carries_unicode(encoding: str | None) -> bool:
    """Whether an output in ``encoding`` can show gradtutor's symbols as they are."""
    try:
        "x²∂→─σ".encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
