"""Line-level checks of a raw export, before any value is interpreted.

After the bytes (:mod:`helpers.load.raw_bytes`: path, file type, encoding): line endings
(CR-only files from old Excel versions are read, with a warning), the delimiter, the three
header rows (names, labels, ImportId JSON), the field count of every record, header rows
repeated mid-file and control characters (NUL, …) in cells. The result is a
:class:`RawTable`: header rows plus data records of strings with their physical line numbers.
Problems that make further reading pointless raise at once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.load.problems import ProblemLog
from helpers.load.raw_bytes import CANDIDATE_DELIMITERS, REEXPORT, check_magic, decode, read_bytes
from helpers.survey.export_layout import DELIMITER, HEADER_ROWS, METADATA_NAMES
from helpers.survey.input_errors import CONTROL_CHARACTERS

DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$")
_RESPONSE_ID = re.compile(r"^R_[A-Za-z0-9]{8,}$")
_BARE_CR = re.compile(r"\r(?!\n)")


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
    data = read_bytes(Path(path), log)
    log.raise_if_errors()
    check_magic(data, log)
    log.raise_if_errors()
    text, used, bom = decode(data, log, encoding)
    log.raise_if_errors()
    text = _line_endings(text, log)
    delimiter = _detect_delimiter(text, log)
    records = _parse(text, delimiter, log)
    log.raise_if_errors()
    return _split_header(records, log, used, bom, delimiter)


# --- delimiter and records -----------------------------------------------------------


def _line_endings(text: str, log: ProblemLog) -> str:
    """CR-only line ends (old Mac Excel 'CSV (Macintosh)') become LF, with a warning; line numbers stay.

    Such a file ends its records with CR but may hold an LF inside a cell (a line break typed in an open
    answer): it counts as CR-only when it has a bare CR and no CRLF at all.
    """
    if _BARE_CR.search(text) and "\r\n" not in text:
        log.warning(
            "line_endings",
            "De regels eindigen op CR alleen (oud Excel-formaat 'CSV (Macintosh)'); het bestand is zo gelezen.",
            line=1,
            action=REEXPORT,
        )
        return text.replace("\r", "\n")
    return text


def _detect_delimiter(text: str, log: ProblemLog) -> str:
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
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
        _check_controls(line, fields, names, log)
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


def _check_controls(line: int, fields: list[str], names: list[str], log: ProblemLog) -> None:
    for i, value in enumerate(fields):
        found = CONTROL_CHARACTERS.search(value)
        if found:
            char, at = found.group(), found.start()
            shown = ("…" if at > 30 else "") + value[max(0, at - 30) : at + 30] + ("…" if at + 30 < len(value) else "")
            log.error(
                "control_character",
                f"Stuurteken U+{ord(char):04X}{' (NUL)' if char == chr(0) else ''} in de cel.",
                line=line,
                column=names[i],
                value=shown,
                expected="tekst zonder stuurtekens",
                action="Verwijder het teken (meestal een kopieer- of opslagfout) of exporteer opnieuw.",
            )


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
