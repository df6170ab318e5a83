"""The figure/table registry of one notebook: numbering, captions, and every number shown.

* Figures and tables are numbered per chapter in order of appearance ("Figuur 3.1",
  "Tabel 3.1") and shown with output metadata ``{"caption": "Figuur 3.1 <titel> (n=282)",
  "label": "fig:3-1"}`` (the build's caption contract, ``helpers.publish.captions``). A
  table's n/base line and footnote follow as a separate, uncaptioned Markdown output so
  pandoc keeps the caption on the table. PNGs are saved to ``<out_dir>/figures/``.
* Every number shown is recorded in ``<out_dir>/indicators/<notebook>.csv`` (rewritten
  whole on each record; one file per notebook so parallel chapters never share a file)
  with the columns ``survey.vocabulary.INDICATOR_COLUMNS``; the build assembles them.

``out_dir`` is the build directory during a build, and ``.scratch/<year>/`` in an
interactive run: nothing is ever written into ``reports/`` by a notebook run by hand.

Indicator conventions: ``value`` unrounded; ``report_ref`` the codebook's first 2018 label
of the question for its own views, '' for new views. ``category``: the answer label (''
for ``answers_mean`` and question-level numbers); breakdowns ``"<group>: <label>"``
(``"Grote gemeenten (G4/G40): Ja"``, ``"Totaal: Ja"``); trends ``"<year>: <label>"``;
Tabel 1 the size class or "Totaal" (``n`` = municipalities in the frame) and
"Respondenten". ``stat`` is one of ``STATS``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from helpers.analysis.table import Table
from helpers.report.plots import figure_png
from helpers.survey.formatting import fmt_n
from helpers.survey.vocabulary import FIGURES_DIR, INDICATOR_COLUMNS, INDICATORS_DIR, STATS

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


class Registry:
    """Numbering, captions and the record of every number shown, for one notebook.

    ``chapter`` is the chapter number (the notebook's file number), ``name`` the notebook's
    file stem (it names the indicator part), ``out_dir`` where parts and figures go.
    ``display`` replaces ``IPython.display.display`` (tests).
    """

    def __init__(self, chapter: int, year: int, out_dir: str | Path, name: str, display: Display | None = None):
        self.chapter = int(chapter)
        self.year = int(year)
        self.out_dir = Path(out_dir)
        self.name = name
        self.display = display or ipython_display
        self.figures: list[str] = []
        self.tables: list[str] = []
        self._rows: list[dict[str, Any]] = []

    @property
    def indicators_path(self) -> Path:
        """``<out_dir>/indicators/<notebook>.csv``."""
        return self.out_dir / INDICATORS_DIR / f"{self.name}.csv"

    @property
    def indicators(self) -> pd.DataFrame:
        """The numbers recorded so far (columns ``INDICATOR_COLUMNS``)."""
        return indicator_frame(self._rows)

    # --- recording -----------------------------------------------------------------
    def record(self, numbers: pd.DataFrame, question: str, report_ref: str = "") -> None:
        """Record ``category, stat, value, n`` rows (NaN values are skipped); rewrites the notebook's part."""
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
            }
            if row not in self._rows:
                self._rows.append(row)
        self._write()

    def _write(self) -> None:
        path = self.indicators_path
        path.parent.mkdir(parents=True, exist_ok=True)
        indicator_frame(self._rows).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")

    # --- figures and tables --------------------------------------------------------
    def _caption(self, kind: str, k: int, title: str, n: int | None) -> tuple[str, str, str]:
        word, short = ("Figuur", "fig") if kind == "figure" else ("Tabel", "tab")
        number = f"{self.chapter}.{k}"
        caption = f"{word} {number} {title}" + (f" ({fmt_n(n)})" if n is not None else "")
        return f"{word} {number}", caption, f"{short}:{self.chapter}-{k}"

    def table(self, table: Table, title: str | None = None) -> Ref:
        """Show ``table`` as "Tabel <chapter>.<k>", record its numbers; returns "Tabel 3.1"."""
        from IPython.display import Markdown

        self.tables.append(table.question)
        ref, caption, label = self._caption("table", len(self.tables), title or table.title, table.n)
        self.display(Markdown(table.to_markdown(notes=False)), metadata={"caption": caption, "label": label})
        notes = table.notes_markdown()
        if notes:
            self.display(Markdown(notes))
        self.record(table.indicators, table.question, table.report_ref)
        return Ref(ref)

    def figure(self, fig: Figure, table: Table, title: str | None = None, *, n: int | None = None) -> Ref:
        """Show ``fig`` as "Figuur <chapter>.<k>", save its PNG and record the numbers of ``table``."""
        from IPython.display import Image

        self.figures.append(table.question)
        k = len(self.figures)
        base_n = n if n is not None else table.n
        ref, caption, label = self._caption("figure", k, title or table.title, base_n)
        png = figure_png(fig)
        target = self.out_dir / FIGURES_DIR / f"figuur_{self.chapter}_{k}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
        if getattr(fig.canvas, "manager", None) is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)
        image = Image(data=png, format="png", width=_png_width(png) // 2)
        self.display(image, metadata={"caption": caption, "label": label})
        self.record(table.indicators, table.question, table.report_ref)
        return Ref(ref)


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
        dtype={"question": str, "report_ref": str, "category": str, "stat": str},
        keep_default_na=False,
        na_values={"value": [""], "n": [""]},
    )
    out["n"] = out["n"].astype("Int64")
    out["value"] = out["value"].astype(float)
    return out[INDICATOR_COLUMNS]
