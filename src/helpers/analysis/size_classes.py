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

import numpy as np
import pandas as pd

from helpers.analysis.frequencies import answered_mask
from helpers.analysis.question_tables import collapsed_categories, describe_base, multi_order
from helpers.analysis.significance import ALPHA, N_RESAMPLES, SEED, Level, _run_test
from helpers.analysis.table import Table, number_rows
from helpers.survey.codebook import Codebook, Question
from helpers.survey.vocabulary import MERGED_LARGE, MIN_BASE, SIZE_CLASSES, SUPPRESSED, TOTAL

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


def hidden_groups(bases: dict[str, int], order: list[str], min_base: int) -> tuple[list[str], bool]:
    """Groups not shown (base under ``min_base``) and whether one more was hidden (secondary suppression).

    The total is always published, so a single hidden group could be derived by subtraction: the
    smallest shown group is then hidden too. The one rule for every size-class view.
    """
    hidden = [g for g in order if bases[g] < min_base]
    shown = [g for g in order if g not in hidden]
    if len(hidden) == 1 and shown:
        hidden.append(min(shown, key=lambda g: (bases[g], order.index(g))))
        return hidden, True
    return hidden, False


def group_notes(merged: bool, hidden: bool, secondary: bool, min_base: int, unit: str = "gemeenten") -> list[str]:
    """Footnotes on merged and hidden groups, the same under every size-class view."""
    notes = []
    if merged:
        notes.append(f"G4 en G40 samengenomen: een grootteklasse telt minder dan {min_base} {unit}.")
    if hidden:
        why = " of af te leiden uit het totaal" if secondary else ""
        notes.append(f"{SUPPRESSED} = niet getoond: minder dan {min_base} {unit}{why}.")
    return notes


def _categories(q: Question, ind: pd.DataFrame, categories: Sequence[str] | None, sort: bool) -> list[str]:
    if categories is not None:
        cats = list(categories)
    elif q.type == "multi" and sort:
        cats = multi_order(q, lambda label: float(ind[label].mean()) if len(ind) else 0.0)
    else:
        cats = list(ind.columns)
    missing = set(cats) - set(ind.columns)
    if missing:
        raise KeyError(f"{q.id} has no categories {sorted(missing)}")
    return cats


def _shares(ind: pd.DataFrame, cats: list[str], group: pd.Series, order: list[str], hidden: list[str]):
    """Shares per group and in total: the display frame and its indicator rows."""
    bases = {g: int((group == g).sum()) for g in order}
    n_total = len(ind)
    data = pd.DataFrame(index=pd.Index(cats, name="Antwoord"))
    rows: list[tuple[str, str, float, int | None]] = []
    for g in order:
        in_g = (group == g).to_numpy()
        vals = [math.nan if g in hidden else 100.0 * ind.loc[in_g, c].sum() / bases[g] for c in cats]
        data[g] = vals
        rows += [(f"{g}: {c}", "pct", v, bases[g]) for c, v in zip(cats, vals, strict=True)]
    total_vals = [100.0 * ind[c].sum() / n_total if n_total else math.nan for c in cats]
    data[TOTAL] = total_vals
    rows += [(f"{TOTAL}: {c}", "pct", v, n_total) for c, v in zip(cats, total_vals, strict=True)]
    return data, rows


def size_class_table(
    df: pd.DataFrame,
    cb: Codebook,
    qid: str | Question,
    categories: Sequence[str] | None = None,
    *,
    nets: bool = False,
    sort: bool = True,
    level: Level | None = None,
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
    level = level if level is not None else q.level  # the codebook's unit of analysis unless a caller chooses
    if level not in ("municipality", "respondent", "cluster"):
        raise ValueError(f"unknown level {level!r}")
    answered = df.loc[answered_mask(df, q)]
    units = _respondent_level(answered) if level == "respondent" else answered
    ind, labels = _outcomes(units, q, nets)
    cats = _categories(q, ind, categories, sort)
    group, order, merged = size_groups(units["grootteklasse"], min_base)
    bases = {g: int((group == g).sum()) for g in order}
    hidden, secondary = hidden_groups(bases, order, min_base)
    data, rows = _shares(ind, cats, group, order, hidden)
    n_total = len(units)
    gcode = pd.Categorical(group, categories=order).codes
    tests = {c: _run_test(gcode, ind[c].to_numpy().astype(int), units, level, alpha, n_resamples, seed) for c in cats}
    data["p"] = [tests[c].p_value for c in cats]
    rows += [(c, "p", tests[c].p_value, n_total) for c in cats]
    overall = None
    if labels is not None and categories is None:
        codes = np.asarray(pd.Categorical(labels).codes)
        overall = _run_test(gcode, codes, units, level, alpha, n_resamples, seed)
        rows.append(("", "p", overall.p_value, n_total))
    unit = "respondenten" if level == "respondent" else "gemeenten"
    notes = group_notes(merged, bool(hidden), secondary, min_base, unit)
    methods = sorted({t.method for t in tests.values()} | ({overall.method} if overall else set()))
    notes.append("p: toets op samenhang met grootteklasse per antwoord (" + ", ".join(methods) + ").")
    if overall is not None:
        text = overall.interpretation
        notes.append(f"Over alle antwoorden samen: {text[0].lower()}{text[1:]}")
    notes.append(_LEVEL_NOTE[level])
    return Table(
        data=data,
        question=q.id,
        title=f"Naar grootteklasse: {q.text}",
        n=n_total,
        base=describe_base(cb, q).replace("gemeenten", unit, 1),
        kind="breakdown",
        stat="pct",
        report_ref="",
        footnote=" ".join(notes),
        formats={g: "pct" for g in [*order, TOTAL]} | {"p": "p"},
        headers={g: f"{g} (n={bases[g]})" for g in order} | {TOTAL: f"{TOTAL} (n={n_total})"},
        indicators=number_rows(rows),
        meta={
            "groups": order,
            "bases": bases,
            "suppressed": hidden,
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
