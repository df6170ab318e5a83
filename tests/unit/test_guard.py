"""Real survey data stays out of git: the check behind the pre-commit hook, and the hook itself (offline)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fixtures_export import make_codebook, make_frame, respondent, write_codebook, write_rows

from helpers.load.guard import MARKER, check_file, check_files, looks_like_export

ROOT = Path(__file__).resolve().parents[2]
R1, R2 = "R_000000000000001", "R_000000000000002"
ANSWERS = {"Q2": "2", "Q4": "-99", "Q5_1": "-99", "Q5_2": "-99", "Q5_3": "-99", "Q8": "1"}


def _export(directory: Path, synthetic: bool = True, text: str = f"{MARKER} Geen beleid.", name="export.csv") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    rows = [respondent(R1, [14], ANSWERS | {"Q7": text}), respondent(R2, [363], ANSWERS | {"Q7": ""})]
    export = write_rows(directory / name, make_codebook(directory), make_frame(), rows)
    if not synthetic:
        path = write_codebook(directory)
        path.write_text(path.read_text().replace("synthetic: true", "synthetic: false"))
    return export


def test_synthetic_export_with_marked_answers_passes(tmp_path):
    assert check_file(_export(tmp_path / "data" / "raw" / "2020")) == []


def test_export_of_a_non_synthetic_codebook_is_refused(tmp_path):
    reasons = check_file(_export(tmp_path / "data" / "raw" / "2020", synthetic=False))
    assert len(reasons) == 1 and "zegt niet synthetic: true" in reasons[0] and "MONITOR_DATA_DIR" in reasons[0]


def test_open_answer_without_the_marker_is_refused(tmp_path):
    reasons = check_file(_export(tmp_path / "data" / "raw" / "2020", text="Wij hebben geen beleid."))
    assert "1 open antwoord(en) beginnen niet met '(synthetisch)' (regel 4, kolom Q7)" in reasons[0]
    assert "Wij hebben geen beleid" not in reasons[0]  # the refusal never repeats the answer


def test_an_export_elsewhere_is_recognised_by_its_header(tmp_path):
    path = _export(tmp_path / "backup", name="antwoorden_definitief.csv")
    (tmp_path / "backup" / "codebook.yaml").unlink()
    assert looks_like_export(path)
    assert "lijkt een survey-export, maar er staat geen codebook.yaml naast" in check_file(path)[0]
    other = tmp_path / "gemeenten.csv"
    other.write_text("gemeentecode,gemeentenaam\nGM0014,Groningen\n")
    assert not looks_like_export(other) and check_file(other) == []


def test_binary_data_and_large_files_are_refused(tmp_path):
    sav = tmp_path / "data" / "raw" / "2020" / "export.sav"
    sav.parent.mkdir(parents=True)
    sav.write_bytes(b"$FL2" + bytes(100))
    assert "binair databestand (.sav)" in check_files([sav])[0]
    big = tmp_path / "notes.txt"
    big.write_bytes(b"x" * 2_100_000)
    assert "meer dan 2 MB" in check_file(big)[0]


def test_the_repository_itself_passes():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert check_files(ROOT / line for line in tracked.splitlines()) == []


@pytest.fixture
def repo(tmp_path):
    """A fresh git repository with this project's hook configuration, .venv and installer (no network)."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "install-hooks.sh", repo / "scripts")
    shutil.copy2(ROOT / ".pre-commit-config.yaml", repo)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    env = os.environ | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "t",
                        "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "http_proxy": "http://127.0.0.1:9",
                        "https_proxy": "http://127.0.0.1:9"}  # fmt: skip
    env.pop("MONITOR_DATA_DIR", None)

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env)

    git("init", "-q")
    (repo / ".gitignore").write_text(".venv\n")
    git("add", ".")
    assert git("commit", "-qm", "start").returncode == 0
    out = subprocess.run(["scripts/install-hooks.sh"], cwd=repo, capture_output=True, text=True, env=env)
    assert out.returncode == 0 and "git hook installed" in out.stdout, out.stdout + out.stderr
    return repo, git


def test_after_setup_a_commit_of_a_real_export_is_refused_offline(repo):
    root, git = repo
    _export(root / "data" / "raw" / "2020", synthetic=False)
    git("add", "-f", "data")
    result = git("commit", "-m", "echte export")
    assert result.returncode != 0
    assert "data/raw/2020/export.csv" in result.stdout + result.stderr
    assert "zegt niet synthetic: true" in result.stdout + result.stderr
    assert git("log", "--oneline").stdout.count("\n") == 1  # nothing committed


def test_after_setup_a_synthetic_export_can_be_committed(repo):
    root, git = repo
    _export(root / "data" / "raw" / "2020")
    git("add", "-f", "data")
    result = git("commit", "-m", "synthetische export")
    assert result.returncode == 0, result.stdout + result.stderr


def test_codebook_turned_non_synthetic_beside_a_tracked_export_is_refused(repo):
    root, git = repo
    _export(root / "data" / "raw" / "2020")
    git("add", "-f", "data")
    assert git("commit", "-qm", "synthetisch").returncode == 0
    codebook = root / "data" / "raw" / "2020" / "codebook.yaml"
    codebook.write_text(codebook.read_text().replace("synthetic: true", "synthetic: false"))
    git("add", "-f", "data")
    result = git("commit", "-m", "echt")
    assert result.returncode != 0 and "zegt synthetic: false, terwijl data/raw/2020/export.csv in git staat" in (
        result.stdout + result.stderr
    )
