"""The per-notebook CSV parts a notebook writes for the build (claims, quotes), each rewritten whole."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any


def write_part(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Write ``rows`` under ``columns`` to ``path`` (UTF-8, ``\\n`` line ends), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
