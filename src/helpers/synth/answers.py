"""Calibrated answers per question type for the synthetic export.

State is kept per respondent: single-choice answers as option codes, multi
answers as tick matrices, numbers as float arrays. Every function reproduces the
printed figures of its question exactly (after half-up rounding) at the
municipality level, where a respondent counts once for each of its municipalities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from helpers.survey.codebook import AllOf, AnswerIn, Condition, Question, Selected
from helpers.synth.allocate import assign_multi, assign_single, choose_exact
from helpers.synth.spec import QuestionSpec
from helpers.synth.targets import (
    CalibrationError,
    Printed,
    count_interval,
    largest_remainder,
    mean_interval,
    nudge_total,
    partition_counts,
    sum_interval,
)

NOT_ASKED = "not_asked"
SKIPPED = "skipped"
ANSWERED = "answered"


@dataclass
class Answer:
    """One question's answers for all respondents."""

    status: np.ndarray  # per respondent: NOT_ASKED / SKIPPED / ANSWERED
    codes: np.ndarray | None = None  # single: option code (0 where not answered)
    ticks: np.ndarray | None = None  # multi: (respondents, options) bool
    values: dict[int, np.ndarray] = field(default_factory=dict)  # percent/count: item code -> values
    texts: dict[int, list[str]] = field(default_factory=dict)  # option code (0 = the question) -> text


@dataclass
class Population:
    """The respondents: weights (municipalities answered for) and lead size class."""

    weights: np.ndarray
    classes: np.ndarray
    rng: np.random.Generator

    @property
    def size(self) -> int:
        return len(self.weights)


def holds(cond: Condition | None, answers: dict[str, Answer], questions: dict[str, Question], size: int) -> np.ndarray:
    """Per respondent: does the routing condition hold?"""
    if cond is None:
        return np.ones(size, dtype=bool)
    if isinstance(cond, AnswerIn):
        a = answers[cond.question]
        assert a.codes is not None  # a single-choice answer has codes
        return (a.status == ANSWERED) & np.isin(a.codes, cond.codes)
    if isinstance(cond, Selected):
        a = answers[cond.question]
        col = [o.code for o in questions[cond.question].options].index(cond.selected)
        assert a.ticks is not None  # a multi answer has ticks
        return (a.status == ANSWERED) & a.ticks[:, col]
    parts = [holds(c, answers, questions, size) for c in (cond.all if isinstance(cond, AllOf) else cond.any)]
    return np.logical_and.reduce(parts) if isinstance(cond, AllOf) else np.logical_or.reduce(parts)


def split_status(pop: Population, eligible: np.ndarray, n: int | None, spec: QuestionSpec, label: str) -> np.ndarray:
    """Mark who was not asked, who skipped (weight = eligible - n) and who answered."""
    status = np.where(eligible, ANSWERED, NOT_ASKED).astype(object)
    total = int(pop.weights[eligible].sum())
    skip = total - n if n is not None else spec.skipped
    if skip < 0:
        raise CalibrationError(f"{label}: printed n={n} exceeds the {total} municipalities routed to it")
    idx = np.flatnonzero(eligible)
    mask = choose_exact(pop.weights[idx], pop.rng.random(len(idx)), skip)
    status[idx[mask]] = SKIPPED
    return status


def _tilt(pop: Population, spec: QuestionSpec, label: str) -> np.ndarray:
    table = spec.tilt.get(label, {})
    return np.array([table.get(c, 0.0) for c in pop.classes])


