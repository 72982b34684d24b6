"""A hard time limit that really stops sympy.

In the main thread a POSIX interval timer raises :class:`TimeLimitExceeded` from a
signal handler; in other threads a watchdog injects the same exception with
``PyThreadState_SetAsyncExc``. Either way the exception surfaces at the next
Python bytecode, which sympy (pure Python) reaches quickly — but not during one
long C call (a huge integer product, a regular expression). This is the polite,
in-process half of the limit; the hard half, which stops anything, is the worker
process of :mod:`gradtutor.calculus.worker`, and every command runs its maths there.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_TIME_LIMIT = 2.0  # seconds for one check, one line of steps, one worked derivative
_RETRY_SECONDS = 0.05


class TimeLimitExceeded(Exception):
    """The time limit ran out."""


def _main_thread_can_alarm() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Run the body for at most ``seconds`` (None or <= 0: no limit)."""
    if seconds is None or seconds <= 0:
        yield
        return
    if _main_thread_can_alarm():
        with _alarm(seconds):
            yield
    else:
        with _watchdog(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    deadline = time.monotonic() + seconds
    previous_timer = signal.getitimer(signal.ITIMER_REAL)
    previous_handler = signal.getsignal(signal.SIGALRM)
    outer_deadline = time.monotonic() + previous_timer[0] if previous_timer[0] > 0 else None
    active = [True]

    def _raise(signum: int, frame: object) -> None:
        if active[0]:
            raise TimeLimitExceeded(f"time limit of {seconds:g} s ran out")

    # A nested limit never extends an outer one.
    if outer_deadline is not None and outer_deadline < deadline:
        seconds = max(outer_deadline - time.monotonic(), 0.001)
    signal.signal(signal.SIGALRM, _raise)
    # Fire again every 50 ms: an exception raised inside a garbage-collection callback or
    # a __del__ is swallowed by Python, and the limit must still stop the work.
    signal.setitimer(signal.ITIMER_REAL, seconds, _RETRY_SECONDS)
    try:
        yield
    finally:
        while True:  # the alarm may fire once more while we disarm it
            try:
                active[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                break
            except TimeLimitExceeded:
                continue
        signal.signal(signal.SIGALRM, previous_handler)
        if outer_deadline is not None:
            remaining = outer_deadline - time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001), previous_timer[1])


@contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    """The weaker path, for threads other than the main one: an asynchronous exception,
    injected again every 50 ms until the body ends (sympy's own ``except Exception``
    blocks may swallow one). It cannot interrupt a single long C call; code that must
    stop on time whatever it runs uses :mod:`gradtutor.calculus.worker` instead."""
    import ctypes  # here, not at the top: the command line imports this module for its default

    target = threading.get_ident()
    done = threading.Event()
    fired = threading.Event()

    def _watch() -> None:
        if done.wait(seconds):
            return
        fired.set()
        while not done.is_set():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(target), ctypes.py_object(TimeLimitExceeded)
            )
            done.wait(_RETRY_SECONDS)

    watcher = threading.Thread(target=_watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        while True:  # an injected exception may land while we stop the watcher
            try:
                done.set()
                watcher.join()
                if fired.is_set():
                    # The exception may still be pending if the body finished just in time.
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)
                break
            except TimeLimitExceeded:
                continue
