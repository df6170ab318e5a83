import math

import pytest

from helpers.analysis.estimates import percent_distribution, size_class_means
from helpers.analysis.question_tables import estimate_table
from helpers.report.narrative import Narrative
from helpers.survey.formatting import format_value
from helpers.survey.vocabulary import MERGED_LARGE


def _ind(table, category, stat):
    hit = table.indicators[(table.indicators["category"] == category) & (table.indicators["stat"] == stat)]
    assert len(hit) == 1, (category, stat)
    return float(hit["value"].iloc[0]), int(hit["n"].iloc[0])


def test_size_class_means_by_hand(cb, df):
    # G4 has 4 municipalities -> merged with G40: 4 x (10, 20), 5 x (20, 10), 1 x (30, 0).
    # Small (18 answered): 2 x (30, 0), 4 x (0, 40), 12 x (10, 10).
    t = size_class_means(df, cb, "route_share")
    assert list(t.data.columns) == [MERGED_LARGE, "Middelgroot/klein", "Totaal", "p"]
    assert list(t.data.index) == ["Directe bemiddeling", "Via onderwijs", "Bemiddeld"]
    assert _ind(t, f"{MERGED_LARGE}: Directe bemiddeling", "mean") == (17.0, 10)
    assert _ind(t, f"{MERGED_LARGE}: Via onderwijs", "mean") == (13.0, 10)
    assert _ind(t, "Middelgroot/klein: Directe bemiddeling", "mean") == (10.0, 18)
    assert _ind(t, "Middelgroot/klein: Via onderwijs", "mean")[0] == pytest.approx(280 / 18)
    assert _ind(t, "Middelgroot/klein: Bemiddeld", "mean")[0] == pytest.approx(460 / 18)
    assert _ind(t, "Totaal: Directe bemiddeling", "mean") == (12.5, 28)
    assert 0 <= _ind(t, "Directe bemiddeling", "p")[0] <= 1
    assert t.n == 28 and t.headers[MERGED_LARGE] == f"{MERGED_LARGE} (n=10)"
    assert "G4 en G40 samengenomen" in t.footnote
    assert t.to_markdown().count("%") >= 9


def test_size_class_means_total_equals_estimate_table(cb, df):
    t = size_class_means(df, cb, "route_share")
    est = estimate_table(df, cb, "route_share")
    for label in est.data.index:
        assert t.data.loc[label, "Totaal"] == pytest.approx(est.data.loc[label, "Gemiddelde"])


def test_size_class_means_suppression(cb, df):
    t = size_class_means(df, cb, "route_share", min_base=11)
    # the merged large group (10) is below the base, so the only other group is hidden too
    assert t.data[[MERGED_LARGE, "Middelgroot/klein"]].isna().all().all()
    assert not t.data["Totaal"].isna().any()
    assert "af te leiden uit het totaal" in t.footnote
    assert not t.indicators["category"].str.startswith(MERGED_LARGE).any()


def test_size_class_means_count_and_prose(cb, df, chapter):
    t = size_class_means(df, cb, "n_statushouders")
    assert t.formats["Totaal"] == "num1"
    narrative = Narrative(chapter)
    pct_table = size_class_means(df, cb, "route_share")
    total = pct_table.indicators.set_index("category").loc["Totaal: Directe bemiddeling", "value"]
    assert narrative.mean("route_share", "k1") == format_value(total, "mean", percent=True) == "13%"
    total_count = t.indicators.set_index("category").loc["Totaal", "value"]
    assert narrative.mean("n_statushouders") == format_value(total_count, "mean")


def test_size_class_means_rejects_other_types(cb, df):
    with pytest.raises(ValueError):
        size_class_means(df, cb, "additional_policy")


def test_percent_distribution_by_hand(cb, df):
    # item 1: 4 x 0, 16 x 10, 5 x 20, 3 x 30 (28 municipalities)
    t = percent_distribution(df, cb, "route_share")
    assert list(t.data.index) == ["0%", "1–25%", "26–50%", "51–75%", "76–100%"]
    assert _ind(t, "0%", "pct")[0] == pytest.approx(100 * 4 / 28)
    assert _ind(t, "1–25%", "pct")[0] == pytest.approx(100 * 21 / 28)
    assert _ind(t, "26–50%", "pct")[0] == pytest.approx(100 * 3 / 28)
    assert _ind(t, "76–100%", "pct") == (0.0, 28)
    assert _ind(t, "Directe bemiddeling", "median") == (10.0, 28)
    assert math.isclose(t.data["Percentage"].sum(), 100.0)
    assert t.report_ref == ""


def test_percent_distribution_band_edges(cb, df):
    # item 2: 25 falls in the band that ends at 25 (closed on the right)
    t = percent_distribution(df, cb, "route_share", item=2, uppers=(10, 100))
    assert list(t.data.index) == ["0%", "1–10%", "11–100%"]
    # values: 4 x 20, 5 x 10, 3 x 0, 4 x 40, 12 x 10 -> 0: 3, 1-10: 17, 11-100: 8
    assert [round(v * 28 / 100) for v in t.data["Percentage"]] == [3, 17, 8]


def test_percent_distribution_rejects_counts(cb, df):
    with pytest.raises(ValueError):
        percent_distribution(df, cb, "n_statushouders")
