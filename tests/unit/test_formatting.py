import math

import pytest

from helpers.survey.formatting import fmt_n, fmt_number, fmt_pct, round_half_up


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(2.5, 0, 3), (3.5, 0, 4), (-2.5, 0, -3), (9.35, 1, 9.4), (0.125, 2, 0.13), (59.929, 0, 60), (44.5, 0, 45)],
)
def test_round_half_up(value, decimals, expected):
    assert round_half_up(value, decimals) == expected


def test_round_half_up_nan():
    assert math.isnan(round_half_up(float("nan")))


def test_dutch_formatting():
    assert fmt_pct(59.93) == "60%"
    assert fmt_pct(12.45, 1) == "12,5%"
    assert fmt_number(9.3478, 1) == "9,3"
    assert fmt_number(17181084, 0) == "17.181.084"
    assert fmt_n(282) == "n=282"
    assert fmt_pct(float("nan")) == "–"
