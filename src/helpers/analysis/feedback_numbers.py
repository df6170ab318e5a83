"""Group numbers for the respondents' feedback reports, computed once per year.

A feedback report puts one respondent's own answers beside the same question's numbers in its
size group and among all municipalities. Those numbers do not depend on the respondent, so they
are computed here once for every question (shares per option, ticks per option and the mean
number of ticks, median and quartiles of estimates); a report then only picks what it may show.

Disclosure control, per number and per respondent (:func:`visible`):

1. the report's rule: groups by ``size_groups`` (G4 merged with G40 when a class has fewer than
   ``MIN_BASE`` units) and ``hidden_groups`` (a group below ``MIN_BASE`` is hidden, and the
   smallest other one when that could be derived from the total); a total below ``MIN_BASE`` is
   hidden as well;
2. the insider's rule: the respondent knows its own answers and could subtract them, so a number
   is shown only when at least ``MIN_BASE`` units of its base are *not* its own.

Units are municipalities, or respondents for ``level: respondent`` questions; a respondent belongs
to the size class of the largest municipality it answered for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from helpers.analysis.frequencies import answered_mask, question_indicators
from helpers.analysis.size_classes import hidden_groups, size_groups
from helpers.survey.codebook import Codebook, Question
from helpers.survey.vocabulary import LARGE_CLASSES, MERGED_LARGE, MIN_BASE, SIZE_CLASSES, TOTAL

#: Question types a feedback report compares (text: own answer only; municipality: the cover).
COMPARED_TYPES = ("single", "multi", "percent", "count")
QUARTILES = (0.25, 0.5, 0.75)


@dataclass(frozen=True)
class GroupNumbers:
    """One group's numbers of one row: ``values`` by stat (``pct``, ``answers_mean``, ``q1``/``median``/``q3``)."""

    label: str
    units: frozenset[str]
    values: dict[str, float]
    #: False when the report itself would not show this group (too small, or derivable).
    reported: bool

    @property
    def n(self) -> int:
        return len(self.units)


@dataclass(frozen=True)
class RowNumbers:
    """One row of a comparison: an option, a net, an item, or the mean number of ticks."""

    category: str
    kind: str  # "option" | "net" | "item" | "answers"
    groups: dict[str, GroupNumbers]


@dataclass(frozen=True)
class QuestionNumbers:
    """Every group number of one question; ``groups`` in display order (``TOTAL`` not included)."""

    question: Question
    groups: list[str]
    merged: bool
    rows: list[RowNumbers]

    def row(self, category: str, kind: str | None = None) -> RowNumbers:
        for r in self.rows:
            if r.category == category and (kind is None or r.kind == kind):
                return r
        raise KeyError(f"{self.question.id} has no row {category!r}")


def largest_class(municipalities: pd.DataFrame) -> pd.Series:
    """Size class per respondent: the largest class (G4 > G40 > …) among the municipalities it answered for."""
    rank = municipalities["grootteklasse"].astype(str).map({c: i for i, c in enumerate(SIZE_CLASSES)})
    best = rank.groupby(municipalities["respondent_id"]).min()
    return best.map(dict(enumerate(SIZE_CLASSES))).astype(str)


