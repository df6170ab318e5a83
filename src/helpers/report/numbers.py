"""The computing core of the prose vocabulary: resolve a question and category, compute a number with
the code of the tables (``analysis``), check its base and record it in the chapter's indicators.

:class:`report.narrative.Narrative`, :class:`report.comparison_words.Comparisons` and
:class:`report.claims.Predicates` print and test these numbers; none of them needs the others'
internals. A number that cannot be true this year raises ``QuestionGone``, :class:`Suppressed` or
:class:`NoComparison` (``report.errors``) instead of printing a dash.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from helpers.analysis.frequencies import base_n, combined_value, question_indicators
from helpers.analysis.intervals import share_ci
from helpers.analysis.question_tables import multi_order
from helpers.report import phrases
from helpers.report.conclusions import check_shown
from helpers.report.errors import NoComparison, Suppressed
from helpers.report.prose_names import NUMBER, placeholder
from helpers.survey.codebook import Category, Question
from helpers.survey.formatting import format_value
from helpers.survey.vocabulary import MIN_BASE, REPORT_REF_SEPARATOR

if TYPE_CHECKING:
    from helpers.analysis.intervals import Interval
    from helpers.report.chapter import Chapter

#: How an entry reaches the claims register: ``record(kind, text, condition, holds, numbers)``.
Record = Callable[[str, str, str, bool, str], None]


def report_ref(q: Question) -> str:
    """Every place of ``q`` in the published edition (its codebook ``report_refs``), joined: "Tabel 8.1; Figuur 5.3"."""
    return REPORT_REF_SEPARATOR.join(q.report_refs)


def _no_record(kind: str, text: str, condition: str, holds: bool, numbers: str) -> None:
    """Outside a ``%%tekst`` context nothing is registered."""


class Numbers:
    """The numbers of one chapter as prose uses them; ``record`` writes to the prose context's claims register."""

    def __init__(self, chapter: Chapter, record: Record = _no_record):
        self.ch = chapter
        self.record = record
        #: (question, n) of every share printed since the last ``reset_bases`` (one ``%%tekst`` block) ...
        self.bases: list[tuple[str, int]] = []
        #: ... and the bases the block states itself with ``n(...)``.
        self.named_bases: set[int] = set()
        #: Every number computed since the prose context last took them (``take_computed``): its indicator
        #: identity (question, category, stat, value, n), so the HTML can link a printed number to its row.
        self.computed: list[dict[str, object]] = []

    def reset_bases(self) -> None:
        self.bases, self.named_bases = [], set()

    def take_computed(self) -> list[dict[str, object]]:
        """The numbers computed since the last call (oldest first), forgotten here."""
        taken, self.computed = self.computed, []
        return taken

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
        if stat == "pct" and not tag:  # a share among a subgroup (pct_among) names its base in the text
            self.bases.append((q.id, int(n)))
        self._record_number(q, category + tag, stat, value, n, ref=report_ref(q) if not tag else "")
        return value

    def _record_number(
        self, q: Question, category: str, stat: str, value: float, n: int | None, *, ref: str = ""
    ) -> None:
        """Record one number of question ``q`` in the chapter's indicators and note it for the passage printing it.

        ``ref`` is where the published edition printed it (:func:`report_ref`), '' for a number it did not print.
        """
        row = pd.DataFrame([{"category": category, "stat": stat, "value": value, "n": n}])
        self.ch.registry.record(row, q.id, ref)
        self.note_computed(q.id, category, stat, value, n, percent=q.type == "percent")

    def note_computed(
        self, question: str, category: str, stat: str, value: float, n: object, *, percent: bool = False
    ) -> None:
        """Note a number just recorded in the indicators (``computed``), so a passage that prints it links it."""
        base = None if n is None or pd.isna(n) else int(n)  # type: ignore[call-overload]
        self.computed.append(
            {"question": question, "category": category, "stat": stat, "value": float(value), "n": base,
             "percent": percent}
        )  # fmt: skip

    def _fmt(self, q: Question, stat: str, decimals: int | None = None) -> Callable[..., str]:
        """Formatter by stat; a second argument overrides the decimals (a published value's precision)."""
        return lambda v, d=None: format_value(
            v, stat, decimals=d if d is not None else decimals, percent=q.type == "percent"
        )

    @placeholder(
        NUMBER,
        "Het onafgeronde getal (voor voorwaarden, niet om te tonen); ``stat`` is pct, mean, median, count of "
        "answers_mean.",
        'value("additional_policy", "yes") > value("additional_policy", "no")',
    )
    def value(self, qid: str, key: str = "", stat: str = "pct") -> float:
        """The unrounded number (for conditions; not printed)."""
        return self._number(qid, key, stat)

    def _interval(self, qid: str, key: str, *, record: bool = False) -> Interval:
        """The 95% interval of a share; ``record`` records its bounds (``ci_low``, ``ci_high``) when printed."""
        q = self._q(qid)
        share = self._number(qid, key, "pct")
        n = base_n(self.ch.table_for(q), q)
        population = None if q.level == "respondent" else self.ch.codebook.population_size
        iv = share_ci(share / 100, n, population)
        if record:
            category = self._label(q, key) if key else ""
            self._record_number(q, category, "ci_low", 100 * iv.lower, n)
            self._record_number(q, category, "ci_high", 100 * iv.upper, n)
        return iv

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
