"""Turn what a learner typed into tokens, with columns for error carets.

The lexer knows the shapes of the input language: numbers (exact decimals),
names (split into single-letter variables unless a whole run is a known name),
superscripts, ``d/dx`` and ``∂/∂x`` operators, and the notes' own ``x'(…)``.
It never evaluates anything.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from gradtutor.calculus import function_table
from gradtutor.calculus.brackets import closing
from gradtutor.calculus.errors import ParseError

# Single characters that mean the same as an ASCII one; replaced 1:1 so columns stay put.
CHAR_MAP = {
    "·": "*",
    "×": "*",
    "⋅": "*",
    "∗": "*",
    "•": "*",
    "÷": "/",
    "−": "-",
    "–": "-",
    "—": "-",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "′": "'",
    "’": "'",
    "ʹ": "'",
    "\u00a0": " ",
    "\t": " ",
    "\ufeff": " ",  # byte-order mark from a spreadsheet export
    "\u200b": " ",  # zero-width space from a copied web page
    "\u2009": " ",
    "\u202f": " ",
}

SUPERSCRIPTS = {
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    "⁴": "4",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
    "⁻": "-",
    "⁺": "+",
}

GREEK_LETTERS = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ϵ": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ϑ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "ϕ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Γ": "Gamma",
    "Δ": "Delta",
    "Θ": "Theta",
    "Λ": "Lambda",
    "Ξ": "Xi",
    "Σ": "Sigma",
    "Φ": "Phi",
    "Ψ": "Psi",
    "Ω": "Omega",
}
GREEK_NAMES = frozenset(GREEK_LETTERS.values())
# Greek letters that cannot be told from a Latin one on screen: read as a mistake.
LATIN_LOOKALIKES = {"ο": "o", "Ο": "O"}

# Function names of the input language, from the one function table; their meaning lives
# in the parser.
FUNCTIONS = function_table.NAMES
CONSTANTS = {"e": "E", "pi": "pi", "π": "pi"}

_LETTER = r"A-Za-z\u0370-\u03ff"
_IDENT = re.compile(rf"[{_LETTER}][{_LETTER}0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_INDEXED = re.compile(
    rf"^([{_LETTER}]|{'|'.join(sorted(GREEK_NAMES, key=len, reverse=True))})(_?\d+|_[A-Za-z0-9]+)$"
)
_DERIV = re.compile(
    r"(?P<d>d|∂)(?:\^?(?P<n1>[0-9]{1,6})|(?P<s1>[²³]))?\s*/\s*(?P=d)\s*"
    rf"(?P<var>{'|'.join(sorted(GREEK_NAMES, key=len, reverse=True))}|[{_LETTER}](?:_?\d+)?)"
    r"(?:\^?(?P<n2>[0-9]{1,6})|(?P<s2>[²³]))?"
    rf"(?![{_LETTER}])"
)
_DIGITS = frozenset("0123456789")
_SCIENTIFIC = re.compile(r"[eE][-+]?[0-9]+")
_SUPERSCRIPT_RUN = re.compile("[" + "".join(SUPERSCRIPTS) + "]+")

# Letters that learners use for function names in f'(x) notation: refused mid-expression.
_FUNCTION_LETTERS = frozenset("fghuvFGH")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # NUM NAME FUNC CONST OP SUP SQRT DERIV PRIME END
    value: str
    start: int
    end: int
    order: int = 1  # derivative order for DERIV
    spaced: bool = False  # whitespace came right before this token
    form: str = ""  # for DERIV: "" for d/dx, "leibniz" for d(f)/dx, "prime" for (f)'


def normalise(text: str) -> str:
    """Map look-alike characters to ASCII, one for one, so columns are unchanged."""
    return "".join(CHAR_MAP.get(ch, ch) for ch in text)


def tokenize(text: str) -> list[Token]:
    """Split normalised text into tokens; raise ParseError with a column on anything unknown."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    spaced = False
    resume: dict[int, int] = {}  # the ) of d(f)/dx → where lexing goes on, after the /dx
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            spaced = True
            continue
        start = i
        if ch == ")" and i in resume:
            tokens.append(Token("OP", ")", start, i + 1, spaced=spaced))
            i = resume.pop(i)
            spaced = False
            continue
        if ch == "'" and tokens and tokens[-1].kind == "OP" and tokens[-1].value == ")":
            i = _bracket_prime(text, tokens, i)
            spaced = False
            continue
        if ch in "d∂" and (leibniz := _leibniz(text, i)) is not None:
            token, close, after = leibniz
            tokens.append(
                Token(token.kind, token.value, start, token.end, token.order, spaced, "leibniz")
            )
            resume[close] = after
            i = token.end
            spaced = False
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER.match(text, i)
            assert m is not None
            i = m.end()
            if i < n and text[i] == "." and i + 1 < n and text[i + 1] in _DIGITS:
                raise ParseError("a number has two decimal points", text, i)
            scientific = _SCIENTIFIC.match(text, i)
            if scientific:
                typed = text[start : scientific.end()]
                power = scientific.group().lstrip("eE").lstrip("+")
                raise ParseError(
                    f"{typed} is ambiguous: scientific notation, or a product with e = 2.718…?",
                    text,
                    i,
                    hint=f"write {m.group()}*10^{power} for {typed}, "
                    f"or {m.group()}*e for Euler's e",
                )
            tokens.append(Token("NUM", m.group(), start, i, spaced=spaced))
        elif ch in SUPERSCRIPTS:
            m = _SUPERSCRIPT_RUN.match(text, i)
            assert m is not None
            i = m.end()
            value = "".join(SUPERSCRIPTS[c] for c in m.group())
            if not re.fullmatch(r"[-+]?\d+", value):
                raise ParseError(f"can't read the superscript {m.group()!r}", text, start)
            tokens.append(Token("SUP", value, start, i, spaced=spaced))
        elif ch == "√":
            i += 1
            tokens.append(Token("SQRT", "√", start, i, spaced=spaced))
        elif (ch in "d∂") and (m := _DERIV.match(text, i)):
            i = m.end()
            order = _deriv_order(m)
            var = GREEK_LETTERS.get(m.group("var"), m.group("var"))
            tokens.append(Token("DERIV", var, start, i, order=order, spaced=spaced))
        elif ch == "∂":
            raise ParseError(
                "can't read this partial derivative",
                text,
                i,
                hint="write it as ∂/∂x(…), for example ∂/∂x(x^2 y)",
            )
        elif _IDENT.match(text, i):
            m = _IDENT.match(text, i)
            assert m is not None
            _refuse_named_leibniz(text, m)
            i = m.end()
            tokens.extend(_resolve_name(text, m.group(), start, spaced))
            # σ(x) and sigma(x) are the sigmoid; σ alone is a variable.
            last = tokens[-1]
            if last.kind == "NAME" and last.value == "sigma" and text.startswith("(", i):
                tokens[-1] = Token("FUNC", "sigmoid", last.start, last.end, spaced=last.spaced)
            # The notes' notation: x'(x^3) is d/dx(x^3).
            if i < n and text[i] == "'":
                last = tokens[-1]
                i = _prime(text, tokens, last, i)
        elif text.startswith("**", i):
            i += 2
            tokens.append(Token("OP", "^", start, i, spaced=spaced))
        elif ch in "+-*/^(),|!=":
            i += 1
            tokens.append(Token("OP", ch, start, i, spaced=spaced))
        else:
            raise ParseError(*_unexpected(text, i))
        spaced = False
    tokens.append(Token("END", "", n, n))
    return tokens


