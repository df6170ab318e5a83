"""The text check finds what a reader must never see; the claims register and edition remarks are checked."""

from __future__ import annotations

import csv

import pytest

from helpers import paths
from helpers.publish.registers.claims_register import assemble_claims, unplaced_remarks
from helpers.publish.registers.text_check import claim_problems, problems_in
from helpers.report.claims import REGISTER_COLUMNS
from helpers.survey.vocabulary import CLAIMS_DIR


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("daalde van 37%% naar 20%", "dubbel %"),
        ("Over nareizigers zegt – van de gemeenten", "streepje"),
        ("het aandeel is nan procent", "nan/None"),
        ("zie employer_support voor meer", "interne id"),
        ("Volgens het rapport van 2018 is dat zo.", "andere editie"),
        ("het aandeel steeg van 72% in 2018 naar 72% in 2019", "gelijke cijfers"),
    ],
)
def test_each_defect_is_found(text, kind):
    found = problems_in(text, 2019, "PDF")
    assert len(found) == 1 and kind in found[0]


def test_clean_text_passes():
    text = "In 2019 steeg het aandeel van 72% in 2018 naar 84% in 2019; de monitor van 2017 vroeg het anders."
    assert problems_in(text, 2019, "PDF") == []
    assert problems_in("Volgens de publicatie van 2018 is dat zo.", 2018, "PDF") == []


def _part(build, name, rows):
    (build / CLAIMS_DIR).mkdir(parents=True, exist_ok=True)
    with (build / CLAIMS_DIR / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, REGISTER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _row(notebook, kind, condition, holds=True):
    return {"notebook": notebook, "cell": 3, "kind": kind, "text": "t", "condition": condition, "holds": holds,
            "numbers": ""}  # fmt: skip


def test_claims_are_assembled_in_notebook_order_and_failing_ones_reported(tmp_path):
    _part(tmp_path, "04_b", [_row("04_b", "bewering", "x > 1", False)])
    _part(tmp_path, "03_a", [_row("03_a", "vergelijking", "change(...)")])
    rows = assemble_claims(tmp_path, ["03_a", "04_b", "05_none"])
    assert [r["notebook"] for r in rows] == ["03_a", "04_b"]
    assert claim_problems(tmp_path / "claims.csv") == ["04_b, cel 3: bewering houdt niet: t — x > 1 ()"]


def test_every_remark_of_the_edition_must_be_placed(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "2018").mkdir(parents=True)
    (raw / "2018" / "notes.yaml").write_text(
        "remarks:\n"
        "  - {notebook: 03_a, anchor: here, text: Geplaatst.}\n"
        "  - {notebook: 03_a, anchor: typo, text: Nergens.}\n"
        "  - {notebook: 09_missing, anchor: x, text: Geen notebook.}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "RAW_DIR", raw)
    build = tmp_path / "build"
    assert unplaced_remarks(2018, build, ["03_a"], []) == []  # no notebook with prose: nothing to hold to
    _part(build, "03_a", [_row("03_a", "opmerking", "here")])
    rows = assemble_claims(build, ["03_a"])
    assert unplaced_remarks(2018, build, ["03_a"], rows) == ["03_a/typo", "09_missing/x"]


@pytest.mark.parametrize("draft", [False, True])
def test_draft_flag_reaches_the_kernels_and_warns(tmp_path, monkeypatch, capsys, draft):
    """``monitor report --draft`` sets the draft switch for the kernels (part of every key: a draft
    never passes as the final report) and ends with the claims that do not hold."""
    import helpers.publish.build.core as core
    from helpers.cli import main
    from helpers.report.claims import DRAFT_ENV

    seen = {}

    def fake_build(year, notebooks_dir, reports_dir, options):
        seen.update(options.kernel_env)
        out = reports_dir / str(year)
        out.mkdir(parents=True)
        with (out / "claims.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, REGISTER_COLUMNS)
            w.writeheader()
            w.writerow({"notebook": "03_policy", "cell": 4, "kind": "bewering", "text": "De meeste gemeenten.",
                        "condition": "x > 50%", "holds": False, "numbers": "x = 40,0%"})  # fmt: skip

    monkeypatch.setattr(core, "build_report", fake_build)
    argv = ["report", "--year", "2018", "--reports-dir", str(tmp_path)] + (["--draft"] if draft else [])
    assert main(argv) == 0
    assert seen[DRAFT_ENV] == ("1" if draft else "0")
    out = capsys.readouterr().out
    assert ("CONCEPT: 1 bewering(en) houden niet" in out and "03_policy, cel 4" in out) is draft
