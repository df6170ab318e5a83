"""Views of percent and count questions that the 2018 report lacks.

* ``size_class_means``: the mean per item (and net) of a percent or count question by size
  class, with the same grouping and disclosure control as ``helpers.analysis.size_classes`` (G4 merged
  with G40 when a class has fewer than 5 municipalities; a mean on fewer than 5 is not
  shown, and when that leaves exactly one group hidden the smallest other group is hidden
  too, so the hidden mean cannot be derived from the total) and a Kruskal–Wallis test per row.
* ``percent_distribution``: how the estimates of a percent question are spread over bands
  ("0%", "1–25%", …, "76–100%").

Both count the question's unit of analysis (``level`` in the codebook): a ``level: respondent`` question
is counted once per respondent, in the largest size class it answered for. Both return a
``helpers.analysis.table.Table``; numbers are computed like ``question_indicators``
(a net is the row sum of its items over the rows that answered all of them), so the
"Totaal" column equals the question's own estimate table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.analysis.frequencies import answered_mask, question_indicators
from helpers.analysis.question_tables import describe_base
from helpers.analysis.size_classes import _respondent_level, group_notes, hidden_groups, size_groups
from helpers.analysis.table import Table
from helpers.survey.codebook import Codebook, Question
from helpers.survey.formatting import fmt_n, fmt_number
from helpers.survey.vocabulary import MIN_BASE, NUMBER_COLUMNS, SUPPRESSED, SUPPRESSION_NOTE, TOTAL

KRUSKAL = "Kruskal-Wallistoets"


def _series(df: pd.DataFrame, q: Question) -> list[tuple[str, pd.Series]]:
    """(label, values per answering row) for every item and net; NaN where an item is missing."""
    answered = df.loc[answered_mask(df, q)]
    if not q.items:
        return [("", answered[q.id].astype(float))]
    out = [(it.label, answered[f"{q.id}__{it.code}"].astype(float)) for it in q.items]
    for net in q.nets:
        cols = answered[[f"{q.id}__{c}" for c in net.codes]].astype(float)
        out.append((net.label, cols.sum(axis=1).where(cols.notna().all(axis=1))))
    return out


def _kruskal(groups: Sequence[np.ndarray]) -> float:
    from scipy import stats as st  # imported when a test is computed, not with the chapter

    samples = [g for g in groups if len(g)]
    if len(samples) < 2:
        return math.nan
    try:
        return float(st.kruskal(*samples).pvalue)
    except ValueError:  # all values identical
        return math.nan


def _cell(group: str, label: str) -> str:
    return f"{group}: {label}" if label else group


def unit_rows(df: pd.DataFrame, q: Question) -> pd.DataFrame:
    """The rows ``q`` is counted over: one per municipality, or one per respondent for ``level: respondent``."""
    if q.level == "respondent" and "respondent_id" in df.columns and "grootteklasse" in df.columns:
        return _respondent_level(df)
    return df


def size_class_means(
    df: pd.DataFrame, cb: Codebook, qid: str | Question, *, min_base: int = MIN_BASE, report_ref: str = ""
) -> Table:
    """Mean per item (rows) by size class (columns), "Totaal" and a Kruskal–Wallis p per row.

    Indicators: ``"<group>: <item>"`` / ``"Totaal: <item>"`` (just the group for a question
    without items) with stat ``mean`` (n = the cell's base) and ``<item>`` with stat ``p``.
    """
    q = cb.question(qid)
    qid = q.id
    if q.type not in {"percent", "count"}:
        raise ValueError(f"{qid} is a {q.type} question; size_class_means needs percent or count")
    df = unit_rows(df, q)
    answered = df.loc[answered_mask(df, q)]
    group, order, merged = size_groups(answered["grootteklasse"], min_base)
    series = _series(df, q)
    labels = [lab or q.text for lab, _ in series]
    data = pd.DataFrame(index=pd.Index(labels, name="Onderdeel"))
    rows: list[tuple[str, str, float, int]] = []
    secondary = False
    cells: dict[str, list[float]] = {g: [] for g in [*order, TOTAL]}
    pvals: list[float] = []
    for lab, values in series:
        ns = {g: int(values[group == g].notna().sum()) for g in order}
        hidden, also = hidden_groups(ns, order, min_base)
        secondary = secondary or also
        for g in order:
            v = math.nan if g in hidden else float(values[group == g].dropna().mean())
            cells[g].append(v)
            rows.append((_cell(g, lab), "mean", v, ns[g]))
        total = values.dropna()
        cells[TOTAL].append(float(total.mean()) if len(total) else math.nan)
        rows.append((_cell(TOTAL, lab), "mean", cells[TOTAL][-1], len(total)))
        p = _kruskal([values[group == g].dropna().to_numpy() for g in order])
        pvals.append(p)
        rows.append((lab, "p", p, len(total)))
    for g in [*order, TOTAL]:
        data[g] = cells[g]
    data["p"] = pvals
    bases = {g: int((group == g).sum()) for g in order}
    unit_fmt = "pct" if q.type == "percent" else "num1"
    what = "geschatte percentages" if q.type == "percent" else "opgegeven aantallen"
    notes = [f"Gemiddelde van de door gemeenten {what}."]
    notes += group_notes(merged, any(math.isnan(v) for g in order for v in cells[g]), secondary, min_base)
    notes.append(
        f"p: {KRUSKAL} op verschil tussen de grootteklassen, per onderdeel. Getoetst op gemeenteniveau; "
        "gemeenten met één gezamenlijke respondent tellen apart, waardoor p-waarden te klein kunnen uitvallen."
    )
    return Table(
        data=data,
        question=qid,
        title=f"Naar grootteklasse: {q.text}",
        n=len(answered),
        base=describe_base(cb, q),
        kind="estimate",  # so that ``Chapter.number`` formats the means of a percent question as "13%"
        stat="mean",
        report_ref=report_ref,
        footnote=" ".join(notes),
        formats={g: unit_fmt for g in [*order, TOTAL]} | {"p": "p"},
        headers={g: f"{g} (n={bases[g]})" for g in order} | {TOTAL: f"{TOTAL} (n={len(answered)})"},
        indicators=pd.DataFrame(
            [r for r in rows if not (isinstance(r[2], float) and math.isnan(r[2]))],
            columns=["category", "stat", "value", "n"],
        ),
        meta={"groups": order, "bases": bases, "merged": merged, "percent": q.type == "percent"},
    )


def _band_labels(uppers: Sequence[int]) -> list[str]:
    labels, lo = ["0%"], 1
    for hi in uppers:
        labels.append(f"{fmt_number(lo, 0)}–{fmt_number(hi, 0)}%")
        lo = hi + 1
    return labels


def percent_distribution(
    df: pd.DataFrame,
    cb: Codebook,
    qid: str | Question,
    *,
    item: int | None = None,
    uppers: Sequence[int] = (25, 50, 75, 100),
    report_ref: str = "",
) -> Table:
    """Share of municipalities per band of their estimate: exactly 0, then (0, 25], (25, 50], … .

    Bands are closed on the right, so an estimate of 25 falls in "1–25%" (labels assume whole
    percentages; 0,5 also counts as "1–25%"). Indicators: one ``pct`` row per band and the median
    (category = the item label, '' without items).
    """
    q = cb.question(qid)
    qid = q.id
    if q.type != "percent":
        raise ValueError(f"{qid} is a {q.type} question; percent_distribution needs percent")
    if item is None and q.items:
        item = q.items[0].code
    col = f"{qid}__{item}" if item is not None else qid
    label = next((it.label for it in q.items if it.code == item), "")
    df = unit_rows(df, q)
    unit = "respondenten" if q.level == "respondent" else "gemeenten"
    values = df.loc[answered_mask(df, q), col].dropna().astype(float)
    n = len(values)
    small = n < MIN_BASE
    labels = _band_labels(uppers)
    cut = pd.cut(values, bins=[-math.inf, 0, *uppers], right=True, labels=labels)
    counts = cut.value_counts().reindex(labels, fill_value=0)
    pct = [math.nan if small else 100.0 * k / n for k in counts]
    median = math.nan if small else float(values.median())
    rows = [(lab, "pct", v, n) for lab, v in zip(labels, pct, strict=True)] + [(label, "median", median, n)]
    if small:
        foot = f"{SUPPRESSED} = niet getoond: minder dan {MIN_BASE} {unit}."
    else:
        foot = f"Verdeling van de door {unit} geschatte percentages; mediaan {fmt_number(median, 0)}%."
    return Table(
        data=pd.DataFrame({"Percentage": pct}, index=pd.Index(labels, name="Schatting")),
        question=qid,
        title=q.text if not label else f"{q.text} — {label}",
        n=n,
        base=describe_base(cb, q),
        kind="distribution",
        stat="pct",
        report_ref=report_ref,
        footnote=foot,
        formats={"Percentage": "pct"},
        indicators=pd.DataFrame(
            [r for r in rows if not (isinstance(r[2], float) and math.isnan(r[2]))],
            columns=["category", "stat", "value", "n"],
        ),
        meta={"median": median},
    )


def mean_comparison(
    df: pd.DataFrame,
    cb: Codebook,
    parts: Sequence[tuple[str, str, str]],
    *,
    title: str,
    report_ref: str | None = None,
) -> Table:
    """Means of items of (possibly different) percent questions, one row per part.

    ``parts`` are ``(qid, item label, row label)``; item label '' for a question without items.
    The row label gets the part's base, e.g. "Goede weg naar werk (n=258)"; a mean on fewer
    than 5 municipalities is not shown. ``question``/``report_ref``/indicators are those of the
    first part (``report_ref`` defaults to its first codebook label).
    """
    if not parts:
        raise ValueError("mean_comparison needs at least one part")
    labels, means, ns, first_rows = [], [], [], []
    percent = set()
    for i, (qid, item, label) in enumerate(parts):
        q = cb.question(qid)
        qid = q.id
        percent.add(q.type == "percent")
        ind = question_indicators(df, q)
        hit = ind[(ind["category"] == item) & (ind["stat"] == "mean")]
        if hit.empty:
            raise KeyError(f"{qid}: no mean for item {item!r}")
        value, n = float(hit["value"].iloc[0]), int(hit["n"].iloc[0])
        if n < MIN_BASE:
            value = math.nan
        labels.append(f"{label} ({fmt_n(n)})")
        means.append(value)
        ns.append(n)
        if i == 0:
            first_rows.append((item, "mean", value, n))
    if len(percent) != 1:
        raise ValueError("mean_comparison cannot mix percent and count questions")
    first = cb.question(parts[0][0])
    is_pct = percent.pop()
    ref = report_ref if report_ref is not None else (first.report_refs[0] if first.report_refs else "")
    foot = "Gemiddelde van de door gemeenten geschatte percentages; de basis verschilt per rij."
    if any(n < MIN_BASE for n in ns):
        foot += " " + SUPPRESSION_NOTE
    kept = [r for r in first_rows if not (isinstance(r[2], float) and math.isnan(r[2]))]
    return Table(
        data=pd.DataFrame({"Gemiddelde": means, "n": ns}, index=pd.Index(labels, name="Onderdeel")),
        question=first.id,
        title=title,
        n=None,
        base="gemeenten die de betreffende vraag beantwoordden",
        kind="estimate",
        stat="mean",
        report_ref=ref,
        footnote=foot,
        formats={"Gemiddelde": "pct" if is_pct else "num1", "n": "int"},
        indicators=pd.DataFrame(kept, columns=NUMBER_COLUMNS),
        meta={"percent": is_pct, "parts": list(parts)},
    )
