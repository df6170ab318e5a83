import math

import pandas as pd
import pytest

from helpers.analysis.intervals import fpc_factor, indicator_cis, mean_ci, share_ci, share_se

Z95 = 1.959963984540054


def test_fpc_is_a_multiplicative_factor_on_the_variance():
    # samplics convention: fpc = 1 - n/N (not R survey's N); 282 of 380 -> 98/380
    assert fpc_factor(282, 380) == pytest.approx(98 / 380)
    assert fpc_factor(282, None) == 1.0
    assert fpc_factor(380, 380) == 0.0
    with pytest.raises(ValueError):
        fpc_factor(400, 380)


def test_share_se_with_fpc_by_hand():
    # SE = sqrt(p(1-p)/(n-1) * (1 - n/N)) = sqrt(0.24/281 * 98/380)
    assert share_se(0.6, 282, 380) == pytest.approx(0.0148413600, abs=1e-9)
    # with-replacement form sqrt(p(1-p)/n) is twice as large: the fpc matters at 74% response
    assert math.sqrt(0.6 * 0.4 / 282) == pytest.approx(0.0291729983, abs=1e-9)
    assert share_se(0.6, 282) == pytest.approx(math.sqrt(0.24 / 281))


def test_wald_with_fpc():
    ci = share_ci(0.6, 282, 380, method="wald")
    assert ci.lower == pytest.approx(0.6 - Z95 * 0.01484136, abs=1e-7)
    assert ci.lower == pytest.approx(0.5709115, abs=1e-7)
    assert ci.upper == pytest.approx(0.6290885, abs=1e-7)
    assert ci.method == "wald"


def test_wilson_with_fpc_uses_effective_n():
    # n_eff = n / fpc = 282 * 380 / 98 = 1093.47
    n_eff = 282 * 380 / 98
    centre = (0.6 + Z95**2 / (2 * n_eff)) / (1 + Z95**2 / n_eff)
    half = Z95 / (1 + Z95**2 / n_eff) * math.sqrt(0.24 / n_eff + Z95**2 / (4 * n_eff**2))
    ci = share_ci(0.6, 282, 380)  # default: wilson
    assert ci.method == "wilson"
    assert (ci.lower, ci.upper) == pytest.approx((centre - half, centre + half))
    assert (ci.lower, ci.upper) == pytest.approx((0.5706618, 0.6286381), abs=1e-7)
    no_fpc = share_ci(0.6, 282)
    assert (no_fpc.lower, no_fpc.upper) == pytest.approx((0.5418477, 0.6554645), abs=1e-7)


def test_share_ci_edges():
    census = share_ci(0.25, 40, 40)
    assert census.lower == census.upper == 0.25
    zero = share_ci(0.0, 100, 380)
    assert zero.lower == 0.0 and zero.upper > 0.0
    assert share_ci(0.0, 100, 380, method="wald").upper == 0.0
    with pytest.raises(ValueError):
        share_ci(60, 100)


def test_mean_ci_with_fpc_by_hand():
    # s = 12.9099, se = s/sqrt(4) * sqrt(1 - 4/10) = 5.0; t(0.975, 3) = 3.182446
    ci = mean_ci([10, 20, 30, 40], population=10)
    assert ci.estimate == 25
    assert ci.se == pytest.approx(5.0)
    assert (ci.lower, ci.upper) == pytest.approx((25 - 3.1824463 * 5, 25 + 3.1824463 * 5), abs=1e-6)
    clipped = mean_ci([0, 0, 1, 90], bounds=(0, 100))
    assert clipped.lower == 0


def test_indicator_cis_on_question_indicators_output():
    ind = pd.DataFrame(
        {"category": ["Ja", "Ja", ""], "stat": ["count", "pct", "answers_mean"], "value": [169.2, 60.0, 2.0], "n": 282}
    )
    out = indicator_cis(ind, 380)
    assert math.isnan(out.loc[0, "lower"]) and math.isnan(out.loc[2, "lower"])
    assert out.loc[1, "lower"] == pytest.approx(57.06618, abs=1e-4)
    assert out.loc[1, "se"] == pytest.approx(1.48413600, abs=1e-6)
