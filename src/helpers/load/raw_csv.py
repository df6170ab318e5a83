"""Byte- and line-level checks of a raw export, before any value is interpreted.

Magic bytes (xlsx/zip), BOM, strict UTF-8 with the line and column of a bad byte,
the delimiter, the three header rows (names, labels, ImportId JSON), the field
count of every record and header rows repeated mid-file. The result is a
:class:`RawTable`: header rows plus data records of strings with their physical
line numbers. Problems that make further reading pointless raise at once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.load.problems import ProblemLog
from helpers.survey.export_layout import BOM, DELIMITER, HEADER_ROWS, METADATA_NAMES

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CANDIDATE_DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}
MAX_BYTE_PROBLEMS = 20
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$")
_RESPONSE_ID = re.compile(r"^R_[A-Za-z0-9]{8,}$")

REEXPORT = (
    "Exporteer opnieuw uit Qualtrics (Data & Analysis > Export data > CSV, 'Use numeric values') en open of "
    "bewaar het bestand niet in Excel."
)


@dataclass
class RawTable:
    """An export split into header rows and data records, nothing converted yet."""

    file: str
    encoding: str
    bom: bool
    delimiter: str
    names: list[str]
    labels: list[str]
    import_ids: list[str | None]
    time_zones: list[str | None]
    #: (physical line where the record starts, fields) for every well-formed data record
    records: list[tuple[int, list[str]]]
    #: number of data records read, including malformed ones and repeated headers
    n_records: int


def read_raw(path: str | Path, log: ProblemLog, encoding: str | None = None) -> RawTable:
    """Read ``path`` read-only and split it into a :class:`RawTable`; raise RawDataError on fatal problems."""
    path = Path(path)
    with open(path, "rb") as fh:
        data = fh.read()
    _check_magic(data, log)
    log.raise_if_errors()
    text, used, bom = _decode(data, log, encoding)
    log.raise_if_errors()
    delimiter = _detect_delimiter(text, log)
    records = _parse(text, delimiter, log)
    log.raise_if_errors()
    return _split_header(records, log, used, bom, delimiter)


# --- bytes ---------------------------------------------------------------------------


def _check_magic(data: bytes, log: ProblemLog) -> None:
    if not data.strip(BOM + b" \r\n\t"):
        log.error("empty_file", "Het bestand is leeg.", action=REEXPORT)
    elif data.startswith(ZIP_MAGIC):
        log.error(
            "not_csv",
            "Dit is een Excel- of zip-bestand (begint met 'PK'), geen CSV.",
            expected="een CSV-tekstbestand",
            action="Pak een zip-bestand uit, of exporteer uit Qualtrics als CSV (niet als Excel).",
        )
    elif data.startswith(OLE_MAGIC):
        log.error("not_csv", "Dit is een oud Excel-bestand (.xls), geen CSV.", action=REEXPORT)
    elif data.startswith(UTF16_BOMS):
        log.error(
            "not_utf8",
            "Het bestand is UTF-16 gecodeerd (Excel 'Unicode-tekst'), niet UTF-8.",
            action=REEXPORT,
        )


def _decode(data: bytes, log: ProblemLog, encoding: str | None) -> tuple[str, str, bool]:
    bom = data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    if encoding is not None:
        try:
            return body.decode(encoding), encoding, bom
        except (UnicodeDecodeError, LookupError) as exc:
            log.error("not_decodable", f"Het bestand is niet te lezen als {encoding}: {exc}.", action=REEXPORT)
            return "", encoding, bom
    positions = _bad_utf8_positions(body)
    if not positions:
        return body.decode("utf-8"), "utf-8", bom
    hint = "Exporteer opnieuw uit Qualtrics (CSV is altijd UTF-8)"
    if _decodes(body, "cp1252"):
        hint += (
            ", of geef encoding='cp1252' op als het bestand bewust in Excel is opgeslagen "
            "(het lijkt Windows-1252: Excel 'CSV (gescheiden door lijstscheidingsteken)')."
        )
    else:
        hint += "."
    names, delimiter = _guess_header(body)
    for pos in positions:
        line, column = _locate(body, pos)
        field = _field_index(body, pos, delimiter)
        log.error(
            "not_utf8",
            f"Het bestand is geen UTF-8: byte 0x{body[pos]:02X} op regel {line}, positie {column}.",
            line=line,
            column=names[field] if field < len(names) else None,
            value=_context(body, pos),
            expected="UTF-8-tekst",
            action=hint,
        )
    return "", "utf-8", bom


def _bad_utf8_positions(body: bytes) -> list[int]:
    positions, start = [], 0
    while len(positions) < MAX_BYTE_PROBLEMS:
        try:
            body[start:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            positions.append(start + exc.start)
            start += exc.end
    return positions


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _locate(body: bytes, pos: int) -> tuple[int, int]:
    """Physical line (1-based) and character column (1-based) of byte ``pos``."""
    line = body.count(b"\n", 0, pos) + 1
    line_start = body.rfind(b"\n", 0, pos) + 1
    column = len(body[line_start:pos].decode("utf-8", errors="replace")) + 1
    return line, column


def _guess_header(body: bytes) -> tuple[list[str], str]:
    """Header names and delimiter from line 1, read leniently (for locating bad bytes)."""
    first = body.split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
    best = max(CANDIDATE_DELIMITERS, key=lambda d: sum(f in METADATA_NAMES for f in first.split(d)))
    return next(csv.reader([first], delimiter=best), []), best


def _field_index(body: bytes, pos: int, delimiter: str) -> int:
    """Index of the field holding byte ``pos``, counted from the start of its line."""
    prefix = body[body.rfind(b"\n", 0, pos) + 1 : pos].decode("utf-8", errors="replace")
    return len(next(csv.reader([prefix + "x"], delimiter=delimiter), [""])) - 1


def _context(body: bytes, pos: int) -> str:
    return body[max(0, pos - 15) : pos + 15].decode("utf-8", errors="replace").replace("\r", "").replace("\n", "⏎")


# --- delimiter and records -----------------------------------------------------------


def _detect_delimiter(text: str, log: ProblemLog) -> str:
    first = text.split("\n", 1)[0].rstrip("\r")
    scores = {}
    for d in CANDIDATE_DELIMITERS:
        fields = next(csv.reader([first], delimiter=d), [])
        scores[d] = (sum(f.strip() in METADATA_NAMES for f in fields), len(fields))
    best = max(CANDIDATE_DELIMITERS, key=lambda d: (scores[d], d == DELIMITER))
    if scores[best][0] == 0:
        best = max(CANDIDATE_DELIMITERS, key=lambda d: (scores[d][1], d == DELIMITER))
    if best != DELIMITER and scores[best][1] > 1:
        log.warning(
            "delimiter",
            f"Scheidingsteken is {DELIMITER_NAMES[best]} (verwacht ','); het bestand is waarschijnlijk in Excel "
            "opgeslagen. Het is gelezen met dit scheidingsteken; controleer ook datums en decimalen.",
            line=1,
            action=REEXPORT,
        )
    return best


def _parse(text: str, delimiter: str, log: ProblemLog) -> list[tuple[int, list[str]]]:
    """Every non-blank record with the physical line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, end = [], 0
    while True:
        start = end + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            log.error(
                "csv_syntax",
                f"Regel {start} is geen geldige CSV ({exc}): meestal een los aanhalingsteken in een open antwoord.",
                line=start,
                action='Herstel het aanhalingsteken ("" binnen een veld) of exporteer opnieuw.',
            )
            break
        end = reader.line_num
        if fields:
            records.append((start, fields))
    return records


