"""Group numbers of the feedback reports (helpers.analysis.feedback_numbers) on the small fixture.

Fixture (analysis_fixtures): 30 municipalities, 4 G4 + 6 G40 + 20 middelgroot/klein; R10 answers for
GM9010 (G40), GM9011 and GM9012 (small); R11 for four small municipalities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_respondents

from helpers.analysis.feedback_numbers import (
    GroupNumbers,
    compare_all,
    compare_question,
    group_of,
    largest_class,
    respondent_units,
    visible,
)
from helpers.analysis.size_classes import hidden_groups
from helpers.survey.vocabulary import MERGED_LARGE, TOTAL

SMALL = "Middelgroot/klein"


@pytest.fixture(scope="module")
def numbers(cb, df):
    return compare_all(cb, df, make_respondents())


def test_every_compared_question_and_no_text_or_selection(numbers):
    assert sorted(numbers) == sorted(
        ["additional_policy", "policy_other_groups", "integrated_approach", "instruments", "top_measures",
         "route_share", "n_statushouders"]
    )  # fmt: skip


def test_g4_is_merged_with_g40_because_it_has_four_municipalities(numbers):
    q = numbers["additional_policy"]
    assert q.merged and q.groups == [MERGED_LARGE, SMALL]
    assert group_of("G4", q) == MERGED_LARGE and group_of("G40", q) == MERGED_LARGE and group_of(SMALL, q) == SMALL


def test_shares_by_hand(numbers):
    # additional_policy: R24 (GM9030) skipped -> 29 answered; "Ja": R01-R07, R10 (3), R12 (2), R13-R16 = 16
    ja = numbers["additional_policy"].row("Ja", "option").groups
    assert ja[TOTAL].n == 29 and ja[TOTAL].values["pct"] == pytest.approx(100 * 16 / 29)
    # large: GM9001-GM9010 (10), "Ja" for all but R08 (Nee) and R09 (In ontwikkeling) = 8
    assert ja[MERGED_LARGE].n == 10 and ja[MERGED_LARGE].values["pct"] == pytest.approx(80.0)
    assert ja[SMALL].n == 19 and ja[SMALL].values["pct"] == pytest.approx(100 * 8 / 19)
    assert ja[MERGED_LARGE].units == frozenset(f"GM90{i:02d}" for i in range(1, 11))


def test_nets_and_mean_number_of_ticks(numbers, df):
    eens = numbers["integrated_approach"].row("(Helemaal) eens", "net").groups[TOTAL]
    labels = df["integrated_approach"].astype(str)
    assert eens.values["pct"] == pytest.approx(100 * labels.isin(["Eens", "Helemaal eens"]).mean())
    ticks = numbers["instruments"].row("", "answers").groups[TOTAL]
    answered = df[df["instruments__status"] == "beantwoord"]
    cols = [f"instruments__{c}" for c in range(1, 6)]
    assert ticks.values["answers_mean"] == pytest.approx(answered[cols].astype(bool).sum(axis=1).mean())


def test_estimates_give_median_and_quartiles_per_item_and_net(numbers, df):
    q = numbers["route_share"]
    answered = df[df["route_share__status"] == "beantwoord"]
    direct = answered["route_share__1"].astype(float)
    got = q.row("Directe bemiddeling", "item").groups[TOTAL]
    assert got.n == len(direct)
    assert [got.values[k] for k in ("q1", "median", "q3")] == pytest.approx(np.percentile(direct, [25, 50, 75]))
    net = q.row("Bemiddeld", "net").groups[TOTAL]
    total = answered["route_share__1"].astype(float) + answered["route_share__2"].astype(float)
    assert net.values["median"] == pytest.approx(float(np.median(total)))


def test_largest_class_per_respondent(df):
    classes = largest_class(df)
    assert classes["R10"] == "G40" and classes["R11"] == SMALL and classes["R01"] == "G4"
    units = respondent_units(make_respondents(), df)
    assert units.set_index("respondent_id").loc["R10", "grootteklasse"] == "G40"


def test_insider_rule_counts_only_other_units():
    six = GroupNumbers("G", frozenset({"a", "b", "c", "d", "e", "f"}), {"pct": 50.0}, True)
    assert visible(six, {"a"})  # five others
    assert not visible(six, {"a", "b"})  # four others: the respondent could subtract its own answers
    assert visible(six, {"x", "y"})  # own units outside the base do not count
    assert not visible(GroupNumbers("G", six.units, {"pct": 50.0}, False), set())  # the report hides it


def test_report_rule_hides_a_small_group_and_the_one_it_could_be_derived_from(cb):
    # 7 G40 + 3 small answer: a class below 5 merges G4 with G40 (as the report does); small (3) is hidden,
    # and the large group too (it is the total minus small); the total is shown
    units = pd.DataFrame(
        {
            "gemeentecode": [f"GM{i:04d}" for i in range(10)],
            "grootteklasse": ["G40"] * 7 + [SMALL] * 3,
            "additional_policy": pd.Categorical(["Ja"] * 5 + ["Nee"] * 5, categories=["Ja", "Nee", "In ontwikkeling"]),
            "additional_policy__status": ["beantwoord"] * 10,
        }
    )
    q = compare_question(cb.question("additional_policy"), units, "gemeentecode")
    assert q.merged and q.groups == [MERGED_LARGE, SMALL]
    groups = q.row("Ja", "option").groups
    assert not groups[MERGED_LARGE].reported and not groups[SMALL].reported and groups[TOTAL].reported
    assert hidden_groups({"G40": 7, SMALL: 3}, ["G40", SMALL], 5) == ([SMALL, "G40"], True)
    assert hidden_groups({"G40": 7, SMALL: 6}, ["G40", SMALL], 5) == ([], False)


def test_a_total_below_five_is_not_reported(cb):
    units = pd.DataFrame(
        {
            "gemeentecode": ["GM0001", "GM0002", "GM0003"],
            "grootteklasse": [SMALL] * 3,
            "additional_policy": pd.Categorical(["Ja", "Nee", "Ja"], categories=["Ja", "Nee", "In ontwikkeling"]),
            "additional_policy__status": ["beantwoord"] * 3,
        }
    )
    q = compare_question(cb.question("additional_policy"), units, "gemeentecode")
    assert not q.row("Ja", "option").groups[TOTAL].reported
