"""Every number of one question as a long table: ``category, stat, value, n``.

This is the single place where shares, means and bases are computed from the
processed tables; tables, plots, the indicator registry and the backtest all use
it, so a figure and the sentence describing it cannot disagree.
"""

from __future__ import annotations

import pandas as pd

from helpers.survey.codebook import Question
from helpers.survey.vocabulary import ANSWERED, NUMBER_COLUMNS


def status_column(question: Question) -> str:
    return f"{question.id}__status"


def answered_mask(df: pd.DataFrame, question: Question) -> pd.Series:
    """Rows that answered ``question`` (the base of its tables)."""
    return (df[status_column(question)] == ANSWERED).fillna(False).astype(bool)


def base_n(df: pd.DataFrame, question: Question) -> int:
    return int(answered_mask(df, question).sum())


def question_indicators(df: pd.DataFrame, question: Question) -> pd.DataFrame:
    """All shares, means, medians, counts and the mean number of answers of ``question``.

    Values are unrounded; ``n`` is the base the value is computed on.
    """
    handler = {
        "single": _single,
        "multi": _multi,
        "percent": _numeric,
        "count": _numeric,
        "text": _text,
    }.get(question.type)
    if handler is None:
        return pd.DataFrame(columns=NUMBER_COLUMNS)
    rows = handler(df, question)
    return pd.DataFrame(rows, columns=NUMBER_COLUMNS)


def _single(df: pd.DataFrame, q: Question) -> list[tuple]:
    values = df.loc[answered_mask(df, q), q.id]
    n = len(values)
    counts = values.value_counts()
    rows = []
    for opt in q.options:
        k = int(counts.get(opt.label, 0))
        rows.append((opt.label, "count", float(k), n))
        rows.append((opt.label, "pct", _pct(k, n), n))
    for net in q.nets:
        labels = [q.option(c).label for c in net.codes]
        k = int(values.isin(labels).sum())
        rows.append((net.label, "count", float(k), n))
        rows.append((net.label, "pct", _pct(k, n), n))
    return rows


def _multi(df: pd.DataFrame, q: Question) -> list[tuple]:
    mask = answered_mask(df, q)
    ticks = df.loc[mask, [f"{q.id}__{o.code}" for o in q.options]].fillna(False).astype(bool)
    n = len(ticks)
    rows = []
    for opt in q.options:
        k = int(ticks[f"{q.id}__{opt.code}"].sum())
        rows.append((opt.label, "count", float(k), n))
        rows.append((opt.label, "pct", _pct(k, n), n))
    for net in q.nets:
        k = int(ticks[[f"{q.id}__{c}" for c in net.codes]].any(axis=1).sum())
        rows.append((net.label, "count", float(k), n))
        rows.append((net.label, "pct", _pct(k, n), n))
    mean_answers = float(ticks.sum(axis=1).mean()) if n else float("nan")
    rows.append(("", "answers_mean", mean_answers, n))
    return rows


def _numeric(df: pd.DataFrame, q: Question) -> list[tuple]:
    mask = answered_mask(df, q)
    rows = []
    items = q.items or []
    columns = [(it.label, f"{q.id}__{it.code}") for it in items] or [("", q.id)]
    for label, col in columns:
        values = df.loc[mask, col].dropna().astype(float)
        rows += _numeric_rows(label, values)
    by_code = {it.code: f"{q.id}__{it.code}" for it in items}
    for net in q.nets:
        cols = [by_code[c] for c in net.codes]
        values = df.loc[mask, cols].dropna().astype(float).sum(axis=1)
        rows += _numeric_rows(net.label, values)
    return rows


def _numeric_rows(label: str, values: pd.Series) -> list[tuple]:
    n = len(values)
    if n == 0:
        return [(label, "mean", float("nan"), 0), (label, "median", float("nan"), 0)]
    return [(label, "mean", float(values.mean()), n), (label, "median", float(values.median()), n)]


def _text(df: pd.DataFrame, q: Question) -> list[tuple]:
    values = df.loc[answered_mask(df, q), q.id].dropna()
    values = values[values.str.strip() != ""]
    return [("", "count", float(len(values)), base_n(df, q))]


def _pct(k: int, n: int) -> float:
    return 100.0 * k / n if n else float("nan")


def combined_value(df: pd.DataFrame, question: Question, codes: set[int], stat: str) -> tuple[float, int]:
    """One number of a combination of categories (a split option's parts, a net): value and base.

    single: share (``pct``) or count of answers among ``codes`` (the sum of their shares); multi: of
    municipalities that ticked at least one of ``codes``; percent/count items: ``mean``/``median``
    of the row sums of the items ``codes``.
    """
    mask = answered_mask(df, question)
    if question.type in ("single", "multi"):
        if question.type == "single":
            labels = [o.label for o in question.options if o.code in codes]
            hit = df.loc[mask, question.id].isin(labels)
        else:
            cols = [f"{question.id}__{c}" for c in sorted(codes)]
            hit = df.loc[mask, cols].fillna(False).astype(bool).any(axis=1)
        n, k = len(hit), int(hit.sum())
        if stat == "count":
            return float(k), n
        if stat == "pct":
            return _pct(k, n), n
    elif question.type in ("percent", "count") and stat in ("mean", "median"):
        cols = [f"{question.id}__{c}" for c in sorted(codes)] if question.items else [question.id]
        values = df.loc[mask, cols].dropna().astype(float).sum(axis=1)
        if values.empty:
            return float("nan"), 0
        return float(values.mean() if stat == "mean" else values.median()), len(values)
    raise ValueError(f"{question.id}: no {stat!r} for a {question.type} question")
