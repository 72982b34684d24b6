"""``gradtutor backprop``: a computational graph with numbers, filled in forward and backward."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from gradtutor.network.graph import Backprop
    from gradtutor.network.layers import NetSpec

HELP = """\
The backprop lab: a computational graph with a value and a gradient on every node.

The forward pass computes every node's value; the backward pass every ∂L/∂node, output \
first, each as local derivative × upstream gradient, summed where a node is used twice. \
Finite differences check the result. With [b]--practice[/b] you fill in the graph \
yourself, node by node, and each entry is diagnosed.

[b]Examples[/b]

  gradtutor backprop "(σ(w*x + b) - y)^2" --at w=0.5,x=2,b=-1,y=1
  gradtutor backprop "x*w + w^2" --at x=3,w=2 --json
  gradtutor backprop "(σ(w*x + b) - y)^2" --at w=0.5,x=2,b=-1,y=1 --wrt w,b --practice
  gradtutor backprop --net 2-3-1 --activation sigmoid --loss mse --seed 1 --batch 4
  gradtutor backprop --deep 20 --activation sigmoid --weight 1

Exit status: 0 done (practice: all right), 1 practice with wrong answers, 2 invalid input, \
3 time limit, 130 interrupted.
"""

TIME_LIMIT = 5.0


def register(app: typer.Typer) -> None:
    app.command("backprop", help=HELP, rich_help_panel="Neural networks")(backprop_command)


def backprop_command(
    expression: Annotated[
        str | None,
        typer.Argument(help="A scalar expression, e.g. '(σ(w*x + b) - y)^2'.", show_default=False),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Values of every variable: NAME=VALUE,…", metavar="POINT"),
    ] = None,
    wrt: Annotated[
        str | None,
        typer.Option(
            "--wrt", help="Parameters whose gradients matter (default: all).", metavar="W,…"
        ),
    ] = None,
    practice: Annotated[
        bool, typer.Option("--practice", help="Fill in the graph yourself, node by node.")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="JSON on stdout (see README: Backprop lab).")
    ] = False,
    net: Annotated[
        str | None,
        typer.Option("--net", help="A small network by its widths, e.g. 2-3-1.", metavar="SIZES"),
    ] = None,
    activation: Annotated[
        str,
        typer.Option(
            "--activation", help="Hidden activation: sigmoid, tanh, relu (--deep: also linear)."
        ),
    ] = "sigmoid",
    loss: Annotated[
        str, typer.Option("--loss", help="Output loss for --net: mse, bce, softmax-ce.")
    ] = "mse",
    seed: Annotated[int, typer.Option("--seed", help="Seed for weights and data.")] = 0,
    batch: Annotated[int, typer.Option("--batch", help="Examples in the batch (--net).")] = 1,
    deep: Annotated[
        int | None,
        typer.Option("--deep", help="A chain of N layers: |∂L/∂aₗ| layer by layer.", metavar="N"),
    ] = None,
    weight: Annotated[
        float | None,
        typer.Option("--weight", help="--deep: the same scalar weight in every layer."),
    ] = None,
    init: Annotated[
        str | None,
        typer.Option("--init", help="--deep: xavier, he or normal:σ (width×width matrices)."),
    ] = None,
    width: Annotated[int, typer.Option("--width", help="--deep --init: layer width.")] = 16,
) -> None:
    modes = [
        name
        for name, given in (("EXPR", expression), ("--net", net), ("--deep", deep))
        if given is not None
    ]
    if len(modes) > 1:
        raise UsageError(f"give one of an expression, --net or --deep, not {' and '.join(modes)}")
    if deep is not None and practice:
        raise UsageError("--practice works with an expression or --net, not --deep")
    if deep is not None:
        _run_deep(deep, activation, weight, init, width, seed, json_output)
    if net is not None:
        _run_net(net, activation, loss, seed, batch, practice, json_output)
    if expression is None:
        raise UsageError("give an expression (or --net / --deep); see gradtutor backprop --help")
    if at is None:
        raise UsageError("give the values of the variables with --at NAME=VALUE,…")
    result = _compute(expression, at, wrt)
    if practice:
        from gradtutor.cli.backprop_practice import run_practice

        raise typer.Exit(int(run_practice(result, json_output=json_output)))
    if json_output:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        raise typer.Exit(ExitCode.OK)
    from gradtutor.render.backprop import render_backprop
    from gradtutor.render.console import make_console

    console = make_console()
    console.print(render_backprop(result, console.width))
    raise typer.Exit(ExitCode.OK)


def _run_net(
    sizes: str,
    activation: str,
    loss: str,
    seed: int,
    batch: int,
    practice: bool,
    json_output: bool,
) -> None:
    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit
    from gradtutor.network.layers import NetSpec, finite_difference_check, parse_sizes

    try:  # a NetError is reported as it is
        with time_limit(TIME_LIMIT):
            spec = NetSpec(parse_sizes(sizes), activation, loss, seed, batch)
            from gradtutor.network.layers import run_net

            result = run_net(spec)
            worst = finite_difference_check(result) if _small(spec) else None
    except TimeLimitExceeded:
        raise _too_slow(f"the network took more than {TIME_LIMIT:g} s") from None
    if practice:
        from gradtutor.cli.backprop_practice import run_net_practice

        raise typer.Exit(int(run_net_practice(result, json_output=json_output)))
    if json_output:
        data = result.to_json()
        data["gradient_check"] = {"max_relative_error": worst}
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        raise typer.Exit(ExitCode.OK)
    from gradtutor.render.backprop_net import render_net
    from gradtutor.render.console import make_console

    make_console().print(render_net(result, worst))
    raise typer.Exit(ExitCode.OK)


def _run_deep(
    depth: int,
    activation: str,
    weight: float | None,
    init: str | None,
    width: int,
    seed: int,
    json_output: bool,
) -> None:
    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit
    from gradtutor.network.deep import DeepSpec, run_deep

    try:  # a DeepError is reported as it is
        with time_limit(TIME_LIMIT):
            result = run_deep(DeepSpec(depth, activation, weight, init, width, seed))
    except TimeLimitExceeded:
        raise _too_slow(f"the chain took more than {TIME_LIMIT:g} s") from None
    if json_output:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        raise typer.Exit(ExitCode.OK)
    from gradtutor.render.backprop_deep import render_deep
    from gradtutor.render.console import make_console

    console = make_console()
    console.print(render_deep(result, console.width))
    raise typer.Exit(ExitCode.OK)


def _small(spec: NetSpec) -> bool:
    """Few enough parameters for a finite-difference check of every one (2 passes each)."""
    params = sum(a * b + b for a, b in zip(spec.sizes[:-1], spec.sizes[1:], strict=True))
    return params * spec.batch <= 20_000


def _compute(expression: str, at: str, wrt: str | None) -> Backprop:
    from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit
    from gradtutor.network.graph import backprop, graph_from_text, parse_at

    names = tuple(n.strip() for n in wrt.split(",") if n.strip()) if wrt else None
    try:  # a GraphError is reported as it is
        with time_limit(TIME_LIMIT):
            graph = graph_from_text(expression)
            values, texts = parse_at(at)
            return backprop(graph, values, wrt=names, at_text=texts)
    except RecursionError:
        raise GradtutorError("the expression is nested too deeply") from None
    except TimeLimitExceeded:
        raise _too_slow(f"the graph could not be computed within {TIME_LIMIT:g} s") from None


def _too_slow(message: str) -> GradtutorError:
    return GradtutorError(message, exit_code=ExitCode.UNDETERMINED)
