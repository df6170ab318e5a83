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
from typing import TYPE_CHECKING

from helpers import paths
from helpers.analysis.comparisons import (
    ALPHA,
    Z,
)
from helpers.analysis.frame_change import FrameChange, frame_change
from helpers.analysis.frequencies import answered_mask, base_n
from helpers.analysis.response import respondent_clusters, response_table
from helpers.report import phrases
from helpers.report.comparison_words import Comparisons
from helpers.report.errors import NoComparison, Suppressed
from helpers.report.method import calibration_sentence
from helpers.report.numbers import Numbers, Record, _no_record, report_ref
from helpers.report.prose_names import FILTER, NUMBER, TEST, VALUE, WORDS, placeholder
from helpers.survey.formatting import dutch_date, fmt_n, fmt_number, fmt_pct, format_value
from helpers.survey.routing import describe_routing
from helpers.survey.text_escape import SafeMarkdown, markdown_text
from helpers.survey.vocabulary import LARGE_GROUP, MIN_BASE, SMALL_GROUP, TOTAL

if TYPE_CHECKING:
    from helpers.report.chapter import Chapter


class Narrative(Numbers):
    """The numbers, words and fixed values of ``%%tekst`` blocks, bound to one chapter; each registers itself
    (``report.prose_names``), and :attr:`comparisons` holds the comparison words."""

    def __init__(self, chapter: Chapter, record: Record = _no_record):
        super().__init__(chapter, record)
        self.comparisons = Comparisons(self)

    # --- fixed values of the edition -----------------------------------------------------
    @placeholder(VALUE, "Het jaar van de editie.", "year")
    def year(self) -> int:
        return self.ch.year

    @placeholder(VALUE, "De eerste dag van het veldwerk: ‘1 maart 2018’.", "fieldwork_start")
    def fieldwork_start(self) -> str:
        return dutch_date(self.ch.codebook.fieldwork[0])

    @placeholder(VALUE, "De laatste dag van het veldwerk.", "fieldwork_end")
    def fieldwork_end(self) -> str:
        return dutch_date(self.ch.codebook.fieldwork[1])

    @placeholder(VALUE, "Het aantal gemeenten in het kader van de editie: ‘380’.", "population")
    def population(self) -> str:
        return fmt_number(self.ch.codebook.population_size, 0)

    @placeholder(VALUE, "De kleinste basis waarop een getal getoond wordt.", "min_base")
    def min_base(self) -> int:
        return MIN_BASE

    @placeholder(VALUE, "Het significantieniveau van vergelijkingen: ‘0,05’.", "alpha")
    def alpha(self) -> str:
        return fmt_number(ALPHA, 2)

    @placeholder(VALUE, "De z-waarde van de 95%-intervallen: ‘1,96’.", "z")
    def z(self) -> str:
        return fmt_number(Z, 2)

    @placeholder(VALUE, "Rust de editie op synthetische gegevens? Voor ``{% if %}``.", "synthetic")
    def synthetic(self) -> bool:
        return self.ch.codebook.synthetic

    @placeholder(VALUE, "Bij synthetische gegevens: de zin over hun kalibratie (anders leeg).", "calibration")
    def calibration(self) -> str:
        return calibration_sentence(self.ch.year) if self.ch.codebook.synthetic else ""

    @placeholder(VALUE, "De grote gemeenten (G4 en G40), voor ``klasse=`` van ``size_pct`` en ``size_mean``.", "GROOT")
    def GROOT(self) -> str:
        return LARGE_GROUP

    @placeholder(VALUE, "De middelgrote en kleine gemeenten, voor ``klasse=``.", "KLEIN")
    def KLEIN(self) -> str:
        return SMALL_GROUP

    # --- numbers -----------------------------------------------------------------------

    @placeholder(
        NUMBER,
        "Aandeel gemeenten (of respondenten, bij vragen per respondent) in categorie ``key``: ‘60%’.",
        'pct("additional_policy", "yes")',
    )
    def pct(self, qid: str, key: str) -> str:
        """Share of municipalities (or respondents, for respondent questions) in category ``key``: "60%"."""
        return fmt_pct(self._number(qid, key, "pct"))

    @placeholder(
        WORDS,
        "Het aandeel in woorden, voor ‘… gemeenten’: ‘vrijwel alle’, ‘de meeste’, ….",
        'quantity("additional_policy", "yes")',
    )
    def quantity(self, qid: str, key: str) -> str:
        """The share in words for "{{ quantity(q, k) }} gemeenten": "vrijwel alle", "de meeste", …"""
        return phrases.quantity_words(self._number(qid, key, "pct"))

    @placeholder(
        NUMBER,
        "Hoeveel gemeenten ``key`` kozen: ‘170’.",
        'count("additional_policy", "yes")',
    )
    def count(self, qid: str, key: str) -> str:
        """How many municipalities chose ``key``: "170"."""
        return fmt_number(self._number(qid, key, "count"), 0)

    @placeholder(
        NUMBER,
        "Gemiddelde van een schatting (‘13%’) of aantal (‘9,3’); ``item`` een sleutel, leeg voor de vraag "
        "zelf; ``decimals`` overschrijft het aantal decimalen.",
        'mean("integration_routes", "via_education")',
    )
    def mean(self, qid: str, item: str = "", decimals: int | None = None) -> str:
        """Mean of a percent estimate ("13%") or count ("9,3"); ``item`` a key, '' for the question itself."""
        return self._fmt(self._q(qid), "mean", decimals)(self._number(qid, item, "mean"))

    @placeholder(
        NUMBER,
        "Mediaan van een schatting of aantal; ``item`` als bij ``mean``.",
        'median("education_good_route")',
    )
    def median(self, qid: str, item: str = "", decimals: int | None = None) -> str:
        return self._fmt(self._q(qid), "median", decimals)(self._number(qid, item, "median"))

    @placeholder(
        NUMBER,
        "Gemiddeld aantal aangevinkte opties van een meerkeuzevraag: ‘9,3’.",
        'answers_mean("measures_offered")',
    )
    def answers_mean(self, qid: str, decimals: int = 1) -> str:
        """Mean number of ticked options of a multi question: "9,3"."""
        return fmt_number(self._number(qid, "", "answers_mean"), decimals)

    @placeholder(
        NUMBER,
        "De basis: hoeveel gemeenten de vraag beantwoordden (noemt de basis van de passage).",
        'n("additional_policy")',
    )
    def n(self, qid: str) -> str:
        """The base: how many municipalities answered."""
        q = self._q(qid)
        n = int(base_n(self.ch.table_for(q), q))
        self.named_bases.add(n)
        self._record_number(q, "", "n", float(n), n)
        return fmt_number(n, 0)

    @placeholder(
        NUMBER,
        "Het 95%-betrouwbaarheidsinterval van een aandeel: ‘57–63%’.",
        'interval("additional_policy", "yes")',
    )
    def interval(self, qid: str, key: str) -> str:
        """The 95% interval of a share: "57–63%"."""
        iv = self._interval(qid, key, record=True)
        return f"{fmt_pct(100 * iv.lower).rstrip('%')}–{fmt_pct(100 * iv.upper)}"

    @placeholder(
        NUMBER,
        "Het aandeel met zijn interval: ‘60% (95%-BI 57–63%)’.",
        'ci("additional_policy", "yes")',
    )
    def ci(self, qid: str, key: str) -> str:
        """The share with its interval: "60% (95%-BI 57–63%)"."""
        return f"{self.pct(qid, key)} (95%-BI {self.interval(qid, key)})"

    @placeholder(
        NUMBER,
        "Aandeel ``key`` onder de gemeenten die ``given_key`` antwoordden op ``given``.",
        'pct_among("evaluation", "yes", "outflow_monitoring", "yes")',
    )
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

    @placeholder(
        NUMBER,
        "Een getal uit de responstabel: vertegenwoordigde gemeenten per grootteklasse (‘G4’, ‘Totaal’), het "
        'aantal in het kader (‘G4 (alle gemeenten)’), het aandeel (``stat="pct"``) of ‘Respondenten’.',
        'response("Totaal", stat="pct")',
    )
    def response(self, category: str = TOTAL, stat: str = "count") -> str:
        """A number of the response table: represented municipalities per size class ("G4", "Totaal"), the
        frame's count ("G4 (alle gemeenten)"), the share (``stat="pct"``) or ``"Respondenten"``."""
        table = response_table(self.ch.frame, self.ch.data, self.ch.codebook)
        return self._from_table(table, category, stat)

    @placeholder(
        NUMBER,
        "Aandeel respondenten naar het aantal gemeenten waarvoor zij antwoordden.",
        'clusters("Respondenten: 1 gemeente")',
    )
    def clusters(self, category: str) -> str:
        """Respondents by number of municipalities they answered for ("Respondenten: 1 gemeente")."""
        return self._from_table(respondent_clusters(self.ch.respondents), category, "pct")

    def _from_table(self, table, category: str, stat: str) -> str:
        ind = table.indicators
        hit = ind[(ind["category"] == category) & (ind["stat"] == stat)]
        if hit.empty:
            raise KeyError(f"{table.question}: geen {stat!r} voor {category!r}; wel: {sorted(set(ind['category']))}")
        self.ch.registry.record(hit.iloc[:1], table.question, table.report_ref)
        self.note_computed(table.question, category, stat, float(hit["value"].iloc[0]), hit["n"].iloc[0])
        return format_value(float(hit["value"].iloc[0]), stat)

    @placeholder(
        NUMBER,
        'Aandeel gemeenten (of respondenten, ``per="respondent"``) waarvan de schatting of het aantal van '
        "``minimum`` tot en met ``maximum`` loopt; één grens mag ontbreken.",
        'pct_range("municipal_paid_jobs_count", minimum=6, per="respondent")',
    )
    def pct_range(
        self,
        qid: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        item: str = "",
        per: str | None = None,
    ) -> str:
        """Share of answering municipalities (or respondents, ``per="respondent"``) whose estimate or count lies
        from ``minimum`` to ``maximum`` (inclusive; a missing bound is open)."""
        if minimum is None and maximum is None:
            raise ValueError("pct_range heeft minimum=… of maximum=… nodig (of beide)")
        low = -math.inf if minimum is None else minimum
        high = math.inf if maximum is None else maximum
        q = self._q(qid)
        data = self.ch.table_for(q, per)
        cols = [f"{q.id}__{c}" for c in sorted(self._codes(q, item))] if q.items and item else [q.id]
        values = data.loc[answered_mask(data, q), cols].dropna().astype(float).sum(axis=1)
        n = len(values)
        if n < MIN_BASE:
            raise Suppressed(f"‘{q.text}’: minder dan {MIN_BASE} antwoorden")
        share = 100.0 * float(((values >= low) & (values <= high)).sum()) / n
        span = _span(minimum, maximum)
        unit = " per respondent" if data is not self.ch.data and q.level != "respondent" else ""
        self._record_number(q, f"bereik {span}{unit}", "pct", share, n, ref=report_ref(q))
        return fmt_pct(share)

    # --- rankings, counts and descriptions --------------------------------------------

    def _shown(self, qid: str, key: str, intervals: bool = False) -> str:
        q = self._q(qid)
        if q.type == "percent":
            return self.mean(qid, key)
        return self.ci(qid, key) if intervals else self.pct(qid, key)

    @placeholder(
        WORDS,
        "De vaakst gekozen categorieën, plaatsen ``start + 1`` tot ``start + k``: ‘werkervaringsplekken (80%), "
        "…’; ``numbers=False`` zonder percentages.",
        'top("measures_offered", 3)',
    )
    def top(self, qid: str, k: int = 3, numbers: bool = True, start: int = 0) -> str:
        """The most chosen categories, places ``start + 1`` to ``start + k``: "werkervaringsplekken (80%), …"."""
        q = self._q(qid)
        parts = []
        for key, _ in self._ranked(qid)[start : start + k]:
            text = self._words(q, key)
            parts.append(f"{text} ({self._shown(qid, key)})" if numbers else text)
        return phrases.join_list(parts)

    @placeholder(
        WORDS,
        "De ``k`` vaakst gekozen categorieën als genummerde lijst met aandelen (en intervallen).",
        'ranking("success_factors", 3, intervals=True)',
    )
    def ranking(self, qid: str, k: int = 3, intervals: bool = False) -> str:
        """The ``k`` most chosen categories as a numbered Markdown list with shares (and intervals)."""
        q = self._q(qid)
        lines = [
            f"{i}. {markdown_text(self._label(q, key))}: {markdown_text(self._shown(qid, key, intervals))}"
            for i, (key, _) in enumerate(self._ranked(qid)[:k], 1)
        ]
        return SafeMarkdown("\n".join(lines))

    @placeholder(
        NUMBER,
        "Hoeveel inhoudelijke opties de vraag had (niet ‘anders’ of ‘geen van deze’).",
        'option_count("measures_offered") | words',
    )
    def option_count(self, qid: str) -> int:
        """How many substantive options the question offered (not "anders" or "geen van deze")."""
        return sum(not (o.other_text or o.exclusive) for o in self._q(qid).options)

    @placeholder(
        NUMBER,
        "Het maximum aantal antwoorden van een meerkeuzevraag.",
        'max_answers("success_factors")',
    )
    def max_answers(self, qid: str) -> int:
        q = self._q(qid)
        if q.max_answers is None:
            raise ValueError(f"{q.id} heeft geen maximum aantal antwoorden")
        return q.max_answers

    @placeholder(
        WORDS,
        "Wie de vraag kreeg: ‘alle gemeenten’ of ‘gemeenten die op ‘…’ ‘Ja’ antwoordden’.",
        'routing("aftercare")',
    )
    def routing(self, qid: str) -> str:
        """Who got the question: "alle gemeenten" or "gemeenten die op ‘…’ ‘Ja’ antwoordden"."""
        q = self._q(qid)
        unit = "respondenten" if q.level == "respondent" else "gemeenten"
        return describe_routing(q.asked_if, self.ch.codebook, unit=unit)

    @placeholder(
        WORDS,
        "De tekst van de vraag in deze editie.",
        'question("additional_policy")',
    )
    def question(self, qid: str) -> str:
        """The question's wording this year."""
        return self._q(qid).text

    @placeholder(
        WORDS,
        "Een categorie in lopende tekst: de korte tekst uit het codeboek, of het label met kleine beginletter.",
        'label("measures_offered", "work_placements")',
    )
    def label(self, qid: str, key: str) -> str:
        """A category in running text: its short wording from the codebook, or its label starting lower-case."""
        q = self._q(qid)
        self._codes(q, key)
        return self._words(q, key)

    @placeholder(
        TEST,
        "Is de vraag (of een vergelijkbare opvolger) dit jaar gesteld? Voor ``{% if %}``.",
        'asked("additional_policy")',
    )
    def asked(self, qid: str) -> bool:
        """Is the question (or a comparable successor) in this year's questionnaire?"""
        return self.ch.asked(qid)

    @placeholder(
        WORDS,
        "De opmerkingen van deze editie bij ``anchor`` uit ``data/raw/<jaar>/notes.yaml`` (leeg als er geen zijn).",
        'remarks("trial_placement")',
    )
    def remarks(self, anchor: str) -> str:
        """This edition's remarks for ``anchor`` from ``data/raw/<year>/notes.yaml`` ('' when none)."""
        found = self.ch.notes.remarks_at(self.ch.name, anchor)
        if found:  # an anchor without a remark this year is not registered
            self.record("opmerking", "\n\n".join(found), anchor, True, "")
        return SafeMarkdown("\n\n".join(markdown_text(r) for r in found))

    @placeholder(
        NUMBER,
        "Een getal uit het inleesverslag: ``rows_read``, ``rows_kept``, ``rows_dropped``, ``municipalities``, "
        "``frame_size``.",
        'loaded("rows_kept")',
    )
    def loaded(self, field: str) -> str:
        """A number of the load report: ``rows_read``, ``rows_kept``, ``rows_dropped``, ``municipalities``,
        ``frame_size``; recorded as a count of the municipality question (category ``LOAD_CATEGORIES[field]``)."""
        value = float(self.ch.load_report[field])
        self._record_number(self.ch.codebook.municipality_question, LOAD_CATEGORIES[field], "count", value, None)
        return fmt_number(value, 0)

    @placeholder(
        WORDS,
        "De laatste eerdere editie met een codeboek (‘2018’); de passage vervalt als die er niet is.",
        "previous_edition()",
    )
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

    @placeholder(
        TEST,
        "Verschilt de gemeentelijst van deze editie van die van de vorige (fusies, splitsingen)? Voor ``{% if %}``.",
        "frame_changed()",
    )
    def frame_changed(self) -> bool:
        """Does this edition's municipality frame differ from the previous edition's (mergers, divisions)?"""
        return self._frame_change() is not None

    @placeholder(
        WORDS,
        "De herindelingen sinds de vorige editie en wat ze betekenen voor vergelijkingen; de passage vervalt "
        "als de lijst gelijk is.",
        "frame_change()",
    )
    def frame_change(self) -> str:
        """The reorganisations since the previous edition, from the merger tables, and what they mean for
        comparisons; NoComparison when the frame is the same."""
        change = self._frame_change()
        if change is None:
            raise NoComparison("de gemeentelijst is dezelfde als in de vorige editie")
        previous = max(y for y in self.ch.history.years if y < self.ch.year)
        return phrases.frame_change_sentence(change, previous, self.ch.year)

    @placeholder(
        TEST,
        "Zijn cijfers van deze editie gepubliceerd (``data/raw/published/monitor_<jaar>.csv``)? Voor ``{% if %}``.",
        "has_publication()",
    )
    def has_publication(self) -> bool:
        """Were numbers of this edition published (``data/raw/published/monitor_<year>.csv``)?"""
        return (paths.PUBLISHED_DIR / f"monitor_{self.ch.year}.csv").exists()


