import copy
import math

import pandas as pd
import pytest
from analysis_fixtures import CODEBOOK, make_frame, make_respondents

from helpers.analysis.question_tables import (
    collapsed_categories,
    count_summary,
    estimate_table,
    multi_answer_table,
    single_choice_table,
)
from helpers.analysis.quotes import LARGE_LABEL, MIXED_LABEL, SMALL_LABEL, redact, size_label, text_answers
from helpers.analysis.response import response_table
from helpers.analysis.trends import load_published, trend_table
from helpers.survey.codebook import Codebook
from helpers.survey.lineage import QuestionHistory
from helpers.survey.vocabulary import SUPPRESSED


def pct_of(table, label):
    return float(table.data.loc[label, "Percentage"])


def test_single_choice_table_full(cb, df):
    t = single_choice_table(df, cb, "additional_policy")
    assert t.n == 29  # M30 skipped the question
    assert list(t.data.index) == ["Ja", "Nee", "In ontwikkeling"]
    assert pct_of(t, "Ja") == pytest.approx(100 * 16 / 29)
    assert pct_of(t, "Nee") == pytest.approx(100 * 10 / 29)
    assert pct_of(t, "In ontwikkeling") == pytest.approx(100 * 3 / 29)
    assert t.report_ref == "Figuur 3.1"
    assert t.kind == "single"
    assert t.base == "alle gemeenten die de vraag beantwoordden"
    assert list(t.indicators.columns) == ["category", "stat", "value", "n"]
    assert set(t.indicators["stat"]) == {"pct"}
    md = t.to_markdown()
    assert "| Ja | 55% |" in md and "| Nee | 34% |" in md and "| In ontwikkeling | 10% |" in md
    assert "*n=29; basis: alle gemeenten die de vraag beantwoordden.*" in md


def test_single_choice_routing_base_and_counts(cb, df):
    t = single_choice_table(df, cb, "policy_other_groups", counts=True)
    assert t.n == 18
    assert t.base.endswith(
        "‘Is er in uw gemeente aanvullend beleid voor de arbeidstoeleiding van …’ ‘Ja’ of ‘In ontwikkeling’ antwoordden"
    )
    assert t.data.loc["Ja", "Aantal"] == 12 and t.data.loc["Nee", "Aantal"] == 6
    assert t.report_ref == ""
    assert sorted(t.indicators["stat"].unique()) == ["count", "pct"]


def test_likert_full_scale_and_collapsed(cb, df):
    full = single_choice_table(df, cb, "integrated_approach")
    assert full.kind == "likert"
    assert list(full.data.index) == ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    assert [round(v * 30 / 100) for v in full.data["Percentage"]] == [2, 6, 5, 13, 4]
    nets = single_choice_table(df, cb, "integrated_approach", collapse=True)
    assert list(nets.data.index) == ["(Helemaal) oneens", "Neutraal", "(Helemaal) eens"]
    assert nets.data["Percentage"].tolist() == pytest.approx([100 * 8 / 30, 100 * 5 / 30, 100 * 17 / 30])
    assert collapsed_categories(cb.question("integrated_approach"))[1] == "Neutraal"


def test_multi_answer_table_sorted_like_the_report(cb, df):
    t = multi_answer_table(df, cb, "instruments")
    assert t.n == 28  # R15 (M21) ticked nothing, R24 (M30) did not answer
    # sorted by share; "anders" and the exclusive option last
    assert list(t.data.index) == ["Taalcursus", "Werkervaringsplek", "Jobcoach", "Anders, namelijk", "Geen van deze"]
    assert t.data["Percentage"].tolist() == pytest.approx([75.0, 100 * 17 / 28, 25.0, 100 * 2 / 28, 100 * 2 / 28])
    assert t.footnote == "Meerdere antwoorden mogelijk; gemiddeld 1,8 antwoorden."  # 49/28 = 1.75, half-up
    am = t.indicators[t.indicators["stat"] == "answers_mean"]
    assert am["value"].item() == pytest.approx(1.75) and am["category"].item() == ""
    unsorted = multi_answer_table(df, cb, "instruments", sort=False)
    assert list(unsorted.data.index)[:3] == ["Taalcursus", "Werkervaringsplek", "Jobcoach"]


def test_multi_answer_max_answers_footnote(cb, df):
    t = multi_answer_table(df, cb, "top_measures")
    assert t.footnote == "Maximaal 3 antwoorden mogelijk; gemiddeld 2,5 antwoorden."
    assert t.data["Percentage"].tolist() == [100.0, 50.0, 50.0, 50.0]


def test_estimate_table(cb, df):
    t = estimate_table(df, cb, "route_share")
    assert list(t.data.index) == ["Directe bemiddeling", "Via onderwijs", "Bemiddeld"]
    assert t.data["Gemiddelde"].tolist() == pytest.approx([12.5, 410 / 28, 760 / 28])
    assert t.data["Mediaan"].tolist() == [10.0, 10.0, 30.0]
    assert t.data["n"].tolist() == [28, 28, 28]
    md = t.to_markdown()
    assert "| Directe bemiddeling | 13% | 10% | 28 |" in md  # 12.5 rounds half-up
    assert set(t.indicators["stat"]) == {"mean", "median"}
    with pytest.raises(ValueError):
        estimate_table(df, cb, "additional_policy")


