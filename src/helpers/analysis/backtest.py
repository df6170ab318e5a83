"""Compare what the report shows (indicators.csv) with the numbers a published edition printed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.survey.formatting import round_half_up
from helpers.survey.vocabulary import REPORT_REF_SEPARATOR

KEY = ["report_ref", "question", "category", "stat"]


def split_report_refs(report_ref: str) -> list[str]:
    """The labels of an indicator's ``report_ref``: one, or several joined with ``REPORT_REF_SEPARATOR``
    ("Tabel 8.1; Figuur 5.3" → both; '' → none)."""
    return [r.strip() for r in str(report_ref).split(REPORT_REF_SEPARATOR.strip()) if r.strip()]


def read_published(path: str | Path, status: str = "check") -> pd.DataFrame:
    """Rows of a ``monitor_<year>.csv`` with the given status."""
    df = pd.read_csv(path, dtype={"category": str, "report_ref": str}, keep_default_na=False)
    df["value"] = df["value"].astype(float)
    df["n"] = pd.to_numeric(df["n"], errors="coerce")
    return df[df["status"] == status].reset_index(drop=True)


def compare_indicators(indicators: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """One row per published number: shown with the same question, category, statistic and base (n)?

    A number counts as shown when the chapters recorded it for the same question, category and stat
    and, where the report printed a base, the same n; rows recorded under the same report label are
    preferred (a chapter's own view; a row's ``report_ref`` may name several places, "Tabel 8.1; Figuur 5.3",
    and each counts), but a number stated in the text counts wherever it appears.

    Columns: the published key, ``printed``, ``shown`` (unrounded, first match), ``n_printed``,
    ``n_shown``, ``shown_in`` (this build's labels of the matching rows) and ``status`` in ``ok``,
    ``missing`` (not shown with that base) or ``value differs``.
    """
    ind = indicators.copy()
    ind["category"] = ind["category"].fillna("").astype(str)
    ind["report_ref"] = ind["report_ref"].fillna("").astype(str)
    rows = []
    for pub in published.itertuples(index=False):
        hits = ind[(ind["question"] == pub.question) & (ind["category"] == pub.category) & (ind["stat"] == pub.stat)]
        if not pd.isna(pub.n):
            hits = hits[hits["n"].isna() | (hits["n"] == int(pub.n))]
        same_ref = hits[[pub.report_ref in split_report_refs(r) for r in hits["report_ref"]]]
        hits = same_ref if len(same_ref) else hits
        status, shown, n_shown, where = "missing", None, None, ""
        if len(hits):
            shown, n_shown = float(hits["value"].iloc[0]), hits["n"].iloc[0]
            if "build_ref" in hits.columns:
                where = ", ".join(dict.fromkeys(str(x) for x in hits["build_ref"] if str(x)))
            values_ok = all(round_half_up(v, int(pub.decimals)) == pub.value for v in hits["value"])
            status = "ok" if values_ok else "value differs"
        rows.append(
            {
                "report_ref": pub.report_ref,
                "question": pub.question,
                "category": pub.category,
                "stat": pub.stat,
                "printed": pub.value,
                "shown": shown,
                "n_printed": pub.n,
                "n_shown": n_shown,
                "status": status,
                "shown_in": where,
            }
        )
    return pd.DataFrame(rows)
