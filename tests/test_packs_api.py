"""The pack format, loader and generate() API that the quiz builds on."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from gradtutor.calculus.parsing import parse
from gradtutor.tutor.packs import (
    Catalogue,
    Exercise,
    PackError,
    Template,
    Topic,
    catalogue_from_files,
    check_files,
    generate,
    load_catalogue,
)

TOPICS = Path(__file__).resolve().parents[1] / "exercises" / "topics.toml"


def write_pack(tmp_path: Path, body: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text('format_version = 1\npack = "mine"\nversion = "0.1"\n' + body, encoding="utf-8")
    return path


POWER = """
[[exercise]]
id = "mine.power-1"
topic = "power-rule"
difficulty = 2
kind = "derivative"
f = "{a}x^{n} + {b}"
params = { a = "2..9", n = "2..6", b = "2..9" }
where = "a != b"
hints = ["Power rule: n*x^(n-1).", "{a}*{n}x^({n}-1)"]
"""


def test_shipped_catalogue_has_the_topics_in_prerequisite_order() -> None:
    catalogue = load_catalogue()
    assert isinstance(catalogue, Catalogue)
    topic = catalogue.topic("gradient")
    assert isinstance(topic, Topic)
    assert topic.prerequisites == ("partial-derivatives",)
    assert catalogue.topic("backprop").lesson == "backpropagation"
    assert catalogue.topic("power-rule").prerequisites == ()


def test_template_fields_and_lookup() -> None:
    catalogue = load_catalogue()
    template = catalogue.template("power.sum-1")
    assert isinstance(template, Template)
    assert template.topics == ("power-rule",)
    assert (template.difficulty, template.kind, template.pack) == (2, "derivative", "rules")
    assert len(template.content_hash) == 64
    assert template in catalogue.by_topic("power-rule")
    with pytest.raises(KeyError):
        catalogue.template("power.no-such-thing")


def test_by_topic_is_sorted_easiest_first() -> None:
    difficulties = [t.difficulty for t in load_catalogue().by_topic("chain-rule")]
    assert difficulties == sorted(difficulties)
    assert difficulties[0] == 1


def test_generate_is_deterministic_and_computes_the_answer(tmp_path: Path) -> None:
    catalogue = catalogue_from_files([TOPICS, write_pack(tmp_path, POWER)])
    template = catalogue.template("mine.power-1")
    first, again = generate(template, 7), generate(template, 7)
    assert isinstance(first, Exercise)
    assert first == again
    a, n, b = (int(first.values[k]) for k in ("a", "n", "b"))
    assert a != b
    assert first.prompt == f"Differentiate f(x) = {a}x^{n} + {b} with respect to x."
    (part,) = first.parts
    assert part.label == ""
    assert part.task == f"d/dx({a}x^{n} + {b})"
    x = sympy.Symbol("x")
    assert sympy.simplify(parse(part.expected).value - sympy.diff(a * x**n + b, x)) == 0
    assert first.hints == ("Power rule: n*x^(n-1).", f"{a}*{n}x^({n}-1)")
    assert (first.topic, first.kind, first.difficulty) == ("power-rule", "derivative", 2)


def test_instances_differ_between_seeds(tmp_path: Path) -> None:
    template = catalogue_from_files([TOPICS, write_pack(tmp_path, POWER)]).template("mine.power-1")
    prompts = {generate(template, seed).prompt for seed in range(20)}
    assert len(prompts) > 5


def test_unmeetable_where_gives_up_after_max_tries(tmp_path: Path) -> None:
    body = POWER.replace('where = "a != b"', 'where = "a > 100"\nmax_tries = 5')
    template = catalogue_from_files([TOPICS, write_pack(tmp_path, body)]).template("mine.power-1")
    with pytest.raises(PackError, match=r"mine.power-1: no parameters met .* in 5 tries"):
        generate(template, 0)


def test_a_wrong_given_answer_is_refused(tmp_path: Path) -> None:
    body = POWER.replace("where =", 'answer = "{a}*{n}*x^{n}"\nwhere =')
    template = catalogue_from_files([TOPICS, write_pack(tmp_path, body)]).template("mine.power-1")
    with pytest.raises(PackError, match="given answer"):
        generate(template, 0)


def test_a_right_given_answer_is_accepted(tmp_path: Path) -> None:
    body = POWER.replace('b = "2..9" }', 'b = "2..9", m = "= n - 1" }')
    body = body.replace("where =", 'answer = "{n}*{a}*x^{m}"\nwhere =')
    template = catalogue_from_files([TOPICS, write_pack(tmp_path, body)]).template("mine.power-1")
    assert generate(template, 0).parts[0].expected


def test_teacher_pack_from_a_directory(tmp_path: Path) -> None:
    write_pack(tmp_path, POWER)
    catalogue = load_catalogue([tmp_path])
    assert catalogue.template("mine.power-1").file == str(tmp_path / "mine.toml")


def test_retired_templates_are_kept_but_not_offered(tmp_path: Path) -> None:
    body = POWER.replace("difficulty = 2", "difficulty = 2\nretired = true")
    catalogue = catalogue_from_files([TOPICS, write_pack(tmp_path, body)])
    assert catalogue.templates == ()
    assert catalogue.template("mine.power-1").retired


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (('id = "mine.power-1"', 'id = "Power 1"'), "id must be lower-case"),
        (('topic = "power-rule"', 'topic = "powr-rule"'), "unknown topic 'powr-rule'"),
        (("difficulty = 2", "difficulty = 7"), "difficulty must be a whole number 1 to 5"),
        (('kind = "derivative"', 'kind = "integral"'), "unknown kind 'integral'"),
        (('where = "a != b"', 'where = "__import__(1)"'), "where:"),
        (('where = "a != b"', 'where = "a != c"'), "where uses 'c', not a parameter"),
        (('f = "{a}x^{n} + {b}"', 'f = "{a}x^{m}"'), "uses {m}, not a parameter"),
        (('n = "2..6"', 'n = "6..2"'), "range '6..2' is empty"),
        (('hints = ["Power rule: n*x^(n-1).",', 'hints = ["",'), "hint 1 is empty"),
        (("where =", "colour = 3\nwhere ="), "does not use 'colour'"),
    ],
)
def test_bad_packs_name_file_id_and_reason(
    tmp_path: Path, change: tuple[str, str], reason: str
) -> None:
    old, new = change
    assert old in POWER
    path = write_pack(tmp_path, POWER.replace(old, new))
    with pytest.raises(PackError) as info:
        catalogue_from_files([TOPICS, path])
    assert str(path) in str(info.value)
    assert reason in info.value.reason


def test_duplicate_ids_across_packs_are_refused(tmp_path: Path) -> None:
    first = write_pack(tmp_path, POWER, "a.toml")
    second = write_pack(tmp_path, POWER, "b.toml")
    with pytest.raises(PackError, match=r"b.toml: mine.power-1: id is already used in .*a.toml"):
        catalogue_from_files([TOPICS, first, second])


def test_wrong_format_version_and_bad_toml(tmp_path: Path) -> None:
    old = tmp_path / "old.toml"
    old.write_text('format_version = 2\nversion = "1"\n', encoding="utf-8")
    with pytest.raises(PackError, match="format_version must be 1, not 2"):
        catalogue_from_files([old])
    broken = tmp_path / "broken.toml"
    broken.write_text("format_version = = 1\n", encoding="utf-8")
    with pytest.raises(PackError, match="not valid TOML"):
        catalogue_from_files([broken])


def test_missing_pack_path(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no such file or directory"):
        load_catalogue([tmp_path / "nope.toml"])


def test_content_hash_changes_with_the_content(tmp_path: Path) -> None:
    first = catalogue_from_files([TOPICS, write_pack(tmp_path, POWER)]).template("mine.power-1")
    changed = POWER.replace('a = "2..9"', 'a = "2..8"')
    second = catalogue_from_files([TOPICS, write_pack(tmp_path, changed)]).template("mine.power-1")
    assert first.content_hash != second.content_hash


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ('kind = "evaluate"\nat = "x = 1"', "'at' must be a table"),
        ('kind = "gradient"\nvars = "x y"', "'vars' must be a list of texts"),
        ('kind = "partial"\nvar = true', "'var' must be text or a number"),
    ],
)
def test_kind_fields_have_the_right_shape(tmp_path: Path, extra: str, reason: str) -> None:
    body = POWER.replace('kind = "derivative"', extra)
    with pytest.raises(PackError, match=reason):
        catalogue_from_files([TOPICS, write_pack(tmp_path, body)])


def test_numbers_work_where_text_is_expected(tmp_path: Path) -> None:
    body = """
