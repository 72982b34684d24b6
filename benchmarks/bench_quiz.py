"""Benchmarks for judging quiz answers to numeric questions.

Run: python benchmarks/bench_quiz.py

Each line prints median / p99 / max beside a baseline measured in the same run:

* judge_decimal on a decimal against an exact value with sigmoids; baseline: sympy.N of the
  same value to 15 digits.
* one wrong answer to each shipped numeric template, judged as the quiz does (exact check,
  decimal judge, numeric twins); baseline: the engine's exact check alone.
* the numeric twins of each shipped numeric template (built once per question); baseline:
  generating the exercise.
"""

from __future__ import annotations

import sympy
from timing import describe, timings

from gradtutor.calculus.decimal_answer import judge_decimal
from gradtutor.calculus.equivalence import check
from gradtutor.calculus.parsing import parse
from gradtutor.tutor.answers import check_answer, target
from gradtutor.tutor.numeric_twins import BUILT_FOR, twins_for
from gradtutor.tutor.packs import generate, load_catalogue, rendered_fields


def main() -> None:
    exact = parse("4σ(2)^2(1 - σ(2))").value
    print("judge_decimal   ", describe(timings(lambda: judge_decimal("0.36991", exact), 200)))
    print("  baseline N(15)", describe(timings(lambda: sympy.N(exact, 15), 200)))

    catalogue = load_catalogue()
    cases = []
    for template in catalogue.templates:
        if template.kind not in BUILT_FOR:
            continue
        exercise = generate(template, 1)
        fields = rendered_fields(template, exercise.values)
        cases.append((template, exercise, fields))

    def all_twins() -> None:
        for template, _, fields in cases:
            twins_for(template.kind, fields)

    def all_generate() -> None:
        for template, _, _ in cases:
            generate(template, 1)

    prepared = [(e.parts[0], twins_for(t.kind, f)[0]) for t, e, f in cases]

    def all_answers() -> None:
        for part, twins in prepared:
            check_answer(part, "17.5", twins=twins)

    def all_checks() -> None:
        for part, _ in prepared:
            check(target(part), "17.5")

    n = len(cases)
    print(f"twins ({n} templates)   ", describe(timings(all_twins, 5)))
    print("  baseline generate     ", describe(timings(all_generate, 5)))
    print(f"answers ({n} templates) ", describe(timings(all_answers, 5)))
    print("  baseline exact check  ", describe(timings(all_checks, 5)))


if __name__ == "__main__":
    main()