_LEIBNIZ_HEAD = re.compile(r"(?P<d>d|∂)(?:\^?(?P<n1>[0-9]{1,6})|(?P<s1>[²³]))?\(")
_LEIBNIZ_TAIL = re.compile(
    r"\s*/\s*(?P<d>d|∂)\s*"
    rf"(?P<var>{'|'.join(sorted(GREEK_NAMES, key=len, reverse=True))}|[{_LETTER}](?:_?\d+)?)"
    r"(?:\^?(?P<n2>[0-9]{1,6})|(?P<s2>[²³]))?"
    rf"(?![{_LETTER}0-9(])"
)
_NAMED_LEIBNIZ = re.compile(rf"(d|∂)([{_LETTER}])\s*/\s*(d|∂)([{_LETTER}])(?![{_LETTER}0-9])")


def _leibniz(text: str, i: int) -> tuple[Token, int, int] | None:
    """``d(x^3)/dx``, ``∂(x y)/∂x``, ``d^2(f)/dx^2``: the operator token (ending at the open
    bracket), the index of the matching close bracket, and where lexing resumes after /dx."""
    if i > 0 and re.match(f"[{_LETTER}0-9_]", text[i - 1]):
        return None  # the d of a longer name
    head = _LEIBNIZ_HEAD.match(text, i)
    if head is None:
        return None
    close = closing(text, head.end() - 1)
    if close is None:
        return None
    tail = _LEIBNIZ_TAIL.match(text, close + 1)
    if tail is None or tail.group("d") != head.group("d"):
        return None
    top = head.group("n1") or {"²": "2", "³": "3"}.get(head.group("s1") or "", "")
    bottom = tail.group("n2") or {"²": "2", "³": "3"}.get(tail.group("s2") or "", "")
    if top != bottom:
        raise ParseError(
            "the orders of this derivative don't match",
            text,
            i,
            hint="write d^2(f)/dx^2 for a second derivative",
        )
    var = GREEK_LETTERS.get(tail.group("var"), tail.group("var"))
    order = _checked_order(int(top) if top else 1, text, i)
    token = Token("DERIV", var, i, head.end() - 1, order=order)
    return token, close, tail.end()


