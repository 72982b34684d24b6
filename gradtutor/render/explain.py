"""Worked solutions as rich renderables: one line per rule application, nested where needed.

Each line names the rule and shows the substitution (product rule: u = x², v = sin x, u' = 2x,
v' = cos x → u'v + uv'). A repeated sub-step is worked once; ``brief`` hides the atomic leaves,
whose results their parent's line already shows, and folds trivial steps (5x → 5) into the
line of the sum they belong to. The simplify step comes last and is labelled
algebra, so it is never mistaken for calculus.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import sympy
from rich.cells import cell_len
from rich.console import (
    Console,
    ConsoleOptions,
    Group,
    JustifyMethod,
    OverflowMethod,
    RenderableType,
    RenderResult,
)
from rich.containers import Lines
from rich.measure import Measurement
from rich.text import Text
from rich.tree import Tree

from gradtutor.calculus import rules as r
from gradtutor.calculus.derive import WorkedDerivative, WorkedSolution
from gradtutor.calculus.printing import pretty

RULE_STYLE = "bold cyan"
LETTERS = ("u", "v", "w")

FORMULA_QUOTIENT = "(f'g − fg')/g²"
FORMULA_GENERAL_POWER = "f^g·(g'·ln f + g·f'/f)"

GLUE = "\u00a0"  # a space that does not break a line: it holds one item together
_ITEM = re.compile(r"[^ \n]+")
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")


def glued(text: str) -> str:
    """``text`` as one item: an expression, or ``name = expr``, kept on one line."""
    return text.replace(" ", GLUE)


class Wrapped(Text):
    """Text that wraps between items, never inside one where it can help it.

    An item is a run joined by :data:`GLUE` (see :func:`glued`); it is output with
    ordinary spaces. An item too long for a line by itself wraps at its own spaces.
    A wrapped line never ends in a space.
    """

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        plain = self.plain
        spaced = Text(
            plain.replace(GLUE, " "),
            style=self.style,
            justify=self.justify,
            overflow=self.overflow,
            no_wrap=self.no_wrap,
            end=self.end,
            tab_size=self.tab_size,
            spans=list(self._spans),
        )
        no_wrap = bool(no_wrap if no_wrap is not None else self.no_wrap) or overflow == "ignore"
        pieces = spaced.split("\n", allow_blank=True)
        shapes = plain.split("\n")
        if no_wrap or "\t" in plain or len(pieces) != len(shapes):
            return spaced.wrap(
                console,
                width,
                justify=justify,
                overflow=overflow,
                tab_size=tab_size,
                no_wrap=no_wrap,
            )
        wrap_justify = justify or self.justify or "default"
        wrap_overflow = overflow or self.overflow or "fold"
        lines = Lines()
        for line, shape in zip(pieces, shapes, strict=True):
            new_lines = line.divide(_breaks(console, _shape(shape, width), width))
            for piece in new_lines:
                piece.rstrip()
                piece.rstrip_end(width)
            new_lines.justify(console, width, justify=wrap_justify, overflow=wrap_overflow)
            for piece in new_lines:
                piece.truncate(width, overflow=wrap_overflow)
            lines.extend(new_lines)
        return lines

    def __rich__(self) -> _Render:
        # Console.print joins plain Text objects into one (losing this class): render
        # through a wrapper so that wrap() above is always the one used.
        return _Render(self)


class _Render:
    def __init__(self, text: Wrapped) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return Text.__rich_console__(self.text, console, options)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Text.__rich_measure__(self.text, console, options)


def _shape(line: str, width: int) -> str:
    """The line as the line breaker sees it: glued items as single words (same widths),
    except an item wider than a whole line, which may break at its spaces."""

    def item(match: re.Match[str]) -> str:
        word = match.group()
        return word.replace(GLUE, " " if cell_len(word) > width else "_")

    return _ITEM.sub(item, line)


def _breaks(console: Console, shape: str, width: int) -> list[int]:
    """Where rich's own word wrap breaks ``shape`` into lines of ``width`` cells: the index
    at which each line after the first starts. Found through ``Text.wrap`` (rich's breaker
    is not public), which gives the lines, not their places: a line starts where the one
    before it ended, past the spaces rich dropped at the break (it drops them only when the
    next line starts with a word). The same breaks as rich's, except where a line is
    narrower than one wide character (漢 on a line of 1 cell), which neither can show."""
    starts: list[int] = []
    at = 0
    for number, line in enumerate(Text(shape).wrap(console, width, overflow="fold")):
        piece = line.plain
        if not shape.startswith(piece, at):
            at = len(shape) - len(shape[at:].lstrip())
        if number:
            starts.append(at)
        at += len(piece)
    return starts


def print_trimmed(console: Console, *renderables: RenderableType) -> None:
    """Print; to a file or pipe without the spaces rich pads lines with on the right."""
    if console.is_terminal:
        console.print(*renderables)
        return
    with console.capture() as capture:
        console.print(*renderables)
    text = "\n".join(_TRAILING.sub(r"\1", line) for line in capture.get().split("\n"))
    console.file.write(text)
    console.file.flush()


def render_explain(solution: WorkedSolution, *, brief: bool = False) -> RenderableType:
    """The whole worked solution: every derivative, then the gradient vector if asked for."""
    parts: list[RenderableType] = []
    for worked in solution.derivatives:
        if parts:
            parts.append(Text(""))
        parts.append(render_worked(worked, brief=brief))
    if solution.gradient is not None:
        parts.append(Text(""))
        parts.append(_gradient_line(solution))
    elif solution.value is not None:  # derivatives inside a larger expression: 3·d/dx(x²)
        parts.append(Text(""))
        parts.append(Wrapped.assemble(("answer: ", "bold"), (_g(solution.value), "bold green")))
    return Group(*parts)


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_STEP_START = re.compile(r"^(?:[│ ]   )*[├└]── ")


def reveal_chunks(printed: str) -> list[str]:
    """A printed worked solution cut into what one Enter reveals, in the order a learner works
    it: the header, then each step (with its wrapped lines) after the steps inside it —
    innermost first, so no line gives away a result its sub-steps have not yet shown — then
    each result, simplify and gradient line.

    ``printed`` may carry colour codes; they are kept, and ignored when cutting."""
    return _inner_steps_first(_cut(printed))


def _inner_steps_first(chunks: list[str]) -> list[str]:
    """The rule-tree steps of ``chunks`` in post-order (a step after its sub-steps, siblings in
    order); every other chunk (a header, a result) stays where it is and closes the tree."""
    ordered: list[str] = []
    open_steps: list[tuple[int, str]] = []  # (depth, chunk), parents below children
    for chunk in chunks:
        first = next((ln for ln in _ANSI.sub("", chunk).split("\n") if ln.strip()), "")
        start = _STEP_START.match(first)
        if start is None:
            ordered.extend(c for _, c in reversed(open_steps))
            open_steps.clear()
            ordered.append(chunk)
            continue
        depth = len(start.group(0))
        while open_steps and open_steps[-1][0] >= depth:
            ordered.append(open_steps.pop()[1])
        open_steps.append((depth, chunk))
    ordered.extend(c for _, c in reversed(open_steps))
    return ordered


def _cut(printed: str) -> list[str]:
    """The printed solution cut at each header, step, result, simplify and gradient line."""
    chunks: list[list[str]] = []
    blank: list[str] = []
    for line in printed.split("\n"):
        plain = _ANSI.sub("", line)
        if not plain.strip():
            blank.append(line)
            continue
        continuation = plain[0] in "│ " and not _STEP_START.match(plain)
        if continuation and chunks:
            chunks[-1].extend([*blank, line])
        else:
            chunks.append([*blank, line])
        blank = []
    return ["\n".join(chunk) for chunk in chunks]


def render_worked(worked: WorkedDerivative, *, brief: bool = False) -> RenderableType:
    """One derivative: the operator applied, the rule tree, the result and the simplify step."""
    partial = worked.partial
    header = Wrapped(glued(r.applied(worked.variable, worked.expr, partial=partial)), style="bold")
    if worked.held:
        names = _and(str(s) for s in worked.held)
        verb = "is" if len(worked.held) == 1 else "are"
        header.append(f"    {names} {verb} held constant", style="dim")
    tree = Tree(header, guide_style="dim")
    _add(tree, worked.steps, partial=partial, brief=brief, seen=set())
    lines: list[RenderableType] = [tree]
    raw, simple = worked.result, worked.simplified
    raw_text = glued(result_text(worked.steps))
    lines.append(Wrapped.assemble(("result: ", "bold"), raw_text))
    if pretty(simple) != pretty(raw):
        lines.append(
            Wrapped.assemble(
                ("simplify", "bold"),
                (" (algebra, not calculus): ", "dim"),
                f"{raw_text} = ",
                (_g(simple), "bold green"),
            )
        )
    return Group(*lines)


def _add(
    parent: Tree, node: r.Rule, *, partial: bool, brief: bool, seen: set[tuple[str, str]]
) -> None:
    key = (sympy.srepr(node.expr), str(node.variable))
    repeated = key in seen and not node.is_atomic
    line = _folded(node, partial) if brief and is_trivial(node) else describe(node, partial=partial)
    if repeated:
        line.append("   (worked above)", style="dim")
    branch = parent.add(line)
    seen.add(key)
    if repeated:
        return
    for step in _shown_substeps(node):
        if brief and (step.is_atomic or (is_trivial(step) and isinstance(node, r.SumRule))):
            continue  # its result is on this line already
        _add(
            branch, step, partial=partial and step.variable == node.variable, brief=brief, seen=seen
        )


def is_trivial(node: r.Rule) -> bool:
    """A step with nothing to learn in it: a constant times x, whose derivative is the constant
    (5·d/dx x = 5·1 = 5). ``brief`` folds it into the line of the sum it is a term of."""
    return isinstance(node, r.ConstantMultipleRule) and isinstance(node.substep, r.IdentityRule)


def _folded(node: r.Rule, partial: bool) -> Text:
    text = Wrapped()
    text.append(f"{glued(node.name)}: ", style=RULE_STYLE)
    text.append(f"{_op(node, partial)} = {_g(node.result)}")
    return text


def _shown_substeps(node: r.Rule) -> tuple[r.Rule, ...]:
    if isinstance(node, r.ChainRule):
        return (node.inner_step,)  # the outer step, f'(u), is shown on the chain's own line
    return node.substeps


def describe(node: r.Rule, *, partial: bool = False) -> Text:
    """One line: the rule's name, then the substitution and its result."""
    text = Wrapped()
    text.append(f"{glued(node.name)}: ", style=RULE_STYLE)
    text.append(_body(node, partial))
    return text


