"""The figure/table registry of one notebook: numbering, captions, data files, and every number shown.

* Figures and tables are numbered per chapter in order of appearance ("Figuur 3.1",
  "Tabel 3.1"; the appendix of notebook ``00`` is "A") and shown with output metadata
  ``{"caption": "Figuur 3.1 <titel> (n=282)", "label": "fig:3-1", "monitor_view": {...}}``
  (the build's caption contract, ``helpers.publish.render.captions``). Every caption carries its base:
  one n, or the range "n=270–282" when the numbers rest on different bases. The n/base line
  (with the routing in words) and footnote follow as a separate, uncaptioned Markdown output,
  under figures as under tables, so pandoc keeps the caption on the table.
* ``monitor_view`` is what the HTML needs besides the caption: the data files of the view
  (``<out_dir>/data/<notebook>/figuur-3-1.csv`` and ``.xlsx``, ``report.downloads``), and for a figure a
  short text alternative and its numbers as a table. PNGs are saved to ``<out_dir>/figures/``.
* Every number shown is recorded in ``<out_dir>/indicators/<notebook>.csv`` (rewritten
  whole on each record; one file per notebook so parallel chapters never share a file)
  with the columns ``survey.vocabulary.INDICATOR_COLUMNS``; the build assembles them.

``out_dir`` is the build directory during a build, and ``.scratch/<year>/`` in an
interactive run: nothing is ever written into ``reports/`` by a notebook run by hand.

Indicator conventions: ``value`` unrounded; ``report_ref`` the 2018 label(s) of the question for its own
views ("Tabel 8.1"; the prose records every place of the question, "Tabel 8.1; Figuur 5.3", and a number
recorded again gains the places it lacked), '' for new views and for numbers the publication did not print
(interval bounds, bases, group shares, an earlier edition's value); ``build_ref`` the label this build
prints ("Figuur 3.5"), or "Hoofdstuk 3" ("Bijlage A") for a number only the text shows (a
number shown in a figure or table as well keeps the figure's label). ``category``: the
answer label ('' for ``answers_mean`` and question-level numbers); breakdowns
``"<group>: <label>"`` (``"Grote gemeenten (G4/G40): Ja"``, ``"Totaal: Ja"``); trends
``"<year>: <label>"``; Tabel 1 the size class or "Totaal" (``n`` = municipalities in the
frame) and "Respondenten". ``stat`` is one of ``STATS``. A table's column "n" is recorded as one ``n`` number per
table row (category: the row's label), and a table's ``monitor_view`` names its numbers (``keys``), so the HTML links
every cell to its row, also a number a figure showed first.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from helpers import paths
from helpers.analysis.backtest import split_report_refs
from helpers.analysis.table import CELLS, Table
from helpers.report.downloads import ViewText, short_description, shown_frame, write_files
from helpers.report.plots import figure_png
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.formatting import fmt_n
from helpers.survey.routing import describe_routing
from helpers.survey.text_escape import markdown_text, spreadsheet_frame
from helpers.survey.vocabulary import (
    BASE_STAT,
    FIGURES_DIR,
    INDICATOR_COLUMNS,
    INDICATORS_DIR,
    REPORT_REF_SEPARATOR,
    STATS,
)

#: Output metadata key with what the HTML shows besides the caption (data files, text alternative).
VIEW_KEY = "monitor_view"
#: ``monitor_view`` key of the numbers a table shows (:func:`number_keys`).
VIEW_KEYS = "keys"
#: The column of a table that holds each row's base.
BASE_COLUMN = "n"
#: What makes a recorded number the same number: everything up to ``n`` but where the publication printed it.
_IDENTITY = [c for c in INDICATOR_COLUMNS[: INDICATOR_COLUMNS.index("n") + 1] if c != "report_ref"]
#: Statistics whose ``n`` is a base (caption "n=282"); a count's or p-value's ``n`` is not.
BASED_STATS = ("pct", "mean", "median", "answers_mean")

Display = Callable[..., None]


class Ref(str):
    """A figure/table reference ("Figuur 3.1") that displays nothing as a cell's last value."""

    def _ipython_display_(self) -> None:
        """The figure or table itself has been shown already."""


def _png_width(png: bytes) -> int:
    return int(struct.unpack(">I", png[16:20])[0])


def ipython_display(obj: Any, metadata: dict[str, Any] | None = None) -> None:
    """``IPython.display.display`` (imported lazily so the registry works without a kernel)."""
    from IPython.display import display

    display(obj, metadata=metadata)