def respondent_units(respondents: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """The respondents table with the ``grootteklasse`` of :func:`largest_class` (units of respondent questions)."""
    out = respondents.copy()
    out["grootteklasse"] = out["respondent_id"].map(largest_class(municipalities))
    return out


def group_of(size_class: str, numbers: QuestionNumbers) -> str | None:
    """The comparison group of a unit of ``size_class`` for this question (None: no such group answered)."""
    label = MERGED_LARGE if numbers.merged and size_class in LARGE_CLASSES else size_class
    return label if label in numbers.groups else None


def visible(group: GroupNumbers, own: Iterable[str], min_base: int = MIN_BASE) -> bool:
    """May a respondent whose own units are ``own`` see this number? (the two rules of the module docstring)."""
    return group.reported and group.n - len(group.units.intersection(own)) >= min_base


def compare_all(
    codebook: Codebook, municipalities: pd.DataFrame, respondents: pd.DataFrame, min_base: int = MIN_BASE
) -> dict[str, QuestionNumbers]:
    """:class:`QuestionNumbers` of every compared question of the codebook, by question id."""
    per_respondent = respondent_units(respondents, municipalities)
    out = {}
    for q in codebook.all_questions:
        if q.type not in COMPARED_TYPES:
            continue
        if q.level == "respondent":
            out[q.id] = compare_question(q, per_respondent, "respondent_id", min_base)
        else:
            out[q.id] = compare_question(q, municipalities, "gemeentecode", min_base)
    return out


def compare_question(q: Question, units: pd.DataFrame, unit_id: str, min_base: int = MIN_BASE) -> QuestionNumbers:
    """Group numbers of ``q`` over ``units`` (one row per unit; ``unit_id`` names its id column)."""
    answered = units.loc[answered_mask(units, q)]
    group, order, merged = size_groups(answered["grootteklasse"], min_base)
    parts = {g: answered[(group == g).to_numpy()] for g in order}
    parts[TOTAL] = answered
    builder = _share_rows if q.type in ("single", "multi") else _estimate_rows
    rows = builder(q, parts, unit_id)
    return QuestionNumbers(q, order, merged, [_with_suppression(r, order, min_base) for r in rows])


def _share_rows(q: Question, parts: dict[str, pd.DataFrame], unit_id: str) -> list[RowNumbers]:
    """Options, nets of several options, and (multi) the mean number of ticks; one base per group."""
    indicators = {g: question_indicators(df, q) for g, df in parts.items()}
    units = {g: frozenset(df[unit_id].astype(str)) for g, df in parts.items()}
    wanted = [(o.label, "option") for o in q.options]
    wanted += [(net.label, "net") for net in q.nets if len(net.codes) > 1]
    stats = [(label, kind, "pct") for label, kind in wanted]
    if q.type == "multi":
        stats.append(("", "answers", "answers_mean"))
    rows = []
    for label, kind, stat in stats:
        groups = {}
        for g, ind in indicators.items():
            hit = ind[(ind["category"] == label) & (ind["stat"] == stat)]
            value = float(hit["value"].iloc[0]) if len(hit) else float("nan")
            groups[g] = GroupNumbers(g, units[g], {stat: value}, True)
        rows.append(RowNumbers(label, kind, groups))
    return rows


def estimate_values(q: Question, df: pd.DataFrame) -> list[tuple[str, str, pd.Series]]:
    """(label, kind, values by row) of every item and net of a percent/count question; NaN = no value.

    A net is the sum of its items on rows that gave all of them (as ``question_indicators``).
    """
    if not q.items:
        return [("", "item", df[q.id].astype(float))]
    out = [(it.label, "item", df[f"{q.id}__{it.code}"].astype(float)) for it in q.items]
    for net in q.nets:
        cols = df[[f"{q.id}__{c}" for c in net.codes]].astype(float)
        out.append((net.label, "net", cols.sum(axis=1).where(cols.notna().all(axis=1))))
    return out


def _estimate_rows(q: Question, parts: dict[str, pd.DataFrame], unit_id: str) -> list[RowNumbers]:
    """Median and quartiles per item (and net); each item has its own base (units that gave it)."""
    series = {g: estimate_values(q, df) for g, df in parts.items()}
    rows = []
    for i, (label, kind, _) in enumerate(series[TOTAL]):
        groups = {}
        for g, df in parts.items():
            values = series[g][i][2].dropna()
            quart = values.quantile(list(QUARTILES)) if len(values) else pd.Series([float("nan")] * 3)
            stats = dict(zip(("q1", "median", "q3"), map(float, quart), strict=True))
            groups[g] = GroupNumbers(g, frozenset(df.loc[values.index, unit_id].astype(str)), stats, True)
        rows.append(RowNumbers(label, kind, groups))
    return rows


def _with_suppression(row: RowNumbers, order: list[str], min_base: int) -> RowNumbers:
    """Mark the groups the report would not show (``hidden_groups``) and a total below ``min_base``."""
    hidden, _ = hidden_groups({g: row.groups[g].n for g in order}, order, min_base)
    groups = {}
    for g, numbers in row.groups.items():
        reported = numbers.n >= min_base if g == TOTAL else g not in hidden
        groups[g] = GroupNumbers(numbers.label, numbers.units, numbers.values, reported)
    return RowNumbers(row.category, row.kind, groups)
