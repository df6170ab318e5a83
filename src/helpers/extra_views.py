"""Views that combine or extend the standard tables of ``helpers.tables`` (chapters 2 and 5).

* ``respondent_clusters(respondents)``: how many municipalities each respondent answered for
  (respondents and the municipalities they represent, per number of municipalities).
* ``dutch_date("2018-03-05")``: "5 maart 2018" (fieldwork dates in prose).
* ``mean_comparison(df, cb, parts)``: means of items of different percent questions side by
  side (Figuur 5.3: "goede weg naar werk" beside "bemiddeling naar/via onderwijs"). The
  Table's ``question`` is the first part's; its indicators hold only that question's numbers
  (the registry records one question per table), so record the other parts in prose with
  ``ch.mean(qid, item, report_ref=...)``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd

from helpers.codebook import Codebook
from helpers.formatting import fmt_n, fmt_number
from helpers.frequencies import question_indicators
from helpers.tables import INDICATOR_COLUMNS, MIN_BASE, SUPPRESSION_NOTE, Table

ALL_SUFFIX = " (alle gemeenten)"
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def dutch_date(value: str | dt.date) -> str:
    """An ISO date (``"2018-03-05"`` or a ``date``) written out in Dutch: ``"5 maart 2018"``."""
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def respondent_clusters(
    respondents: pd.DataFrame, bins: Sequence[int] = (1, 2, 3, 4), *, question: str = "municipalities"
) -> Table:
    """Respondents by the number of municipalities they answered for (``n_municipalities``).

    ``bins`` are lower bounds; the last is open ("4 of meer gemeenten"). Columns: respondents,
    their share, and the municipalities they represent. Indicators (``report_ref`` ''):
    ``"Respondenten: <klasse>"`` count and pct (n = respondents), ``"Gemeenten: <klasse>"`` count
    (n = represented municipalities).
    """
    k = respondents["n_municipalities"].astype(int)
    labels, masks = [], []
    for lo, hi in zip(bins, [*bins[1:], None], strict=True):
        word = "gemeente" if lo == 1 and hi == 2 else "gemeenten"
        if hi is None:
            labels.append(f"{lo} of meer gemeenten")
            masks.append(k >= lo)
        elif hi - 1 == lo:
            labels.append(f"{lo} {word}")
            masks.append(k == lo)
        else:
            labels.append(f"{lo}–{hi - 1} gemeenten")
            masks.append((k >= lo) & (k < hi))
    n_resp, n_muni = len(k), int(k.sum())
    resp = [int(m.sum()) for m in masks]
    munis = [int(k[m].sum()) for m in masks]
    pct = [100.0 * r / n_resp if n_resp else math.nan for r in resp]
    data = pd.DataFrame(
        {"Respondenten": resp, "Percentage respondenten": pct, "Vertegenwoordigde gemeenten": munis},
        index=pd.Index(labels, name="Respondent antwoordde voor"),
    )
    rows = []
    for lab, r, p, g in zip(labels, resp, pct, munis, strict=True):
        rows += [(f"Respondenten: {lab}", "count", float(r), n_resp), (f"Respondenten: {lab}", "pct", p, n_resp)]
        rows.append((f"Gemeenten: {lab}", "count", float(g), n_muni))
    return Table(
        data=data,
        question=question,
        title="Respondenten naar het aantal gemeenten waarvoor zij de vragenlijst invulden",
        n=n_resp,
        base="alle respondenten",
        kind="response",
        stat="count",
        report_ref="",
        footnote=f"Samen vertegenwoordigen de respondenten {fmt_number(n_muni, 0)} gemeenten.",
        formats={"Respondenten": "int", "Percentage respondenten": "pct", "Vertegenwoordigde gemeenten": "int"},
        indicators=pd.DataFrame(rows, columns=INDICATOR_COLUMNS),
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
        indicators=pd.DataFrame(kept, columns=INDICATOR_COLUMNS),
        meta={"percent": is_pct, "parts": list(parts)},
    )