def n_text(tables: Sequence[Table], n: int | None = None) -> str:
    """The base for a caption: ``n=282``, ``n=270–282`` when the numbers rest on several bases, '' if none."""
    if n is not None:
        return fmt_n(n)
    if tables and all(t.kind == "trend" for t in tables):
        return _trend_bases(tables)
    given = {int(t.n) for t in tables if t.n is not None}
    if not given:  # a table whose rows rest on their own bases shows them in its column "n"
        given = {int(v) for t in tables if "n" in t.data.columns for v in t.data["n"] if not pd.isna(v)}
    if not given:  # the bases of the shares and means shown (a count has no base)
        given = {
            int(v)
            for t in tables
            for v, stat in zip(t.indicators["n"], t.indicators["stat"], strict=True)
            if stat in BASED_STATS and v is not None and not pd.isna(v)
        }
    if not given:
        return ""
    low, high = min(given), max(given)
    return fmt_n(low) if low == high else f"n={low}–{high}"


def _trend_bases(tables: Sequence[Table]) -> str:
    """The base of each edition in a trend view: ``n=282 in 2018`` or ``n=202 in 2017, 253 in 2018`` (years
    whose published value came without a base are left out; one base for all years is stated once)."""
    per_year: dict[str, set[int]] = {}
    for t in tables:
        for year, value in t.data["n"].items():
            if value is not None and not pd.isna(value):
                per_year.setdefault(str(year), set()).add(int(value))
    if not per_year:
        return ""
    parts = [
        f"{'–'.join(str(v) for v in sorted({min(ns), max(ns)}))} in {year}" for year, ns in sorted(per_year.items())
    ]
    return "n=" + ", ".join(parts)


