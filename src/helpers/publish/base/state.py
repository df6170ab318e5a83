"""What one report build needs and returns: its settings resolved once, its result, its one-line failure."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.publish.base import plan
from helpers.publish.base.repro import ReportMeta

WORK = ".work"  # scratch space inside the staging directory; removed before the swap
Log = Callable[[str], None]


def log_stderr(line: str) -> None:
    """Default progress output: one line per event on stderr."""
    print(line, file=sys.stderr, flush=True)


class BuildError(RuntimeError):
    """The build stopped; ``str()`` is the one line to show: ``BUILD FAILED: <notebook>, cel <n>: <error>``."""

    def __init__(self, message: str, failed_notebook: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.failed_notebook = failed_notebook

    def __str__(self) -> str:
        return f"BUILD FAILED: {self.message}"


@dataclass
class BuildResult:
    """What a build produced and what it reused (notebook names)."""

    year: int
    report_dir: Path
    pdf: Path
    html_index: Path
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    #: Notebooks not run because only their prose changed: their outputs reused, their Markdown today's.
    prose_only: list[str] = field(default_factory=list)
    rendered: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    #: Seconds per phase of each executed notebook (``execute.PHASES``).
    phases: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build may be told besides the year and its folders; each has a default.

    ``jobs`` workers (default ``os.cpu_count()``); ``force`` ignores the cache; ``codebook``, ``inputs``
    and ``templates_dir`` default to ``helpers.paths``; ``freeze_date``/``synthetic``/``title`` override
    the codebook; ``parameters`` go to every notebook and ``overrides[name]`` to one (undeclared names
    are errors); ``processed_dir`` (if given) must be non-empty to reuse ``00``; ``kernel_env`` is set for
    the kernels and is part of every key; ``check_data`` checks the data before ``00`` runs.
    """

    jobs: int | None = None
    force: bool = False
    codebook: Path | None = None
    inputs: Sequence[Path] | None = None
    helpers_dir: Path | None = None
    templates_dir: Path | None = None
    parameters: Mapping[str, Any] | None = None
    overrides: Mapping[str, Mapping[str, Any]] | None = None
    freeze_date: str | None = None
    synthetic: bool | None = None
    title: str | None = None
    authors: Sequence[str] = ()
    processed_dir: Path | None = None
    timeout: int | None = None
    log: Log = log_stderr
    kernel_env: Mapping[str, str] | None = None
    check_data: Callable[[], object] | None = None


@dataclass
class Build:
    """Everything one build needs, resolved once."""

    year: int
    notebooks_dir: Path
    reports_dir: Path
    notebooks: list[plan.Notebook]
    meta: ReportMeta
    params: dict[str, dict[str, Any]]
    templates_dir: Path
    workers: int
    timeout: int | None
    log: Log
    kernel_env: dict[str, str] = field(default_factory=dict)
    check_data: Callable[[], object] | None = None
    #: Key of 01 without its dependencies, and whether it may be taken over (``publish.conclusions_reuse``).
    conclusions_key: str = ""
    reuse_conclusions: bool = False
    #: Each notebook's parts in the previous report (relative path -> sha256), from a verified manifest only.
    previous_parts: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def final(self) -> Path:
        return self.reports_dir / str(self.year)

    @property
    def failed_dir(self) -> Path:
        return self.reports_dir / f"{self.year}-failed"

    @property
    def pdf_name(self) -> str:
        return f"monitor_{self.year}.pdf"

    @property
    def graph(self) -> dict[str, frozenset[str]]:
        return plan.dependencies(self.notebooks)

    @property
    def exec_order(self) -> list[str]:
        return [n for stage in plan.stages(self.notebooks) for n in stage]


def default_inputs(year: int) -> list[Path]:
    """Inputs whose change re-executes every notebook: the raw data of this year and of every earlier
    year (trends recompute earlier years), the reference and published files, and the pinned
    environment."""
    from helpers import paths

    root = paths.PROJECT_ROOT
    years = sorted(p for p in paths.RAW_DIR.glob("[0-9][0-9][0-9][0-9]") if p.is_dir() and int(p.name) <= year)
    outside = []
    if paths.export_dir() != paths.RAW_DIR:  # real exports in MONITOR_DATA_DIR
        outside = sorted(
            p for p in paths.export_dir().glob("[0-9][0-9][0-9][0-9]") if p.is_dir() and int(p.name) <= year
        )
    return [*years, *outside, paths.REFERENCE_DIR, paths.PUBLISHED_DIR, root / "requirements.lock"]
