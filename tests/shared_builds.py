"""One build per (edition, options) for the whole test session, shared by every xdist worker.

A build goes into ``<session temp>/shared-builds/<key>/`` (the session's temporary folder, the parent of
each worker's own), under a file lock: the first worker to take the lock builds, writes the result as
JSON and then the ``done`` marker; a worker that waited on the lock finds the marker and reuses the
build. A build that failed records its error, so waiters fail with the same message instead of
building again. A build whose builder died (no marker) is removed and built again by the next taker.

The shared folder is read-only by convention: a test that reads it uses :meth:`SharedBuild.untouched`
(its teardown fails the test if the folder's digest changed); a test that rebuilds or damages the
report takes :meth:`SharedBuild.copy`, the whole reports folder with its cache (manifest and state).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock, Timeout

from helpers.publish import BuildResult

#: How long a worker waits for another worker's build (a cold full build takes 1–3 minutes).
LOCK_TIMEOUT_S = 3600
DONE = "done.json"
#: Left in a reports folder by a build in progress; never part of a copy or a digest.
_TRANSIENT = (".lock-", ".tmp-", ".old-")


class SharedBuildError(RuntimeError):
    """The shared build failed (in this worker or another); the message is the builder's."""


@dataclass(frozen=True)
class SharedBuild:
    """A finished shared build: its project ``root``, its ``reports`` folder and what the build returned."""

    key: str
    root: Path
    reports: Path
    result: BuildResult
    extra: dict[str, Any]
    digest: str

    @property
    def report_dir(self) -> Path:
        return self.result.report_dir

    @contextlib.contextmanager
    def untouched(self) -> Iterator[SharedBuild]:
        """Yield the build; afterwards fail (in the using test's teardown) if anything under ``root`` changed."""
        yield self
        now = tree_digest(self.root)
        if now != self.digest:
            pytest.fail(f"shared build {self.key!r} under {self.root} was modified by this test; take .copy() instead")

    def copy(self, dest: Path) -> tuple[Path, BuildResult]:
        """The whole project (reports folder with its cache) copied to ``dest``; the copy's reports folder and
        the build result with its paths moved there."""
        shutil.copytree(self.root, dest, symlinks=True, ignore=_ignore_transient)
        moved = {
            name: dest / Path(getattr(self.result, name)).relative_to(self.root)
            for name in ("report_dir", "pdf", "html_index")
        }
        result = BuildResult(**{**asdict(self.result), **moved})
        return dest / self.reports.relative_to(self.root), result


def _ignore_transient(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n.startswith(_TRANSIENT)}


def tree_digest(root: Path) -> str:
    """sha256 over every file's relative path and bytes under ``root`` (transient build files aside)."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.as_posix() == DONE or any(p.startswith(_TRANSIENT) for p in rel.parts) or not path.is_file():
            continue
        h.update(rel.as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def session_dir(factory: pytest.TempPathFactory) -> Path:
    """``shared-builds/`` in this session's temporary folder: the parent of an xdist worker's own folder
    (shared by the workers), or the session folder itself without xdist (never another session's)."""
    base = factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-builds"


def shared_build(
    factory: pytest.TempPathFactory, key: str, build: Callable[[Path], tuple[BuildResult, Path, dict[str, Any]]]
) -> SharedBuild:
    """The build ``key``, made once per session: ``build(root)`` builds into the empty folder ``root`` and
    returns its result, its reports folder and extra JSON-able facts the tests check."""
    return build_in(session_dir(factory), key, build)


def build_in(home: Path, key: str, build: Callable[[Path], tuple[BuildResult, Path, dict[str, Any]]]) -> SharedBuild:
    """:func:`shared_build` in the folder ``home`` (shared by every process that passes it)."""
    home.mkdir(parents=True, exist_ok=True)
    root = home / key
    try:
        with FileLock(str(home / f"{key}.lock"), timeout=LOCK_TIMEOUT_S):
            if not (root / DONE).is_file():
                _build_once(root, build)
            record = json.loads((root / DONE).read_text(encoding="utf-8"))
    except Timeout as exc:
        waited = f"shared build {key!r}: no result after {LOCK_TIMEOUT_S} s waiting for the lock"
        raise SharedBuildError(waited) from exc
    if "error" in record:
        raise SharedBuildError(f"shared build {key!r} failed: {record['error']}")
    result = BuildResult(**{**record["result"], **{n: Path(record["result"][n]) for n in _PATHS}})
    return SharedBuild(key, root, Path(record["reports"]), result, record["extra"], record["digest"])


_PATHS = ("report_dir", "pdf", "html_index")


def _build_once(root: Path, build: Callable[[Path], tuple[BuildResult, Path, dict[str, Any]]]) -> None:
    """Build into a clean ``root`` and write ``done.json`` last (the error, if the build raised)."""
    shutil.rmtree(root, ignore_errors=True)  # what a builder that died left
    root.mkdir(parents=True)
    try:
        result, reports, extra = build(root)
        body: dict[str, Any] = {
            "result": {**asdict(result), **{n: str(getattr(result, n)) for n in _PATHS}},
            "reports": str(reports),
            "extra": extra,
        }
    except Exception as exc:
        body = {"error": "".join(traceback.format_exception_only(exc)).strip()}
        _write_done(root, body)
        raise
    body["digest"] = tree_digest(root)
    _write_done(root, body)


def _write_done(root: Path, body: dict[str, Any]) -> None:
    tmp = root.parent / f".{root.name}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(body, indent=1), encoding="utf-8")
    os.replace(tmp, root / DONE)


def shared_stub(factory: pytest.TempPathFactory) -> SharedBuild:
    """The stub project without raw input (``make_stub_project(raw=False)``), built once with two workers."""
    from stub_project import YEAR, make_stub_project

    from helpers.publish import BuildOptions, build_report

    def build(root: Path) -> tuple[BuildResult, Path, dict[str, Any]]:
        kw = make_stub_project(root, raw=False)
        reports = root / "reports"
        opts = BuildOptions(jobs=2, log=lambda line: None, **kw)
        return build_report(YEAR, root / "notebooks", reports, opts), reports, {}

    return shared_build(factory, "stub-noraw", build)