def _refuse_named_leibniz(text: str, m: re.Match[str]) -> None:
    """``dy/dx`` or ``df/dx`` inside an expression names a function gradtutor can't see:
    refused with a hint rather than read as d·y/(d·x)."""
    found = _NAMED_LEIBNIZ.match(text, m.start())
    if found is None or (m.start() > 0 and re.match(f"[{_LETTER}0-9_]", text[m.start() - 1])):
        return
    if len(m.group()) != 2:
        return
    typed = found.group()
    raise ParseError(
        f"{typed} is the derivative of a function gradtutor can't see",
        text,
        m.start(),
        hint=f"write the expression itself: d(x^3)/d{found.group(4)} or d/d{found.group(4)}(x^3)",
    )


def _bracket_prime(text: str, tokens: list[Token], i: int) -> int:
    """``(x^3)'``: the derivative of the bracket, with respect to its one variable (the
    parser finds which). The operator token goes in before the matching open bracket."""
    j = i
    while j < len(text) and text[j] == "'":
        j += 1
    depth = 0
    for k in range(len(tokens) - 1, -1, -1):
        tok = tokens[k]
        if tok.kind == "OP" and tok.value == ")":
            depth += 1
        elif tok.kind == "OP" and tok.value == "(":
            depth -= 1
            if depth == 0:
                if k > 0 and tokens[k - 1].kind in ("FUNC", "DERIV"):
                    break  # sin(x)' : a function's brackets, not an expression's
                prime = Token(
                    "DERIV",
                    "",
                    tok.start,
                    tok.start,
                    order=_checked_order(j - i, text, i),
                    form="prime",
                )
                tokens.insert(k, prime)
                return j
    raise ParseError(
        "a prime (') is read after a bracket, (x^3)', or in the notes' form x'(…)",
        text,
        i,
        hint="put the expression in brackets: (x^2 sin x)', or write d/dx(…)",
    )


def _deriv_order(m: re.Match[str]) -> int:
    top = m.group("n1") or {"²": "2", "³": "3"}.get(m.group("s1") or "", "")
    bottom = m.group("n2") or {"²": "2", "³": "3"}.get(m.group("s2") or "", "")
    if top != bottom:
        raise ParseError(
            "the orders of this derivative don't match",
            m.string,
            m.start(),
            hint="write d^2/dx^2 for a second derivative",
        )
    return _checked_order(int(top) if top else 1, m.string, m.start())


