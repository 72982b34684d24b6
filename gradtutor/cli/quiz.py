"""``gradtutor quiz``: adaptive practice with hints, retries, worked solutions and FSRS reviews.

The command parses options, opens the store and runs :class:`gradtutor.tutor.loop.QuizLoop`
(which chooses, generates, judges, stores and reviews), rendering each event it yields. On a
terminal the answer line has editing and history (prompt_toolkit); otherwise answers are read
line by line from stdin.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Protocol, TextIO

import typer

from gradtutor.cli.completion import complete_quiz_topic
from gradtutor.cli.exit_codes import ExitCode
from gradtutor.errors import GradtutorError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, RenderableType

    from gradtutor.tutor.aimed import Aim
    from gradtutor.tutor.loop import LoopEvent, QuizLoop
    from gradtutor.tutor.models import Part
    from gradtutor.tutor.packs import Catalogue
    from gradtutor.tutor.session import QuestionResult

HELP = """\
Practise: questions from the topics you are weakest at, prerequisites first.

At the prompt type your answer, or [b]hint[/b], [b]steps[/b] (the worked solution), \
[b]skip[/b] or [b]quit[/b]. A wrong answer gets a diagnosis and another try (three in \
all). Every answer is saved at once; Ctrl-C or end of input ends the quiz with a summary.

[b]Examples[/b]

  gradtutor quiz
  gradtutor quiz --topic chain-rule --count 5
  gradtutor quiz --review
  gradtutor quiz --misconception chain_inner_missing
  printf '3x^2\\n' | gradtutor quiz --seed 1 --topic power-rule --count 1 --json
