"""What the shipped editions give, computed once per test process: several test files need the same.

The results are read-only (frozen dataclasses); each call returns a new list of them.
"""

from __future__ import annotations

import atexit
import copy
import functools
import shutil
import tempfile
from pathlib import Path

from helpers.analysis.edition_changes import ShareChange
from helpers.load.export import LoadResult, build_processed
from helpers.publish.registers.compare import load_changes


def changes(year: int, since: int | None = None) -> list[ShareChange]:
    """``load_changes(year, since=since)`` of the shipped data, computed once per process."""
    return list(_changes(year, since))


@functools.cache
def _changes(year: int, since: int | None) -> tuple[ShareChange, ...]:
    return tuple(load_changes(year, since=since))


def processed(year: int) -> LoadResult:
    """``build_processed(year)`` of the shipped export (into a folder of this process), run once per process;
    a deep copy, so a test may change its tables."""
    return copy.deepcopy(_processed(year))


@functools.cache
def _processed(year: int) -> LoadResult:
    return build_processed(year, processed_dir=_folder())


@functools.cache
def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="shipped-processed-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