def _checked_order(order: int, text: str, column: int) -> int:
    """A derivative order from 1 to 20 (d^100/dx^100 was once read as a product of d's)."""
    if order == 0:
        raise ParseError(
            "a derivative of order 0 is no derivative",
            text,
            column,
            hint="write d/dx for the first derivative, d^2/dx^2 for the second",
        )
    if order > 20:
        raise ParseError(
            f"a derivative of order {order} is more than gradtutor works out (up to 20)",
            text,
            column,
        )
    return order


def _prime(text: str, tokens: list[Token], last: Token, i: int) -> int:
    """Handle ``x'(…)``: the derivative with respect to x of what follows."""
    j = i
    while j < len(text) and text[j] == "'":
        j += 1
    is_var = last.kind == "NAME" and (len(last.value) == 1 or last.value in GREEK_NAMES)
    if not is_var or j >= len(text) or text[j] != "(":
        raise ParseError(
            "a prime (') is only read in the notes' form x'(…), meaning d/dx(…)",
            text,
            i,
            hint="write the derivative itself, or d/dx(…)",
        )
    if last.value in _FUNCTION_LETTERS:
        raise ParseError(
            f"{last.value}'(…) names a function gradtutor doesn't know",
            text,
            last.start,
            hint="write the derivative itself, or d/dx(…) of the expression",
        )
    order = _checked_order(j - i, text, i)
    tokens[-1] = Token("DERIV", last.value, last.start, j, order=order, spaced=last.spaced)
    return j


def _resolve_name(text: str, run: str, start: int, spaced: bool) -> list[Token]:
    """One identifier run → tokens: a known name, an indexed variable, or single letters."""
    end = start + len(run)
    for k, ch in enumerate(run):
        if ch in LATIN_LOOKALIKES:
            raise ParseError(
                f"'{ch}' is the Greek letter omicron, not the Latin letter {LATIN_LOOKALIKES[ch]}",
                text,
                start + k,
                hint=f"type the Latin letter {LATIN_LOOKALIKES[ch]} instead",
            )
    # Greek letters typed as characters become their ASCII names.
    if run in CONSTANTS:
        return [Token("CONST", CONSTANTS[run], start, end, spaced=spaced)]
    m = re.fullmatch(r"log_?(\d+|e)|log_([A-Za-z])", run) if run.startswith("log") else None
    if m:
        base = m.group(1) or m.group(2)
        return [Token("FUNC", f"log_{base}", start, end, spaced=spaced)]
    if run in FUNCTIONS:
        return [Token("FUNC", run, start, end, spaced=spaced)]
    if run in GREEK_NAMES:
        return [Token("NAME", run, start, end, spaced=spaced)]
    if len(run) == 1:
        return [Token("NAME", GREEK_LETTERS.get(run, run), start, end, spaced=spaced)]
    if indexed := _INDEXED.match(run):
        head, index = indexed.groups()
        return [Token("NAME", GREEK_LETTERS.get(head, head) + index, start, end, spaced=spaced)]
    if run.startswith("log_"):
        raise ParseError(
            f"can't read the logarithm base in {run!r}",
            text,
            start,
            hint="write log_2(x) or log(x, 2)",
        )
    if "_" in run:
        raise ParseError(
            f"can't read the name {run!r}",
            text,
            start + run.index("_"),
            hint="an index goes right after one letter: x_1, w2",
        )
    followed_by_bracket = text[start + len(run) : start + len(run) + 1] == "("
    if run == "grad" and followed_by_bracket:
        raise ParseError(
            "grad(…) is a vector of partial derivatives, read only as a whole task or answer",
            text,
            start,
            hint="here, work one partial at a time: ∂/∂w(…), then ∂/∂b(…)",
        )
    if run.lower() in FUNCTIONS and run != run.lower():
        raise ParseError(
            f"{run!r}: function names are lower-case",
            text,
            start,
            hint=f"did you mean {run.lower()}(…)?",
        )
    if followed_by_bracket and 2 <= len(run) <= 3 and _function_prefix_anywhere(run) is None:
        close = difflib.get_close_matches(run, sorted(FUNCTIONS), n=1, cutoff=0.75)
        if close:
            raise ParseError(
                f"{run!r} isn't a function gradtutor knows",
                text,
                start,
                hint=f"did you mean {close[0]}(…)? (to multiply, write {'*'.join(run)}*(…))",
            )
    if len(run) >= 4 and _function_prefix_anywhere(run) is None:
        raise ParseError(
            f"{run!r} isn't a {'function' if followed_by_bracket else 'name'} gradtutor knows",
            text,
            start,
            hint=_unknown_word_hint(run, followed_by_bracket),
        )
    return _split_letters(text, run, start, spaced)


