"""A whole edition built from the repository's own notebooks and code, checking it changed neither."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from shared_builds import SharedBuild, shared_build

from helpers import paths
from helpers.publish import BuildOptions, BuildResult, build_report

CODE = (paths.NOTEBOOKS_DIR, paths.PROJECT_ROOT / "src")


def code_hashes(*more: Path) -> dict[str, str]:
    """sha256 of every file under ``notebooks/``, ``src/`` and ``more`` (caches aside)."""
    files = [p for d in (*CODE, *more) for p in sorted(d.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def build_edition(year: int, root: Path) -> tuple[BuildResult, bool]:
    """A cold build of ``year`` into ``root/reports`` from a copy of the notebooks in ``root/notebooks`` (the layout
    of the repository, so the executed notebooks show ``build_dir`` as ``make report`` does, and a copy of ``root``
    elsewhere keeps its cache keys); and whether it changed a file under notebooks/, src/ or the copy."""
    notebooks = root / "notebooks"
    shutil.copytree(paths.NOTEBOOKS_DIR, notebooks)
    before = code_hashes(notebooks)
    result = build_report(year, notebooks, root / "reports", BuildOptions(jobs=2, force=True, log=lambda line: None))
    return result, code_hashes(notebooks) != before


def shared_edition(factory: pytest.TempPathFactory, year: int) -> SharedBuild:
    """The cold build of ``year`` (:func:`build_edition`) made once per session for every module and worker;
    ``extra["code_changed"]``: whether it changed a file under notebooks/ or src/."""

    def build(root: Path) -> tuple[BuildResult, Path, dict[str, Any]]:
        result, changed = build_edition(year, root)
        return result, root / "reports", {"code_changed": changed}

    return shared_build(factory, f"edition-{year}", build)


def build_project(year: int, root: Path, notebooks: list[str]) -> BuildResult:
    """Build ``notebooks`` of a temporary project under ``root`` (its own ``data/raw``, read by the kernels
    through ``MONITOR_ROOT``): the data check first, as ``make report`` does."""
    from helpers.analysis import panel
    from helpers.load.export import build_processed

    raw, processed = root / "data" / "raw", root / "data" / "processed"
    (root / "notebooks").mkdir(exist_ok=True)
    for stem in notebooks:
        shutil.copy2(paths.NOTEBOOKS_DIR / f"{stem}.ipynb", root / "notebooks")
    mp = pytest.MonkeyPatch()
    mp.setenv("MONITOR_ROOT", str(root))  # the kernels read this project, not the repository
    mp.setattr(paths, "RAW_DIR", raw)  # and so does the build (notes.yaml of this year, frames, mergers)
    mp.setattr(paths, "REFERENCE_DIR", raw / "reference")
    mp.setattr(paths, "PUBLISHED_DIR", raw / "published")
    mp.setattr(paths, "PROCESSED_DIR", processed)
    mp.delenv(paths.DATA_DIR_ENV, raising=False)
    panel._mergers.cache_clear()
    try:
        return build_report(
            year,
            root / "notebooks",
            root / "reports",
            BuildOptions(
                jobs=2,
                codebook=raw / str(year) / "codebook.yaml",
                inputs=[raw],
                processed_dir=processed / str(year),
                check_data=lambda: build_processed(year, raw_dir=raw, processed_dir=processed),
                log=lambda line: None,
            ),
        )
    finally:
        mp.undo()
        panel._mergers.cache_clear()
