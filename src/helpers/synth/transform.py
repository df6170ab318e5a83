"""Derive an example year from an earlier year's export, the way a survey tool changes it.

A next questionnaire is mostly the previous one. With ``derive_from: 2019`` in
``data/raw/2020/synthetic_spec.yaml``, ``monitor example-data --year 2020`` reads the 2019 export
and writes the 2020 export in the layout of the 2020 codebook:

* a column whose ImportId both codebooks have is carried over unchanged: the same respondents
  give the same answers for the same municipalities;
* the spec's steps (:mod:`helpers.synth.spec`) write what changed: an option split in parts, a
  reworded question under a new ImportId, a new answer scale, answers for municipalities that a
  removed routing now asks, answers that moved;
* export names, labels and ImportIds come from the new codebook, so a question that the survey
  tool renumbered keeps its ImportId under a new name, and a dropped question has no column;
* every response gets a new ResponseId and dates in the new fieldwork.

The result is checked before it is written: every column of the new codebook is filled, and
every question is answered exactly where the new routing asks it. Seeded: same inputs, same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import string
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import paths
from helpers.survey.codebook import Codebook, Column, Option, Question, condition_questions, load_codebook
from helpers.survey.export_layout import (
    BOM,
    DATE_FORMAT,
    HEADER_ROWS,
    METADATA,
    header_cells,
    municipality_numbers,
    write_export,
)
from helpers.survey.routing import evaluate_condition
from helpers.synth.spec import (
    AnswerNewlyAsked,
    CarryOver,
    DerivedSpec,
    MoveAnswers,
    Rescale,
    SplitOption,
    TickMore,
    load_derived_spec,
)
from helpers.synth.steps_check import QUESTION_SOURCE_STEPS, check_steps

SPEC_NAME = "synthetic_spec.yaml"
MISSING = "-99"


def make_derived_export(year: int, out_path: Path | None = None) -> Path:
    """Write ``data/raw/<year>/export.csv`` (or ``out_path``) from the ``derive_from`` year's export."""
    spec = load_derived_spec(paths.raw_year_dir(year) / SPEC_NAME)
    new = load_codebook(paths.codebook_path(year))
    old = load_codebook(paths.codebook_path(spec.derive_from))
    frame = pd.read_csv(paths.frame_path(new.frame_year), dtype=str)
    source = read_export_cells(paths.export_path(spec.derive_from))
    table = derive(new, old, spec, source, municipality_numbers(frame))
    cells = header_cells(new, frame)
    rows = pd.DataFrame({c.name: table[c.import_id].to_numpy() for c in cells})
    out = Path(out_path) if out_path else paths.export_path(year)
    return write_export(out, rows, new, frame)


def read_export_cells(path: Path) -> pd.DataFrame:
    """The data rows of a Qualtrics export as strings, one column per ImportId (row 3)."""
    text = path.read_bytes().removeprefix(BOM).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    ids = [json.loads(cell)["ImportId"] for cell in rows[HEADER_ROWS - 1]]
    return pd.DataFrame(rows[HEADER_ROWS:], columns=ids, dtype=object)


class Workspace:
    """The old export, the new one being written (both by ImportId) and how far each response got."""

    def __init__(self, new: Codebook, old: Codebook, spec: DerivedSpec, source: pd.DataFrame, numbers: list[int]):
        self.new, self.old, self.source, self.numbers = new, old, source.reset_index(drop=True), numbers
        self.n = len(self.source)
        self.table: dict[str, np.ndarray] = {}
        self._anchor = _anchor_positions(new, old, spec)
        self._upto = _last_reached(old, self.source, numbers)

    def columns(self, q: Question) -> list[Column]:
        return q.export_columns(self.numbers)

    def cells(self, iid: str) -> np.ndarray:
        return self.table[iid] if iid in self.table else np.full(self.n, "", dtype=object)

    def write(self, iid: str, values: np.ndarray) -> None:
        self.table[iid] = np.asarray(values, dtype=object)

    def reached(self, q: Question) -> np.ndarray:
        """Responses that got as far as ``q`` (complete ones, and incomplete ones that passed it)."""
        return self._upto >= self._anchor[q.id]

    def has_answer(self, q: Question) -> np.ndarray:
        cols = [c for c in self.columns(q) if c.role != "text" or q.type == "text"]
        return np.asarray(np.column_stack([self.cells(c.import_id) != "" for c in cols]).any(axis=1))

    def asked(self, q: Question) -> np.ndarray:
        """Where the new routing shows ``q`` (on the answers written so far)."""
        if q.asked_if is None:
            return np.ones(self.n, dtype=bool)
        codes: dict[str, pd.Series] = {}
        for qid in sorted(condition_questions(q.asked_if)):
            dep = self.new.question(qid)
            for col in self.columns(dep):
                if col.role in ("answer", "option"):
                    name = qid if col.role == "answer" else f"{qid}__{col.code}"
                    codes[name] = pd.to_numeric(pd.Series(self.cells(col.import_id)).replace("", np.nan))
        return evaluate_condition(q.asked_if, pd.DataFrame(codes)).to_numpy()


