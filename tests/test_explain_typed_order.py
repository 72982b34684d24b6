"""explain keeps the learner's order of terms: heading, sum rule, per-term results, result line."""

from __future__ import annotations

import io

from gradtutor.calculus.derive import solve_task
from gradtutor.render.console import make_console
from gradtutor.render.explain import render_explain


def _text(task: str, *, width: int = 140) -> str:
    out = io.StringIO()
    make_console(file=out, width=width).print(render_explain(solve_task(task)))
    return out.getvalue()


def test_explain_gradient_terms_in_typed_order() -> None:
    text = _text("grad(3x^3z - y^2 + 5z + 2yz)")
    z_part = text.split("\n\n")[2]
    assert z_part == (
        "∂/∂z (3x³z − y² + 5z + 2yz)    x and y are held constant\n"
        "└── sum rule: ∂/∂z (3x³z − y² + 5z + 2yz) = ∂/∂z (3x³z) + ∂/∂z (−y²) + ∂/∂z (5z) "
        "+ ∂/∂z (2yz) = 3x³ + 0 + 5 + 2y\n"
        "    ├── constant multiple rule: ∂/∂z (3x³z) = 3x³·∂/∂z z = 3x³·1 = 3x³\n"
        "    │   └── identity rule: ∂/∂z z = 1\n"
        "    ├── held constant: ∂/∂z (−y²) = 0\n"
        "    ├── constant multiple rule: ∂/∂z (5z) = 5·∂/∂z z = 5·1 = 5\n"
        "    │   └── identity rule: ∂/∂z z = 1\n"
        "    └── constant multiple rule: ∂/∂z (2yz) = 2y·∂/∂z z = 2y·1 = 2y\n"
        "        └── identity rule: ∂/∂z z = 1\n"
        "result: 3x³ + 5 + 2y"
    )
    assert text.splitlines()[0] == "∂/∂x (3x³z − y² + 5z + 2yz)    y and z are held constant"
    assert "= ∂/∂y (3x³z) + ∂/∂y (−y²) + ∂/∂y (5z) + ∂/∂y (2yz) = 0 − 2y + 0 + 2z\n" in text
    # the final simplified gradient may use sympy's order
    assert text.endswith("gradient: ∇f = (∂f/∂x, ∂f/∂y, ∂f/∂z) = (9x²z, −2y + 2z, 3x³ + 5 + 2y)\n")


def test_explain_typed_order_inside_chain_and_quotient() -> None:
    chain = _text("d/dx((1 + 2x)^3)")
    assert chain.splitlines()[0] == "d/dx (1 + 2x)³"
    assert "with u = 1 + 2x, f(u) = u³: f'(u) = 3u² (power rule), u' = 2 → 3(1 + 2x)²·2" in chain
    assert "sum rule: d/dx (1 + 2x) = d/dx 1 + d/dx (2x) = 0 + 2\n" in chain
    quotient = _text("d/dx(x/(1 + x))")
    assert "with f = x, g = 1 + x: f' = 1, g' = 1 → (1·(1 + x) − x·1)/(1 + x)²" in quotient


def test_explain_result_line_keeps_order_only_when_nothing_combines() -> None:
    assert _text("d/dx(x + x^2)").endswith("result: 1 + 2x\n")
    # 2x + 3x combine: the result is sympy's sum, not the terms' results side by side
    assert _text("d/dx(x^2 + 3x^2 + 1)").endswith("result: 8x\n")


def test_explain_second_derivative_shows_sympys_printed_order() -> None:
    # the second pass differentiates an evaluated expression: its terms as they were printed
    text = _text("d^2/dx^2(x^3 + x^2)")
    assert "sum rule: d/dx (3x + 2) = d/dx (3x) + d/dx 2 = 3 + 0\n" in text
