"""The processed tables of a year, for the chapters: read from ``data/processed/<year>/``.

Earlier years (trends) come through the same loader as ``make data`` (``load.export.load_year``,
merger tables included): the processed files when they are at least as new as the year's raw
inputs, otherwise loaded in memory, so a report never depends on which years someone processed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from helpers import paths


class MissingProcessedData(FileNotFoundError):
    """The processed tables of a year do not exist yet."""


def read_processed(year: int, table: str = "municipalities") -> pd.DataFrame:
    """``data/processed/<year>/<table>.parquet``; a clear message when ``make data`` has not run."""
    path = paths.processed_year_dir(year) / f"{table}.parquet"
    if not path.exists():
        raise MissingProcessedData(
            f"{path} ontbreekt: voer eerst `make data YEAR={year}` uit (of notebook 00_data_preparation)."
        )
    return pd.read_parquet(path)


def edition_years(up_to: int) -> list[int]:
    """Years up to ``up_to`` with a codebook and data (a raw export, or processed tables)."""
    years = set()
    for d in paths.RAW_DIR.glob("[0-9][0-9][0-9][0-9]"):
        if (d / "codebook.yaml").exists() and (
            paths.export_path(int(d.name)).exists()  # MONITOR_DATA_DIR for real exports
            or (paths.processed_year_dir(int(d.name)) / "municipalities.parquet").exists()
        ):
            years.add(int(d.name))
    return sorted(y for y in years if y <= up_to)


def _inputs(year: int) -> list[Path]:
    raw = [paths.export_path(year), paths.codebook_path(year)]
    return [p for p in raw if p.exists()] + sorted(paths.REFERENCE_DIR.glob("*.csv"))


def municipalities(year: int) -> pd.DataFrame:
    """The municipalities table of ``year``: processed when up to date, else loaded in memory (nothing written)."""
    path = paths.processed_year_dir(year) / "municipalities.parquet"
    if path.exists() and all(path.stat().st_mtime_ns >= p.stat().st_mtime_ns for p in _inputs(year)):
        return pd.read_parquet(path)
    stamp = tuple(p.stat().st_mtime_ns for p in _inputs(year))
    return _loaded(year, stamp).copy()


@cache
def _loaded(year: int, stamp: tuple[int, ...]) -> pd.DataFrame:
    """Load once per version of the inputs (``stamp`` is the cache key)."""
    from helpers.load.export import load_year  # the whole loader only for an edition without fresh tables

    return load_year(year).municipalities
