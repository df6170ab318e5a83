"""The Qualtrics "Data Table" CSV dialect (CONVENTIONS §2) in one place.

Layout: UTF-8 with BOM, comma, CRLF, RFC 4180 quoting. Row 1 export names,
row 2 Dutch labels, row 3 ``{"ImportId": ...}`` JSON; data from physical line 4.
The 17 metadata columns come first, then each question's columns in codebook
order. The municipality question has one column per frame municipality, named by
the CBS number without leading zeros (``Q1_14`` = GM0014).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.survey.codebook import Codebook, Column, Question

TIME_ZONE = "Europe/Amsterdam"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
HEADER_ROWS = 3
FIRST_DATA_LINE = HEADER_ROWS + 1
BOM = b"\xef\xbb\xbf"
DELIMITER = ","
LINE_END = "\r\n"


@dataclass(frozen=True)
class MetaColumn:
    """A standard Qualtrics metadata column."""

    name: str
    label: str
    import_id: str
    is_date: bool = False


#: The 17 metadata columns in export order (Dutch labels as a Dutch account exports them).
METADATA: tuple[MetaColumn, ...] = (
    MetaColumn("StartDate", "Startdatum", "startDate", is_date=True),
    MetaColumn("EndDate", "Einddatum", "endDate", is_date=True),
    MetaColumn("Status", "Type antwoord", "status"),
    MetaColumn("IPAddress", "IP-adres", "ipAddress"),
    MetaColumn("Progress", "Voortgang", "progress"),
    MetaColumn("Duration (in seconds)", "Duur (in seconden)", "duration"),
    MetaColumn("Finished", "Voltooid", "finished"),
    MetaColumn("RecordedDate", "Opgenomen datum", "recordedDate", is_date=True),
    MetaColumn("ResponseId", "Antwoord-ID", "_recordId"),
    MetaColumn("RecipientLastName", "Achternaam ontvanger", "recipientLastName"),
    MetaColumn("RecipientFirstName", "Voornaam ontvanger", "recipientFirstName"),
    MetaColumn("RecipientEmail", "E-mail ontvanger", "recipientEmail"),
    MetaColumn("ExternalReference", "Externe gegevensreferentie", "externalDataReference"),
    MetaColumn("LocationLatitude", "Breedtegraad locatie", "locationLatitude"),
    MetaColumn("LocationLongitude", "Lengtegraad locatie", "locationLongitude"),
    MetaColumn("DistributionChannel", "Distributiekanaal", "distributionChannel"),
    MetaColumn("UserLanguage", "Gebruikerstaal", "userLanguage"),
)
METADATA_NAMES: tuple[str, ...] = tuple(m.name for m in METADATA)
META_BY_IMPORT_ID: dict[str, MetaColumn] = {m.import_id: m for m in METADATA}

#: ResponseId as Qualtrics writes it: ``R_`` and 15 letters or digits (some accounts: up to 17).
RESPONSE_ID = re.compile(r"^R_[A-Za-z0-9]{15,17}$")
RESPONSE_ID_TEXT = "R_ gevolgd door 15 letters of cijfers, bv. R_1oSwClUAOnjiXna"

#: Status codes (numeric export): 0 normal, 1 preview, 2 test, 4 imported, 8 spam, 16 offline.
STATUS_KEEP = {0: "normaal", 4: "geïmporteerd", 16: "offline"}
STATUS_DROP = {1: "preview", 2: "test", 8: "spam"}


@dataclass(frozen=True)
class HeaderCell:
    """One column of the three header rows."""

    name: str
    label: str
    import_id: str
    time_zone: str | None = None

    @property
    def import_json(self) -> str:
        data = {"ImportId": self.import_id}
        if self.time_zone:
            data["timeZone"] = self.time_zone
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def municipality_numbers(frame: pd.DataFrame) -> list[int]:
    """CBS numbers (``GM0014`` -> 14) of the frame's municipalities, in frame order."""
    return [int(code[2:]) for code in frame["gemeentecode"]]


def header_cells(codebook: Codebook, frame: pd.DataFrame) -> list[HeaderCell]:
    """Every export column (metadata first) with its name, Dutch label and ImportId."""
    cells = [HeaderCell(m.name, m.label, m.import_id, TIME_ZONE if m.is_date else None) for m in METADATA]
    names = dict(zip(frame["gemeentecode"], frame["gemeentenaam"], strict=True))
    numbers = municipality_numbers(frame)
    for q in codebook.all_questions:
        for col in q.export_columns(numbers):
            cells.append(HeaderCell(col.name, column_label(q, col, names), col.import_id))
    return cells


def column_label(question: Question, col: Column, municipality_names: dict[str, str] | None = None) -> str:
    """Row-2 label the way Qualtrics writes it, e.g. ``<question text> - <option label>``."""
    text = question.text
    has_text_entry = any(o.other_text for o in question.options)
    if question.type == "municipality":
        code = f"GM{col.code:04d}"
        return f"{text} - {(municipality_names or {}).get(code, code)}"
    if col.role == "text" and col.code is not None:
        return f"{text} - {question.option(col.code).label} - Text"
    if col.role == "answer":
        return f"{text} - Selected Choice" if has_text_entry else text
    if col.role == "option":
        label = question.option(col.code).label
        return f"{text} - Selected Choice - {label}" if has_text_entry else f"{text} - {label}"
    if col.role == "item" and col.code is not None:
        item = next(it for it in question.items if it.code == col.code)
        return f"{text} - {item.label}"
    return text


def format_csv(rows: list[list[str]], delimiter: str = DELIMITER) -> str:
    """Rows as RFC 4180 text with CRLF line ends (fields quoted only when needed)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue()


def render_export(rows: pd.DataFrame, codebook: Codebook, frame: pd.DataFrame) -> str:
    """The export as text (without BOM); ``rows`` holds every column as strings, in export order."""
    cells = header_cells(codebook, frame)
    names = [c.name for c in cells]
    if list(rows.columns) != names:
        missing = [n for n in names if n not in rows.columns]
        extra = [n for n in rows.columns if n not in names]
        raise ValueError(
            f"rows must have exactly the export columns in order; missing {missing[:10]}, extra {extra[:10]}"
        )
    body: list[list[str]] = []
    for record in rows.itertuples(index=False, name=None):
        out = []
        for name, value in zip(names, record, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                out.append("")
            elif isinstance(value, str):
                out.append(value)
            else:
                raise TypeError(f"column {name!r}: export values must be strings, got {value!r}")
        body.append(out)
    header = [names, [c.label for c in cells], [c.import_json for c in cells]]
    return format_csv(header + body)


def write_export(path: str | Path, rows: pd.DataFrame, codebook: Codebook, frame: pd.DataFrame) -> Path:
    """Write ``rows`` as a Qualtrics export (BOM, CRLF, 3 header rows); byte-identical for equal input."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(BOM + render_export(rows, codebook, frame).encode("utf-8"))
    return path
