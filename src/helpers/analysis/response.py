"""Views that combine or extend the standard tables of ``helpers.analysis.question_tables`` (chapters 2 and 5).

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

import math
from collections.abc import Sequence

import pandas as pd

from helpers.analysis.table import CELLS, Table, number_rows
from helpers.survey.codebook import Codebook
from helpers.survey.formatting import fmt_number
from helpers.survey.vocabulary import NUMBER_COLUMNS, SIZE_CLASSES

# --- response -----------------------------------------------------------------------


ALL_SUFFIX = " (alle gemeenten)"


def response_table(frame: pd.DataFrame, municipalities_df: pd.DataFrame, cb: Codebook | None = None) -> Table:
    """Tabel 1: represented municipalities vs all municipalities per size class, with totals and share.

    Indicators: per class (and "Totaal") a ``count`` (represented) and ``pct`` row with
    ``n`` = the number of municipalities in the frame, and the frame's own count as
    category "<klasse> (alle gemeenten)"; the number of respondents as category
    "Respondenten", stat ``count``, ``n`` = represented municipalities.
    """
    represented = municipalities_df.drop_duplicates("gemeentecode")
    in_frame = frame["grootteklasse"].astype(str).value_counts()
    in_sample = represented["grootteklasse"].astype(str).value_counts()
    classes = [c for c in SIZE_CLASSES if c in in_frame.index] + sorted(set(in_frame.index) - set(SIZE_CLASSES))
    got = [int(in_sample.get(c, 0)) for c in classes]
    tot = [int(in_frame[c]) for c in classes]
    got.append(sum(got))
    tot.append(sum(tot))
    labels = [*classes, "Totaal"]
    pct = [100.0 * g / t if t else math.nan for g, t in zip(got, tot, strict=True)]
    shown, everyone = "Vertegenwoordigd in de monitor", "Aantal gemeenten in Nederland"
    data = pd.DataFrame(
        {shown: got, everyone: tot, "Percentage": pct},
        index=pd.Index(labels, name="Gemeentegrootte"),
    )
    n_resp = int(represented["respondent_id"].nunique())
    rows = []
    cells: dict[tuple[str, str], tuple[str, str]] = {}
    for lab, g, t, p in zip(labels, got, tot, pct, strict=True):
        rows += [(lab, "count", float(g), t), (lab, "pct", p, t), (f"{lab}{ALL_SUFFIX}", "count", float(t), None)]
        cells |= {
            (lab, "count"): (lab, shown),
            (lab, "pct"): (lab, "Percentage"),
            (f"{lab}{ALL_SUFFIX}", "count"): (lab, everyone),
        }
    rows.append(("Respondenten", "count", float(n_resp), got[-1]))
    mq = cb.municipality_question if cb is not None else None
    return Table(
        data=data,
        question=mq.id if mq else "municipalities",
        title="Respons: gemeenten in de monitor vergeleken met alle Nederlandse gemeenten",
        n=got[-1],
        base="",
        kind="response",
        stat="count",
        report_ref=(mq.report_refs[0] if mq and mq.report_refs else ""),
        footnote=f"De {got[-1]} gemeenten zijn vertegenwoordigd door {n_resp} respondenten.",
        formats={shown: "int", everyone: "int", "Percentage": "pct"},
        indicators=number_rows(rows),
        meta={CELLS: cells},
    )


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
    cells: dict[tuple[str, str], tuple[str, str]] = {}
    for lab, r, p, g in zip(labels, resp, pct, munis, strict=True):
        rows += [(f"Respondenten: {lab}", "count", float(r), n_resp), (f"Respondenten: {lab}", "pct", p, n_resp)]
        rows.append((f"Gemeenten: {lab}", "count", float(g), n_muni))
        cells[(f"Gemeenten: {lab}", "count")] = (lab, "Vertegenwoordigde gemeenten")
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
        indicators=pd.DataFrame(rows, columns=NUMBER_COLUMNS),
        meta={CELLS: cells},
    )
