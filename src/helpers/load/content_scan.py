"""What a file holds, whatever its name: unwrap compression and archives (bounded) and read its tables.

``scan(data)`` returns every table found in a blob (delimited text in any common encoding and
delimiter, JSON, XLSX sheets, parquet, feather/Arrow) and every part that cannot be inspected
(SPSS, Stata, an encrypted member, an archive beyond the limits). gzip, bz2 and xz wrappers and
tar and zip archives are opened, nested too, within fixed limits on depth, members and unpacked
bytes, so a zip bomb ends as an uninspectable part instead of hanging the commit hook.
Tables are lists of rows of strings; reads stop after ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import functools
import gzip
import io
import json
import lzma
import re
import tarfile
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 4
MAX_MEMBERS = 500
MAX_UNPACKED = 32_000_000
MAX_PART = 8_000_000
MAX_ROWS = 5000
_SNIFF_LINES = 60
_DELIMITERS = (",", ";", "\t", "|")

#: Formats that can hold a data table but are not read here: refused, since they cannot be checked.
OPAQUE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"$FL2", "een SPSS-databestand"),
    (b"$FL3", "een SPSS-databestand"),
    (b"<stata_dta>", "een Stata-databestand"),
    (bytes(12) + b"\xc2\xea\x81\x60", "een SAS-databestand"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "een oud Office-bestand (xls)"),
    (b"\x89HDF\r\n\x1a\n", "een HDF5-bestand"),
    (b"SQLite format 3\x00", "een SQLite-databank"),
    (b"ORC", "een ORC-bestand"),
    (b"7z\xbc\xaf\x27\x1c", "een 7-Zip-archief"),
    (b"Rar!\x1a\x07", "een RAR-archief"),
    (b"\x28\xb5\x2f\xfd", "een zstd-gecomprimeerd bestand"),
    (b"\x04\x22\x4d\x18", "een lz4-gecomprimeerd bestand"),
)


@dataclass(frozen=True)
class Table:
    """Rows of strings found at ``where`` (member names inside archives, outermost first)."""

    where: tuple[str, ...]
    rows: list[list[str]]


@dataclass(frozen=True)
class Opaque:
    """A part that may hold data but cannot be inspected (``what``: Dutch, e.g. "een SPSS-databestand")."""

    where: tuple[str, ...]
    what: str


@dataclass
class _Budget:
    unpacked: int = 0
    members: int = 0
    parts: list[Table | Opaque] = field(default_factory=list)


def scan(data: bytes) -> list[Table | Opaque]:
    """Every table and every uninspectable part in ``data``, unwrapping archives within the limits."""
    budget = _Budget()
    _scan(data, (), 0, budget)
    return budget.parts


def _scan(data: bytes, where: tuple[str, ...], depth: int, budget: _Budget) -> None:
    if depth > MAX_DEPTH:
        budget.parts.append(Opaque(where, f"een archief dat dieper dan {MAX_DEPTH} lagen genest is"))
        return
    for magic, what in OPAQUE_MAGIC:
        if data.startswith(magic):
            budget.parts.append(Opaque(where, what))
            return
    if len(data) > 2 and data[0] == 0x80 and 2 <= data[1] <= 5:
        budget.parts.append(Opaque(where, "een Python-pickle"))
        return
    for reader in (_stream, _zip, _tar, _columnar):
        if reader(data, where, depth, budget):
            return
    text = decode_text(data)
    if text is not None:
        budget.parts.extend(Table(where, rows) for rows in text_tables(text))


# --- wrappers and archives -------------------------------------------------------------------------

_STREAMS: tuple[tuple[bytes, str], ...] = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"))


def _unpack(kind: str, data: bytes) -> bytes:
    """The first ``MAX_PART + 1`` unpacked bytes of a gzip, bz2 or xz stream (a bounded read)."""
    packed = io.BytesIO(data)
    if kind == "gzip":
        with gzip.GzipFile(fileobj=packed) as gz:
            return gz.read(MAX_PART + 1)
    if kind == "bz2":
        with bz2.BZ2File(packed) as bz:
            return bz.read(MAX_PART + 1)
    with lzma.LZMAFile(packed) as xz:
        return xz.read(MAX_PART + 1)


def _unpacked(budget: _Budget, size: int) -> bool:
    """Count ``size`` unpacked bytes; False once the file as a whole is beyond ``MAX_UNPACKED``."""
    budget.unpacked += size
    return budget.unpacked <= MAX_UNPACKED


def _stream(data: bytes, where: tuple[str, ...], depth: int, budget: _Budget) -> bool:
    for magic, name in _STREAMS:
        if not data.startswith(magic):
            continue
        try:
            inner = _unpack(name, data)
        except (OSError, EOFError, lzma.LZMAError, ValueError):
            budget.parts.append(Opaque(where, f"een beschadigd {name}-bestand"))
            return True
        here = (*where, f"({name}-inhoud)")
        if len(inner) > MAX_PART and not _is_text(inner):
            budget.parts.append(Opaque(here, f"uitgepakt meer dan {MAX_PART // 1_000_000} MB"))
        elif not _unpacked(budget, len(inner)):
            budget.parts.append(Opaque(here, f"uitgepakt meer dan {MAX_UNPACKED // 1_000_000} MB"))
        else:
            _scan(inner[:MAX_PART], here, depth + 1, budget)
        return True
    return False


def _member(budget: _Budget, where: tuple[str, ...], read: Callable[[], bytes], depth: int) -> bool:
    """Scan one archive member; False when the archive's limits are reached (the rest is not read)."""
    budget.members += 1
    if budget.members > MAX_MEMBERS:
        budget.parts.append(Opaque(where[:-1], f"een archief met meer dan {MAX_MEMBERS} bestanden"))
        return False
    inner = read()
    if not _unpacked(budget, len(inner)):
        budget.parts.append(Opaque(where[:-1], f"een archief dat uitgepakt meer dan {MAX_UNPACKED // 1_000_000} MB is"))
        return False
    if len(inner) > MAX_PART and not _is_text(inner):
        budget.parts.append(Opaque(where, f"uitgepakt meer dan {MAX_PART // 1_000_000} MB"))
        return True
    _scan(inner[:MAX_PART], where, depth + 1, budget)
    return True


