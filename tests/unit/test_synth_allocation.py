"""The generator's exact-count machinery: printed shares -> counts -> respondents."""

import numpy as np
import pytest

from helpers.survey.formatting import round_half_up
from helpers.synth.allocate import AllocationError, assign_multi, assign_single, choose_exact
from helpers.synth.targets import CalibrationError, Printed, count_interval, largest_remainder, partition_counts


def test_count_interval_matches_half_up():
    assert count_interval(Printed(60, 0), 282) == (168, 170)
    lo, _ = count_interval(Printed(1, 0), 104)
    assert round_half_up(100 * lo / 104) == 1 and round_half_up(100 * (lo - 1) / 104) == 0
    with pytest.raises(CalibrationError):
        count_interval(Printed(33, 0), 2)


def test_largest_remainder_adds_up():
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(largest_remainder(282, [0.3, 0.5, 0.2])) == 282


def test_partition_counts_hits_every_printed_share():
    n = 282
    printed = {"Ja": 60, "Nee": 25, "Niet meer": 1, "In ontwikkeling": 14}
    fixed = {lab: (*count_interval(Printed(p, 0), n), n * p / 100) for lab, p in printed.items()}
    counts = partition_counts(n, fixed, {}, "t")
    assert sum(counts.values()) == n
    for lab, k in counts.items():
        assert fixed[lab][0] <= k <= fixed[lab][1]


def test_partition_counts_reports_impossible_sets():
    n = 100
    fixed = {"a": (*count_interval(Printed(60, 0), n), 60), "b": (*count_interval(Printed(60, 0), n), 60)}
    with pytest.raises(CalibrationError, match="cannot be met"):
        partition_counts(n, fixed, {}, "t")


def test_choose_exact_sums_to_target_and_prefers_high_scores():
    w = np.array([1, 2, 3, 1, 4])
    s = np.array([5.0, 0.0, 0.0, 5.0, 0.0])
    mask = choose_exact(w, s, 2)
    assert w[mask].sum() == 2 and mask[0] and mask[3]
    with pytest.raises(AllocationError):
        choose_exact(np.array([2, 2]), np.zeros(2), 3)


def test_assign_single_exact_weights():
    rng = np.random.default_rng(1)
    w = rng.integers(1, 5, size=60)
    w[:20] = 1
    total = int(w.sum())
    counts = [total // 2, total // 3, total - total // 2 - total // 3]
    cat = assign_single(w, counts, np.zeros((60, 3)), rng)
    assert [int(w[cat == c].sum()) for c in range(3)] == counts


def test_assign_multi_respects_counts_capacity_and_min_one():
    rng = np.random.default_rng(2)
    w = np.array([1] * 30 + [2] * 10 + [3] * 5)
    total = int(w.sum())
    counts = [int(total * f) for f in (0.9, 0.6, 0.4, 0.3, 0.2)]
    ticks = assign_multi(w, counts, np.full(len(w), 3), np.zeros((len(w), 5)), rng)
    assert [int(w[ticks[:, j]].sum()) for j in range(5)] == counts
    assert ticks.sum(axis=1).max() <= 3
    assert ticks.sum(axis=1).min() >= 1