def derive(new: Codebook, old: Codebook, spec: DerivedSpec, source: pd.DataFrame, numbers: list[int]) -> pd.DataFrame:
    """The new export's cells by ImportId (metadata first), rows in recording order."""
    check_steps(spec, new, old)
    ws = Workspace(new, old, spec, source, numbers)
    wanted = [c.import_id for q in new.all_questions for c in ws.columns(q)]
    for iid in wanted:
        if iid in ws.source.columns:
            ws.write(iid, ws.source[iid].to_numpy(dtype=object))
    for index, step in enumerate(spec.steps, 1):  # each step its own stream: (seed, 1, position)
        STEPS[type(step)](ws, step, np.random.default_rng([spec.seed, 1, index]))
    check_result(ws, wanted)
    meta = new_metadata(ws.source, new, np.random.default_rng([spec.seed, 0]))
    table = pd.concat([meta, pd.DataFrame({iid: ws.table[iid] for iid in wanted}, index=meta.index)], axis=1)
    return table.sort_values(["recordedDate", "_recordId"], kind="stable").reset_index(drop=True)


# --- steps ---------------------------------------------------------------------------------------


def _option(q: Question, key: str) -> Option:
    return next(o for o in q.options if o.key == key)


def _split_option(ws: Workspace, step: SplitOption, rng: np.random.Generator) -> None:
    q, old_q = ws.new.question(step.question), ws.old.question(step.question)
    before = ws.source[f"{old_q.import_id}_{_option(old_q, step.option).code}"].to_numpy(dtype=object)
    weights = np.array([c.share for c in step.combinations])
    choice = rng.choice(len(weights), size=ws.n, p=weights / weights.sum())
    for part in (o for o in q.options if o.split_from == step.option):
        in_choice = np.array([part.key in c.parts for c in step.combinations])[choice]
        ws.write(
            f"{q.import_id}_{part.code}", np.where(before == "", "", np.where((before == "1") & in_choice, "1", "0"))
        )


def _column_key(q: Question, col: Column) -> str | None:
    if col.code is None or (col.role == "item" and not q.items):
        return None
    return next(c.key for c in q.categories if c.kind != "net" and c.codes == (col.code,))


def _carry_over(ws: Workspace, step: CarryOver, rng: np.random.Generator) -> None:
    q, src = ws.new.question(step.question), ws.old.question(step.source)
    old_cols = {(c.role, _column_key(src, c)): c for c in ws.columns(src)}
    recode = {str(o.code): str(_option(q, o.key).code) for o in src.options}
    for col in ws.columns(q):
        values = ws.source[old_cols[(col.role, _column_key(q, col))].import_id].to_numpy(dtype=object)
        if col.role == "answer":
            values = np.array([recode.get(v, v) for v in values], dtype=object)
        ws.write(col.import_id, values)


def _draw_codes(q: Question, shares: dict[str, float], rng: np.random.Generator, n: int) -> np.ndarray:
    keys = list(shares)
    weights = np.array([shares[k] for k in keys], dtype=float)
    codes = np.array([str(_option(q, k).code) for k in keys], dtype=object)
    return codes[rng.choice(len(keys), size=n, p=weights / weights.sum())]


