"""Read LaTeX by translating it to gradtutor's plain input language.

sympy's ``parse_latex`` was tried and not used: its lark backend fails on
``\\frac{d}{dx}(…)``, and its ANTLR backend needs a pinned ANTLR runtime, reads ``e``
as a variable and silently accepts broken input (``x^`` parses as ``x``). A small
translation keeps one parser, one set of error messages and one notion of ``e``.
"""

from __future__ import annotations

import re

from gradtutor.calculus import function_table
from gradtutor.calculus.errors import ParseError

_SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "limits"}
_WORDS = {
    "cdot": "*",
    "times": "*",
    "ast": "*",
    "div": "/",
    "pi": " pi ",
    "infty": "∞",
    "partial": "∂",
    "lvert": "|",
    "rvert": "|",
    "vert": "|",
    "mid": "|",
    "lbrace": "(",
    "rbrace": ")",
    "left": "",
    "right": "",
    "big": "",
    "Big": "",
    "bigl": "",
    "bigr": "",
    "Bigl": "",
    "Bigr": "",
    "e": "e",
}
# LaTeX command → input-language name, from the one function table.
_FUNCTIONS = function_table.LATEX
_GREEK = set(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "varepsilon",
        "zeta",
        "eta",
        "theta",
        "vartheta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "varphi",
        "chi",
        "psi",
        "omega",
        "Gamma",
        "Delta",
        "Theta",
        "Lambda",
        "Xi",
        "Sigma",
        "Phi",
        "Psi",
        "Omega",
    ]
)
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def looks_like_latex(text: str) -> bool:
    """Whether ``text`` has LaTeX to translate before it is read: a command (``\\frac``), a
    braced subscript (``x_{1}``) or ``$…$``."""
    return "\\" in text or "_{" in text or text.strip().startswith("$")


def latex_to_plain(text: str) -> str:
    """Translate LaTeX maths (``\\frac{d}{dx}\\left(3x^{3}\\right)``) to plain syntax."""
    body = text.strip().strip("$").strip()
    body = re.sub(r"^\\\[|\\\]$|^\\\(|\\\)$", "", body)
    out, pos = _translate(body, 0, text)
    if pos != len(body):  # pragma: no cover - _translate consumes everything at top level
        raise ParseError("can't read this LaTeX", body, pos)
    return out


def _translate(s: str, i: int, original: str, *, stop: str | None = None) -> tuple[str, int]:
    out: list[str] = []
    while i < len(s):
        ch = s[i]
        if stop is not None and ch == stop:
            return "".join(out), i
        if ch == "\\":
            m = _COMMAND.match(s, i)
            if m is None:  # a lone backslash at the end
                raise ParseError("a \\ at the end has no command after it", s, i)
            name = m.group(1)
            i = m.end()
            if name in ("binom", "dbinom", "tbinom"):
                top, i = _group(s, i, original)
                bottom, i = _group(s, i, original)
                out.append(f" binomial({top}, {bottom}) ")
            elif name in ("frac", "dfrac", "tfrac", "cfrac"):
                num, i = _group(s, i, original)
                den, i = _group(s, i, original)
                out.append(_fraction(num, den))
            elif name == "sqrt":
                index = None
                if i < len(s) and s[i] == "[":
                    index, i = _translate(s, i + 1, original, stop="]")
                    i += 1
                arg, i = _group(s, i, original)
                # the whole root in brackets: \sqrt[3]{3}^3 is (3^(1/3))^3, not 3^((1/3)^3)
                out.append(f"sqrt({arg})" if index is None else f"(({arg})^(1/({index})))")
            elif name in ("operatorname", "mathrm", "text", "mathit", "textrm"):
                arg, i = _group(s, i, original)
                out.append(f" {arg} ")
            elif name in _SPACES:
                out.append(" ")
            elif name in _WORDS:
                out.append(_WORDS[name])
            elif name == "log" and s.startswith("_", i):
                base, i = _group(s, i + 1, original)
                out.append(f" log_{base.strip()} ")
            elif name in _FUNCTIONS:
                out.append(f" {_FUNCTIONS[name]} ")
            elif name in _GREEK:
                out.append(" " + name.removeprefix("var"))
            elif name in ("{", "}"):
                out.append("(" if name == "{" else ")")
            else:
                raise ParseError(
                    f"gradtutor doesn't know the LaTeX command \\{name}",
                    s,
                    m.start(),
                    hint="write it in plain syntax instead, e.g. sqrt(x), x^2, d/dx(…)",
                )
        elif ch == "{":
            inner, i = _translate(s, i + 1, original, stop="}")
            if i >= len(s):
                raise ParseError("a { is never closed", s, i - 1)
            i += 1
            out.append(f"({inner})")
        elif ch == "}":
            raise ParseError("this } has no matching {", s, i)
        elif ch == "_" and i + 1 < len(s) and s[i + 1] == "{":
            inner, i = _translate(s, i + 2, original, stop="}")
            i += 1
            out.append("_" + inner.strip())
        else:
            out.append(ch)
            i += 1
    if stop is not None:
        raise ParseError(f"a bracket is never closed (expected {stop!r})", s, len(s) - 1)
    return "".join(out), i


def _group(s: str, i: int, original: str) -> tuple[str, int]:
    """One argument of a command: ``{…}`` or a single character."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        raise ParseError("a LaTeX command is missing its argument", s, len(s) - 1)
    if s[i] == "{":
        inner, j = _translate(s, i + 1, original, stop="}")
        return inner.strip(), j + 1
    if s[i] == "\\":
        m = _COMMAND.match(s, i)
        if m is None:
            raise ParseError("a \\ at the end has no command after it", s, i)
        inner, _ = _translate(m.group(), 0, original)
        return inner.strip(), m.end()
    return s[i], i + 1


_D_OPERATOR = re.compile(r"^(d|∂)\s*(\^\(?([23])\)?)?$")
_D_VARIABLE = re.compile(r"^(d|∂)\s*([A-Za-z]+(?:_\w+)?)\s*(\^\(?([23])\)?)?$")


def _fraction(num: str, den: str) -> str:
    top = _D_OPERATOR.match(num.strip())
    bottom = _D_VARIABLE.match(den.strip())
    if top and bottom and top.group(1) == bottom.group(1):
        order = top.group(3) or ""
        var = bottom.group(2)
        if order:
            return f" {top.group(1)}^{order}/{top.group(1)}{var}^{order} "
        return f" {top.group(1)}/{top.group(1)}{var} "
    return f"(({num})/({den}))"