def single(
    q: Question,
    pop: Population,
    status: np.ndarray,
    printed: dict,
    spec: QuestionSpec,
    routed: Sequence[tuple[list[int], int]] = (),
) -> Answer:
    """Single choice: counts per printed option or net, the rest from assumed shares.

    ``routed`` lists (codes, municipalities) pairs: a later question is asked only
    after these codes and its printed base needs exactly that many municipalities.
    """
    idx = np.flatnonzero(status == ANSWERED)
    w = pop.weights[idx]
    n = int(w.sum())
    labels = {o.code: o.label for o in q.options}
    fixed, free, members = {}, {}, {}
    covered: set[int] = set()
    for net in q.nets:
        p = printed.get((net.label, "pct"))
        if p and not any((labels[c], "pct") in printed for c in net.codes):
            fixed[net.label] = _bounds(p, n)
            members[net.label] = net.codes
            covered |= set(net.codes)
    for o in q.options:
        if o.code in covered:
            continue
        p = printed.get((o.label, "pct"))
        if p:
            fixed[o.label] = _bounds(p, n)
        else:
            free[o.label] = spec.shares.get(o.label, 1.0)
        members[o.label] = [o.code]
    group_counts = partition_counts(n, fixed, free, q.id)
    constraints = [(codes, k, k) for codes, k in routed]
    for net in q.nets:
        p = printed.get((net.label, "pct"))
        if p and net.label not in fixed:
            constraints.append((net.codes, *count_interval(p, n)))
    group_counts = _meet_constraints(q.id, n, group_counts, members, fixed, constraints)
    option_counts: dict[int, int] = {}
    for g, k in group_counts.items():
        codes = members[g]
        ratios = spec.split.get(g, {})
        parts = largest_remainder(k, [ratios.get(labels[c], 1.0) for c in codes])
        option_counts.update(zip(codes, parts, strict=True))
    _check_nets(q, option_counts, printed, n)
    codes = [o.code for o in q.options]
    scores = np.column_stack([_tilt(pop, spec, labels[c])[idx] for c in codes])
    chosen = assign_single(w, [option_counts[c] for c in codes], scores, pop.rng)
    out = np.zeros(pop.size, dtype=int)
    out[idx] = np.array(codes)[chosen]
    answer = Answer(status=status, codes=out)
    _other_texts(q, answer, idx, lambda code: out[idx] == code, spec, pop)
    return answer


def multi(q: Question, pop: Population, status: np.ndarray, printed: dict, spec: QuestionSpec) -> Answer:
    """Multi answer: exact count per option, printed mean number of answers, exclusive options alone."""
    idx = np.flatnonzero(status == ANSWERED)
    w = pop.weights[idx]
    n = int(w.sum())
    opts = q.options
    bounds = {}
    single_nets = {q.option(net.codes[0]).label: net.label for net in q.nets if len(net.codes) == 1}
    for o in opts:
        p = printed.get((o.label, "pct")) or printed.get((single_nets.get(o.label, "\0"), "pct"))
        if p:
            bounds[o.label] = _bounds(p, n)
        else:
            share = spec.shares.get(o.label)
            if share is None:
                raise CalibrationError(f"{q.id}: option {o.label!r} has no printed share and no assumed share")
            bounds[o.label] = (0, n, n * share / 100)
    counts = {lab: int(min(max(round(ideal), lo), hi)) for lab, (lo, hi, ideal) in bounds.items()}
    mean = printed.get(("", "answers_mean"))
    if mean:
        lo, hi = sum_interval(mean, n, n * len(opts))
        counts = nudge_total(counts, bounds, lo, hi, q.id)
    alone = [o for o in opts if o.exclusive and not spec.exclusive_overlap]
    rest_idx = np.arange(len(idx))
    ticks = np.zeros((pop.size, len(opts)), dtype=bool)
    for o in alone:
        col = opts.index(o)
        noise = pop.rng.random(len(rest_idx))
        mask = choose_exact(w[rest_idx], noise + _tilt(pop, spec, o.label)[idx[rest_idx]], counts[o.label])
        ticks[idx[rest_idx[mask]], col] = True
        rest_idx = rest_idx[~mask]
    others = [o for o in opts if o not in alone]
    capacity = np.full(len(rest_idx), min(q.max_answers or len(others), len(others)))
    lead = np.array([spec.answers_tilt.get(c, 0.0) for c in pop.classes[idx[rest_idx]]])
    pref = np.column_stack([lead + _tilt(pop, spec, o.label)[idx[rest_idx]] for o in others])
    sub = assign_multi(w[rest_idx], [counts[o.label] for o in others], capacity, pref, pop.rng)
    for j, o in enumerate(others):
        ticks[idx[rest_idx], opts.index(o)] = sub[:, j]
    _check_multi_nets(q, ticks[idx], w, printed, n)
    answer = Answer(status=status, ticks=ticks)
    _other_texts(q, answer, idx, lambda code: ticks[idx, [o.code for o in opts].index(code)], spec, pop)
    return answer


