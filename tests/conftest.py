"""Test-wide settings.

Hypothesis runs derandomized: the same examples every run, so CI cannot flake on an
example nobody has seen before; set HYPOTHESIS_PROFILE=explore to search afresh (and
with the full example counts: see RANDOM_TREES in test_rules_derive.py).

The suite runs on every core (pytest-xdist, ``-n auto`` in pyproject.toml): each worker
process imports this file and gets its own temporary folders.

Every test also runs in a pinned environment (``_pinned_host``): its own GRADTUTOR_HOME,
no colour, an 80×24 "terminal" size, TZ=UTC, and none of the variables that make rich
treat a pipe as a terminal. A test that wants something else says so with ``monkeypatch``
(or ``CliRunner.invoke(env=...)``), which makes the dependence visible in the test.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# A runner started in the background by a shell without job control (`pytest &` in a
# script, some CI runners) inherits SIGINT *ignored*, and so does every process a test
# spawns: the pty tests that press Ctrl-C then wait for an interruption that never comes
# (found running the suite beside a CPU-bound process from a script). Restore Python's
# handler here; exec resets it to the default in children, where Ctrl-C works again.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_configure(config: pytest.Config) -> None:
    """Where the environment says not to write bytecode (PYTHONDONTWRITEBYTECODE, set on
    some CI images), every interpreter a test starts (about 90 of them: ``python -m
    gradtutor …``, and each test worker) would compile gradtutor's modules again: about a
    quarter of a ``check`` run's CPU time. Compile them once here instead, in the one
    process that starts the others (``__pycache__`` is ignored by git; Python reads a
    cached file only while it matches its source)."""
    if sys.dont_write_bytecode and not hasattr(config, "workerinput"):
        import compileall

        import gradtutor

        compileall.compile_dir(Path(gradtutor.__file__).parent, quiet=1)


# Variables of the host that change what rich or gradtutor print; removed for every test.
HOST_VARIABLES = (
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "CLICOLOR_FORCE",
    "COLORTERM",
    "GRADTUTOR_DEBUG",
)


@pytest.fixture(scope="session")
def _homes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every test's GRADTUTOR_HOME. ``tmp_path_factory.mktemp`` per test
    scanned all the numbered folders made before it, so the suite's 3,800 homes took
    quadratic time (about 10 s of it); mkdtemp in one folder of their own is constant."""
    return tmp_path_factory.mktemp("homes")


@pytest.fixture(autouse=True)
def _pinned_host(_homes: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private GRADTUTOR_HOME (a test that forgets can't write the real one), NO_COLOR,
    COLUMNS=80 and LINES=24, whatever the shell running pytest has set."""
    home = Path(tempfile.mkdtemp(prefix="home", dir=_homes))  # new and empty, for this test
    monkeypatch.setenv("GRADTUTOR_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    monkeypatch.setenv("TERM", "xterm-256color")
    host_tz = os.environ.get("TZ")
    monkeypatch.setenv("TZ", "UTC")  # "today" and streaks are local days: the same everywhere
    time.tzset()
    for name in HOST_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield home
    # monkeypatch puts TZ back after this; the C library must read the restored value too
    if host_tz is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = host_tz
    time.tzset()


@pytest.fixture
def home(_pinned_host: Path) -> Path:
    """This test's GRADTUTOR_HOME (already set in the environment)."""
    return _pinned_host


@pytest.fixture
def run_main(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], tuple[int, str]]:
    """Run ``main()``'s body in this process for ``argv``: its exit status and stderr."""
    import io

    from gradtutor.cli import app as app_module
    from gradtutor.cli import streams

    def run(argv: list[str]) -> tuple[int, str]:
        err = io.StringIO()
        monkeypatch.setattr(sys, "argv", ["gradtutor", *argv])
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(streams, "prepare", lambda: None)
        return app_module._run(), err.getvalue()

    return run
