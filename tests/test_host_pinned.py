"""The environment every test runs in (tests/conftest.py): nothing read from the host."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from gradtutor.render.console import make_console
from gradtutor.tutor.store import default_home


def test_each_test_has_its_own_home_never_the_real_one(home: Path) -> None:
    import platformdirs

    assert default_home() == home
    assert home != Path(platformdirs.user_data_dir("gradtutor", appauthor=False))
    assert home.is_dir() and list(home.iterdir()) == []


def test_colour_width_and_terminal_variables_are_pinned() -> None:
    assert (os.environ["NO_COLOR"], os.environ["COLUMNS"], os.environ["LINES"]) == ("1", "80", "24")
    assert os.environ["TZ"] == "UTC" and time.localtime(0).tm_hour == 0
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM"):
        assert name not in os.environ
    console = make_console()
    assert (console.width, console.no_color, console.is_terminal) == (80, True, False)


def test_ctrl_c_reaches_the_processes_tests_spawn() -> None:
    # regression: a suite started from a script in the background inherited SIGINT ignored,
    # and the pty tests that press Ctrl-C waited for an interruption that never came
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
