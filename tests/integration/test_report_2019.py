"""Next year's report is a data task: the synthetic 2019 example builds with the 2018 notebooks and code.

One full build of 2019 (new codebook with dropped, added and renamed questions and options, the
2019 municipality frame after the mergers) from the same notebooks and helpers as 2018; the build is
made once per session and shared (``editions.shared_edition``).
"""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest
from editions import shared_edition

from helpers import paths
from helpers.publish.registers.text_check import text_problems
from helpers.report.registry import read_indicators
from helpers.survey.codebook import load_codebook

pytestmark = pytest.mark.slow
YEAR = 2019


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return shared_edition(tmp_path_factory, YEAR)


@pytest.fixture
def built(edition):
    """The session's cold build of 2019 (``editions.build_edition``), read only."""
    with edition.untouched():
        yield {"dir": edition.report_dir, "result": edition.result, "code_changed": edition.extra["code_changed"]}


def test_2019_builds_with_the_2018_notebooks_and_code_unchanged(built):
    assert not built["code_changed"], "building 2019 changed files under notebooks/ or src/"
    executed = sorted(p.stem for p in (built["dir"] / "executed").glob("*.ipynb"))
    assert executed == sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    assert not [p for p in paths.NOTEBOOKS_DIR.iterdir() if "2019" in p.name]
    assert built["result"].pdf.exists() and built["result"].html_index.exists()


def test_questionnaire_changes_are_in_the_method_section(built):
    text = subprocess.run(["pdftotext", str(built["result"].pdf), "-"], capture_output=True, text=True).stdout
    assert "Wijzigingen in de vragenlijst" in text
    assert "funding_change" not in text  # the reader sees the question's wording, never its id
    assert "Vervallen vragen" in text or "niet meer gesteld" in text.lower()


def test_new_question_appears_and_dropped_question_does_not(built):
    ind = read_indicators(built["dir"] / "indicators.csv")
    cb18, cb19 = load_codebook(paths.codebook_path(2018)), load_codebook(paths.codebook_path(YEAR))
    new = {q.id for q in cb19.all_questions} - {q.id for q in cb18.all_questions}
    dropped = {q.id for q in cb18.all_questions} - {q.id for q in cb19.all_questions}
    assert new and dropped
    shown = set(ind["question"])
    assert new <= shown, f"new questions without a view: {new - shown}"
    assert not dropped & shown


def test_trends_span_the_editions(built):
    ind = read_indicators(built["dir"] / "indicators.csv")
    trend = ind[ind["category"].str.match(r"^\d{4}: ")]
    years = set(trend["category"].str[:4].astype(int))
    assert {2017, 2018, 2019} <= years


def test_response_map_and_table_use_the_2019_frame(built):
    ind = read_indicators(built["dir"] / "indicators.csv")
    frame = pd.read_csv(paths.frame_path(YEAR))
    total = ind[(ind["question"] == "municipalities") & (ind["category"] == "Totaal (alle gemeenten)")]
    assert int(total["value"].iloc[0]) == len(frame) == 355


def test_the_text_passes_the_text_check_and_every_claim_holds(built):
    assert text_problems(built["dir"], YEAR) == []
    claims = pd.read_csv(built["dir"] / "claims.csv")
    assert {"bewering", "vergelijking"} <= set(claims["kind"])
