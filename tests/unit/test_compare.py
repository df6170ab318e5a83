"""What changed: between two editions (``monitor compare``) and between two builds (``monitor diff-indicators``)."""

from __future__ import annotations

import pandas as pd
import pytest
from shipped import changes as shipped_changes

from helpers.analysis.comparisons import share_change
from helpers.cli import main
from helpers.publish.registers import compare
from helpers.publish.registers.compare import CSV_COLUMNS, changes_markdown, changes_page, diff_indicators
from helpers.survey.vocabulary import INDICATOR_COLUMNS


@pytest.fixture(scope="module")
def changes_2018():
    return shipped_changes(2018)


def test_each_share_is_compared_with_the_noise_rule_of_the_report(changes_2018):
    assert changes_2018, "2018 repeats questions of the 2017 monitor"
    for c in changes_2018:
        again = share_change(
            (c.change.year_before, c.change.before, None if c.change.assumed_base else c.change.n_before, None),
            (2018, c.change.after, c.change.n_after, 380),
        )
        assert again.direction == c.change.direction and again.margin == pytest.approx(c.change.margin)
        assert c.lower == pytest.approx(c.change.difference - c.change.margin)
    moved = [c for c in changes_2018 if c.change.direction in ("up", "down")]
    md = changes_markdown(changes_2018, 2018)
    assert md.startswith("# Wat is er veranderd sinds de vorige editie")
    assert md.count("**steeg**") + md.count("**daalde**") == len(moved) > 0
    page = changes_page(changes_2018, 2018, "Monitor 2018")
    assert page.count("<tr class=moved>") == len(moved) and "<caption>" in page


def test_make_compare_writes_the_csv(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(compare, "load_changes", shipped_changes)  # the same changes, once per process (test_panel)
    out = tmp_path / "v.csv"
    assert main(["compare", "--from-year", "2018", "--to-year", "2019", "--output", str(out)]) == 0
    frame = pd.read_csv(out)
    assert list(frame.columns) == CSV_COLUMNS and len(frame) > 100
    assert set(frame["jaar_voor"]) == {2018} and set(frame["jaar_na"]) == {2019}
    assert set(frame["oordeel"]) <= {"steeg", "daalde", "bleef nagenoeg gelijk", "bleef gelijk"}
    assert "vergelijkbare vragen" in capsys.readouterr().out
    assert main(["compare", "--from-year", "2019", "--to-year", "2018"]) == 1
    assert "moet vóór --to-year" in capsys.readouterr().err


def _indicators(path, rows):
    pd.DataFrame(rows, columns=[c for c in INDICATOR_COLUMNS if c != "id"]).to_csv(path, index=False)


def test_diff_of_two_builds_prints_only_what_changed(tmp_path, capsys):
    same = (2018, 3, "q", "Figuur 3.1", "Ja", "pct", 60.0, 282, "Figuur 3.1")
    moved = (2018, 3, "q", "Figuur 3.1", "Misschien", "pct", 5.0, 282, "Figuur 3.1")
    _indicators(tmp_path / "a.csv", [same, moved, (2018, 3, "q", "Figuur 3.1", "Nee", "pct", 40.0, 282, "Figuur 3.1"),
                                     (2018, 4, "r", "", "Ja", "pct", 10.0, 50, "Figuur 4.1")])  # fmt: skip
    _indicators(tmp_path / "b.csv", [same, (*moved[:-1], "Tabel 3.1"),
                                     (2018, 3, "q", "Figuur 3.1", "Nee", "pct", 41.0, 282, "Figuur 3.2"),
                                     (2018, 5, "s", "", "Ja", "mean", 2.5, 40, "Tabel 5.1")])  # fmt: skip
    diff = diff_indicators(tmp_path / "a.csv", tmp_path / "b.csv")
    assert diff[["wijziging", "question", "category"]].values.tolist() == [
        ["ander label", "q", "Misschien"], ["gewijzigd", "q", "Nee"], ["vervallen", "r", "Ja"], ["nieuw", "s", "Ja"]
    ]  # fmt: skip
    assert main(["diff-indicators", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 5 and printed[2].startswith("gewijzigd,2018,3,q,Nee,pct,40.0,41.0")
    assert main(["diff-indicators", str(tmp_path / "a.csv"), str(tmp_path / "a.csv")]) == 0
    assert capsys.readouterr().out.strip() == "Geen verschillen."
