"""Shared pytest fixtures (builders for small exports live in ``tests/fixtures_export.py``).

``--cpu-hog`` or ``MONITOR_TEST_HOG=1`` runs the session with every core kept busy by a busy-loop
process (started once by the controlling pytest process, ended when it ends): the proof that no test
depends on the machine's speed. ``spawn`` starts a process whose tree is killed in teardown.

Under ``--dist loadfile`` the files of one of ``SHARED_UNITS`` go to one xdist worker together (they share
a cost paid once per process, such as loading deduce), and the units of ``LONG_UNITS`` are handed out
first, so that no worker is left running a long file alone at the end.
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
from process_helpers import cpu_hog, hog_requested, started

#: Test files run by one worker, in one unit: they share a cost paid once per process (deduce's model: seconds
#: of CPU and a gigabyte; the in-memory tables of earlier editions).
SHARED_UNITS = {
    "tests/unit/test_deidentify.py": "deduce",
    "tests/unit/test_deidentify_corpus.py": "deduce",
    "tests/unit/test_quotes.py": "deduce",
    "tests/unit/test_tables.py": "deduce",
    "tests/unit/test_compare.py": "shipped-changes",  # tests/shipped.py
    "tests/unit/test_panel.py": "shipped-changes",
    "tests/unit/test_example_data_2019.py": "shipped-processed",  # tests/shipped.py
    "tests/unit/test_example_data_2020.py": "shipped-processed",
    "tests/unit/test_lineage_chain.py": "shipped-processed",
    "tests/unit/test_trend_years.py": "shipped-processed",
}
#: Units handed out first (the longest, measured with ``make test-fast``); the rest by their number of tests.
LONG_UNITS = (
    "deduce",
    "tests/unit/test_bad_inputs.py",
    "tests/unit/test_guard.py",
    "shipped-changes",
    "shipped-processed",
    "tests/unit/test_new_edition.py",
)

_HOG = pytest.StashKey[contextlib.ExitStack]()
_HOG_PIDS = pytest.StashKey[list[int]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-hog", action="store_true", help="keep every core busy for the session (also: MONITOR_TEST_HOG=1)"
    )


def unit_of(nodeid: str) -> str:
    """The scheduling unit of a test under ``--dist loadfile``: its file, or the shared unit that file is in."""
    file = nodeid.split("::", 1)[0]
    return SHARED_UNITS.get(file, file)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: pytest without xdist runs too
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadfile`` with the units of :func:`unit_of`, ``LONG_UNITS`` first; other modes as in xdist."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Units(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            for unit in LONG_UNITS:
                if unit in self.workqueue:
                    self.workqueue.move_to_end(unit, last=False)
                    break
            super()._assign_work_unit(node)

    return Units(config, log)


def pytest_configure(config: pytest.Config) -> None:
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
