"""Trends across processed years (2018 and the 2019 example): which years link, renamed options, breaks."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import paths
from helpers.analysis.trends import load_published, trend_table
from helpers.load.export import build_processed
from helpers.report import chapter as notebook
from helpers.report.chapter import ChapterView, processed_years, year_data
from helpers.survey.codebook import Codebook, load_codebook

OLD = "Matchingsevents waar werkgevers en statushouders elkaar ontmoetten"
NEW = "Matchingsevents waar werkgevers en statushouders elkaar ontmoeten"
DEDICATED = "Klantmanagers die specifiek voor statushouders werken (dedicated klantmanagers)"


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> dict[int, tuple[pd.DataFrame, Codebook]]:
    out = tmp_path_factory.mktemp("processed")
    return {
        y: (build_processed(y, processed_dir=out).municipalities, load_codebook(paths.codebook_path(y)))
        for y in (2018, 2019)
    }


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return load_published(range(2000, 2019))


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


def test_same_id_links_2018_and_2019_and_a_renamed_option_keeps_its_series(processed, published):
    df18 = processed[2018][0]
    t = trend_table("measures_offered", processed, published, [DEDICATED, NEW])
    assert t.data.index.tolist() == ["2017", "2018", "2019"]
    assert t.data["Bron"].tolist() == ["gepubliceerd", "berekend", "berekend"]
    assert t.data["Breuk"].tolist() == ["", "", ""]
    share18 = 100 * df18["measures_offered__13"].sum() / (df18["measures_offered__status"] == "beantwoord").sum()
    assert t.data.loc["2018", NEW] == pytest.approx(share18)  # 2018's label "ontmoetten" is the same option
    assert t.data.loc["2018", DEDICATED] == pytest.approx(84, abs=0.5)  # reproduces the published 2018 figure
    assert f"2018: {NEW}" in set(t.indicators["category"])
    assert OLD not in set(t.meta["long"]["category"])


def test_published_rows_of_a_renamed_option_follow_the_code(processed):
    pub = pd.DataFrame(
        [[2017, "", "measures_offered", OLD, "pct", 30.0, None, 0, "check"]],
        columns=["year", "report_ref", "question", "category", "stat", "value", "n", "decimals", "status"],
    )
    t = trend_table("measures_offered", processed, pub, [NEW])
    assert t.data.loc["2017", NEW] == 30.0


def test_replaces_shows_a_break_and_comparable_with_does_not(processed, published):
    (df18, cb18), (df19, cb19) = processed[2018], processed[2019]
    years = {2018: (df18, cb18)}
    new = "additional_policy_2019"
    df_r, cb_r = _renamed(cb19, df19, "additional_policy", new, replaces=["additional_policy"])
    t = trend_table(new, {**years, 2019: (df_r, cb_r)}, published, ["Ja"])
    assert t.data.index.tolist() == ["2018", "2019"]
    assert t.data["Breuk"].tolist() == ["", "ja"] and "niet vergelijkbaar" in t.footnote
    df_c, cb_c = _renamed(cb19, df19, "additional_policy", new, comparable_with=["2018:additional_policy"])
    t = trend_table(new, {**years, 2019: (df_c, cb_c)}, published, ["Ja"])
    assert t.data["Breuk"].tolist() == ["", ""]
    df_u, cb_u = _renamed(cb19, df19, "additional_policy", new)
    t = trend_table(new, {**years, 2019: (df_u, cb_u)}, published, ["Ja"])
    assert t.data.index.tolist() == ["2019"]  # a new id without a link starts a new series


def test_replaces_keeps_earlier_published_years_linked(processed):
    (df18, cb18), (df19, cb19) = processed[2018], processed[2019]
    new = "start_moment_2019"
    df_r, cb_r = _renamed(cb19, df19, "start_moment", new, replaces=["start_moment"])
    pub = load_published(range(2000, 2018))  # 2016 and 2017 under the 2018 id
    t = trend_table(new, {2018: (df18, cb18), 2019: (df_r, cb_r)}, pub, ["In het azc"])
    assert t.data.index.tolist()[-2:] == ["2018", "2019"] and "2017" in t.data.index
    assert t.data.loc["2019", "Breuk"] == "ja" and set(t.data.loc[:"2018", "Breuk"]) == {""}


def test_earlier_years_come_from_processed_data_or_the_raw_export(tmp_path, monkeypatch, processed):
    monkeypatch.setattr(paths, "PROCESSED_DIR", tmp_path)
    assert processed_years(2018) == [2018]  # raw export, nothing processed yet
    assert processed_years(2019) == [2018, 2019]
    assert len(year_data(2018)) == 282  # loaded from data/raw in memory
    assert not any(tmp_path.iterdir())  # nothing written
    (tmp_path / "2018").mkdir()
    processed[2018][0].head(10).to_parquet(tmp_path / "2018" / "municipalities.parquet", index=False)
    assert len(year_data(2018)) == 10  # processed data wins when present


def test_chapter_view_trend_uses_2018_when_building_2019(tmp_path, monkeypatch, processed):
    monkeypatch.setattr(notebook, "processed_years", lambda up_to: [2018] if up_to >= 2018 else [])
    monkeypatch.setattr(notebook, "year_data", lambda y: processed[y][0])
    df19, cb19 = processed[2019]
    frame = pd.read_csv(paths.frame_path(2019), dtype={"gemeentecode": str})
    shown = []
    ch = ChapterView(6, 2019, tmp_path, df19, cb19, frame, name="06_test", display=lambda *a, **k: shown.append(a))
    trial = "Proefplaatsing (werken met behoud van uitkering)"
    t = ch.trend("employer_support", [trial], chart=False)
    assert t.data.index.tolist() == ["2017", "2018", "2019"]
    assert t.data.loc["2018", "Bron"] == "berekend"
    assert t.data.loc["2017", trial] == 75  # published 2017
    assert ch.trend("funding_change") is None  # dropped in 2019: skipped with a note
    assert "niet gesteld" in str(shown[-1][0].data)
