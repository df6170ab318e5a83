"""A whole edition built from the repository's own notebooks and code, checking it changed neither."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers import paths
from helpers.publish import BuildOptions, BuildResult, build_report

CODE = (paths.NOTEBOOKS_DIR, paths.PROJECT_ROOT / "src")


def code_hashes() -> dict[str, str]:
    """sha256 of every file under ``notebooks/`` and ``src/`` (caches aside)."""
    files = [p for d in CODE for p in sorted(d.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    return {str(p.relative_to(paths.PROJECT_ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def build_edition(year: int, reports: Path) -> tuple[BuildResult, bool]:
    """A cold build of ``year`` into ``reports``; and whether it changed a file under notebooks/ or src/."""
    before = code_hashes()
    result = build_report(year, paths.NOTEBOOKS_DIR, reports, BuildOptions(jobs=2, force=True, log=lambda line: None))
    return result, code_hashes() != before
