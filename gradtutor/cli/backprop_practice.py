"""``gradtutor backprop … --practice``: the learner fills in the graph, node by node.

Forward first (each node's value, in topological order), then backward (each ∂L/∂node,
output first). At the prompt: an answer, ``hint``, ``skip``, ``show`` or ``quit``; three
wrong tries show the node worked out. Answers are judged by the core
(:mod:`gradtutor.network.practice`) and saved to the progress database, so ``gradtutor
progress`` counts the backprop misconceptions. Ctrl-C ends cleanly with exit 130.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TextIO

from rich.markup import escape

from gradtutor.cli.exit_codes import ExitCode

MAX_TRIES = 3
TEMPLATE_ID = "backprop.practice"
TOPIC = "backprop"
INTRO = (
    "Fill in the graph: first every node's value, then every gradient ∂L/∂node, output "
    "first.\nType a decimal (0.9526), an exact form (σ(3)*(1 - σ(3))), or "
    "hint, skip, show (reveal this node), quit."
)
NET_INTRO = (
    "Backward through the layers, output first. Give each gradient as a matrix, one row "
    "per bracket: [[0.1, -0.2], [0.3, 0]] (decimals to 3 significant digits, or exact "
    "forms). hint, skip, show, quit as usual."
)


@dataclass
class _Asked:
    """One asked entry as it goes: its answers, verdict and first misconception."""

    entry: Any
    answers: list[str] = field(default_factory=list)
    verdict: str = "incomplete"
    misconception: str | None = None
    named: list[str] = field(default_factory=list)
    tries: int = 0
    hints: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "node": getattr(self.entry, "node", getattr(self.entry, "key", None)),
            "phase": getattr(self.entry, "phase", "backward"),
            "prompt": self.entry.prompt,
            "expected": self.entry.expected_text,
            "answers": list(self.answers),
            "verdict": self.verdict,
            "misconception": self.misconception,
        }


class _Quit(Exception):
    pass


def run_practice(result: Any, *, json_output: bool, reader: Any = None) -> ExitCode:
    """Ask every entry of the graph; 0 if all were right, 1 otherwise, 130 on Ctrl-C."""
    from gradtutor.network.practice import practice_entries
    from gradtutor.render.backprop import render_practice_graph
    from gradtutor.render.console import make_console

    console = make_console(stderr=json_output)
    entries = practice_entries(result)
    console.print(render_practice_graph(result, console.width))
    console.print(escape(INTRO))
    questions = [
        partial(_scalar_question, result, entry, number, len(entries))
        for number, entry in enumerate(entries, 1)
    ]
    values = {k: str(v) for k, v in result.at_text.items()}
    saver = _Saver.open("backprop-graph", values, result.graph.expression, console)
    return _loop(console, reader, json_output, list(zip(entries, questions, strict=True)), saver)


def run_net_practice(result: Any, *, json_output: bool, reader: Any = None) -> ExitCode:
    """Ask a network's layer gradients as matrices, output layer first."""
    from gradtutor.network.layer_practice import matrix_entries
    from gradtutor.render.backprop_net import render_net_forward
    from gradtutor.render.console import make_console

    console = make_console(stderr=json_output)
    entries = matrix_entries(result)
    console.print(render_net_forward(result))
    console.print(escape(NET_INTRO))
    questions = [
        partial(_matrix_question, result, entry, number, len(entries))
        for number, entry in enumerate(entries, 1)
    ]
    spec = result.spec
    values = {"seed": str(spec.seed), "batch": str(spec.batch)}
    prompt = f"net {'-'.join(map(str, spec.sizes))} {spec.activation} {spec.loss}"
    saver = _Saver.open("backprop-net", values, prompt, console)
    return _loop(console, reader, json_output, list(zip(entries, questions, strict=True)), saver)


def _matrix_question(result: Any, entry: Any, number: int, total: int) -> _Question:
    from gradtutor.network.layer_practice import judge_matrix

    hints = [
        f"{entry.name} = {entry.rule}",
        f"the answer has shape {'×'.join(map(str, entry.expected.shape))}",
    ]
    return _Question(
        heading=f"[{number}/{total}] backward",
        judge=lambda text: judge_matrix(result, entry, text),
        hints=hints,
        reveal=f"{entry.name} = {entry.rule} = {entry.to_text()}",
    )


def _loop(
    console: Any,
    reader: Any,
    json_output: bool,
    pairs: list[tuple[Any, Callable[[], _Question]]],
    saver: Any,
) -> ExitCode:
    json_out = sys.stdout if json_output else None
    if reader is None:
        reader = _reader(console, json_output)
    asked: list[_Asked] = []
    code = ExitCode.OK
    try:
        for entry, question in pairs:
            item = _Asked(entry)
            asked.append(item)
            _ask(console, reader, question(), item, saver)  # each made when it is asked
            _emit(json_out, item)
    except (_Quit, EOFError):
        if asked and asked[-1].verdict == "incomplete":
            _emit(json_out, asked[-1])
    except KeyboardInterrupt:
        if asked and asked[-1].verdict == "incomplete":
            _emit(json_out, asked[-1])
        code = ExitCode.INTERRUPTED
        console.print("\n[yellow]Interrupted.[/yellow]")
    saver.finish(asked)
    _summary(console, asked, len(pairs))
    if code is ExitCode.INTERRUPTED:
        return code
    return ExitCode.OK if asked and all(a.verdict == "correct" for a in asked) else ExitCode.WRONG


def _reader(console: Any, json_output: bool) -> Any:
    from gradtutor.cli.quiz import make_reader
    from gradtutor.tutor.store import default_home

    return make_reader(console, json_mode=json_output, home=default_home())


