"""The test helpers that keep the suite independent of the machine's speed (tests/process_helpers.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from process_helpers import (
    LIMIT,
    WaitTimeout,
    cpu_hog,
    hog_requested,
    pid_ended,
    started,
    wait_for,
    wait_for_exit,
    wait_for_file,
)

#: A child that starts a grandchild in its own session (as a build starts its kernels), says both pids, waits.
PARENT = """\
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(10**6)"], start_new_session=True)
print(child.pid, flush=True)
time.sleep(10**6)
"""


def test_wait_for_returns_the_value_once_the_event_happens() -> None:
    calls = iter([None, "", "klaar"])
    assert wait_for(lambda: next(calls), "the third look") == "klaar"


def test_a_process_that_ends_before_the_event_fails_at_once_with_its_exit_code(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(WaitTimeout, match=r"never written: the process ended first \(exit code 3\)"):
        wait_for_file(tmp_path / "never", "never written", alive=proc)


def test_the_hang_guard_names_the_event() -> None:
    with pytest.raises(WaitTimeout, match=r"nothing: not within 0 s \(a hang guard"):
        wait_for(lambda: False, "nothing", limit=0)


def test_started_kills_the_grandchild_in_another_session_and_removes_the_locks(tmp_path: Path) -> None:
    (tmp_path / ".lock-2018").write_text("1\n")
    with started([sys.executable, "-c", PARENT], reports_dir=tmp_path, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        grandchild = int(proc.stdout.readline())
        assert psutil.pid_exists(grandchild) and not pid_ended(grandchild)
    assert proc.returncode is not None
    wait_for(lambda: pid_ended(grandchild), "the grandchild ended")
    assert not (tmp_path / ".lock-2018").exists()


def test_started_ends_its_process_also_when_the_test_fails(tmp_path: Path) -> None:
    with pytest.raises(ZeroDivisionError), started([sys.executable, "-c", "import time; time.sleep(10**6)"]) as proc:
        1 / 0  # noqa: B018 - the failing test body
    assert proc.returncode is not None


def test_wait_for_exit_gives_the_output() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "print('uit')"], stdout=subprocess.PIPE, text=True)
    assert wait_for_exit(proc, "print") == ("uit\n", "")


def test_the_cpu_hog_keeps_its_processes_busy_and_ends_them(monkeypatch: pytest.MonkeyPatch) -> None:
    with cpu_hog(2) as pids:
        assert len(pids) == 2
        assert all(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids)
    assert all(pid_ended(pid) for pid in pids)
    monkeypatch.setenv("MONITOR_TEST_HOG", "1")
    assert hog_requested(False)
    monkeypatch.setenv("MONITOR_TEST_HOG", "0")
    assert not hog_requested(False) and hog_requested(True)


def test_a_suite_started_with_ctrl_c_ignored_hears_it_again_and_so_do_its_children() -> None:
    """``make test &`` from a shell without job control ignores SIGINT; the Ctrl-C tests need it back."""
    import signal

    probe = (
        "import os, signal, subprocess, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[1])!r})\n"
        "from process_helpers import listen_to_ctrl_c\n"
        "print(listen_to_ctrl_c(), listen_to_ctrl_c())\n"
        "child = 'import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)'\n"
        "print(subprocess.run([sys.executable, '-c', child], capture_output=True, text=True).stdout.strip())\n"
        "try:\n    os.kill(os.getpid(), signal.SIGINT)\n    signal.pause()\nexcept KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    ignoring = lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)  # noqa: E731 - as a background job starts
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, preexec_fn=ignoring, timeout=LIMIT
    ).stdout.split("\n")
    assert out[:3] == ["True False", "True", "interrupted"]
