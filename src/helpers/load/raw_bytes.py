"""The bytes of a raw export: the path, file type, encoding (UTF-8, UTF-16, an explicit override).

A missing file or a directory is logged; xlsx/zip, old .xls and compressed or binary files (gzip,
bzip2, xz, 7-Zip, zstd, PDF, SPSS, parquet) are refused by their first bytes, whatever the file is
called; UTF-16 (with or without a BOM, as Excel's "Unicode-tekst" writes it) is read with a warning;
otherwise the file must be strict UTF-8, and every byte that is not is logged with its line, character
position and column (CRLF, LF and CR-only line ends alike), with a hint to read a deliberate Excel
file as Windows-1252 (``make data YEAR=… ENCODING=cp1252``).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from helpers.load.problems import ProblemLog
from helpers.survey.export_layout import BOM, METADATA_NAMES

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: First bytes of files that are sometimes saved under the export's name, with what to do about each.
BINARY_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x1f\x8b", "een gzip-bestand", "Pak het uit (gunzip, 7-Zip) en zet de CSV zelf op deze plek."),
    (b"BZh", "een bzip2-bestand", "Pak het uit (bunzip2, 7-Zip) en zet de CSV zelf op deze plek."),
    (b"\xfd7zXZ\x00", "een xz-bestand", "Pak het uit (unxz, 7-Zip) en zet de CSV zelf op deze plek."),
    (b"7z\xbc\xaf\x27\x1c", "een 7-Zip-bestand", "Pak het uit en zet de CSV zelf op deze plek."),
    (b"\x28\xb5\x2f\xfd", "een zstd-bestand", "Pak het uit (unzstd) en zet de CSV zelf op deze plek."),
    (b"%PDF", "een PDF-bestand", "Exporteer de antwoorden uit Qualtrics als CSV."),
    (b"$FL2", "een SPSS-bestand (.sav)", "Exporteer de antwoorden uit Qualtrics als CSV, niet als SPSS."),
    (b"$FL3", "een SPSS-bestand (.sav)", "Exporteer de antwoorden uit Qualtrics als CSV, niet als SPSS."),
    (b"PAR1", "een parquet-bestand", "Gebruik de ruwe export uit Qualtrics (CSV), geen verwerkt bestand."),
)

CANDIDATE_DELIMITERS = (",", ";", "\t")

REEXPORT = (
    "Exporteer opnieuw uit Qualtrics (Data & Analysis > Export data > CSV, 'Use numeric values') en open of "
    "bewaar het bestand niet in Excel."
)


def read_bytes(path: Path, log: ProblemLog) -> bytes:
    """The file's bytes; a missing file, a directory or an unreadable file is logged (empty result)."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        log.error(
            "missing_file",
            "De export bestaat niet.",
            action=f"Zet de export van Qualtrics op deze plek (of zet MONITOR_DATA_DIR naar de map met "
            f"<jaar>/export.csv, zie README 'Werken met echte data'), of controleer het jaar: "
            f"{log.command()}.",
        )
    except IsADirectoryError:
        log.error("not_a_file", "Dit is een map, geen exportbestand.", action="Zet export.csv zelf op deze plek.")
    except OSError as exc:
        log.error("unreadable_file", f"De export is niet te lezen: {exc.strerror}.", action="Controleer de rechten.")
    return b""


def check_magic(data: bytes, log: ProblemLog) -> None:
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
    else:
        for magic, what, action in BINARY_MAGIC:
            if data.startswith(magic):
                log.error(
                    "compressed_file",
                    f"Dit is {what} (herkend aan de eerste bytes), geen CSV, ook al heet het zo.",
                    line=1,
                    value=f"bytes {data[:8].hex(' ')}",
                    expected="een CSV-tekstbestand (begint met StartDate,EndDate,…)",
                    action=action,
                )
                return


