"""Event waits, process teardown and a CPU hog: tests that do not depend on the machine's speed.

A wait here polls for an event (a file appears, a process ends). Its ``limit`` is generous and only
turns a hang into a failure with a clear message; it never decides a normal outcome, so a busy
machine makes a test slower, never red. ``started`` ends the whole process tree it started (the
build *and* its kernels, which run in their own session) and removes the year locks of its reports
folder in teardown, even when the test fails, so one failure cannot cascade into the next test.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import psutil

#: Seconds before a wait gives up: a guard against a hang, never an expected duration.
LIMIT = 600.0
#: Seconds between two looks at the awaited event.
POLL = 0.1
#: ``MONITOR_TEST_HOG=1`` (or ``pytest --cpu-hog``) keeps every core busy for the whole session.
HOG_ENV = "MONITOR_TEST_HOG"
HOG_CODE = "while 1: pass"

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """An awaited event did not happen within the hang guard."""


def listen_to_ctrl_c() -> bool:
    """Make Ctrl-C raise KeyboardInterrupt again when the suite was started with SIGINT ignored; True if so.

    A shell without job control starts a background command (``make test &``, ``nohup``, some CI
    runners) with SIGINT ignored; Python then installs no handler, and every process the tests start
    inherits the ignore. The tests that send Ctrl-C to a build or a kernel pool would wait for an
    interruption that never comes. Called in every pytest process before any test runs.
    """
    import signal

    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        return False
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a caught signal is SIG_DFL again after exec
    return True


def wait_for(
    condition: Callable[[], T], what: str, *, limit: float = LIMIT, alive: subprocess.Popen | None = None
) -> T:
    """Poll ``condition`` until it returns a truthy value and return that value.

    ``what`` names the event in the failure message. With ``alive``, a process that ends before the
    event happened fails at once (with its exit code) instead of waiting out the limit.
    """
    deadline = time.monotonic() + limit
    while True:
        value = condition()
        if value:
            return value
        if alive is not None and alive.poll() is not None:
            raise WaitTimeout(f"{what}: the process ended first (exit code {alive.returncode})")
        if time.monotonic() > deadline:
            raise WaitTimeout(f"{what}: not within {limit:.0f} s (a hang guard, not an expected duration)")
        time.sleep(POLL)


def wait_for_file(path: Path, what: str, *, limit: float = LIMIT, alive: subprocess.Popen | None = None) -> str:
    """Wait until ``path`` exists with content (write it with ``os.replace`` to be atomic); its text."""

    def content() -> str:
        with contextlib.suppress(FileNotFoundError):
            return path.read_text(encoding="utf-8")
        return ""

    return wait_for(content, what, limit=limit, alive=alive)


def wait_for_exit(proc: subprocess.Popen, what: str, *, limit: float = LIMIT) -> tuple[str, str]:
    """``proc.communicate()`` with the hang guard; its (stdout, stderr)."""
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        raise WaitTimeout(f"{what}: the process did not end within {limit:.0f} s (a hang guard)") from None
    return out or "", err or ""


def pid_ended(pid: int) -> bool:
    """True when ``pid`` no longer runs (gone, or a zombie waiting to be reaped)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _tree(pid: int) -> list[psutil.Process]:
    """``pid`` and every descendant, also those in another session (kernels)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    return []


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and all its descendants; stopped first, so none starts a new child meanwhile."""
    procs = _tree(pid)
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            proc.suspend()
    procs += [p for p in _tree(pid) if p not in procs]
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            proc.kill()
    psutil.wait_procs([p for p in procs if p.pid != pid], timeout=LIMIT)


def remove_locks(reports_dir: Path | None) -> None:
    """Delete ``reports_dir/.lock-*`` (after ``kill_tree``, so no living build holds one)."""
    if reports_dir is not None:
        for lock in reports_dir.glob(".lock-*"):
            with contextlib.suppress(OSError):
                lock.unlink()


@contextlib.contextmanager
def started(cmd: list[str], *, reports_dir: Path | None = None, **popen: object) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` in its own session; on exit (also on failure) kill its tree and remove the locks."""
    proc = subprocess.Popen(cmd, start_new_session=True, **popen)  # type: ignore[call-overload]
    try:
        yield proc
    finally:
        kill_tree(proc.pid)
        proc.wait()  # not communicate(): a process outside the tree holding a pipe would block it
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        remove_locks(reports_dir)


def hog_requested(option: bool) -> bool:
    """Whether the session should run under the CPU hog (``--cpu-hog`` or ``MONITOR_TEST_HOG=1``)."""
    return option or os.environ.get(HOG_ENV, "") not in ("", "0")


@contextlib.contextmanager
def cpu_hog(processes: int | None = None) -> Iterator[list[int]]:
    """Keep ``processes`` (default: one per core) busy-loop processes running; their pids."""
    count = processes or os.cpu_count() or 1
    procs = [
        subprocess.Popen([sys.executable, "-c", HOG_CODE], start_new_session=True, stdin=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        yield [p.pid for p in procs]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
