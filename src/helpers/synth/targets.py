"""Integer targets for the synthetic export: counts that reproduce printed percentages.

A printed share p (with d decimals) of a base n is reproduced by any count k with
``round_half_up(100 k / n, d) == p``. This module turns the published figures
plus the generator's assumptions for unpublished categories into one integer
count per category that satisfies every printed number at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.formatting import round_half_up


class CalibrationError(ValueError):
    """The published numbers cannot all be met; the message says which."""


@dataclass(frozen=True)
class Printed:
    """One printed number: value as printed and its precision."""

    value: float
    decimals: int


def read_published(path: Path, year: int) -> pd.DataFrame:
    """The rows of a published-figures file that the data must reproduce."""
    df = pd.read_csv(path, dtype={"category": str}, keep_default_na=False)
    df = df[(df["status"] == "check") & (df["year"].astype(int) == year)]
    df["n"] = pd.to_numeric(df["n"], errors="coerce")
    df["value"] = df["value"].astype(float)
    df["decimals"] = df["decimals"].astype(int)
    return df


def printed_for(published: pd.DataFrame, qid: str) -> tuple[dict[tuple[str, str], Printed], int | None]:
    """The printed numbers of one question keyed by (category, stat), and its printed base n."""
    rows = published[published["question"] == qid]
    numbers = {(r.category, r.stat): Printed(float(r.value), int(r.decimals)) for r in rows.itertuples(index=False)}
    ns = {int(n) for n in rows["n"].dropna()}
    if len(ns) > 1:
        raise CalibrationError(f"{qid}: published rows disagree on the base n: {sorted(ns)}")
    return numbers, (ns.pop() if ns else None)


def count_interval(printed: Printed, n: int) -> tuple[int, int]:
    """Smallest and largest count k out of n that prints as ``printed``."""
    ks = [k for k in range(n + 1) if round_half_up(100.0 * k / n, printed.decimals) == printed.value]
    if not ks:
        raise CalibrationError(f"no count out of n={n} prints as {printed.value}%")
    return ks[0], ks[-1]


def sum_interval(printed: Printed, n: int, upper: int) -> tuple[int, int]:
    """Range of a total K (e.g. ticks of a multi question) whose mean K/n prints as ``printed``."""
    ks = [k for k in range(upper + 1) if round_half_up(k / n, printed.decimals) == printed.value]
    if not ks:
        raise CalibrationError(f"no total up to {upper} gives a mean of {printed.value} over n={n}")
    return ks[0], ks[-1]


def mean_interval(printed: Printed, n: int) -> tuple[float, float]:
    """Sum range [lo, hi] of n values whose mean prints as ``printed`` (hi exclusive)."""
    half = 0.5 * 10 ** (-printed.decimals)
    return n * (printed.value - half), n * (printed.value + half)


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() == 0:
        base = np.zeros(len(w), dtype=int)
        if total:
            base[0] = total
        return base.tolist()
    raw = total * w / w.sum()
    out = np.floor(raw).astype(int)
    order = np.argsort(-(raw - out), kind="stable")
    for i in order[: total - out.sum()]:
        out[i] += 1
    return out.tolist()


def partition_counts(
    n: int,
    fixed: dict[str, tuple[int, int, float]],
    free: dict[str, float],
    label: str,
) -> dict[str, int]:
    """Counts per group that add up to ``n``.

    ``fixed`` maps group -> (lo, hi, ideal) from printed shares; ``free`` maps the
    other groups to assumed weights. Fixed groups start at their ideal (clamped);
    free groups share what is left; if nothing is free the fixed groups are
    nudged within their intervals until the total is ``n``.
    """
    counts = {g: int(min(max(round(ideal), lo), hi)) for g, (lo, hi, ideal) in fixed.items()}
    if free:
        counts = nudge_total(counts, fixed, 0, n, label)
        rest = n - sum(counts.values())
        counts.update(zip(free, largest_remainder(rest, list(free.values())), strict=True))
        return counts
    return nudge_total(counts, fixed, n, n, label)


def nudge_total(
    counts: dict[str, int], bounds: dict[str, tuple[int, int, float]], lo_total: int, hi_total: int, label: str
) -> dict[str, int]:
    """Move counts within their (lo, hi) bounds until lo_total <= sum <= hi_total.

    Each step moves the count that is furthest from its ideal in the wanted direction.
    """
    counts = dict(counts)
    total = sum(counts.values())
    while not lo_total <= total <= hi_total:
        step = 1 if total < lo_total else -1
        movable = [g for g in counts if (counts[g] < bounds[g][1] if step > 0 else counts[g] > bounds[g][0])]
        if not movable:
            raise CalibrationError(
                f"{label}: the printed numbers cannot be met together (total {total}, needed {lo_total}–{hi_total})"
            )
        g = max(movable, key=lambda x: step * (bounds[x][2] - counts[x]))
        counts[g] += step
        total += step
    return counts
