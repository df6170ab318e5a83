"""Exact allocation of answers to weighted respondents.

Each respondent carries a weight (the number of municipalities it answers for).
To reproduce a printed share we need a set of respondents whose weights add up
to an exact municipality count; among all such sets we take the one with the
highest preference score (size-class tilt plus random noise), by dynamic
programming over (respondent, total weight).
"""

from __future__ import annotations

import numpy as np


class AllocationError(ValueError):
    """No set of respondents has exactly the wanted total weight."""


def choose_exact(weights: np.ndarray, scores: np.ndarray, target: int) -> np.ndarray:
    """Boolean mask of the highest-scoring subset whose weights sum exactly to ``target``."""
    weights = np.asarray(weights, dtype=int)
    n = len(weights)
    if target == 0:
        return np.zeros(n, dtype=bool)
    neg = -np.inf
    best = np.full(target + 1, neg)
    best[0] = 0.0
    take = np.zeros((n, target + 1), dtype=bool)
    for i in range(n):
        w, s = weights[i], scores[i]
        if w > target:
            continue
        cand = np.full(target + 1, neg)
        cand[w:] = best[: target + 1 - w] + s * w  # score per municipality: no bias for many small respondents
        better = cand > best
        take[i] = better
        best = np.where(better, cand, best)
    if best[target] == neg:
        raise AllocationError(f"no respondents add up to exactly {target} municipalities")
    mask = np.zeros(n, dtype=bool)
    t = target
    for i in range(n - 1, -1, -1):
        if take[i, t]:
            mask[i] = True
            t -= weights[i]
    assert t == 0
    return mask


def assign_single(weights: np.ndarray, counts: list[int], scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Give each respondent one category so category weights equal ``counts``.

    ``scores[r, c]`` is respondent r's preference for category c. Categories with
    the strongest preferences are filled first; the last takes the remainder.
    Returns the category index per respondent.
    """
    weights = np.asarray(weights, dtype=int)
    if weights.sum() != sum(counts):
        raise AllocationError(f"weights add up to {weights.sum()}, categories to {sum(counts)}")
    result = np.full(len(weights), -1)
    spread = scores.std(axis=0) if len(weights) > 1 else np.zeros(len(counts))
    order = sorted(range(len(counts)), key=lambda c: (-spread[c], counts[c]))
    for c in order[:-1]:
        open_ = np.flatnonzero(result < 0)
        noise = rng.gumbel(size=len(open_)) * 0.5
        mask = choose_exact(weights[open_], scores[open_, c] + noise, counts[c])
        result[open_[mask]] = c
    result[result < 0] = order[-1]
    return result


def assign_multi(
    weights: np.ndarray,
    counts: list[int],
    capacity: np.ndarray,
    preference: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Tick options so each option's weight equals ``counts``; every respondent ticks at least one.

    ``capacity`` is the maximum number of ticks per respondent, ``preference[r, o]``
    respondent r's tendency to tick option o (e.g. larger municipalities tick
    more). Returns a (respondents, options) boolean matrix.
    """
    weights = np.asarray(weights, dtype=int)
    n_resp, n_opt = len(weights), len(counts)
    ticks = np.zeros((n_resp, n_opt), dtype=bool)
    for o in sorted(range(n_opt), key=lambda o: -counts[o]):
        used = ticks.sum(axis=1)
        room = capacity - used
        eligible = np.flatnonzero(room > 0)
        score = (
            preference[eligible, o]
            + 0.8 * room[eligible]
            + 3.0 * (used[eligible] == 0)
            + rng.gumbel(size=len(eligible))
        )
        mask = choose_exact(weights[eligible], score, counts[o])
        ticks[eligible[mask], o] = True
    _repair_empty(ticks, weights, capacity)
    return ticks


def _repair_empty(ticks: np.ndarray, weights: np.ndarray, capacity: np.ndarray) -> None:
    """Move a tick from a same-weight respondent with several ticks to each respondent with none."""
    for r in np.flatnonzero(ticks.sum(axis=1) == 0):
        donors = [
            (d, o)
            for d in np.flatnonzero((weights == weights[r]) & (ticks.sum(axis=1) >= 2))
            for o in np.flatnonzero(ticks[d] & ~ticks[r])
        ]
        if not donors:
            raise AllocationError("a respondent is left without any ticked option and no swap is possible")
        d, o = donors[0]
        ticks[d, o] = False
        ticks[r, o] = True
