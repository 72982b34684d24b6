"""Draw a small network layer by layer, with every shape written out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from gradtutor.network.layer_practice import shape_text, sup
from gradtutor.network.layers import NetResult, output_activation

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

PRINT_MAX = 48  # matrices with more entries show their shape only
_ACT = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu"}
_LOSS = {
    "mse": "ℓ = Σᵢ(ŷᵢ − yᵢ)², ŷ = z (linear output)",
    "bce": "ℓ = −Σᵢ[yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)], p = σ(z)",
    "softmax-ce": "ℓ = −Σᵢ yᵢ ln pᵢ, p = softmax(z)",
}


def _matrix(name: str, array: np.ndarray, indent: str = "    ") -> Text:
    """``W¹ (3×2) = [[0.24,  0.58],`` then one aligned row per line."""
    from gradtutor.network.numbers import fixed

    head = f"{indent}{name} ({shape_text(array.shape)}) = "
    if array.size > PRINT_MAX:
        text = Text(head)
        text.append("(too many entries to print)", style="dim")
        return text
    cells = [[fixed(float(v), 4) for v in row] for row in array]
    width = max(len(c) for row in cells for c in row)
    rows = [", ".join(c.rjust(width) for c in row) for row in cells]
    lines = []
    for i, row in enumerate(rows):
        start = head + "[[" if i == 0 else " " * len(head) + " ["
        end = "]]" if i == len(rows) - 1 else "],"
        lines.append(f"{start}{row}{end}")
    return Text("\n".join(lines))


def _line(left: str, shapes: str, width: int = 34) -> Text:
    text = Text(f"  {left:<{width}}")
    text.append(shapes, style="dim")
    return text


def render_net_forward(result: NetResult) -> RenderableType:
    """The network, its batch and the forward pass: what practice starts from."""
    spec = result.spec
    n = spec.batch
    rows: list[RenderableType] = [
        Text(
            f"Network {'-'.join(map(str, spec.sizes))}: {spec.activation} hidden layers, "
            f"{spec.loss} loss, batch of {n}, seed {spec.seed}",
            style="bold",
        ),
        Text(f"  {_LOSS[spec.loss]}"),
        Text("  L = mean of ℓ over the batch; δ = ∂ℓ/∂z has one column per example"),
        _matrix("x", result.x, "  "),
        _matrix("y", result.y, "  "),
        Text("Forward", style="bold"),
    ]
    last = len(result.layers) - 1
    for i, layer in enumerate(result.layers):
        k = sup(i + 1)
        prev = "x" if i == 0 else f"a{sup(i)}"
        prev_shape = result.x.shape if i == 0 else result.layers[i - 1].a.shape
        rows.append(
            _line(
                f"z{k} = W{k}{prev} + b{k}",
                f"{shape_text(layer.W.shape)} · {shape_text(prev_shape)} + "
                f"{shape_text(layer.b.shape)} → {shape_text(layer.z.shape)}",
            )
        )
        rows.append(_matrix(f"W{k}", layer.W))
        rows.append(_matrix(f"b{k}", layer.b))
        rows.append(_matrix(f"z{k}", layer.z))
        act = _ACT[spec.activation] if i < last else output_activation(spec.loss)
        act = _ACT.get(act, act)
        name = f"a{k}" if i < last else ("ŷ" if spec.loss == "mse" else "p")
        formula = f"{name} = z{k}" if act == "linear" else f"{name} = {act}(z{k})"
        rows.append(_line(formula, shape_text(layer.a.shape)))
        rows.append(_matrix(name, layer.a))
    rows.append(Text(f"  L = {result.loss:.6g}", style="bold"))
    return Group(*rows)


def render_net(result: NetResult, max_error: float | None) -> RenderableType:
    """Forward, then backward layer by layer with shapes, then the gradient check."""
    spec = result.spec
    rows: list[RenderableType] = [render_net_forward(result), Text("Backward", style="bold")]
    last = len(result.layers) - 1
    for i in range(last, -1, -1):
        layer = result.layers[i]
        k = sup(i + 1)
        prev = "x" if i == 0 else f"a{sup(i)}"
        prev_shape = result.x.shape if i == 0 else result.layers[i - 1].a.shape
        if i == last:
            rule = "2(ŷ − y)" if spec.loss == "mse" else "p − y"
            why = {
                "mse": "",
                "bce": "  (σ′ cancels the 1/(p(1 − p)) of BCE)",
                "softmax-ce": "  (the softmax Jacobian times −y/p collapses to p − y)",
            }[spec.loss]
            rows.append(_line(f"δ{k} = ∂ℓ/∂z{k} = {rule}", shape_text(layer.delta.shape) + why))
        else:
            nxt = sup(i + 2)
            rows.append(
                _line(
                    f"δ{k} = (W{nxt}ᵀδ{nxt}) ⊙ {_ACT[spec.activation]}′(z{k})",
                    f"{shape_text(layer.delta.shape)} ⊙ {shape_text(layer.z.shape)}",
                )
            )
        rows.append(_matrix(f"δ{k}", layer.delta))
        rows.append(
            _line(
                f"∂L/∂W{k} = mean δ{k}·{prev}ᵀ",
                f"{shape_text(layer.delta.shape)} · {shape_text(prev_shape[::-1])} / "
                f"{spec.batch} → {shape_text(layer.dW.shape)}",
            )
        )
        rows.append(_matrix(f"∂L/∂W{k}", layer.dW))
        rows.append(_line(f"∂L/∂b{k} = mean δ{k}", shape_text(layer.db.shape)))
        rows.append(_matrix(f"∂L/∂b{k}", layer.db))
        if i > 0:
            rows.append(
                _line(
                    f"∂ℓ/∂{prev} = W{k}ᵀδ{k}",
                    f"{shape_text(layer.W.shape[::-1])} · {shape_text(layer.delta.shape)} → "
                    f"{shape_text(layer.da_prev.shape)}  (a vector–Jacobian product)",
                )
            )
    if max_error is not None:
        rows.append(
            Text(
                "Gradient check, every weight and bias against central differences: "
                f"largest |backprop − numeric| / max(|backprop|, |numeric|, 10⁻³) = "
                f"{max_error:.1e}"
            )
        )
    return Group(*rows)
