"""Assemble ``indicators.csv`` from the per-notebook files the notebooks write (CONVENTIONS §9).

Each notebook writes its own ``<build_dir>/indicators/<notebook>.csv`` (whole file, same columns as
§6), so parallel chapters never write the same file and a cached chapter keeps its rows. The build
concatenates them in notebook order into ``<build_dir>/indicators.csv`` before ``01`` runs and again
at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

PARTS_DIR = "indicators"
FILENAME = "indicators.csv"


class IndicatorError(ValueError):
    """Per-notebook indicator files disagree on their header."""


def assemble(build_dir: Path, names: Iterable[str]) -> Path | None:
    """Concatenate ``indicators/<name>.csv`` for ``names`` (in that order) into ``indicators.csv``.

    Returns the path, or None when no notebook wrote a part (then an ``indicators.csv`` a notebook
    wrote directly is left alone).
    """
    parts = [Path(build_dir) / PARTS_DIR / f"{n}.csv" for n in names]
    parts = [p for p in parts if p.is_file()]
    if not parts:
        return None
    header: str | None = None
    body: list[str] = []
    for part in parts:
        lines = part.read_text(encoding="utf-8").splitlines(keepends=True)
        if not lines:
            continue
        if header is None:
            header = lines[0]
        elif lines[0] != header:
            raise IndicatorError(f"{part.name}: header {lines[0].strip()!r} differs from {header.strip()!r}")
        body.extend(line if line.endswith("\n") else line + "\n" for line in lines[1:])
    target = Path(build_dir) / FILENAME
    target.write_text((header or "") + "".join(body), encoding="utf-8")
    return target
