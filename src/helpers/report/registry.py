"""The figure/table registry of a chapter notebook: numbering, captions, and every number shown.

In each chapter notebook::

    chapter = Chapter(number=3, year=year, build_dir=build_dir, data=df, codebook=cb)
    chapter.figure(bar_chart(t := single_choice_table(df, cb, "additional_policy")), t)
    chapter.table(multi_answer_table(df, cb, "instruments"))
    Markdown(f"… {chapter.pct('additional_policy', 'Ja')} van de gemeenten …")

* Figures and tables are numbered per chapter in order of appearance ("Figuur 3.1",
  "Tabel 3.1") and shown with output metadata ``{"caption": "Figuur 3.1 <titel> (n=282)",
  "label": "fig:3-1"}`` (the build's caption contract, ``helpers.publish.captions``). A
  table's n/base line and footnote follow as a separate, uncaptioned Markdown output so
  pandoc keeps the caption on the table. PNGs are saved to ``<build_dir>/figures/``.
* Every number shown is recorded in ``<build_dir>/indicators/<notebook>.csv`` (rewritten
  whole on each record; one file per notebook so parallel chapters never share a file)
  with exactly the columns ``year, chapter, question, report_ref, category, stat, value,
  n``; ``collect_indicators`` concatenates them into ``<build_dir>/indicators.csv``.

Indicator conventions: ``value`` unrounded; ``report_ref`` the codebook's first 2018 label
of the question for its own views, '' for new views. ``category``: the answer label (''
for ``answers_mean`` and question-level numbers); breakdowns ``"<group>: <label>"``
(``"Grote gemeenten (G4/G40): Ja"``, ``"Totaal: Ja"``); trends ``"<year>: <label>"``;
Tabel 1 the size class or "Totaal" (``n`` = municipalities in the frame) and
"Respondenten". ``stat`` is one of ``STATS``: the ``question_indicators`` stats plus
``min``/``max`` (``count_summary(show_range=True)``) and ``p`` (p-values of breakdown
tests; category = the row, '' for the test over all answers).
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from helpers.analysis.frequencies import question_indicators
from helpers.analysis.question_tables import default_table
from helpers.analysis.table import Table
from helpers.report.plots import bar_chart, figure_png, likert_chart
from helpers.survey.codebook import Codebook
from helpers.survey.formatting import fmt_n, format_value
from helpers.survey.vocabulary import INDICATOR_COLUMNS, MIN_BASE, STATS, SUPPRESSED

PARTS_DIR = "indicators"
FIGURES_DIR = "figures"


class Ref(str):
    """A figure/table reference ("Figuur 3.1") that displays nothing as a cell's last value."""

    def _ipython_display_(self) -> None:
        """The figure or table itself has been shown already."""


def _unwrap(obj: Any) -> Any:
    """The Table behind a notebook view's return value (``helpers.report.chapter.Shown``)."""
    return getattr(obj, "_value", obj)


def _png_width(png: bytes) -> int:
    return struct.unpack(">I", png[16:20])[0]


def _ipython_display(obj: Any, metadata: dict[str, Any] | None = None) -> None:
    from IPython.display import display

    display(obj, metadata=metadata)


