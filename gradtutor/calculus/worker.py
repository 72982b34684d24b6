"""Untrusted maths runs in a worker process that is killed at the deadline.

A signal or an asynchronous exception cannot interrupt a long C-level computation (a
huge integer power, a big expansion), so the in-process time limit
(:mod:`gradtutor.calculus.timelimit`) is only the polite half: it stops pure-Python
work and lets the job return what it has. The hard half is here. The work runs in a
worker process; the caller waits on a pipe until the deadline, then kills the worker
and raises :class:`TimeLimitExceeded` — on time, whatever the worker was doing. The
next call gets a fresh worker.

Workers are kept warm: they are forked from the caller after sympy is imported, so a
new one costs a few milliseconds, not the half second of importing sympy again, and an
idle one is reused. From a thread other than the main one, or while other threads run,
forking is unsafe (the child would copy locks other threads hold), so a worker is then a
fresh interpreter instead (it imports sympy itself, once per worker); so it is off Linux.

Workers die with their parent: they ignore Ctrl-C (the parent handles it and kills
them), ask Linux to kill them when the parent dies (SIGTERM, SIGKILL), and exit when
their pipe closes. They never print a traceback. On Linux a worker may allocate 2 GiB
beyond what it started with; past that a job gets a MemoryError (reported as "too
large to work with") instead of taking the machine's memory within its time limit.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, cast

from gradtutor.calculus.timelimit import TimeLimitExceeded

__all__ = [
    "Job",
    "Outcome",
    "WorkerDied",
    "in_worker",
    "prestart",
    "run",
    "run_many",
    "soft_limit",
]

# Modules every worker needs; imported in the parent before forking so workers start warm.
WARM_MODULES = ("sympy", "mpmath", "gradtutor.calculus.equivalence")
_STARTUP_SECONDS = 120.0  # a fork server's first start imports sympy (slow on a busy machine)
_IN_WORKER = False


class WorkerDied(RuntimeError):
    """The worker process ended without answering (killed from outside, out of memory)."""


def in_worker() -> bool:
    """True inside a worker process (where work already runs under a hard limit)."""
    return _IN_WORKER


def soft_limit(seconds: float) -> float:
    """The in-process limit a job gets, a little inside the hard one, so that pure-Python
    work can stop itself and still report what it has before the worker is killed."""
    return max(seconds - min(0.1, seconds / 10), seconds * 0.9)


def run(
    fn: Callable[..., Any],
    *args: Any,
    time_limit: float | None,
    warm: Sequence[str] = (),
) -> Any:
    """``fn(*args)`` in a worker, killed after ``time_limit`` seconds.

    Raises :class:`TimeLimitExceeded` at the deadline, or whatever ``fn`` raised. Without
    a limit ``fn`` runs here; already inside a worker it runs here under the in-process
    limit (the worker itself is under a hard one). ``fn`` must be a module-level function
    and its arguments and result picklable.
    """
    if time_limit is None or time_limit <= 0:
        return fn(*args)
    if _IN_WORKER:
        from gradtutor.calculus.timelimit import time_limit as in_process

        with in_process(time_limit):
            return fn(*args)
    worker = _take(warm)
    try:
        outcome = worker.call(fn, args, time_limit)
    except BaseException:  # killed, then re-raised: the worker may be mid-job
        worker.kill()  # Ctrl-C or a timeout: the worker may be mid-job
        raise
    _give_back(worker)
    return outcome.unwrap()


@dataclass(frozen=True)
class Job:
    """One unit of work for :func:`run_many`."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    time_limit: float


@dataclass(frozen=True)
class Outcome:
    """What a job came to: a value, an exception it raised, or the time limit."""

    value: Any = None
    error: BaseException | None = None
    timed_out: bool = False

    def unwrap(self) -> Any:
        if self.timed_out:
            raise TimeLimitExceeded("the time limit ran out")
        if self.error is not None:
            raise self.error
        return self.value


