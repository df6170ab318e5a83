"""The data behind one figure or table: a CSV and an XLSX file, and the text alternative of a chart.

Every figure and table of the report gets ``<out_dir>/data/<notebook>/<slug>.csv`` (and ``.xlsx``) holding
exactly the numbers it shows (its ``Table.indicators``), each with the base n, the question text
and the routing, so a reviewer can check or reuse them. The CSV is long (one number a row, UTF-8,
comma, the same numbers as ``indicators.csv``); the XLSX adds the table as shown and an
explanation sheet. Both are reproducible: the XLSX's zip entries and document dates come from
``SOURCE_DATE_EPOCH`` (the build sets it), never from the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.analysis.table import Table
from helpers.survey.formatting import format_value
from helpers.survey.text_escape import plain, spreadsheet_frame
from helpers.survey.vocabulary import DATA_DIR

#: Columns of a figure's or table's CSV (Dutch: the file is for readers).
CSV_COLUMNS = ["label", "vraag", "vraagtekst", "routering", "categorie", "statistiek", "waarde", "getoond", "n"]
#: Dutch words for each stat (CSV downloads, the HTML provenance descriptions).
STAT_WORDS = {
    "pct": "percentage",
    "mean": "gemiddelde",
    "median": "mediaan",
    "count": "aantal",
    "answers_mean": "gemiddeld aantal antwoorden",
    "min": "minimum",
    "max": "maximum",
    "p": "p-waarde",
    "ci_low": "ondergrens van het 95%-betrouwbaarheidsinterval",
    "ci_high": "bovengrens van het 95%-betrouwbaarheidsinterval",
    "n": "basis (aantal dat de vraag beantwoordde)",
}


@dataclass(frozen=True)
class ViewText:
    """What a reader needs besides the numbers: question text, routing, base (per shown table)."""

    question: str
    question_text: str
    routing: str
    base: str


def slug(ref: str) -> str:
    """``"Figuur 3.1"`` -> ``"figuur-3-1"`` (file names of the data downloads)."""
    return re.sub(r"[^a-z0-9]+", "-", ref.lower()).strip("-")


def long_rows(ref: str, tables: Sequence[Table], texts: Sequence[ViewText]) -> pd.DataFrame:
    """The numbers a view shows, one a row, with label, question text and routing (``CSV_COLUMNS``)."""
    rows = []
    for table, text in zip(tables, texts, strict=True):
        percent = table.kind == "percent" or table.stat == "pct"
        for cat, stat, value, n in table.indicators[["category", "stat", "value", "n"]].itertuples(index=False):
            if value is None or pd.isna(value):
                continue
            shown = format_value(float(value), stat, percent=percent and stat in ("mean", "median"))
            rows.append(
                {
                    "label": ref,
                    "vraag": table.question,
                    "vraagtekst": text.question_text,
                    "routering": text.routing,
                    "categorie": "" if cat is None or pd.isna(cat) else str(cat),
                    "statistiek": STAT_WORDS.get(stat, stat),
                    "waarde": float(value),
                    "getoond": shown,
                    "n": None if n is None or pd.isna(n) else int(n),
                }
            )
    out = pd.DataFrame(rows, columns=CSV_COLUMNS)
    out["n"] = out["n"].astype("Int64")
    return out


def shown_frame(tables: Sequence[Table]) -> pd.DataFrame:
    """The numbers as the figure or table shows them (display strings; row labels as first column).

    Several tables (statements in one chart) are stacked with their title as the first column.
    """
    frames = []
    for table in tables:
        shown = table.formatted()
        first = table.data.index.name or "Categorie"
        shown.insert(0, first, [str(i) for i in table.data.index])
        if len(tables) > 1:
            shown.insert(0, "Onderdeel", table.title)
        frames.append(shown.reset_index(drop=True))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_files(
    out_dir: Path, notebook: str, ref: str, title: str, tables: Sequence[Table], texts: Sequence[ViewText]
) -> dict[str, str]:
    """Write ``data/<notebook>/<slug>.csv`` and ``.xlsx`` under ``out_dir``; return their paths relative to it.

    One folder per notebook: the build keeps a reused notebook's files with its other parts.
    """
    folder = Path(out_dir) / DATA_DIR / notebook
    folder.mkdir(parents=True, exist_ok=True)
    name = slug(ref)
    long = long_rows(ref, tables, texts)
    csv_path = folder / f"{name}.csv"
    spreadsheet_frame(long).to_csv(csv_path, index=False, encoding="utf-8", lineterminator="\n")
    xlsx_path = folder / f"{name}.xlsx"
    xlsx_path.write_bytes(_xlsx(ref, title, tables, texts, long))
    return {"csv": f"{DATA_DIR}/{notebook}/{csv_path.name}", "xlsx": f"{DATA_DIR}/{notebook}/{xlsx_path.name}"}


def _epoch() -> dt.datetime:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(raw) if raw and raw.isdigit() else 315532800  # 1980-01-01, the zip epoch
    return dt.datetime.fromtimestamp(max(seconds, 315532800), tz=dt.UTC).replace(tzinfo=None)


def _xlsx(ref: str, title: str, tables: Sequence[Table], texts: Sequence[ViewText], long: pd.DataFrame) -> bytes:
    """Three sheets (Cijfers as shown, Gegevens one number a row, Toelichting), with fixed dates."""
    from openpyxl import Workbook

    wb = Workbook()
    shown = wb.active
    shown.title = "Cijfers"
    _append(shown, [f"{ref} {title}"])
    frame = shown_frame(tables)
    _append(shown, list(frame.columns))
    for row in frame.itertuples(index=False):
        _append(shown, [str(v) for v in row])
    data = wb.create_sheet("Gegevens")
    _append(data, CSV_COLUMNS)
    for row in long.itertuples(index=False):
        _append(data, [None if pd.isna(v) else v for v in row])
    notes = wb.create_sheet("Toelichting")
    _append(notes, ["label", "titel", "vraag", "vraagtekst", "routering", "basis", "n", "voetnoot"])
    for table, text in zip(tables, texts, strict=True):
        row = [ref, title, table.question, text.question_text, text.routing, text.base, table.n, table.footnote]
        _append(notes, row)
    when = _epoch()
    wb.properties.created = wb.properties.modified = when
    wb.properties.creator = "monitor"
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue(), when)


def _append(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row whose texts are string cells: a label starting with ``=`` is never a formula."""
    sheet.append([plain(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a zip with every entry dated ``when`` (openpyxl stamps entries, and the document's
    ``modified`` date in ``docProps/core.xml``, with the clock)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", content)
            dst.writestr(entry, content)
    return out.getvalue()


# --- text alternative -----------------------------------------------------------------


def short_description(tables: Sequence[Table], chart: str = "") -> str:
    """A one-sentence text alternative for a chart that does not repeat its caption.

    It names the kind of chart (``chart``, e.g. "Staafdiagram" or "Kaart"; "Grafiek" when unknown)
    and what it holds (with the extremes of a simple bar chart) and points to the numbers table
    under the figure, where every number stands as text.
    """
    first = tables[0]
    word = chart or "Grafiek"
    rows = [str(i) for i in first.data.index]
    if word == "Kaart":
        what = f"Kaart; de aantallen per {first.data.index.name or 'groep'} staan in de tabel onder de figuur"
        return f"{what}."
    if len(tables) > 1:
        what = f"{word} van {len(tables)} onderdelen met elk {len(rows)} antwoorden"
    elif first.kind == "trend":
        what = f"{word}: {', '.join(rows)}"
    else:
        what = f"{word} met {len(rows)} {'rij' if len(rows) == 1 else 'rijen'}"
        extremes = _extremes(first) if word == "Staafdiagram" else ""
        if extremes:
            what += f", van {extremes}"
    return f"{what}. De cijfers staan in de tabel onder de figuur."


def _extremes(table: Table) -> str:
    numeric = [c for c in table.data.columns if table.formats.get(c, "text") not in ("text", "int", "p")]
    if not numeric or len(table.data) < 2:
        return ""
    col = numeric[0]
    shown = table.formatted()[table.headers.get(col, col)]
    labels = [str(i) for i in table.data.index]
    return f"{labels[0]} ({shown.iloc[0]}) tot {labels[-1]} ({shown.iloc[-1]})"
