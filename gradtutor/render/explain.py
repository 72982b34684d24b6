"""Worked solutions as rich renderables: one line per rule application, nested where needed.

Each line names the rule and shows the substitution (product rule: u = x², v = sin x, u' = 2x,
v' = cos x → u'v + uv'). A repeated sub-step is worked once; ``brief`` hides the atomic leaves,
whose results their parent's line already shows. The simplify step comes last and is labelled
algebra, so it is never mistaken for calculus.
"""

from __future__ import annotations

import sympy
from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from gradtutor.calculus import rules as r
from gradtutor.calculus.derive import WorkedDerivative, WorkedSolution
from gradtutor.calculus.printing import pretty

RULE_STYLE = "bold cyan"
LETTERS = ("u", "v", "w")


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
    return Group(*parts)


def render_worked(worked: WorkedDerivative, *, brief: bool = False) -> RenderableType:
    """One derivative: the operator applied, the rule tree, the result and the simplify step."""
    partial = worked.partial
    header = Text(r.applied(worked.variable, worked.expr, partial=partial), style="bold")
    if worked.held:
        names = _and(str(s) for s in worked.held)
        verb = "is" if len(worked.held) == 1 else "are"
        header.append(f"    {names} {verb} held constant", style="dim")
    tree = Tree(header, guide_style="dim")
    _add(tree, worked.steps, partial=partial, brief=brief, seen=set())
    lines: list[RenderableType] = [tree]
    raw, simple = worked.result, worked.simplified
    lines.append(Text.assemble(("result: ", "bold"), pretty(raw)))
    if pretty(simple) != pretty(raw):
        lines.append(
            Text.assemble(
                ("simplify", "bold"),
                (" (algebra, not calculus): ", "dim"),
                f"{pretty(raw)} = ",
                (pretty(simple), "bold green"),
            )
        )
    return Group(*lines)


def _add(
    parent: Tree, node: r.Rule, *, partial: bool, brief: bool, seen: set[tuple[str, str]]
) -> None:
    key = (sympy.srepr(node.expr), str(node.variable))
    repeated = key in seen and not node.is_atomic
    line = describe(node, partial=partial)
    if repeated:
        line.append("   (worked above)", style="dim")
    branch = parent.add(line)
    seen.add(key)
    if repeated:
        return
    for step in _shown_substeps(node):
        if brief and step.is_atomic:
            continue
        _add(
            branch, step, partial=partial and step.variable == node.variable, brief=brief, seen=seen
        )


def _shown_substeps(node: r.Rule) -> tuple[r.Rule, ...]:
    if isinstance(node, r.ChainRule):
        return (node.inner_step,)  # the outer step, f'(u), is shown on the chain's own line
    return node.substeps


def describe(node: r.Rule, *, partial: bool = False) -> Text:
    """One line: the rule's name, then the substitution and its result."""
    text = Text()
    text.append(f"{node.name}: ", style=RULE_STYLE)
    text.append(_body(node, partial))
    return text


def _op(node: r.Rule, partial: bool) -> str:
    return r.applied(node.variable, node.expr, partial=partial)


def _unevaluated(build) -> sympy.Expr:  # type: ignore[no-untyped-def]
    with sympy.evaluate(False):
        return build()


def _wrap(expr: sympy.Expr) -> str:
    """pretty(expr), bracketed when it is a sum or starts with a minus (to sit in a product)."""
    text = pretty(expr)
    return f"({text})" if expr.is_Add or text.startswith("−") else text


def _times(*factors: sympy.Expr) -> str:
    return "·".join(_wrap(f) for f in factors)


def _sum(terms: list[str]) -> str:
    out = terms[0] if terms else "0"
    for term in terms[1:]:
        out += f" − {term[1:]}" if term.startswith("−") else f" + {term}"
    return out


def _then(shown: str, result: sympy.Expr, terms: list[str] | None = None) -> str:
    """'shown', then ' = result' when sympy's arithmetic changes more than the order of terms."""
    last = pretty(result)
    if shown == last:
        return shown
    if terms is not None:
        mine = sorted(t for t in terms if t != "0")
        if mine == sorted(pretty(t) for t in sympy.Add.make_args(result)):
            return shown
    return f"{shown} = {last}"


