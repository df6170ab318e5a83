"""A notebook run by hand (JupyterLab "Run all" with its default parameters) writes nothing into
``reports/``, and ``00`` writes into ``data/processed`` exactly what ``make data`` writes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

from helpers import paths

pytestmark = pytest.mark.slow


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the repository's inputs and notebooks under a temporary ``MONITOR_ROOT``."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    shutil.copytree(paths.NOTEBOOKS_DIR, root / "notebooks")
    env = {**os.environ, "MONITOR_ROOT": str(root)}
    subprocess.run(
        [sys.executable, "-m", "helpers", "data", "--year", "2018"], env=env, check=True, capture_output=True
    )
    return root


def _run_by_hand(project: Path, name: str, monkeypatch) -> None:
    notebook = project / "notebooks" / f"{name}.ipynb"
    monkeypatch.setenv("MONITOR_ROOT", str(project))
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))  # what JupyterLab tells its kernel
    monkeypatch.delenv("MONITOR_NOTEBOOK", raising=False)
    papermill.execute_notebook(
        str(notebook),
        str(project / f"{name}.out.ipynb"),
        kernel_name="python3",
        progress_bar=False,
        cwd=str(notebook.parent),
    )


def test_a_chapter_run_by_hand_writes_only_to_the_scratch_folder(project, monkeypatch):
    processed = _digests(project / "data" / "processed")
    _run_by_hand(project, "03_policy", monkeypatch)
    assert not (project / "reports").exists()
    scratch = project / ".scratch" / "2018"
    assert (scratch / "indicators" / "03_policy.csv").is_file()
    assert (scratch / "figures" / "figuur_3_1.png").is_file()
    assert (scratch / "claims" / "03_policy.csv").is_file()
    assert _digests(project / "data" / "processed") == processed


def test_data_preparation_run_by_hand_writes_what_make_data_writes(project, monkeypatch):
    before = _digests(project / "data" / "processed")
    _run_by_hand(project, "00_data_preparation", monkeypatch)
    assert _digests(project / "data" / "processed") == before
    assert not (project / "reports").exists()