def _op(node: r.Rule, partial: bool) -> str:
    return glued(r.applied(node.variable, node.expr, partial=partial))


def _g(expr: sympy.Expr) -> str:
    """pretty(expr) as one item of a line."""
    return glued(pretty(expr))


def _t(expr: sympy.Expr) -> str:
    """An expression as typed (its sums' terms in the learner's order) as one item of a line."""
    return glued(r.shown(expr))


def _is(name: str, expr: sympy.Expr | str) -> str:
    """``name = expr`` (an expression as typed) as one item of a line."""
    return glued(f"{name} = {expr if isinstance(expr, str) else r.shown(expr)}")


def result_text(node: r.Rule) -> str:
    """The node's result; for a sum (or product rule), the terms' results in the order of the
    terms (as typed), when adding them up changes nothing but the order (zeros dropped)."""
    terms: list[str] = []
    if isinstance(node, r.SumRule):
        terms = [result_text(t) for t in node.terms if t.result != 0]
    elif isinstance(node, r.ProductRule):  # u'v + uv', in the order the rule wrote them
        terms = [pretty(t) for t in node.terms(tuple(f.result for f in node.factors)) if t != 0]
    if terms and sorted(terms) == sorted(pretty(t) for t in sympy.Add.make_args(node.result)):
        return _sum(terms)
    return pretty(node.result)


