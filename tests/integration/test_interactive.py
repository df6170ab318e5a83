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
from helpers.publish.execute.kernels import SocketKernelManager

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
        kernel_manager_class=SocketKernelManager,
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


@pytest.mark.parametrize(
    ("tool", "where"),
    [("nbconvert", "notebooks"), ("papermill", "notebooks"), ("papermill", "root")],
)
def test_a_chapter_runs_from_the_command_line_without_a_session_name(project, tool, where):
    """``jupyter nbconvert --execute`` or plain papermill, from ``notebooks/`` or the root: the kernel finds
    the notebook's name on the command line that started it, and writes only to ``.scratch/``."""
    env = {k: v for k, v in os.environ.items() if k not in ("JPY_SESSION_NAME", "MONITOR_NOTEBOOK")}
    env["MONITOR_ROOT"] = str(project)
    cwd = project / "notebooks" if where == "notebooks" else project
    source = "04_start_guidance.ipynb" if where == "notebooks" else "notebooks/04_start_guidance.ipynb"
    out = project / f"cli-{tool}-{where}.ipynb"
    bindir = Path(sys.executable).parent
    if tool == "nbconvert":
        cmd = [str(bindir / "jupyter"), "nbconvert", "--to", "notebook", "--execute", source, "--output", str(out)]
    else:
        cmd = [str(bindir / "papermill"), "--no-progress-bar", source, str(out)]
    shutil.rmtree(project / ".scratch", ignore_errors=True)
    run = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (project / ".scratch" / "2018" / "indicators" / "04_start_guidance.csv").is_file()
    assert not (project / "reports").exists()
