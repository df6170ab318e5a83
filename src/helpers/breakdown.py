"""Shares by size class (G4, G40, middelgroot/klein) with disclosure control and a test.

Disclosure control (CONVENTIONS §4: no share on fewer than 5 municipalities):

1. When any size class has a base below ``MIN_BASE``, G4 and G40 are merged into
   "Grote gemeenten (G4/G40)" — there are only four G4 municipalities, so G4 is never
   shown on its own.
2. A group that still has a base below ``MIN_BASE`` is suppressed ("–").
3. Secondary suppression: the question's total is always published (main table and
   "Totaal" column), so a single suppressed group could be derived by subtraction; the
   smallest remaining group is then suppressed too.

Test of independence (size class × answer), per row (category yes/no) and, for single
questions, over all categories; the statistic is always Pearson's X² (no continuity
correction), the p-value comes from:

* 2×2 with an expected count below 5: Fisher's exact test;
* larger tables with an expected count below 5: a Monte-Carlo test (random tables with
  the observed margins, ``scipy.stats.chi2_contingency(method=MonteCarloMethod)``,
  9,999 draws, fixed seed);
* otherwise the chi-square distribution.

Unit of analysis: like the report, the default tests municipalities. Municipalities that
share a respondent carry identical answers and are not independent, which makes
municipality-level p-values too small. ``level="respondent"`` tests one row per
respondent (grouped by the largest size class it answered for); ``level="cluster"`` keeps
the municipality-level statistic but permutes answers between respondents (a cluster
permutation test), which respects the dependence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as st

from helpers.codebook import Codebook, Question
from helpers.formatting import fmt_number
from helpers.frequencies import answered_mask
from helpers.tables import (
    MIN_BASE,
    SIZE_CLASSES,
    SUPPRESSED,
    Table,
    collapsed_categories,
    describe_base,
    multi_order,
)

Level = Literal["municipality", "respondent", "cluster"]
MERGED_LARGE = "Grote gemeenten (G4/G40)"
TOTAL = "Totaal"
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
    groups: Sequence[int],
    outcomes: Sequence[int],
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


# --- the breakdown table ------------------------------------------------------------


def _outcomes(df: pd.DataFrame, q: Question, nets: bool) -> tuple[pd.DataFrame, pd.Series | None]:
    """Boolean indicator per category (rows = answering units) and, for single, the category label."""
    if q.type == "single":
        labels = df[q.id].astype("string")
        if nets and q.nets:
            to_net = {q.option(c).label: net.label for net in q.nets for c in net.codes}
            labels = labels.map(lambda x: to_net.get(x, x)).astype("string")
            cats = collapsed_categories(q)
        else:
            cats = [o.label for o in q.options]
        ind = pd.DataFrame({c: (labels == c).fillna(False).astype(bool) for c in cats}, index=df.index)
        return ind, pd.Categorical(labels, categories=cats)
    if q.type == "multi":
        cols = {o.label: df[f"{q.id}__{o.code}"].fillna(False).astype(bool) for o in q.options}
        for net in q.nets:
            cols[net.label] = df[[f"{q.id}__{c}" for c in net.codes]].fillna(False).astype(bool).any(axis=1)
        return pd.DataFrame(cols, index=df.index), None
    raise ValueError(f"{q.id} is a {q.type} question; a size-class breakdown needs single or multi")


def _respondent_level(df: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent, grouped by the largest size class it answered for."""
    order = {c: i for i, c in enumerate(SIZE_CLASSES)}
    rank = df["grootteklasse"].astype(str).map(order)
    best = rank.groupby(df["respondent_id"]).transform("min")
    first = df[rank == best].drop_duplicates("respondent_id")
    return first


def size_groups(classes: pd.Series, min_base: int) -> tuple[pd.Series, list[str], bool]:
    """Size-class labels per row, their display order, and whether G4 was merged with G40 (disclosure)."""
    cls = classes.astype(str)
    bases = cls.value_counts()
    present = [c for c in SIZE_CLASSES if bases.get(c, 0) > 0]
    merged = any(bases.get(c, 0) < min_base for c in present)
    if merged:
        cls = cls.replace({"G4": MERGED_LARGE, "G40": MERGED_LARGE})
        order = [MERGED_LARGE, *[c for c in SIZE_CLASSES[2:] if c in present]]
        order = [c for c in order if (cls == c).any()]
    else:
        order = present
    return cls, order, merged


