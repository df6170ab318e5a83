"""What changed since the previous edition: every share of every comparable question, with its noise margin.

For each single- and multiple-choice question of a year (municipality level) and each of its
answer categories (options and nets), the share is followed back through the codebooks' lineage
(``analysis.trends.series``: computed where an edition's data exist, published values otherwise).
The previous edition is the latest earlier one that asked the question comparably, exactly as the
report's prose computes "de vorige monitor"; the change and its margin come from
``analysis.comparisons.share_change`` with the one noise rule, so this list and the
report's words cannot disagree. A series that breaks (``replaces``) before this year is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from helpers.analysis.comparisons import EditionChange, share_change
from helpers.analysis.trends import COMPUTED, series
from helpers.survey.codebook import Question
from helpers.survey.lineage import QuestionHistory

#: Question types whose answers are shares of municipalities.
SHARE_TYPES = ("single", "multi")


@dataclass(frozen=True)
class ShareChange:
    """One category of one question in two editions."""

    question: Question
    category: str
    key: str
    change: EditionChange
    source_before: str

    @property
    def lower(self) -> float:
        """Lower bound of the interval of the difference (percentage points)."""
        return self.change.difference - self.change.margin

    @property
    def upper(self) -> float:
        return self.change.difference + self.change.margin


def _population(history: QuestionHistory, year: int) -> int | None:
    cb = history.codebooks.get(year)
    return cb.population_size if cb is not None else None


def question_changes(
    history: QuestionHistory,
    question: Question,
    year: int,
    data: Mapping[int, pd.DataFrame],
    published: pd.DataFrame,
    since: int | None = None,
) -> list[ShareChange]:
    """The changes of every category of ``question`` (this year's version) since the previous edition.

    ``since`` compares with that year only (categories it did not have comparably are left out).
    """
    out = []
    for cat in question.categories:
        rows = series(history, question, year, data, published, cat.key, "pct")
        rows = rows[rows["value"].notna()]
        now = rows[(rows["year"] == year) & (rows["source"] == COMPUTED)]
        before = rows[rows["year"] < year] if since is None else rows[rows["year"] == since]
        if now.empty or before.empty or bool(before["break"].iloc[-1]):
            continue
        last, cur = before.iloc[-1], now.iloc[-1]
        n_then = None if pd.isna(last["n"]) else int(last["n"])
        change = share_change(
            (int(last["year"]), float(last["value"]), n_then, _population(history, int(last["year"]))),
            (year, float(cur["value"]), int(cur["n"]), _population(history, year)),
        )
        out.append(ShareChange(question, cat.label, cat.key, change, str(last["source"])))
    return out


def edition_changes(
    history: QuestionHistory,
    year: int,
    data: Mapping[int, pd.DataFrame],
    published: pd.DataFrame,
    since: int | None = None,
) -> list[ShareChange]:
    """Every share of ``year``'s questions that an earlier edition (or ``since``) has comparably, in codebook order."""
    cb = history.codebooks[year]
    out: list[ShareChange] = []
    for q in cb.all_questions:
        if q.type in SHARE_TYPES and q.level != "respondent":
            out += question_changes(history, q, year, data, published, since)
    return out
