"""One line per layer of a deep chain: |∂L/∂aₗ| as a bar on a log scale."""

from __future__ import annotations

import math

from rich.console import Group, RenderableType
from rich.text import Text

from gradtutor.network.deep import DeepLayer, DeepResult

FOLD_AT = 40
FOLD_KEEP = 18
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def render_deep(result: DeepResult, width: int = 80) -> RenderableType:
    spec = result.spec
    if spec.init is None:
        w = spec.weight if spec.weight is not None else 1.0
        how = f"weight w = {w:g} in every layer (width 1), L = a{str(spec.depth).translate(_SUB)}"
    else:
        how = (
            f"{spec.width}×{spec.width} weights, --init {spec.init} (σ = {result.sigma:.3g}), "
            f"seed {spec.seed}, L = Σ a{str(spec.depth).translate(_SUB)}"
        )
    rows: list[RenderableType] = [
        Text(f"A chain of {spec.depth} {spec.activation} layers: {how}", style="bold")
    ]
    norms = [d.grad_norm for d in result.layers if d.grad_norm > 0]
    low = min(norms) if norms else 1.0
    high = max(norms) if norms else 1.0
    bar_width = max(10, width - 36)
    rows.append(
        Text(
            f"|∂L/∂aₗ| on a log scale: 1 block at {low:.1e}, {bar_width} blocks at {high:.1e}",
            style="dim",
        )
    )
    layers = list(result.layers)
    fold = len(layers) > FOLD_AT
    for i, layer in enumerate(layers):
        if fold and i == FOLD_KEEP:
            rows.append(Text(f"  … {len(layers) - 2 * FOLD_KEEP} layers folded …", style="dim"))
        if fold and FOLD_KEEP <= i < len(layers) - FOLD_KEEP:
            continue
        rows.append(_line(layer, low, high, bar_width))
    rows.append(Text(""))
    rows.extend(_summary(result))
    return Group(*rows)


def _line(layer: DeepLayer, low: float, high: float, bar_width: int) -> Text:
    name = f"a{str(layer.layer).translate(_SUB)}"
    factor = "" if layer.factor is None else f"×{layer.factor:.3g}"
    text = Text(f"{name:>5} {layer.grad_norm:9.2e} {factor:>8}  ")
    if layer.grad_norm == 0:
        text.append("0: no gradient reaches this layer", style="dim")
        return text
    if high == low:
        length = bar_width
    else:
        share = (math.log10(layer.grad_norm) - math.log10(low)) / (
            math.log10(high) - math.log10(low)
        )
        length = 1 + round(share * (bar_width - 1))
    text.append("█" * length, style="cyan")
    return text


def _summary(result: DeepResult) -> list[Text]:
    spec = result.spec
    lines = []
    overall = result.overall
    if overall is None or overall == 0:
        lines.append(Text("No gradient reaches the input: every path passes a closed ReLU."))
    else:
        lines.append(
            Text(
                f"From the top to the input, |∂L/∂a| changed by a factor of {overall:.3g} "
                f"(10^{math.log10(overall):.1f}) over {spec.depth} layers."
            )
        )
    if spec.activation == "sigmoid":
        lines.append(
            Text(
                "Each sigmoid layer multiplies by σ′(z)·w, and σ′(z) = σ(z)(1 − σ(z)) ≤ 1/4: "
                "with |w| ≤ 4 the gradient can only shrink."
            )
        )
    elif spec.activation == "linear" and spec.init is None:
        lines.append(
            Text("A linear layer multiplies by w exactly: |w| > 1 explodes, < 1 vanishes.")
        )
    elif spec.activation == "relu":
        lines.append(
            Text("ReLU passes the gradient unchanged where z > 0 and blocks it where z ≤ 0.")
        )
    lines.append(
        Text(
            "This is vanishing/exploding through depth, not a flat loss surface "
            "(descend's plateau is that other phenomenon).",
            style="dim",
        )
    )
    return lines