@dataclass(frozen=True)
class _Question:
    """What the loop needs of an entry: its judge, hints and worked answer."""

    heading: str
    judge: Any  # text -> judgement with verdict, message, misconception
    hints: list[str]
    reveal: str


def _scalar_question(result: Any, entry: Any, number: int, total: int) -> _Question:
    from gradtutor.network.practice import hints, judge_entry, reveal

    return _Question(
        heading=f"[{number}/{total}] {entry.phase}",
        judge=lambda text: judge_entry(result, entry, text),
        hints=hints(result, entry),
        reveal=reveal(result, entry),
    )


def _ask(console: Any, reader: Any, question: _Question, item: _Asked, saver: Any) -> None:
    console.print(f"\n[bold]{escape(question.heading)}[/bold]  {escape(item.entry.prompt)}")
    while True:
        text = reader.read("> ").strip()
        command = text.lower()
        if not text:
            continue
        if command == "hint":
            if item.hints < len(question.hints):
                console.print(f"[cyan]hint:[/cyan] {escape(question.hints[item.hints])}")
                item.hints += 1
            else:
                console.print("No more hints: type show to see this worked out.")
            continue
        if command in ("skip", "show"):
            item.verdict = "skipped" if command == "skip" else "shown"
            console.print(f"  {escape(question.reveal)}")
            return
        if command in ("quit", "exit"):
            raise _Quit
        judgement = question.judge(text)
        if judgement.verdict == "invalid":
            console.print(f"[yellow]{escape(judgement.message)}[/yellow]")
            continue
        item.answers.append(text)
        if judgement.verdict == "close":
            console.print(f"[yellow]{escape(judgement.message)}[/yellow]")
            continue
        item.tries += 1
        saver.answer(item, text, judgement)
        if judgement.verdict == "correct":
            item.verdict = "correct"
            console.print(f"[green]✓ right[/green]  {escape(question.reveal)}")
            return
        item.misconception = item.misconception or judgement.misconception
        if judgement.misconception:
            item.named.append(judgement.misconception)
        named = f" [{judgement.misconception}]" if judgement.misconception else ""
        console.print(f"[red]✗ not quite[/red]{escape(named)}: {escape(judgement.message)}")
        if item.tries >= MAX_TRIES:
            item.verdict = "wrong"
            console.print(f"  the answer: {escape(question.reveal)}")
            return
        console.print("Try again (or hint, show).")


def _emit(out: TextIO | None, item: _Asked) -> None:
    if out is not None:
        out.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
        out.flush()


def _summary(console: Any, asked: list[_Asked], total: int) -> None:
    right = sum(1 for a in asked if a.verdict == "correct")
    first = sum(1 for a in asked if a.verdict == "correct" and a.tries == 1 and not a.hints)
    named = sorted({m for a in asked for m in a.named})
    console.print(
        f"\n[bold]Summary[/bold]: {right}/{len(asked)} right ({first} first time); "
        f"{len(asked)} of the {total} entries asked."
    )
    if named:
        console.print(f"Mistakes named: {escape(', '.join(named))}")


class _Saver:
    """Saves the run as one attempt with every judged answer (best effort: never fails a run).

    The database is opened at the first judged answer, not before the first prompt: a run
    that answers nothing leaves nothing behind, and the first prompt comes sooner."""

    def __init__(self, kind: str, values: dict[str, str], prompt: str, console: Any) -> None:
        self.pending: tuple[str, dict[str, str], str] | None = (kind, values, prompt)
        self.console = console
        self.store: Any = None
        self.attempt_id: int | None = None
        self.started = time.monotonic()

    @classmethod
    def open(cls, kind: str, values: dict[str, str], prompt: str, console: Any) -> _Saver:
        return cls(kind, values, prompt, console)

    def _begin(self) -> None:
        if self.pending is None:
            return
        kind, values, prompt = self.pending
        self.pending = None
        try:
            from gradtutor.tutor.store import AttemptStart, StoreError, open_store

            store = open_store()
            start = AttemptStart(
                template_id=TEMPLATE_ID,
                topic=TOPIC,
                kind=kind,
                difficulty=1,
                pack="",
                pack_version="",
                content_hash="",
                seed=0,
                values=values,
                prompt=prompt,
                expected=(),
            )
            self.attempt_id = store.begin_attempt(None, start, now=datetime.now(UTC))
            self.store = store
        except (StoreError, sqlite3.Error, OSError) as exc:  # a convenience, not a requirement
            self.console.print(f"[yellow]Progress is not saved: {escape(str(exc))}[/yellow]")

    def answer(self, item: _Asked, text: str, judgement: Any) -> None:
        self._begin()
        if self.store is None or self.attempt_id is None:
            return
        verdict = "equivalent" if judgement.verdict == "correct" else "not_equivalent"
        self.store.record_answer(
            self.attempt_id,
            part=f"{item.to_json()['phase']}:{item.to_json()['node']}",
            answer=text,
            verdict=verdict,
            misconception=judgement.misconception,
            tries=item.tries,
            now=datetime.now(UTC),
        )

    def finish(self, asked: list[_Asked]) -> None:
        if self.store is None or self.attempt_id is None:
            return
        done = [a for a in asked if a.verdict != "incomplete"]
        outcome = "correct" if done and all(a.verdict == "correct" for a in done) else "wrong"
        if not done:
            outcome = "incomplete"
        self.store.finish_attempt(
            self.attempt_id,
            outcome=outcome,
            tries=sum(a.tries for a in asked),
            hints_used=sum(a.hints for a in asked),
            elapsed_ms=int((time.monotonic() - self.started) * 1000),
            now=datetime.now(UTC),
        )
        self.store.close()