def _unknown_word_hint(run: str, followed_by_bracket: bool) -> str:
    close = difflib.get_close_matches(run, sorted(FUNCTIONS | GREEK_NAMES), n=2, cutoff=0.7)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    if run == "cbrt":
        return "write a cube root as x^(1/3)"
    if followed_by_bracket:
        return "known functions include sin, cos, tan, exp, ln, log, sqrt, abs, max, sigmoid, relu"
    return "to multiply variables write x*y*z*w, or put spaces between them"


def _function_prefix_anywhere(run: str) -> str | None:
    return next((name for j in range(len(run)) if (name := _function_prefix(run, j))), None)


def _split_letters(text: str, run: str, start: int, spaced: bool) -> list[Token]:
    """``2yz`` is 2·y·z; a function name glued to its argument (``sinx``) gets a hint."""
    tokens: list[Token] = []
    j = 0
    while j < len(run):
        name = _function_prefix(run, j)
        if name is not None:
            rest = run[j + len(name) :]
            if rest:
                raise ParseError(
                    f"{run!r} isn't a name gradtutor knows",
                    text,
                    start + j,
                    hint=f"did you mean {name}({rest})?",
                )
            tokens.append(
                Token("FUNC", name, start + j, start + len(run), spaced=spaced and j == 0)
            )
            break
        ch = run[j]
        k = j + 1
        while k < len(run) and run[k] in _DIGITS:
            k += 1
        if ch in _DIGITS:  # a digit after a name that wasn't an index, e.g. "xy2z"
            raise ParseError(f"can't read {run!r}", text, start + j, hint="write x*2 or x^2")
        if ch in CONSTANTS:
            kind, value = "CONST", CONSTANTS[ch]
        else:
            kind, value = "NAME", GREEK_LETTERS.get(ch, ch) + run[j + 1 : k]
        tokens.append(Token(kind, value, start + j, start + k, spaced=spaced and j == 0))
        j = k
    return tokens


_FUNCTIONS_LONGEST_FIRST = sorted(FUNCTIONS, key=len, reverse=True)


def _function_prefix(run: str, j: int) -> str | None:
    for name in _FUNCTIONS_LONGEST_FIRST:
        if run.startswith(name, j) and len(name) > 1:
            return name
    return None


_PYTHONISH = {
    "_": "names don't contain '_' except as an index (x_1)",
    ".": "a '.' only appears in decimal numbers like 0.5",
    ":": "':' has no meaning in a maths expression",
    "'": "a prime (') is only read in the notes' form x'(…)",
    '"': "quotes have no meaning in a maths expression",
    "[": "use round brackets",
    "@": "'@' has no meaning here; write * for multiplication",
    "%": "'%' has no meaning here",
    ";": "type one expression at a time",
    "∫": "gradtutor checks derivatives, not integrals",
    "∞": "infinity is not a number gradtutor can check with",
    "<": "gradtutor reads expressions, not inequalities",
    ">": "gradtutor reads expressions, not inequalities",
    "$": "no '$' is needed around LaTeX",
}


def _unexpected(text: str, i: int) -> tuple[str, str, int, str | None]:
    ch = text[i]
    shown = ch if ch.isprintable() else repr(ch)[1:-1]
    return (f"unexpected character '{shown}'", text, i, _PYTHONISH.get(ch))