def _unevaluated(build: Callable[[], sympy.Expr]) -> sympy.Expr:
    with sympy.evaluate(False):
        return build()


def _wrap(expr: sympy.Expr, *, typed: bool = False) -> str:
    """pretty(expr), bracketed when it is a sum or starts with a minus (to sit in a product);
    ``typed``: an expression as typed, its sums' terms in the learner's order."""
    text = r.shown(expr) if typed else pretty(expr)
    return f"({text})" if expr.is_Add or text.startswith("−") else text


def _times(*factors: sympy.Expr | str) -> str:
    """A product; a str factor is already printed (and wrapped)."""
    return "·".join(f if isinstance(f, str) else _wrap(f) for f in factors)


def _sum(terms: list[str]) -> str:
    out = terms[0] if terms else "0"
    for term in terms[1:]:
        out += f" − {term[1:]}" if term.startswith("−") else f" + {term}"
    return out


def _then(shown: str, result: sympy.Expr, terms: list[str] | None = None) -> str:
    """'shown', then ' = result' when sympy's arithmetic changes more than the order of terms.

    Each side is one item of the line (see :func:`glued`)."""
    last = pretty(result)
    if shown == last:
        return glued(shown)
    if terms is not None:
        mine = sorted(t for t in terms if t != "0")
        if mine == sorted(pretty(t) for t in sympy.Add.make_args(result)):
            return glued(shown)
    return f"{glued(shown)} = {glued(last)}"


