"""The chapters' numbers read back for the conclusions, and the reproduction of a published edition.

The conclusions notebook (01) runs after every chapter. Its numbers are computed like the chapters'
and must equal a number a chapter showed (:func:`check_shown`), so a conclusion can never disagree with
the chapter it summarises. Where an edition was published (``data/raw/published/monitor_<year>.csv``)
the reproduction tables say how many of its printed numbers the chapters reproduce and which printed
numbers the publication itself got wrong.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.analysis.backtest import compare_indicators, read_published
from helpers.analysis.table import Table, number_rows
from helpers.survey.formatting import format_value, round_half_up

#: The columns of the reproduction table; each cell is recorded as ``"<column>: <row>"`` (:func:`column_category`).
PRINTED, REPRODUCED = "Gedrukte cijfers", "Gereproduceerd"
#: The columns of the table of numbers the publication printed wrongly.
PRINTED_WRONG, FROM_DATA = "Gedrukt", "Volgens de data"


def column_category(column: str, row: str) -> str:
    """The category of a number recorded by the column it stands in: ``"Gereproduceerd: Tabel 3.1"`` (two columns
    of one row may print the same value; the column tells them apart)."""
    return f"{column}: {row}"


class NotShown(LookupError):
    """A number the conclusions state that no chapter showed (with this base)."""


def check_shown(shown: pd.DataFrame, question: str, category: str, stat: str, value: float, n: int) -> None:
    """Raise :class:`NotShown` unless a chapter recorded this number (same question, category, stat, base)."""
    hits = shown[
        (shown["question"] == question)
        & (shown["category"] == category)
        & (shown["stat"] == stat)
        & (shown["n"].isna() | (shown["n"] == n))
        & (shown["chapter"] != 1)
    ]
    if hits.empty or not any(round_half_up(v, 6) == round_half_up(value, 6) for v in hits["value"]):
        raise NotShown(f"{question} {category!r} ({stat}, n={n}) staat in geen hoofdstuk; noem alleen getoonde cijfers")


def reproduction_table(indicators: pd.DataFrame, published_path: str | Path, year: int) -> Table:
    """Per figure/table of the published edition: how many printed numbers the chapters reproduce, and where
    this report shows them (its own figure and table labels)."""
    cmp = compare_indicators(indicators, read_published(published_path))
    grouped = cmp.groupby("report_ref", sort=False)
    summary = pd.DataFrame(
        {
            PRINTED: grouped.size(),
            REPRODUCED: grouped["status"].agg(lambda s: int((s == "ok").sum())),
            "In dit rapport": grouped["shown_in"].agg(
                lambda s: ", ".join(dict.fromkeys(x for v in s for x in v.split(", ") if x))
            ),
        }
    )
    summary.index.name = f"Figuur of tabel in de publicatie van {year}"
    rows = [
        (column_category(column, str(ref)), "count", float(r[column]), None)
        for ref, r in summary.iterrows()
        for column in (PRINTED, REPRODUCED)
    ]
    return Table(
        data=summary,
        question="reproductie",
        title=f"Reproductie van de gepubliceerde cijfers van {year}",
        n=None,
        base="",
        kind="reproduction",
        stat="count",
        footnote="Gereproduceerd: zelfde vraag, categorie, statistiek en n, afgerond gelijk aan het gedrukte cijfer.",
        formats={PRINTED: "int", REPRODUCED: "int", "In dit rapport": "text"},
        indicators=number_rows(rows),
    )


def report_errors(indicators: pd.DataFrame, published_path: str | Path, year: int) -> Table | None:
    """Numbers the publication printed wrongly, next to what the data (and the chapters) give; None if none."""
    errors = read_published(published_path, status="report_error")
    if errors.empty:
        return None
    rows, numbers = [], []
    for r in errors.itertuples(index=False):
        hit = indicators[
            (indicators["question"] == r.question)
            & (indicators["category"] == r.category)
            & (indicators["stat"] == r.stat)
        ]
        decimals, percent = int(r.decimals), r.stat != "count"
        shown = (
            "–" if hit.empty else format_value(float(hit["value"].iloc[0]), r.stat, decimals=decimals, percent=percent)
        )
        rows.append(
            [
                r.report_ref,
                r.category or r.question,
                format_value(r.value, r.stat, decimals=decimals, percent=percent),
                shown,
            ]
        )
        numbers.append((column_category(PRINTED_WRONG, r.report_ref), r.stat, float(r.value), None))
        if not hit.empty:
            numbers.append((column_category(FROM_DATA, r.report_ref), r.stat, float(hit["value"].iloc[0]), None))
    data = pd.DataFrame(rows, columns=[f"Plaats in de publicatie van {year}", "Onderwerp", PRINTED_WRONG, FROM_DATA])
    return Table(
        data=data.set_index(data.columns[0]),
        question="reproductie",
        title=f"Cijfers die de publicatie van {year} zelf verkeerd drukte",
        n=None,
        base="",
        kind="reproduction",
        stat="count",
        footnote="Volgens de data: het cijfer zoals de hoofdstukken het berekenen.",
        formats={"Onderwerp": "text", PRINTED_WRONG: "text", FROM_DATA: "text"},
        indicators=number_rows(numbers),
    )