def numeric(q: Question, pop: Population, status: np.ndarray, printed: dict, spec: QuestionSpec) -> Answer:
    """Percentage estimates (or counts): drawn around the target, then nudged to the printed mean."""
    idx = np.flatnonzero(status == ANSWERED)
    w = pop.weights[idx]
    n = int(w.sum())
    items = q.items or []
    codes = [it.code for it in items] or [0]
    labels = {it.code: it.label for it in items} or {0: ""}
    if q.type == "count":
        return _counts(q, pop, status, idx, spec)
    values: dict[int, np.ndarray] = {}
    free_item = codes[-1] if spec.constant_sum is not None else None
    for c in codes:
        if c == free_item:
            continue
        p = printed.get((labels[c], "mean"))
        item_spec = spec.items.get(labels[c])
        target = p.value if p else (item_spec.mean if item_spec and item_spec.mean is not None else None)
        if target is None:
            target = _net_member_default(q, c, printed, labels)
        conc = item_spec.concentration if item_spec else 4.0
        step = item_spec.step if item_spec else 5
        values[c] = _draw(pop.rng, len(idx), target, conc, step)
    room = _room(spec, values)
    for c in codes:
        p = printed.get((labels[c], "mean"))
        if c in values and p:
            _calibrate(values[c], w, mean_interval(p, n), pop.rng, room)
    for net in q.nets:
        p = printed.get((net.label, "mean"))
        if not p:
            continue
        target_item = next(c for c in reversed(net.codes) if (labels[c], "mean") not in printed)
        others = sum(values[c] for c in net.codes if c != target_item)
        lo, hi = mean_interval(p, n)
        _calibrate(values[target_item], w, (lo - float(w @ others), hi - float(w @ others)), pop.rng, room)
    if free_item is not None:
        assert spec.constant_sum is not None  # a free item only exists under a constant sum
        values[free_item] = np.asarray(spec.constant_sum - sum(values.values()), dtype=float)
        if (values[free_item] < 0).any():
            raise CalibrationError(f"{q.id}: items exceed the constant sum {spec.constant_sum}")
    full = {c: np.full(pop.size, np.nan) for c in codes}
    for c in codes:
        full[c][idx] = values[c]
    return Answer(status=status, values=full)


def _counts(q: Question, pop: Population, status: np.ndarray, idx: np.ndarray, spec: QuestionSpec) -> Answer:
    vals = np.array(list(spec.values), dtype=float) if spec.values else np.array([1.0])
    probs = np.array(list(spec.values.values()), dtype=float) if spec.values else np.array([1.0])
    drawn = pop.rng.choice(vals, size=len(idx), p=probs / probs.sum())
    if spec.outlier is not None and len(idx):
        size = spec.outlier_cluster_size
        hits = [i for i, r in enumerate(idx) if size is None or pop.weights[r] == size]
        if hits:
            drawn[hits[int(pop.rng.integers(len(hits)))]] = spec.outlier
    full = np.full(pop.size, np.nan)
    full[idx] = drawn
    return Answer(status=status, values={(q.items[0].code if q.items else 0): full})


def text(q: Question, pop: Population, status: np.ndarray, spec: QuestionSpec) -> Answer:
    """Open answers: a share of the asked respondents writes one of the (synthetic) example texts."""
    asked = np.flatnonzero(status == ANSWERED)
    writes = pop.rng.random(len(asked)) < spec.answer_rate
    out = [""] * pop.size
    pool = spec.texts or ["(synthetisch voorbeeldantwoord)"]
    for r in asked[writes]:
        out[r] = pool[int(pop.rng.integers(len(pool)))]
    new_status = status.copy()
    new_status[asked[~writes]] = SKIPPED
    return Answer(status=new_status, texts={0: out})


# --- helpers -------------------------------------------------------------------------


def _bounds(p: Printed, n: int) -> tuple[int, int, float]:
    lo, hi = count_interval(p, n)
    return lo, hi, n * p.value / 100