def _rescale(ws: Workspace, step: Rescale, rng: np.random.Generator) -> None:
    q, src = ws.new.question(step.question), ws.old.question(step.source)
    before = ws.source[src.import_id].to_numpy(dtype=object)
    after = before.copy()
    for old_key, shares in step.map.items():
        drawn = _draw_codes(q, shares, rng, ws.n)
        after = np.where(before == str(_option(src, old_key).code), drawn, after)
    ws.write(q.import_id, after)


def _answer_newly_asked(ws: Workspace, step: AnswerNewlyAsked, rng: np.random.Generator) -> None:
    q = ws.new.question(step.question)
    todo = ws.asked(q) & ws.reached(q) & ~ws.has_answer(q)
    skipped = rng.random(ws.n) < step.skipped
    texts = np.array(step.texts or [""], dtype=object)[rng.integers(len(step.texts or [""]), size=ws.n)]
    if q.type == "single":
        codes = np.where(skipped, MISSING, _draw_codes(q, step.shares, rng, ws.n))
        ws.write(q.import_id, np.where(todo, codes, ws.cells(q.import_id)))
        chosen = {o.code: codes == str(o.code) for o in q.options}
    else:
        ticks = _draw_ticks(q, step.ticks, rng, ws.n) & ~skipped[:, None]
        chosen = {o.code: ticks[:, j] for j, o in enumerate(q.options)}
        for o in q.options:
            col = f"{q.import_id}_{o.code}"
            ws.write(col, np.where(todo, np.where(chosen[o.code], "1", "0"), ws.cells(col)))
    for o in (o for o in q.options if o.other_text):
        col = f"{q.import_id}_{o.code}_TEXT"
        ws.write(col, np.where(todo & chosen[o.code], texts, ws.cells(col)))


def _draw_ticks(q: Question, probs: dict[str, float], rng: np.random.Generator, n: int) -> np.ndarray:
    """Independent ticks by option probability; a row without any tick gets one, drawn by the same weights."""
    p = np.array([probs.get(o.key, 0.0) for o in q.options])
    ticks = rng.random((n, len(p))) < p
    one = rng.choice(len(p), size=n, p=p / p.sum())
    empty = ~ticks.any(axis=1)
    ticks[empty, one[empty]] = True
    for j, o in enumerate(q.options):
        if o.exclusive:  # an exclusive option stands alone
            ticks[ticks[:, j]] = np.arange(len(p)) == j
    return ticks


def _move_answers(ws: Workspace, step: MoveAnswers, rng: np.random.Generator) -> None:
    q = ws.new.question(step.question)
    before = ws.cells(q.import_id)
    source, target = _option(q, step.source), _option(q, step.to)
    moved = (before == str(source.code)) & (rng.random(ws.n) < step.share)
    ws.write(q.import_id, np.where(moved, str(target.code), before))
    if source.other_text:
        col = f"{q.import_id}_{source.code}_TEXT"
        ws.write(col, np.where(moved, "", ws.cells(col)))


def _tick_more(ws: Workspace, step: TickMore, rng: np.random.Generator) -> None:
    q = ws.new.question(step.question)
    ticked = np.column_stack([ws.cells(f"{q.import_id}_{o.code}") == "1" for o in q.options])
    exclusive = ticked[:, [o.exclusive for o in q.options]].any(axis=1)
    room = ticked.sum(axis=1) < (q.max_answers or len(q.options))
    col = f"{q.import_id}_{_option(q, step.option).code}"
    eligible = ticked.any(axis=1) & ~exclusive & room & (ws.cells(col) == "0")
    ws.write(col, np.where(eligible & (rng.random(ws.n) < step.share), "1", ws.cells(col)))


#: One writer per step type; :data:`helpers.synth.steps_check.CHECKS` has the same keys (a test holds them equal).
STEPS: dict[type, Callable[..., None]] = {
    SplitOption: _split_option,
    CarryOver: _carry_over,
    Rescale: _rescale,
    AnswerNewlyAsked: _answer_newly_asked,
    MoveAnswers: _move_answers,
    TickMore: _tick_more,
}


