"""The claims register of a build: ``claims.csv`` from the notebooks' parts, and a check that every
remark of the edition's ``notes.yaml`` was placed by some ``%%tekst`` block.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from helpers import paths
from helpers.report.claims import REGISTER_COLUMNS
from helpers.survey.notes import load_notes
from helpers.survey.vocabulary import CLAIMS_DIR

FILENAME = "claims.csv"
REMARK = "opmerking"


class ClaimsError(ValueError):
    """A claims part that cannot be read, or a remark that no notebook placed."""


def assemble_claims(build_dir: Path, names: Iterable[str]) -> list[dict[str, str]]:
    """Concatenate ``claims/<name>.csv`` in notebook order into ``claims.csv``; returns the rows."""
    rows: list[dict[str, str]] = []
    for name in names:
        part = Path(build_dir) / CLAIMS_DIR / f"{name}.csv"
        if not part.is_file():
            continue
        with part.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != REGISTER_COLUMNS:
                raise ClaimsError(f"{part}: kolommen {reader.fieldnames}, verwacht {REGISTER_COLUMNS}")
            rows += list(reader)
    with (Path(build_dir) / FILENAME).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, REGISTER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def unplaced_remarks(year: int, build_dir: Path, notebooks: Iterable[str], rows: list[dict[str, str]]) -> list[str]:
    """Remarks of ``data/raw/<year>/notes.yaml`` that no notebook placed (``notebook/anchor``).

    Held to their remarks are the notebooks that wrote a claims part (they render ``%%tekst`` prose);
    a remark for a notebook the build does not have at all is reported too when any notebook has prose.
    """
    with_prose = {p.stem for p in (Path(build_dir) / CLAIMS_DIR).glob("*.csv")}
    if not with_prose:
        return []
    placed = {(r["notebook"], r["condition"]) for r in rows if r["kind"] == REMARK}
    known = set(notebooks)
    return [
        f"{r.notebook}/{r.anchor}"
        for r in load_notes(paths.notes_path(year)).remarks
        if (r.notebook not in known or r.notebook in with_prose) and (r.notebook, r.anchor) not in placed
    ]
