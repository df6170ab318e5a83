"""The real 2018 report, built end to end from the shipped (synthetic) export.

One cold build into a temporary reports dir (every notebook executed with papermill; shared by the
session, ``editions.shared_edition``), then:
indicators.csv reproduces every published 2018 number (same question, category, stat and n),
no respondent identifiers reach the PDF/HTML, a forced rebuild is byte-identical, and a rebuild
with nothing changed executes no notebook (both on a copy of that build: the project's layout keeps its cache
keys, see ``editions.build_edition``).
"""

from __future__ import annotations

import hashlib
import re
import subprocess

import pandas as pd
import pytest
from editions import shared_edition
from shared_builds import SharedBuild

from helpers import paths
from helpers.analysis.backtest import compare_indicators, read_published
from helpers.publish import BuildOptions, build_report
from helpers.publish.registers.text_check import text_problems
from helpers.report.registry import read_indicators
from helpers.survey.vocabulary import BASE_STAT, INDICATOR_COLUMNS, INTERVAL_STATS, STATS

pytestmark = pytest.mark.slow
YEAR = 2018


def _hashes(report) -> dict[str, str]:
    files = [report / f"monitor_{YEAR}.pdf", *sorted((report / "site").glob("*.html"))]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> SharedBuild:
    return shared_edition(tmp_path_factory, YEAR)


@pytest.fixture
def built(edition):
    """The session's cold build of 2018, read only (the test fails if it changes the folder)."""
    with edition.untouched():
        yield {"reports": edition.reports, "result": edition.result, "dir": edition.report_dir}


@pytest.fixture(scope="module")
def own_build(edition, tmp_path_factory):
    """A copy of the session's cold build (project folder with notebooks, report and cache), for the tests that
    build again in its folder: the executed notebooks show ``build_dir`` relative to the notebooks, so the copy's
    cache keys are the build's own."""
    root = tmp_path_factory.mktemp("own") / "project"
    reports, result = edition.copy(root)
    hashes = _hashes(edition.report_dir)
    return {"notebooks": root / "notebooks", "reports": reports, "result": result, "hashes": hashes}


def test_every_notebook_executed(built):
    executed = sorted(p.stem for p in (built["dir"] / "executed").glob("*.ipynb"))
    assert executed == sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_indicators_have_exactly_the_agreed_columns(built):
    ind = pd.read_csv(built["dir"] / "indicators.csv")
    assert list(ind.columns) == INDICATOR_COLUMNS
    assert set(ind["stat"]) <= set(STATS)
    # the prose prints interval bounds and bases: each is a row of its own, so the HTML can link it
    assert {*INTERVAL_STATS, BASE_STAT} <= set(ind["stat"])


def test_indicators_reproduce_every_published_2018_number(built):
    ind = read_indicators(built["dir"] / "indicators.csv")
    cmp = compare_indicators(ind, read_published(paths.PUBLISHED_DIR / "monitor_2018.csv"))
    bad = cmp[cmp["status"] != "ok"]
    assert bad.empty, "\n" + bad.to_string()


def test_no_respondent_identifiers_or_municipality_names_in_quotes(built):
    ids = set(pd.read_parquet(paths.processed_year_dir(YEAR) / "respondents.parquet")["respondent_id"])
    pdf_text = subprocess.run(
        ["pdftotext", str(built["dir"] / f"monitor_{YEAR}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    html = "".join(p.read_text(encoding="utf-8") for p in (built["dir"] / "site").glob("*.html"))
    for text in (pdf_text, html):
        assert not re.search(r"\bR_[A-Za-z0-9]{15}\b", text)
        assert not any(i in text for i in ids)


def test_synthetic_data_is_labelled_in_the_report(built):
    pdf_text = subprocess.run(
        ["pdftotext", str(built["dir"] / f"monitor_{YEAR}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Synthetische voorbeelddata" in pdf_text
    assert "synthetische" in (built["dir"] / "site" / "index.html").read_text(encoding="utf-8").lower()


def test_nothing_changed_executes_no_notebook(own_build):
    options = BuildOptions(jobs=2, log=lambda line: None)
    again = build_report(YEAR, own_build["notebooks"], own_build["reports"], options)
    assert again.executed == again.prose_only == [] and not again.rendered
    assert again.report_dir == own_build["result"].report_dir


def _tree_state(report) -> str:
    """What the report says of the working tree ("Werkmap schoon"): part of its provenance, hence of its bytes."""
    page = (report / "site" / "index.html").read_text(encoding="utf-8")
    return re.search(r"<dt>Werkmap schoon</dt><dd>([^<]*)</dd>", page).group(1)


def test_forced_rebuild_gives_identical_bytes(own_build):
    """Same inputs, same bytes. Another test may leave a file in the working tree for a moment (the report then
    says, rightly, that the tree was not clean): the rebuild is repeated until it saw the tree as the first did."""
    first = _tree_state(own_build["result"].report_dir)
    for _ in range(3):
        again = build_report(
            YEAR, own_build["notebooks"], own_build["reports"], BuildOptions(jobs=2, force=True, log=lambda line: None)
        )
        if _tree_state(again.report_dir) == first:
            break
    assert again.report_dir == own_build["result"].report_dir
    assert _hashes(again.report_dir) == own_build["hashes"]


def test_the_text_passes_the_text_check_and_every_claim_holds(built):
    assert text_problems(built["dir"], YEAR) == []
    claims = pd.read_csv(built["dir"] / "claims.csv")
    assert {"bewering", "vergelijking"} <= set(claims["kind"])
