"""Shell completion of the values learners type (typer's protocol, as the shell calls it)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.cli.completion import (
    complete_optimizer,
    complete_quiz_topic,
    complete_surface,
    complete_topic,
)

runner = CliRunner()


def bash(words: str) -> list[str]:
    """What bash would offer for the last word of ``words``."""
    parts = words.split(" ")
    result = runner.invoke(
        app,
        [],
        prog_name="gradtutor",
        env={
            "_GRADTUTOR_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
        },
    )
    assert result.exit_code == 0, result.output
    return result.stdout.split()


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        ("gradtutor learn chai", ["chain-rule"]),
        ("gradtutor learn back", ["backpropagation", "backprop"]),  # lesson id, then quiz topic
        ("gradtutor learn loss", ["loss", "loss-functions"]),
        ("gradtutor quiz --topic pa", ["partial-derivatives"]),
        ("gradtutor quiz -t chain", ["chain-rule"]),
        ("gradtutor descend ros", ["rosenbrock"]),
        ("gradtutor descend bowl -o ad", ["adagrad", "adam", "adamw"]),
        ("gradtutor descend bowl --optimizer sgd,mo", ["sgd,momentum"]),
        ("gradtutor descend bowl -o adam:be", ["adam:betas="]),
    ],
)
def test_completion_offers_the_values(words: str, offered: list[str]) -> None:
    assert bash(words) == offered


def test_completion_of_nothing_offers_every_lesson_in_teaching_order() -> None:
    assert bash("gradtutor learn ")[:4] == [
        "neurons",
        "derivative-rules",
        "chain-rule",
        "partial-derivatives",
    ]


def test_completion_values_come_with_their_titles() -> None:
    assert complete_topic("chain") == [("chain-rule", "The chain rule")]
    assert complete_quiz_topic("power") == [("power-rule", "Constant, power and sum rules")]
    assert complete_surface("ros") == [
        ("rosenbrock", "A curved banana valley: easy to fall into, slow to follow to (1, 1).")
    ]


def test_optimizer_completion_settings_after_a_colon_and_after_a_comma() -> None:
    assert [v for v, _ in complete_optimizer("adam:")] == [
        "adam:lr=",
        "adam:betas=",
        "adam:eps=",
        "adam:weight_decay=",
        "adam:amsgrad=",
        "adam:maximize=",
    ]
    assert complete_optimizer("adam:lr=0.1,we") == [
        ("adam:lr=0.1,weight_decay=", "adam setting, default 0")
    ]
    assert complete_optimizer("momentum:d") == [("momentum:dampening=", "sgd setting, default 0")]
    assert complete_optimizer("adam:lr=0.") == []  # a value: nothing to offer
    assert complete_optimizer("nope:") == []


def test_completion_of_an_unknown_prefix_offers_nothing() -> None:
    assert bash("gradtutor learn zz") == []
    assert bash("gradtutor descend zz") == []
