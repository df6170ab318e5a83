"""Direction words of ``%%tekst`` blocks: between editions ("steeg", "de vorige monitor"), between size
classes ("vaker dan") and against an interval ("binnen"), from the comparisons in ``analysis.comparisons``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from helpers.analysis.comparisons import (
    EditionChange,
    GroupComparison,
    mean_change,
    position,
    share_change,
    size_comparison,
    size_mean_comparison,
)
from helpers.analysis.edition_changes import SHARE_TYPES, compared_change, routing_differs
from helpers.analysis.frequencies import answered_mask, base_n
from helpers.analysis.panel import NotComparable
from helpers.analysis.trends import COMPUTED
from helpers.report import phrases
from helpers.report.errors import NoComparison, Suppressed
from helpers.report.prose_names import NUMBER, WORDS, placeholder
from helpers.survey.codebook import Question
from helpers.survey.formatting import fmt_pct
from helpers.survey.vocabulary import LARGE_GROUP, MERGED_LARGE, SMALL_CLASS, SMALL_GROUP

if TYPE_CHECKING:
    from helpers.report.numbers import Numbers


class Comparisons:
    """Comparison words for one chapter, computed with its numbers (``report.numbers``)."""

    def __init__(self, numbers: Numbers):
        self.nv = numbers
        self._trends: dict[tuple[str, str, str], pd.DataFrame] = {}

    # --- editions ----------------------------------------------------------------------
    def _series(self, qid: str, key: str, stat: str) -> pd.DataFrame:
        cache_key = (qid, key, stat)
        if cache_key not in self._trends:
            table = self.nv.ch.trend_table(qid, [key], stat=stat)
            self._trends[cache_key] = table.meta["long"] if table is not None else pd.DataFrame()
        return self._trends[cache_key]

    def _change(self, qid: str, key: str = "", stat: str = "pct") -> EditionChange:
        q = self.nv._q(qid)
        self.nv._codes(q, key)
        series = self._series(qid, key, stat)
        series = series[series["value"].notna()]
        before = series[series["year"] < self.nv.ch.year]
        if before.empty or before["break"].iloc[-1]:
            raise NoComparison(f"geen eerdere monitor stelde ‘{q.text}’ op vergelijkbare wijze")
        last = before.iloc[-1]
        mark = len(self.nv.computed)
        now = self.nv._number(qid, key, stat)
        n_now = base_n(self.nv.ch.table_for(q), q)
        n_then = None if pd.isna(last["n"]) else int(last["n"])
        decimals = None if pd.isna(last.get("decimals")) else int(last["decimals"])
        if stat != "pct":
            sd = self._spread(q, key, stat)
            change = mean_change((int(last["year"]), float(last["value"]), n_then), (self.nv.ch.year, now, n_now), sd)
            change = replace(change, before_decimals=decimals)
        else:
            pop_then = self._population(int(last["year"]))
            change = share_change(
                (int(last["year"]), float(last["value"]), n_then, pop_then),
                (self.nv.ch.year, now, n_now, self.nv.ch.codebook.population_size),
                before_decimals=decimals,
            )
            change = self._like_with_like(q, key, change, str(last["source"]))
        self._record_editions(q, stat, change, str(last.get("category") or ""))
        # the text prints the earlier value first ("van 72% in 2017 naar 84% in 2018"): it is matched first
        noted = self.nv.computed[mark:]
        self.nv.computed[mark:] = noted[1:] + noted[:1]
        return change

    def _record_editions(self, q: Question, stat: str, change: EditionChange, label: str) -> None:
        """Record the earlier edition's value with its own year (category ``"<year>: <label>"``, as the trend views
        name it); a comparison restricted to part of the municipalities (``among``) records both values, marked so."""
        among = f" ({change.among})" if change.among else ""
        sides = [(change.year_before, change.before, None if change.assumed_base else change.n_before)]
        if change.among:
            sides.append((change.year_after, change.after, change.n_after))
        for year, value, n in sides:
            self.nv._record_number(q, f"{year}: {label}{among}".rstrip(": "), stat, value, n)

    def _like_with_like(self, q: Question, key: str, change: EditionChange, source: str) -> EditionChange:
        """``change`` on the municipalities asked in both editions when the routing changed (the rule of
        ``analysis.panel``); NoComparison when they cannot be matched."""
        ch, y0 = self.nv.ch, change.year_before
        if q.level == "respondent" or q.type not in SHARE_TYPES:
            return change
        data = {y0: ch.earlier_editions[y0], ch.year: ch.data} if y0 in ch.earlier_editions else {}
        why = ""
        if source != COMPUTED or not data:
            if routing_differs(ch.history, q, ch.year, y0):
                why = f"de vraag is in {y0} aan een andere groep gemeenten gesteld"
            if not why:
                return change
        else:
            try:
                found = compared_change(ch.history, q, ch.year, y0, data, key)
            except NotComparable as exc:
                why = str(exc)
            else:
                return found.change if found.routing else change
        raise NoComparison(f"‘{q.text}’ is niet te vergelijken met {y0}: {why}")

    def _population(self, year: int) -> int | None:
        cb = self.nv.ch.history.codebooks.get(year)
        return cb.population_size if cb is not None else None

    def _spread(self, q: Question, key: str, stat: str) -> float:
        """Standard deviation behind a mean (per municipality), for the noise margin of its change."""
        data = self.nv.ch.table_for(q)
        rows = data.loc[answered_mask(data, q)]
        if stat == "answers_mean":
            values = rows[[f"{q.id}__{o.code}" for o in q.options]].fillna(False).astype(bool).sum(axis=1)
        else:
            cols = [f"{q.id}__{c}" for c in sorted(self.nv._codes(q, key))] if q.items and key else [q.id]
            values = rows[cols].dropna().astype(float).sum(axis=1)
        return float(values.std(ddof=1)) if len(values) > 1 else 0.0

    @placeholder(
        WORDS,
        "Sinds de vorige vergelijkbare editie: ‘steeg van 72% in 2017 naar 84% in 2018’, ‘bleef gelijk …’; "
        '``stat="mean"`` voor een gemiddelde.',
        'change("measures_offered", "dedicated_case_managers")',
        reviewed=True,
    )
    def change(self, qid: str, key: str = "", stat: str = "pct") -> str:
        """Since the previous comparable edition: "steeg van 72% in 2017 naar 84% in 2018", "bleef gelijk …"."""
        q = self.nv._q(qid)
        return phrases.change_phrase(self._change(qid, key, stat), self.nv._fmt(q, stat))

    @placeholder(
        WORDS,
        "‘steeg’, ‘daalde’, ‘bleef nagenoeg gelijk’ of ‘bleef gelijk’.",
        'change_verb("start_moment", "at_settlement")',
        reviewed=True,
    )
    def change_verb(self, qid: str, key: str = "", stat: str = "pct") -> str:
        """ "steeg", "daalde", "bleef nagenoeg gelijk" or "bleef gelijk"."""
        return phrases.change_verb(self._change(qid, key, stat))

    @placeholder(
        WORDS,
        "‘vaker’, ‘minder vaak’, ‘ongeveer even vaak’ of ‘even vaak’ (dan in de vorige editie).",
        'change_adverb("start_moment", "at_settlement")',
        reviewed=True,
    )
    def change_adverb(self, qid: str, key: str = "", stat: str = "pct") -> str:
        """ "vaker", "minder vaak", "ongeveer even vaak" or "even vaak" (than in the previous edition)."""
        return phrases.change_adverb(self._change(qid, key, stat))

    @placeholder(
        WORDS,
        "De vorige editie die de vraag vergelijkbaar stelde: ‘2017’.",
        'previous_year("employer_support", "trial_placement")',
        reviewed=True,
    )
    def previous_year(self, qid: str, key: str = "", stat: str = "pct") -> str:
        """The previous edition that asked the question comparably ("2017")."""
        return str(self._change(qid, key, stat).year_before)

    @placeholder(
        NUMBER,
        "De waarde in die vorige editie: ‘72%’.",
        'previous("employer_support", "trial_placement")',
        reviewed=True,
    )
    def previous(self, qid: str, key: str = "", stat: str = "pct") -> str:
        """The value in that previous edition ("72%")."""
        change = self._change(qid, key, stat)
        return self.nv._fmt(self.nv._q(qid), stat)(change.before, change.before_decimals)

    @placeholder(
        WORDS,
        "Waar het aandeel van de vorige editie ligt ten opzichte van het interval van dit jaar: ‘onder’, "
        "‘binnen’, ‘boven’.",
        'position("measures_offered", "dedicated_case_managers")',
        reviewed=True,
    )
    def position(self, qid: str, key: str) -> str:
        """Where the previous edition's share lies against this year's interval: "onder", "binnen", "boven"."""
        change = self._change(qid, key)
        iv = self.nv._interval(qid, key)
        return phrases.position_phrase(position(change.before / 100, iv))

    # --- size classes --------------------------------------------------------------------
    def _groups(self, qid: str, key: str) -> GroupComparison:
        q = self.nv._q(qid)
        codes = self.nv._codes(q, key)
        data = self.nv.ch.data
        if q.type == "single":
            hit = data[q.id].isin([q.option(c).label for c in codes])
        else:
            hit = data[[f"{q.id}__{c}" for c in codes]].fillna(False).astype(bool).any(axis=1)
        try:
            return size_comparison(data, q, hit)
        except ValueError as exc:
            raise Suppressed(str(exc)) from None

    @placeholder(
        WORDS,
        "Grote gemeenten (G4, G40) tegenover middelgrote en kleine: ‘vaker dan’, ‘minder vaak dan’, ….",
        'size_word("additional_policy", "yes")',
        reviewed=True,
    )
    def size_word(self, qid: str, key: str) -> str:
        """Large (G4, G40) against medium and small municipalities: "vaker dan", "minder vaak dan", …"""
        return phrases.group_phrase(self._groups(qid, key))

    @placeholder(
        NUMBER,
        "Het aandeel onder ``klasse=GROOT`` (G4 en G40) of ``klasse=KLEIN`` (middelgrote en kleine gemeenten).",
        'size_pct("additional_policy", "yes", klasse=GROOT)',
    )
    def size_pct(self, qid: str, key: str, *, klasse: str) -> str:
        """The share among ``klasse`` GROOT (G4 and G40) or KLEIN (medium and small municipalities)."""
        cmp = self._groups(qid, key)
        large = _is_large(klasse)
        self._record_group(qid, key, "pct", cmp, large)
        return fmt_pct(cmp.large if large else cmp.small)

    def _record_group(self, qid: str, key: str, stat: str, cmp: GroupComparison, large: bool) -> None:
        """Record the printed group's number of a size comparison: category ``"<group>: <label>"`` with the group
        "Grote gemeenten (G4/G40)" or "Middelgroot/klein", as the size-class views name them."""
        q = self.nv._q(qid)
        label = self.nv._label(q, key) if key else ""
        group = MERGED_LARGE if large else SMALL_CLASS
        value, n = (cmp.large, cmp.n_large) if large else (cmp.small, cmp.n_small)
        self.nv._record_number(q, f"{group}: {label}" if label else group, stat, value, n)

    def _mean_groups(self, qid: str, item: str) -> GroupComparison:
        q = self.nv._q(qid)
        data = self.nv.ch.table_for(q)
        cols = [f"{q.id}__{c}" for c in sorted(self.nv._codes(q, item))] if q.items and item else [q.id]
        values = data[cols].astype(float).sum(axis=1, min_count=len(cols))
        try:
            return size_mean_comparison(data, q, values)
        except ValueError as exc:
            raise Suppressed(str(exc)) from None

    @placeholder(
        NUMBER,
        "De gemiddelde schatting onder ``klasse=GROOT`` of ``klasse=KLEIN``.",
        'size_mean("integration_routes", "none_yet", klasse=KLEIN)',
    )
    def size_mean(self, qid: str, item: str = "", *, klasse: str) -> str:
        """The mean estimate among ``klasse`` GROOT (G4 and G40) or KLEIN (medium and small)."""
        cmp = self._mean_groups(qid, item)
        large = _is_large(klasse)
        self._record_group(qid, item, "mean", cmp, large)
        return self.nv._fmt(self.nv._q(qid), "mean")(cmp.large if large else cmp.small)

    @placeholder(
        WORDS,
        "Het gemiddelde van grote tegenover middelgrote en kleine gemeenten: ‘hoger dan’, ‘lager dan’, "
        "‘ongeveer even hoog als’.",
        'size_mean_word("integration_routes", "none_yet")',
    )
    def size_mean_word(self, qid: str, item: str = "") -> str:
        """Large against medium and small municipalities' mean: "hoger dan", "lager dan", "ongeveer even hoog als"."""
        return phrases.group_mean_phrase(self._mean_groups(qid, item))


def _is_large(klasse: str) -> bool:
    """``klasse`` is GROOT or KLEIN; anything else is an error naming both."""
    if klasse not in (LARGE_GROUP, SMALL_GROUP):
        raise ValueError(f"klasse moet GROOT of KLEIN zijn ({LARGE_GROUP!r} of {SMALL_GROUP!r}), niet {klasse!r}")
    return klasse == LARGE_GROUP
