"""Build into a temporary directory next to the report and swap it in only when everything succeeded.

``reports/.tmp-<year>-*`` is created on the same file system as ``reports/<year>``, so the final
step is a rename: an atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``) when the previous report
exists, else a plain rename. A lock file ``reports/.lock-<year>`` (holding the owner's process id)
keeps two builds of the same year apart; the kernel drops the lock when its process dies, so a lock
that can be taken belongs to no living build. What dead builds left behind (``.tmp-<year>-*``,
``.old-<year>-*``, their lock files) is removed by the next build, year by year, each under its own lock.
Folders kept for a failed build hold survey answers: they are private (0700, files 0600).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class BuildLocked(RuntimeError):
    """Another build of the same year is running."""


@contextlib.contextmanager
def year_lock(reports_dir: Path, year: int | str, remove: bool = False) -> Iterator[None]:
    """Exclusive, non-blocking lock ``reports/.lock-<year>`` for the duration of a build.

    The lock file records the owner's process id; ``remove`` deletes it (still holding the lock) on exit.
    """
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / f".lock-{year}"
    fd = _acquire(path)
    if fd is None:
        raise BuildLocked(f"er draait al een build van {year} ({_owner(path)}; slot {path})")
    try:
        yield
    finally:
        if remove:
            with contextlib.suppress(OSError):
                path.unlink()
        os.close(fd)


def _acquire(path: Path) -> int | None:
    """Open and lock ``path``; the fd, or None when a living process holds it.

    A lock file removed by its last owner between our open and our lock is opened again, so two
    builds never hold locks on two different files of the same name.
    """
    import fcntl

    for _ in range(100):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)
    raise BuildLocked(f"slot {path} wordt steeds opnieuw verwijderd; probeer het nog eens")


def _owner(path: Path) -> str:
    """``proces 1234`` from a lock file, for the message."""
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"proces {pid}" if pid.isdigit() else "proces onbekend"


_LEFTOVER = re.compile(r"^\.(?:tmp|old|lock)-(\d{4})(?:-|$)")


def remove_leftovers(reports_dir: Path, held: int | str, log: Callable[[str], None]) -> list[str]:
    """Remove what dead report builds left: ``.tmp-<year>-*``, ``.old-<year>-*`` and ``.lock-<year>``.

    Call it holding the lock of year ``held``: that year's leftovers are dead builds' by definition.
    Another year's go only while its lock can be taken (no living build holds it); its lock file goes
    with them. Returns the removed names.
    """
    years = sorted({m.group(1) for p in reports_dir.iterdir() if (m := _LEFTOVER.match(p.name))})
    removed: list[str] = []
    for year in years:
        stale = sorted([*reports_dir.glob(f".tmp-{year}-*"), *reports_dir.glob(f".old-{year}-*")])
        path = reports_dir / f".lock-{year}"
        existed = path.exists()
        if year == str(held):
            fd = None
        else:
            fd = _acquire(path)
            if fd is None:
                continue  # a living build of that year
        try:
            for p in stale:
                shutil.rmtree(p, ignore_errors=True)
            removed += [p.name for p in stale]
            if fd is not None:
                with contextlib.suppress(OSError):
                    path.unlink()
                removed += [path.name] if existed else []
        finally:
            if fd is not None:
                os.close(fd)
    if removed:
        log(f"resten van afgebroken builds verwijderd: {', '.join(removed)}")
    return removed


def private_dir(path: Path) -> Path:
    """Create ``path`` (or tighten an existing one) readable by its owner only (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def seal_private(path: Path) -> None:
    """Make a kept folder owner-only: folders 0700, files 0600; an empty one is removed."""
    if not path.is_dir():
        return
    if not any(path.iterdir()):
        path.rmdir()
        return
    path.chmod(0o700)
    for p in path.rglob("*"):
        p.chmod(0o700 if p.is_dir() else 0o600)


def new_staging(reports_dir: Path, year: int) -> Path:
    """A fresh ``reports/.tmp-<year>-XXXX`` (call it holding the year's lock: stale ones are removed first)."""
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