def run_many(jobs: Iterable[Job], *, workers: int, warm: Sequence[str] = ()) -> Iterator[Outcome]:
    """Each job's outcome, in order, using up to ``workers`` worker processes at once.

    A job past its time limit has its worker killed (and replaced); the others go on."""
    pending = list(enumerate(jobs))
    pending.reverse()
    pool: list[_Worker] = []
    running: dict[Connection, tuple[_Worker, int, float]] = {}
    done: dict[int, Outcome] = {}
    next_out = 0
    try:
        while pending or running:
            while pending and len(running) < max(workers, 1):
                index, job = pending.pop()
                worker = pool.pop() if pool else _Worker.start(warm)
                worker.send(job.fn, job.args, job.time_limit)
                running[worker.conn] = (worker, index, time.monotonic() + job.time_limit)
            nearest = min(deadline for _, _, deadline in running.values())
            for ready in wait(list(running), timeout=max(nearest - time.monotonic(), 0)):
                # wait() returns some of the objects it was given: here, Connections
                worker, index, _ = running.pop(cast(Connection, ready))
                done[index] = worker.receive()
                (pool if worker.alive else []).append(worker)
            now = time.monotonic()
            for conn, (worker, index, deadline) in list(running.items()):
                if deadline <= now and not conn.poll():
                    del running[conn]
                    worker.kill()
                    done[index] = Outcome(timed_out=True)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker, _, _ in running.values():
            worker.kill()
        for worker in pool:
            worker.close()


