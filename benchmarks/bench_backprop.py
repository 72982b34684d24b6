"""Speed of the backprop lab, each figure beside a baseline measured in the same run.

    python benchmarks/bench_backprop.py           # full
    python benchmarks/bench_backprop.py --quick   # fewer repeats

1. Forward + backward of a ~1,000-node graph (target ≤ 10 ms).
   Baseline: sympy.diff of the same expression for w and b, then evalf at the point.
2. A 2-16-16-1 network on a batch of 32, forward + backward with numpy (target ≤ 5 ms).
   Baseline: the same gradients by central finite differences (2 forward passes per parameter).
3. Drawing a 40-node graph with rich at 80 columns (target ≤ 20 ms).
   Baseline: the same rows written with plain f-strings (no rich).
4. The first prompt of --practice after starting the command (target ≤ 0.6 s).
   Baselines: `python -c "import gradtutor"`, `python -c "import sympy"` and
   `gradtutor --help` as subprocesses, interleaved with it.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import sympy
from rich.console import Console
from sympy.core.cache import clear_cache
from timing import describe, timings

from gradtutor.calculus.functions import sigmoid
from gradtutor.network.graph import backprop, backward, build_graph, forward_values
from gradtutor.network.layers import NetSpec, forward_backward, make_params
from gradtutor.render.backprop import render_backprop

ROOT = Path(__file__).resolve().parent.parent


def big_graph() -> tuple[sympy.Expr, dict[str, float]]:
    """L = Σₖ (σ(w·xₖ + b) − yₖ)² over 125 examples: ~1,000 nodes; w and b fan out 125 ways."""
    w, b = sympy.symbols("w b")
    at = {"w": 0.5, "b": -0.25}
    terms = []
    for k in range(125):
        x, y = sympy.symbols(f"x{k} y{k}")
        at[x.name], at[y.name] = (k % 7) / 3 - 1, k % 2
        terms.append((sigmoid(w * x + b) - y) ** 2)
    return sympy.Add(*terms), at


def bench_graph(repeat: int) -> None:
    expr, at = big_graph()
    graph = build_graph(expr)

    def ours() -> None:
        values = forward_values(graph, at)
        backward(graph, values)

    print(f"1. graph of {len(graph.nodes)} nodes, forward + backward (target ≤ 10 ms)")
    print(f"   backprop lab           {describe(timings(ours, repeat))}")
    symbols = sorted(expr.free_symbols, key=str)
    point = {s: sympy.Float(at[s.name]) for s in symbols}

    shared = [s for s in symbols if s.name in ("w", "b")]

    def baseline() -> None:
        clear_cache()  # sympy would otherwise return the derivative from its cache
        for s in shared:
            sympy.diff(expr, s).xreplace(point).evalf()  # (evalf(subs=…) takes ~50 s here)

    print(
        f"   sympy.diff + evalf     {describe(timings(baseline, 3))}"
        f"  (∂L/∂w and ∂L/∂b only; backprop gives all {len(symbols)})"
    )


def bench_net(repeat: int) -> None:
    spec = NetSpec(sizes=(2, 16, 16, 1), activation="tanh", loss="mse", seed=0, batch=32)
    weights, biases, x, y = make_params(spec)

    def ours() -> None:
        forward_backward(spec, weights, biases, x, y)

    print("2. 2-16-16-1 network, batch 32, forward + backward (target ≤ 5 ms)")
    print(f"   numpy backprop         {describe(timings(ours, repeat))}")

    def baseline() -> None:
        h = 1e-6
        for params in (*weights, *biases):
            flat = params.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + h
                forward_backward(spec, weights, biases, x, y)
                flat[i] = old - h
                forward_backward(spec, weights, biases, x, y)
                flat[i] = old

    count = sum(p.size for p in (*weights, *biases))
    print(
        f"   finite differences     {describe(timings(baseline, max(1, repeat // 100)))}"
        f"  ({count} parameters)"
    )


def forty_node_result():  # type: ignore[no-untyped-def]
    text = (
        "(σ(w*x + b) - y)^2 + (tanh(w*y - b*x) - x)^2 + ln(1 + w^2*b^2) + exp(-x*y)*relu(w - b)"
        " + σ(x*y*w)*b + sin(w*x)/(1 + y^2)"
    )
    from gradtutor.network.graph import graph_from_text, parse_at

    graph = graph_from_text(text)
    values, texts = parse_at("w=0.5,x=2,b=-1,y=1")
    return backprop(graph, values, at_text=texts)


def bench_drawing(repeat: int) -> None:
    result = forty_node_result()

    def ours() -> None:
        fresh = dataclasses.replace(result)  # no cached number texts: format them every time
        console = Console(file=io.StringIO(), width=80, color_system=None)
        console.print(render_backprop(fresh, 80))

    print(f"3. drawing a {len(result.graph.nodes)}-node graph at 80 columns (target ≤ 20 ms)")
    print(f"   rich drawing           {describe(timings(ours, repeat))}")

    def baseline() -> None:
        out = io.StringIO()
        for node in result.graph.nodes:
            out.write(
                f"{node.id:3} {node.op:8} {node.label[:30]:30} "
                f"{result.values[node.id]:12.4g} {result.grads[node.id]:12.4g}\n"
            )

    print(f"   plain f-strings        {describe(timings(baseline, repeat))}")


def first_prompt_seconds() -> float:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gradtutor",
            "backprop",
            "(σ(w*x + b) - y)^2",
            "--at",
            "w=0.5,x=2,b=-1,y=1",
            "--practice",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("[1/"):
            elapsed = time.perf_counter() - start
            break
    else:  # pragma: no cover - the command failed
        raise RuntimeError("no practice prompt")
    process.kill()
    process.wait()
    return elapsed


def subprocess_seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], capture_output=True, cwd=ROOT, check=True)
    return time.perf_counter() - start


def bench_first_prompt(repeat: int) -> None:
    """Interleaved: one run of each in turn, so a busy moment falls on all of them."""
    print("4. first --practice prompt after starting the command (target ≤ 0.6 s)")
    cases = {
        "backprop --practice": first_prompt_seconds,
        "python -c 'import gradtutor'": lambda: subprocess_seconds(["-c", "import gradtutor"]),
        "python -c 'import sympy'": lambda: subprocess_seconds(["-c", "import sympy"]),
        "gradtutor --help": lambda: subprocess_seconds(["-m", "gradtutor", "--help"]),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, case in cases.items():
            samples[name].append(case())
    for name, times in samples.items():
        print(f"   {name:<28} {describe(times)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    quick = parser.parse_args().quick
    bench_graph(20 if quick else 200)
    bench_net(50 if quick else 500)
    bench_drawing(20 if quick else 100)
    bench_first_prompt(3 if quick else 15)


if __name__ == "__main__":
    main()