def _meet_constraints(qid, n, counts, members, fixed, constraints):
    """Adjust group counts so that each constraint (codes, lo, hi) holds, keeping the total n.

    Groups inside other constraints are held still where possible, so fixing one
    constraint does not break another.
    """

    def groups_of(codes):
        gs = {g for g, cs in members.items() if set(cs) & set(codes)}
        if not all(set(members[g]) <= set(codes) for g in gs):
            raise CalibrationError(f"{qid}: a constraint covers part of a printed net; cannot calibrate")
        return gs

    def satisfied(c):
        return c[1] <= sum(counts[g] for g in groups_of(c[0])) <= c[2]

    for _ in range(10):
        if all(satisfied(c) for c in constraints):
            return counts
        for c in constraints:
            if satisfied(c):
                continue
            inner = groups_of(c[0])
            bounds = {g: fixed.get(g, (0, n, counts[g])) for g in counts}
            inside = nudge_total({g: counts[g] for g in inner}, bounds, c[1], c[2], qid)
            rest = n - sum(inside.values())
            held = {g for other in constraints if other is not c for g in groups_of(other[0])} - inner
            locked = {g: (counts[g], counts[g], counts[g]) if g in held else bounds[g] for g in counts}
            others = {g: k for g, k in counts.items() if g not in inner}
            try:
                outside = nudge_total(others, locked, rest, rest, qid)
            except CalibrationError:
                outside = nudge_total(others, bounds, rest, rest, qid)
            counts = {**inside, **outside}
    if not all(satisfied(c) for c in constraints):
        raise CalibrationError(f"{qid}: printed shares, nets and routed bases cannot all be met")
    return counts


def _check_nets(q: Question, counts: dict[int, int], printed: dict, n: int) -> None:
    for net in q.nets:
        p = printed.get((net.label, "pct"))
        if p:
            lo, hi = count_interval(p, n)
            k = sum(counts[c] for c in net.codes)
            if not lo <= k <= hi:
                raise CalibrationError(f"{q.id}: net {net.label!r} gets {k}/{n}, printed {p.value}% needs {lo}–{hi}")


def _check_multi_nets(q: Question, ticks: np.ndarray, w: np.ndarray, printed: dict, n: int) -> None:
    codes = [o.code for o in q.options]
    for net in q.nets:
        p = printed.get((net.label, "pct"))
        if p:
            lo, hi = count_interval(p, n)
            k = int(w[ticks[:, [codes.index(c) for c in net.codes]].any(axis=1)].sum())
            if not lo <= k <= hi:
                raise CalibrationError(f"{q.id}: net {net.label!r} gets {k}/{n}, printed {p.value}% needs {lo}–{hi}")


def _net_member_default(q: Question, code: int, printed: dict, labels: dict) -> float:
    for net in q.nets:
        p = printed.get((net.label, "mean"))
        if p and code in net.codes:
            known = sum(printed[(labels[c], "mean")].value for c in net.codes if (labels[c], "mean") in printed)
            return max(p.value - known, 1.0)
    raise CalibrationError(f"{q.id}: item {labels[code]!r} has no printed or assumed mean")


def _draw(rng: np.random.Generator, size: int, mean: float, concentration: float, step: int) -> np.ndarray:
    m = min(max(mean / 100, 0.01), 0.99)
    raw = rng.beta(m * concentration, (1 - m) * concentration, size=size) * 100
    return np.clip(np.round(raw / step) * step, 0, 100)


def _room(spec: QuestionSpec, values: dict[int, np.ndarray]):
    """How far a value may rise without breaking the constant sum."""
    if spec.constant_sum is None:
        return lambda arr, i: 100 - arr[i]
    return lambda arr, i: spec.constant_sum - sum(v[i] for v in values.values())


def _calibrate(values: np.ndarray, w: np.ndarray, interval: tuple[float, float], rng, room) -> None:
    """Nudge values by one point at a time until the weighted sum lies in [lo, hi)."""
    lo, hi = interval
    total = float(w @ values)
    singles = np.flatnonzero(w == 1)
    for _ in range(200_000):
        if lo <= total < hi:
            return
        step = 1.0 if total < lo else -1.0
        gap = (lo - total) if step > 0 else (total - hi + 1)
        pool = np.arange(len(values)) if gap > 8 else singles
        ok = [i for i in rng.permutation(pool)[:50] if (room(values, i) >= 1 if step > 0 else values[i] >= 1)]
        if not ok:
            continue
        i = ok[0]
        values[i] += step
        total += step * w[i]
    raise CalibrationError("could not calibrate a mean to its printed value")


def _other_texts(q: Question, answer: Answer, idx: np.ndarray, chosen, spec: QuestionSpec, pop: Population) -> None:
    pool = spec.texts or ["(synthetisch voorbeeld)"]
    for o in q.options:
        if not o.other_text:
            continue
        out = [""] * pop.size
        for r in idx[np.asarray(chosen(o.code), dtype=bool)]:
            out[r] = pool[int(pop.rng.integers(len(pool)))]
        answer.texts[o.code] = out
