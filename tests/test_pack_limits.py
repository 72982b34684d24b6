"""A teacher's pack gets the time and size limits of a learner's answer (issue 12).

A 5,000-digit range bound and ``((a^64)^64)^2`` exited 70; ``((((a^64)^64)^64)^64)^64``
and a template asking for the 20th derivative of a power tower hung validate and quiz
past 120 s; a ``where`` that fails for seconds on end took 104 s to validate. Each is now
a pack problem: file, exercise id, reason.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor.cli.app import app
from gradtutor.tutor import templates
from gradtutor.tutor.limited import PACK_SECONDS, generate
from gradtutor.tutor.packs import PackError, load_catalogue

runner = CliRunner()
TOO_MANY = "a number here would have more than 3,900 digits"


def pack(tmp_path: Path, name: str, params: str, *, f: str = "{a}x^2", extra: str = "") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        "format_version = 1\n"
        f'pack = "{name}"\nversion = "1.0.0"\ntitle = "t"\n\n'
        "[[exercise]]\n"
        f'id = "bad.{name}"\ntopic = "chain-rule"\ndifficulty = 1\nkind = "derivative"\n'
        f'f = "{f}"\nparams = {params}\nhints = ["h"]\n{extra}',
        encoding="utf-8",
    )
    return path


def validate(path: Path) -> tuple[int, list[dict[str, str]]]:
    result = runner.invoke(app, ["exercises", "validate", str(path), "--json"])
    return result.exit_code, json.loads(result.stdout)


# -- the size limit, estimated before computing -------------------------------------------


def test_a_5000_digit_range_bound_is_refused_before_int_reads_it() -> None:
    with pytest.raises(templates.TemplateError) as caught:
        templates.parse_param("a", "2.." + "9" * 5000)
    assert str(caught.value) == f"parameter 'a': {TOO_MANY}"


@pytest.mark.parametrize("expression", ["((a^64)^64)^2", "((((a^64)^64)^64)^64)^64"])
def test_a_tower_of_powers_is_refused_before_it_is_computed(expression: str) -> None:
    with pytest.raises(templates.TemplateError) as caught:
        templates.evaluate(expression, {"a": Fraction(9)})
    assert str(caught.value) == f"{expression!r}: {TOO_MANY}"


def test_a_product_of_allowed_numbers_is_held_to_the_limit() -> None:
    # each power has 2,560 digits; the product 5,120
    with pytest.raises(templates.TemplateError) as caught:
        templates.evaluate("a^64 * a^64", {"a": Fraction(10**40)})
    assert str(caught.value) == f"'a^64 * a^64': {TOO_MANY}"
    assert templates.evaluate("a^64", {"a": Fraction(9)}) == Fraction(9**64)


# -- validate and quiz report pack problems, never exit 70 ----------------------------------


@pytest.mark.parametrize(
    ("name", "params", "reason"),
    [
        ("bound", '{ a = "2..' + "9" * 5000 + '" }', f"parameter 'a': {TOO_MANY}"),
        ("pow", '{ a = "2..9", c = "= ((a^64)^64)^2" }', f"'((a^64)^64)^2': {TOO_MANY}"),
        (
            "tower",
            '{ a = "2..9", c = "= ((((a^64)^64)^64)^64)^64" }',
            f"'((((a^64)^64)^64)^64)^64': {TOO_MANY}",
        ),
    ],
)
def test_validate_reports_a_number_too_large_as_a_pack_problem(
    tmp_path: Path, name: str, params: str, reason: str
) -> None:
    path = pack(tmp_path, name, params)
    code, problems = validate(path)
    assert (code, problems) == (1, [{"file": str(path), "id": f"bad.{name}", "reason": reason}])


def test_validate_reports_a_20th_derivative_of_a_power_tower(tmp_path: Path) -> None:
    path = pack(tmp_path, "deriv", '{ a = "2..9" }', f="d^20/dx^20(x^x^x^{a})")
    code, problems = validate(path)
    assert code == 1
    assert [(p["file"], p["id"]) for p in problems] == [(str(path), "bad.deriv")]
    assert "derivative here grows too large to work out" in problems[0]["reason"]


def test_quiz_skips_a_template_too_large_to_build(tmp_path: Path) -> None:
    path = pack(tmp_path, "tower", '{ a = "2..9", c = "= ((((a^64)^64)^64)^64)^64" }')
    result = runner.invoke(
        app, ["quiz", "--pack", str(path), "--count", "1"], input="", env={"NO_COLOR": "1"}
    )
    assert result.exit_code != 70
    assert "Skipping a broken exercise" in result.stdout
    assert TOO_MANY in " ".join(result.stdout.split())


# -- the time limit --------------------------------------------------------------------------

# Each try computes twelve 3,840-digit powers and then fails: 10,000 tries take about 14 s
# on an idle 2-core machine (the pack took 104 s to validate).
_POWERS = ", ".join(f'd{k} = "= (c % 10^60 + {k})^64 % ((10^60)^50 + {k})"' for k in range(12))
SLOW_WHERE = (
    '{ a = "2..9", b = "1..1000000", '
    'c = "= (a*b+1)^64*(a+b)^64*(a-b)^64*(b+2)^64*(a*b-1)^64*(b+3)^64", ' + _POWERS + " }"
)


@pytest.mark.slow
def test_a_where_that_keeps_failing_is_stopped_at_the_pack_time_limit(tmp_path: Path) -> None:
    path = pack(tmp_path, "where", SLOW_WHERE, extra='where = "d0 < 0"\nmax_tries = 10000\n')
    template = load_catalogue([path]).template(f"bad.{path.stem}")
    with pytest.raises(PackError) as caught:
        generate(template, 1)
    assert caught.value.reason == (
        f"seed 1: building the exercise took longer than {PACK_SECONDS:g} s"
    )
    code, problems = validate(path)
    assert (code, problems) == (
        1,
        [
            {
                "file": str(path),
                "id": "bad.where",
                "reason": f"seed 0: building the exercise took longer than {PACK_SECONDS:g} s",
            }
        ],
    )


def test_a_sound_template_still_builds_through_the_worker(tmp_path: Path) -> None:
    path = pack(tmp_path, "fine", '{ a = "2..9" }')
    template = load_catalogue([path]).template(f"bad.{path.stem}")
    exercise = generate(template, 3)
    assert exercise.template_id == "bad.fine"
    assert exercise.parts[0].expected == f"{2 * int(exercise.values['a'])}*x"
