"""Numbers for the conclusions, read back from the chapters' indicators.

The conclusions notebook (01) runs after every chapter and quotes their numbers from
``indicators.csv``, so a conclusion can never disagree with the chapter it summarises
(the 2018 report printed 75% in its conclusions where chapter 4 said 72%).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.analysis.backtest import compare_indicators, read_published
from helpers.report.registry import SUPPRESSED, read_indicators
from helpers.survey.formatting import format_value


class Findings:
    """Look up numbers that the chapters showed."""

    def __init__(self, indicators: pd.DataFrame) -> None:
        self.indicators = indicators

    @classmethod
    def from_build(cls, build_dir: str | Path) -> Findings:
        return cls(read_indicators(Path(build_dir) / "indicators.csv"))

    def has(self, question: str) -> bool:
        return bool((self.indicators["question"] == question).any())

    def value(self, question: str, category: str = "", stat: str = "pct") -> float | None:
        """The unrounded value a chapter showed (its own view, not a breakdown or trend cell)."""
        ind = self.indicators
        hit = ind[(ind["question"] == question) & (ind["category"] == category) & (ind["stat"] == stat)]
        return None if hit.empty else float(hit["value"].iloc[0])

    def show(self, question: str, category: str = "", stat: str = "pct", *, percent: bool = False) -> str:
        """Formatted like in the chapters ("72%", "9,3"); "–" when the question was not asked."""
        value = self.value(question, category, stat)
        if value is None:
            return SUPPRESSED
        return format_value(value, stat, percent=percent)

    def pct(self, question: str, category: str) -> str:
        return self.show(question, category, "pct")

    def mean_pct(self, question: str, item: str = "") -> str:
        """Mean of a percentage estimate, as "13%"."""
        return self.show(question, item, "mean", percent=True)

    def count(self, question: str, category: str) -> str:
        return self.show(question, category, "count")


def reproduction_table(indicators: pd.DataFrame, published_path: str | Path) -> pd.DataFrame:
    """Per report figure/table: how many published numbers the chapters reproduce."""
    cmp = compare_indicators(indicators, read_published(published_path))
    summary = cmp.groupby("report_ref", sort=False)["status"].agg(
        gepubliceerd="size", gereproduceerd=lambda s: int((s == "ok").sum())
    )
    return summary.reset_index().rename(columns={"report_ref": "Figuur/tabel 2018"})


def report_errors(indicators: pd.DataFrame, published_path: str | Path) -> pd.DataFrame:
    """Numbers the published report got wrong, next to what the data (and the chapters) give."""
    errors = read_published(published_path, status="report_error")
    rows = []
    findings = Findings(indicators)
    for r in errors.itertuples(index=False):
        shown = findings.value(r.question, r.category, r.stat)
        decimals, percent = int(r.decimals), r.stat != "count"
        rows.append(
            {
                "Plaats in rapport 2018": r.report_ref,
                "Onderwerp": r.category or r.question,
                "Gedrukt": format_value(r.value, r.stat, decimals=decimals, percent=percent),
                "Volgens de data": SUPPRESSED
                if shown is None
                else format_value(shown, r.stat, decimals=decimals, percent=percent),
            }
        )
    return pd.DataFrame(rows)
