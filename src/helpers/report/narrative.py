"""The words and numbers a ``%%tekst`` block can use: ``{{ pct("measures_offered", "work_placements") }}``.

Every function takes stable references (question id, category key), computes with the same code as
the tables (``analysis``), records each number it prints in the chapter's indicators, and returns
finished Dutch text. When the text cannot be true this year it raises instead of printing a dash:
``QuestionGone`` (question dropped or replaced), :class:`Suppressed` (a base under 5
municipalities) or :class:`NoComparison` (no earlier edition asked it comparably); the block is
then left out with one line (``report.prose``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers import paths
from helpers.analysis.comparisons import (
    ALPHA,
    Z,
)
from helpers.analysis.frame_change import FrameChange, frame_change
from helpers.analysis.frequencies import answered_mask, base_n, combined_value, question_indicators
from helpers.analysis.intervals import share_ci
from helpers.analysis.question_tables import multi_order
from helpers.analysis.response import respondent_clusters, response_table
from helpers.report import phrases
from helpers.report.comparison_words import NAMES as COMPARISON_NAMES
from helpers.report.comparison_words import Comparisons
from helpers.report.conclusions import check_shown
from helpers.report.errors import NoComparison, Suppressed
from helpers.report.method import calibration_sentence
from helpers.survey.codebook import Category, Question
from helpers.survey.formatting import dutch_date, fmt_n, fmt_number, fmt_pct, format_value
from helpers.survey.routing import describe_routing
from helpers.survey.text_escape import SafeMarkdown, markdown_text
from helpers.survey.vocabulary import MIN_BASE, TOTAL

if TYPE_CHECKING:
    from helpers.report.chapter import Chapter


class Narrative:
    """The functions of ``%%tekst`` blocks, bound to one chapter (see :meth:`namespace`)."""

    def __init__(self, chapter: Chapter):
        self.ch = chapter
        self.comparisons = Comparisons(self)
        #: (question, n) of every share printed since the last ``reset_bases`` (one ``%%tekst`` block) ...
        self.bases: list[tuple[str, int]] = []
        #: ... and the bases the block states itself with ``n(...)``.
        self.named_bases: set[int] = set()

    def reset_bases(self) -> None:
        self.bases, self.named_bases = [], set()

    def namespace(self) -> dict[str, Any]:
        """Names available in a ``%%tekst`` block (besides the notebook's own variables)."""
        names = [
            "pct", "quantity", "count", "mean", "median", "answers_mean", "n", "ci", "interval", "value", "pct_among",
            "pct_range", "response", "clusters", "change", "change_verb", "change_adverb", "previous_year",
            "previous", "size_word", "size_pct", "size_mean", "size_mean_word", "position", "top", "ranking",
            "option_count", "routing", "question", "label", "max_answers", "remarks", "has_publication", "asked",
            "loaded", "previous_edition", "frame_changed", "frame_change",
        ]  # fmt: skip
        ns: dict[str, Any] = {name: getattr(self, name) for name in names if name not in COMPARISON_NAMES}
        ns |= {name: getattr(self.comparisons, name) for name in COMPARISON_NAMES}
        start, end = self.ch.codebook.fieldwork
        constants = {
            "year": self.ch.year,
            "fieldwork_start": dutch_date(start),
            "fieldwork_end": dutch_date(end),
            "population": fmt_number(self.ch.codebook.population_size, 0),
            "min_base": MIN_BASE,
            "alpha": fmt_number(ALPHA, 2),
            "z": fmt_number(Z, 2),
            "synthetic": self.ch.codebook.synthetic,
            "calibration": calibration_sentence(self.ch.year) if self.ch.codebook.synthetic else "",
        }
        return ns | constants

    # --- resolution and recording ------------------------------------------------------
    def _q(self, qid: str) -> Question:
        return self.ch.question(qid)

    def _codes(self, q: Question, key: str) -> set[int]:
        if key == "":
            return set()
        keys = self.ch.keys(q, key)
        if keys is None:
            raise NoComparison(f"antwoordcategorie {key!r} van ‘{q.text}’ heeft in {self.ch.year} geen eigen cijfer")
        return {c for k in keys for c in q.category(k).codes}

    def _category(self, q: Question, key: str) -> Category:
        """Category ``key``: this year's, or the one it was when it last had a number of its own."""
        for c in q.categories:
            if c.key == key:
                return c
        for _, (old, _) in sorted(self.ch.history.versions(q, self.ch.year).items(), reverse=True):
            for c in old.categories:
                if c.key == key:
                    return c
        return q.category(key)  # raises KeyError listing the keys there are

    def _label(self, q: Question, key: str) -> str:
        return self._category(q, key).label

    def _words(self, q: Question, key: str) -> str:
        """The category in running text: its ``short`` wording, else its label with a lower-case start."""
        cat = self._category(q, key)
        return cat.prose if cat.prose != cat.label else phrases.lower_first(cat.label)

    def _number(self, qid: str, key: str, stat: str, df: pd.DataFrame | None = None, tag: str = "") -> float:
        """Compute, check the base, record; the unrounded value."""
        q = self._q(qid)
        data = df if df is not None else self.ch.table_for(q)
        if stat == "answers_mean":
            ind = question_indicators(data, q)
            hit = ind[ind["stat"] == stat]
            value, n = float(hit["value"].iloc[0]), int(hit["n"].iloc[0])
            category = ""
        else:
            value, n = combined_value(data, q, self._codes(q, key), stat)
            category = self._label(q, key) if key else ""
        if n < MIN_BASE and stat != "count":
            raise Suppressed(f"‘{q.text}’: minder dan {MIN_BASE} gemeenten beantwoordden de vraag")
        if math.isnan(value):
            raise Suppressed(f"‘{q.text}’: geen antwoorden")
        if self.ch.shown_numbers is not None and not tag:
            check_shown(self.ch.shown_numbers, q.id, category, stat, value, n)
        ref = (q.report_refs[0] if q.report_refs else "") if not tag else ""
        if stat == "pct":
            self.bases.append((q.id, int(n)))
        row = pd.DataFrame([{"category": category + tag, "stat": stat, "value": value, "n": n}])
        self.ch.registry.record(row, q.id, ref)
        return value

    def _fmt(self, q: Question, stat: str, decimals: int | None = None) -> Callable[..., str]:
        """Formatter by stat; a second argument overrides the decimals (a published value's precision)."""
        return lambda v, d=None: format_value(
            v, stat, decimals=d if d is not None else decimals, percent=q.type == "percent"
        )

    # --- numbers -----------------------------------------------------------------------
    def value(self, qid: str, key: str = "", stat: str = "pct") -> float:
        """The unrounded number (for conditions; not printed)."""
        return self._number(qid, key, stat)

    def pct(self, qid: str, key: str) -> str:
        """Share of municipalities (or respondents, for respondent questions) in category ``key``: "60%"."""
        return fmt_pct(self._number(qid, key, "pct"))

    def quantity(self, qid: str, key: str) -> str:
        """The share in words for "{{ quantity(q, k) }} gemeenten": "vrijwel alle", "de meeste", …"""
        return phrases.quantity_words(self._number(qid, key, "pct"))

    def count(self, qid: str, key: str) -> str:
        """How many municipalities chose ``key``: "170"."""
        return fmt_number(self._number(qid, key, "count"), 0)

    def mean(self, qid: str, item: str = "", decimals: int | None = None) -> str:
        """Mean of a percent estimate ("13%") or count ("9,3"); ``item`` a key, '' for the question itself."""
        return self._fmt(self._q(qid), "mean", decimals)(self._number(qid, item, "mean"))

    def median(self, qid: str, item: str = "", decimals: int | None = None) -> str:
        return self._fmt(self._q(qid), "median", decimals)(self._number(qid, item, "median"))

    def answers_mean(self, qid: str, decimals: int = 1) -> str:
        """Mean number of ticked options of a multi question: "9,3"."""
        return fmt_number(self._number(qid, "", "answers_mean"), decimals)

    def n(self, qid: str) -> str:
        """The base: how many municipalities answered."""
        q = self._q(qid)
        n = base_n(self.ch.table_for(q), q)
        self.named_bases.add(int(n))
        return fmt_number(n, 0)

    def _interval(self, qid: str, key: str):
        q = self._q(qid)
        share = self._number(qid, key, "pct")
        n = base_n(self.ch.table_for(q), q)
        population = None if q.level == "respondent" else self.ch.codebook.population_size
        return share_ci(share / 100, n, population)

    def interval(self, qid: str, key: str) -> str:
        """The 95% interval of a share: "57–63%"."""
        iv = self._interval(qid, key)
        return f"{fmt_pct(100 * iv.lower).rstrip('%')}–{fmt_pct(100 * iv.upper)}"

    def ci(self, qid: str, key: str) -> str:
        """The share with its interval: "60% (95%-BI 57–63%)"."""
        return f"{self.pct(qid, key)} (95%-BI {self.interval(qid, key)})"

    def pct_among(self, qid: str, key: str, given: str, given_key: str) -> str:
        """Share of ``key`` among the municipalities that answered ``given_key`` to ``given``."""
        g = self._q(given)
        codes = self._codes(g, given_key)
        rows = self.ch.data
        hit = rows[g.id].isin([g.option(c).label for c in codes]) if g.type == "single" else None
        if hit is None:
            hit = rows[[f"{g.id}__{c}" for c in codes]].fillna(False).astype(bool).any(axis=1)
        tag = f" | {g.id} = {self._label(g, given_key)}"
        return fmt_pct(self._number(qid, key, "pct", df=rows[hit.fillna(False).astype(bool)], tag=tag))

    def response(self, category: str = TOTAL, stat: str = "count") -> str:
        """A number of the response table: represented municipalities per size class ("G4", "Totaal"), the
        frame's count ("G4 (alle gemeenten)"), the share (``stat="pct"``) or ``"Respondenten"``."""
        table = response_table(self.ch.frame, self.ch.data, self.ch.codebook)
        return self._from_table(table, category, stat)

    def clusters(self, category: str) -> str:
        """Respondents by number of municipalities they answered for ("Respondenten: 1 gemeente")."""
        return self._from_table(respondent_clusters(self.ch.respondents), category, "pct")

    def _from_table(self, table, category: str, stat: str) -> str:
        ind = table.indicators
        hit = ind[(ind["category"] == category) & (ind["stat"] == stat)]
        if hit.empty:
            raise KeyError(f"{table.question}: geen {stat!r} voor {category!r}; wel: {sorted(set(ind['category']))}")
        self.ch.registry.record(hit.iloc[:1], table.question, table.report_ref)
        return format_value(float(hit["value"].iloc[0]), stat)

    def pct_range(self, qid: str, low: float, high: float, item: str = "", per: str | None = None) -> str:
        """Share of answering municipalities (or respondents, ``per="respondent"``) whose estimate or count lies
        from ``low`` to ``high`` (inclusive)."""
        q = self._q(qid)
        data = self.ch.table_for(q, per)
        cols = [f"{q.id}__{c}" for c in sorted(self._codes(q, item))] if q.items and item else [q.id]
        values = data.loc[answered_mask(data, q), cols].dropna().astype(float).sum(axis=1)
        n = len(values)
        if n < MIN_BASE:
            raise Suppressed(f"‘{q.text}’: minder dan {MIN_BASE} antwoorden")
        share = 100.0 * float(((values >= low) & (values <= high)).sum()) / n
        span = fmt_number(low, 0) if low == high else f"{fmt_number(low, 0)}–{fmt_number(high, 0)}"
        unit = " per respondent" if data is not self.ch.data and q.level != "respondent" else ""
        row = pd.DataFrame([{"category": f"bereik {span}{unit}", "stat": "pct", "value": share, "n": n}])
        self.ch.registry.record(row, q.id, q.report_refs[0] if q.report_refs else "")
        return fmt_pct(share)

    # --- rankings, counts and descriptions --------------------------------------------
    def _ranked(self, qid: str) -> list[tuple[str, float]]:
        """Categories from most to least chosen (options by share; items of a percent question by mean)."""
        q = self._q(qid)
        ind = question_indicators(self.ch.table_for(q), q)
        if q.type == "percent":
            means = ind[ind["stat"] == "mean"]
            value = dict(zip(means["category"], means["value"], strict=True))
            items = sorted(q.items, key=lambda it: -value[it.label])
            return [(it.key, value[it.label]) for it in items]
        pct = ind[ind["stat"] == "pct"]
        share = dict(zip(pct["category"], pct["value"], strict=True))
        main = [o for o in q.options if not (o.other_text or o.exclusive)]
        order = multi_order(q, lambda label: share[label]) if q.type == "multi" else None
        labels = order or sorted((o.label for o in main), key=lambda lab: -share[lab])
        keys = {o.label: o.key for o in main}
        return [(keys[lab], share[lab]) for lab in labels if lab in keys]

    def _shown(self, qid: str, key: str, intervals: bool = False) -> str:
        q = self._q(qid)
        if q.type == "percent":
            return self.mean(qid, key)
        return self.ci(qid, key) if intervals else self.pct(qid, key)

    def top(self, qid: str, k: int = 3, numbers: bool = True, start: int = 0) -> str:
        """The most chosen categories, places ``start + 1`` to ``start + k``: "werkervaringsplekken (80%), …"."""
        q = self._q(qid)
        parts = []
        for key, _ in self._ranked(qid)[start : start + k]:
            text = self._words(q, key)
            parts.append(f"{text} ({self._shown(qid, key)})" if numbers else text)
        return phrases.join_list(parts)

    def ranking(self, qid: str, k: int = 3, intervals: bool = False) -> str:
        """The ``k`` most chosen categories as a numbered Markdown list with shares (and intervals)."""
        q = self._q(qid)
        lines = [
            f"{i}. {markdown_text(self._label(q, key))}: {markdown_text(self._shown(qid, key, intervals))}"
            for i, (key, _) in enumerate(self._ranked(qid)[:k], 1)
        ]
        return SafeMarkdown("\n".join(lines))

    def option_count(self, qid: str) -> int:
        """How many substantive options the question offered (not "anders" or "geen van deze")."""
        return sum(not (o.other_text or o.exclusive) for o in self._q(qid).options)

    def max_answers(self, qid: str) -> int:
        q = self._q(qid)
        if q.max_answers is None:
            raise ValueError(f"{q.id} heeft geen maximum aantal antwoorden")
        return q.max_answers

    def routing(self, qid: str) -> str:
        """Who got the question: "alle gemeenten" or "gemeenten die op ‘…’ ‘Ja’ antwoordden"."""
        q = self._q(qid)
        unit = "respondenten" if q.level == "respondent" else "gemeenten"
        return describe_routing(q.asked_if, self.ch.codebook, unit=unit)

    def question(self, qid: str) -> str:
        """The question's wording this year."""
        return self._q(qid).text

    def label(self, qid: str, key: str) -> str:
        """A category in running text: its short wording from the codebook, or its label starting lower-case."""
        q = self._q(qid)
        self._codes(q, key)
        return self._words(q, key)

    def asked(self, qid: str) -> bool:
        """Is the question (or a comparable successor) in this year's questionnaire?"""
        return self.ch.asked(qid)

    def remarks(self, anchor: str) -> str:
        """This edition's remarks for ``anchor`` from ``data/raw/<year>/notes.yaml`` ('' when none)."""
        found = self.ch.notes.remarks_at(self.ch.name, anchor)
        if self.ch.prose is not None and found:  # an anchor without a remark this year is not registered
            self.ch.prose.register.add(self.ch.prose.cell, "opmerking", "\n\n".join(found), anchor, True, "")
        return SafeMarkdown("\n\n".join(markdown_text(r) for r in found))

    def loaded(self, field: str) -> str:
        """A number of the load report: ``rows_read``, ``rows_kept``, ``rows_dropped``, ``municipalities``,
        ``frame_size``."""
        return fmt_number(float(self.ch.load_report[field]), 0)

    def previous_edition(self) -> str:
        """The latest earlier edition with a codebook ("2018"); NoComparison when there is none."""
        earlier = [y for y in self.ch.history.years if y < self.ch.year]
        if not earlier:
            raise NoComparison("er is geen eerdere editie")
        return str(max(earlier))

    def _frame_change(self) -> FrameChange | None:
        earlier = [y for y in self.ch.history.years if y < self.ch.year]
        if not earlier:
            return None
        before = self.ch.history.codebooks[max(earlier)].frame_year
        change = frame_change(before, self.ch.codebook.frame_year)
        return change if change.changed else None

    def frame_changed(self) -> bool:
        """Does this edition's municipality frame differ from the previous edition's (mergers, divisions)?"""
        return self._frame_change() is not None

    def frame_change(self) -> str:
        """The reorganisations since the previous edition, from the merger tables, and what they mean for
        comparisons; NoComparison when the frame is the same."""
        change = self._frame_change()
        if change is None:
            raise NoComparison("de gemeentelijst is dezelfde als in de vorige editie")
        previous = max(y for y in self.ch.history.years if y < self.ch.year)
        return phrases.frame_change_sentence(change, previous, self.ch.year)

    def has_publication(self) -> bool:
        """Were numbers of this edition published (``data/raw/published/monitor_<year>.csv``)?"""
        return (paths.PUBLISHED_DIR / f"monitor_{self.ch.year}.csv").exists()


FILTERS: dict[str, Callable[..., Any]] = {
    "words": phrases.number_word,
    "lower_first": phrases.lower_first,
    "upper_first": lambda text: text[:1].upper() + text[1:],
    "n": fmt_n,
    "date": lambda v: dutch_date(v if isinstance(v, dt.date) else str(v)),
}
