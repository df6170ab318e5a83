"""Confidence intervals for shares and means with the finite population correction.

The monitor is not a sample in the usual sense: 282 of the 380 municipalities
answered (2018), so the sampling fraction ``f = n/N`` is large and intervals
computed as if the population were infinite are far too wide.

Conventions (state them in the report's method section):

* ``fpc = 1 - n/N`` is a **multiplicative factor on the variance** (the samplics
  convention; R's ``survey::svydesign(fpc=)`` instead takes ``N`` or ``n/N``).
* Wald: ``SE = sqrt(p(1-p)/(n-1) * fpc)``, the unbiased variance estimator of a
  share under simple random sampling without replacement (Cochran 1977, 3.3);
  ``p = 0.6, n = 282, N = 380`` gives ``SE = 0.01484`` versus ``0.02917`` for the
  with-replacement form ``sqrt(p(1-p)/n)``.
* Wilson: the score interval with the effective sample size ``n_eff = n / fpc``
  (Kish), so the correction also carries over to shares near 0% or 100%, where
  Wald intervals collapse or leave [0, 1]. The two differ by the factor
  ``sqrt(n/(n-1))`` in the variance (< 0.2% at n = 282).
* **Default: Wilson with fpc**, 95%. With ``n == N`` (a census) the interval is
  the point itself.

These intervals treat the responding municipalities as a simple random sample of
all municipalities; non-response is not random (see the breakdown by size class)
and municipalities sharing one respondent are not independent, so the intervals
describe sampling error only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

Method = Literal["wilson", "wald"]
DEFAULT_METHOD: Method = "wilson"
DEFAULT_LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate with standard error and confidence bounds (same scale as the estimate)."""

    estimate: float
    se: float
    lower: float
    upper: float
    n: int
    method: str
    level: float


def fpc_factor(n: int, population: int | None) -> float:
    """The finite population correction ``1 - n/N`` (1.0 when ``population`` is None)."""
    if population is None:
        return 1.0
    if population <= 0 or n > population:
        raise ValueError(f"sample size n={n} does not fit a population of N={population}")
    return 1.0 - n / population


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)  # the standard library's: no scipy import for a quantile


def share_se(p: float, n: int, population: int | None = None) -> float:
    """Standard error of a share ``p`` (0–1): ``sqrt(p(1-p)/(n-1) * (1 - n/N))``."""
    if n < 2:
        return math.nan
    return math.sqrt(p * (1 - p) / (n - 1) * fpc_factor(n, population))


def share_ci(
    p: float,
    n: int,
    population: int | None = None,
    *,
    level: float = DEFAULT_LEVEL,
    method: Method = DEFAULT_METHOD,
) -> Interval:
    """Confidence interval for a share ``p`` (0–1) on base ``n`` out of ``population`` units."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"share must be between 0 and 1, got {p}")
    se = share_se(p, n, population)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0, method, level)
    z = _z(level)
    fpc = fpc_factor(n, population)
    if method == "wald":
        half = z * se if not math.isnan(se) else math.nan
        lo, hi = max(0.0, p - half), min(1.0, p + half)
    elif method == "wilson":
        if fpc == 0.0:
            lo = hi = p
        else:
            n_eff = n / fpc
            denom = 1 + z**2 / n_eff
            centre = (p + z**2 / (2 * n_eff)) / denom
            half = z / denom * math.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2))
            lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    else:
        raise ValueError(f"unknown interval method {method!r}")
    return Interval(p, se, lo, hi, n, method, level)
