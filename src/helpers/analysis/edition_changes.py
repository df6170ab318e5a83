"""What changed since the previous edition: every share of every comparable question, with its noise margin.

For each single- and multiple-choice question of a year (municipality level) and each of its
answer categories (options and nets), the share is followed back through the codebooks' lineage
(``analysis.trends.series``: computed where an edition's data exist, published values otherwise).
The previous edition is the latest earlier one that asked the question comparably, exactly as the
report's prose computes "de vorige monitor"; the change and its margin come from
``analysis.comparisons.share_change`` with the one noise rule, so this list and the
report's words cannot disagree. A series that breaks (``replaces``) before this year is left out.

Like with like (``analysis.panel``): when the routing differs between the two editions, both are
restricted to the municipalities asked in both (:func:`compared_change`), or the share is marked not
comparable; beside each change over all respondents stands the change among the municipalities that
answered both editions (the panel), with its own verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from helpers.analysis.comparisons import EditionChange, share_change
from helpers.analysis.frequencies import combined_value
from helpers.analysis.panel import NotComparable, PanelChange, asked_in_both, continuing_codes, panel_change
from helpers.analysis.trends import COMPUTED, back_keys, series, series_keys
from helpers.survey.codebook import Question
from helpers.survey.lineage import QuestionHistory, continued_categories
from helpers.survey.vocabulary import MIN_BASE

#: Question types whose answers are shares of municipalities.
SHARE_TYPES = ("single", "multi")
#: How a split option's continued sum is labelled beside its parts.
SUM_OF_PARTS = "samen, voortgezet als de nieuwe antwoorden"
#: Who is compared when the routing changed (the change's ``among``, for the prose).
AMONG_ASKED_IN_BOTH = "bij de gemeenten die de vraag in beide edities kregen"


@dataclass(frozen=True)
class Compared:
    """One share compared like with like: the change, who was compared, and the panel's change."""

    change: EditionChange
    #: In words, how both editions were restricted to the municipalities asked in both ('' when not).
    routing: str = ""
    panel: PanelChange | None = None


@dataclass(frozen=True)
class ShareChange:
    """One category of one question in two editions."""

    question: Question
    category: str
    key: str
    change: EditionChange
    source_before: str
    routing: str = ""
    panel: PanelChange | None = None
    #: Why the two editions cannot be compared ('' when they can); ``change`` is then over all respondents.
    not_comparable: str = ""

    @property
    def lower(self) -> float:
        """Lower bound of the interval of the difference (percentage points)."""
        return self.change.difference - self.change.margin

    @property
    def upper(self) -> float:
        return self.change.difference + self.change.margin

    @property
    def mix_effect(self) -> bool:
        """All respondents and the municipalities that answered both editions reach different verdicts."""
        return self.panel is not None and not self.not_comparable and _moved(self.change) != _moved(self.panel.change)


def _moved(change: EditionChange) -> str:
    return change.direction if change.direction in ("up", "down") else "flat"


def _population(history: QuestionHistory, year: int) -> int | None:
    cb = history.codebooks.get(year)
    return cb.population_size if cb is not None else None


def _codes(q: Question, keys: set[str] | None) -> set[int]:
    return {c for k in keys or () if k for c in q.category(k).codes}


