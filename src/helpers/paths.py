"""Project paths, resolved from the package location so the working directory never matters."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("MONITOR_ROOT", Path(__file__).resolve().parents[2]))
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
REFERENCE_DIR = RAW_DIR / "reference"
PUBLISHED_DIR = RAW_DIR / "published"
#: Where an interactive (JupyterLab) run of a notebook writes figures and indicator parts; never committed.
SCRATCH_DIR = PROJECT_ROOT / ".scratch"
#: Caches the package may rebuild at any time (deduce's findings per text); never committed.
CACHE_DIR = PROJECT_ROOT / ".cache"


def raw_year_dir(year: int) -> Path:
    """``data/raw/<year>/``: the export, the codebook and their README."""
    return RAW_DIR / str(year)


def codebook_path(year: int) -> Path:
    return raw_year_dir(year) / "codebook.yaml"


#: Set by the build for each kernel: the notebook's file stem (``03_policy``); read by ``report.notebook``.
NOTEBOOK_ENV = "MONITOR_NOTEBOOK"

#: Real (confidential) exports live outside the repository: ``$MONITOR_DATA_DIR/<year>/export.csv``.
DATA_DIR_ENV = "MONITOR_DATA_DIR"


def export_dir() -> Path:
    """Where the exports are: ``$MONITOR_DATA_DIR`` when set (real data, outside git), else ``data/raw``."""
    outside = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(outside).expanduser() if outside else RAW_DIR


def export_path(year: int) -> Path:
    """The export of ``year``: ``$MONITOR_DATA_DIR/<year>/export.csv`` when set, else ``data/raw/<year>/``."""
    return export_dir() / str(year) / "export.csv"


def frame_path(year: int) -> Path:
    """The municipality frame valid on 1 January of ``year``."""
    return REFERENCE_DIR / f"gemeenten_{year}.csv"


def polygons_path(year: int) -> Path:
    return REFERENCE_DIR / f"gemeenten_{year}.geojson"


def processed_year_dir(year: int) -> Path:
    return PROCESSED_DIR / str(year)


def reports_year_dir(year: int) -> Path:
    return REPORTS_DIR / str(year)


def notes_path(year: int) -> Path:
    """``data/raw/<year>/notes.yaml``: remarks about this edition only (optional)."""
    return raw_year_dir(year) / "notes.yaml"


def display(path: str | Path) -> str:
    """``path`` as messages show it: relative to the project when inside it, else absolute."""
    path = Path(path)
    try:
        return path.resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


#: The private feedback reports of a year sit beside ``reports/<year>/``, never inside it: the report
#: build swaps ``reports/<year>/`` as a whole, and its HTML/PDF are public.
FEEDBACK_SUFFIX = "-feedback"


def feedback_dir(year: int, reports_dir: Path = REPORTS_DIR) -> Path:
    """``reports/<year>-feedback/``: one PDF per respondent and the private ``index.csv``."""
    return Path(reports_dir) / f"{year}{FEEDBACK_SUFFIX}"