def test_count_summary(cb, df):
    t = count_summary(df, cb, "n_statushouders")
    assert t.n == 29
    assert list(t.data.index) == ["0", "1–5", "6–10", "11–25", "26–50", "51 of meer"]
    counts = [round(v * 29 / 100) for v in t.data["Percentage"]]
    assert counts == [3, 9, 5, 3, 1, 8]
    assert t.meta["median"] == 8
    assert t.footnote == "Mediaan 8."
    assert "min" not in set(t.indicators["stat"])  # a minimum/maximum is one municipality's answer
    ranged = count_summary(df, cb, "n_statushouders", show_range=True)
    assert "Minimum–maximum: 0–500." in ranged.footnote
    assert set(ranged.indicators["stat"]) == {"pct", "median", "min", "max"}


def test_small_base_is_suppressed(cb, df):
    few = df[df["gemeentecode"].isin(["GM9001", "GM9002", "GM9003", "GM9004"])]
    t = single_choice_table(few, cb, "additional_policy")
    assert t.n == 4
    assert t.data["Percentage"].isna().all()
    assert SUPPRESSED in t.to_markdown()
    assert "minder dan 5 gemeenten" in t.footnote
    assert t.indicators.empty
    m = multi_answer_table(few, cb, "instruments")
    assert m.indicators.empty and m.data["Percentage"].isna().all()


def test_text_answers_attributed_by_size_class_only(cb, df):
    t = text_answers(df, cb, "remarks")
    assert t.n == 3  # R01, R05, R11 (once, although R11 answered for 4 municipalities); R13 was blank
    assert list(t.data.index) == [LARGE_LABEL, LARGE_LABEL, SMALL_LABEL]
    assert t.data["Antwoord"].tolist() == [
        "Meer budget nodig.",
        "Wij werken samen met [gemeente] en de regio.",
        "Samenwerking in de regio werkt goed.",
    ]
    md = t.to_markdown()
    for forbidden in ("Stad A", "GM90", "R01", "R11", "Gemeente 1"):
        assert forbidden not in md
    via_respondents = text_answers(make_respondents(), cb, "remarks", make_frame())
    pd.testing.assert_frame_equal(via_respondents.data, t.data)
    split = text_answers(df, cb, "remarks", merge_large=False)
    assert set(split.data.index) == {"G4-gemeente", "G40-gemeente", SMALL_LABEL}


def test_size_label_and_redaction():
    assert size_label(["G4"]) == LARGE_LABEL
    assert size_label(["G40", "Middelgroot/klein"]) == MIXED_LABEL
    assert size_label(["Middelgroot/klein"]) == SMALL_LABEL
    text = "In 's-Gravenhage en Den Haag, Bergen en Ede; Bestuur en Edelweiss blijven."
    out = redact(text, ["'s-Gravenhage", "Bergen (NH.)", "Ede", "Best"]).text
    assert out == "In [gemeente] en [gemeente], [gemeente] en [gemeente]; Bestuur en Edelweiss blijven."


def test_response_table(cb, df):
    t = response_table(make_frame(), df, cb)
    assert t.data["Vertegenwoordigd in de monitor"].tolist() == [4, 6, 20, 30]
    assert t.data["Aantal gemeenten in Nederland"].tolist() == [4, 8, 28, 40]
    assert t.data["Percentage"].tolist() == pytest.approx([100.0, 75.0, 100 * 20 / 28, 75.0])
    assert t.report_ref == "Tabel 1" and t.question == "municipalities"
    ind = t.indicators.set_index(["category", "stat"])
    assert ind.loc[("Respondenten", "count"), "value"] == 24
    assert ind.loc[("G40", "count"), "n"] == 8
    assert "| Totaal | 30 | 40 | 75% |" in t.to_markdown()


def test_markdown_shape_and_escaping(cb, df):
    t = single_choice_table(df, cb, "additional_policy")
    t.data.index = pd.Index(["Ja | zeker", "Nee", "In *ontwikkeling*"], name="Antwoord")
    md = t.to_markdown(notes=False)
    lines = md.strip().splitlines()
    assert lines[0] == "| Antwoord | Percentage |"
    assert lines[1].startswith("|:") and lines[1].endswith(":|")
    assert "Ja \\| zeker" in md and "In \\*ontwikkeling\\*" in md
    assert "n=29" not in md
    assert t._repr_markdown_().startswith("**Is er in uw gemeente")
    assert "(n=29)**" in t._repr_markdown_()


# --- trends -------------------------------------------------------------------------

PUBLISHED_HEADER = "year,report_ref,question,category,stat,value,n,decimals,status,source,note\n"