def size_class_table(
    df: pd.DataFrame,
    cb: Codebook,
    qid: str,
    categories: Sequence[str] | None = None,
    *,
    nets: bool = False,
    sort: bool = True,
    level: Level = "municipality",
    min_base: int = MIN_BASE,
    alpha: float = ALPHA,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
) -> Table:
    """Shares per size class for a single (options or nets) or multi (per option) question.

    Multi rows are ordered like ``multi_answer_table`` (by total share, "anders" and
    exclusive options last) unless ``sort=False``.

    Rows = categories, columns = groups, "Totaal" and the p-value of that row's test
    (category yes/no × group). Indicators: ``category`` = ``"<group>: <category>"``
    (``pct``, ``n`` = the group's base; group "Totaal" for the total) and the p-values as
    stat ``p`` with ``category`` = the row (``""`` for the overall test of a single question).
    """
    q = cb.question(qid)
    if level not in ("municipality", "respondent", "cluster"):
        raise ValueError(f"unknown level {level!r}")
    answered = df.loc[answered_mask(df, q)]
    units = _respondent_level(answered) if level == "respondent" else answered
    ind, labels = _outcomes(units, q, nets)
    if categories is not None:
        cats = list(categories)
    elif q.type == "multi" and sort:
        cats = multi_order(q, lambda label: float(ind[label].mean()) if len(ind) else 0.0)
    else:
        cats = list(ind.columns)
    missing = set(cats) - set(ind.columns)
    if missing:
        raise KeyError(f"{qid} has no categories {sorted(missing)}")
    group, order, merged = size_groups(units["grootteklasse"], min_base)
    bases = {g: int((group == g).sum()) for g in order}
    suppressed = [g for g in order if bases[g] < min_base]
    secondary = False
    shown = [g for g in order if g not in suppressed]
    if len(suppressed) == 1 and shown:
        smallest = min(shown, key=lambda g: (bases[g], order.index(g)))
        suppressed.append(smallest)
        secondary = True
    n_total = len(units)
    data = pd.DataFrame(index=pd.Index(cats, name="Antwoord"))
    rows: list[tuple[str, str, float, int | None]] = []
    for g in order:
        in_g = (group == g).to_numpy()
        vals = [math.nan if g in suppressed else 100.0 * ind.loc[in_g, c].sum() / bases[g] for c in cats]
        data[g] = vals
        rows += [(f"{g}: {c}", "pct", v, bases[g]) for c, v in zip(cats, vals, strict=True)]
    total_vals = [100.0 * ind[c].sum() / n_total if n_total else math.nan for c in cats]
    data[TOTAL] = total_vals
    rows += [(f"{TOTAL}: {c}", "pct", v, n_total) for c, v in zip(cats, total_vals, strict=True)]

    gcode = pd.Categorical(group, categories=order).codes
    tests: dict[str, IndependenceTest] = {}
    for c in cats:
        yes = ind[c].to_numpy().astype(int)
        tests[c] = _run_test(gcode, yes, units, level, alpha, n_resamples, seed)
    data["p"] = [tests[c].p_value for c in cats]
    rows += [(c, "p", tests[c].p_value, n_total) for c in cats]
    overall = None
    if labels is not None and categories is None:
        codes = np.asarray(pd.Categorical(labels).codes)
        overall = _run_test(gcode, codes, units, level, alpha, n_resamples, seed)
        rows.append(("", "p", overall.p_value, n_total))

    unit = "respondenten" if level == "respondent" else "gemeenten"
    notes = []
    if merged:
        notes.append(f"G4 en G40 samengenomen: een grootteklasse telt minder dan {min_base} {unit}.")
    if suppressed:
        why = " of af te leiden uit het totaal" if secondary else ""
        notes.append(f"{SUPPRESSED} = niet getoond: minder dan {min_base} {unit}{why}.")
    methods = sorted({t.method for t in tests.values()} | ({overall.method} if overall else set()))
    notes.append("p: toets op samenhang met grootteklasse per antwoord (" + ", ".join(methods) + ").")
    if overall is not None:
        text = overall.interpretation
        notes.append(f"Over alle antwoorden samen: {text[0].lower()}{text[1:]}")
    notes.append(_LEVEL_NOTE[level])
    headers = {g: f"{g} (n={bases[g]})" for g in order} | {TOTAL: f"{TOTAL} (n={n_total})"}
    title = f"Naar grootteklasse: {q.text}"
    return Table(
        data=data,
        question=qid,
        title=title,
        n=n_total,
        base=describe_base(cb, q).replace("gemeenten", unit, 1),
        kind="breakdown",
        stat="pct",
        report_ref="",
        footnote=" ".join(notes),
        formats={g: "pct" for g in [*order, TOTAL]} | {"p": "p"},
        headers=headers,
        indicators=pd.DataFrame(
            [r for r in rows if not (isinstance(r[2], float) and math.isnan(r[2]))],
            columns=["category", "stat", "value", "n"],
        ),
        meta={
            "groups": order,
            "bases": bases,
            "suppressed": suppressed,
            "merged": merged,
            "tests": tests,
            "overall_test": overall,
            "level": level,
        },
    )


_LEVEL_NOTE = {
    "municipality": "Getoetst op gemeenteniveau; gemeenten met één gezamenlijke respondent tellen apart "
    "en zijn niet onafhankelijk, waardoor p-waarden te klein kunnen uitvallen.",
    "respondent": "Getoetst op respondentniveau: één antwoord per respondent, ingedeeld naar de grootste "
    "grootteklasse waarvoor de respondent antwoordde.",
    "cluster": "Getoetst op gemeenteniveau met permutatie van antwoorden tussen respondenten "
    "(houdt rekening met gemeenten die één respondent delen).",
}


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
