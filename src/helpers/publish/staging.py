"""Build into a temporary directory next to the report and swap it in only when everything succeeded.

``reports/.tmp-<year>-*`` is created on the same file system as ``reports/<year>``, so the final
step is a rename: an atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``) when the previous report
exists, else a plain rename. A lock file keeps two builds of the same year apart.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class BuildLocked(RuntimeError):
    """Another build of the same year is running."""


@contextlib.contextmanager
def year_lock(reports_dir: Path, year: int | str) -> Iterator[None]:
    """Exclusive, non-blocking lock ``reports/.lock-<year>`` for the duration of a build."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    fh = open(reports_dir / f".lock-{year}", "w")  # noqa: SIM115
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise BuildLocked(f"another build of {year} is running (lock {fh.name})") from exc
        yield
    finally:
        fh.close()


def new_staging(reports_dir: Path, year: int) -> Path:
    """A fresh ``reports/.tmp-<year>-XXXX`` (stale ones of earlier, killed builds are removed first)."""
    for pattern in (f".tmp-{year}-*", f".old-{year}-*"):
        for stale in reports_dir.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)
    path = Path(tempfile.mkdtemp(prefix=f".tmp-{year}-", dir=reports_dir))
    mask = os.umask(0)  # mkdtemp makes it 0700; the report should get the usual permissions
    os.umask(mask)
    path.chmod(0o777 & ~mask)
    return path


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block is done (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[object] = []
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the platform cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    res = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if res != 0:
        err = ctypes.get_errno()
        if err in (errno.EINVAL, errno.ENOSYS, errno.EXDEV):
            return False
        raise OSError(err, os.strerror(err), str(a))
    return True


def swap_in(staging: Path, final: Path) -> None:
    """Make ``staging`` the new ``final`` directory; the old one is removed afterwards."""
    with _sigint_deferred():
        if not final.exists():
            staging.rename(final)
            return
        if _exchange(staging, final):
            old = staging  # now holds the previous report
        else:
            old = final.with_name(f".old-{final.name}-{os.getpid()}")
            final.rename(old)
            staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
