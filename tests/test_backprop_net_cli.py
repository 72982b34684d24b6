"""`gradtutor backprop --net …`: shapes shown, the JSON contract, matrix practice."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.network.layer_practice import format_matrix, judge_matrix, matrix_entries
from gradtutor.network.layers import NetSpec, run_net

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input, env={"NO_COLOR": "1", "COLUMNS": "80"})
    return result.exit_code, result.stdout, result.stderr


def _entry(result, key):  # type: ignore[no-untyped-def]
    return next(e for e in matrix_entries(result) if e.key == key)


NET = NetSpec(sizes=(2, 3, 1), activation="sigmoid", loss="mse", seed=1, batch=4)


def test_drawing_shows_every_shape() -> None:
    code, out, _ = run("backprop", "--net", "2-3-1", "--seed", "1", "--batch", "4")
    assert code == 0
    assert "z¹ = W¹x + b¹" in out and "3×2 · 2×4 + 3×1 → 3×4" in out
    assert "∂L/∂W¹ = mean δ¹·xᵀ" in out and "3×4 · 4×2 / 4 → 3×2" in out
    assert "∂ℓ/∂a¹ = W²ᵀδ²" in out and "3×1 · 1×4 → 3×4" in out
    assert "Gradient check" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_json_contract() -> None:
    code, out, _ = run("backprop", "--net", "2-3-1", "--seed", "1", "--batch", "4", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["net"] == "2-3-1" and data["batch"] == 4 and data["loss"] == "mse"
    first = data["layers"][0]
    assert first["shapes"] == {"W": [3, 2], "b": [3, 1], "z": [3, 4]}
    result = run_net(NET)
    np.testing.assert_allclose(first["dW"], result.layers[0].dW, rtol=0, atol=0)
    assert data["loss_value"] == result.loss
    assert data["gradient_check"]["max_relative_error"] < 1e-6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--net", "2-65-1"], "widths up to 64"),
        (["--net", "2-3-1", "--loss", "hinge"], "--loss hinge: choose"),
        (["--net", "2-3-1", "--activation", "gelu"], "--activation gelu: choose"),
        (["--net", "2-3-1", "--batch", "0"], "--batch 0"),
        (["--net", "2-3-1", "--loss", "softmax-ce"], "softmax-ce needs at least 2 outputs"),
    ],
)
def test_bad_network_exits_2(args: list[str], message: str) -> None:
    code, _, err = run("backprop", *args)
    assert code == 2
    assert message in err


def test_matrix_answer_right_to_the_digits_typed() -> None:
    result = run_net(NET)
    entry = _entry(result, "dW1")
    typed = format_matrix(result.layers[0].dW, digits=4)
    assert judge_matrix(result, entry, typed).verdict == "correct"


def test_wrong_shape_is_said_first() -> None:
    result = run_net(NET)
    judgement = judge_matrix(result, _entry(result, "dW1"), "[[1, 2, 3], [4, 5, 6], [7, 8, 9]]")
    assert judgement.verdict == "wrong"
    assert judgement.message == "yours is 3×3; ∂L/∂W¹ is 3×2"


def test_wrong_entries_are_named() -> None:
    result = run_net(NET)
    expected = result.layers[1].dW.copy()  # 1×3
    expected[0, 2] += 0.5
    judgement = judge_matrix(result, _entry(result, "dW2"), format_matrix(expected))
    assert judgement.verdict == "wrong"
    assert judgement.wrong_entries == ((1, 3),)
    assert "1 of 3 entries wrong: (1, 3)" in judgement.message


def test_shape_transposed_twin() -> None:
    # x·δᵀ for δ·xᵀ: the transpose of ∂L/∂W¹ (2×3 for 3×2)
    result = run_net(NET)
    judgement = judge_matrix(result, _entry(result, "dW1"), format_matrix(result.layers[0].dW.T))
    assert judgement.misconception == "backprop_shape_transposed"


def test_batch_mean_missing_twin() -> None:
    # the sum over the batch of 4 instead of the mean: 4 × ∂L/∂W²
    result = run_net(NET)
    judgement = judge_matrix(result, _entry(result, "dW2"), format_matrix(4 * result.layers[1].dW))
    assert judgement.misconception == "backprop_batch_mean_missing"


def test_not_a_matrix_is_feedback() -> None:
    result = run_net(NET)
    judgement = judge_matrix(result, _entry(result, "dW2"), "0.4, 0.2")
    assert judgement.verdict == "invalid"
    assert "give a matrix in brackets" in judgement.message


def test_piped_net_practice_json() -> None:
    result = run_net(NET)
    delta = format_matrix(result.layers[1].delta, digits=5)
    transposed = format_matrix(result.layers[1].dW.T, digits=5)
    right = format_matrix(result.layers[1].dW, digits=5)
    stdin = f"{delta}\n{transposed}\n{right}\nquit\n"
    code, out, _ = run(
        "backprop",
        "--net",
        "2-3-1",
        "--seed",
        "1",
        "--batch",
        "4",
        "--practice",
        "--json",
        input=stdin,
    )
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["node"] for r in records] == ["delta2", "dW2", "db2"]
    assert records[0]["verdict"] == "correct"
    assert records[1]["misconception"] == "backprop_shape_transposed"
    assert records[1]["verdict"] == "correct"
    assert records[2]["verdict"] == "incomplete"
    assert code == 1