def _split_header(
    records: list[tuple[int, list[str]]], log: ProblemLog, encoding: str, bom: bool, delimiter: str
) -> RawTable:
    names = [f.lstrip("\ufeff") for f in records[0][1]]
    if len(names) < 2:
        log.error(
            "delimiter",
            "Regel 1 bevat maar één kolom: het scheidingsteken is niet herkend.",
            line=1,
            value=names[0][:60] if names else "",
            expected="kolomnamen gescheiden door ',' (StartDate,EndDate,…)",
            action=REEXPORT,
        )
        log.raise_if_errors()
    n_header = _count_header_rows(records)
    if n_header != HEADER_ROWS:
        legacy = "V1" in names or "ResponseID" in names
        message = (
            f"Regel 3 bevat geen ImportId-JSON; verwacht een Qualtrics-export met 3 kopregels "
            f"(namen, labels, ImportId), gevonden: {n_header}."
        )
        if legacy:
            message += " Dit lijkt het oude Qualtrics-exportformaat (vóór 2017: kolommen V1…, ResponseID)."
        log.error("header_rows", message, line=min(3, len(records)), action=REEXPORT)
        log.raise_if_errors()
    labels, id_row = records[1][1], records[2][1]
    for (line, fields), what in ((records[1], "labels"), (records[2], "ImportId's")):
        if len(fields) != len(names):
            log.error(
                "field_count",
                f"Kopregel {line} ({what}) heeft {len(fields)} velden, regel 1 heeft er {len(names)}.",
                line=line,
                action=REEXPORT,
            )
    log.raise_if_errors()
    import_ids, zones = zip(*(_parse_import_id(cell) for cell in id_row), strict=True)
    data = records[HEADER_ROWS:]
    if not data:
        log.error(
            "header_only",
            "Geen responsen in het bestand (alleen de 3 kopregels).",
            action="Controleer het filter bij het exporteren: exporteer alle responsen.",
        )
        log.raise_if_errors()
    kept = _check_records(data, names, labels, id_row, log)
    return RawTable(
        file=log.file,
        encoding=encoding,
        bom=bom,
        delimiter=delimiter,
        names=names,
        labels=labels,
        import_ids=list(import_ids),
        time_zones=list(zones),
        records=kept,
        n_records=len(data),
    )