def _body(node: r.Rule, partial: bool) -> str:
    op = _op(node, partial)
    result = node.result
    if isinstance(node, r.PowerRule):
        n, x = node.exponent, node.variable
        if n.is_Integer and n > 0:
            brought = _times(n, x ** (n - 1)) if n != 2 else f"2{x}"
            return f"{op} = {_then(brought, result)}"
        as_power = f"{x}^({pretty(n)})"
        brought = glued(f"{pretty(n)}·{x}^({pretty(n - 1)})")
        rewrite = "" if r.shown(node.expr) == as_power else f"{glued(f'd/d{x} {as_power}')} = "
        return f"{op} = {rewrite}{brought} = {_g(result)}"
    if isinstance(node, r.ConstantMultipleRule):
        inner = r.applied(node.variable, node.other, partial=partial)
        shown = _times(node.constant, node.substep.result)
        return f"{op} = {glued(f'{_wrap(node.constant)}·{inner}')} = {_then(shown, result)}"
    if isinstance(node, r.SumRule):
        pieces = " + ".join(
            glued(r.applied(t.variable, t.expr, partial=partial)) for t in node.terms
        )
        terms = [pretty(t.result) for t in node.terms]
        return f"{op} = {pieces} = {_then(_sum(terms), result, terms)}"
    if isinstance(node, r.ProductRule):
        return _product(node, op)
    if isinstance(node, r.QuotientRule):
        f, g = node.numerator, node.denominator
        g_typed = _wrap(g.expr, typed=True)
        top = _sum([_times(f.result, g_typed), "−" + _times(_wrap(f.expr, typed=True), g.result)])
        shown = f"({top})/{g_typed if not g.expr.is_Pow else f'({r.shown(g.expr)})'}²"
        given = f"{_is('f', f.expr)}, {_is('g', g.expr)}: {_derivatives(f, g)}"
        return f"{op} = {glued(FORMULA_QUOTIENT)} with {given} → {glued(shown)} = {_g(result)}"
    if isinstance(node, r.ChainRule):
        u, outer = node.u, node.outer
        at_inner = _unevaluated(lambda: r.in_shown_order(outer.result).xreplace({u: node.inner}))
        shown = f"{_wrap(at_inner, typed=True)}·{_wrap(node.inner_step.result)}"
        outer_rule = glued(f"f'({u}) = {pretty(outer.result)} ({outer.name})")
        inner_rule = _is(f"{u}'", node.inner_step.result)
        given = f"{_is(str(u), node.inner)}, {_is(f'f({u})', outer.expr)}"
        return (
            f"{op} = f'({u})·{u}' with {given}: {outer_rule}, {inner_rule} → {_then(shown, result)}"
        )
    if isinstance(node, r.GeneralPowerRule):
        f, g = node.base, node.exponent
        given = f"{_is('f', f.expr)}, {_is('g', g.expr)}: {_derivatives(f, g)}"
        return f"{op} = {glued(FORMULA_GENERAL_POWER)} with {given} → {_g(result)}"
    if isinstance(node, r.RewriteRule):
        return f"{_t(node.expr)} = {_t(node.rewritten)}, then differentiate that"
    if isinstance(node, r.HeldConstantRule):
        return f"{op} = 0"
    if isinstance(node, r.UnknownRule):
        return f"{op} = {_g(result)}   (gradtutor has no rule for this; sympy computed it)"
    return f"{op} = {_g(result)}"


def _derivatives(f: r.Rule, g: r.Rule) -> str:
    """``f' = …, g' = …``, each one item."""
    return ", ".join((_is("f'", f.result), _is("g'", g.result)))


def _product(node: r.ProductRule, op: str) -> str:
    n = len(node.factors)
    names = list(LETTERS[:n]) if n <= 3 else [f"f{i + 1}" for i in range(n)]
    formula = glued(
        " + ".join(
            "".join(f"{name}'" if i == j else name for j, name in enumerate(names))
            for i in range(n)
        )
    )
    pairs = list(zip(names, node.factors, strict=True))
    given = ", ".join(_is(name, f.expr) for name, f in pairs)
    derivatives = ", ".join(_is(f"{name}'", f.result) for name, f in pairs)
    terms = [
        _times(
            *(f.result if i == j else _wrap(f.expr, typed=True) for j, f in enumerate(node.factors))
        )
        for i in range(n)
    ]
    shown = _then(_sum(terms), node.result, terms)
    return f"{op} = {formula} with {given}: {derivatives} → {shown}"


def _gradient_line(solution: WorkedSolution) -> Text:
    derivatives = solution.derivatives
    names = ", ".join(f"∂f/∂{d.variable}" for d in derivatives)
    assert solution.gradient is not None
    # each component as its derivative above ended: the same terms in the same order
    values = ", ".join(glued(_last_shown(d)) for d in derivatives)  # breaks between components
    return Wrapped.assemble(
        ("gradient: ", "bold"), f"∇f = ({names}) = ", (f"({values})", "bold green")
    )


def _last_shown(worked: WorkedDerivative) -> str:
    """The derivative as its worked solution last showed it: the simplified form when the
    simplify step changed it, else the result in the order of the terms as typed."""
    if pretty(worked.simplified) != pretty(worked.result):
        return pretty(worked.simplified)
    return result_text(worked.steps)


def _and(names: Iterable[str]) -> str:
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
