"""A fourth edition, 2021, built in a test from the same commit (``tests/edition_2021.py``).

The 2021 frame has the mergers of 1 January 2021 (355 -> 352), the codebook is scaffolded from 2020 and changes one
routing, and the option split of 2020 is inherited (its lineage lives two editions back, in 2020 -> 2019). One build
of the method appendix, the response chapter and chapter 3; the changes are also recomputed from the raw inputs.
"""

from __future__ import annotations

import shutil

import pytest
from edition_2021 import DIVIDED, MERGED, ROUTED, YEAR, make_project
from editions import build_project

from helpers import paths
from helpers.analysis import panel
from helpers.analysis.edition_changes import AMONG_ASKED_IN_BOTH
from helpers.load.export import build_processed
from helpers.load.problems import RawDataError
from helpers.publish.registers.compare import PANEL_HEAD, frame_notes, load_changes
from helpers.publish.registers.text_check import html_text, pdf_text

pytestmark = pytest.mark.slow
NOTEBOOKS = ["00_data_preparation", "02_introduction_response", "03_policy"]
GONE = sorted({c for _, olds in MERGED.values() for c in olds} | set(DIVIDED))


def _project_paths(mp: pytest.MonkeyPatch, root) -> None:
    """Point every module-level path of the package at the temporary project (``build_project`` sets RAW_DIR)."""
    raw = root / "data" / "raw"
    mp.setattr(paths, "RAW_DIR", raw)
    mp.setattr(paths, "REFERENCE_DIR", raw / "reference")
    mp.setattr(paths, "PUBLISHED_DIR", raw / "published")
    mp.setattr(paths, "PROCESSED_DIR", root / "data" / "processed")
    panel._mergers.cache_clear()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("edition2021")
    raw = make_project(root)
    loaded = build_processed(YEAR, raw_dir=raw, processed_dir=root / "data" / "processed")
    mp = pytest.MonkeyPatch()
    _project_paths(mp, root)
    try:
        result = build_project(YEAR, root, NOTEBOOKS)
        changes = load_changes(YEAR)
        continuing = panel.continuing_codes(2019, 2021)
    finally:
        mp.undo()
        panel._mergers.cache_clear()
    report = result.report_dir
    return {
        "root": root, "raw": raw, "loaded": loaded, "report": report, "pdf": pdf_text(report / f"monitor_{YEAR}.pdf"),
        "changes": changes, "continuing": continuing,
    }  # fmt: skip


def _changes_page(report):
    for folder in ("site",):
        page = report / folder / "veranderingen.html"
        if page.is_file():
            return html_text(page)
    raise AssertionError(f"no veranderingen.html in {report}")


def test_the_edition_loads_on_the_2021_frame(project):
    towns = project["loaded"].municipalities
    assert "GM1979" in set(towns["gemeentecode"]) and not set(GONE) & set(towns["gemeentecode"])
    assert towns.set_index("gemeentecode").loc["GM1979", "gemeentenaam"] == "Eemsdelta"


def test_the_frame_change_is_stated(project):
    pdf = project["pdf"]
    assert "Eemsdelta" in pdf and "352" in pdf and "355" in pdf
    page = _changes_page(project["report"])
    assert "1 januari 2021, 352 gemeenten" in page and "1 januari 2019, 355 gemeenten" in page


def test_the_frame_note_comes_from_the_merger_tables(project, monkeypatch):
    _project_paths(monkeypatch, project["root"])
    notes = frame_notes(project["changes"], YEAR)
    assert len(notes) == 1 and "352" in notes[0] and "355" in notes[0]


def test_the_split_continues_two_editions_on(project):
    measures = [c for c in project["changes"] if c.question.id == "measures_offered"]
    keys = {c.key for c in measures}
    assert {"work_placements_municipal", "work_placements_employers"} <= keys
    summed = [c for c in measures if "samen" in c.category]
    assert [c.key for c in summed] == ["work_placements"]
    assert {c.change.year_before for c in measures} == {2020}
    page = _changes_page(project["report"])
    assert "Werkervaringsplekken" in page and "samen, voortgezet als de nieuwe antwoorden" in page


def test_the_routing_change_compares_like_with_like(project):
    routed = [c for c in project["changes"] if c.question.id == ROUTED]
    assert routed
    for c in routed:
        assert c.not_comparable or (c.change.among == AMONG_ASKED_IN_BOTH and "2020" in c.routing)
    compared = [c for c in routed if not c.not_comparable]
    assert compared and all(c.change.n_before < 272 for c in compared)  # 2020 restricted to who gets it in 2021
    assert "beide edities zijn beperkt" in _changes_page(project["report"])


def test_not_everything_stayed_the_same(project):
    direction = {(c.question.id, c.key): c.change.direction for c in project["changes"] if not c.not_comparable}
    assert direction[("measures_offered", "language_buddies")] == "up"  # a step of the fixture's spec
    assert direction[("additional_policy", "yes")] == "same"  # carried over unchanged from 2020


def test_the_panel_leaves_out_reorganised_municipalities(project):
    continuing = project["continuing"]
    assert continuing is not None and not set(GONE) & set(continuing)
    receivers = set(MERGED) | {c for shares in DIVIDED.values() for c in shares}
    assert not receivers & set(continuing.values())
    assert PANEL_HEAD in _changes_page(project["report"])
    panels = [c.panel for c in project["changes"] if c.panel is not None and not c.not_comparable]
    assert panels and max(p.n for p in panels) < len(project["loaded"].municipalities)


def test_the_2021_polygons_are_accepted(project):
    report = project["loaded"].report
    assert report.frame_size == 352
    assert not {w.kind for w in report.warnings} & {"polygons_frame", "polygons_missing"}


def test_2019_polygons_under_the_2021_frame_are_refused(project, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for entry in ("2019", "2020", "2021", "published"):
        (raw / entry).symlink_to(project["raw"] / entry)
    shutil.copytree(project["raw"] / "reference", raw / "reference", symlinks=True)
    target = raw / "reference" / "gemeenten_2021.geojson"
    target.unlink()
    shutil.copy(project["raw"] / "reference" / "gemeenten_2019.geojson", target)
    with pytest.raises(RawDataError) as err:
        build_processed(YEAR, raw_dir=raw, processed_dir=tmp_path / "processed")
    assert [p.kind for p in err.value.problems] == ["polygons_frame"]
    assert "355 gebieden, 352 gemeenten" in str(err.value)