@pytest.fixture
def published_dir(tmp_path):
    (tmp_path / "monitor_2016.csv").write_text(
        PUBLISHED_HEADER + "2016,Figuur 2,additional_policy,Ja,pct,40,250,0,check,Monitor 2016 p. 10,\n",
        encoding="utf-8",
    )
    (tmp_path / "monitor_2017.csv").write_text(
        PUBLISHED_HEADER
        + "2017,Figuur 3,additional_policy,Ja,pct,50,260,0,check,Monitor 2017 p. 12,\n"
        + "2017,Figuur 3,additional_policy,Nee,pct,45,260,0,check,Monitor 2017 p. 12,\n"
        + '2017,Tekst,additional_policy,Ja,pct,75,,0,report_error,Monitor 2017 p. 3,"typo, 50%"\n'
        + "2017,Figuur 4,instruments,Taalcursus,pct,70,255,0,check,Monitor 2017 p. 14,\n",
        encoding="utf-8",
    )
    return tmp_path


def _codebook(year: int, comparable: list[str], rename: str | None = None, replaces: list[str] = ()) -> Codebook:
    raw = copy.deepcopy(CODEBOOK)
    raw["year"] = year
    for q in raw["questions"]:
        if q["id"] == "additional_policy":
            q["comparable_with"] = comparable
            q["replaces"] = list(replaces)
            if rename:
                q["id"] = rename
        if rename and q.get("asked_if", {}).get("question") == "additional_policy":
            q["asked_if"]["question"] = rename
    return Codebook.model_validate(raw)


def test_load_published(published_dir):
    pub = load_published([2016, 2017], directory=published_dir)
    assert len(pub) == 4 and sorted(pub["year"].unique()) == [2016, 2017]  # the report_error row is left out
    assert load_published(years=[2015], directory=published_dir).empty


def _trend(codebooks: dict[int, Codebook], data: dict[int, pd.DataFrame], pub, keys, year: int = 2018, **kw):
    history = QuestionHistory(codebooks)
    question = codebooks[year].question("additional_policy")
    return trend_table(history, question, year, data, pub, keys, **kw)


def test_trend_table_published_and_computed(published_dir, cb, df):
    pub = load_published([2016, 2017], directory=published_dir)
    t = _trend({2018: cb}, {2018: df}, pub, ["k1", "k2"])
    assert list(t.data.index) == ["2016", "2017", "2018"]
    assert t.data["Bron"].tolist() == ["gepubliceerd", "gepubliceerd", "berekend"]
    assert t.data.loc["2017", "Ja"] == 50  # the report_error row (75) is ignored
    assert math.isnan(t.data.loc["2016", "Nee"])
    assert t.data.loc["2018", "Ja"] == pytest.approx(100 * 16 / 29)
    assert t.data["Breuk"].tolist() == ["", "", ""]
    assert t.report_ref == "" and t.n is None
    cats = t.indicators["category"].tolist()
    assert cats == ["2016: Ja", "2017: Ja", "2017: Nee", "2018: Ja", "2018: Nee"]
    assert t.indicators.loc[0, "n"] == 250


def test_trend_table_same_id_is_comparable_and_replaces_marks_a_break(published_dir, df):
    pub = load_published([2016, 2017], directory=published_dir)
    t = _trend({2018: _codebook(2018, [])}, {2018: df}, pub, ["k1"])
    assert t.data["Breuk"].tolist() == ["", "", ""]  # stable id = same question
    renamed_pub = pub.assign(question="policy_old")
    t2 = _trend({2018: _codebook(2018, [], replaces=["policy_old"])}, {2018: df}, renamed_pub, ["k1"])
    assert t2.data["Breuk"].tolist() == ["", "", "ja"]  # shown, with the break marked
    assert "Breuk" in t2.footnote
    linked = _codebook(2018, ["2017:policy_old", "2016:policy_old"])
    t3 = _trend({2018: linked}, {2018: df}, renamed_pub, ["k1"])
    assert t3.data["Breuk"].tolist() == ["", "", ""]


def test_trend_table_two_processed_years_with_renamed_question(df):
    old_cb = _codebook(2017, [], rename="policy_2017")
    old_df = df.rename(columns={"additional_policy": "policy_2017", "additional_policy__status": "policy_2017__status"})
    linked = _codebook(2018, ["2017:policy_2017"])
    t = _trend({2017: old_cb, 2018: linked}, {2017: old_df, 2018: df}, None, ["k1"])
    assert t.data["Bron"].tolist() == ["berekend", "berekend"]
    assert t.data["Breuk"].tolist() == ["", ""]
    # without a link the renamed 2017 question is not found: the series starts in 2018
    unlinked = _codebook(2018, ["additional_policy"])
    t2 = _trend({2017: old_cb, 2018: unlinked}, {2017: old_df, 2018: df}, None, ["k1"])
    assert t2.data.index.tolist() == ["2018"]
    # same id in both years: the same question, no break
    t3 = _trend({2017: _codebook(2017, []), 2018: _codebook(2018, [])}, {2017: df, 2018: df}, None, ["k1"])
    assert t3.data["Breuk"].tolist() == ["", ""]