# --- progress, checks and metadata ------------------------------------------------------------------


def _sources(spec: DerivedSpec) -> dict[str, str]:
    return {s.question: s.source for s in spec.steps if isinstance(s, QUESTION_SOURCE_STEPS)}


def _anchor_positions(new: Codebook, old: Codebook, spec: DerivedSpec) -> dict[str, float]:
    """Position in the old questionnaire that a response must have reached to have seen each new question."""
    old_pos = {q.id: float(i) for i, q in enumerate(old.all_questions)}
    sources, out, last = _sources(spec), {}, 0.0
    for q in new.all_questions:
        src = q.id if q.id in old_pos else sources.get(q.id)
        if src in old_pos:
            last = old_pos[src]
            out[q.id] = last
        else:  # a new question: seen by whoever got past the question before it
            out[q.id] = last + 0.5
    return out


def _last_reached(old: Codebook, source: pd.DataFrame, numbers: list[int]) -> np.ndarray:
    """Per response: the last old question with an answer cell (infinite for finished responses)."""
    upto = np.zeros(len(source))
    for pos, q in enumerate(old.all_questions):
        cols = [c.import_id for c in q.export_columns(numbers) if c.import_id in source.columns]
        if cols:
            filled = (source[cols].to_numpy(dtype=object) != "").any(axis=1)
            upto = np.where(filled, float(pos), upto)
    return np.where(source["finished"].to_numpy(dtype=object) == "1", np.inf, upto)


def check_result(ws: Workspace, wanted: list[str]) -> None:
    """Every column written, and every question answered exactly where the new routing asks it."""
    problems = [f"column {iid}: no step writes it (new in {ws.new.year}?)" for iid in wanted if iid not in ws.table]
    if not problems:
        for q in ws.new.all_questions:
            if q.type == "municipality":
                continue
            reached, asked, has = ws.reached(q), ws.asked(q), ws.has_answer(q)
            extra = int((reached & ~asked & has).sum())
            missing = int((reached & asked & ~has).sum()) if q.type != "text" else 0
            if extra or missing:
                problems.append(
                    f"{q.id}: {extra} response(s) answer although the {ws.new.year} routing does not ask them, "
                    f"{missing} are asked and have no answer: add or change a step"
                )
    if problems:
        raise ValueError("the derived export is inconsistent:\n  " + "\n  ".join(problems))


def new_metadata(source: pd.DataFrame, cb: Codebook, rng: np.random.Generator) -> pd.DataFrame:
    """Metadata by ImportId: new ResponseIds, start times redrawn in the new fieldwork (same order, durations)."""
    start = pd.to_datetime(source["startDate"], format=DATE_FORMAT)
    end = pd.to_datetime(source["endDate"], format=DATE_FORMAT) - start
    recorded = pd.to_datetime(source["recordedDate"], format=DATE_FORMAT) - start
    first = datetime.fromisoformat(cb.fieldwork[0]).replace(hour=8)
    span = (datetime.fromisoformat(cb.fieldwork[1]).replace(hour=17) - first).total_seconds()
    offsets = np.sort(rng.uniform(0, span * 0.97, size=len(source)))
    rank = np.argsort(np.argsort(start.to_numpy(), kind="stable"), kind="stable")
    new_start = pd.Series([first + timedelta(seconds=int(offsets[r])) for r in rank], index=source.index)
    meta = source[[m.import_id for m in METADATA]].copy()
    meta["startDate"] = new_start.dt.strftime(DATE_FORMAT)
    meta["endDate"] = (new_start + end).dt.strftime(DATE_FORMAT)
    meta["recordedDate"] = (new_start + recorded).dt.strftime(DATE_FORMAT)
    meta["_recordId"] = _response_ids(rng, len(source))
    return meta


def _response_ids(rng: np.random.Generator, count: int) -> list[str]:
    alphabet = np.array(list(string.ascii_letters + string.digits))
    ids: list[str] = []
    while len(ids) < count:
        rid = "R_" + "".join(alphabet[rng.integers(len(alphabet), size=15)])
        if rid not in ids:
            ids.append(rid)
    return ids