#: What each number of the load report (``loaded``) counts, as its indicator's category.
LOAD_CATEGORIES = {
    "rows_read": "Responsen in de export",
    "rows_kept": "Responsen gebruikt",
    "rows_dropped": "Responsen niet gebruikt",
    "municipalities": "Vertegenwoordigde gemeenten",
    "frame_size": "Gemeenten in de gemeentelijst",
}


def _span(minimum: float | None, maximum: float | None) -> str:
    """The range as the indicators name it: "6", "2–5", "6 of meer", "tot en met 25"."""
    if maximum is None:
        return f"{fmt_number(minimum or 0, 0)} of meer"
    if minimum is None:
        return f"tot en met {fmt_number(maximum, 0)}"
    return fmt_number(minimum, 0) if minimum == maximum else f"{fmt_number(minimum, 0)}–{fmt_number(maximum, 0)}"


class Filters:
    """The filters of ``%%tekst`` blocks: ``{{ option_count("q") | words }}``."""

    @staticmethod
    @placeholder(
        FILTER, "Een heel getal van 0 tot en met 100 in woorden: ‘drie’.", 'option_count("measures_offered") | words'
    )
    def words(value: int) -> str:
        return phrases.number_word(value)

    @staticmethod
    @placeholder(FILTER, "Eerste letter klein.", 'question("additional_policy") | lower_first')
    def lower_first(text: str) -> str:
        return phrases.lower_first(text)

    @staticmethod
    @placeholder(FILTER, "Eerste letter hoofdletter.", 'quantity("additional_policy", "yes") | upper_first')
    def upper_first(text: str) -> str:
        return text[:1].upper() + text[1:]

    @staticmethod
    @placeholder(FILTER, "Een aantal als basis van een tabel of figuur: ‘n=282’.", "min_base | n")
    def n(value: int) -> str:
        return fmt_n(value)

    @staticmethod
    @placeholder(FILTER, "Een datum in het Nederlands: ‘1 maart 2018’.", '"2018-03-01" | date')
    def date(value: dt.date | str) -> str:
        return dutch_date(value if isinstance(value, dt.date) else str(value))