class Registry:
    """Numbering, captions, data files and the record of every number shown, for one notebook.

    ``chapter`` is the chapter number (the notebook's file number), ``name`` the notebook's
    file stem (it names the indicator part), ``out_dir`` where parts, figures and data files
    go. ``display`` replaces ``IPython.display.display`` (tests). ``codebook`` gives question
    texts and routing for the data files (default: the year's codebook, when there is one).
    """

    def __init__(
        self,
        chapter: int,
        year: int,
        out_dir: str | Path,
        name: str,
        display: Display | None = None,
        *,
        codebook: Codebook | None = None,
        interactive: bool = False,
    ):
        self.chapter = int(chapter)
        #: A run by hand (JupyterLab): each view shows its numbered caption above it (a build numbers them itself).
        self.interactive = interactive
        self.year = int(year)
        self.out_dir = Path(out_dir)
        self.name = name
        self.display = display if display is not None else ipython_display
        self.figures: list[str] = []
        self.tables: list[str] = []
        #: The base(s) n of the last figure or table shown: what "van deze gemeenten" in the prose below refers to.
        self.last_bases: set[int] = set()
        self._rows: list[dict[str, Any]] = []
        self._index: dict[tuple[Any, ...], int] = {}
        self._codebook = codebook

    @property
    def chapter_label(self) -> str:
        """What figure and table numbers start with: ``3``, or ``A`` for the appendix (notebook 00)."""
        return "A" if self.chapter == 0 else str(self.chapter)

    @property
    def text_label(self) -> str:
        """``build_ref`` of a number only the text shows: "Hoofdstuk 3" or "Bijlage A"."""
        return "Bijlage A" if self.chapter == 0 else f"Hoofdstuk {self.chapter}"

    @property
    def indicators_path(self) -> Path:
        """``<out_dir>/indicators/<notebook>.csv``."""
        return self.out_dir / INDICATORS_DIR / f"{self.name}.csv"

    @property
    def indicators(self) -> pd.DataFrame:
        """The numbers recorded so far (columns ``INDICATOR_COLUMNS``)."""
        return indicator_frame(self._rows)

    @property
    def codebook(self) -> Codebook | None:
        """The codebook for question texts and routing (the year's, loaded on first use)."""
        if self._codebook is None and paths.codebook_path(self.year).is_file():
            self._codebook = load_codebook(paths.codebook_path(self.year))
        return self._codebook

    # --- recording -----------------------------------------------------------------
    def record(self, numbers: pd.DataFrame, question: str, report_ref: str = "", *, label: str | None = None) -> None:
        """Record ``category, stat, value, n`` rows (NaN values are skipped); rewrites the notebook's part.

        ``label`` is where the numbers are printed ("Figuur 3.1"); without it, the chapter's text.
        A number recorded again keeps its row; a figure or table label replaces a text label, and a place in the
        publication it was not known by yet is added to ``report_ref`` (:func:`join_report_refs`).
        """
        where = label or self.text_label
        for cat, stat, value, n in zip(
            numbers["category"], numbers["stat"], numbers["value"], numbers["n"], strict=True
        ):
            if stat not in STATS:
                raise ValueError(f"unknown stat {stat!r}; expected one of {STATS}")
            if value is None or pd.isna(value):
                continue
            row = {
                "year": self.year,
                "chapter": self.chapter,
                "question": question,
                "report_ref": report_ref or "",
                "category": "" if cat is None or pd.isna(cat) else str(cat),
                "stat": stat,
                "value": float(value),
                "n": None if n is None or pd.isna(n) else int(n),
                "build_ref": where,
            }
            key = tuple(row[c] for c in _IDENTITY)
            if key not in self._index:
                self._index[key] = len(self._rows)
                self._rows.append(row)
                continue
            kept = self._rows[self._index[key]]
            kept["report_ref"] = join_report_refs(kept["report_ref"], row["report_ref"])
            if label and kept["build_ref"] == self.text_label:
                kept["build_ref"] = label
        self._write()

    def _write(self) -> None:
        path = self.indicators_path
        path.parent.mkdir(parents=True, exist_ok=True)
        spreadsheet_frame(indicator_frame(self._rows)).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")

    # --- figures and tables --------------------------------------------------------
    def _caption(self, kind: str, k: int, title: str, base: str) -> tuple[str, str, str]:
        word, short = ("Figuur", "fig") if kind == "figure" else ("Tabel", "tab")
        number = f"{self.chapter_label}.{k}"
        caption = f"{word} {number} {title}" + (f" ({base})" if base else "")
        return f"{word} {number}", caption, f"{short}:{self.chapter_label}-{k}"

    def view_text(self, table: Table) -> ViewText:
        """Question text, routing in words (``describe_routing``) and base of one shown table."""
        cb = self.codebook
        q = cb.question(table.question) if cb is not None and table.question in cb else None
        if q is None or cb is None:
            return ViewText(table.question, table.title, "", table.base)
        unit = "respondenten" if q.level == "respondent" else "gemeenten"
        return ViewText(q.id, q.text, describe_routing(q.asked_if, cb, unit=unit), table.base)

    def notes_markdown(self, tables: Sequence[Table], base: str, heading: str = "") -> str:
        """The line under a view: the question's wording when the caption is a short title, its base (n, who),
        the routing when the base does not say it, footnotes."""
        first = tables[0]
        notes = first.notes_markdown() if len(tables) == 1 else ""
        if not notes:
            parts = [base] if base else []
            if first.base:
                parts.append(f"basis: {first.base}")
            text = "; ".join(parts) + ("." if parts else "")
            footnote = " ".join(dict.fromkeys(t.footnote for t in tables if t.footnote))
            notes = "*" + markdown_text(" ".join(x for x in (text, footnote) if x)) + "*\n" if text or footnote else ""
        routed = [v.routing for v in map(self.view_text, tables) if v.routing and not v.routing.startswith("alle ")]
        missing = [r for r in dict.fromkeys(routed) if all(r not in (t.base or "") for t in tables)]
        if missing:
            sentence = markdown_text(f"Alleen gesteld aan {' en aan '.join(missing)}.")
            notes = notes.rstrip("\n")[:-1] + f" {sentence}*\n" if notes else f"*{sentence}*\n"
        texts = [v.question_text for v in map(self.view_text, tables) if v.question_text and v.question_text != heading]
        if texts:
            worded = markdown_text(" ".join(f"Vraag: ‘{t}’" + ("" if t.endswith(("?", ".")) else ".") for t in texts))
            notes = f"*{worded}* " + notes if notes else f"*{worded}*\n"
        return notes

    def _caption_by_hand(self, caption: str) -> None:
        """In JupyterLab, "Figuur 3.1 … (n=282)" above the view (the build prints captions from metadata)."""
        if self.interactive:
            from IPython.display import Markdown

            self.display(Markdown(f"**{markdown_text(caption)}**"))

    def _files(self, ref: str, title: str, tables: Sequence[Table]) -> dict[str, str]:
        return write_files(self.out_dir, self.name, ref, title, tables, [self.view_text(t) for t in tables])

    def table(self, table: Table, title: str | None = None) -> Ref:
        """Show ``table`` as "Tabel <chapter>.<k>", write its data files, record its numbers; returns "Tabel 3.1"."""
        from IPython.display import Markdown

        self.tables.append(table.question)
        self.last_bases = {int(table.n)} if table.n is not None else set()
        heading = title or table.title
        base = n_text([table])
        ref, caption, label = self._caption("table", len(self.tables), heading, base)
        numbers = shown_numbers(table)
        view = {"ref": ref, "files": self._files(ref, heading, [table]), VIEW_KEYS: number_keys(table, numbers)}
        self._caption_by_hand(caption)
        self.display(
            Markdown(table.to_markdown(notes=False)), metadata={"caption": caption, "label": label, VIEW_KEY: view}
        )
        notes = self.notes_markdown([table], base, heading)
        if notes:
            self.display(Markdown(notes))
        self.record(numbers, table.question, table.report_ref, label=ref)
        return Ref(ref)

    def figure(
        self,
        fig: Figure,
        table: Table | Sequence[Table],
        title: str | None = None,
        *,
        n: int | None = None,
        description: str | None = None,
    ) -> Ref:
        """Show ``fig`` as "Figuur <chapter>.<k>", save its PNG and data files, record the numbers of ``table``.

        ``table`` may be several tables (statements in one chart): all their numbers are the figure's.
        ``description`` is the chart's short text alternative (default: made from the chart's kind,
        its ``Figure.get_label()`` as ``report.plots`` sets it, and the numbers).
        """
        from IPython.display import Image, Markdown

        tables = [table] if isinstance(table, Table) else list(table)
        self.figures.append(tables[0].question)
        self.last_bases = {int(t.n) for t in tables if t.n is not None}
        k = len(self.figures)
        heading = title or tables[0].title
        base = n_text(tables, n)
        ref, caption, label = self._caption("figure", k, heading, base)
        png = figure_png(fig)
        target = self.out_dir / FIGURES_DIR / f"figuur_{self.chapter}_{k}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
        if getattr(fig.canvas, "manager", None) is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)
        numbers = shown_frame(tables)
        view = {
            "ref": ref,
            "files": self._files(ref, heading, tables),
            "description": description or short_description(tables, str(fig.get_label() or "")),
            "numbers": {"columns": [str(c) for c in numbers.columns], "rows": numbers.astype(str).values.tolist()},
        }
        image = Image(data=png, format="png", width=_png_width(png) // 2)
        self._caption_by_hand(caption)
        self.display(image, metadata={"caption": caption, "label": label, VIEW_KEY: view})
        notes = self.notes_markdown(tables, base, heading)
        if notes:
            self.display(Markdown(notes))
        for t in tables:
            self.record(t.indicators, t.question, t.report_ref, label=ref)
        return Ref(ref)


def shown_numbers(table: Table) -> pd.DataFrame:
    """The numbers a table shows: its indicators and, when it has a column "n", each row's base as a ``BASE_STAT``
    number (category: the row's label, as the table prints it)."""
    if BASE_COLUMN not in table.data.columns:
        return table.indicators
    bases = [
        (str(label), BASE_STAT, float(n), int(n))
        for label, n in table.data[BASE_COLUMN].items()
        if n is not None and not pd.isna(n)
    ]
    frame = pd.DataFrame(bases, columns=["category", "stat", "value", "n"])
    return pd.concat([table.indicators[["category", "stat", "value", "n"]], frame], ignore_index=True)


def number_keys(table: Table, numbers: pd.DataFrame) -> list[list[Any]]:
    """What identifies each number of a table in ``indicators.csv``: ``[question, category, stat, value, n]`` (the
    HTML links the table's cells to exactly these rows, also when a figure showed them first), followed by the row
    label and column of its cell where the table says so (``Table.meta[CELLS]``)."""
    cells = table.meta.get(CELLS, {})
    out = []
    for c, s, v, n in zip(numbers["category"], numbers["stat"], numbers["value"], numbers["n"], strict=True):
        if v is None or pd.isna(v):
            continue
        category = "" if pd.isna(c) else str(c)
        key = [table.question, category, str(s), float(v), None if n is None or pd.isna(n) else int(n)]
        out.append(key + list(cells.get((category, str(s)), ())))
    return out


def join_report_refs(*report_refs: str) -> str:
    """Every place of ``report_refs`` once, in order of first mention, joined with ``REPORT_REF_SEPARATOR``."""
    places = dict.fromkeys(p for r in report_refs for p in split_report_refs(r))
    return REPORT_REF_SEPARATOR.join(places)


def indicator_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as an indicators frame with stable dtypes (``n`` Int64, ``value`` float)."""
    out = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    out["n"] = out["n"].astype("Int64")
    out["value"] = out["value"].astype(float)
    return out


def read_indicators(path: str | Path) -> pd.DataFrame:
    """Read an indicators CSV with stable dtypes (empty strings kept, ``n`` as Int64)."""
    out = pd.read_csv(
        path,
        dtype={"question": str, "report_ref": str, "category": str, "stat": str, "build_ref": str},
        keep_default_na=False,
        na_values={"value": [""], "n": [""]},
    )
    for col in INDICATOR_COLUMNS:  # a file written before a column existed (an older build) reads as ''
        if col not in out.columns:
            out[col] = ""
    out["n"] = out["n"].astype("Int64")
    out["value"] = out["value"].astype(float)
    return out[INDICATOR_COLUMNS]