class Chapter:
    """Figure/table registry of one chapter notebook (see the module docstring).

    ``number`` is stored as ``chapter_number`` (``number()`` formats numbers for prose).
    ``name`` is the notebook's file stem (default: the single ``notebooks/NN_*.ipynb`` of
    this chapter, else ``"NN"``); it names the indicator file the build assembles.
    ``display`` replaces ``IPython.display.display`` (tests).
    """

    def __init__(
        self,
        number: int,
        year: int,
        build_dir: str | Path | None = None,
        *,
        data: pd.DataFrame | None = None,
        codebook: Codebook | None = None,
        name: str | None = None,
        display: Callable[..., None] | None = None,
    ) -> None:
        from helpers.paths import NOTEBOOKS_DIR, reports_year_dir

        self.chapter_number = int(number)
        self.year = int(year)
        self.build_dir = Path(build_dir) if build_dir is not None else reports_year_dir(self.year)
        self.data = data
        self.codebook = codebook
        if name is None:
            found = sorted(NOTEBOOKS_DIR.glob(f"{self.chapter_number:02d}_*.ipynb"))
            name = found[0].stem if len(found) == 1 else f"{self.chapter_number:02d}"
        self.name = name
        self._display = display or _ipython_display
        self.figures: list[str] = []
        self.tables: list[str] = []
        self._rows: list[dict[str, Any]] = []
        self._write()

    # --- paths ---------------------------------------------------------------------
    @property
    def indicators_path(self) -> Path:
        """``<build_dir>/indicators/<notebook>.csv``."""
        return self.build_dir / PARTS_DIR / f"{self.name}.csv"

    @property
    def indicators(self) -> pd.DataFrame:
        """The numbers recorded so far (columns ``INDICATOR_COLUMNS``)."""
        return _frame(self._rows)

    def bind(self, data: pd.DataFrame, codebook: Codebook) -> Chapter:
        """Set the data and codebook used by ``number`` and ``figure(fig, qid)``."""
        self.data, self.codebook = data, codebook
        return self

    # --- recording -----------------------------------------------------------------
    def record(self, indicators: pd.DataFrame, question: str, report_ref: str = "") -> None:
        """Record ``category, stat, value, n`` rows (NaN values are skipped); rewrites the chapter file."""
        for cat, stat, value, n in zip(
            indicators["category"], indicators["stat"], indicators["value"], indicators["n"], strict=True
        ):
            if stat not in STATS:
                raise ValueError(f"unknown stat {stat!r}; expected one of {STATS}")
            if value is None or pd.isna(value):
                continue
            row = {
                "year": self.year,
                "chapter": self.chapter_number,
                "question": question,
                "report_ref": report_ref or "",
                "category": "" if cat is None or pd.isna(cat) else str(cat),
                "stat": stat,
                "value": float(value),
                "n": None if n is None or pd.isna(n) else int(n),
            }
            if row not in self._rows:
                self._rows.append(row)
        self._write()

    def _write(self) -> None:
        path = self.indicators_path
        path.parent.mkdir(parents=True, exist_ok=True)
        _frame(self._rows).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")

    # --- figures and tables --------------------------------------------------------
    def _caption(self, kind: str, k: int, title: str, n: int | None) -> tuple[str, str, str]:
        word, short = ("Figuur", "fig") if kind == "figure" else ("Tabel", "tab")
        number = f"{self.chapter_number}.{k}"
        caption = f"{word} {number} {title}" + (f" ({fmt_n(n)})" if n is not None else "")
        return f"{word} {number}", caption, f"{short}:{self.chapter_number}-{k}"

    def table(self, table: Table, title: str | None = None) -> str:
        """Show ``table`` as "Tabel <chapter>.<k>", record its numbers; returns "Tabel 3.1"."""
        from IPython.display import Markdown

        table = _unwrap(table)
        self.tables.append(table.question)
        ref, caption, label = self._caption("table", len(self.tables), title or table.title, table.n)
        self._display(Markdown(table.to_markdown(notes=False)), metadata={"caption": caption, "label": label})
        notes = table.notes_markdown()
        if notes:
            self._display(Markdown(notes))
        self.record(table.indicators, table.question, table.report_ref)
        return Ref(ref)

    def figure(self, fig: Figure, source: Table | str, title: str | None = None, *, n: int | None = None) -> str:
        """Show ``fig`` as "Figuur <chapter>.<k>", save its PNG and record the numbers of ``source``.

        ``source`` is the Table drawn, or a question id (its default table is computed
        from the bound data). Returns "Figuur 3.1".
        """
        from IPython.display import Image

        source = _unwrap(source)
        table = source if isinstance(source, Table) else self._default_table(source)
        self.figures.append(table.question)
        k = len(self.figures)
        base_n = n if n is not None else table.n
        ref, caption, label = self._caption("figure", k, title or table.title, base_n)
        png = figure_png(fig)
        target = self.build_dir / FIGURES_DIR / f"figuur_{self.chapter_number}_{k}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
        if getattr(fig.canvas, "manager", None) is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)
        image = Image(data=png, format="png", width=_png_width(png) // 2)
        self._display(image, metadata={"caption": caption, "label": label})
        self.record(table.indicators, table.question, table.report_ref)
        return Ref(ref)

    def _default_table(self, qid: str, df: pd.DataFrame | None = None) -> Table:
        if self.codebook is None or (df is None and self.data is None):
            raise ValueError("bind data and codebook first (Chapter(..., data=df, codebook=cb) or .bind)")
        data = df if df is not None else self.data
        return default_table(data, self.codebook, qid)

    def default_view(
        self, df: pd.DataFrame, cb: Codebook, qid: str, *, figure: bool = True, frame: pd.DataFrame | None = None
    ) -> Table:
        """Show a question in its default view by type; returns the Table.

        5-point statements: table + stacked bar; other single and multi: bar chart; percent:
        estimate table; count: distribution table; text: open answers; municipality: Tabel 1
        (needs ``frame``). ``figure=False`` shows the table instead of the chart.
        """
        table = default_table(df, cb, qid, frame=frame)
        if figure and table.kind in ("single", "likert", "multi"):
            fig = likert_chart(table) if table.kind == "likert" else bar_chart(table)
            self.figure(fig, table)
        else:
            self.table(table)
        return table

    # --- numbers in prose ----------------------------------------------------------
    def number(
        self,
        qid: str | Table,
        category: str = "",
        stat: str = "pct",
        *,
        decimals: int | None = None,
        df: pd.DataFrame | None = None,
        report_ref: str | None = None,
    ) -> str:
        """A formatted Dutch number for prose ("60%", "9,3"), computed like the tables and recorded.

        ``qid`` is a question id (numbers from ``question_indicators`` on the bound data or
        ``df``) or a Table (numbers from its indicators, e.g. a breakdown cell
        ``"Grote gemeenten (G4/G40): Ja"``). A share on fewer than 5 municipalities gives "–"
        with a warning.
        """
        qid = _unwrap(qid)
        if isinstance(qid, Table):
            ind, question, ref = qid.indicators, qid.question, qid.report_ref
            known = self.codebook is not None and question in self.codebook
            percent = known and self.codebook.question(question).type == "percent"
        else:
            if self.codebook is None or (df is None and self.data is None):
                raise ValueError("bind data and codebook first (Chapter(..., data=df, codebook=cb) or .bind)")
            q = self.codebook.question(qid)
            ind = question_indicators(df if df is not None else self.data, q)
            question, percent = q.id, q.type == "percent"
            ref = (q.report_refs[0] if q.report_refs else "") if df is None else ""
        if report_ref is not None:
            ref = report_ref
        hit = ind[(ind["category"] == category) & (ind["stat"] == stat)]
        if hit.empty:
            options = sorted({f"{c!r}/{s}" for c, s in zip(ind["category"], ind["stat"], strict=True)})
            raise KeyError(f"{question}: no {stat!r} for {category!r}; available: {', '.join(options)}")
        value, n = float(hit["value"].iloc[0]), hit["n"].iloc[0]
        if stat in ("pct", "mean", "median") and n is not None and not pd.isna(n) and int(n) < MIN_BASE:
            warnings.warn(f"{question} {category!r}: base {int(n)} < {MIN_BASE}, not shown", stacklevel=2)
            return SUPPRESSED
        self.record(hit.iloc[:1], question, ref)
        return format_value(value, stat, decimals=decimals, percent=percent)

    def pct(self, qid: str | Table, category: str, **kwargs: Any) -> str:
        """Share of ``category`` as "60%"."""
        return self.number(qid, category, "pct", **kwargs)

    def mean(self, qid: str | Table, item: str = "", **kwargs: Any) -> str:
        """Mean of a percent/count item ("13%" or "9,3")."""
        return self.number(qid, item, "mean", **kwargs)

    def median(self, qid: str | Table, item: str = "", **kwargs: Any) -> str:
        return self.number(qid, item, "median", **kwargs)

    def answers_mean(self, qid: str | Table, **kwargs: Any) -> str:
        """Mean number of answers of a multi question ("9,3")."""
        return self.number(qid, "", "answers_mean", **kwargs)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    out["n"] = out["n"].astype("Int64")
    out["value"] = out["value"].astype(float)
    return out


def read_indicators(path: str | Path) -> pd.DataFrame:
    """Read an indicators CSV with stable dtypes (empty strings kept, ``n`` as Int64)."""
    out = pd.read_csv(
        path,
        dtype={"question": str, "report_ref": str, "category": str, "stat": str},
        keep_default_na=False,
        na_values={"value": [""], "n": [""]},
    )
    out["n"] = out["n"].astype("Int64")
    out["value"] = out["value"].astype(float)
    return out[INDICATOR_COLUMNS]


def collect_indicators(build_dir: str | Path) -> pd.DataFrame:
    """Concatenate ``<build_dir>/indicators/*.csv`` in notebook (file-name) order into
    ``<build_dir>/indicators.csv`` (the build's own step, ``helpers.publish.indicators.assemble``)
    and return it; rows keep their order of appearance."""
    from helpers.publish.indicators import assemble

    build = Path(build_dir)
    names = sorted(p.stem for p in (build / PARTS_DIR).glob("*.csv"))
    target = assemble(build, names)
    return read_indicators(target) if target is not None else _frame([])
