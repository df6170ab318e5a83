"""Keep real survey data out of git: the check the pre-commit hook runs (``monitor check-commit FILE…``).

A staged file is judged by its content, never by its name or extension: ``content_scan`` unwraps
gzip, bz2, xz, tar and zip (nested, bounded) and reads every table in it (delimited text in any
encoding and delimiter, JSON, XLSX, parquet, feather). A table is refused when it holds answers:

* the header rows of a survey export (ImportId JSON, Qualtrics metadata columns) with data rows;
* respondent rows (a column of ResponseIds) with other values;
* rows keyed by municipality codes of the frames (``data/raw/reference``) with a column that is
  not an attribute of those municipalities in the reference files (name, province, population,
  size class, merger kind and share) — the frames, polygons and merger table pass for that reason;
* three or more answer columns named as in a codebook (processed names, ImportIds).

Formats that cannot be inspected (SPSS, Stata, encrypted or oversized archives) are refused too.
The synthetic example exports pass by their sha256, recorded in ``data/raw/synthetic_exports.sha256``
— never by a flag in the codebook. A ``codebook.yaml`` that says ``synthetic: false`` beside a
tracked export is refused, and so is any file over 2 MB.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from helpers.load.content_scan import Opaque, Table, scan
from helpers.paths import PROJECT_ROOT, RAW_DIR, REFERENCE_DIR, display
from helpers.survey.codebook import load_codebook
from helpers.survey.export_layout import METADATA, RESPONSE_ID
from helpers.survey.frame import FrameError, read_frame, read_merger_table
from helpers.survey.input_errors import InputError
from helpers.survey.yaml_files import YamlError, read_yaml

MARKER = "(synthetisch)"
HASHES_FILE = RAW_DIR / "synthetic_exports.sha256"
MAX_BYTES = 2_000_000
#: A column is a key (or an attribute of the municipalities) when this share of its values fits.
KEY_SHARE = 0.8
FIT_SHARE = 0.9
MIN_CODEBOOK_COLUMNS = 3
_WHAT_TO_DO = (
    "Bewaar echte data buiten de repository, in de map van $MONITOR_DATA_DIR (README 'Werken met echte data'), "
    "en haal het bestand uit de commit: git restore --staged {name}"
)
_UPDATE_HASHES = "python -m helpers check-commit --record <export.csv>"
_ENGLISH_LABELS = ("Start Date", "End Date", "Response Type", "IP Address", "Recorded Date", "Response ID")
_EXPORT_WORDS = frozenset(
    [m.name for m in METADATA] + [m.label for m in METADATA] + [m.import_id for m in METADATA] + list(_ENGLISH_LABELS)
)
_EXPORT_FOUND = "kopregels van een survey-export"
_IMPORT_ID_CELL = re.compile(r'^\{\s*"ImportId"\s*:')
_GM_CELL = re.compile(r"^GM\d{4}(\s*[,;| ]\s*GM\d{4})*$", re.IGNORECASE)
_GM_CODE = re.compile(r"GM\d{4}", re.IGNORECASE)
_SYNTHETIC_LINE = re.compile(r"^synthetic\s*:\s*(\S+)", re.MULTILINE)
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
_BARE_EXPORT_NAME = re.compile(r"^Q\d+$")
_ANSWER_NAME_LIKE = re.compile(r"^QID\d|^Q\d+_|__|^[a-z]+(_[a-z]+)+$")


@dataclass(frozen=True)
class Finding:
    """Why a part of a file is refused: ``where`` inside archives, ``what`` in Dutch."""

    where: tuple[str, ...]
    what: str


# --- the recorded synthetic exports -----------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recorded_hashes(path: Path = HASHES_FILE) -> dict[str, str]:
    """``sha256 → path`` of every recorded synthetic export (``sha256sum`` format, ``#`` comments)."""
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split(maxsplit=1)
        if len(parts) == 2 and not parts[0].startswith("#") and re.fullmatch(r"[0-9a-f]{64}", parts[0]):
            out[parts[0]] = parts[1].lstrip("*")
    return out


def record_export(path: Path, hashes_file: Path = HASHES_FILE) -> str:
    """Record ``path`` as a synthetic export (replacing its earlier hash); raise ValueError (Dutch) if it is not one."""
    name = display(path)
    findings = [f for f in content_findings(path.read_bytes()) if f.what.startswith(_EXPORT_FOUND)]
    if not findings:
        raise ValueError(
            f"{name} is geen survey-export (geen kopregels met ImportId en antwoordregels); niets vastgelegd."
        )
    flag, why = _synthetic(path.parent / "codebook.yaml")
    if flag is not True:
        raise ValueError(f"{name}: het codebook.yaml ernaast zegt niet synthetic: true {why}; niets vastgelegd.")
    missing = unmarked_answers(path)
    if missing:
        raise ValueError(f"{name}: {len(missing)} open antwoord(en) beginnen niet met {MARKER!r} ({missing[0]} …): "
                         f"dit lijkt echte data; niets vastgelegd.")  # fmt: skip
    digest = sha256(path.read_bytes())
    lines = hashes_file.read_text(encoding="utf-8").splitlines() if hashes_file.is_file() else []
    kept = [line for line in lines if not line.endswith(f"  {name}")]
    hashes_file.write_text("\n".join([*kept, f"{digest}  {name}"]) + "\n", encoding="utf-8")
    return f"{name}: sha256 {digest[:12]}… vastgelegd in {display(hashes_file)}"


def unmarked_answers(path: Path) -> list[str]:
    """``regel N, kolom X`` of every open answer (``*_TEXT`` column, not a number) without the marker."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) < 4:
        return []
    names, ids = rows[0], rows[2]
    columns = [i for i, (n, iid) in enumerate(zip(names, ids, strict=False)) if "_TEXT" in n or "_TEXT" in iid]
    found = []
    for line, row in enumerate(rows[3:], start=4):
        for i in columns:
            value = row[i].strip() if i < len(row) else ""
            if value and value != "-99" and not _NUMBER.match(value) and not value.startswith(MARKER):
                found.append(f"regel {line}, kolom {names[i]}")
    return found


# --- what the reference files say about each municipality --------------------------------------------


@functools.cache
def reference_attributes() -> dict[str, dict[str, frozenset[str]]]:
    """``attribute → code → values`` from the frames and merger tables (read with their own schema)."""
    found: dict[str, dict[str, set[str]]] = {}

    def add(attribute: str, code: str, value: object) -> None:
        found.setdefault(attribute, {}).setdefault(code, set()).add(_norm(str(value)))

    for path in sorted(REFERENCE_DIR.glob("gemeenten_*.csv")):
        try:
            frame = read_frame(path)
        except (FrameError, OSError):
            continue
        for row in frame.itertuples():
            for attribute in ("gemeentenaam", "provincie", "inwoners", "grootteklasse"):
                add(attribute, str(row.gemeentecode), getattr(row, attribute))
    for path in sorted(REFERENCE_DIR.glob("herindelingen_*.csv")):
        try:
            mergers = read_merger_table(path)
        except (FrameError, OSError, ValueError):
            continue
        for m in mergers.itertuples():
            for code in (str(m.code_old), str(m.code_new)):
                add("gemeentenaam", code, m.naam_old if code == m.code_old else m.naam_new)
                add("soort", code, m.soort)
                add("aandeel", code, m.aandeel)
    return {a: {c: frozenset(v) for c, v in codes.items()} for a, codes in found.items()}


@functools.cache
def frame_codes() -> frozenset[str]:
    return frozenset(code for codes in reference_attributes().values() for code in codes)


@functools.cache
def codebook_columns() -> frozenset[str]:
    """Answer column names of every codebook in ``data/raw``: processed names, statuses, ImportIds."""
    names: set[str] = set()
    for path in sorted(RAW_DIR.glob("*/codebook.yaml")):
        try:
            codebook = load_codebook(path)
        except (InputError, YamlError, OSError, ValueError):
            continue
        for q in codebook.all_questions:
            if q.type == "municipality":
                continue
            names.update([*q.processed_columns(), f"{q.id}__status"])
            names.update(c for col in q.export_columns() for c in (col.name, col.import_id))
    return frozenset(n for n in names if not _BARE_EXPORT_NAME.match(n))


def _norm(value: str) -> str:
    value = value.strip()
    if _NUMBER.match(value):
        return format(float(value.replace(",", ".")), ".10g")
    return value.casefold()


# --- tables that hold answers -----------------------------------------------------------------------


def content_findings(data: bytes) -> list[Finding]:
    """Every part of ``data`` (a file's bytes) that holds survey answers or cannot be inspected."""
    found: dict[tuple[str, ...], Finding] = {}  # one finding per part: a JSON file can hold one table twice
    for part in scan(data):
        if part.where in found:
            continue
        if isinstance(part, Opaque):
            found[part.where] = Finding(part.where, f"{part.what}, dat niet op antwoorden gecontroleerd kan worden")
            continue
        what = table_finding(part)
        if what:
            found[part.where] = Finding(part.where, what)
    return list(found.values())


def table_finding(table: Table) -> str:
    """What in ``table`` holds answers (Dutch), or ``""``."""
    rows = [row for row in table.rows if any(row)]
    for check in (_export_layout, _municipality_rows, _respondent_rows, _municipality_columns, _codebook_columns):
        what = check(rows)
        if what:
            return what
    return ""


def _export_layout(rows: list[list[str]]) -> str:
    header = [
        i
        for i, row in enumerate(rows[:3])
        if sum(bool(_IMPORT_ID_CELL.match(c)) for c in row) >= 3 or len(_EXPORT_WORDS.intersection(row)) >= 3
    ]
    if not header:
        return ""
    data = [row for row in rows[max(header) + 1 :] if sum(bool(c) for c in row) >= 2]
    if not data:
        return ""
    kind = "ImportId" if any(_IMPORT_ID_CELL.match(c) for i in header for c in rows[i]) else "Qualtrics-kolommen"
    return f"{_EXPORT_FOUND} ({kind}) met {len(data)} antwoordregel(s)"


def _split(rows: list[list[str]], key: re.Pattern[str]) -> tuple[list[str], list[list[str]]]:
    """(column names, data rows): the first row is a header unless one of its cells is a key value."""
    if len(rows) > 1 and not any(key.match(c) for c in rows[0]):
        return rows[0], rows[1:]
    return [], rows


def _name(header: list[str], j: int) -> str:
    return repr(header[j][:40]) if j < len(header) and header[j] else f"kolom {j + 1}"


def _key_columns(body: list[list[str]], key: re.Pattern[str]) -> list[int]:
    width = max((len(r) for r in body), default=0)
    keys = []
    for j in range(width):
        cells = [r[j] for r in body if j < len(r) and r[j]]
        if cells and sum(bool(key.match(c)) for c in cells) >= KEY_SHARE * len(cells):
            keys.append(j)
    return keys


def _is_index(values: list[str]) -> bool:
    """A row number column (0, 1, 2, … or 1, 2, 3, …), as pandas writes an index."""
    if not all(v.isdigit() for v in values):
        return False
    numbers = [int(v) for v in values]
    return numbers[0] in (0, 1) and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _respondent_rows(rows: list[list[str]]) -> str:
    header, body = _split(rows, RESPONSE_ID)
    keys = _key_columns(body, RESPONSE_ID)
    if not keys:
        return ""
    width = max(len(r) for r in body)
    skip = set(keys) | set(_key_columns(body, _GM_CELL))
    others = [j for j in range(width) if j not in skip and _column(body, j) and not _is_index(_column(body, j))]
    if not others:
        return ""
    n = len({r[k] for r in body for k in keys if k < len(r) and RESPONSE_ID.match(r[k])})
    return (
        f"{n} respondent(en) (ResponseId in {_name(header, keys[0])}) met {len(others)} kolom(men) antwoorden, "
        f"bv. {_example(header, others)}"
    )


def _example(header: list[str], columns: list[int]) -> str:
    """The name of one of ``columns`` for a message, an answer column of a codebook when there is one."""
    vocabulary = codebook_columns()
    named = [j for j in columns if j < len(header) and header[j] in vocabulary]
    return _name(header, (named or columns)[0])


def _column(body: list[list[str]], j: int) -> list[str]:
    return [r[j] for r in body if j < len(r) and r[j]]


def _fits(values: list[tuple[frozenset[str], str]], name: str) -> bool:
    """True when the (codes, value) pairs are one attribute of those municipalities in the reference files.

    An attribute explains a column when it fits at least ``FIT_SHARE`` of the values and the column
    varies (or is named after the attribute): a constant 1 is not a merger share by coincidence.
    """
    name = re.sub(r"_\d{4}$", "", name.strip().casefold())
    name = "gemeentenaam" if name == "naam" else name
    normed = [(codes, _norm(v)) for codes, v in values]  # once, not once per reference attribute
    for attribute, by_code in reference_attributes().items():
        fit = sum(any(v in by_code.get(c, ()) for c in codes) for codes, v in normed)
        if fit >= FIT_SHARE * len(values) and (len({v for _, v in values}) > 1 or name == attribute):
            return True
    return False


def _municipality_rows(rows: list[list[str]]) -> str:
    header, body = _split(rows, _GM_CELL)
    keys = _key_columns(body, _GM_CELL)
    if not keys:
        return ""
    respondent_keys = set(_key_columns(body, RESPONSE_ID))
    known = frame_codes()
    row_codes = [frozenset(c.upper() for k in keys if k < len(r) for c in _GM_CODE.findall(r[k])) & known for r in body]
    codes = frozenset().union(*row_codes)
    if not codes:
        return ""
    width = max(len(r) for r in body)
    answers = []
    for j in (j for j in range(width) if j not in keys and j not in respondent_keys):
        pairs = [(rc, r[j]) for rc, r in zip(row_codes, body, strict=True) if rc and j < len(r) and r[j]]
        if pairs and not _is_index([v for _, v in pairs]) and not _fits(pairs, header[j] if j < len(header) else ""):
            answers.append(j)
    if not answers:
        return ""
    return (
        f"{len(codes)} gemeentecode(s) uit het kader met antwoorden: {len(answers)} kolom(men) die geen gegevens "
        f"uit de gemeentelijst zijn, bv. {_example(header, answers)}"
    )


def _municipality_columns(rows: list[list[str]]) -> str:
    """Municipality codes as column names (a transposed table) with values that are not frame data."""
    if len(rows) < 2:
        return ""
    known = frame_codes()
    columns = {j: c.upper() for j, c in enumerate(rows[0]) if _GM_CELL.match(c) and c.upper() in known}
    answered = []
    for j, code in columns.items():
        if any(_norm(r[j]) not in _all_values(code) for r in rows[1:] if j < len(r) and r[j]):
            answered.append(code)
    if not answered:
        return ""
    return f"{len(answered)} gemeentecode(s) uit het kader als kolomnamen met antwoorden eronder, bv. {answered[0]}"


def _all_values(code: str) -> frozenset[str]:
    return frozenset().union(*(by_code.get(code, frozenset()) for by_code in reference_attributes().values()))


def _codebook_columns(rows: list[list[str]]) -> str:
    if len(rows) < 2 or sum(bool(_ANSWER_NAME_LIKE.search(c)) for c in rows[0]) < MIN_CODEBOOK_COLUMNS:
        return ""  # reading the codebooks takes a second: only for a header that could name answers
    vocabulary = codebook_columns()
    named = [j for j, c in enumerate(rows[0]) if c in vocabulary]
    filled = [j for j in named if _column(rows[1:], j)]
    if len(filled) < MIN_CODEBOOK_COLUMNS:
        return ""
    examples = ", ".join(repr(rows[0][j]) for j in filled[:3])
    return f"{len(filled)} antwoordkolommen uit het codebook (bv. {examples}) met {len(rows) - 1} rij(en)"


# --- one file ---------------------------------------------------------------------------------------


def _tracked(path: Path) -> bool:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent, capture_output=True, text=True
        )
    except OSError:
        return False
    return out.returncode == 0


def _says_not_synthetic(codebook: Path) -> bool:
    """True when a top-level ``synthetic:`` line of the codebook says false (a quick read, no YAML parse)."""
    text = codebook.read_text(encoding="utf-8", errors="replace")
    return any(m.group(1).strip("'\"").casefold() in {"false", "no", "off"} for m in _SYNTHETIC_LINE.finditer(text))


def _synthetic(codebook: Path) -> tuple[bool | None, str]:
    """(the codebook's ``synthetic`` flag, or None when unreadable; why not readable)."""
    if not codebook.is_file():
        return None, "(er staat geen codebook.yaml naast)"
    try:
        data = read_yaml(codebook)
    except YamlError as exc:
        return None, f"({str(exc).splitlines()[0]})"
    return (data.get("synthetic") is True if isinstance(data, dict) else None), ""


def _codebook_refusal(path: Path) -> list[str]:
    if not _says_not_synthetic(path):
        return []
    exports = [p for p in path.parent.glob("export*.csv") if _tracked(p)]
    if exports:
        return [
            f"{display(path)} zegt synthetic: false, terwijl {display(exports[0])} in git staat: die export zou als "
            f"echte data gepubliceerd worden. Haal de export uit git (git rm --cached) en bewaar echte exports "
            f"buiten de repository ($MONITOR_DATA_DIR, README 'Werken met echte data')."
        ]
    return []


def refusal(name: str, finding: Finding) -> str:
    """One Dutch line: the file (and member), what was found, what to do."""
    inside = f" (in het archief: {' → '.join(finding.where)})" if finding.where else ""
    return f"{name}{inside}: {finding.what}. " + _WHAT_TO_DO.format(name=name)


def check_file(path: Path) -> list[str]:
    """Dutch reasons to refuse committing ``path`` (empty: fine)."""
    if not path.is_file():
        return []
    name = str(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        too_big = f"{size / 1e6:.1f} MB, meer dan {MAX_BYTES / 1e6:.0f} MB: hoort dit in git?"
        return [f"{name}: {too_big} Data horen buiten de repository ($MONITOR_DATA_DIR); uitvoer wordt opnieuw "
                f"gemaakt. git restore --staged {name}"]  # fmt: skip
    refusals = _codebook_refusal(path) if path.name == "codebook.yaml" else []
    data = path.read_bytes()
    if sha256(data) in recorded_hashes():
        return refusals
    return refusals + [refusal(name, finding) for finding in content_findings(data)]


def check_files(paths: Iterable[Path]) -> list[str]:
    """Reasons to refuse, for every file of a commit."""
    return [reason for path in paths for reason in check_file(Path(path))]


def hash_problems(hashes_file: Path = HASHES_FILE, root: Path = PROJECT_ROOT) -> list[str]:
    """Recorded synthetic exports that are missing or whose bytes changed (Dutch; empty: all match)."""
    problems = []
    for digest, relative in recorded_hashes(hashes_file).items():
        path = root / relative
        if not path.is_file():
            problems.append(f"{relative} staat in {display(hashes_file)} maar bestaat niet.")
        elif sha256(path.read_bytes()) != digest:
            problems.append(
                f"{relative} is veranderd sinds de sha256 in {display(hashes_file)} is vastgelegd; als dat een "
                f"synthetische export is (make example-data): {_UPDATE_HASHES}"
            )
    return problems