def _count_header_rows(records: list[tuple[int, list[str]]]) -> int:
    """3 when row 3 holds ImportId JSON; otherwise the number of rows before the first data-like row."""
    if len(records) >= 3 and _is_import_row(records[2][1]):
        return HEADER_ROWS
    for i, (_, fields) in enumerate(records[1:], start=1):
        if _looks_like_data(fields):
            return min(i, HEADER_ROWS - 1) if i >= HEADER_ROWS else i
    return min(len(records), HEADER_ROWS - 1)


def _is_import_row(fields: list[str]) -> bool:
    if not any(f.lstrip().startswith("{") for f in fields):
        return False
    filled = [f for f in fields if f.strip()]
    parsed = sum(_parse_import_id(f)[0] is not None for f in filled)
    return bool(filled) and parsed * 2 >= len(filled)


def _parse_import_id(cell: str) -> tuple[str | None, str | None]:
    try:
        data = json.loads(cell)
    except (json.JSONDecodeError, ValueError):
        return None, None
    if isinstance(data, dict) and isinstance(data.get("ImportId"), str):
        return data["ImportId"], data.get("timeZone")
    return None, None


def _looks_like_data(fields: list[str]) -> bool:
    return any(_RESPONSE_ID.match(f) or _DATE_LIKE.match(f) for f in fields)


def _check_records(
    data: list[tuple[int, list[str]]], names: list[str], labels: list[str], id_row: list[str], log: ProblemLog
) -> list[tuple[int, list[str]]]:
    kept: list[tuple[int, list[str]]] = []
    repeated: list[int] = []
    for line, fields in data:
        if fields[:2] == names[:2] or fields == labels or _is_import_row(fields):
            repeated.append(line)
            continue
        if len(fields) != len(names):
            log.error(
                "field_count",
                f"Regel {line} heeft {len(fields)} velden, verwacht {len(names)}: meestal een los "
                "aanhalingsteken, scheidingsteken of regeleinde in een open antwoord na handmatig bewerken.",
                line=line,
                value=_preview(fields),
                expected=f"{len(names)} velden zoals in regel 1",
                action='Herstel de regel (velden met komma\'s of regeleinden tussen "…") of exporteer opnieuw.',
            )
            continue
        kept.append((line, fields))
    for first, last in _runs(repeated):
        span = f"Regel {first}" if first == last else f"Regels {first}–{last}"
        log.error(
            "header_repeated",
            f"{span} {'lijkt een kopregel' if first == last else 'lijken kopregels'} midden in het bestand "
            f"({','.join(names[:3])},…): zijn twee exports samengevoegd?",
            line=first,
            action="Voeg exports niet handmatig samen; exporteer alle responsen in één keer.",
        )
    return kept


def _runs(lines: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for line in lines:
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return runs


def _preview(fields: list[str]) -> str:
    text = ",".join(fields)
    return text if len(text) <= 80 else text[:77] + "…"
