"""The hard time limit: work runs in a worker process that is killed at the deadline.

Issue 12: a signal cannot interrupt one long C call (a catastrophic regular expression
stands in for a huge integer product here: both hold the interpreter inside C for
minutes), and ``check`` from a thread ran for minutes. These tests state an input and
the exact outcome; durations are only bounded loosely (minutes vs seconds), speed is
measured in benchmarks/bench_time_limit.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import gradtutor
from gradtutor.calculus import worker
from gradtutor.calculus.errors import ParseError
from gradtutor.calculus.parsing import parse
from gradtutor.calculus.results import Verdict
from gradtutor.calculus.timelimit import TimeLimitExceeded, time_limit

# Matching this takes about 2^40 steps inside the C regex engine: no signal stops it.
CATASTROPHIC = (r"(a+)+$", "a" * 40 + "b")
# Issue 12: a steps line of 5 nested 20th derivatives ran 56 s; here it runs for minutes,
# and none of the size limits refuses it (x^x's derivatives grow slowly).
NESTED = "d^20/dx^20(d^20/dx^20(d^20/dx^20(d^20/dx^20(d^20/dx^20(x^x)))))"
SLOW_CHECK = (NESTED, "0")


def test_a_long_c_call_is_stopped_at_the_deadline() -> None:
    with pytest.raises(TimeLimitExceeded):
        worker.run(re.fullmatch, *CATASTROPHIC, time_limit=0.3)


def test_after_a_timeout_the_next_call_gets_a_fresh_worker() -> None:
    with pytest.raises(TimeLimitExceeded):
        worker.run(re.fullmatch, *CATASTROPHIC, time_limit=0.2)
    assert worker.run(pow, 3, 4, time_limit=5) == 81


def test_an_error_in_the_worker_reaches_the_caller_with_its_details() -> None:
    with pytest.raises(ParseError) as caught:
        worker.run(parse, "3x +", time_limit=5)
    assert (caught.value.message, caught.value.column) == ("something is missing after '+'", 3)


def test_without_a_limit_the_work_runs_in_this_process() -> None:
    assert worker.run(os.getpid, time_limit=None) == os.getpid()
    assert worker.run(os.getpid, time_limit=5) != os.getpid()


def test_run_many_keeps_order_and_only_the_slow_job_times_out() -> None:
    jobs = [
        worker.Job(pow, (2, 10), 5.0),
        worker.Job(re.fullmatch, CATASTROPHIC, 0.3),
        worker.Job(pow, (3, 3), 5.0),
        worker.Job(re.fullmatch, CATASTROPHIC, 0.3),
        worker.Job(pow, (5, 2), 5.0),
    ]
    outcomes = list(worker.run_many(jobs, workers=2))
    assert [o.timed_out for o in outcomes] == [False, True, False, True, False]
    assert [o.value for o in outcomes if not o.timed_out] == [1024, 27, 25]


def test_check_that_runs_out_of_time_in_the_worker_is_undetermined_with_the_message() -> None:
    result = gradtutor.check(*SLOW_CHECK, time_limit=0.5)
    assert result.verdict is Verdict.UNDETERMINED
    assert [(f.kind, f.message) for f in result.feedback] == [
        (
            "time_limit",
            "gradtutor could not decide within 0.5 s; "
            "this says nothing about whether the answer is right",
        )
    ]


def test_check_api_gives_the_engines_verdict() -> None:
    result = gradtutor.check("d/dx(3x^3)", "9x^2", time_limit=5)
    assert (result.verdict, result.expected_value) == (Verdict.EQUIVALENT, "9*x^2")


@pytest.mark.slow
def test_check_from_another_thread_stops_a_long_c_call_on_time() -> None:
    """Issue 12: check(..., time_limit=1) called from a thread ran for minutes."""
    outcome: list[object] = []

    def work() -> None:
        outcome.append(gradtutor.check(*SLOW_CHECK, time_limit=0.5).verdict)
        try:
            worker.run(re.fullmatch, *CATASTROPHIC, time_limit=0.3)
            outcome.append("finished")
        except TimeLimitExceeded:
            outcome.append("stopped")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(120)  # the first call from a thread starts a fork server (imports sympy)
    assert outcome == [Verdict.UNDETERMINED, "stopped"]


def test_in_process_limit_in_a_thread_survives_a_swallowed_exception() -> None:
    """sympy catches Exception in places; the thread watchdog fires again until it lands."""
    outcome: list[str] = []

    def work() -> None:
        try:
            with time_limit(0.2):
                try:
                    while True:
                        sum(range(1000))
                except TimeLimitExceeded:
                    pass  # swallowed, as a broad except inside a library would
                while True:
                    sum(range(1000))
        except TimeLimitExceeded:
            outcome.append("stopped")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert outcome == ["stopped"]


# -- the command line --------------------------------------------------------------------


def _gradtutor(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gradtutor", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "NO_COLOR": "1"},
        **kwargs,  # type: ignore[arg-type]
    )


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_check_cli_with_time_limit_1_exits_3_with_the_message() -> None:
    process = _gradtutor("check", "--time-limit", "1", *SLOW_CHECK, "--json")
    out, _ = process.communicate(timeout=60)
    data = json.loads(out)
    assert (process.returncode, data["verdict"], data["feedback"][0]["kind"]) == (
        3,
        "undetermined",
        "time_limit",
    )


def _hard_batch(tmp_path: Path, lines: int) -> Path:
    path = tmp_path / "hard.tsv"
    path.write_text("".join(f"{SLOW_CHECK[0]}\t{SLOW_CHECK[1]}\n" for _ in range(lines)))
    return path


def _still_alive(pids: set[int], seconds: float = 3.0) -> list[int]:
    """Those of ``pids`` still alive after waiting up to ``seconds`` for them to go: they
    die with their parent, which the caller has just seen exit; a busy machine may take a
    moment to run their exits, and the bug was workers running on for 10-30 s."""
    deadline = time.monotonic() + seconds
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.02)
    return alive


def _wait_for_workers(pid: int, count: int) -> set[int]:
    for _ in range(600):
        children = _children(pid)
        if len(children) >= count:
            return children
        time.sleep(0.05)
    raise AssertionError("the batch never started its workers")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_to_batch_leaves_no_workers_and_prints_nothing(tmp_path: Path) -> None:
    """Issue 12: workers ran on 10-30 s after `timeout` stopped the batch, then printed
    two tracebacks onto the terminal."""
    batch = _hard_batch(tmp_path, 6)
    process = _gradtutor("check", "--batch", str(batch), "--workers", "2", "--time-limit", "30")
    workers = _wait_for_workers(process.pid, 2)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert _still_alive(workers) == []
    assert err == ""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_to_batch_exits_130_without_worker_noise(tmp_path: Path) -> None:
    """Issue 12: Ctrl-C printed a stray "Process ForkPoolWorker-1:" and a traceback."""
    batch = _hard_batch(tmp_path, 6)
    process = _gradtutor("check", "--batch", str(batch), "--workers", "2", "--time-limit", "30")
    workers = _wait_for_workers(process.pid, 2)
    os.killpg(process.pid, signal.SIGINT)  # the terminal signals the whole group
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert _still_alive(workers) == []
    assert "Process" not in err and "Traceback" not in err


@pytest.mark.slow
def test_batch_of_never_ending_lines_takes_its_limits_not_minutes(tmp_path: Path) -> None:
    """Issue 12: 'check --batch --workers 2 --time-limit 1' over such lines ran past 300 s."""
    batch = _hard_batch(tmp_path, 4)
    process = _gradtutor("check", "--batch", str(batch), "--workers", "2", "--time-limit", "0.5")
    out, err = process.communicate(timeout=120)
    verdicts = [json.loads(line)["verdict"] for line in out.splitlines()]
    assert (process.returncode, verdicts, err) == (3, ["undetermined"] * 4, "")


@pytest.mark.slow
def test_steps_line_out_of_time_is_undetermined_and_later_lines_are_still_judged() -> None:
    """Issue 12: a steps line of 5 nested 20th derivatives ran 56 s. The worker is killed
    at the limit; a fresh one replays the lines before, and the next lines are judged."""
    from typer.testing import CliRunner

    from gradtutor.cli.app import app

    work = f"d/dx(3x^3)\n= 3*3x^2\n{NESTED}\n= 3*3*1^2\n9x^2\n"
    result = CliRunner().invoke(app, ["steps", "--time-limit", "0.5", "--json", "-"], input=work)
    lines = json.loads(result.stdout)["lines"]
    assert result.exit_code == 1
    assert [(line["status"], line["misconception"]) for line in lines] == [
        ("ok", None),
        ("undetermined", None),
        ("wrong", "dropped_variable"),
        ("ok", None),
    ]
    assert lines[1]["message"] == "could not decide within 0.5 s"


def test_steps_line_with_a_20th_derivative_of_a_tower_is_invalid_not_exit_70() -> None:
    from typer.testing import CliRunner

    from gradtutor.cli.app import app

    work = "d/dx(x^2)\nd^20/dx^20(sin(x)^cos(x)^x)\n2x\n"
    result = CliRunner().invoke(app, ["steps", "--time-limit", "5", "--json", "-"], input=work)
    lines = json.loads(result.stdout)["lines"]
    assert result.exit_code == 1
    assert [line["status"] for line in lines] == ["invalid", "ok"]
    assert lines[0]["message"].startswith("the 20th derivative here grows too large")


@pytest.mark.slow
def test_explain_out_of_time_exits_3_with_the_message() -> None:
    from typer.testing import CliRunner

    from gradtutor.cli.app import app

    result = CliRunner().invoke(app, ["explain", "--time-limit", "0.5", NESTED, "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["message"] == "no worked solution within 0.5 s"


def _spin() -> None:
    while True:
        sum(range(100))


def _nested_run() -> str:
    try:
        worker.run(_spin, time_limit=0.2)
    except TimeLimitExceeded:
        return "stopped in the worker"
    return "finished"


def test_a_limited_call_inside_a_worker_runs_there_under_the_in_process_limit() -> None:
    assert worker.run(_nested_run, time_limit=30) == "stopped in the worker"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS on Linux")
def test_a_job_that_would_take_the_machines_memory_gets_a_clear_error() -> None:
    with pytest.raises(ParseError) as caught:
        worker.run(bytearray, 3 * worker.MEMORY_HEADROOM, time_limit=30)
    assert caught.value.message == "the expression is too large to work with"
    assert worker.run(pow, 2, 10, time_limit=5) == 1024  # the next job gets its worker


def _recurse(depth: int) -> int:
    return _recurse(depth + 1)


def test_a_job_that_recurses_too_deep_gets_a_clear_error_not_a_traceback() -> None:
    """sympy's trigonometric rewriting of sin(2^330 x) recursed once per factor of 2."""
    with pytest.raises(ParseError) as caught:
        worker.run(_recurse, 0, time_limit=30)
    assert caught.value.message == "the expression is too deeply nested to work with"


@pytest.mark.slow
def test_check_from_a_thread_in_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """multiprocessing's spawn and fork server re-run the caller's __main__ in the child:
    a script calling gradtutor.check from a thread would run twice and then fail."""
    script = tmp_path / "script.py"
    script.write_text(
        "import threading\n"
        "import gradtutor\n"
        "out = []\n"
        "def work():\n"
        f"    out.append(str(gradtutor.check({NESTED!r}, '0', time_limit=0.5).verdict))\n"
        "    out.append(str(gradtutor.check('d/dx(3x^3)', '9x^2', time_limit=5).verdict))\n"
        "thread = threading.Thread(target=work)\n"
        "thread.start()\n"
        "thread.join()\n"
        "print(out)\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "['undetermined', 'equivalent']\n",
        "",
    )
