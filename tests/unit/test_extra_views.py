import datetime as dt

import pytest
from analysis_fixtures import make_respondents

from helpers.analysis.estimates import mean_comparison
from helpers.analysis.response import respondent_clusters
from helpers.survey.formatting import dutch_date


def _value(table, category, stat):
    ind = table.indicators
    hit = ind[(ind["category"] == category) & (ind["stat"] == stat)]
    assert len(hit) == 1, (category, stat)
    return float(hit["value"].iloc[0]), hit["n"].iloc[0]


def test_respondent_clusters_counts():
    t = respondent_clusters(make_respondents())
    assert list(t.data.index) == ["1 gemeente", "2 gemeenten", "3 gemeenten", "4 of meer gemeenten"]
    assert list(t.data["Respondenten"]) == [21, 1, 1, 1]
    assert list(t.data["Vertegenwoordigde gemeenten"]) == [21, 2, 3, 4]
    assert t.n == 24
    assert _value(t, "Respondenten: 1 gemeente", "pct") == (pytest.approx(100 * 21 / 24), 24)
    assert _value(t, "Gemeenten: 4 of meer gemeenten", "count") == (4.0, 30)
    assert t.report_ref == ""
    assert "30 gemeenten" in t.footnote


def test_respondent_clusters_ranges():
    t = respondent_clusters(make_respondents(), bins=(1, 3))
    assert list(t.data.index) == ["1–2 gemeenten", "3 of meer gemeenten"]
    assert list(t.data["Respondenten"]) == [22, 2]


def test_mean_comparison(cb, df):
    t = mean_comparison(
        df,
        cb,
        [("route_share", "Via onderwijs", "Onderwijs"), ("route_share", "Directe bemiddeling", "Direct")],
        title="Vergelijking",
        report_ref="Figuur 5.3",
    )
    assert list(t.data.index) == ["Onderwijs (n=28)", "Direct (n=28)"]
    assert t.data["Gemiddelde"].tolist() == [pytest.approx(410 / 28), pytest.approx(350 / 28)]
    assert t.question == "route_share" and t.report_ref == "Figuur 5.3" and t.n is None
    # only the first part's number is recorded with the table
    assert len(t.indicators) == 1
    assert _value(t, "Via onderwijs", "mean") == (pytest.approx(410 / 28), 28)
    assert "| Onderwijs (n=28) | 15% | 28 |" in t.to_markdown()


def test_mean_comparison_default_ref_and_errors(cb, df):
    t = mean_comparison(df, cb, [("route_share", "Bemiddeld", "Samen")], title="x")
    assert t.report_ref == "Tabel 8.1"
    with pytest.raises(KeyError):
        mean_comparison(df, cb, [("route_share", "bestaat niet", "x")], title="x")
    with pytest.raises(ValueError):
        mean_comparison(df, cb, [("route_share", "Bemiddeld", "a"), ("n_statushouders", "", "b")], title="x")
    with pytest.raises(ValueError):
        mean_comparison(df, cb, [], title="x")


def test_dutch_date():
    assert dutch_date("2018-03-05") == "5 maart 2018"
    assert dutch_date(dt.date(2018, 12, 31)) == "31 december 2018"
    with pytest.raises(ValueError):
        dutch_date("5-3-2018")