def _zip(data: bytes, where: tuple[str, ...], depth: int, budget: _Budget) -> bool:
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return False
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        budget.parts.append(Opaque(where, "een beschadigd zip-archief"))
        return True
    if "xl/workbook.xml" in names:
        _xlsx(archive, data, where, budget)
        return True
    if "mimetype" in names and archive.read("mimetype")[:64].startswith(b"application/vnd.oasis.opendocument.spread"):
        budget.parts.append(Opaque(where, "een OpenDocument-rekenblad (ods)"))
        return True
    for info in archive.infolist():
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            budget.parts.append(Opaque((*where, info.filename), "een versleuteld bestand"))
            continue
        try:
            if not _member(budget, (*where, info.filename), functools.partial(_read_zip, archive, info), depth):
                break
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError, lzma.LZMAError):
            budget.parts.append(Opaque((*where, info.filename), "een beschadigd of onbekend ingepakt bestand"))
    return True


def _read_zip(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as fh:
        return fh.read(MAX_PART + 1)


def _tar(data: bytes, where: tuple[str, ...], depth: int, budget: _Budget) -> bool:
    if data[257:262] != b"ustar":
        return False
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                fh = archive.extractfile(member)
                if fh is None or not _member(
                    budget, (*where, member.name), functools.partial(fh.read, MAX_PART + 1), depth
                ):
                    break
    except (tarfile.TarError, OSError, EOFError):
        budget.parts.append(Opaque(where, "een beschadigd tar-archief"))
    return True


# --- spreadsheets and columnar files ---------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: None and NaN empty, whole floats without ``.0``, lists joined with commas."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return ",".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value).strip()


def _xlsx(archive: zipfile.ZipFile, data: bytes, where: tuple[str, ...], budget: _Budget) -> None:
    size = sum(i.file_size for i in archive.infolist())
    if size > MAX_UNPACKED or not _unpacked(budget, size):
        budget.parts.append(
            Opaque(where, f"een Excel-bestand dat uitgepakt meer dan {MAX_UNPACKED // 1_000_000} MB is")
        )
        return
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        budget.parts.append(Opaque(where, "een Excel-bestand dat niet te openen is"))
        return
    try:
        for sheet in book.worksheets:
            rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(max_row=MAX_ROWS, values_only=True)]
            budget.parts.append(Table((*where, f"blad {sheet.title}"), rows))
    finally:
        book.close()


