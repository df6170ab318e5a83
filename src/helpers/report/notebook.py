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
from helpers.survey.vocabulary import CHAPTER_ANCHOR

NOTEBOOK_ENV = paths.NOTEBOOK_ENV


def notebook_name() -> str | None:
    """The running notebook's file stem: from the build, JupyterLab's or VS Code's session, or the command that
    started the kernel (nbconvert, papermill); None if unknown."""
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
    return _launcher_notebook()


def _launcher_notebook(pid: int | None = None, depth: int = 4) -> str | None:
    """The notebook named on the command line of the process that started this kernel (``jupyter nbconvert
    --execute 03_policy.ipynb``, ``papermill 03_policy.ipynb out.ipynb``): the first ``.ipynb`` argument that is
    a notebook of ``notebooks/``; None where ``/proc`` cannot tell."""
    known = {p.stem for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")}
    current = pid if pid is not None else os.getppid()
    for _ in range(depth):
        try:
            raw = Path(f"/proc/{current}/cmdline").read_bytes()
            status = Path(f"/proc/{current}/status").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        stems = [Path(a).stem for a in raw.decode("utf-8", "replace").split("\0") if a.endswith(".ipynb")]
        found = next((stem for stem in stems if stem in known), None)
        if found:
            return found
        parent = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "0")
        if parent in ("0", "1"):
            return None
        current = int(parent)
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
    # this year's codebook is read once (a codebook takes a third of a second to read and check)
    history = QuestionHistory(
        {y: cb if y == year else load_codebook(paths.codebook_path(y)) for y in _codebook_years(year)}
    )
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
    prose = activate(chapter)
    if cb.synthetic:
        chapter.display(Markdown(synthetic_note(year)))
    remark = prose.narrative.remarks(CHAPTER_ANCHOR)
    if remark:
        chapter.display(Markdown(remark))
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
