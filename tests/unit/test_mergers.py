"""A 2018-keyed municipality table on the 2019 codes (mergers, and Winsum split by population share)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.load.mergers import COVERAGE, to_new_codes
from helpers.paths import REFERENCE_DIR
from helpers.survey.frame import read_frame, read_merger_table

#: A small merger table in the shape of herindelingen_2019.csv (after read_merger_table).
MERGERS = pd.DataFrame(
    [
        ("GM0005", "GM1966", 1.0),  # Bedum -> Het Hogeland
        ("GM1651", "GM1966", 1.0),  # Eemsmond -> Het Hogeland
        ("GM0053", "GM1966", 0.883),  # Winsum, split
        ("GM0053", "GM1969", 0.117),
        ("GM0056", "GM1969", 1.0),  # Zuidhorn -> Westerkwartier
        ("GM0363", "GM0363", 1.0),  # Amsterdam, unchanged
    ],
    columns=["code_old", "code_new", "aandeel"],
)
POPULATION = pd.Series({"GM0005": 10_000, "GM1651": 16_000, "GM0053": 14_000, "GM0056": 19_000, "GM0363": 850_000})


def test_population_weighted_mean_with_the_split_municipality():
    table = pd.DataFrame({"gemeentecode": ["GM0005", "GM0053", "GM0056", "GM0363"], "ja": [1.0, 0.0, 1.0, 1.0]})
    out = to_new_codes(table, MERGERS, POPULATION).set_index("gemeentecode")
    assert out.index.tolist() == ["GM0363", "GM1966", "GM1969"]
    w_bedum, w_winsum_h = 10_000, 14_000 * 0.883
    assert out.loc["GM1966", "ja"] == pytest.approx(w_bedum / (w_bedum + w_winsum_h))
    w_winsum_w, w_zuidhorn = 14_000 * 0.117, 19_000
    assert out.loc["GM1969", "ja"] == pytest.approx(w_zuidhorn / (w_zuidhorn + w_winsum_w))
    assert out.loc["GM0363", "ja"] == 1.0
    # Eemsmond did not answer: Het Hogeland is covered by Bedum and 88.3% of Winsum only
    assert out.loc["GM1966", COVERAGE] == pytest.approx((10_000 + 14_000 * 0.883) / (10_000 + 16_000 + 14_000 * 0.883))
    assert out.loc["GM1969", COVERAGE] == pytest.approx(1.0)


def test_sum_splits_counts_by_share_and_missing_values_are_skipped():
    table = pd.DataFrame({"gemeentecode": ["GM0053", "GM0056", "GM0005"], "jobs": [10.0, 3.0, None]})
    out = to_new_codes(table, MERGERS, POPULATION, ["jobs"], how="sum").set_index("gemeentecode")
    assert out.loc["GM1966", "jobs"] == pytest.approx(8.83)
    assert out.loc["GM1969", "jobs"] == pytest.approx(1.17 + 3.0)
    mean = to_new_codes(table, MERGERS, POPULATION, ["jobs"]).set_index("gemeentecode")
    assert mean.loc["GM1966", "jobs"] == pytest.approx(10.0)  # Bedum has no value


def test_unknown_codes_are_refused():
    with pytest.raises(KeyError, match="GM9999"):
        to_new_codes(pd.DataFrame({"gemeentecode": ["GM9999"], "x": [1.0]}), MERGERS, POPULATION)


def test_the_real_2018_frame_maps_onto_the_2019_frame():
    mergers = read_merger_table(REFERENCE_DIR / "herindelingen_2019.csv")
    f18 = read_frame(REFERENCE_DIR / "gemeenten_2018.csv")
    f19 = read_frame(REFERENCE_DIR / "gemeenten_2019.csv")
    table = pd.DataFrame({"gemeentecode": f18["gemeentecode"].astype(str), "inwoners": f18["inwoners"].astype(float)})
    population = f18.set_index("gemeentecode")["inwoners"]
    out = to_new_codes(table, mergers, population, how="sum")
    assert sorted(out["gemeentecode"]) == sorted(f19["gemeentecode"].astype(str))
    assert out["inwoners"].sum() == pytest.approx(f18["inwoners"].sum())
    assert out[COVERAGE].to_numpy() == pytest.approx(1.0)