def compared_change(
    history: QuestionHistory,
    question: Question,
    year: int,
    year_before: int,
    data: Mapping[int, pd.DataFrame],
    key: str,
) -> Compared:
    """The change of category ``key`` between two editions with data, like with like.

    Both editions restricted to the municipalities asked in both (when the routing differs), and the
    panel's change beside it. Raises :class:`NotComparable` when the populations cannot be matched or
    the common population has fewer than ``MIN_BASE`` answers.
    """
    q0 = history.versions(question, year)[year_before][0]
    keys = back_keys(history, question, year, series_keys(history, question, year, key) or set())
    c0, c1 = _codes(q0, keys.get(year_before)), _codes(question, keys.get(year))
    d0, d1 = data[year_before], data[year]
    common = asked_in_both(history, (year_before, q0, d0), (year, question, d1))
    if common.restricted:
        d0, d1 = d0[common.before], d1[common.after]
    (p0, n0), (p1, n1) = combined_value(d0, q0, c0, "pct"), combined_value(d1, question, c1, "pct")
    if common.restricted and min(n0, n1) < MIN_BASE:
        raise NotComparable(
            f"minder dan {MIN_BASE} gemeenten kregen en beantwoordden de vraag in beide edities ({n0} en {n1})"
        )
    pops = _population(history, year_before), _population(history, year)
    change = share_change((year_before, p0, n0, pops[0]), (year, p1, n1, pops[1]))
    if common.restricted:
        change = replace(change, among=AMONG_ASKED_IN_BOTH)
    routing = (
        f"In {year_before} kregen {common.routing_before} de vraag, in {year} {common.routing_after}; beide "
        "edities zijn beperkt tot de gemeenten die de vraag in allebei zouden krijgen."
        if common.restricted
        else ""
    )
    frames = history.codebooks[year_before].frame_year, history.codebooks[year].frame_year
    panel = panel_change((year_before, q0, d0, c0), (year, question, d1, c1), continuing_codes(*frames), pops[1])
    return Compared(change, routing, panel)


def routing_differs(history: QuestionHistory, question: Question, year: int, year_before: int) -> bool:
    """Does the routing differ from an edition without data (its published values cannot be restricted)?"""
    if year_before not in history.codebooks:
        return False  # an edition without a codebook: its routing is unknown
    q0 = history.versions(question, year)[year_before][0]
    empty = pd.DataFrame()
    try:
        return asked_in_both(history, (year_before, q0, empty), (year, question, empty)).restricted
    except NotComparable:
        return True


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
    # this year's categories, then each earlier one that continues as the sum of this year's parts (a split)
    wanted = [(cat.key, cat.label) for cat in question.categories]
    wanted += [(c.key, f"{c.label} ({SUM_OF_PARTS})") for c in continued_categories(history, question, year)]
    for key, label in wanted:
        rows = series(history, question, year, data, published, key, "pct")
        rows = rows[rows["value"].notna()]
        now = rows[(rows["year"] == year) & (rows["source"] == COMPUTED)]
        before = rows[rows["year"] < year] if since is None else rows[rows["year"] == since]
        if now.empty or before.empty or bool(before["break"].iloc[-1]):
            continue
        last, cur = before.iloc[-1], now.iloc[-1]
        y0 = int(last["year"])
        n_then = None if pd.isna(last["n"]) else int(last["n"])
        decimals = None if pd.isna(last["decimals"]) else int(last["decimals"])
        change = share_change(
            (y0, float(last["value"]), n_then, _population(history, y0)),
            (year, float(cur["value"]), int(cur["n"]), _population(history, year)),
            before_decimals=decimals,
        )
        share = ShareChange(question, label, key, change, str(last["source"]))
        out.append(_like_with_like(share, history, year, data))
    return out


def _like_with_like(share: ShareChange, history: QuestionHistory, year: int, data: Mapping[int, pd.DataFrame]):
    """``share`` compared on the municipalities asked in both editions, with the panel; or marked not comparable."""
    y0 = share.change.year_before
    if share.source_before != COMPUTED or y0 not in data:
        if routing_differs(history, share.question, year, y0):
            why = f"de vraag is in {y0} aan een andere groep gemeenten gesteld en die cijfers zijn niet te herberekenen"
            return replace(share, not_comparable=why)
        return share
    try:
        found = compared_change(history, share.question, year, y0, data, share.key)
    except NotComparable as exc:
        return replace(share, not_comparable=str(exc))
    return replace(share, change=found.change, routing=found.routing, panel=found.panel)


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