def _body(node: r.Rule, partial: bool) -> str:
    op = _op(node, partial)
    result = node.result
    if isinstance(node, r.PowerRule):
        n, x = node.exponent, node.variable
        if n.is_Integer and n > 0:
            brought = _times(n, x ** (n - 1)) if n != 2 else f"2{x}"
            return f"{op} = {_then(brought, result)}"
        as_power = f"{x}^({pretty(n)})"
        brought = f"{pretty(n)}·{x}^({pretty(n - 1)})"
        rewrite = "" if pretty(node.expr) == as_power else f"d/d{x} {as_power} = "
        return f"{op} = {rewrite}{brought} = {pretty(result)}"
    if isinstance(node, r.ConstantMultipleRule):
        inner = r.applied(node.variable, node.other, partial=partial)
        shown = _times(node.constant, node.substep.result)
        return f"{op} = {_wrap(node.constant)}·{inner} = {_then(shown, result)}"
    if isinstance(node, r.SumRule):
        pieces = " + ".join(r.applied(t.variable, t.expr, partial=partial) for t in node.terms)
        terms = [pretty(t.result) for t in node.terms]
        return f"{op} = {pieces} = {_then(_sum(terms), result, terms)}"
    if isinstance(node, r.ProductRule):
        return _product(node, op)
    if isinstance(node, r.QuotientRule):
        f, g = node.numerator, node.denominator
        top = _sum([_times(f.result, g.expr), "−" + _times(f.expr, g.result)])
        shown = f"({top})/{_wrap(g.expr) if not g.expr.is_Pow else f'({pretty(g.expr)})'}²"
        return (
            f"{op} = (f'g − fg')/g² with f = {pretty(f.expr)}, g = {pretty(g.expr)}: "
            f"f' = {pretty(f.result)}, g' = {pretty(g.result)} → {shown} = {pretty(result)}"
        )
    if isinstance(node, r.ChainRule):
        u, outer = node.u, node.outer
        at_inner = _unevaluated(lambda: outer.result.xreplace({u: node.inner}))
        shown = f"{_wrap(at_inner)}·{_wrap(node.inner_step.result)}"
        return (
            f"{op} = f'({u})·{u}' with {u} = {pretty(node.inner)}, f({u}) = {pretty(outer.expr)}: "
            f"f'({u}) = {pretty(outer.result)} ({outer.name}), {u}' = "
            f"{pretty(node.inner_step.result)} → {_then(shown, result)}"
        )
    if isinstance(node, r.GeneralPowerRule):
        f, g = node.base, node.exponent
        return (
            f"{op} = f^g·(g'·ln f + g·f'/f) with f = {pretty(f.expr)}, g = {pretty(g.expr)}: "
            f"f' = {pretty(f.result)}, g' = {pretty(g.result)} → {pretty(result)}"
        )
    if isinstance(node, r.RewriteRule):
        return f"{pretty(node.expr)} = {pretty(node.rewritten)}, then differentiate that"
    if isinstance(node, r.HeldConstantRule):
        return f"{op} = 0"
    if isinstance(node, r.UnknownRule):
        return f"{op} = {pretty(result)}   (gradtutor has no rule for this; sympy computed it)"
    return f"{op} = {pretty(result)}"


def _product(node: r.ProductRule, op: str) -> str:
    n = len(node.factors)
    names = list(LETTERS[:n]) if n <= 3 else [f"f{i + 1}" for i in range(n)]
    formula = " + ".join(
        "".join(f"{name}'" if i == j else name for j, name in enumerate(names)) for i in range(n)
    )
    pairs = list(zip(names, node.factors, strict=True))
    given = ", ".join(f"{name} = {pretty(f.expr)}" for name, f in pairs)
    derivatives = ", ".join(f"{name}' = {pretty(f.result)}" for name, f in pairs)
    terms = [
        _times(*(f.result if i == j else f.expr for j, f in enumerate(node.factors)))
        for i in range(n)
    ]
    shown = _then(_sum(terms), node.result, terms)
    return f"{op} = {formula} with {given}: {derivatives} → {shown}"


def _gradient_line(solution: WorkedSolution) -> Text:
    derivatives = solution.derivatives
    names = ", ".join(f"∂f/∂{d.variable}" for d in derivatives)
    assert solution.gradient is not None
    values = ", ".join(pretty(g) for g in solution.gradient)
    return Text.assemble(
        ("gradient: ", "bold"), f"∇f = ({names}) = ", (f"({values})", "bold green")
    )


def _and(names) -> str:  # type: ignore[no-untyped-def]
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
