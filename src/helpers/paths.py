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


def raw_year_dir(year: int) -> Path:
    """``data/raw/<year>/``: the export, the codebook and their README."""
    return RAW_DIR / str(year)


def codebook_path(year: int) -> Path:
    return raw_year_dir(year) / "codebook.yaml"


def export_path(year: int) -> Path:
    return raw_year_dir(year) / "export.csv"


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
