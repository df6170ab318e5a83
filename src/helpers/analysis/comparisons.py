"""Comparisons behind every direction word in the report: between editions, between size classes,
against an interval. Numbers and directions only; the Dutch words are in ``report.phrases``.

The noise rule (stated once, in the method appendix of notebook 00):

* **between editions** a share changed when the difference exceeds ``Z`` times the standard error of
  the difference, ``sqrt(se1² + se2²)``, each ``se`` with the finite population correction of its
  year (``analysis.intervals.share_se``). Where an earlier edition published no base, its base is
  taken equal to this year's. The difference judged is the one printed: of the two shares as rounded
  for print, against the margin rounded to ``MARGIN_DECIMALS``; so the printed interval (difference ±
  margin) holds zero exactly when the verdict is "nagenoeg gelijk". Equal rounded values are "gelijk";
* **between size classes** large (G4 and G40) and medium/small municipalities differ when the test
  of independence the size-class tables run (``analysis.significance.independence_test``) gives
  p < ``ALPHA``;
* **against an interval** a value lies inside, above or below the 95% interval of a share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from helpers.analysis.frequencies import answered_mask
from helpers.analysis.intervals import Interval, share_se
from helpers.analysis.significance import ALPHA, independence_test
from helpers.survey.codebook import Question
from helpers.survey.formatting import round_half_up
from helpers.survey.vocabulary import LARGE_CLASSES, MIN_BASE

#: Two-sided 95% normal quantile: the margin of "more than noise".
Z = 1.959963984540054
#: Decimals of a printed margin (percentage points): the verdict is judged on the margin as printed.
MARGIN_DECIMALS = 1
Direction = Literal["up", "down", "same", "noise"]
GroupDirection = Literal["more", "less", "same"]
Position = Literal["below", "inside", "above"]


@dataclass(frozen=True)
class EditionChange:
    """A share (0–100) or mean in two editions and whether it moved beyond noise."""

    year_before: int
    year_after: int
    before: float
    after: float
    n_before: int
    n_after: int
    margin: float
    direction: Direction
    assumed_base: bool
    #: Printed precision of the earlier value when it comes from a publication (None: computed).
    before_decimals: int | None = None
    #: Printed precision of this year's value.
    after_decimals: int = 0
    #: Whom both values are restricted to, in words ('' for everyone who answered), e.g. when routing changed.
    among: str = ""

    @property
    def difference(self) -> float:
        """The unrounded difference (for the CSV); what is printed is :attr:`shown_difference`."""
        return self.after - self.before

    @property
    def decimals(self) -> int:
        """Decimals of the printed difference: the finer of the two printed values."""
        return max(self.after_decimals, self.after_decimals if self.before_decimals is None else self.before_decimals)

    @property
    def shown_difference(self) -> float:
        """The difference of the two values as printed (rounded half up)."""
        return shown_difference_of(self.before, self.after, self.before_decimals, self.after_decimals)

    @property
    def shown_margin(self) -> float:
        return round_half_up(self.margin, MARGIN_DECIMALS)

    @property
    def shown_lower(self) -> float:
        """Lower bound of the printed interval: printed difference minus printed margin."""
        return round(self.shown_difference - self.shown_margin, max(self.decimals, MARGIN_DECIMALS))

    @property
    def shown_upper(self) -> float:
        return round(self.shown_difference + self.shown_margin, max(self.decimals, MARGIN_DECIMALS))


def shown_difference_of(before: float, after: float, before_decimals: int | None, after_decimals: int) -> float:
    d0 = after_decimals if before_decimals is None else before_decimals
    return round(round_half_up(after, after_decimals) - round_half_up(before, d0), max(d0, after_decimals))


def printed_direction(
    before: float, after: float, margin: float, decimals: int, before_decimals: int | None = None
) -> Direction:
    shown = shown_difference_of(before, after, before_decimals, decimals)
    if shown == 0:
        return "same"
    if abs(shown) <= round_half_up(margin, MARGIN_DECIMALS):
        return "noise"
    return "up" if shown > 0 else "down"


def share_change(
    before: tuple[int, float, int | None, int | None],
    after: tuple[int, float, int, int | None],
    *,
    decimals: int = 0,
    before_decimals: int | None = None,
) -> EditionChange:
    """Change of a share between editions; each side is ``(year, percent, n, population)``.

    ``decimals``/``before_decimals``: how the two shares are printed (a published value's precision).
    """
    (y0, p0, given_n0, given_pop0), (y1, p1, n1, pop1) = before, after
    assumed = given_n0 is None
    n0 = n1 if given_n0 is None else given_n0
    pop0 = pop1 if given_pop0 is None else given_pop0
    se0 = share_se(p0 / 100, n0, pop0 if pop0 is None or n0 <= pop0 else None)
    se1 = share_se(p1 / 100, n1, pop1)
    margin = 100 * Z * math.sqrt((0 if math.isnan(se0) else se0**2) + (0 if math.isnan(se1) else se1**2))
    direction = printed_direction(p0, p1, margin, decimals, before_decimals)
    return EditionChange(y0, y1, p0, p1, n0, n1, margin, direction, assumed, before_decimals, decimals)


def _mean_direction(before: float, after: float, margin: float, decimals: int) -> Direction:
    """A mean's direction: equal when equal rounded, otherwise the unrounded difference against the margin."""
    if round_half_up(before, decimals) == round_half_up(after, decimals):
        return "same"
    if abs(after - before) <= margin:
        return "noise"
    return "up" if after > before else "down"


def mean_change(
    before: tuple[int, float, int | None],
    after: tuple[int, float, int],
    sd: float,
    *,
    decimals: int = 0,
) -> EditionChange:
    """Change of a mean between editions (``(year, mean, n)``); both sides use this year's spread ``sd``."""
    (y0, m0, n0), (y1, m1, n1) = before, after
    assumed = n0 is None
    n0 = n1 if n0 is None else n0
    margin = Z * sd * math.sqrt(1 / max(n0, 1) + 1 / max(n1, 1))
    return EditionChange(y0, y1, m0, m1, n0, n1, margin, _mean_direction(m0, m1, margin, decimals), assumed)


@dataclass(frozen=True)
class GroupComparison:
    """Large (G4 + G40) against medium/small municipalities for one category of a question."""

    large: float
    small: float
    n_large: int
    n_small: int
    p_value: float
    method: str
    direction: GroupDirection


def size_comparison(df: pd.DataFrame, question: Question, hit: pd.Series) -> GroupComparison:
    """Compare the share of ``hit`` (True per answering row) between large and medium/small municipalities.

    Raises ValueError when a group has fewer than ``MIN_BASE`` municipalities (not shown, not compared).
    """
    rows = df.loc[answered_mask(df, question)]
    large = rows["grootteklasse"].astype(str).isin(LARGE_CLASSES).to_numpy()
    yes = hit.loc[rows.index].fillna(False).astype(bool).to_numpy()
    n_l, n_s = int(large.sum()), int((~large).sum())
    if min(n_l, n_s) < MIN_BASE:
        raise ValueError(f"{question.id}: te weinig gemeenten per groep ({n_l} groot, {n_s} klein) om te vergelijken")
    table = np.array(
        [[int((large & yes).sum()), int((large & ~yes).sum())], [int((~large & yes).sum()), int((~large & ~yes).sum())]]
    )
    test = independence_test(table)
    p_l, p_s = 100 * table[0, 0] / n_l, 100 * table[1, 0] / n_s
    significant = bool(test.p_value < ALPHA)  # an untestable table (p = nan) is no difference
    direction: GroupDirection = ("more" if p_l > p_s else "less") if significant else "same"
    return GroupComparison(p_l, p_s, n_l, n_s, test.p_value, test.method, direction)


def position(value: float, interval: Interval) -> Position:
    """Where ``value`` (same scale as the interval) lies relative to it."""
    if value < interval.lower:
        return "below"
    if value > interval.upper:
        return "above"
    return "inside"


def size_mean_comparison(df: pd.DataFrame, question: Question, values: pd.Series) -> GroupComparison:
    """Compare a mean (``values`` per answering row) between large and medium/small municipalities.

    Mann–Whitney U test (the two-group case of the Kruskal–Wallis test of the size-class tables).
    """
    from scipy.stats import mannwhitneyu

    rows = df.loc[answered_mask(df, question)]
    vals = values.loc[rows.index].astype(float)
    keep = vals.notna().to_numpy()
    large = rows["grootteklasse"].astype(str).isin(LARGE_CLASSES).to_numpy() & keep
    small = ~rows["grootteklasse"].astype(str).isin(LARGE_CLASSES).to_numpy() & keep
    a, b = vals.to_numpy()[large], vals.to_numpy()[small]
    if min(len(a), len(b)) < MIN_BASE:
        raise ValueError(
            f"{question.id}: te weinig gemeenten per groep ({len(a)} groot, {len(b)} klein) om te vergelijken"
        )
    p = (
        float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
        if (a.std() or b.std() or a.mean() != b.mean())
        else 1.0
    )
    significant = p < ALPHA
    direction: GroupDirection = ("more" if a.mean() > b.mean() else "less") if significant else "same"
    return GroupComparison(float(a.mean()), float(b.mean()), len(a), len(b), p, "Mann-Whitneytoets", direction)
