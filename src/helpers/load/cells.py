"""Turn the strings of a raw export into codes and numbers, cell by cell.

Sentinels stay recognisable through the ``raw`` strings: ``-99`` = seen but
unanswered (single, percent, count), ``0`` = not ticked (multi), empty = not
shown or not reached. Converted values are NA for all three; which one it was is
decided later (status, routing) from the raw strings. A cell that cannot be
converted is logged with its line, column, ImportId and value, and remembered in
``invalid`` so that follow-up checks stay quiet about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from helpers.load.columns import ColumnMap
from helpers.load.problems import ProblemLog
from helpers.load.raw_csv import RawTable
from helpers.survey.codebook import MAX_CODE, Codebook, Column, Question
from helpers.survey.export_layout import DATE_FORMAT, RESPONSE_ID, RESPONSE_ID_TEXT, STATUS_DROP, STATUS_KEEP
from helpers.survey.vocabulary import SEEN_UNANSWERED

SENTINEL = str(SEEN_UNANSWERED)
_INT = re.compile(r"^-?\d+$")
_NUM = {".": re.compile(r"^-?\d+(\.\d+)?$"), ",": re.compile(r"^-?\d+(,\d+)?$")}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_CHOICE_TEXT_HINT = "Exporteer met 'Use numeric values' (niet 'Use choice text')."


@dataclass(frozen=True)
class Cell:
    """One converted export column: where it is and what it becomes."""

    question: Question
    column: Column
    target: str  #: processed column name
    file_name: str  #: column name as written in the export


@dataclass
class Converted:
    """Converted answers of the kept rows (index = physical line)."""

    raw: pd.DataFrame  #: strings by ImportId
    codes: pd.DataFrame  #: codes/numbers/text by processed column name
    cells: dict[str, Cell]  #: processed column name -> Cell
    invalid: set[tuple[int, str]] = field(default_factory=set)  #: (line, ImportId) not convertible


def records_frame(table: RawTable) -> pd.DataFrame:
    """All well-formed data records as an object DataFrame (index = physical line, columns = position)."""
    lines = [line for line, _ in table.records]
    data = [fields for _, fields in table.records]
    return pd.DataFrame(data, index=pd.Index(lines, name="line"), columns=range(len(table.names)), dtype=object)


# --- metadata --------------------------------------------------------------------------


def parse_metadata(records: pd.DataFrame, cmap: ColumnMap, log: ProblemLog) -> pd.DataFrame:
    """Typed metadata of every record: response_id, status, finished, progress, dates, channel."""
    out = pd.DataFrame(index=records.index)

    def raw(iid: str) -> pd.Series:
        pos = cmap.position.get(iid)
        return records[pos].astype(str).str.strip() if pos is not None else pd.Series("", index=records.index)

    def where(iid: str) -> dict:
        return {"column": cmap.name.get(iid, iid), "import_id": iid}

    out["response_id"] = raw("_recordId")
    for line, rid in out["response_id"].items():
        if rid == "":
            log.error("missing_response_id", "Respons zonder ResponseId.", line=line, **where("_recordId"))
        elif not RESPONSE_ID.match(rid):
            log.error(
                "bad_response_id",
                "De ResponseId heeft niet de vorm die Qualtrics geeft (is de kolom met de hand bewerkt of "
                "verschoven?).",
                line=line,
                value=rid,
                expected=RESPONSE_ID_TEXT,
                action="Exporteer opnieuw uit Qualtrics; bewerk de ResponseId niet.",
                **where("_recordId"),
            )
    out["status"] = _meta_ints(raw("status"), set(STATUS_KEEP) | set(STATUS_DROP), log, where("status"))
    out["finished"] = _meta_ints(raw("finished"), {0, 1}, log, where("finished"))
    out["progress"] = _meta_progress(raw("progress"), log, where("progress"))
    for iid, name in (("startDate", "start_date"), ("endDate", "end_date"), ("recordedDate", "recorded_date")):
        required = iid == "recordedDate"
        out[name] = _meta_dates(raw(iid), log, where(iid)) if required or iid in cmap.position else pd.NaT
    _check_date_order(out, log, where)
    out["channel"] = raw("distributionChannel").str.lower()
    return out


def _check_date_order(meta: pd.DataFrame, log: ProblemLog, where) -> None:
    """EndDate and RecordedDate (when the response was stored) cannot lie before StartDate."""
    for column, iid, text, name in (
        ("end_date", "endDate", "einddatum", "EndDate"),
        ("recorded_date", "recordedDate", "opnamedatum (RecordedDate)", "RecordedDate"),
    ):
        for line in meta.index[(meta[column] < meta["start_date"]).fillna(False).astype(bool)]:
            log.error(
                "date_order",
                f"De {text} ligt vóór de startdatum.",
                line=line,
                value=f"{meta.at[line, 'start_date']} – {meta.at[line, column]}",
                expected=f"StartDate ≤ {name}",
                action="Exporteer opnieuw; open het bestand niet in Excel.",
                **where(iid),
            )


def small_int(value: str) -> int | None:
    """``value`` as an integer when it is one within ±MAX_CODE (never converts a thousand-digit string)."""
    if not _INT.match(value) or len(value.lstrip("-")) > len(str(MAX_CODE)):
        return None
    number = int(value)
    return number if abs(number) <= MAX_CODE else None


def _meta_ints(values: pd.Series, allowed: set[int], log: ProblemLog, where: dict) -> pd.Series:
    out = pd.Series(pd.NA, index=values.index, dtype="Int64")
    for line, value in values.items():
        number = small_int(value)
        if number is not None and number in allowed:
            out[line] = number
        else:
            text = not _INT.match(value) and value != ""
            log.error(
                "labels_instead_of_codes" if text else "bad_metadata",
                "Tekst waar een code verwacht wordt." if text else "Ongeldige waarde.",
                line=line,
                value=value,
                expected="een van " + ", ".join(map(str, sorted(allowed))),
                action=_CHOICE_TEXT_HINT if text else "Exporteer opnieuw uit Qualtrics.",
                **where,
            )
    return out


def _meta_progress(values: pd.Series, log: ProblemLog, where: dict) -> pd.Series:
    out = pd.Series(pd.NA, index=values.index, dtype="Float64")
    for line, value in values.items():
        if _NUM["."].match(value) and 0 <= float(value) <= 100:
            out[line] = float(value)
        else:
            log.error("bad_metadata", "Ongeldige voortgang.", line=line, value=value, expected="0–100", **where)
    return out


def _meta_dates(values: pd.Series, log: ProblemLog, where: dict) -> pd.Series:
    """Dates in the export format; a wrong format or a date that does not exist (2018-02-30) is logged."""
    parsed: list[datetime | None] = []
    for line, value in values.items():
        if not _DATE.match(value):
            parsed.append(None)
            log.error("bad_date", "Datum niet in het exportformaat (Excel herschrijft datums).", line=line,
                      value=value, expected="JJJJ-MM-DD UU:MM:SS",
                      action="Exporteer opnieuw en open het bestand niet in Excel.", **where)  # fmt: skip
            continue
        try:
            parsed.append(datetime.strptime(value, DATE_FORMAT))
        except ValueError:
            parsed.append(None)
            log.error("impossible_date", "Deze datum of tijd bestaat niet.", line=line, value=value,
                      expected="een bestaande datum en tijd (JJJJ-MM-DD UU:MM:SS)",
                      action="Exporteer opnieuw uit Qualtrics; het bestand is met de hand of door een ander "
                      "programma gewijzigd.", **where)  # fmt: skip
    return pd.Series(pd.to_datetime(pd.Series(parsed, dtype=object)).to_numpy(), index=values.index)


# --- answers ---------------------------------------------------------------------------


def answer_cells(codebook: Codebook, cmap: ColumnMap) -> dict[str, Cell]:
    """Every non-municipality export column with its processed name (columns missing from the file skipped)."""
    cells: dict[str, Cell] = {}
    for q in codebook.all_questions:
        if q.type == "municipality":
            continue
        for col, target in zip(q.export_columns(), q.processed_columns(), strict=True):
            if col.import_id in cmap.position:
                cells[target] = Cell(q, col, target, cmap.name[col.import_id])
    return cells


def convert_answers(
    records: pd.DataFrame, cells: dict[str, Cell], cmap: ColumnMap, log: ProblemLog, decimal: str = "."
) -> Converted:
    """Convert the answer columns of ``records`` (kept rows only)."""
    raw = pd.DataFrame(
        {c.column.import_id: records[cmap.position[c.column.import_id]] for c in cells.values()},
        index=records.index,
        dtype=object,
    )
    result = Converted(raw=raw, codes=pd.DataFrame(index=records.index), cells=cells)
    columns = {}
    for target, cell in cells.items():
        values = raw[cell.column.import_id].astype(str)
        role = cell.column.role
        if role == "text":
            columns[target] = values.where(values.str.strip() != "").astype("string")
        elif role == "item":
            columns[target] = _numbers(values, cell, decimal, log, result.invalid)
        else:
            columns[target] = _codes(values, cell, log, result.invalid)
    result.codes = pd.DataFrame(columns, index=records.index)
    return result


def _codes(values: pd.Series, cell: Cell, log: ProblemLog, invalid: set) -> pd.Series:
    """Single answers and multi ticks: integers; -99 and empty -> NA."""
    out = pd.Series(pd.NA, index=values.index, dtype="Int64")
    q, col = cell.question, cell.column
    labels = {o.label.casefold(): o.code for o in q.options}
    for line, value in values.items():
        v = value.strip()
        if v == "" or (v == SENTINEL and col.role == "answer"):
            continue
        code = small_int(v)
        if code is not None:
            out[line] = code
            continue
        invalid.add((line, col.import_id))
        where = {"line": line, "column": cell.file_name, "import_id": col.import_id, "value": value}
        if _INT.match(v):
            log.error(
                "code_outside_scale" if col.role == "answer" else "not_a_tick",
                f"Getal van {len(v.lstrip('-'))} cijfers waar een antwoordcode verwacht wordt (vraag {q.id}).",
                expected=expected_text(cell),
                action="Corrigeer de waarde of exporteer opnieuw; een cel met zo'n lang getal is met de hand of "
                "door een ander programma gewijzigd.",
                **where,
            )
            continue
        if v.casefold() in labels or (col.role == "option" and v.casefold() == q.option(col.code).label.casefold()):
            log.error(
                "labels_instead_of_codes",
                f"Tekst waar een antwoordcode verwacht wordt (vraag {q.id}).",
                expected=expected_text(cell),
                action=_CHOICE_TEXT_HINT,
                **where,
            )
        elif col.role == "answer" and all(_INT.match(p.strip()) for p in v.split(",")):
            log.error(
                "multiple_codes",
                f"Meerdere codes in één cel van enkelvoudige vraag {q.id}.",
                expected=expected_text(cell),
                action="Controleer het vraagtype in codebook.yaml (single of multi).",
                **where,
            )
        else:
            log.error(
                "not_a_code",
                f"Geen antwoordcode (vraag {q.id}).",
                expected=expected_text(cell),
                action="Corrigeer de waarde of exporteer opnieuw met 'Use numeric values'.",
                **where,
            )
    return out


def _numbers(values: pd.Series, cell: Cell, decimal: str, log: ProblemLog, invalid: set) -> pd.Series:
    """Percent and count items: floats; -99 and empty -> NA."""
    out = pd.Series(pd.NA, index=values.index, dtype="Float64")
    other = "," if decimal == "." else "."
    for line, value in values.items():
        v = value.strip()
        if v in {"", SENTINEL}:
            continue
        if _NUM[decimal].match(v):
            number = float(v.replace(",", "."))
            out[line] = round(number * 100, 10) if cell.question.fractions else number
            continue
        invalid.add((line, cell.column.import_id))
        where = {
            "line": line,
            "column": cell.file_name,
            "import_id": cell.column.import_id,
            "value": value,
            "expected": expected_text(cell, decimal),
        }
        if _NUM[other].match(v) and decimal == ".":
            log.error(
                "decimal_comma",
                "Decimale komma, terwijl een decimale punt verwacht wordt.",
                action="Exporteer zonder 'Use commas for decimals', of lees het bestand in met decimale komma's "
                f"als het hele bestand die heeft: {log.command('DECIMAL=,')}.",
                **where,
            )
        elif _NUM[other].match(v):
            log.error(
                "decimal_mixed",
                "Decimale punt in een bestand dat met decimale komma's wordt gelezen (DECIMAL=,): gemengde "
                "decimaaltekens, of een duizendtal-punt zoals '1.234'.",
                action="Corrigeer de waarde; gebruik één decimaalteken in het hele bestand.",
                **where,
            )
        else:
            log.error(
                "not_a_number",
                f"Geen getal (vraag {cell.question.id}); tekst als 'ca. 15', '15%' of 'n.v.t.' wordt niet geraden.",
                action="Vervang door een getal, of door -99 als de vraag niet beantwoord is.",
                **where,
            )
    return out


def expected_text(cell: Cell, decimal: str = ".") -> str:
    q, col = cell.question, cell.column
    if col.role == "answer":
        return f"een antwoordcode ({codes_text([o.code for o in q.options])}) of -99"
    if col.role == "option":
        return "1 (aangevinkt), 0 (niet aangevinkt) of leeg"
    lo, hi = q.value_range
    mark = "punt" if decimal == "." else "komma"
    if q.type == "count":
        upper = "" if hi == float("inf") else f" en ≤ {hi:g}"
        return f"een geheel getal ≥ {lo:g}{upper}, of -99"
    if q.fractions:
        return f"een fractie {lo / 100:g}–{hi / 100:g} (decimale {mark}; scale: fraction), of -99"
    return f"een getal {lo:g}–{hi:g} (decimale {mark}), of -99"


def codes_text(codes: list[int]) -> str:
    """``[1, 2, 3, 4, 5]`` -> ``1–5``; otherwise comma-separated."""
    codes = sorted(codes)
    if len(codes) > 2 and codes == list(range(codes[0], codes[-1] + 1)):
        return f"{codes[0]}–{codes[-1]}"
    return ", ".join(map(str, codes))
