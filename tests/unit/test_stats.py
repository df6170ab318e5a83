import math

import pytest

from helpers.analysis.intervals import fpc_factor, share_ci, share_se

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
