"""How the municipality frame changed between two editions: which municipalities merged, were divided or
renamed, and how many there were before and after (from ``data/raw/reference``: the frames and the
merger tables ``herindelingen_<year>.csv`` of every 1 January in between).

A comparison between editions on different frames compares different sets of municipalities; the response
section, the method appendix and the changes page say so with :func:`frame_change`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.survey.frame import read_frame, read_merger_table


@dataclass(frozen=True)
class Merger:
    """One new municipality formed on 1 January ``year`` from ``old`` (two or more), or one ``old`` divided."""

    year: int
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class FrameChange:
    """The frames of two editions: their years, sizes and the reorganisations in between."""

    year_before: int
    year_after: int
    n_before: int
    n_after: int
    merged: tuple[Merger, ...]  #: several old municipalities into one new
    divided: tuple[Merger, ...]  #: one old municipality over several new ones

    @property
    def changed(self) -> bool:
        reorganised = bool(self.merged or self.divided) or self.n_before != self.n_after
        return self.year_before != self.year_after and reorganised


def _reorganisations(table: pd.DataFrame, year: int) -> tuple[list[Merger], list[Merger]]:
    moved = table[(table["code_old"] != table["code_new"]) | (table["aandeel"] < 1)]
    split = {code for code, rows in moved.groupby("code_old") if len(rows) > 1}
    divided = [
        Merger(year, (str(rows["naam_old"].iloc[0]),), tuple(sorted(map(str, rows["naam_new"]))))
        for code, rows in moved[moved["code_old"].isin(split)].groupby("code_old", sort=True)
    ]
    merged = []
    for _, rows in table[table["code_new"].isin(moved["code_new"])].groupby("code_new", sort=True):
        olds = tuple(sorted(f"een deel van {n}" if c in split else str(n)
                            for c, n in zip(rows["code_old"], rows["naam_old"], strict=True)))  # fmt: skip
        if len(olds) > 1:
            merged.append(Merger(year, olds, (str(rows["naam_new"].iloc[0]),)))
    return merged, divided


def frame_change(frame_year_before: int, frame_year_after: int, reference: Path | None = None) -> FrameChange:
    """The change from the frame of ``frame_year_before`` to that of ``frame_year_after`` (every 1 January in
    between with a merger table; a year without one had no reorganisation)."""
    ref = reference if reference is not None else paths.REFERENCE_DIR
    n_before = len(read_frame(ref / f"gemeenten_{frame_year_before}.csv"))
    n_after = len(read_frame(ref / f"gemeenten_{frame_year_after}.csv"))
    merged: list[Merger] = []
    divided: list[Merger] = []
    for year in range(frame_year_before + 1, frame_year_after + 1):
        table_path = ref / f"herindelingen_{year}.csv"
        if table_path.is_file():
            m, d = _reorganisations(read_merger_table(table_path), year)
            merged += m
            divided += d
    return FrameChange(frame_year_before, frame_year_after, n_before, n_after, tuple(merged), tuple(divided))
