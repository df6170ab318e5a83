"""What a chapter notebook calls: open the chapter, show questions, breakdowns, trends, quotes.

A chapter notebook stays a short, readable chapter::

    ch = open_chapter(3, year, build_dir)          # data, codebook, house style, registry
    ch.show("additional_policy")                   # figure in the house style, numbered
    ch.say(f"{ch.pct('additional_policy', 'Ja')} van de gemeenten ...")
    ch.breakdown("additional_policy")              # by size class, with disclosure control
    ch.trend("measures_offered", ["Extra taallessen"])
    ch.remaining()                                 # questions of this chapter without a view

Everything follows the codebook: a question that is not in this year's codebook is
skipped with a one-line note, so next year's notebooks run without edits.
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from helpers import paths
from helpers.analysis.frequencies import question_indicators
from helpers.analysis.intervals import share_ci
from helpers.analysis.question_tables import default_table, estimate_table, multi_answer_table, single_choice_table
from helpers.analysis.quotes import text_answers
from helpers.analysis.response import response_table
from helpers.analysis.size_classes import size_class_table
from helpers.analysis.table import Table
from helpers.analysis.trends import load_published, trend_table
from helpers.report.method import calibration_sentence
from helpers.report.plots import bar_chart, likert_chart, set_house_style, size_class_chart, trend_chart
from helpers.report.registry import Chapter
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.formatting import fmt_pct
from helpers.survey.vocabulary import SUPPRESSED

SYNTHETIC_NOTE = (
    "> **Synthetische voorbeelddata.** De cijfers in dit hoofdstuk zijn berekend op een "
    "synthetische export ({calibration}); het zijn geen antwoorden van echte gemeenten."
)


class Shown:
    """What a view returns: the Table (attributes pass through), but nothing is displayed again.

    Without this, a view call on the last line of a cell would show the table a second time
    (Jupyter displays the value of the last expression).
    """

    def __init__(self, value: object) -> None:
        self._value = value

    def __getattr__(self, name: str):
        return getattr(self._value, name)

    def __iter__(self):
        return iter(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def _ipython_display_(self) -> None:
        """Display nothing: the view has already been shown with its caption."""

    @property
    def value(self) -> object:
        return self._value


def _quiet(value):
    return None if value is None else Shown(value)


class MissingProcessedData(FileNotFoundError):
    """The processed tables of a year do not exist yet."""


def load_processed(year: int, table: str = "municipalities") -> pd.DataFrame:
    """``data/processed/<year>/<table>.parquet``; run notebook 00 or ``make data`` first."""
    path = paths.processed_year_dir(year) / f"{table}.parquet"
    if not path.exists():
        raise MissingProcessedData(f"{path} ontbreekt: voer eerst 00_data_preparation uit (of `make data YEAR={year}`)")
    return pd.read_parquet(path)


def processed_years(up_to: int) -> list[int]:
    """Years up to and including ``up_to`` with a codebook and data: processed, or a raw export to load."""
    years = set()
    for d in paths.PROCESSED_DIR.glob("[0-9][0-9][0-9][0-9]"):
        if (d / "municipalities.parquet").exists():
            years.add(int(d.name))
    for d in paths.RAW_DIR.glob("[0-9][0-9][0-9][0-9]"):
        if (d / "export.csv").exists():
            years.add(int(d.name))
    return sorted(y for y in years if y <= up_to and paths.codebook_path(y).exists())


def year_data(year: int) -> pd.DataFrame:
    """The municipalities table of an earlier year for trends.

    ``data/processed/<year>/`` when it exists; otherwise the raw export is loaded in memory
    (nothing is written), so a report's trends do not depend on which years were processed.
    """
    path = paths.processed_year_dir(year) / "municipalities.parquet"
    if path.exists():
        return pd.read_parquet(path)
    export = paths.export_path(year)
    return _load_raw(str(export), export.stat().st_mtime_ns, str(paths.codebook_path(year))).copy()


@cache
def _load_raw(export: str, mtime_ns: int, codebook: str) -> pd.DataFrame:
    """Load an export in memory, once per file version (the arguments are the cache key)."""
    from helpers.load.export import load_export

    cb = load_codebook(codebook)
    return load_export(export, cb, paths.frame_path(cb.frame_year)).municipalities


class ChapterView(Chapter):
    """A chapter's registry plus the views its notebook shows (see the module docstring)."""

    def __init__(
        self,
        number: int,
        year: int,
        build_dir: str | Path | None,
        data: pd.DataFrame,
        codebook: Codebook,
        frame: pd.DataFrame,
        **kwargs,
    ) -> None:
        super().__init__(number, year, build_dir, data=data, codebook=codebook, **kwargs)
        self.frame = frame
        self.shown: set[str] = set()
        self._respondents: pd.DataFrame | None = None

    @property
    def respondents(self) -> pd.DataFrame:
        """The respondent-level table (for ``level: respondent`` questions such as job title)."""
        if self._respondents is None:
            self._respondents = load_processed(self.year, "respondents")
        return self._respondents

    def _table_for(self, qid: str) -> pd.DataFrame:
        q = self.codebook.question(qid)
        return self.respondents if q.level == "respondent" else self.data

    def number(self, qid, category: str = "", stat: str = "pct", *, df=None, report_ref=None, **kwargs) -> str:
        """As ``Chapter.number``; respondent-level questions are counted per respondent.

        A question that is not in this year's codebook gives "–" (with a warning) instead of an
        error, so prose of a dropped question does not stop next year's build.
        """
        if isinstance(qid, str) and qid not in self.codebook:
            warnings.warn(f"vraag {qid!r} is in {self.year} niet gesteld; getal vervalt", stacklevel=2)
            return SUPPRESSED
        q = self.codebook.question(qid) if isinstance(qid, str) else None
        if q is not None and df is None and q.level == "respondent":
            ref = report_ref if report_ref is not None else (q.report_refs[0] if q.report_refs else "")
            return super().number(qid, category, stat, df=self.respondents, report_ref=ref, **kwargs)
        return super().number(qid, category, stat, df=df, report_ref=report_ref, **kwargs)

    # --- guards -------------------------------------------------------------------
    def asked(self, qid: str) -> bool:
        """Is ``qid`` in this year's questionnaire?"""
        return qid in self.codebook

    def _skip_note(self, qid: str) -> None:
        self._display(Markdown(f"*Vraag `{qid}` is in {self.year} niet gesteld; deze weergave vervalt.*"))

    # --- views ----------------------------------------------------------------------
    def show(
        self,
        qid: str,
        *,
        as_table: bool = False,
        collapse: bool = False,
        title: str | None = None,
        report_ref: str | None = None,
        df: pd.DataFrame | None = None,
    ) -> Table | None:
        """Show one question in its view by type: a chart (single, multi, 5-point) or a table.

        ``as_table`` shows the table instead of the chart (the report's "Tabel"s);
        ``collapse`` shows a 5-point scale as (helemaal) eens / neutraal / (helemaal) oneens;
        ``report_ref`` overrides the 2018 label recorded for the numbers; ``df`` a subset.
        """
        if not self.asked(qid):
            self._skip_note(qid)
            return None
        data = self._table_for(qid) if df is None else df
        q = self.codebook.question(qid)
        ref = report_ref
        if q.type == "single":
            table = single_choice_table(data, self.codebook, qid, collapse=collapse, report_ref=ref)
        elif q.type == "multi":
            table = multi_answer_table(data, self.codebook, qid, report_ref=ref)
        elif q.type == "percent":
            table = estimate_table(data, self.codebook, qid)
            if ref is not None:
                table.report_ref = ref
            as_table = True
        elif q.type == "municipality":
            table, as_table = response_table(self.frame, data, self.codebook), True
        elif q.type == "text":
            table, as_table = text_answers(data, self.codebook, qid, self.frame), True
        else:
            table, as_table = default_table(data, self.codebook, qid, frame=self.frame), True
        if df is not None:
            table.report_ref = ""
        elif q.level == "respondent":
            table.base = f"{table.base} Geteld per respondent, niet per gemeente.".strip()
        self.shown.add(qid)
        if as_table:
            self.table(table, title)
        else:
            chart = likert_chart(table) if table.kind == "likert" else bar_chart(table)
            self.figure(chart, table, title)
        return _quiet(table)

    def statements(self, qids: list[str], title: str, *, collapse: bool = False) -> list[Table]:
        """Several 5-point statements in one stacked-bar figure (each statement's numbers recorded)."""
        present = [q for q in qids if self.asked(q)]
        for q in qids:
            if q not in present:
                self._skip_note(q)
        tables = [single_choice_table(self.data, self.codebook, q, collapse=collapse) for q in present]
        if not tables:
            return []
        self.shown.update(present)
        ns = {t.n for t in tables}
        self.figure(likert_chart(tables), tables[0], title, n=ns.pop() if len(ns) == 1 else None)
        for t in tables[1:]:
            self.record(t.indicators, t.question, t.report_ref)
        return _quiet(tables)

    def breakdown(
        self,
        qid: str,
        categories: list[str] | None = None,
        *,
        nets: bool = False,
        chart: bool = True,
        title: str | None = None,
    ) -> Table | None:
        """Shares by size class with a test of independence; cells on < 5 municipalities are not shown."""
        if not self.asked(qid):
            self._skip_note(qid)
            return None
        table = size_class_table(self.data, self.codebook, qid, categories, nets=nets)
        heading = title or table.title
        if chart:
            self.figure(size_class_chart(table), table, heading)
        self.table(table, heading)
        return _quiet(table)

    def trend(
        self,
        qid: str,
        categories: list[str] | None = None,
        *,
        stat: str = "pct",
        title: str | None = None,
        chart: bool = True,
    ) -> Table | None:
        """The question over the years: published earlier editions plus every processed year."""
        if not self.asked(qid):
            self._skip_note(qid)
            return None
        processed = {self.year: (self.data, self.codebook)}
        for y in processed_years(self.year - 1):
            processed[y] = (year_data(y), load_codebook(paths.codebook_path(y)))
        published = load_published(range(2000, self.year))
        table = trend_table(qid, processed, published, categories, stat=stat)
        heading = title or f"{table.title} — ontwikkeling door de jaren"
        if chart and len(table.data) > 1:
            self.figure(trend_chart(table), table, heading)
        else:
            self.table(table, heading)
        return _quiet(table)

    def quotes(self, qid: str, k: int = 3) -> Table | None:
        """Up to ``k`` open answers, attributed by size class only."""
        if not self.asked(qid):
            self._skip_note(qid)
            return None
        table = text_answers(self.data, self.codebook, qid, self.frame)
        unique = table.data.drop_duplicates(subset=[table.data.columns[0]])
        # alternate between size classes, so the quotes are not all from one kind of municipality
        rank = unique.groupby(level=0).cumcount().to_numpy()
        unique = unique.iloc[rank.argsort(kind="stable")]
        lines = [f"> “{row.iloc[0]}”  \n> — *{idx}*" for idx, row in unique.head(k).iterrows()]
        self.shown.add(qid)
        self.record(table.indicators, qid, table.report_ref)
        self._display(Markdown("\n\n".join(lines) if lines else "*Geen open antwoorden.*"))
        return _quiet(table)

    def remaining(self) -> list[str]:
        """Default views of this chapter's questions that no cell has shown (e.g. new questions)."""
        left = [
            q.id
            for q in self.codebook.by_chapter(self.chapter_number)
            if q.id not in self.shown and q.id not in self.figures and q.id not in self.tables
        ]
        if left:
            self._display(Markdown("### Overige vragen van dit hoofdstuk"))
        for qid in left:
            self.show(qid)
        return _quiet(left)

    # --- prose ----------------------------------------------------------------------
    def say(self, text: str) -> None:
        """Show a paragraph of prose (numbers in it come from ``pct``/``mean``/…)."""
        self._display(Markdown(text))

    def ci(self, qid: str, category: str, level: float = 0.95, *, report_ref: str | None = None) -> str:
        """The share with its interval, finite population corrected: "60% (95%-BI 57–63%)"."""
        if not self.asked(qid):
            return self.number(qid, category)
        q = self.codebook.question(qid)
        ind = question_indicators(self.data, q)
        hit = ind[(ind["category"] == category) & (ind["stat"] == "pct")].iloc[0]
        n = int(hit["n"])
        iv = share_ci(hit["value"] / 100, n, self.codebook.population_size, level=level)
        share = self.pct(qid, category, report_ref=report_ref)
        return f"{share} ({int(level * 100)}%-BI {fmt_pct(100 * iv.lower)}–{fmt_pct(100 * iv.upper)})"


def open_chapter(number: int, year: int, build_dir: str | Path | None = None) -> ChapterView:
    """Load the processed data and codebook of ``year``, set the house style and start the registry."""
    cb = load_codebook(paths.codebook_path(year))
    data = load_processed(year)
    frame = pd.read_csv(paths.frame_path(cb.frame_year), dtype={"gemeentecode": str})
    set_house_style()
    chapter = ChapterView(number, year, build_dir, data, cb, frame)
    if cb.synthetic:
        chapter.say(SYNTHETIC_NOTE.format(calibration=calibration_sentence(year)))
    return chapter
