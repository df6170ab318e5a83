"""Trends across the processed example years (2018 and 2019): keys, reworded labels, links and breaks."""

from __future__ import annotations

import os

import pandas as pd
import pytest
import shipped

from helpers import paths
from helpers.analysis.trends import load_published, trend_table
from helpers.load import processed as processed_module
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.lineage import QuestionHistory

NEW = "Matchingsevents waar werkgevers en statushouders elkaar ontmoeten"
DEDICATED = "Klantmanagers die specifiek voor statushouders werken (dedicated klantmanagers)"


@pytest.fixture(scope="module")
def processed() -> dict[int, tuple[pd.DataFrame, Codebook]]:
    return {y: (shipped.processed(y).municipalities, load_codebook(paths.codebook_path(y))) for y in (2018, 2019)}


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return load_published(range(2000, 2019))


def _trend(processed, codebook19: Codebook, df19: pd.DataFrame, qid: str, keys, published):
    history = QuestionHistory({2018: processed[2018][1], 2019: codebook19})
    data = {2018: processed[2018][0], 2019: df19}
    return trend_table(history, codebook19.question(qid), 2019, data, published, keys)


def _renamed(cb: Codebook, df: pd.DataFrame, qid: str, new_id: str, **links) -> tuple[pd.DataFrame, Codebook]:
    """The 2019 data with question ``qid`` under a new id and the given comparable_with/replaces."""
    raw = cb.model_dump(by_alias=True, exclude_defaults=True)
    for q in raw["questions"]:
        if q["id"] == qid:
            q.update(id=new_id, **links)
        cond = q.get("asked_if") or {}
        if cond.get("question") == qid:
            cond["question"] = new_id
    columns = {c: new_id + c[len(qid) :] for c in df.columns if c == qid or c.startswith(qid + "__")}
    return df.rename(columns=columns), Codebook.model_validate(raw)


def test_same_key_links_2018_and_2019_and_a_reworded_label_keeps_its_series(processed, published):
    df18 = processed[2018][0]
    df19, cb19 = processed[2019]
    t = _trend(processed, cb19, df19, "measures_offered", ["dedicated_case_managers", "matching_events"], published)
    assert t.data.index.tolist() == ["2017", "2018", "2019"]
    assert t.data["Bron"].tolist() == ["gepubliceerd", "berekend", "berekend"]
    assert t.data["Breuk"].tolist() == ["", "", ""]
    share18 = 100 * df18["measures_offered__13"].sum() / (df18["measures_offered__status"] == "beantwoord").sum()
    assert t.data.loc["2018", NEW] == pytest.approx(share18)  # 2018's label "ontmoetten" is the same key
    assert t.data.loc["2018", DEDICATED] == pytest.approx(84, abs=0.5)  # reproduces the published 2018 figure
    assert f"2018: {NEW}" in set(t.indicators["category"])


def test_replaces_shows_a_break_and_comparable_with_does_not(processed, published):
    df19, cb19 = processed[2019]
    new = "additional_policy_2019"
    df_r, cb_r = _renamed(cb19, df19, "additional_policy", new, replaces=["additional_policy"])
    t = _trend(processed, cb_r, df_r, new, ["yes"], published)
    assert t.data.index.tolist() == ["2018", "2019"]
    assert t.data["Breuk"].tolist() == ["", "ja"] and "niet vergelijkbaar" in t.footnote
    df_c, cb_c = _renamed(cb19, df19, "additional_policy", new, comparable_with=["2018:additional_policy"])
    assert _trend(processed, cb_c, df_c, new, ["yes"], published).data["Breuk"].tolist() == ["", ""]
    df_u, cb_u = _renamed(cb19, df19, "additional_policy", new)
    assert _trend(processed, cb_u, df_u, new, ["yes"], published).data.index.tolist() == ["2019"]


def test_replaces_keeps_earlier_published_years_and_marks_where_it_breaks(processed):
    df19, cb19 = processed[2019]
    new = "start_moment_2019"
    df_r, cb_r = _renamed(cb19, df19, "start_moment", new, replaces=["start_moment"])
    t = _trend(processed, cb_r, df_r, new, ["in_reception_centre"], load_published(range(2000, 2018)))
    assert t.data.index.tolist() == ["2017", "2018", "2019"]
    assert t.data["Breuk"].tolist() == ["", "", "ja"]


def test_earlier_years_come_through_the_loader_without_writing(tmp_path, monkeypatch, processed):
    monkeypatch.setattr(paths, "PROCESSED_DIR", tmp_path)
    assert processed_module.edition_years(2018) == [2018]  # a raw export, nothing processed yet
    assert processed_module.edition_years(2019) == [2018, 2019]
    assert len(processed_module.municipalities(2018)) == 282  # loaded in memory, mergers included
    assert not any(tmp_path.iterdir())  # nothing written
    (tmp_path / "2018").mkdir()
    target = tmp_path / "2018" / "municipalities.parquet"
    processed[2018][0].head(10).to_parquet(target, index=False)
    assert len(processed_module.municipalities(2018)) == 10  # up-to-date processed tables are read
    os.utime(target, ns=(1, 1))  # older than the raw export: stale, so the export is loaded again
    assert len(processed_module.municipalities(2018)) == 282
