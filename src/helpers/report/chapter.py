"""What a chapter notebook calls: open the chapter, show questions, breakdowns, trends, quotes.

A chapter notebook reads like a chapter::

    ch = open_chapter(year, build_dir)           # data, codebook, house style, registry, %%tekst
    ch.show("additional_policy")                 # figure in the house style, numbered, numbers recorded
    ch.breakdown("additional_policy")            # by size class, with disclosure control and a test
    ch.trend("measures_offered", ["dedicated_case_managers"])
    ch.remaining()                               # default views of this chapter's other questions

and its prose is Markdown in ``%%tekst`` cells (``report.prose``). Questions are named by codebook
id and answer categories by key, as in any edition's codebook: a question that a later edition
dropped or replaced leaves one line, a reworded one (``comparable_with``) is shown under its new
id, a split category continues as its parts (``survey.lineage``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from helpers import paths
from helpers.analysis.estimates import mean_comparison, percent_distribution, size_class_means
from helpers.analysis.question_tables import default_table, single_choice_table
from helpers.analysis.quotes import quotable_answers
from helpers.analysis.response import respondent_clusters, response_table
from helpers.analysis.size_classes import size_class_table
from helpers.analysis.table import Table
from helpers.analysis.trends import load_published, trend_table
from helpers.load.processed import edition_years, municipalities, read_processed
from helpers.report.conclusions import report_errors, reproduction_table
from helpers.report.errors import QuestionGone
from helpers.report.method import load_table, questionnaire_changes, warnings_markdown
from helpers.report.phrases import lower_first
from helpers.report.plots import (
    bar_chart,
    likert_chart,
    response_map,
    size_class_chart,
    trend_chart,
)
from helpers.report.quote_register import QuoteRegister, alternate
from helpers.report.registry import Display, Ref, Registry
from helpers.survey.codebook import Codebook, Question
from helpers.survey.lineage import QuestionHistory, Resolution, current_keys, scale_change_reason
from helpers.survey.notes import EditionNotes
from helpers.survey.text_escape import markdown_text


class QuestionIds(list[str]):
    """Question ids a view showed; prints nothing as a cell's last value in JupyterLab."""

    def _ipython_display_(self) -> None:
        """The views themselves have been shown already."""


def gone_text(res: Resolution) -> str:
    """One Dutch sentence on why a question's numbers are not in this year's report.

    A replacement whose answer scale changed says so and shows both scales ("de antwoordschaal
    veranderde van 2 naar 4 punten (‘Ja / Nee’ → ‘Nooit / Soms / Meestal / Altijd’)"); a question text is
    repeated only when it differs.
    """
    old = res.previous.text if res.previous is not None else res.requested
    if res.status != "replaced" or res.question is None:
        return f"De vraag ‘{_short(old)}’ is in {res.year} niet gesteld."
    new = res.question
    renamed = _short(old) != _short(new.text)
    scale = _scale_words(res.previous, new) if res.previous is not None else ""
    if scale:
        now = f" (nu: ‘{_short(new.text)}’)" if renamed else ""
        return (
            f"De vraag ‘{_short(old)}’ is in {res.year} gewijzigd{now}: {scale}. "
            "De antwoorden zijn daarom niet te vergelijken met die van eerdere jaren."
        )
    if not renamed:
        return (
            f"De vraag ‘{_short(old)}’ is in {res.year} zo gewijzigd dat de antwoorden niet te vergelijken zijn "
            "met die van eerdere jaren."
        )
    return (
        f"De vraag ‘{_short(old)}’ is in {res.year} vervangen door een vraag die er niet mee te vergelijken "
        f"is: ‘{_short(new.text)}’."
    )


def _scale_words(old: Question, new: Question) -> str:
    """ "de antwoordschaal veranderde van 2 naar 4 punten (‘Ja / Nee’ → ‘Nooit / … / Altijd’)" ('' if unchanged)."""
    before, after = [o.label for o in old.options], [o.label for o in new.options]
    if not before or not after or (before == after and not scale_change_reason(old, new)):
        return ""
    both = f"(‘{' / '.join(before)}’ → ‘{' / '.join(after)}’)"
    if len(before) != len(after):
        return f"de antwoordschaal veranderde van {len(before)} naar {len(after)} punten {both}"
    return f"de antwoordschaal veranderde {both}"


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


def chapter_number(name: str) -> int:
    """``03_policy`` -> 3 (the file number is the chapter number)."""
    head = name.split("_", 1)[0]
    if not head.isdigit():
        raise ValueError(f"notebooknaam {name!r} begint niet met een hoofdstuknummer (zoals 03_beleid)")
    return int(head)


