"""The seeded generator of the synthetic example export.

``make example-data`` (``monitor example-data --year 2018``) runs
:func:`make_example_export`: it draws the responding municipalities and their
respondents, answers every question of the codebook so that every figure of the
published report is reproduced, adds a few incomplete and preview responses, and
writes a Qualtrics-style CSV. Same inputs and seed, same bytes. A year whose spec says
``derive_from`` is made by transforming that year's export instead (``synth.transform``).
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import paths
from helpers.survey.codebook import AnswerIn, Codebook, Question, load_codebook
from helpers.synth import answers as ans
from helpers.synth.clusters import Cluster, centroids, draw_respondents
from helpers.synth.spec import SynthSpec, is_derived, load_spec
from helpers.synth.targets import carry_targets, printed_for, read_published
from helpers.synth.transform import make_derived_export

SPEC_NAME = "synthetic_spec.yaml"


def published_path(year: int) -> Path:
    return paths.PUBLISHED_DIR / f"monitor_{year}.csv"


def make_example_export(year: int, out_path: Path | None = None) -> Path:
    """Generate ``data/raw/<year>/export.csv`` (or ``out_path``) from codebook, frame, published figures and spec.

    A spec with ``derive_from`` makes the year by transforming that year's export instead
    (:func:`helpers.synth.transform.make_derived_export`).
    """
    from helpers.survey.export_layout import write_export

    if is_derived(paths.raw_year_dir(year) / SPEC_NAME):
        return make_derived_export(year, out_path)
    cb = load_codebook(paths.codebook_path(year))
    spec = load_spec(paths.raw_year_dir(year) / SPEC_NAME)
    frame = pd.read_csv(paths.frame_path(cb.frame_year), dtype=str)
    published = targets_for(cb, spec)
    rows = generate_rows(cb, spec, frame, published, paths.polygons_path(cb.frame_year))
    out = Path(out_path) if out_path else paths.export_path(year)
    write_export(out, rows, cb, frame)
    return out


def targets_for(cb: Codebook, spec: SynthSpec) -> pd.DataFrame:
    """The published numbers to reproduce: the year's own, or another year's (``targets_from``)."""
    if spec.targets_from is None:
        return read_published(published_path(cb.year), cb.year)
    source = load_codebook(paths.codebook_path(spec.targets_from))
    return carry_targets(read_published(published_path(spec.targets_from), spec.targets_from), source, cb)


def generate_rows(
    cb: Codebook, spec: SynthSpec, frame: pd.DataFrame, published: pd.DataFrame, polygons: Path
) -> pd.DataFrame:
    """All export rows (metadata + answer columns, as strings) in recording order."""
    check_spec(spec, cb)
    rng = np.random.default_rng(spec.seed)
    clusters = draw_respondents(
        frame, centroids(polygons), spec.represented, spec.respondents, spec.max_cluster_size, rng
    )
    answers = answer_all(cb, spec, clusters, published, rng)
    complete = _export_cells(cb, frame, clusters, answers, range(len(clusters)))
    meta = _metadata(cb, spec, len(clusters), rng)
    table = pd.concat([meta, complete], axis=1)
    extra = _extra_rows(cb, spec, frame, clusters, answers, rng)
    table = pd.concat([table, extra], ignore_index=True)
    return table.sort_values(["RecordedDate", "ResponseId"], kind="stable").reset_index(drop=True)


def check_spec(spec: SynthSpec, cb: Codebook) -> None:
    """Every question and label the spec names exists in the codebook."""
    problems = []
    for qid, qs in spec.questions.items():
        if qid not in cb:
            problems.append(f"unknown question {qid!r}")
            continue
        q = cb.question(qid)
        known = {o.label for o in q.options} | {n.label for n in q.nets} | {i.label for i in q.items} | {""}
        named = set(qs.shares) | set(qs.split) | set(qs.tilt) | set(qs.items)
        named |= {lab for parts in qs.split.values() for lab in parts}
        problems += [f"{qid}: unknown label {lab!r}" for lab in sorted(named - known)]
    if problems:
        raise ValueError("synthetic spec does not match the codebook:\n  " + "\n  ".join(problems))


def answer_all(
    cb: Codebook, spec: SynthSpec, clusters: list[Cluster], published: pd.DataFrame, rng: np.random.Generator
) -> dict[str, ans.Answer]:
    """Answers to every question, in questionnaire order (routing sees earlier answers)."""
    weights = np.array([c.weight for c in clusters])
    classes = np.array([c.lead_class for c in clusters])
    questions = {q.id: q for q in cb.all_questions}
    out: dict[str, ans.Answer] = {}
    for q in cb.all_questions:
        if q.type == "municipality":
            continue
        qspec = spec.for_question(q.id)
        pop = ans.Population(
            weights=np.ones(len(clusters), dtype=int) if q.level == "respondent" else weights,
            classes=classes,
            rng=rng,
        )
        printed, n = printed_for(published, q.id)
        eligible = ans.holds(q.asked_if, out, questions, pop.size)
        status = ans.split_status(pop, eligible, n, qspec, q.id)
        if q.type == "single":
            out[q.id] = ans.single(q, pop, status, printed, qspec, _routed_needs(cb, spec, published, q))
        elif q.type == "multi":
            out[q.id] = ans.multi(q, pop, status, printed, qspec)
        elif q.type in {"percent", "count"}:
            out[q.id] = ans.numeric(q, pop, status, printed, qspec)
        else:
            out[q.id] = ans.text(q, pop, status, qspec)
    return out


def _routed_needs(cb: Codebook, spec: SynthSpec, published: pd.DataFrame, q: Question) -> list[tuple[list[int], int]]:
    """Later questions routed on ``q`` whose printed base fixes how many municipalities chose those codes."""
    needs = []
    for later in cb.all_questions:
        cond = later.asked_if
        if isinstance(cond, AnswerIn) and cond.question == q.id:
            _, n = printed_for(published, later.id)
            if n is not None:
                needs.append((list(cond.codes), n + spec.for_question(later.id).skipped))
    return needs


# --- export cells ------------------------------------------------------------------


def _export_cells(
    cb: Codebook, frame: pd.DataFrame, clusters: list[Cluster], answers: dict[str, ans.Answer], rows, upto: int = 10**9
) -> pd.DataFrame:
    """Answer columns as strings for the given respondent rows; questions after ``upto`` stay empty."""
    numbers = sorted(int(c[2:]) for c in frame["gemeentecode"])
    cols: dict[str, list[str]] = {}
    rows = list(rows)
    for pos, q in enumerate(cb.all_questions):
        for col in q.export_columns(numbers):
            cols[col.name] = [_cell(q, col, answers, clusters, r) if pos <= upto else "" for r in rows]
    return pd.DataFrame(cols)


def _cell(q: Question, col, answers: dict[str, ans.Answer], clusters: list[Cluster], r: int) -> str:
    if q.type == "municipality":
        return "1" if f"GM{col.code:04d}" in clusters[r].codes else "0"
    a = answers[q.id]
    status = a.status[r]
    if status == ans.NOT_ASKED:
        return ""
    if col.role == "text":
        if status != ans.ANSWERED:
            return ""
        return a.texts.get(col.code if col.code is not None else 0, [""] * (r + 1))[r]
    if status == ans.SKIPPED:
        return "0" if col.role == "option" else "-99"
    if col.role == "answer":
        assert a.codes is not None
        return str(int(a.codes[r]))
    if col.role == "option":
        assert a.ticks is not None
        j = [o.code for o in q.options].index(col.code)
        return "1" if a.ticks[r, j] else "0"
    value = a.values[col.code if col.code is not None else 0][r]
    return _number(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


# --- metadata and extra rows --------------------------------------------------------

_AMS = "%Y-%m-%d %H:%M:%S"


def _metadata(
    cb: Codebook,
    spec: SynthSpec,
    count: int,
    rng: np.random.Generator,
    status: int = 0,
    progress: int = 100,
    channel: str = "anonymous",
) -> pd.DataFrame:
    start0 = datetime.fromisoformat(cb.fieldwork[0]).replace(hour=8)
    end0 = datetime.fromisoformat(cb.fieldwork[1]).replace(hour=17)
    span = (end0 - start0).total_seconds()
    starts = sorted(start0 + timedelta(seconds=float(s)) for s in rng.uniform(0, span * 0.97, size=count))
    durations = np.round(rng.lognormal(np.log(spec.duration_median_s), 0.5, size=count)).astype(int)
    rows = []
    for start, dur in zip(starts, durations, strict=True):
        end = start + timedelta(seconds=int(dur))
        recorded = end + timedelta(seconds=1) if progress == 100 else end + timedelta(days=7)
        rows.append(
            {
                "StartDate": start.strftime(_AMS),
                "EndDate": end.strftime(_AMS),
                "Status": str(status),
                "IPAddress": "",
                "Progress": str(progress),
                "Duration (in seconds)": str(int(dur)),
                "Finished": "1" if progress == 100 else "0",
                "RecordedDate": recorded.strftime(_AMS),
                "ResponseId": _response_id(rng),
                "RecipientLastName": "",
                "RecipientFirstName": "",
                "RecipientEmail": "",
                "ExternalReference": "",
                "LocationLatitude": "",
                "LocationLongitude": "",
                "DistributionChannel": channel,
                "UserLanguage": "NL",
            }
        )
    return pd.DataFrame(rows)


def _response_id(rng: np.random.Generator) -> str:
    alphabet = string.ascii_letters + string.digits
    return "R_" + "".join(alphabet[i] for i in rng.integers(len(alphabet), size=15))


def _extra_rows(
    cb: Codebook,
    spec: SynthSpec,
    frame: pd.DataFrame,
    clusters: list[Cluster],
    answers: dict[str, ans.Answer],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Incomplete responses (stopped half-way) and preview responses that the loader must drop."""
    parts = []
    n_q = len(cb.all_questions)
    for kind, count in (("incomplete", spec.extra_rows.incomplete), ("preview", spec.extra_rows.preview)):
        for _ in range(count):
            donor = int(rng.integers(len(clusters)))
            if kind == "incomplete":
                upto = int(rng.integers(2, n_q // 2))
                meta = _metadata(cb, spec, 1, rng, progress=int(100 * upto / n_q))
            else:
                upto = n_q
                meta = _metadata(cb, spec, 1, rng, status=1, channel="preview")
            cells = _export_cells(cb, frame, clusters, answers, [donor], upto=upto)
            parts.append(pd.concat([meta, cells], axis=1))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
