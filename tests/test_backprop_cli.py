"""`gradtutor backprop EXPR --at …`: the drawing, the --json contract, bad input → exit 2."""

from __future__ import annotations

import json

import pytest
import sympy
from typer.testing import CliRunner

from gradtutor.calculus.parsing import parse
from gradtutor.cli.app import app

runner = CliRunner()


def run(*args: str, columns: int = 80, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(
        app, list(args), input=input, env={"NO_COLOR": "1", "COLUMNS": str(columns)}
    )
    return result.exit_code, result.stdout, result.stderr


def test_json_contract_fields_and_values() -> None:
    code, out, _ = run("backprop", "x*w + w^2", "--at", "x=3,w=2", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"expression", "at", "output", "nodes", "order", "params"}
    assert data["expression"] == "x*w + w^2"
    assert data["at"] == {"x": 3, "w": 2}
    assert data["output"] == 10
    for node in data["nodes"]:
        assert set(node) == {"id", "op", "label", "inputs", "value", "grad"}
    assert data["order"] == [n["id"] for n in data["nodes"]]
    assert set(data["params"]) == {"x", "w"}
    assert data["params"]["w"]["value"] == 2
    assert data["params"]["w"]["grad"] == 7
    assert data["params"]["w"]["numeric_grad"] == pytest.approx(7, rel=1e-8)
    assert data["params"]["x"]["grad"] == 2


def test_json_labels_read_back_through_the_parser() -> None:
    _, out, _ = run("backprop", "(σ(w*x + b) - y)^2", "--at", "w=0.5,x=2,b=-1,y=1", "--json")
    data = json.loads(out)
    point = {sympy.Symbol(k): sympy.nsimplify(v) for k, v in data["at"].items()}
    for node in data["nodes"]:
        value = float(parse(node["label"]).value.subs(point).evalf(20))
        assert value == pytest.approx(node["value"], abs=1e-12)
    by_label = {n["label"]: n for n in data["nodes"]}
    assert by_label["σ(w*x + b)"]["value"] == 0.5
    assert by_label["w*x + b"]["grad"] == -0.25
    assert data["output"] == 0.25


def test_wrt_limits_params() -> None:
    code, out, _ = run(
        "backprop", "(σ(w*x + b) - y)^2", "--at", "w=0.5,x=2,b=-1,y=1", "--wrt", "w,b", "--json"
    )
    assert code == 0
    assert list(json.loads(out)["params"]) == ["w", "b"]


def test_drawing_shows_fanout_sum_and_check_at_80_columns() -> None:
    code, out, _ = run("backprop", "x*w + w^2", "--at", "x=3,w=2")
    assert code == 0
    assert "∂L/∂w = 3 × 1 + 4 × 1 = 3 + 4 = 7: w is used twice" in out
    assert "Gradient check" in out
    assert "\x1b[" not in out  # NO_COLOR and not a terminal: plain text
    assert max(len(line) for line in out.splitlines()) <= 80


def test_drawing_shows_exact_values_where_short() -> None:
    code, out, _ = run("backprop", "σ(3*x)", "--at", "x=1")
    assert code == 0
    assert "σ(3) ≈ 0.9526" in out


def test_long_graph_is_folded() -> None:
    expr = " + ".join(f"σ({k}*x)" for k in range(2, 20))
    code, out, _ = run("backprop", expr, "--at", "x=0.1")
    assert code == 0
    assert "nodes folded" in out
    assert "steps folded" in out
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["w*x + b", "--at", "w=1,x=2"], "no value for b"),
        (["w*x", "--at", "w=1,x=2,q=1"], "q is not a variable of the expression"),
        (["w*x", "--at", "w=1,x=zz"], "x='zz' is not a number"),
        (["w*x", "--at", "w=1,x=2", "--wrt", "w*x"], "--wrt w*x: not a leaf"),
        (["ln(x - 3)", "--at", "x=1"], "(ln(x - 3)) is undefined at this point"),
        (["1/(x - 1)", "--at", "x=1"], "(1/(x - 1)) is undefined"),
        (["w*x +", "--at", "w=1,x=2"], "backprop:"),
        (["w*x"], "--at"),
        (["asin(x)", "--at", "x=0.5"], "no rule for asin"),
        (["x^2", "--at", "x=10^400"], "x = 10^400 is too large for float64"),
        (["sqrt(x)", "--at", "x=0"], "(x^(1/2)) is undefined at this point: its derivative"),
        (["exp(x)", "--at", "x=1000"], "exp(1000) overflows float64"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    code, _, err = run("backprop", *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_bad_input_with_json_writes_an_error_object() -> None:
    code, out, _ = run("backprop", "w*x + b", "--at", "w=1,x=2", "--json")
    assert code == 2
    assert "no value for b" in json.loads(out)["error"]["message"]


def test_small_graph_is_drawn_as_a_tree_with_the_shared_node_once() -> None:
    code, out, _ = run("backprop", "x*w + w^2", "--at", "x=3,w=2")
    assert code == 0
    lines = out.splitlines()
    assert "#4 + x*w + w^2 = 10   ∂L/∂ = 1" in lines
    assert "│   └── #1 w = 2   ∂L/∂ = 7" in lines
    assert "    └── ↑ #1 w (used again)" in lines


def test_large_graph_has_no_tree() -> None:
    expr = " + ".join(f"σ({k}*x)" for k in range(2, 12))
    code, out, _ = run("backprop", expr, "--at", "x=0.1")
    assert code == 0
    assert "Edges, output at the root" not in out


def test_relu_at_its_kink_is_explained_beside_the_check() -> None:
    code, out, _ = run("backprop", "relu(x)", "--at", "x=0")
    assert code == 0
    assert "relu(x) is at its kink (input 0)" in out
