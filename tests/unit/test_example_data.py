"""The synthetic example export is reproducible and its generator only reads data/raw."""

import hashlib

import pytest

from helpers import paths
from helpers.load.export import build_processed
from helpers.synth.generate import make_example_export


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raw_tree() -> dict[str, str]:
    return {str(p.relative_to(paths.RAW_DIR)): _digest(p) for p in sorted(paths.RAW_DIR.rglob("*")) if p.is_file()}


@pytest.mark.slow  # generates the export twice
def test_regenerated_export_is_byte_identical(tmp_path):
    first = make_example_export(2018, tmp_path / "a.csv")
    second = make_example_export(2018, tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    assert _digest(first) == _digest(paths.export_path(2018)), "shipped export differs: run `make example-data`"


def test_loading_leaves_data_raw_untouched(tmp_path):
    before = _raw_tree()
    result = build_processed(2018, processed_dir=tmp_path)
    assert _raw_tree() == before
    assert result.report.rows_kept == 168
    assert result.report.rows_dropped == 5
    assert len(result.municipalities) == 282


def test_synthetic_data_is_labelled():
    text = (paths.raw_year_dir(2018) / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    assert "synthetic" in (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8").lower()
