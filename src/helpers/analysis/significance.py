"""Tests of independence between size class and answer (chi-square, Fisher, Monte Carlo,
cluster permutation)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from helpers.survey.formatting import fmt_number

Level = Literal["municipality", "respondent", "cluster"]
ALPHA = 0.05
N_RESAMPLES = 9999
SEED = 20180410

CHI2 = "chi-kwadraattoets"
FISHER = "Fisher exact-toets"
MONTE_CARLO = "Monte-Carlotoets (chi-kwadraat)"
CLUSTER = "clusterpermutatietoets (respondenten)"
UNTESTABLE = "niet toetsbaar"


@dataclass(frozen=True)
class IndependenceTest:
    """Result of a test of independence between size class and answer."""

    statistic: float
    df: int | None
    p_value: float
    method: str
    level: str
    n: int
    min_expected: float
    alpha: float = ALPHA

    @property
    def significant(self) -> bool:
        return not math.isnan(self.p_value) and self.p_value < self.alpha

    @property
    def interpretation(self) -> str:
        """One Dutch sentence, e.g. 'Het verschil tussen de grootteklassen is statistisch significant (…)'."""
        if math.isnan(self.p_value):
            return "Het verschil tussen de grootteklassen is niet te toetsen."
        detail = f"{self.method}, {format_p(self.p_value)}"
        if self.significant:
            return f"Het verschil tussen de grootteklassen is statistisch significant ({detail})."
        return f"Er is geen statistisch significant verschil tussen de grootteklassen ({detail})."


def format_p(p: float) -> str:
    """Dutch p-value: ``p = 0,012`` or ``p < 0,001``."""
    return "p < 0,001" if p < 0.001 else f"p = {fmt_number(p, 3)}"


def _pearson(table: np.ndarray) -> tuple[float, np.ndarray]:
    from scipy import stats as st  # imported when a test is computed, not with the chapter

    expected = st.contingency.expected_freq(table)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (table - expected) ** 2 / expected, 0.0)
    return float(terms.sum()), expected


def _trim(table: np.ndarray) -> np.ndarray:
    table = table[table.sum(axis=1) > 0]
    return table[:, table.sum(axis=0) > 0]


def independence_test(
    counts: pd.DataFrame | np.ndarray,
    *,
    level: str = "municipality",
    alpha: float = ALPHA,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
) -> IndependenceTest:
    """Test a groups × outcomes count table; Fisher / Monte-Carlo when expected counts are below 5."""
    from scipy import stats as st  # imported when a test is computed, not with the chapter

    table = _trim(np.asarray(counts, dtype=float))
    n = int(table.sum())
    if table.shape[0] < 2 or table.shape[1] < 2:
        return IndependenceTest(math.nan, None, math.nan, UNTESTABLE, level, n, math.nan, alpha)
    stat, expected = _pearson(table)
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    min_exp = float(expected.min())
    if min_exp >= 5:
        p = float(st.chi2.sf(stat, dof))
        method = CHI2
    elif table.shape == (2, 2):
        p = float(st.fisher_exact(table.astype(int)).pvalue)
        method = FISHER
    else:
        mc = st.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
        p = float(st.chi2_contingency(table.astype(int), correction=False, method=mc).pvalue)
        method = MONTE_CARLO
    return IndependenceTest(stat, dof, min(1.0, p), method, level, n, min_exp, alpha)


def cluster_permutation_test(
    groups: Sequence[int] | np.ndarray,
    outcomes: Sequence[int] | np.ndarray,
    clusters: Sequence[object],
    *,
    alpha: float = ALPHA,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
) -> IndependenceTest:
    """Municipality-level X², p-value by permuting each respondent's answer between respondents.

    ``groups`` and ``outcomes`` are integer codes per municipality; ``clusters`` the
    respondent per municipality (its municipalities share one answer).
    """
    g = np.asarray(groups, dtype=int)
    o = np.asarray(outcomes, dtype=int)
    codes, cl = np.unique(np.asarray([str(c) for c in clusters]), return_inverse=True)
    n_g, n_o = int(g.max()) + 1, int(o.max()) + 1
    trimmed = _trim(np.bincount(g * n_o + o, minlength=n_g * n_o).reshape(n_g, n_o).astype(float))
    if min(trimmed.shape) < 2 or len(codes) < 2:
        return IndependenceTest(math.nan, None, math.nan, UNTESTABLE, "cluster", len(g), math.nan, alpha)
    observed, expected = _pearson(trimmed)
    answer = np.zeros(len(codes), dtype=int)
    answer[cl[::-1]] = o[::-1]  # one answer per respondent (its first municipality's; they are equal)
    rng = np.random.default_rng(seed)
    hits = 0
    cells = n_g * n_o
    for start in range(0, n_resamples, 1000):
        b = min(1000, n_resamples - start)
        perm = rng.permuted(np.tile(answer, (b, 1)), axis=1)[:, cl]
        idx = (np.arange(b)[:, None] * cells + g[None, :] * n_o + perm).ravel()
        hits += int(
            (_pearson_batch(np.bincount(idx, minlength=b * cells).reshape(b, n_g, n_o)) >= observed - 1e-9).sum()
        )
    p = (hits + 1) / (n_resamples + 1)
    dof = (trimmed.shape[0] - 1) * (trimmed.shape[1] - 1)
    return IndependenceTest(observed, dof, p, CLUSTER, "cluster", len(g), float(expected.min()), alpha)


def _pearson_batch(tables: np.ndarray) -> np.ndarray:
    """Pearson X² of a stack of tables (zero rows/columns contribute nothing)."""
    t = tables.astype(float)
    total = t.sum(axis=(1, 2), keepdims=True)
    expected = t.sum(axis=2, keepdims=True) * t.sum(axis=1, keepdims=True) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (t - expected) ** 2 / expected, 0.0)
    return terms.sum(axis=(1, 2))


def _run_test(
    gcode: np.ndarray, outcome: np.ndarray, units: pd.DataFrame, level: str, alpha: float, n_resamples: int, seed: int
) -> IndependenceTest:
    if level == "cluster":
        return cluster_permutation_test(
            gcode, outcome, units["respondent_id"].tolist(), alpha=alpha, n_resamples=n_resamples, seed=seed
        )
    n_g, n_o = int(gcode.max()) + 1, int(outcome.max()) + 1
    table = np.bincount(gcode * n_o + outcome, minlength=n_g * n_o).reshape(n_g, n_o)
    return independence_test(table, level=level, alpha=alpha, n_resamples=n_resamples, seed=seed)
