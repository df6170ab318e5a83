"""Recompute one published number from the processed tables (shared by the backtests)."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.frequencies import question_indicators
from helpers.survey.codebook import Codebook

TOTAL = "Totaal"
ALL_SUFFIX = " (alle gemeenten)"


def recompute(row, data: dict) -> tuple[float, float | None]:
    """(value, n) for a published row, from the processed municipality or respondent table."""
    cb: Codebook = data["codebook"]
    q = cb.question(row.question)
    if q.type == "municipality":
        return _response(row, data)
    table = data["respondents"] if q.level == "respondent" else data["municipalities"]
    ind = question_indicators(table, q)
    hit = ind[(ind["category"] == row.category) & (ind["stat"] == row.stat)]
    if hit.empty:
        raise KeyError(f"{row.report_ref}: no {row.stat} for {row.question}/{row.category!r}")
    return float(hit["value"].iloc[0]), float(hit["n"].iloc[0])


def _response(row, data: dict) -> tuple[float, float | None]:
    munis: pd.DataFrame = data["municipalities"]
    frame: pd.DataFrame = data["frame"]
    cat = row.category
    if cat == "Respondenten":
        return float(len(data["respondents"])), None
    source = frame if cat.endswith(ALL_SUFFIX) else munis
    cls = cat.removesuffix(ALL_SUFFIX)
    count = len(source) if cls == TOTAL else int((source["grootteklasse"].astype(str) == cls).sum())
    if row.stat == "pct":
        return 100.0 * count / len(frame), float(len(frame))
    return float(count), None
