import copy
import math

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import CODEBOOK

from helpers.analysis.question_tables import multi_answer_table
from helpers.analysis.significance import (
    CHI2,
    CLUSTER,
    FISHER,
    MONTE_CARLO,
    UNTESTABLE,
    IndependenceTest,
    cluster_permutation_test,
    independence_test,
)
from helpers.analysis.size_classes import size_class_table
from helpers.survey.codebook import Codebook
from helpers.survey.vocabulary import MERGED_LARGE


def test_g4_is_never_shown_alone(cb, df):
    for qid, kw in [("additional_policy", {}), ("integrated_approach", {"nets": True}), ("instruments", {})]:
        t = size_class_table(df, cb, qid, **kw)
        assert "G4" not in t.data.columns
        assert list(t.data.columns) == [MERGED_LARGE, "Middelgroot/klein", "Totaal", "p"]
        assert not t.indicators["category"].str.startswith("G4:").any()
        assert t.meta["merged"] and t.meta["bases"][MERGED_LARGE] >= 5
        assert "G4 en G40 samengenomen" in t.footnote


def test_single_shares_by_size_class(cb, df):
    t = size_class_table(df, cb, "additional_policy")
    assert t.meta["bases"] == {MERGED_LARGE: 10, "Middelgroot/klein": 19}
    assert t.data.loc["Ja", MERGED_LARGE] == 80.0
    assert t.data.loc["Ja", "Middelgroot/klein"] == pytest.approx(100 * 8 / 19)
    assert t.data.loc["Ja", "Totaal"] == pytest.approx(100 * 16 / 29)
    ind = t.indicators.set_index(["category", "stat"])
    assert ind.loc[(f"{MERGED_LARGE}: Ja", "pct"), "n"] == 10
    assert ind.loc[("Totaal: Nee", "pct"), "value"] == pytest.approx(100 * 10 / 29)
    assert ("", "p") in ind.index  # the test over all answers
    assert t.headers[MERGED_LARGE] == f"{MERGED_LARGE} (n=10)"
    assert t.report_ref == "" and t.kind == "breakdown"


def test_fisher_for_small_2x2_matches_hypergeometric_by_hand(cb, df):
    t = size_class_table(df, cb, "additional_policy", ["Ja"])
    test = t.meta["tests"]["Ja"]
    assert test.method == FISHER  # expected count 10 * 13 / 29 = 4.48 < 5
    # table [[8, 2], [8, 11]]: two-sided p = sum of P(X = k) over tables no more likely than observed
    from scipy.stats import hypergeom  # imported by the test that needs it, not at collection

    dist = hypergeom(29, 16, 10)
    probs = np.array([dist.pmf(k) for k in range(0, 11)])
    by_hand = probs[probs <= dist.pmf(8) * (1 + 1e-7)].sum()
    assert test.p_value == pytest.approx(by_hand)
    assert test.p_value == pytest.approx(0.1142143, abs=1e-6)
    assert test.statistic == pytest.approx(29 * (8 * 11 - 2 * 8) ** 2 / (10 * 19 * 16 * 13))
    assert t.meta["overall_test"] is None  # only one row requested
    assert list(t.data.index) == ["Ja"]


def test_chi_square_when_expected_counts_are_large():
    # X² = N (ad - bc)² / (r1 r2 c1 c2) = 100 * 500² / 50⁴ = 4.0, df 1, p = 0.0455
    res = independence_test(pd.DataFrame([[30, 20], [20, 30]]))
    assert res.method == CHI2 and res.df == 1
    assert res.statistic == pytest.approx(4.0)
    assert res.p_value == pytest.approx(0.0455003, abs=1e-6)
    assert res.significant
    assert res.interpretation == (
        "Het verschil tussen de grootteklassen is statistisch significant (chi-kwadraattoets, p = 0,046)."
    )


def test_monte_carlo_for_larger_tables_with_small_expected_counts():
    table = [[8, 1, 1], [8, 9, 2]]
    a = independence_test(table)
    b = independence_test(table)
    assert a.method == MONTE_CARLO and a.df == 2
    assert a.p_value == b.p_value  # fixed seed: reproducible
    assert 0.08 < a.p_value < 0.16  # asymptotic p = 0.113
    assert not a.significant
    assert a.interpretation.startswith("Er is geen statistisch significant verschil")


def test_untestable_table():
    res = independence_test([[5, 0], [7, 0]])
    assert res.method == UNTESTABLE and math.isnan(res.p_value)
    assert "niet te toetsen" in res.interpretation


