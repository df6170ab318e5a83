"""Shared pytest fixtures (builders for small exports live in ``tests/fixtures_export.py``).

``--cpu-hog`` or ``MONITOR_TEST_HOG=1`` runs the session with every core kept busy by a busy-loop
process (started once by the controlling pytest process, ended when it ends): the proof that no test
depends on the machine's speed. ``spawn`` starts a process whose tree is killed in teardown.

Under ``--dist loadfile`` the xdist workers get the units of ``tests/scheduling_units.py``: a file, files
that share a cost paid once per process (such as loading deduce), or a part of a long file; the long
units first, so that no worker is left running a long unit alone at the end.
"""

from __future__ import annotations

import contextlib
import gc
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fixtures_export import make_codebook, make_frame
from process_helpers import cpu_hog, hog_requested, listen_to_ctrl_c, started
from scheduling_units import next_long_unit, unit_of

from helpers.publish.build.core import skip_unused_imports

# What a build does first (jsonschema, under nbformat, then skips the "iri" grammars no test asks for): about 2 s of
# CPU per process at collection otherwise. tests/unit/test_build_imports.py checks the skip in fresh processes.
skip_unused_imports()
_HOG = pytest.StashKey[contextlib.ExitStack]()
_HOG_PIDS = pytest.StashKey[list[int]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-hog", action="store_true", help="keep every core busy for the session (also: MONITOR_TEST_HOG=1)"
    )


@pytest.hookimpl(optionalhook=True)  # an xdist hook: pytest without xdist runs too
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadfile`` with the units of :func:`unit_of`, the long ones first; other modes as in xdist."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Units(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            unit = next_long_unit(self.workqueue)
            if unit is not None:
                self.workqueue.move_to_end(unit, last=False)
            super()._assign_work_unit(node)

    return Units(config, log)


def pytest_configure(config: pytest.Config) -> None:
    listen_to_ctrl_c()
    if hasattr(config, "workerinput") or not hog_requested(config.getoption("--cpu-hog")):
        return  # an xdist worker: the controller runs the one hog of the session
    stack = contextlib.ExitStack()
    config.stash[_HOG_PIDS] = stack.enter_context(cpu_hog())
    config.stash[_HOG] = stack


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(_HOG, None)
    if stack is not None:
        stack.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Free deduce's model before the interpreter ends: here it takes under a second, at the exit of the
    process about ten (a worker's exit is part of the session's time)."""
    deidentify = sys.modules.get("helpers.analysis.deidentify")
    if deidentify is not None and deidentify.model.cache_info().currsize:
        deidentify.model.cache_clear()
        gc.collect()


def pytest_report_header(config: pytest.Config) -> str | None:
    pids = config.stash.get(_HOG_PIDS, None)
    return f"cpu hog: {len(pids)} busy-loop process(es), pids {pids}" if pids else None


@pytest.fixture
def spawn() -> Iterator[Callable[..., subprocess.Popen]]:
    """``spawn(cmd, reports_dir=…, **popen)``: a process killed with its descendants (and its reports
    folder's locks removed) when the test ends, passed or failed."""
    with contextlib.ExitStack() as stack:

        def start(cmd: list[str], reports_dir: Path | None = None, **popen: object) -> subprocess.Popen:
            return stack.enter_context(started(cmd, reports_dir=reports_dir, **popen))

        yield start


@pytest.fixture
def codebook(tmp_path):
    return make_codebook(tmp_path)


@pytest.fixture
def frame():
    return make_frame()
