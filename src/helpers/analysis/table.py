"""The ``Table`` every view returns: display frame, base, footnote and the numbers shown,
rendered as a Dutch pipe table."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from helpers.survey.codebook import Question
from helpers.survey.formatting import fmt_n, fmt_number, fmt_pct
from helpers.survey.text_escape import markdown_text as _md_escape
from helpers.survey.vocabulary import NUMBER_COLUMNS, SUPPRESSED

#: ``Table.meta`` key: where a number stands when its category does not say it, ``{(category, stat): (row label,
#: column)}`` (two columns of one row may hold the same count; the HTML links each cell to its own number).
CELLS = "cells"


@dataclass
class Table:
    """A table as shown in a chapter.

    ``data`` holds unrounded numbers (index = row labels, its name the first header);
    ``formats`` maps a column to ``pct``, ``pct1``, ``num0``, ``num1``, ``int``, ``p`` or
    ``text``; ``indicators`` are the numbers shown (``category, stat, value, n``).
    """

    data: pd.DataFrame
    question: str
    title: str
    n: int | None
    base: str
    kind: str
    stat: str
    report_ref: str = ""
    footnote: str = ""
    formats: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    indicators: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NUMBER_COLUMNS))
    meta: dict[str, Any] = field(default_factory=dict)

    def caption(self, label: str | None = None) -> str:
        """``"Tabel 3.1 <title> (n=282)"`` (label and n only when given)."""
        head = f"{label} " if label else ""
        tail = f" ({fmt_n(self.n)})" if self.n is not None else ""
        return f"{head}{self.title}{tail}"

    def formatted(self) -> pd.DataFrame:
        """``data`` as Dutch display strings (half-up rounded; missing = "–")."""
        out = pd.DataFrame(index=self.data.index)
        for col in self.data.columns:
            kind = self.formats.get(col, "text")
            out[self.headers.get(col, col)] = [format_cell(v, kind) for v in self.data[col]]
        return out

    def to_markdown(self, caption: str | None = None, *, notes: bool = True) -> str:
        """Pipe table (pandoc longtable in the PDF); ``notes`` adds the n/base line and footnote under it.

        The registry shows the table and its notes as two outputs, so that the build's
        caption (a pandoc ``Table:`` line) stays attached to the table.
        """
        shown = self.formatted()
        first = self.data.index.name or ""
        header = [first, *shown.columns]
        body = [[str(i), *row] for i, row in zip(shown.index, shown.itertuples(index=False), strict=True)]
        numeric = [False] + [self.formats.get(c, "text") != "text" for c in self.data.columns]
        lines = []
        if caption:
            lines += [f"**{_md_escape(caption)}**", ""]
        lines.append(_md_row(header))
        # pandoc sizes wrapped columns by the dashes in this rule: numbers get room for their
        # values (headers may wrap), labels at most 40, so short columns never become unreadable
        widths = [
            max(10, 4 + max((len(r[i]) for r in body), default=0))
            if num
            else min(40, max(3, len(h), *(len(r[i]) for r in body)))
            for i, (h, num) in enumerate(zip(header, numeric, strict=True))
        ]
        rule = [("-" * (w - 1) + ":") if num else (":" + "-" * (w - 1)) for w, num in zip(widths, numeric, strict=True)]
        lines.append("|" + "|".join(rule) + "|")
        lines += [_md_row(r) for r in body]
        if notes and (text := self.notes_markdown()):
            lines += ["", text.rstrip("\n")]
        return "\n".join(lines) + "\n"

    def notes_markdown(self) -> str:
        """The line under the table: ``*n=282; basis: …. Footnote.*`` ('' when there is nothing to say)."""
        notes = []
        if self.n is not None or self.base:
            parts = [fmt_n(self.n)] if self.n is not None else []
            if self.base:
                parts.append(f"basis: {self.base}")
            notes.append("; ".join(parts) + ".")
        if self.footnote:
            notes.append(self.footnote)
        return "*" + _md_escape(" ".join(notes)) + "*\n" if notes else ""

    def _repr_markdown_(self) -> str:
        return self.to_markdown(caption=self.caption())


def report_ref_of(q: Question, report_ref: str | None) -> str:
    """``report_ref`` when given, else the question's first 2018 report label ('' when none)."""
    if report_ref is not None:
        return report_ref
    return q.report_refs[0] if q.report_refs else ""


def lookup(ind: pd.DataFrame, category: str, stat: str) -> tuple[float, int]:
    """Value and base of one ``category``/``stat`` row of an indicators frame."""
    hit = ind[(ind["category"] == category) & (ind["stat"] == stat)]
    if hit.empty:
        raise KeyError(f"no {stat!r} for category {category!r}")
    return float(hit["value"].iloc[0]), int(hit["n"].iloc[0])


def number_rows(rows: Iterable[tuple[str, str, float, int | None]]) -> pd.DataFrame:
    """The ``NUMBER_COLUMNS`` frame of ``rows``; NaN values (suppressed numbers) are left out."""
    kept = [r for r in rows if not (isinstance(r[2], float) and math.isnan(r[2]))]
    return pd.DataFrame(kept, columns=NUMBER_COLUMNS)


# --- formatting helpers -------------------------------------------------------------


def format_cell(value: Any, kind: str) -> str:
    """One cell as shown, by ``kind`` (``pct``, ``pct1``, ``num0``, ``num1``, ``int``, ``p``, ``text``)."""
    if kind == "text":
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else str(value)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    v = float(value)
    if kind == "pct":
        return fmt_pct(v, 0)
    if kind == "pct1":
        return fmt_pct(v, 1)
    if kind == "num0":
        return fmt_number(v, 0)
    if kind == "num1":
        return fmt_number(v, 1)
    if kind == "int":
        return fmt_number(v, 0)
    if kind == "p":
        return "<\u00a00,001" if v < 0.001 else fmt_number(v, 3)
    raise ValueError(f"unknown format {kind!r}")


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_md_escape(c) for c in cells) + " |"
