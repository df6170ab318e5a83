"""Keep real survey data out of git: the check the pre-commit hook runs (``monitor check-commit FILE…``).

A file is refused when it looks like a survey export (``data/raw/<year>/export*.csv``, or any text
file whose header rows are those of an export: Qualtrics metadata columns, ``ResponseId``, ImportId
JSON) and either the ``codebook.yaml`` beside it does not say ``synthetic: true``, or one of its open
answers lacks the marker "(synthetisch)" that every synthetic answer starts with. Binary data files
(SPSS, Excel, zip, parquet) under ``data/`` are refused too: they cannot be checked. A
``codebook.yaml`` that says ``synthetic: false`` may be committed only when no export beside it is
tracked, because that export would then be published as real data. Any file over 2 MB is refused
(the largest file of the repository, a frame's polygons, is 0.6 MB).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from helpers.paths import display
from helpers.survey.export_layout import METADATA_NAMES
from helpers.survey.yaml_files import YamlError, read_yaml

MARKER = "(synthetisch)"
BINARY_DATA = frozenset({".sav", ".zsav", ".por", ".xlsx", ".xls", ".xlsm", ".ods", ".zip", ".parquet", ".dta"})
_EXPORT_NAME = re.compile(r"(^|/)data/raw/[^/]+/export[^/]*\.(csv|tsv|txt)$")
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
_WHERE = "Bewaar echte exports buiten de repository (MONITOR_DATA_DIR, zie README 'Werken met echte data')"
_OUTSIDE = "bewaar echte exports buiten de repository (MONITOR_DATA_DIR, zie README 'Werken met echte data')"
HEAD_BYTES = 65536
MAX_BYTES = 2_000_000


def _head(path: Path) -> str:
    with open(path, "rb") as fh:
        data = fh.read(HEAD_BYTES)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[1::2].count(0) > len(data) // 4:
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def looks_like_export(path: Path) -> bool:
    """True for ``data/raw/<year>/export*.csv`` and for text files whose header is that of a survey export."""
    if _EXPORT_NAME.search(path.resolve().as_posix()):
        return True
    try:
        lines = _head(path).splitlines()[:3]
    except OSError:
        return False
    if not lines:
        return False
    fields = {f.strip().strip('"') for f in re.split(r"[,;\t]", lines[0])}
    return (
        len(fields & set(METADATA_NAMES)) >= 3
        or bool(fields & {"ResponseId", "ResponseID", "_recordId"})
        or any('"ImportId"' in line for line in lines)
    )


def _tracked(path: Path) -> bool:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent, capture_output=True, text=True
        )
    except OSError:
        return False
    return out.returncode == 0


def _synthetic(codebook: Path) -> tuple[bool | None, str]:
    """(the codebook's ``synthetic`` flag, or None when unreadable; why not readable)."""
    try:
        data = read_yaml(codebook)
    except YamlError as exc:
        return None, str(exc).splitlines()[0]
    return (data.get("synthetic") is True if isinstance(data, dict) else None), ""


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


def check_file(path: Path) -> list[str]:
    """Dutch reasons to refuse committing ``path`` (empty: fine)."""
    if not path.is_file():
        return []
    name = display(path)
    if path.stat().st_size > MAX_BYTES:
        return [f"{name}: {path.stat().st_size / 1e6:.1f} MB, meer dan {MAX_BYTES / 1e6:.0f} MB: hoort dit in git? "
                f"Data horen buiten de repository (MONITOR_DATA_DIR); uitvoer wordt opnieuw gemaakt."]  # fmt: skip
    if path.suffix.lower() in BINARY_DATA and "data" in path.resolve().parts:
        return [f"{name}: een binair databestand ({path.suffix}) kan niet op echte antwoorden gecontroleerd worden. "
                f"{_WHERE}."]  # fmt: skip
    if path.name == "codebook.yaml":
        flag, _ = _synthetic(path)
        exports = [p for p in path.parent.glob("export*.csv") if _tracked(p)]
        if flag is False and exports:
            return [
                f"{name} zegt synthetic: false, terwijl {display(exports[0])} in git staat: die export zou als echte "
                f"data gepubliceerd worden. Haal de export uit git (git rm --cached) en {_OUTSIDE}."
            ]
        return []
    if path.suffix.lower() not in {".csv", ".tsv", ".txt"} or not looks_like_export(path):
        return []
    codebook = path.parent / "codebook.yaml"
    if not codebook.is_file():
        return [f"{name} lijkt een survey-export, maar er staat geen codebook.yaml naast die synthetic: true zegt. "
                f"{_WHERE}."]  # fmt: skip
    flag, why = _synthetic(codebook)
    if flag is not True:
        reason = f"is niet te lezen ({why})" if flag is None else "zegt niet synthetic: true"
        return [f"{name}: {display(codebook)} {reason}; dit is dus misschien echte data. {_WHERE}."]
    missing = unmarked_answers(path)
    if missing:
        listed = "; ".join(missing[:5]) + (f" en nog {len(missing) - 5}" if len(missing) > 5 else "")
        return [f"{name}: {len(missing)} open antwoord(en) beginnen niet met {MARKER!r} ({listed}): dit lijkt echte "
                f"data. {_WHERE}."]  # fmt: skip
    return []


def check_files(paths: Iterable[Path]) -> list[str]:
    """Reasons to refuse, for every file of a commit."""
    return [reason for path in paths for reason in check_file(Path(path))]