def test_multi_per_option(cb, df):
    t = size_class_table(df, cb, "instruments")
    assert t.meta["bases"] == {MERGED_LARGE: 10, "Middelgroot/klein": 18}
    assert t.data.loc["Taalcursus", MERGED_LARGE] == 70.0
    assert t.data.loc["Taalcursus", "Middelgroot/klein"] == pytest.approx(100 * 14 / 18)
    assert set(t.meta["tests"]) == set(t.data.index)
    assert t.meta["overall_test"] is None  # options of a multi question are tested one by one


def test_single_by_nets(cb, df):
    t = size_class_table(df, cb, "integrated_approach", nets=True)
    assert list(t.data.index) == ["(Helemaal) oneens", "Neutraal", "(Helemaal) eens"]
    assert t.data.loc["(Helemaal) eens", MERGED_LARGE] == 70.0  # R01,R02,R03,R05,R07,R09,R10(M10)
    assert t.data.loc["(Helemaal) eens", "Middelgroot/klein"] == 50.0


def test_small_group_and_secondary_suppression(cb, df):
    few_small = df[(df["grootteklasse"] != "Middelgroot/klein") | df["gemeentecode"].isin(["GM9019", "GM9020"])]
    t = size_class_table(few_small, cb, "additional_policy")
    assert t.meta["bases"] == {MERGED_LARGE: 10, "Middelgroot/klein": 2}
    # the small group is suppressed; the large one too, or it could be derived from the total
    assert set(t.meta["suppressed"]) == {"Middelgroot/klein", MERGED_LARGE}
    assert t.data[[MERGED_LARGE, "Middelgroot/klein"]].isna().all().all()
    assert "–" in t.to_markdown()
    assert "af te leiden uit het totaal" in t.footnote
    assert not t.indicators["category"].str.startswith(("Middelgroot", "Grote")).any()


def test_no_merge_when_every_group_is_large_enough(cb, df):
    relabelled = df.copy()
    relabelled["grootteklasse"] = pd.Categorical(
        ["G40"] * 10 + ["Middelgroot/klein"] * 20, categories=["G4", "G40", "Middelgroot/klein"], ordered=True
    )
    t = size_class_table(relabelled, cb, "additional_policy")
    assert not t.meta["merged"]
    assert list(t.data.columns) == ["G40", "Middelgroot/klein", "Totaal", "p"]


def test_respondent_level(cb, df):
    t = size_class_table(df, cb, "additional_policy", level="respondent")
    # 23 answering respondents; R10 (one G40 and two small municipalities) counts as G40
    assert t.n == 23
    assert t.meta["bases"] == {MERGED_LARGE: 10, "Middelgroot/klein": 13}
    assert t.data.loc["Ja", "Middelgroot/klein"] == pytest.approx(100 * 5 / 13)
    assert "respondentniveau" in t.footnote
    assert t.base.startswith("alle respondenten")


def test_cluster_permutation(cb, df):
    t = size_class_table(df, cb, "additional_policy", level="cluster", n_resamples=999)
    tests = t.meta["tests"]
    assert {x.method for x in tests.values()} == {CLUSTER}
    assert tests["In ontwikkeling"].p_value == 1.0
    assert 0.02 < tests["Ja"].p_value < 0.3
    # identical answers within a respondent: permuting respondents keeps the clusters intact
    same = cluster_permutation_test([0, 0, 1, 1], [1, 1, 0, 0], ["a", "a", "b", "b"], n_resamples=99)
    assert same.p_value == pytest.approx(1.0)  # two clusters: every permutation is as extreme
    with pytest.raises(ValueError):
        size_class_table(df, cb, "additional_policy", level="provincie")


def test_independence_test_is_a_frozen_dataclass():
    res = IndependenceTest(1.0, 1, 0.5, CHI2, "municipality", 10, 6.0)
    with pytest.raises(AttributeError):
        res.p_value = 0.1  # type: ignore[misc]


def test_multi_rows_follow_the_main_table_order(df):
    raw = copy.deepcopy(CODEBOOK)
    q = next(x for x in raw["questions"] if x["id"] == "instruments")
    q["options"] = [q["options"][i] for i in (2, 0, 1, 3, 4)]  # Jobcoach first in the codebook
    cb = Codebook.model_validate(raw)
    t = size_class_table(df, cb, "instruments")
    assert list(t.data.index) == list(multi_answer_table(df, cb, "instruments").data.index)
    assert list(t.data.index)[:3] == ["Taalcursus", "Werkervaringsplek", "Jobcoach"]
    assert size_class_table(df, cb, "instruments", sort=False).data.index[0] == "Jobcoach"