class Chapter:
    """One chapter: its data, questionnaire, registry of figures and tables, and its views."""

    def __init__(
        self,
        name: str,
        year: int,
        out_dir: str | Path,
        *,
        data: pd.DataFrame,
        codebook: Codebook,
        frame: pd.DataFrame,
        history: QuestionHistory,
        notes: EditionNotes | None = None,
        respondents: pd.DataFrame | None = None,
        earlier: dict[int, pd.DataFrame] | None = None,
        display: Display | None = None,
    ) -> None:
        self.name, self.year = name, int(year)
        self.number = chapter_number(name)
        self.data, self.codebook, self.frame, self.history = data, codebook, frame, history
        self.notes = notes or EditionNotes()
        self._respondents = respondents
        self._earlier = earlier
        interactive = Path(out_dir).resolve().is_relative_to(paths.SCRATCH_DIR.resolve())
        self.registry = Registry(self.number, self.year, out_dir, name, display, interactive=interactive)
        self.quote_register = QuoteRegister(self.registry.out_dir, name, self.number)
        self.shown: set[str] = set()
        self._announced: set[str] = set()
        #: The chapters' indicators, for the conclusions (numbers there must equal a chapter's).
        self.shown_numbers: pd.DataFrame | None = None

    # --- data -----------------------------------------------------------------------
    @property
    def out_dir(self) -> Path:
        return self.registry.out_dir

    def display(self, obj: object, metadata: dict | None = None) -> None:
        self.registry.display(obj, metadata=metadata)

    @property
    def respondents(self) -> pd.DataFrame:
        """The respondent-level table (``level: respondent`` questions such as job title)."""
        if self._respondents is None:
            self._respondents = read_processed(self.year, "respondents")
        return self._respondents

    @property
    def earlier_editions(self) -> dict[int, pd.DataFrame]:
        """Municipality tables of the earlier editions, read through the loader (for trends)."""
        if self._earlier is None:
            self._earlier = {y: municipalities(y) for y in edition_years(self.year - 1)}
        return self._earlier

    def table_for(self, q: Question, per: str | None = None) -> pd.DataFrame:
        """The rows a question is counted over: respondents (``level: respondent``, or ``per="respondent"``
        for a number a respondent gave for all its municipalities together) or municipalities."""
        if per not in (None, "respondent", "municipality"):
            raise ValueError(f"per moet 'respondent' of 'municipality' zijn, niet {per!r}")
        by_respondent = per == "respondent" or (per is None and q.level == "respondent")
        return self.respondents if by_respondent else self.data

    def resolve(self, qid: str) -> Resolution:
        """What ``qid`` is this year (raises ``UnknownReference`` for an id no codebook has)."""
        return self.history.resolve(qid, self.year)

    def question(self, qid: str) -> Question:
        """This year's comparable version of ``qid``; ``QuestionGone`` when there is none."""
        res = self.resolve(qid)
        if not res.usable or res.question is None:
            raise QuestionGone(res, gone_text(res))
        return res.question

    def asked(self, qid: str) -> bool:
        """Does this year's questionnaire have ``qid`` or a comparable successor?"""
        return self.resolve(qid).usable

    def keys(self, q: Question, key: str) -> set[str] | None:
        """This year's keys of ``q`` that continue category ``key`` (None: no number of its own now)."""
        return current_keys(self.history, q, self.year, key)

    def labels(self, q: Question, keys: list[str] | None) -> list[str] | None:
        """Labels of this year's categories continuing ``keys`` (split ones expand to their parts)."""
        if keys is None:
            return None
        out: list[str] = []
        for key in keys:
            for k in sorted(self.keys(q, key) or [], key=[c.key for c in q.categories].index):
                label = q.category(k).label
                if label not in out:
                    out.append(label)
        return out

    # --- guards ---------------------------------------------------------------------
    def _usable(self, qid: str) -> Question | None:
        """The question to show, or None. In the edition that dropped or replaced it, one line says so
        (and a replacing question is shown); in later editions it is simply not there."""
        res = self.resolve(qid)
        if res.usable and res.question is not None:
            return res.question
        if qid not in self._announced and res.changed_in == self.year:
            self._announced.add(qid)
            self.display(Markdown(f"*{markdown_text(gone_text(res))}*"))
            if res.status == "replaced" and res.question is not None and res.question.id not in self.shown:
                self.show(res.question.id)
        return None

    # --- views ----------------------------------------------------------------------
    def show(
        self,
        qid: str,
        *,
        as_table: bool = False,
        collapse: bool = False,
        title: str | None = None,
        per: str | None = None,
    ) -> Ref | None:
        """One question in its view by type: a chart (single, multi, 5-point) or a table.

        ``as_table`` shows the table instead of the chart; ``collapse`` shows a 5-point scale as
        its nets plus the middle. Percent, count, text and the response question are tables.
        ``per="respondent"`` counts respondents instead of municipalities.
        """
        q = self._usable(qid)
        if q is None:
            return None
        if q.type == "text":  # open answers are only ever shown as redacted, registered quotes
            self.quotes(q.id, k=None)
            return None
        data = self.table_for(q, per)
        if q.type == "single" and collapse:
            table = single_choice_table(data, self.codebook, q, collapse=True)
        else:
            table = default_table(data, self.codebook, q, frame=self.frame)
        if data is not self.data:
            table.base = f"{table.base}; geteld per respondent, niet per gemeente"
        self.shown.add(q.id)
        title = title or (q.title if table.kind != "response" else None)
        if as_table or table.kind not in ("single", "likert", "multi"):
            return self.registry.table(table, title)
        chart = likert_chart(table) if table.kind == "likert" else bar_chart(table)
        return self.registry.figure(chart, table, title)

    def statements(self, qids: list[str], title: str | None = None, *, collapse: bool = False) -> Ref | None:
        """Several 5-point statements side by side in one stacked-bar figure (each statement's numbers
        recorded); left out when one of them is not asked this year."""
        present = [q for qid in qids if (q := self._usable(qid)) is not None]
        if len(present) < len(qids):  # a comparison of statements needs all of them
            return None
        tables = [single_choice_table(self.data, self.codebook, q, collapse=collapse) for q in present]
        self.shown.update(q.id for q in present)
        ns = {t.n for t in tables}
        title = title or " en ".join(lower_first(q.title) if i else q.title for i, q in enumerate(present))
        # every statement's numbers are the figure's: its label, its data file, its numbers table
        return self.registry.figure(likert_chart(tables), tables, title, n=ns.pop() if len(ns) == 1 else None)

    def breakdown(
        self,
        qid: str,
        keys: list[str] | None = None,
        *,
        top: int | None = None,
        nets: bool = False,
        chart: bool = True,
        title: str | None = None,
    ) -> Ref | None:
        """Shares by size class with a test of independence; cells on < 5 municipalities are not shown.

        ``keys`` chooses categories; ``top`` the most chosen ones of a multi question.
        """
        q = self._usable(qid)
        if q is None:
            return None
        labels = self.labels(q, keys)
        table = size_class_table(self.data, self.codebook, q, labels, nets=nets)
        if top is not None:
            table = size_class_table(self.data, self.codebook, q, list(table.data.index[:top]), nets=nets)
        heading = title or f"{q.title}, naar grootteklasse"
        if chart:
            self.registry.figure(size_class_chart(table), table, heading)
        return self.registry.table(table, heading)

    def trend_table(self, qid: str, keys: list[str] | None = None, *, stat: str = "pct") -> Table | None:
        """The trend of ``qid`` (None when the question is not asked this year)."""
        res = self.resolve(qid)
        if not res.usable or res.question is None:
            return None
        q = res.question
        if keys is None:
            keys = [""] if stat == "answers_mean" else [c.key for c in q.categories if c.kind != "net"] or [""]
        data = self.earlier_editions | {self.year: self.data}
        published = load_published(range(2000, self.year))
        return trend_table(self.history, q, self.year, data, published, keys, stat=stat)

    def trend(
        self,
        qid: str,
        keys: list[str] | None = None,
        *,
        stat: str = "pct",
        title: str | None = None,
        chart: bool = True,
    ) -> Ref | None:
        """The question over the editions: published earlier values plus every processed year."""
        if self._usable(qid) is None:
            return None
        table = self.trend_table(qid, keys, stat=stat)
        assert table is not None
        per = " (gemiddeld aantal antwoorden)" if stat == "answers_mean" else ""
        heading = title or f"{self.question(qid).title}, door de jaren{per}"
        if chart and len(table.data) > 1:
            return self.registry.figure(trend_chart(table), table, heading)
        return self.registry.table(table, heading)

    def distribution(self, qid: str, title: str | None = None) -> Ref | None:
        """How the estimates of a percent question are spread over bands (municipalities per band)."""
        q = self._usable(qid)
        if q is None:
            return None
        spread = percent_distribution(self.data, self.codebook, q)
        return self.registry.figure(bar_chart(spread), spread, title or f"{q.title}: gemeenten naar hun schatting")

    def size_means(self, qid: str, title: str | None = None) -> Ref | None:
        """Mean estimates per item by size class, with a Kruskal–Wallis test per row."""
        q = self._usable(qid)
        if q is None:
            return None
        return self.registry.table(
            size_class_means(self.data, self.codebook, q), title or f"{q.title}, naar grootteklasse"
        )

    def means(self, parts: list[tuple[str, str]], title: str | None = None) -> Ref | None:
        """Means of (items of) percent questions side by side, ``(question, item key)``; rows named by the
        item's short wording or the question's title. Left out when one of the questions is not asked."""
        present = [(q, k) for qid, k in parts if (q := self._usable(qid)) is not None]
        if len(present) < len(parts):
            return None
        rows = [(q.id, q.category(k).label if k else "", q.category(k).prose if k else q.title) for q, k in present]
        heading = title or "Gemiddelde schattingen: " + " en ".join(lower_first(label) for *_, label in rows)
        table = mean_comparison(self.data, self.codebook, rows, title=heading)
        return self.registry.figure(bar_chart(table), table, heading)

    # --- method appendix and conclusions ---------------------------------------------
    @property
    def load_report(self) -> dict:
        """``data/processed/<year>/load_report.json`` (what happened to every row of the export)."""
        return json.loads((paths.processed_year_dir(self.year) / "load_report.json").read_text(encoding="utf-8"))

    def load_summary(self) -> Ref:
        """The load table and, when there were any, the loader's warnings in the reader's terms."""
        ref = self.registry.table(load_table(self.load_report))
        warnings = warnings_markdown(self.load_report, self.codebook)
        if warnings:
            self.display(Markdown(f"Waarschuwingen bij het inlezen:\n\n{warnings}"))
        return ref

    def questionnaire_changes(self) -> None:
        """The questionnaire changes since the previous edition, or one line when there is none."""
        text = questionnaire_changes(self.year)
        self.display(Markdown(text or "*Er is geen eerdere editie met een codeboek om mee te vergelijken.*"))

    def reproduction(self) -> None:
        """Where this edition was published: how many printed numbers the chapters reproduce (else nothing)."""
        published = paths.PUBLISHED_DIR / f"monitor_{self.year}.csv"
        if not published.exists() or self.shown_numbers is None:
            return
        self.registry.table(reproduction_table(self.shown_numbers, published, self.year))
        errors = report_errors(self.shown_numbers, published, self.year)
        if errors is not None:
            self.registry.table(errors)

    def response_map(self, title: str = "Vertegenwoordigde gemeenten naar grootteklasse") -> Ref:
        """Map of the represented municipalities by size class (numbers: the response table)."""
        table = response_table(self.frame, self.data, self.codebook)
        # the credit names the year of the boundaries drawn (the frame's), not the survey year
        fig = response_map(paths.polygons_path(self.codebook.frame_year), self.data, self.codebook.frame_year)
        return self.registry.figure(fig, table, title)

    def clusters(self) -> Ref:
        """Respondents by the number of municipalities they answered for."""
        return self.registry.table(respondent_clusters(self.respondents))

    def quotes(self, qid: str, k: int | None = 3) -> None:
        """Up to ``k`` open answers (all with ``None``), redacted, attributed by size class only and taking
        turns between size classes; each is listed in the quotes register. Answers the redaction would
        empty, or that ``notes.yaml`` excludes, are not quoted."""
        q = self._usable(qid)
        if q is None:
            return
        found = quotable_answers(self.table_for(q), q, self.frame, self.year, self.notes.exclude_quotes)
        chosen = alternate([x for x in found if x.usable], k)
        self.shown.add(q.id)
        self.quote_register.add(chosen)
        count = pd.DataFrame([{"category": "", "stat": "count", "value": float(len(chosen)), "n": len(found)}])
        self.registry.record(count, q.id, q.report_refs[0] if q.report_refs else "")
        lines = [f"> “{markdown_text(x.text)}”  \n> — *{markdown_text(x.size_class)}*" for x in chosen]
        self.display(Markdown("\n\n".join(lines) if lines else "*Geen open antwoorden om te citeren.*"))

    def remaining(self) -> QuestionIds:
        """Default views of this chapter's questions that no cell has shown (e.g. new questions)."""
        done = self.shown | set(self.registry.figures) | set(self.registry.tables)
        left = [q.id for q in self.codebook.by_chapter(self.number) if q.id not in done]
        if left:
            self.display(Markdown("### Overige vragen van dit hoofdstuk"))
        for qid in left:
            self.show(qid)
        return QuestionIds(left)