"""


def register(app: typer.Typer) -> None:
    app.command("quiz", help=HELP, rich_help_panel="Practice")(quiz)


def quiz(
    topic: str | None = typer.Option(
        None,
        "--topic",
        "-t",
        help="Only this topic (e.g. power-rule).",
        autocompletion=complete_quiz_topic,
    ),
    count: int = typer.Option(5, "--count", "-n", min=1, max=1000, help="How many questions."),
    seed: int | None = typer.Option(
        None,
        "--seed",
        help="Repeatable questions: question 1 uses exercise seed SEED, question 2 SEED+1, …; "
        "the choice of questions then ignores earlier sessions, so the same seed and answers "
        "give the same questions.",
    ),
    review: bool = typer.Option(False, "--review", help="Only what is due for review."),
    misconception: str | None = typer.Option(
        None,
        "--misconception",
        "-m",
        metavar="ID",
        help="Practise questions where this mistake can happen, across topics "
        "(ids: see 'gradtutor progress' or the README).",
    ),
    pack: Annotated[
        list[Path] | None,
        typer.Option("--pack", help="Questions from this pack file or directory (repeatable)."),
    ] = None,
    json_output: bool = typer.Option(
        False, "--json", help="One JSON object per question on stdout (text goes to stderr)."
    ),
) -> NoReturn:
    from gradtutor.render.console import make_console

    console = make_console(stderr=json_output)
    runner = QuizRunner(console=console, json_out=sys.stdout if json_output else None)
    code = runner.run(
        topic=topic,
        count=count,
        seed=seed,
        review=review,
        packs=tuple(pack or ()),
        misconception=misconception,
    )
    raise typer.Exit(int(code))


# -- reading answers -----------------------------------------------------------------------


class Reader(Protocol):
    """Where answers come from: the next line typed after ``prompt``."""

    def read(self, prompt: str) -> str: ...


class LineReader:
    """Answers read line by line: from a pipe or file (echoed, so the transcript reads
    well), or from a terminal whose output is redirected (the prompt goes to stderr)."""

    def __init__(self, stream: TextIO, console: Console) -> None:
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
        self._session: PromptSession[str] = PromptSession(
            history=history, output=create_output(stdout=output)
        )

    def read(self, prompt: str) -> str:
        return str(self._session.prompt(prompt))


def make_reader(console: Console, *, json_mode: bool, home: Path) -> Reader:
    out = sys.stderr if json_mode else sys.stdout
    if sys.stdin.isatty() and out.isatty():
        try:
            return TerminalReader(home / "quiz-history", output=out)
        except Exception:  # deliberate: prompt_toolkit can't drive this terminal; input() can
            pass
    return LineReader(sys.stdin, console)


# -- the run -------------------------------------------------------------------------------


@dataclass
class QuizRunner:
    """One quiz run: owns the console, the store and the loop; all maths is in the core."""

    console: Console
    json_out: TextIO | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    reader: Reader | None = None

    def run(
        self,
        *,
        topic: str | None,
        count: int,
        seed: int | None,
        review: bool,
        packs: tuple[Path, ...],
        misconception: str | None = None,
    ) -> ExitCode:
        from gradtutor.tutor.store import default_home, open_store

        catalogue, allowed = _load(packs)  # a pack that can't be used: its PackError
        topic_ids = [t.id for t in catalogue.topics]
        if topic is not None and not catalogue.by_topic(topic):
            from gradtutor.tutor.suggest import choices_hint, suggestions

            askable = [t for t in topic_ids if catalogue.by_topic(t)]
            titles = {t.id: f"{t.title} {t.description}" for t in catalogue.topics}
            close = suggestions(topic, askable, described=titles)
            raise UsageError(
                f"no exercises for topic {topic!r}", hint=choices_hint(close, "topics", askable)
            )
        aim = None
        if misconception is not None:
            aim = self._aim(misconception, catalogue, allowed, topic=topic, review=review)
        store = open_store(practise_unsaved=True)  # no database at all: its StoreError
        if store.notice:
            self.console.print(f"[yellow]{_escape(store.notice)}[/yellow]")
        store.watch_unsaved(
            lambda warning: self.console.print(f"[yellow]{_escape(warning)}[/yellow]")
        )
        if self.reader is None:
            self.reader = make_reader(
                self.console, json_mode=self.json_out is not None, home=default_home()
            )
        from gradtutor.tutor.loop import QuizLoop, QuizOptions

        options = QuizOptions(
            topic=topic,
            seed=seed,
            review=review,
            allowed=None if allowed is None else frozenset(allowed),
            aim=aim,
        )
        with store:
            loop = QuizLoop(catalogue, store, options, clock=self.clock)
            if not loop.templates:
                raise UsageError("no exercises to ask with these options")
            return _play(self, loop, count)

    def _aim(
        self,
        misconception: str,
        catalogue: Catalogue,
        allowed: set[str] | None,
        *,
        topic: str | None,
        review: bool,
    ) -> Aim:
        """The templates aimed at ``misconception`` (in ``topic``, if given); a UsageError
        when the id is unknown or no question fits."""
        from gradtutor.tutor.aimed import aim_at, known_ids
        from gradtutor.tutor.suggest import choices_hint, suggestions
        from gradtutor.tutor.titles import misconception_title

        if review:
            raise UsageError("--misconception and --review do not go together")
        ids = known_ids()
        if misconception not in ids:
            titles = {i: misconception_title(i) for i in ids}
            close = suggestions(misconception, ids, described=titles)
            raise UsageError(
                f"no misconception {misconception!r}", hint=choices_hint(close, "known ids", ids)
            )
        if topic is not None:
            in_topic = {t.id for t in catalogue.by_topic(topic)}
            allowed = in_topic if allowed is None else allowed & in_topic
        aim = aim_at(misconception, catalogue, allowed)
        if not aim.template_ids:
            where = f" in topic {topic}" if topic else ""
            raise UsageError(f"no exercises where {aim.title} can happen{where}")
        self.console.print(
            f"Practising: [bold]{_escape(aim.title)}[/bold] "
            f"({len(aim.template_ids)} kinds of question where it can happen)"
        )
        return aim


def _load(packs: tuple[Path, ...]) -> tuple[Catalogue, set[str] | None]:
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


def _play(runner: QuizRunner, loop: QuizLoop, count: int) -> ExitCode:
    """Run ``loop``'s questions, rendering each event; the summary and the exit code."""
    from gradtutor.render.quiz import prompt_text, summary_view
    from gradtutor.tutor.loop import Stopped
    from gradtutor.tutor.session import StopReason, summarise

    console = runner.console
    reader = runner.reader
    assert reader is not None  # set by QuizRunner.run

    def read(label: str) -> str:
        return reader.read(prompt_text(label))

    ended_by, failure = StopReason.DONE, None
    try:
        for event in loop.questions(count, read):
            if isinstance(event, Stopped):
                ended_by = event.reason
            else:
                _show(runner, loop, event)
    except KeyboardInterrupt:
        ended_by = StopReason.INTERRUPT
    except EOFError:
        ended_by = StopReason.END_OF_INPUT
    except sqlite3.Error as exc:
        ended_by, failure = StopReason.QUIT, exc
    except Exception:  # a bug below: closed as Ctrl-C closes a run, then re-raised
        # main reports it (exit 70). Every answer given is stored already; closing keeps
        # the open question as incomplete and ends the session.
        with contextlib.suppress(sqlite3.Error):
            loop.close()
        raise
    if failure is None:
        try:
            closed = loop.close()
            if closed is not None:
                _emit(runner, closed)
        except sqlite3.Error as exc:
            failure = exc
    lessons = {t.id: t.lesson for t in loop.catalogue.topics if t.lesson}
    summary = summarise(loop.results, ended_by=ended_by, topic=loop.options.topic, lessons=lessons)
    console.print(summary_view(summary))
    if failure is not None:
        from gradtutor.tutor.store import StoreError

        raise StoreError(
            f"could not save to the progress database ({failure}); the quiz stopped; "
            "every answer before this one is saved"
        )
    if ended_by == StopReason.INTERRUPT:
        return ExitCode.INTERRUPTED
    if loop.broken and not loop.asked:
        raise GradtutorError("no exercise could be asked: every one tried is broken")
    return ExitCode.OK if summary.all_correct else ExitCode.WRONG