def _columnar(data: bytes, where: tuple[str, ...], depth: int, budget: _Budget) -> bool:
    kind = (
        "parquet"
        if data.startswith(b"PAR1")
        else "arrow"
        if data.startswith((b"ARROW1", b"\xff\xff\xff\xff"))
        else "feather"
        if data.startswith(b"FEA1")
        else None
    )
    if kind is None:
        return False
    try:
        header, rows = _arrow_rows(data, kind)
    except Exception:
        budget.parts.append(Opaque(where, f"een {kind}-bestand dat niet te lezen is"))
        return True
    budget.parts.append(Table(where, [header, *rows]))
    return True


def _arrow_rows(data: bytes, kind: str) -> tuple[list[str], list[list[str]]]:
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    source = pa.BufferReader(data)
    if kind == "parquet":
        parquet = pq.ParquetFile(source)
        names = list(parquet.schema_arrow.names)
        batch = next(parquet.iter_batches(batch_size=MAX_ROWS), None)
        table = pa.Table.from_batches([batch]) if batch is not None else parquet.schema_arrow.empty_table()
    elif kind == "feather":
        table = feather.read_table(source)
        names = list(table.column_names)
    else:
        reader = ipc.open_file(source) if data.startswith(b"ARROW1") else ipc.open_stream(source)
        table = reader.read_all()
        names = list(table.column_names)
    table = table.slice(0, MAX_ROWS)
    columns = [[cell_text(v) for v in col.to_pylist()] for col in table.columns]
    return [str(n) for n in names], [list(r) for r in zip(*columns, strict=True)] if columns else []


# --- text ------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str | None:
    """``data`` as text (UTF-8 or UTF-16 with or without BOM, else cp1252); None for binary content."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if data.startswith(bom):
            return _printable(_decode(data[len(bom) :], encoding))
    sample = data[:4096]
    half = len(sample) // 2
    if half and sample[1::2].count(0) > half * 0.3 and sample[0::2].count(0) < half * 0.05:
        return _printable(_decode(data, "utf-16-le"))
    if half and sample[0::2].count(0) > half * 0.3 and sample[1::2].count(0) < half * 0.05:
        return _printable(_decode(data, "utf-16-be"))
    if b"\x00" in sample:
        return None
    try:
        return _printable(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a character cut by a bounded read
            return _printable(data[: exc.start].decode("utf-8"))
    return _printable(data.decode("cp1252", errors="replace"))


def _decode(data: bytes, encoding: str) -> str:
    if encoding.startswith("utf-16"):
        data = data[: len(data) // 2 * 2]
    return data.decode(encoding, errors="replace")


def _printable(text: str) -> str | None:
    sample = text[:4096]
    return None if sample and len(_CONTROL.findall(sample)) > len(sample) * 0.02 else text


def _is_text(data: bytes) -> bool:
    return decode_text(data[:4096]) is not None


def text_tables(text: str) -> list[list[list[str]]]:
    """The tables in a text: JSON records, JSON lines, or delimited rows (``, ; tab |``, else whitespace)."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return json_tables(json.loads(text))
        except (ValueError, RecursionError):
            lines = [line for line in stripped.splitlines()[:MAX_ROWS] if line.strip()]
            records = _json_lines(lines)
            if records:
                return json_tables(records)
    return [_delimited(text)]