def _utf16(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the bytes are UTF-16 (with a BOM, or NUL in every other byte)."""
    if data.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if data.startswith(b"\xfe\xff"):
        return "utf-16-be"
    head = data[:4000]
    if len(head) < 4 or head.count(0) < len(head) // 3:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.9 * (len(head) // 2) and even == 0:
        return "utf-16-le"
    if even > 0.9 * (len(head) // 2) and odd == 0:
        return "utf-16-be"
    return None


def decode(data: bytes, log: ProblemLog, encoding: str | None) -> tuple[str, str, bool]:
    wide = _utf16(data) if encoding is None else None
    if wide is not None:
        text = data.decode(wide, errors="replace").lstrip("\ufeff")
        log.warning(
            "encoding",
            f"Het bestand is UTF-16 ({wide.upper()}) gecodeerd (Excel 'Unicode-tekst'), niet UTF-8; het is als "
            "UTF-16 gelezen. Controleer ook scheidingsteken, datums en decimalen.",
            line=1,
            action=REEXPORT,
        )
        return text, wide, data.startswith(UTF16_BOMS)
    bom = data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    if encoding is not None:
        try:
            return body.decode(encoding), encoding, bom
        except LookupError:
            log.error("not_decodable", f"Onbekende tekencodering {encoding!r}.", value=encoding,
                      expected="bv. utf-8 of cp1252",
                      action=f"Geef een bestaande codering op: {log.command('ENCODING=cp1252')}.")  # fmt: skip
        except UnicodeDecodeError as exc:
            line, column = _locate(body, exc.start)
            log.error("not_decodable", f"Het bestand is niet te lezen als {encoding}: byte 0x{body[exc.start]:02X} "
                      f"op regel {line}, positie {column}.", line=line, action=REEXPORT)  # fmt: skip
        return "", encoding, bom
    positions = _bad_utf8_positions(body)
    if not positions:
        return body.decode("utf-8"), "utf-8", bom
    _log_bad_bytes(body, positions, log)
    return "", "utf-8", bom


def _log_bad_bytes(body: bytes, positions: list[int], log: ProblemLog) -> None:
    hint = "Exporteer opnieuw uit Qualtrics (CSV is altijd UTF-8)"
    if _decodes(body, "cp1252"):
        hint += (
            ", of lees het in als Windows-1252 als het bestand bewust in Excel is opgeslagen (het lijkt Excel "
            f"'CSV (gescheiden door lijstscheidingsteken)'): {log.command('ENCODING=cp1252')}."
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
            column=names[field] if 0 <= field < len(names) else None,
            value=_context(body, pos),
            expected="UTF-8-tekst",
            action=hint,
        )


def _bad_utf8_positions(body: bytes) -> list[int]:
    """Every byte that is not UTF-8 (the summary groups them; problems.txt lists them all)."""
    positions, start = [], 0
    while True:
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
    """Physical line (1-based; CRLF, CR and LF each end a line) and character column (1-based) of byte ``pos``."""
    line = body.count(b"\n", 0, pos) + body.count(b"\r", 0, pos) - body.count(b"\r\n", 0, pos) + 1
    line_start = _line_start(body, pos)
    column = len(body[line_start:pos].decode("utf-8", errors="replace")) + 1
    return line, column


def _line_start(body: bytes, pos: int) -> int:
    return max(body.rfind(b"\n", 0, pos), body.rfind(b"\r", 0, pos)) + 1


def _guess_header(body: bytes) -> tuple[list[str], str]:
    """Header names and delimiter from line 1, read leniently (for locating bad bytes)."""
    first = re.split(rb"\r\n|\r|\n", body, maxsplit=1)[0].decode("utf-8", errors="replace")
    best = max(CANDIDATE_DELIMITERS, key=lambda d: sum(f in METADATA_NAMES for f in first.split(d)))
    return next(csv.reader([first], delimiter=best), []), best


def _field_index(body: bytes, pos: int, delimiter: str) -> int:
    """Index of the field holding byte ``pos``, counted from the start of its line (-1 when it cannot be told)."""
    prefix = body[_line_start(body, pos) : pos].decode("utf-8", errors="replace")
    try:
        return len(next(csv.reader([prefix + "x"], delimiter=delimiter), [""])) - 1
    except csv.Error:
        return -1


def _context(body: bytes, pos: int) -> str:
    return body[max(0, pos - 15) : pos + 15].decode("utf-8", errors="replace").replace("\r", "").replace("\n", "⏎")