def _show(runner: QuizRunner, loop: QuizLoop, event: LoopEvent) -> None:
    """Render one event of the loop."""
    from gradtutor.render import quiz as view
    from gradtutor.tutor.answers import is_number
    from gradtutor.tutor.loop import (
        Asked,
        Broken,
        Finished,
        HelpWanted,
        LineMarks,
        Note,
        PartsMiscounted,
        Piece,
    )
    from gradtutor.tutor.session import HintGiven, Judged, Revealed, Unjudged

    console = runner.console
    if isinstance(event, Asked):
        console.print()
        console.print(
            view.question_view(
                number=event.number,
                total=event.total,
                prompt=event.exercise.prompt,
                topic_title=event.topic_title,
                difficulty=event.exercise.difficulty,
                reason=event.reason,
                answer_note=event.answer_note,
            )
        )
    elif isinstance(event, Broken):
        console.print(f"[yellow]Skipping a broken exercise:[/yellow] {_escape(event.message)}")
    elif isinstance(event, HelpWanted):
        console.print(view.help_view())
    elif isinstance(event, HintGiven):
        console.print(view.hint_view(event.text, event.number, event.total))
    elif isinstance(event, Revealed):
        for part in event.parts:
            _solution(console, loop, part)
    elif isinstance(event, PartsMiscounted):
        console.print(view.parts_view(event.parts))
    elif isinstance(event, Piece):
        console.print(view.part_answer_view(event.label, event.text))
    elif isinstance(event, LineMarks):
        console.print(view.line_verdicts_view(list(event.marks), list(event.waiting)))
    elif isinstance(event, Note):
        console.print(event.text, markup=False)
    elif isinstance(event, Unjudged):
        console.print(view.unjudged_view(event.result))
    elif isinstance(event, Judged):
        if event.correct:
            console.print(view.right_view(event.result))
        else:
            numeric = is_number(event.part.expected)
            console.print(view.wrong_view(event.result, event.tries_left, numeric=numeric))
            if event.revealed is not None:
                _solution(console, loop, event.revealed)
    elif isinstance(event, Finished):
        _emit(runner, event.result)


def _solution(console: Console, loop: QuizLoop, part: Part) -> None:
    from gradtutor.render import quiz as view

    numbers = loop.numbers_of(part)
    console.print(
        view.solution_view(part.label, _pretty(part.expected), _worked(part), numbers=numbers)
    )


def _emit(runner: QuizRunner, result: QuestionResult) -> None:
    out = runner.json_out
    if out is not None:
        out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        out.flush()


def _pretty(expression: str) -> str:
    """The engine's unicode display of a plain-syntax answer (the text itself if it fails)."""
    from gradtutor.calculus.errors import ParseError
    from gradtutor.calculus.parsing import parse

    try:
        return str(parse(expression).pretty)
    except ParseError:
        return expression


def _worked(part: Part) -> RenderableType | None:
    """The worked solution of a part: backprop's tables as text, or the derivation of its
    derivative task; None if there is none."""
    if part.worked:  # backprop kinds: the forward and backward tables, as text
        from rich.text import Text

        return Text(part.worked)
    if not part.task:
        return None
    from gradtutor.calculus.derive import TaskError, solve_task
    from gradtutor.calculus.errors import ParseError
    from gradtutor.render.explain import render_explain

    try:
        return render_explain(solve_task(part.task))
    except (ParseError, TaskError):  # a pack's task that can't be worked: the answer stands
        return None
