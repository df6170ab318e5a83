"""Direction words come from computed comparisons: editions, size classes, intervals; Dutch number words."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.analysis.comparisons import Z, mean_change, position, share_change, size_comparison
from helpers.analysis.intervals import share_ci, share_se
from helpers.report import phrases


@pytest.mark.parametrize(
    ("n", "word"),
    [(0, "nul"), (3, "drie"), (16, "zestien"), (20, "twintig"), (21, "eenentwintig"), (22, "tweeëntwintig"),
     (33, "drieëntwintig".replace("twintig", "dertig")), (99, "negenennegentig"), (100, "honderd"), (101, "101")],
)  # fmt: skip
def test_number_words(n, word):
    assert phrases.number_word(n) == word


def test_lower_first_keeps_abbreviations():
    assert phrases.lower_first("Werkervaringsplekken") == "werkervaringsplekken"
    assert phrases.lower_first("(Uitgebreide) intake") == "(uitgebreide) intake"
    assert phrases.lower_first("UWV") == "UWV"
    assert phrases.lower_first("SW-bedrijf/Sociaal Werkbedrijf") == "SW-bedrijf/Sociaal Werkbedrijf"


def test_join_list_and_quantities():
    assert phrases.join_list(["a"]) == "a" and phrases.join_list(["a", "b", "c"]) == "a, b en c"
    with pytest.raises(ValueError):
        phrases.join_list([])
    assert [phrases.quantity_words(v) for v in (100, 94, 60, 50.4, 49.6, 45, 20, 0.4)] == [
        "alle", "vrijwel alle", "de meeste", "de helft van de", "de helft van de",
        "iets minder dan de helft van de", "een minderheid van de", "geen van de",
    ]  # fmt: skip


def test_share_change_rule_equal_noise_and_real_changes():
    # equal rounded values are "gelijk", whatever the bases
    assert share_change((2017, 72.4, 200, 388), (2018, 71.6, 282, 380)).direction == "same"
    # a small difference within the margin is noise; the margin is Z standard errors of the difference
    ch = share_change((2017, 70.0, 280, 380), (2018, 72.0, 282, 380))
    se = math.hypot(share_se(0.70, 280, 380), share_se(0.72, 282, 380))
    assert ch.margin == pytest.approx(100 * Z * se) and ch.direction == "noise"
    assert share_change((2017, 72.0, 280, 380), (2018, 84.0, 282, 380)).direction == "up"
    down = share_change((2017, 50.0, None, None), (2018, 19.0, 282, 380))
    assert down.direction == "down" and down.assumed_base and down.n_before == 282
    assert phrases.change_phrase(down, lambda v, d=None: f"{v:.0f}%") == "daalde van 50% in 2017 naar 19% in 2018"
    flat = share_change((2017, 48.0, 282, 380), (2018, 48.4, 282, 380))
    assert phrases.change_phrase(flat, lambda v, d=None: f"{v:.0f}%") == "bleef gelijk (48% in 2017 en in 2018)"
    assert phrases.change_verb(flat) == "bleef gelijk" and phrases.change_adverb(ch) == "ongeveer even vaak"


def test_mean_change_uses_the_spread():
    assert mean_change((2017, 8.0, 202), (2018, 13.0, 253), sd=10.0).direction == "up"
    assert mean_change((2017, 8.0, 202), (2018, 13.0, 253), sd=40.0).direction == "noise"


def test_size_comparison_follows_the_test(df, cb):
    q = cb.question("additional_policy")
    hit = df["additional_policy"] == "Ja"
    cmp = size_comparison(df, q, hit)
    rows = df[df["additional_policy__status"] == "beantwoord"]
    large = rows["grootteklasse"].astype(str).isin(["G4", "G40"])
    assert cmp.n_large == int(large.sum()) and cmp.n_small == int((~large).sum())
    assert cmp.large == pytest.approx(100 * (rows.loc[large, "additional_policy"] == "Ja").mean())
    assert cmp.direction == ("same" if not cmp.p_value < 0.05 else ("more" if cmp.large > cmp.small else "less"))
    with pytest.raises(ValueError, match="te weinig"):
        size_comparison(df.iloc[:6], q, hit.iloc[:6])


def test_group_words_say_when_a_difference_is_not_shown_by_the_test():
    from helpers.analysis.comparisons import GroupComparison

    same = GroupComparison(81.0, 70.0, 43, 239, 0.2, "x", "same")
    assert phrases.group_phrase(same) == "niet aantoonbaar vaker dan"
    assert phrases.group_phrase(GroupComparison(70.2, 69.8, 43, 239, 0.9, "x", "same")) == "even vaak als"
    assert phrases.group_phrase(GroupComparison(90.0, 50.0, 43, 239, 0.001, "x", "more")) == "vaker dan"
    assert phrases.group_mean_phrase(GroupComparison(10.0, 20.0, 43, 239, 0.001, "x", "less")) == "lager dan"


def test_position_against_an_interval():
    iv = share_ci(0.41, 279, 380)
    assert [position(v, iv) for v in (0.15, 0.41, 0.9)] == ["below", "inside", "above"]
    assert phrases.position_phrase("below") == "onder"


def test_nothing_in_the_phrases_is_a_placeholder():
    texts = [phrases.change_phrase(share_change((2017, a, 200, 380), (2018, b, 200, 380)), lambda v, d=None: str(v))
             for a, b in [(10, 10), (10, 11), (10, 40), (40, 10)]]  # fmt: skip
    assert all(t and "nan" not in t and "None" not in t and "–" not in t for t in texts)
    assert pd.Series(texts).is_unique
