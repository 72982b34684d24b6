"""``gradtutor quiz``: adaptive practice with hints, retries, worked solutions and FSRS reviews.

The command wires the pure core together: packs make exercises, the session state
machine takes what the learner types, the engine judges answers, the store keeps
every answer the moment it is judged. On a terminal the answer line has editing and
history (prompt_toolkit); otherwise answers are read line by line from stdin.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from gradtutor.cli.exit_codes import ExitCode

HELP = """\
Practise: questions from the topics you are weakest at, prerequisites first.

At the prompt type your answer, or [b]hint[/b], [b]steps[/b] (the worked solution), \
[b]skip[/b] or [b]quit[/b]. A wrong answer gets a diagnosis and another try (three in \
all). Every answer is saved at once; Ctrl-C or end of input ends the quiz with a summary.

[b]Examples[/b]

  gradtutor quiz
  gradtutor quiz --topic chain-rule --count 5
  gradtutor quiz --review
  printf '3x^2\\n' | gradtutor quiz --seed 1 --topic power-rule --count 1 --json
"""

MAX_TRIES = 3
RETRY_SEEDS = 20  # a retry tries up to this many seeds for numbers unlike the missed ones


def register(app: typer.Typer) -> None:
    app.command("quiz", help=HELP, rich_help_panel="Practice")(quiz)


def quiz(
    topic: str | None = typer.Option(
        None, "--topic", "-t", help="Only this topic (e.g. power-rule)."
    ),
    count: int = typer.Option(5, "--count", "-n", min=1, max=1000, help="How many questions."),
    seed: int | None = typer.Option(
        None,
        "--seed",
        help="Repeatable numbers: question 1 uses exercise seed SEED, question 2 SEED+1, …",
    ),
    review: bool = typer.Option(False, "--review", help="Only what is due for review."),
    pack: Annotated[
        list[Path] | None,
        typer.Option("--pack", help="Questions from this pack file or directory (repeatable)."),
    ] = None,
    json_output: bool = typer.Option(
        False, "--json", help="One JSON object per question on stdout (text goes to stderr)."
    ),
) -> None:
    from gradtutor.render.console import make_console

    console = make_console(stderr=json_output)
    runner = QuizRunner(console=console, json_out=sys.stdout if json_output else None)
    code = runner.run(topic=topic, count=count, seed=seed, review=review, packs=tuple(pack or ()))
    raise typer.Exit(int(code))


# -- reading answers -----------------------------------------------------------------------


class LineReader:
    """Answers read line by line: from a pipe or file (echoed, so the transcript reads
    well), or from a terminal whose output is redirected (the prompt goes to stderr)."""

    def __init__(self, stream: TextIO, console: Any) -> None:
        self._stream = stream
        self._console = console
        self._interactive = stream.isatty()

    def read(self, prompt: str) -> str:
        if self._interactive:
            sys.stderr.write(prompt)
            sys.stderr.flush()
        line = self._stream.readline()
        if not line:
            raise EOFError
        text = line.rstrip("\r\n")
        if not self._interactive:
            self._console.print(f"{prompt}{text}", markup=False, highlight=False)
        return text


class TerminalReader:
    """The answer line on a terminal: editing, and history across runs (arrow keys)."""

    def __init__(self, history_file: Path | None, *, output: TextIO) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, History, InMemoryHistory
        from prompt_toolkit.output import create_output

        history: History = InMemoryHistory()
        if history_file is not None:
            try:
                history_file.parent.mkdir(parents=True, exist_ok=True)
                history_file.touch(exist_ok=True)
                history = FileHistory(str(history_file))
            except OSError:
                history = InMemoryHistory()
        self._session: Any = PromptSession(history=history, output=create_output(stdout=output))

    def read(self, prompt: str) -> str:
        return str(self._session.prompt(prompt))


def make_reader(console: Any, *, json_mode: bool, home: Path) -> LineReader | TerminalReader:
    out = sys.stderr if json_mode else sys.stdout
    if sys.stdin.isatty() and out.isatty():
        try:
            return TerminalReader(home / "quiz-history", output=out)
        except Exception:
            pass
    return LineReader(sys.stdin, console)


# -- the run -------------------------------------------------------------------------------


@dataclass
class QuizRunner:
    """One quiz run: owns the console, the store and the loop; all maths is in the core."""

    console: Any
    json_out: TextIO | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    reader: Any = None

    def run(
        self,
        *,
        topic: str | None,
        count: int,
        seed: int | None,
        review: bool,
        packs: tuple[Path, ...],
    ) -> ExitCode:
        from gradtutor.tutor.store import StoreError, default_home, open_store

        try:
            catalogue, allowed = _load(packs)
        except ValueError as exc:
            self.console.print(f"[red]Cannot load the exercises:[/red] {_escape(str(exc))}")
            return ExitCode.INVALID
        topic_ids = [t.id for t in catalogue.topics]
        if topic is not None and not catalogue.by_topic(topic):
            known = ", ".join(t for t in topic_ids if catalogue.by_topic(t))
            self.console.print(
                f"[red]No exercises for topic {_escape(repr(topic))}.[/red] Topics: {known}"
            )
            return ExitCode.INVALID
        try:
            store = open_store()
        except StoreError as exc:
            self.console.print(f"[red]Progress database:[/red] {_escape(str(exc))}")
            return ExitCode.INVALID
        if store.notice:
            self.console.print(f"[yellow]{_escape(store.notice)}[/yellow]")
        if self.reader is None:
            self.reader = make_reader(
                self.console, json_mode=self.json_out is not None, home=default_home()
            )
        with store:
            loop = _Loop(self, catalogue, allowed, store, topic=topic, seed=seed, review=review)
            if not loop.templates:
                self.console.print("[red]No exercises to ask[/red] with these options.")
                return ExitCode.INVALID
            return loop.run(count)


def _load(packs: tuple[Path, ...]) -> tuple[Any, set[str] | None]:
    """The catalogue, and the template ids allowed (those of ``--pack``; None for all)."""
    from gradtutor.tutor.packs import load_catalogue

    catalogue = load_catalogue(packs)
    if not packs:
        return catalogue, None
    shipped = {t.id for t in load_catalogue().all_templates}
    return catalogue, {t.id for t in catalogue.templates if t.id not in shipped}


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class _Loop:
    """The question loop of one run (split from QuizRunner to keep each piece short)."""

    def __init__(
        self,
        runner: QuizRunner,
        catalogue: Any,
        allowed: set[str] | None,
        store: Any,
        *,
        topic: str | None,
        seed: int | None,
        review: bool,
    ) -> None:
        from gradtutor.tutor import adaptive
        from gradtutor.tutor.progress import outcomes_of

        self.runner = runner
        self.console = runner.console
        self.catalogue = catalogue
        self.store = store
        self.topic = topic
        self.seed = seed
        self.rng = random.Random(seed)
        self.titles = {t.id: t.title for t in catalogue.topics}
        self.topics = [adaptive.TopicInfo(t.id, tuple(t.prerequisites)) for t in catalogue.topics]
        self.templates = [
            adaptive.TemplateInfo(t.id, topic if topic is not None else t.topics[0], t.difficulty)
            for t in catalogue.templates
            if (allowed is None or t.id in allowed) and (topic is None or topic in t.topics)
        ]
        self.history = outcomes_of(store.attempts(finished_only=True))
        now = runner.clock()
        self.due = [c.template_id for c in store.due_cards(now)] if review else None
        self.mode = "review" if review else ("topic" if topic else "adaptive")
        self.session_id = store.start_session(mode=self.mode, seed=seed, now=now)
        self.results: list[Any] = []
        self.asked: list[str] = []
        self.last: Any = None  # the exercise asked last
        self.current: Any = None  # (attempt_id, QuestionState) while a question is open

    # ---- the quiz ----
    def run(self, count: int) -> ExitCode:
        from gradtutor.render.quiz import summary_view
        from gradtutor.tutor.session import summarise

        ended_by, failure = "done", None
        try:
            ended_by = self._questions(count)
        except KeyboardInterrupt:
            ended_by = "interrupt"
        except EOFError:
            ended_by = "end-of-input"
        except sqlite3.Error as exc:
            ended_by, failure = "quit", exc
        if failure is None:
            try:
                self._close_open_question()
                self.store.end_session(self.session_id, now=self.runner.clock())
            except sqlite3.Error as exc:
                failure = exc
        summary = summarise(self.results, ended_by=ended_by)
        self.console.print(summary_view(summary))
        if failure is not None:
            self.console.print(
                f"[red]Could not save to the progress database ({_escape(str(failure))}).[/red] "
                "The quiz stopped; every answer before this one is saved."
            )
            return ExitCode.INVALID
        if ended_by == "interrupt":
            return ExitCode.INTERRUPTED
        return ExitCode.OK if summary.all_correct else ExitCode.WRONG

    def _questions(self, count: int) -> str:
        from gradtutor.tutor import adaptive

        number = 0
        while number < count:
            choice = adaptive.choose_next(
                topics=self.topics,
                templates=self.templates,
                history=self.history,
                rng=self.rng,
                topic=self.topic,
                due=self.due,
                asked=self.asked,
            )
            if choice is None:
                return "nothing-due" if self.due is not None else "done"
            missed = self.last if choice.reason == "retry" else None
            exercise = self._generate(choice.template_id, number, unlike=missed)
            if exercise is None:
                continue
            reason = choice.reason
            if missed is not None and exercise.prompt == missed.prompt:
                reason = "retry-same"  # the template has no other numbers
            number += 1
            self.asked.append(choice.template_id)
            self.last = exercise
            if self._question(exercise, number, count, reason) == "quit":
                return "quit"
        return "done"

    def _generate(self, template_id: str, number: int, *, unlike: Any = None) -> Any:
        """The exercise for question ``number`` + 1. For a retry of ``unlike`` (the missed
        exercise), the following seeds are tried in turn until the question differs."""
        from gradtutor.tutor.packs import PackError, generate

        seed = self.seed + number if self.seed is not None else self.rng.randrange(1, 2**31)
        try:
            template = self.catalogue.template(template_id)
            exercise = generate(template, seed)
        except (PackError, KeyError) as exc:
            self.console.print(f"[yellow]Skipping a broken exercise:[/yellow] {_escape(str(exc))}")
            self.templates = [t for t in self.templates if t.id != template_id]
            if self.due is not None and template_id in self.due:
                self.due.remove(template_id)
            return None
        if unlike is None or unlike.template_id != template_id:
            return exercise
        for later in range(seed, seed + RETRY_SEEDS):
            try:
                candidate = exercise if later == seed else generate(template, later)
            except PackError:
                continue
            if candidate.prompt != unlike.prompt:
                return candidate
        return exercise  # no other numbers: the same question, and its banner says so

    # ---- one question ----
    def _question(self, exercise: Any, number: int, count: int, reason: str) -> str | None:
        from gradtutor.render import quiz as view
        from gradtutor.tutor import session
        from gradtutor.tutor.store import AttemptStart

        self.console.print()
        self.console.print(
            view.question_view(
                number=number,
                total=count if self.due is None else None,  # reviews: as many as are due
                prompt=exercise.prompt,
                topic_title=self.titles.get(exercise.topic, exercise.topic),
                difficulty=exercise.difficulty,
                reason=reason,
            )
        )
        template = self.catalogue.template(exercise.template_id)
        attempt_id = self.store.begin_attempt(
            self.session_id,
            AttemptStart(
                template_id=exercise.template_id,
                topic=exercise.topic,
                kind=exercise.kind,
                difficulty=exercise.difficulty,
                pack=template.pack,
                pack_version=template.pack_version,
                content_hash=template.content_hash,
                seed=exercise.seed,
                values=dict(exercise.values),
                prompt=exercise.prompt,
                expected=tuple(p.expected for p in exercise.parts),
            ),
            now=self.runner.clock(),
        )
        state = session.ask(exercise, now_ms=_now_ms(), max_tries=MAX_TRIES)
        self.current = (attempt_id, state)
        while not state.done:
            text = self.runner.reader.read(view.prompt_text(state.part.label))
            command = session.command_of(text)
            if command == "quit":
                return "quit"
            state = self._act(attempt_id, state, text, command)
            self.current = (attempt_id, state)
        self._finish(attempt_id, state)
        return None

    def _act(self, attempt_id: int, state: Any, text: str, command: str | None) -> Any:
        from gradtutor.render import quiz as view
        from gradtutor.tutor import session

        if command == "help" or (command is None and not text.strip()):
            self.console.print(view.help_view())
            return state
        if command == "hint":
            state, event = session.hint(state)
            self.console.print(view.hint_view(event.text, event.number, event.total))
            if event.text is not None:
                self.store.record_hint(attempt_id, hints_used=state.hints_used)
            return state
        if command in ("steps", "skip"):
            move = session.show_steps if command == "steps" else session.skip
            state, revealed = move(state, now_ms=_now_ms())
            for part in revealed.parts:
                self._solution(part)
            return state
        parts = state.exercise.parts
        pieces = session.components(text) if len(parts) > 1 else None
        if pieces is None:
            return self._answer(attempt_id, state, text)[0]
        answers = session.spread(state, pieces)
        if answers is None:
            self.console.print(view.parts_view(len(parts)))
            return state
        return self._answer_all(attempt_id, state, answers)

    def _answer_all(self, attempt_id: int, state: Any, answers: list[tuple[int, str]]) -> Any:
        """A one-line answer to several parts (``(7, 5)``): one attempt, every piece checked
        against its part. The right parts are done; the question asks again for the rest."""
        from gradtutor.render import quiz as view

        line = state.next_line
        verdicts: list[tuple[str, str]] = []
        for index, text in answers:
            if state.done or index not in state.open_parts:
                break
            label = state.exercise.parts[index].label
            self.console.print(view.part_answer_view(label, text))
            state, event = self._answer(attempt_id, state, text, part_index=index, line=line)
            verdicts.append((label, _mark(event)))
        if len(verdicts) > 1:
            waiting = [state.exercise.parts[i].label for i in state.open_parts]
            self.console.print(view.line_verdicts_view(verdicts, waiting))
        return state

    def _answer(
        self,
        attempt_id: int,
        state: Any,
        text: str,
        *,
        part_index: int | None = None,
        line: int | None = None,
    ) -> tuple[Any, Any]:
        """One answer to a part (by default the one asked for now): judged, stored, and its
        verdict shown."""
        from gradtutor.render import quiz as view
        from gradtutor.tutor import session

        index = state.part_index if part_index is None else part_index
        result = _check(state.exercise.parts[index], text)
        state, event = session.judge(
            state, text, result, now_ms=_now_ms(), part_index=index, line=line
        )
        answer = event.answer
        self.store.record_answer(
            attempt_id,
            part=answer.part,
            answer=answer.text,
            verdict=answer.verdict,
            misconception=answer.misconception,
            tries=state.tries,
            now=self.runner.clock(),
            elapsed_ms=answer.elapsed_ms,
        )
        if isinstance(event, session.Unjudged):
            self.console.print(view.unjudged_view(result))
        elif event.correct:
            self.console.print(view.right_view())
        else:
            numeric = _is_number(event.part.expected)
            self.console.print(view.wrong_view(result, event.tries_left, numeric=numeric))
            if event.revealed is not None:
                self._solution(event.revealed)
        return state, event

    def _solution(self, part: Any) -> None:
        from gradtutor.render import quiz as view

        self.console.print(view.solution_view(part.label, _pretty(part.expected), _worked(part)))

    def _finish(self, attempt_id: int, state: Any) -> None:
        from gradtutor.tutor import schedule, session
        from gradtutor.tutor.adaptive import Outcome
        from gradtutor.tutor.store import CardRow

        result = session.result_of(state)
        now = self.runner.clock()
        rating = schedule.rating_for(
            outcome=result.outcome,
            tries=result.tries,
            hints_used=result.hints_used,
            elapsed_ms=result.elapsed_ms,
            parts=len(result.expected),
        )
        old = self.store.card(result.template_id)
        reviewed = schedule.review(
            result.template_id,
            old.card_json if old else None,
            rating,
            now=now,
            duration_ms=result.elapsed_ms,
        )
        self.store.finish_attempt(
            attempt_id,
            outcome=result.outcome,
            tries=result.tries,
            hints_used=result.hints_used,
            elapsed_ms=result.elapsed_ms,
            now=now,
            rating=int(rating),
            card=CardRow(reviewed.template_id, reviewed.card_json, reviewed.due),
        )
        self.current = None
        self.results.append(result)
        self.history.append(Outcome(result.template_id, result.topic, result.outcome, result.clean))
        self._emit(result)

    def _close_open_question(self) -> None:
        """Keep whatever was done on a question left open when the quiz ended."""
        from gradtutor.tutor import session

        if self.current is None:
            return
        attempt_id, state = self.current
        self.current = None
        if not state.touched:
            self.store.discard_attempt(attempt_id)
            return
        state = session.abandon(state, now_ms=_now_ms())
        result = session.result_of(state)
        self.store.finish_attempt(
            attempt_id,
            outcome="incomplete",
            tries=result.tries,
            hints_used=result.hints_used,
            elapsed_ms=result.elapsed_ms,
            now=self.runner.clock(),
        )
        self.results.append(result)
        self._emit(result)

    def _emit(self, result: Any) -> None:
        out = self.runner.json_out
        if out is not None:
            out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            out.flush()


def _now_ms() -> int:
    return int(time.monotonic() * 1000)


def _mark(event: Any) -> str:
    """How one piece of a one-line answer went: ``right``, ``wrong`` (tries left),
    ``missed`` (out of tries, solution shown) or ``unread`` (not a try)."""
    from gradtutor.tutor.session import Unjudged

    if isinstance(event, Unjudged):
        return "unread"
    if event.correct:
        return "right"
    return "missed" if event.revealed is not None else "wrong"


_TARGETS: dict[tuple[str, str], str] = {}


def _target(part: Any) -> str:
    """What to check an answer against: the part's derivative task when it is equivalent to
    the expected answer (then the engine can name misconceptions of the rules), else the
    expected answer itself (e.g. a derivative evaluated at a point)."""
    from gradtutor.calculus.equivalence import check

    task = getattr(part, "task", None)
    if not task:
        return str(part.expected)
    key = (task, str(part.expected))
    if key not in _TARGETS:
        try:
            same = str(check(task, part.expected).verdict) == "equivalent"
        except Exception:
            same = False
        _TARGETS[key] = task if same else str(part.expected)
    return _TARGETS[key]


def _check(part: Any, answer: str) -> Any:
    """The engine's verdict; any failure inside it becomes an 'undetermined' result."""
    from gradtutor.calculus.equivalence import check

    try:
        return check(_target(part), answer)
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        note = _Note(f"The checker failed on this answer ({type(exc).__name__}).")
        return _Undecided(feedback=(note,))


@dataclass(frozen=True)
class _Note:
    message: str
    kind: str = "note"
    id: str | None = None


@dataclass(frozen=True)
class _Undecided:
    """Stands in for a CheckResult when the engine itself failed."""

    feedback: tuple[_Note, ...]
    verdict: str = "undetermined"
    read_as: str | None = None
    counterexample: Any = None
    error: Any = None


def _is_number(expression: str) -> bool:
    """Whether an expected answer has no variables (then its value must not be shown)."""
    try:
        from gradtutor.calculus.parsing import parse

        return not parse(expression).value.free_symbols
    except Exception:
        return False


def _pretty(expression: str) -> str:
    """The engine's unicode display of a plain-syntax answer (the text itself if it fails)."""
    try:
        from gradtutor.calculus.parsing import parse

        return str(parse(expression).pretty)
    except Exception:
        return expression


def _worked(part: Any) -> Any:
    """The worked solution of a part's derivative task, rendered; None if there is none."""
    task = getattr(part, "task", None)
    if not task:
        return None
    try:
        from gradtutor.calculus.derive import solve_task
        from gradtutor.render.explain import render_explain  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        return render_explain(solve_task(task))
    except Exception:
        return None