def _json_lines(lines: list[str]) -> list[Any]:
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records if len(records) >= max(1, len(lines) // 2) else []


def _delimited(text: str) -> list[list[str]]:
    head = text.splitlines()[:_SNIFF_LINES]
    delimiter = max(_DELIMITERS, key=lambda d: _fit(head, d))
    if _fit(head, delimiter)[1] < 2:
        return [line.split() for line in text.splitlines()[:MAX_ROWS]]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows = []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            if len(rows) >= MAX_ROWS:
                break
    except csv.Error:
        pass
    return rows


def _fit(lines: list[str], delimiter: str) -> tuple[int, int]:
    """(lines with the most common field count, that count) when splitting on ``delimiter``."""
    try:
        counts = Counter(len(r) for r in csv.reader(lines, delimiter=delimiter, strict=False) if r)
    except csv.Error:
        return 0, 0
    if not counts:
        return 0, 0
    width, lines_with = max(counts.items(), key=lambda kv: (kv[1] * (kv[0] > 1), kv[0]))
    return (lines_with if width > 1 else 0), width


# --- JSON ------------------------------------------------------------------------------------------


def json_tables(value: Any, depth: int = 0) -> list[list[list[str]]]:
    """Tables in parsed JSON: lists of records or rows, dicts of records, column dicts, ``split`` layout, GeoJSON."""
    if depth > 6:
        return []
    if isinstance(value, list):
        return _list_tables(value[:MAX_ROWS], depth)
    if not isinstance(value, dict):
        return []
    tables: list[list[list[str]]] = []
    if isinstance(value.get("columns"), list) and isinstance(value.get("data"), list):
        rows = [r for r in value["data"][:MAX_ROWS] if isinstance(r, list)]
        tables.append([[cell_text(c) for c in value["columns"]], *[[cell_text(c) for c in r] for r in rows]])
    nested = {k: v for k, v in value.items() if isinstance(v, dict)}
    if len(nested) >= 2:
        tables.append(_records_table([{"": k} | _record(v) for k, v in list(nested.items())[:MAX_ROWS]]))
    columns = {k: v for k, v in value.items() if isinstance(v, list) and v and not isinstance(v[0], dict | list)}
    if len(columns) >= 2:
        cells = [[cell_text(c) for c in v[:MAX_ROWS]] for v in columns.values()]
        tables.append([list(columns), *[list(r) for r in zip(*cells, strict=False)]])
    for v in value.values():
        if isinstance(v, list) or (isinstance(v, dict) and len(nested) < 2):
            tables.extend(json_tables(v, depth + 1))
    return tables


def _list_tables(items: list[Any], depth: int) -> list[list[list[str]]]:
    """A JSON array as a table of its records, or of its rows; nested arrays are searched too."""
    tables: list[list[list[str]]] = []
    records = [_record(v) for v in items if isinstance(v, dict)]
    if records:
        tables.append(_records_table(records))
    rows = [v for v in items if isinstance(v, list)]
    if rows and all(not isinstance(c, dict | list) for r in rows[:20] for c in r):
        tables.append([[cell_text(c) for c in r] for r in rows])
    else:
        for v in rows[:50]:
            tables.extend(json_tables(v, depth + 1))
    return tables


def _record(value: dict[str, Any]) -> dict[str, Any]:
    """A JSON object as one row: a GeoJSON feature gives its properties, never its geometry."""
    if isinstance(value.get("properties"), dict) and "geometry" in value:
        return {"id": value.get("id")} | value["properties"]
    return value


def _records_table(records: list[dict[str, Any]]) -> list[list[str]]:
    header: dict[str, None] = {}
    for record in records:
        header.update(dict.fromkeys(str(k) for k in record))
    names = list(header)
    return [names, *[[cell_text(r.get(n)) for n in names] for r in records]]