[[exercise]]
id = "mine.step-1"
topic = "gradient-descent"
difficulty = 1
kind = "descent-step"
f = "{a}x^2"
start = { x = 3 }
lr = 0.1
params = { a = "1..2" }
hints = ["x₁ = x₀ - lr*f'(x₀)"]
"""
    template = catalogue_from_files([TOPICS, write_pack(tmp_path, body)]).template("mine.step-1")
    exercise = generate(template, 0)
    a = int(exercise.values["a"])
    assert exercise.parts[0].expected == str(sympy.Rational(3) - sympy.Rational(1, 10) * 2 * a * 3)
    assert "learning rate 0.1" in exercise.prompt


def test_a_pack_that_cannot_be_built_is_a_pack_error_not_a_crash(tmp_path: Path) -> None:
    body = POWER.replace('f = "{a}x^{n} + {b}"', 'f = "{a}x^{n} +* {b}"')
    template = catalogue_from_files([TOPICS, write_pack(tmp_path, body)]).template("mine.power-1")
    with pytest.raises(PackError) as info:
        generate(template, 0)
    assert info.value.exercise_id == "mine.power-1"
    assert info.value.reason == (
        'f = "{a}x^{n} +* {b}" (with a = 4, b = 2, n = 5: "4x^5 +* 2"): '
        "'*' needs something before it (column 11)"
    )


def test_a_derivative_at_a_kink_is_refused(tmp_path: Path) -> None:
    body = POWER.replace('kind = "derivative"', 'kind = "evaluate"\nat = { x = "0" }')
    body = body.replace('f = "{a}x^{n} + {b}"', 'f = "relu({a}x) + {b}x"')
    template = catalogue_from_files([TOPICS, write_pack(tmp_path, body)]).template("mine.power-1")
    with pytest.raises(PackError, match=r"the derivative does not exist at x = 0"):
        generate(template, 0)


def test_retiring_keeps_the_content_hash(tmp_path: Path) -> None:
    first = catalogue_from_files([TOPICS, write_pack(tmp_path, POWER)]).template("mine.power-1")
    retired = POWER.replace("difficulty = 2", 'difficulty = 2\nretired = true\nnote = "old"')
    second = catalogue_from_files([TOPICS, write_pack(tmp_path, retired)]).template("mine.power-1")
    assert second.retired
    assert first.content_hash == second.content_hash


def test_check_files_collects_every_problem_in_reading_order(tmp_path: Path) -> None:
    body = POWER + POWER.replace("mine.power-1", "mine.power-2").replace(
        'topic = "power-rule"', 'topic = "nope"'
    )
    body = body.replace("difficulty = 2", "difficulty = 0", 1)
    body += POWER.replace("mine.power-1", "mine.power-3").replace('n = "2..6"', 'n = "6..2"')
    path = write_pack(tmp_path, body)
    checked = check_files([TOPICS, path])
    assert [(p.file, p.exercise_id, p.reason) for p in checked.problems] == [
        (str(path), "mine.power-1", "difficulty must be a whole number 1 to 5, not 0"),
        (str(path), "mine.power-2", "unknown topic 'nope'"),
        (str(path), "mine.power-3", "parameter 'n': range '6..2' is empty"),
    ]
    # a template with a problem of its own is left out; an unknown topic is not its own
    assert [t.id for t in checked.catalogue.all_templates] == ["mine.power-2"]
    with pytest.raises(PackError) as info:
        catalogue_from_files([TOPICS, path])
    assert info.value.reason == "difficulty must be a whole number 1 to 5, not 0"


def test_an_empty_pack_is_a_problem_but_topics_alone_are_not(tmp_path: Path) -> None:
    empty = write_pack(tmp_path, "", "empty.toml")
    with pytest.raises(PackError) as info:
        catalogue_from_files([TOPICS, empty])
    assert (info.value.file, info.value.exercise_id, info.value.reason) == (
        str(empty),
        None,
        "the pack is empty: it has no [[exercise]] tables",
    )
    assert catalogue_from_files([TOPICS]).templates == ()
