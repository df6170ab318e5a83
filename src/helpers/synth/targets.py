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

from helpers.survey.codebook import Codebook
from helpers.survey.formatting import round_half_up
from helpers.survey.lineage import label_map


class CalibrationError(ValueError):
    """The published numbers cannot all be met; the message says which."""


@dataclass(frozen=True)
class Printed:
    """One printed number: value as printed and its precision.

    ``slack`` widens what counts as a hit by that much on either side (0 = the value must
    print exactly); carried-over targets of a year without a publication use it.
    """

    value: float
    decimals: int
    slack: float = 0.0


def read_published(path: Path, year: int) -> pd.DataFrame:
    """The rows of a published-figures file that the data must reproduce."""
    df = pd.read_csv(path, dtype={"category": str}, keep_default_na=False)
    df = df[(df["status"] == "check") & (df["year"].astype(int) == year)]
    df["n"] = pd.to_numeric(df["n"], errors="coerce")
    df["value"] = df["value"].astype(float)
    df["decimals"] = df["decimals"].astype(int)
    return df


#: Slack of carried-over targets per stat: percentage points, or answers for a mean number of answers.
CARRY_SLACK = {"pct": 1.0, "mean": 1.0, "answers_mean": 0.1}


def carry_targets(published: pd.DataFrame, source: Codebook, target: Codebook) -> pd.DataFrame:
    """Another year's published numbers as targets for ``target`` (a year with no publication).

    Kept: questions with the same id and type in both codebooks. Categories follow the option
    or item code (a renamed option keeps its share; a new one has none, so the spec's shares
    apply); nets follow their codes. The printed base ``n`` is dropped (the bases differ), and
    so is the mean number of answers of a multi question whose options changed. Targets get
    ``slack`` (:data:`CARRY_SLACK`), since shares rounded on one base need not add up on another.
    """
    rows = []
    for r in published.to_dict("records"):
        qid = r["question"]
        if qid not in source or qid not in target:
            continue
        old, new = source.question(qid), target.question(qid)
        if old.type != new.type or old.type == "municipality":
            continue
        if r["stat"] == "answers_mean" and {o.code for o in old.options} != {o.code for o in new.options}:
            continue
        category = label_map(old, new).get(str(r["category"]))
        if category is None:
            continue
        slack = CARRY_SLACK.get(r["stat"], 0.0)
        rows.append({**r, "year": target.year, "category": category, "n": float("nan"), "slack": slack})
    return pd.DataFrame(rows, columns=[*published.columns, "slack"])


def printed_for(published: pd.DataFrame, qid: str) -> tuple[dict[tuple[str, str], Printed], int | None]:
    """The printed numbers of one question keyed by (category, stat), and its printed base n."""
    rows = published[published["question"] == qid]
    numbers = {
        (r.category, r.stat): Printed(float(r.value), int(r.decimals), float(getattr(r, "slack", 0.0)))
        for r in rows.itertuples(index=False)
    }
    ns = {int(n) for n in rows["n"].dropna()}
    if len(ns) > 1:
        raise CalibrationError(f"{qid}: published rows disagree on the base n: {sorted(ns)}")
    return numbers, (ns.pop() if ns else None)


def count_interval(printed: Printed, n: int) -> tuple[int, int]:
    """Smallest and largest count k out of n that prints as ``printed``."""
    ks = [k for k in range(n + 1) if _hits(100.0 * k / n, printed)]
    if not ks:
        raise CalibrationError(f"no count out of n={n} prints as {printed.value}%")
    return ks[0], ks[-1]


def sum_interval(printed: Printed, n: int, upper: int) -> tuple[int, int]:
    """Range of a total K (e.g. ticks of a multi question) whose mean K/n prints as ``printed``."""
    ks = [k for k in range(upper + 1) if _hits(k / n, printed)]
    if not ks:
        raise CalibrationError(f"no total up to {upper} gives a mean of {printed.value} over n={n}")
    return ks[0], ks[-1]


def _hits(value: float, printed: Printed) -> bool:
    """Does ``value`` print as ``printed`` (or lie within its slack)?"""
    if printed.slack:
        return abs(value - printed.value) <= 0.5 * 10 ** (-printed.decimals) + printed.slack
    return round_half_up(value, printed.decimals) == printed.value


def mean_interval(printed: Printed, n: int) -> tuple[float, float]:
    """Sum range [lo, hi] of n values whose mean prints as ``printed`` (hi exclusive)."""
    half = 0.5 * 10 ** (-printed.decimals) + printed.slack
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