class Session:
    """A conversation with one worker that keeps state between calls (a derivation
    checked line by line). When a call runs out of time its worker is killed; the next
    call starts a new worker and first replays the calls that succeeded."""

    def __init__(self, warm: Sequence[str] = ()) -> None:
        self.warm = warm
        self._worker: _Worker | None = None
        self._log: list[tuple[Callable[..., Any], tuple[Any, ...], float]] = []

    def call(self, fn: Callable[..., Any], *args: Any, time_limit: float) -> Any:
        """``fn(*args)`` in this session's worker; raises TimeLimitExceeded at the deadline."""
        if _IN_WORKER:
            return fn(*args)
        if self._worker is None or not self._worker.alive:
            self._worker = _Worker.start(self.warm)
            for old_fn, old_args, old_limit in self._log:
                self._call(old_fn, old_args, old_limit * 2)
        value = self._call(fn, args, time_limit)
        self._log.append((fn, args, time_limit))
        return value

    def remember(self, fn: Callable[..., Any], *args: Any) -> None:
        """Record a call that changes state, to be made on the next worker (not run now)."""
        self._log.append((fn, args, 60.0))
        if self._worker is not None and self._worker.alive:
            self._call(fn, args, 60.0)

    def _call(self, fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
        assert self._worker is not None
        try:
            outcome = self._worker.call(fn, args, seconds)
        except BaseException:  # killed, then re-raised: the worker may be mid-job
            self._worker.kill()
            raise
        if not self._worker.alive:  # killed at the deadline, or died: the next call replays
            self._worker.kill()
        # A job stopped by the worker's own in-process limit returns, and its worker (and the
        # state it keeps) carries on: no replay needed.
        return outcome.unwrap()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.kill()


# -- the parent's side ----------------------------------------------------------------

_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def _take(warm: Sequence[str]) -> _Worker:
    while True:
        with _idle_lock:
            if not _idle:
                break
            worker = _idle.pop()
        try:
            if worker.alive and worker.wait_ready():  # a prestarted one may still be starting
                return worker
        except BaseException:  # Ctrl-C while waiting
            worker.kill()
            raise
        worker.kill()
    return _Worker.start(warm)


def prestart(warm: Sequence[str] = ()) -> bool:
    """Fork an idle worker now, before this process has imported sympy, and let it import
    sympy and ``warm`` itself while this process goes on (parsing options, say): the first
    :func:`run` then finds it ready instead of importing sympy here and forking after.
    Only where forking is safe (see _can_fork); returns whether a worker was started.

    The worker's start is not charged to a job's time limit: :func:`run` waits for it to
    be ready (as for a fresh interpreter) before the job's clock starts."""
    if not _can_fork():
        return False
    with _idle_lock:
        if _idle:
            return False
        _idle.append(_Worker._forked(tuple(dict.fromkeys((*WARM_MODULES, *warm)))))
    return True


def _give_back(worker: _Worker) -> None:
    if not worker.alive:
        worker.kill()
        return
    with _idle_lock:
        _idle.append(worker)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, process: Any, conn: Connection, *, ready: bool = True) -> None:
        self.process = process
        self.conn = conn
        self.ready = ready  # False until a prestarted worker has said "ready"

    @classmethod
    def start(cls, warm: Sequence[str]) -> _Worker:
        for name in (*WARM_MODULES, *warm):
            importlib.import_module(name)
        worker = cls._forked() if _can_fork() else cls(*_launcher().launch(warm), ready=False)
        # Wait until it is ready, so that a fresh interpreter's start (an import of sympy)
        # is not charged to the first job's time limit.
        if not worker.wait_ready():
            worker.kill()
            raise WorkerDied("the worker process did not start")
        return worker

    @classmethod
    def _forked(cls, imports: Sequence[str] = ()) -> _Worker:
        """A forked worker; with ``imports`` it imports them itself after the fork (a
        prestarted worker) and is ready once it says so (see wait_ready)."""
        context = multiprocessing.get_context("fork")
        parent_end, child_end = context.Pipe()
        target, args = (_serve_after, (child_end, imports)) if imports else (_serve, (child_end,))
        process = context.Process(target=target, args=args, daemon=True)
        with _interrupts_held():
            process.start()
        child_end.close()
        return cls(process, parent_end, ready=False)

    def wait_ready(self) -> bool:
        """Wait (up to the start-up allowance) for the worker's "ready"; False if it died."""
        if self.ready:
            return True
        try:
            if not self.conn.poll(_STARTUP_SECONDS):
                return False
            self.conn.recv()
        except (EOFError, OSError):
            return False
        self.ready = True
        return True

    @property
    def alive(self) -> bool:
        return self.process.is_alive() and not self.conn.closed

    def send(self, fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> None:
        # The worker's own in-process limit falls between the job's soft limit and the kill.
        self.conn.send((fn, args, (soft_limit(seconds) + seconds) / 2))

    def receive(self) -> Outcome:
        try:
            status, payload = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            return Outcome(error=WorkerDied("the worker process ended without an answer"))
        if status == "ok":
            return Outcome(value=payload)
        if status == "timeout":
            return Outcome(timed_out=True)
        return Outcome(error=payload)

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Outcome:
        self.send(fn, args, seconds)
        if not self.conn.poll(seconds):
            self.kill()
            return Outcome(timed_out=True)
        return self.receive()

    def kill(self) -> None:
        with contextlib.suppress(Exception):  # the process may be gone already
            self.process.kill()
            self.process.join(5)
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the pipe may be closed already
            self.conn.close()


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while forking: a KeyboardInterrupt raised in one of Python's at-fork
    callbacks (logging has one) is printed and swallowed, and the batch would run on. The
    held signal is delivered as soon as the fork is done."""
    can_hold = hasattr(signal, "pthread_sigmask")
    if can_hold:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if can_hold:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _can_fork() -> bool:
    """fork is safe from the main thread of a single-threaded process (on Linux, where
    the worker can also ask to die with its parent)."""
    return (
        sys.platform.startswith("linux")
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


class _Launcher:
    """Starts fresh worker interpreters (``python -c …``) from one long-lived thread.

    Used where forking is unsafe (other threads run, or not Linux). A fresh interpreter
    copies no other thread's locks and, unlike multiprocessing's spawn and fork server,
    does not re-run the caller's ``__main__``. Linux kills a child when the *thread* that
    started it ends, so every child is started from this thread, which lives as long as
    the process."""

    def __init__(self) -> None:
        import queue

        self.requests: queue.Queue[tuple[Sequence[str], Any]] = queue.Queue()
        threading.Thread(target=self._loop, name="gradtutor-workers", daemon=True).start()

    def launch(self, warm: Sequence[str]) -> tuple[_Child, Connection]:
        import queue

        answer: queue.Queue[Any] = queue.Queue()
        self.requests.put((warm, answer))
        result = answer.get()
        if isinstance(result, BaseException):
            raise WorkerDied(f"the worker process did not start: {result}")
        return result

    def _loop(self) -> None:
        while True:
            warm, answer = self.requests.get()
            try:
                answer.put(_start_interpreter(warm))
            except Exception as exc:  # handed to the caller: WorkerDied
                answer.put(exc)


_launcher_instance: _Launcher | None = None
_launcher_lock = threading.Lock()


def _launcher() -> _Launcher:
    global _launcher_instance
    with _launcher_lock:
        if _launcher_instance is None:
            _launcher_instance = _Launcher()
        return _launcher_instance


class _Child:
    """A worker interpreter, with the few methods of multiprocessing's Process we use."""

    def __init__(self, popen: Any) -> None:
        self.popen = popen

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        self.popen.kill()

    def join(self, timeout: float | None = None) -> None:
        self.popen.wait(timeout)


def _start_interpreter(warm: Sequence[str]) -> tuple[_Child, Connection]:
    import socket
    import subprocess

    import gradtutor

    ours, theirs = socket.socketpair()
    child_fd = theirs.detach()
    # The caller's import path, as multiprocessing's spawn passes it: a job's function is
    # found by its module's name.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(gradtutor.__file__)))
    paths = [package_root, *(p for p in sys.path if p and os.path.isdir(p))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}
    code = "import sys; from gradtutor.calculus.worker import serve_fd; serve_fd(sys.argv[1:])"
    try:
        popen = subprocess.Popen(
            [sys.executable, "-c", code, str(child_fd), *WARM_MODULES, *warm],
            pass_fds=(child_fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
    finally:
        os.close(child_fd)
    return _Child(popen), Connection(ours.detach())


# -- the worker's side ----------------------------------------------------------------


def serve_fd(argv: Sequence[str]) -> None:
    """A fresh worker interpreter's entry point: ``fd module…`` (see _start_interpreter)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        conn = Connection(int(argv[0]))
        for name in argv[1:]:
            importlib.import_module(name)
    except BaseException:  # the parent sees the pipe close: "did not start"
        os._exit(1)
    _serve(conn)


def _serve_after(conn: Connection, imports: Sequence[str]) -> None:
    """A prestarted worker: import what every job needs, then serve as any worker."""
    try:
        _die_with_parent()
        for name in imports:
            importlib.import_module(name)
    except BaseException:  # the parent sees the pipe close: "did not start"
        os._exit(1)
    _serve(conn)


def _serve(conn: Connection) -> None:
    """The worker's loop: run each job, send back its value or its exception."""
    global _IN_WORKER
    _IN_WORKER = True
    try:
        _die_with_parent()
        _cap_memory()
        conn.send("ready")
        while True:
            try:
                fn, args, soft = conn.recv()
            except (EOFError, OSError, KeyboardInterrupt):
                break
            except Exception as exc:  # a job that cannot be unpickled here: say so
                conn.send(("error", _portable(exc)))
                continue
            conn.send(_run_job(fn, args, soft))
    except BaseException:  # a worker never prints; the parent reports
        pass
    finally:
        os._exit(0)  # no atexit handlers, no "Exception ignored" noise


def _run_job(fn: Callable[..., Any], args: tuple[Any, ...], soft: float) -> tuple[str, Any]:
    from gradtutor.calculus.timelimit import time_limit

    try:
        with time_limit(soft):
            value = fn(*args)
        return ("ok", value)
    except TimeLimitExceeded:
        return ("timeout", None)
    except RecursionError:
        from gradtutor.calculus.errors import TooLargeError

        return ("error", TooLargeError("the expression is too deeply nested to work with"))
    except MemoryError:
        from gradtutor.calculus.errors import TooLargeError

        return ("error", TooLargeError("the expression is too large to work with"))
    except Exception as exc:  # the job's own error, raised again in the caller
        return ("error", _portable(exc))


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError saying what it was."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # not picklable: a RuntimeError names it
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    exc.__traceback__ = None
    return exc


MEMORY_HEADROOM = 2 * 1024**3  # bytes a job may allocate beyond the worker's start


def _cap_memory() -> None:
    """Cap the worker's address space at what it started with plus 2 GiB: a job that
    would take the machine's memory in its time limit gets a MemoryError instead."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            line = next(row for row in status if row.startswith("VmSize:"))
        size = int(line.split()[1]) * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = size + MEMORY_HEADROOM
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft == resource.RLIM_INFINITY or soft > cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, StopIteration, ValueError):
        pass  # not Linux: no cap; the time limit still holds


def _die_with_parent() -> None:
    """Ctrl-C is the parent's to handle; on Linux, die when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # also drops a Ctrl-C held during the fork
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # no prctl here: the pipe still ends us
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(0)
