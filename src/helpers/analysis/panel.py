"""Like with like between two editions: the municipalities asked in both, and those that answered both.

Two rules, stated once in the method appendix (notebook 00, "Dezelfde vraag, dezelfde gemeenten"):

* **routing** — a share is compared only between the same populations. When a question's routing
  (its ``asked_if`` and that of every question the condition rests on) differs between the two
  editions, both editions are restricted to the municipalities that meet *both* routings, each
  evaluated on that edition's answers (:func:`asked_in_both`). When one edition's routing cannot be
  evaluated on the other's answers (a routing question or answer missing there), the question is
  not comparable (:class:`NotComparable`);
* **panel** — beside the change over all respondents, the change among the municipalities that
  answered the question in both editions (:func:`panel_change`), matched through the merger tables
  (``herindelingen_<year>.csv``): a municipality is the same when it continues one-to-one (unchanged
  or only a new code); merged or split municipalities are not in the panel. The margin is that of
  paired answers: ``Z`` times the standard error of the per-municipality differences, with the
  finite population correction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd

from helpers import paths
from helpers.analysis.comparisons import EditionChange, Z, printed_direction
from helpers.analysis.frequencies import answered_mask
from helpers.analysis.intervals import fpc_factor
from helpers.survey.codebook import AllOf, AnswerIn, AnyOf, Codebook, Condition, Question, Selected, condition_questions
from helpers.survey.frame import read_merger_table
from helpers.survey.lineage import QuestionHistory
from helpers.survey.routing import describe_routing, evaluate_condition


class NotComparable(ValueError):
    """The two editions did not ask the same population and the common one cannot be determined."""


@dataclass(frozen=True)
class Common:
    """The rows of two editions that are compared (boolean masks aligned with each edition's table)."""

    before: pd.Series
    after: pd.Series
    #: True when the routing differed and both editions are restricted to who got the question in both.
    restricted: bool
    #: In words, who got the question in each edition ('' when the routing is the same).
    routing_before: str = ""
    routing_after: str = ""


# --- routing ------------------------------------------------------------------------------------


def effective_conditions(question: Question, codebook: Codebook) -> list[Condition]:
    """The question's routing and, recursively, that of every question the routing rests on."""
    out: list[Condition] = []
    seen: set[str] = set()
    todo = [question]
    while todo:
        q = todo.pop()
        if q.id in seen or q.asked_if is None:
            continue
        seen.add(q.id)
        out.append(q.asked_if)
        todo += [codebook.question(qid) for qid in sorted(condition_questions(q.asked_if)) if qid in codebook]
    return out


def _question_in(history: QuestionHistory, qid: str, year: int, target: int) -> Question:
    """Question ``qid`` of ``year`` as asked (comparably) in ``target``; NotComparable when it was not."""
    source = history.codebooks[year]
    if target == year:
        return source.question(qid)
    if target > year:
        res = history.resolve(qid, target)
        if res.usable and res.question is not None:
            return res.question
    else:
        versions = history.versions(source.question(qid), year)
        if target in versions and not versions[target][1]:
            return versions[target][0]
    raise NotComparable(
        f"de routingvraag ‘{source.question(qid).text}’ is in {target} niet op vergelijkbare wijze gesteld"
    )


def _codes_in(question: Question, codes: Iterable[int], target: Question, target_year: int) -> list[int]:
    """The codes of ``target`` with the same keys as ``codes`` of ``question``."""
    keys = [question.option(c).key for c in codes]
    by_key = {o.key: o.code for o in target.options}
    missing = [question.option(c).label for c, k in zip(codes, keys, strict=True) if k not in by_key]
    if missing:
        raise NotComparable(
            f"het antwoord ‘{missing[0]}’ op de routingvraag ‘{question.text}’ bestaat niet in {target_year}"
        )
    return sorted(by_key[k] for k in keys)


def translate(cond: Condition, history: QuestionHistory, year: int, target: int) -> Condition:
    """A routing condition of ``year``'s codebook in the terms (ids, codes) of ``target``'s."""
    if isinstance(cond, AnswerIn):
        q = history.codebooks[year].question(cond.question)
        t = _question_in(history, cond.question, year, target)
        return AnswerIn(question=t.id, **{"in": _codes_in(q, cond.codes, t, target)})
    if isinstance(cond, Selected):
        q = history.codebooks[year].question(cond.question)
        t = _question_in(history, cond.question, year, target)
        return Selected(question=t.id, selected=_codes_in(q, [cond.selected], t, target)[0])
    if isinstance(cond, AllOf):
        return AllOf(all=[translate(c, history, year, target) for c in cond.all])
    return AnyOf(any=[translate(c, history, year, target) for c in cond.any])


def _canonical(cond: Condition) -> str:
    """An order-free text of a condition, for equality."""
    if isinstance(cond, AnswerIn):
        return json.dumps(["in", cond.question, sorted(cond.codes)])
    if isinstance(cond, Selected):
        return json.dumps(["selected", cond.question, cond.selected])
    kind, parts = ("all", cond.all) if isinstance(cond, AllOf) else ("any", cond.any)
    return json.dumps([kind, sorted(_canonical(c) for c in parts)])


def _mask(conds: list[Condition], df: pd.DataFrame, codebook: Codebook) -> pd.Series:
    out = pd.Series(True, index=df.index, dtype=bool)
    for c in conds:
        out &= evaluate_condition(c, df, codebook)
    return out


def asked_in_both(
    history: QuestionHistory,
    before: tuple[int, Question, pd.DataFrame],
    after: tuple[int, Question, pd.DataFrame],
) -> Common:
    """The rows of each edition that met the routing of both editions (all rows when it did not change)."""
    (y0, q0, d0), (y1, q1, d1) = before, after
    cb0, cb1 = history.codebooks[y0], history.codebooks[y1]
    own0, own1 = effective_conditions(q0, cb0), effective_conditions(q1, cb1)
    own0_in_1 = [translate(c, history, y0, y1) for c in own0]
    if sorted(map(_canonical, own0_in_1)) == sorted(map(_canonical, own1)):
        return Common(pd.Series(True, index=d0.index), pd.Series(True, index=d1.index), False)
    own1_in_0 = [translate(c, history, y1, y0) for c in own1]
    return Common(
        _mask(own0 + own1_in_0, d0, cb0),
        _mask(own1 + own0_in_1, d1, cb1),
        True,
        _describe(own0, cb0),
        _describe(own1, cb1),
    )


def _describe(conds: list[Condition], codebook: Codebook) -> str:
    """Who got the question in words, including the routing of the questions its routing rests on."""
    return describe_routing(None if not conds else conds[0] if len(conds) == 1 else AllOf(all=conds), codebook)


# --- the same municipalities --------------------------------------------------------------------


@cache
def _mergers(year: int) -> pd.DataFrame | None:
    path = paths.REFERENCE_DIR / f"herindelingen_{year}.csv"
    return read_merger_table(path) if path.is_file() else None


def continuing_codes(frame_before: int, frame_after: int) -> dict[str, str] | None:
    """Old code -> new code of every municipality that continues one-to-one from one frame to the other.

    ``None`` means identity (no merger table between the frames: every code continues unchanged).
    """
    mapping: dict[str, str] | None = None
    for year in range(frame_before + 1, frame_after + 1):
        table = _mergers(year)
        if table is None:
            continue
        old_count = table["code_old"].value_counts()
        new_count = table["code_new"].value_counts()
        step = {
            str(o): str(n)
            for o, n in zip(table["code_old"], table["code_new"], strict=True)
            if old_count[o] == 1 and new_count[n] == 1
        }
        mapping = step if mapping is None else {o: step[n] for o, n in mapping.items() if n in step}
    return mapping


@dataclass(frozen=True)
class PanelChange:
    """One share among the municipalities that answered a question in both editions."""

    change: EditionChange
    #: Municipalities in the panel (answered in both editions, within the common population).
    n: int


def _hits(df: pd.DataFrame, q: Question, codes: set[int]) -> pd.Series:
    """True/False per answering row: did it give one of ``codes``."""
    rows = df.loc[answered_mask(df, q)]
    if q.type == "single":
        return rows[q.id].isin([o.label for o in q.options if o.code in codes])
    cols = [f"{q.id}__{c}" for c in sorted(codes)]
    return rows[cols].fillna(False).astype(bool).any(axis=1)


def panel_change(
    before: tuple[int, Question, pd.DataFrame, set[int]],
    after: tuple[int, Question, pd.DataFrame, set[int]],
    codes_map: dict[str, str] | None,
    population: int | None,
) -> PanelChange | None:
    """The change of one share among the municipalities that answered in both editions (None: none did).

    Each side is ``(year, question as asked then, rows compared, codes of the category)``; the rows
    must hold ``gemeentecode``. ``codes_map`` maps the earlier frame's codes to the later's.
    """
    (y0, q0, d0, c0), (y1, q1, d1, c1) = before, after
    h0 = _hits(d0, q0, c0)
    h1 = _hits(d1, q1, c1)
    code0 = d0.loc[h0.index, "gemeentecode"].astype(str)
    if codes_map is not None:
        code0 = code0.map(codes_map)
    left = pd.Series(h0.to_numpy(), index=code0.to_numpy())
    right = pd.Series(h1.to_numpy(), index=d1.loc[h1.index, "gemeentecode"].astype(str).to_numpy())
    left = left[left.index.notna() & ~left.index.duplicated()]
    right = right[~right.index.duplicated()]
    shared = left.index.intersection(right.index)
    n = len(shared)
    if n == 0:
        return None
    both = pd.DataFrame({"y0": left.loc[shared].to_numpy(), "y1": right.loc[shared].to_numpy()})
    a, b = both["y0"].astype(float), both["y1"].astype(float)
    p0, p1 = 100 * float(a.mean()), 100 * float(b.mean())
    diff = (b - a).to_numpy()
    var = float(diff.var(ddof=1)) if n > 1 else math.nan
    se = math.sqrt(var / n * fpc_factor(n, population)) if n > 1 else math.nan
    margin = 0.0 if math.isnan(se) else 100 * Z * se
    change = EditionChange(y0, y1, p0, p1, n, n, margin, printed_direction(p0, p1, margin, 0), False)
    return PanelChange(change, n)
