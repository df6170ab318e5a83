"""The 2020 example edition: every kind of questionnaire change, built from the same notebooks and code.

2020's codebook splits an option, rewords options and a question (``comparable_with``), changes a scale
(``replaces``), drops a question the prose relied on, removes a routing, renumbers the export; many
answers equal 2019's. The report must build unchanged, pass the text check, and say what changed.
"""

from __future__ import annotations

import pandas as pd
import pytest
from editions import shared_edition

from helpers import paths
from helpers.publish.registers.text_check import html_text, pdf_text, text_problems
from helpers.report.registry import read_indicators

pytestmark = pytest.mark.slow
YEAR = 2020


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """The session's cold build of 2020 (``editions.build_edition``) and what the tests read of it."""
    shared = shared_edition(tmp_path_factory, YEAR)
    report = shared.report_dir
    text = pdf_text(report / f"monitor_{YEAR}.pdf")
    ind, claims = read_indicators(report / "indicators.csv"), pd.read_csv(report / "claims.csv")
    facts = {"dir": report, "code_changed": shared.extra["code_changed"], "pdf": text, "ind": ind, "claims": claims}
    return shared, facts


@pytest.fixture
def built(edition):
    shared, facts = edition
    with shared.untouched():
        yield facts


def test_builds_from_the_same_notebooks_and_code(built):
    assert not built["code_changed"]
    assert not [p for p in paths.NOTEBOOKS_DIR.iterdir() if "2020" in p.name]


def test_text_check_passes_and_every_claim_holds(built):
    assert text_problems(built["dir"], YEAR) == []


def test_a_dropped_question_leaves_one_line_and_no_numbers(built):
    assert "family_migrants_insight" not in set(built["ind"]["question"])
    # one line in chapter 4, with the question's wording (the appendix lists it among the changes too)
    assert built["pdf"].count("is in 2020 niet gesteld") == 1
    assert "nareizende statushouders (in het kader van" in built["pdf"]


def test_a_changed_scale_is_announced_and_its_successor_shown(built):
    # the reader is told that the answer scale changed, with both scales (not "a question replaced by itself")
    assert "de antwoordschaal veranderde van 2 naar 4 punten" in built["pdf"]
    assert "Ja / Nee" in built["pdf"]
    assert "workplace_coaching_frequency" in set(built["ind"]["question"])
    assert "workplace_coaching" not in set(built["ind"]["question"])


def test_a_reworded_question_continues_its_series(built):
    ind = built["ind"]
    trend = ind[(ind["question"] == "policy_organisation") & ind["category"].str.match(r"^\d{4}: ")]
    assert {int(c[:4]) for c in trend["category"]} >= {2017, 2018, 2019, 2020}


def test_removed_routing_and_unchanged_answers_are_described_as_they_are(built):
    text = built["pdf"]
    assert "Die vraag kregen alle gemeenten" in text
    changes = built["claims"][built["claims"]["kind"] == "vergelijking"]
    assert changes["text"].str.startswith("bleef gelijk").any()
    assert changes["text"].str.startswith(("steeg", "daalde")).any()


def test_the_html_has_no_internal_ids(built):
    pages = sorted((built["dir"] / "site").glob("*.html"))
    assert pages and not any("family_migrants_insight" in html_text(p) for p in pages)
