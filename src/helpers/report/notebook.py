"""What a notebook calls first: ``ch = open_chapter(year, build_dir)``.

It finds the notebook's name (from the build, or from JupyterLab), loads the year's processed data,
codebooks of every edition, frame and edition notes, sets the house style, starts the registry and
the ``%%tekst`` magic, and shows the synthetic-data warning where it applies.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from helpers import paths
from helpers.load.processed import read_processed
from helpers.report.chapter import Chapter
from helpers.report.method import synthetic_note
from helpers.report.plots import set_house_style
from helpers.report.prose import activate
from helpers.report.registry import read_indicators
from helpers.survey.codebook import load_codebook
from helpers.survey.frame import read_frame
from helpers.survey.lineage import QuestionHistory
from helpers.survey.notes import load_notes

#: Set by the build for each kernel: the notebook's file stem (``03_policy``).
NOTEBOOK_ENV = "MONITOR_NOTEBOOK"


def notebook_name() -> str | None:
    """The running notebook's file stem: from the build, or from JupyterLab's session (None if unknown)."""
    for value in (os.environ.get(NOTEBOOK_ENV), os.environ.get("JPY_SESSION_NAME")):
        if value:
            return Path(value).stem
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    ns = getattr(shell, "user_ns", {}) or {}
    for key in ("__session__", "__vsc_ipynb_file__"):
        if ns.get(key):
            return Path(str(ns[key])).stem
    return None


def open_chapter(year: int, build_dir: str | Path | None = None, *, name: str | None = None) -> Chapter:
    """Load the processed data and codebooks, set the house style, start the registry and ``%%tekst``.

    ``build_dir`` is passed by the build; without it (a run in JupyterLab) figures and indicator
    parts go to ``.scratch/<year>/``, never into ``reports/``. The notebook's name comes from the
    build or from JupyterLab; pass ``name`` where neither is available.
    """
    name = name or notebook_name()
    if not name:
        raise ValueError(
            "Kan de naam van het notebook niet bepalen; geef die op: open_chapter(year, build_dir, name='03_beleid')."
        )
    cb = load_codebook(paths.codebook_path(year))
    history = QuestionHistory({y: load_codebook(paths.codebook_path(y)) for y in _codebook_years(year)})
    out_dir = Path(build_dir) if build_dir is not None else paths.SCRATCH_DIR / str(year)
    chapter = Chapter(
        name,
        year,
        out_dir,
        data=read_processed(year),
        codebook=cb,
        frame=read_frame(paths.frame_path(cb.frame_year)),
        history=history,
        notes=load_notes(paths.notes_path(year)),
    )
    if chapter.number == 1:
        chapter.shown_numbers = _chapters_numbers(year, out_dir)
    set_house_style()
    activate(chapter)
    if cb.synthetic:
        chapter.display(Markdown(synthetic_note(year)))
    return chapter


def _chapters_numbers(year: int, out_dir: Path) -> pd.DataFrame | None:
    """The assembled ``indicators.csv`` of this build (or, run by hand, of the last build); None if absent."""
    for path in (out_dir / "indicators.csv", paths.reports_year_dir(year) / "indicators.csv"):
        if path.exists():
            return read_indicators(path)
    return None


def _codebook_years(up_to: int) -> list[int]:
    years = [int(d.name) for d in paths.RAW_DIR.glob("[0-9][0-9][0-9][0-9]") if (d / "codebook.yaml").exists()]
    return sorted(y for y in years if y <= up_to)
