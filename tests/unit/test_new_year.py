"""``monitor new-year``: scaffold a year folder in a temporary raw directory (never data/raw)."""

from __future__ import annotations

import shutil

import pytest

from helpers import paths
from helpers.cli import main
from helpers.survey.codebook import load_codebook
from helpers.year.codebook_diff import diff_codebooks
from helpers.year.scaffold import next_steps, scaffold_year, strip_category_lineage


@pytest.fixture
def raw(tmp_path):
    """A raw directory with the 2018 codebook and the 2018/2019 frames and merger table."""
    root = tmp_path / "raw"
    (root / "2018").mkdir(parents=True)
    shutil.copy(paths.codebook_path(2018), root / "2018" / "codebook.yaml")
    ref = root / "reference"
    ref.mkdir()
    for name in ["gemeenten_2018.csv", "gemeenten_2019.csv", "gemeenten_2019.geojson", "herindelingen_2019.csv"]:
        shutil.copy(paths.REFERENCE_DIR / name, ref / name)
    return root


def test_scaffold_copies_the_codebook_with_new_year_fields(raw):
    s = scaffold_year(2019, 2018, raw_dir=raw)
    assert s.year_dir == raw / "2019" and sorted(p.name for p in s.year_dir.iterdir()) == ["README.md", "codebook.yaml"]
    cb = load_codebook(s.codebook)
    assert (cb.year, cb.frame_year, cb.population_size, cb.synthetic) == (2019, 2019, 355, False)
    assert cb.title.endswith("2019") and "2018" not in cb.title
    assert cb.fieldwork == ("2019-03-05", "2019-04-09") and cb.freeze_date == "2019-04-10"
    text = s.codebook.read_text(encoding="utf-8")
    assert text.count("# TODO: placeholder from new-year") == 2
    assert "note: >-" in text and "# --- Hoofdstuk 3" in text  # comments and notes kept
    assert diff_codebooks(load_codebook(raw / "2018" / "codebook.yaml"), cb) == []
    assert s.frame_found and s.mergers_found
    assert len(s.warnings) == 1 and "funding_change" in s.warnings[0] and "noemt het jaar 2018" in s.warnings[0]


def test_readme_checklist_and_next_steps(raw):
    s = scaffold_year(2019, 2018, raw_dir=raw)
    readme = s.readme.read_text(encoding="utf-8")
    for needle in [
        "Use numeric values",
        "Recode seen but unanswered questions as -99",
        "Europe/Amsterdam",
        "comparable_with",
        "replaces",
        "Dropped questions",
        "Added questions",
        "Answer options",
        "Routing",
        "`gemeenten_2019.csv` and `.geojson` found",
        "make codebook-diff FROM=2018 TO=2019",
        "Unit of analysis",
        "text_checked: 2019",
    ]:
        assert needle in readme, needle
    steps = next_steps(s)
    assert "Volgende stappen" in steps and "make data YEAR=2019" in steps
    assert [line for line in steps.splitlines() if "LET OP" in line] == [f"LET OP: {s.warnings[0]}"]


def test_refuses_to_overwrite_an_existing_year(raw):
    (raw / "2019").mkdir()
    (raw / "2019" / "export.csv").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="bestaat al"):
        scaffold_year(2019, 2018, raw_dir=raw)
    assert (raw / "2019" / "export.csv").read_text(encoding="utf-8") == "keep me"


def test_missing_frame_gives_instructions(raw):
    s = scaffold_year(2020, 2018, raw_dir=raw)
    assert not s.frame_found and s.population_size is None
    cb = load_codebook(s.codebook)
    assert (cb.frame_year, cb.population_size) == (2020, 380)  # kept, marked TODO
    assert "number of municipalities in gemeenten_2020.csv" in s.codebook.read_text(encoding="utf-8")
    assert "**Missing:** `data/raw/reference/gemeenten_2020.csv`" in s.readme.read_text(encoding="utf-8")
    steps = next_steps(s)
    assert "LET OP: gemeentelijst gemeenten_2020.csv" in steps and "Wijk- en Buurtkaart 2020" in steps


def test_changed_frame_without_merger_table_warns(raw):
    (raw / "reference" / "herindelingen_2019.csv").unlink()
    s = scaffold_year(2019, 2018, raw_dir=raw)
    assert not s.mergers_found and any("herindelingen_2019.csv" in w for w in s.warnings)


def test_bad_arguments(raw):
    with pytest.raises(ValueError, match="must come after"):
        scaffold_year(2018, 2018, raw_dir=raw)
    with pytest.raises(FileNotFoundError):
        scaffold_year(2019, 2017, raw_dir=raw)
    assert not (raw / "2019").exists()


def test_cli_new_year(raw, monkeypatch, capsys):
    monkeypatch.setattr(paths, "RAW_DIR", raw)
    assert main(["new-year", "--year", "2019", "--from-year", "2018"]) == 0
    assert "Aangemaakt" in capsys.readouterr().out
    assert main(["new-year", "--year", "2019", "--from-year", "2018"]) == 1
    assert "bestaat al" in capsys.readouterr().err


def _raw_2020(tmp_path):
    root = tmp_path / "raw"
    (root / "2020").mkdir(parents=True)
    shutil.copy(paths.codebook_path(2020), root / "2020" / "codebook.yaml")
    (root / "reference").mkdir()
    return root


def test_the_copy_does_not_repeat_the_previous_editions_option_lineage(tmp_path):
    raw = _raw_2020(tmp_path)
    s = scaffold_year(2021, 2020, raw_dir=raw)
    old, new = load_codebook(raw / "2020" / "codebook.yaml"), load_codebook(s.codebook)
    parts = [o for o in old.question("measures_offered").options if o.split_from]
    assert [o.key for o in parts] == ["work_placements_municipal", "work_placements_employers"]
    copied = {o.key: o for o in new.question("measures_offered").options}
    assert all(copied[o.key].split_from is None and copied[o.key].label == o.label for o in parts)
    assert new.question("policy_organisation").comparable_with == ["policy_embedding"]  # question links stay
    assert diff_codebooks(old, new) == []


def test_strip_category_lineage_handles_flow_and_block_entries():
    text = (
        "      - {code: 1, key: a, split_from: x, short: 'a'}\n"
        "      - {code: 2, key: b, merged_from: [x, y], label: B}\n"
        "      - code: 3\n"
        "        key: c\n"
        "        renamed_from: z\n"
        "        merged_from:\n"
        "          - p\n"
        "          - q\n"
        "        label: C  # split_from: kept in a comment\n"
    )
    out, removed = strip_category_lineage(text)
    assert removed == 4
    assert out == (
        "      - {code: 1, key: a, short: 'a'}\n"
        "      - {code: 2, key: b, label: B}\n"
        "      - code: 3\n"
        "        key: c\n"
        "        label: C  # split_from: kept in a comment\n"
    )


def test_a_year_in_a_question_text_is_flagged_until_confirmed_for_the_new_edition(tmp_path):
    raw = _raw_2020(tmp_path)
    s = scaffold_year(2021, 2020, raw_dir=raw)
    (mention,) = [w for w in s.warnings if "noemt het jaar" in w]
    line = int(mention.split("regel ")[1].split(":")[0])
    assert "integration_law_preparation" in mention and "vanaf 2021" in mention and "text_checked: 2021" in mention
    lines = s.codebook.read_text(encoding="utf-8").splitlines()[:line]
    assert lines[-1].strip().startswith("text:")
    assert (
        next(x for x in reversed(lines) if x.strip().startswith("- id:")).strip() == "- id: integration_law_preparation"
    )
