"""The per-notebook CSV parts a notebook writes for the build (claims, quotes), each rewritten whole."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from helpers.survey.text_escape import spreadsheet_cell


def write_part(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Write ``rows`` under ``columns`` to ``path`` (UTF-8, ``\\n`` line ends), creating its folder; a text
    a spreadsheet would run as a formula is written as text (``spreadsheet_cell``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in rows)
