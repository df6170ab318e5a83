"""A question over the editions: published values of earlier monitors plus every processed year.

Series follow the codebooks' lineage (``survey.lineage``) through every edition: the same key is
the same answer, a reworded question continues its series (``comparable_with``), a split category
continues as the combination of its parts (a trend shows that sum beside the parts, see
:func:`trend_keys`), a merged one as the combination of what it merged; a replaced question
(``replaces``) still shows the earlier years, marked as a break ("Breuk").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from helpers.analysis.frequencies import combined_value, question_indicators
from helpers.analysis.table import Table, number_rows
from helpers.survey.codebook import Question
from helpers.survey.lineage import QuestionHistory, category_keys, continued_categories, current_keys

PUBLISHED = "gepubliceerd"
COMPUTED = "berekend"
PUBLISHED_COLUMNS = ["year", "report_ref", "question", "category", "stat", "value", "n", "decimals", "status"]
#: ``decimals``: the printed precision of a published value (None for a value computed from data).
SERIES_COLUMNS = ["year", "key", "value", "n", "source", "break", "decimals"]


def load_published(years: Iterable[int], directory: str | Path | None = None) -> pd.DataFrame:
    """Concatenate ``monitor_<year>.csv`` of earlier editions (missing files are skipped)."""
    from helpers.paths import PUBLISHED_DIR

    folder = Path(directory) if directory is not None else PUBLISHED_DIR
    parts = [
        pd.read_csv(p, dtype={"category": "string"}, keep_default_na=False, na_values={"value": [""], "n": [""]})
        for y in years
        if (p := folder / f"monitor_{y}.csv").exists()
    ]
    if not parts:
        return pd.DataFrame(columns=PUBLISHED_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    out["n"] = pd.to_numeric(out["n"], errors="coerce")
    return out[out["status"] != "report_error"] if "status" in out.columns else out


def back_keys(history: QuestionHistory, question: Question, year: int, keys: set[str]) -> dict[int, set[str] | None]:
    """Per year with a codebook: the keys of that year's version that make up ``keys`` of this year's."""
    if keys == {""}:  # the question itself (a mean without items, the mean number of answers)
        return {y: {""} for y in history.versions(question, year)}
    out: dict[int, set[str] | None] = {}
    current: set[str] | None = set(keys)
    newer = question
    for y, (older, _) in sorted(history.versions(question, year).items(), reverse=True):
        if y != year:
            current = None if current is None else category_keys(newer, older, current)
            newer = older
        out[y] = current
    return out


def series_keys(history: QuestionHistory, question: Question, year: int, key: str) -> set[str] | None:
    """This year's keys that continue ``key`` (an earlier edition's key of a split option gives its parts)."""
    if key == "" or key in {c.key for c in question.categories}:
        return {key}
    return current_keys(history, question, year, key)


def trend_keys(history: QuestionHistory, question: Question, year: int, keys: Sequence[str]) -> list[str]:
    """``keys`` with every split category beside its parts: the continued sum first, then the parts.

    Asking for a part adds the earlier category it continues (``work_placements`` before
    ``work_placements_municipal``); asking for the earlier category adds its parts.
    """
    out: list[str] = []
    continued = continued_categories(history, question, year) if question.type != "text" else []
    for key in keys:
        group = next(((c.key, *c.parts) for c in continued if key == c.key or key in c.parts), (key,))
        out += [k for k in group if k not in out]
        if key not in out:
            out.append(key)
    return out


def series_label(history: QuestionHistory, question: Question, year: int, key: str) -> str:
    """The label of ``key``: this year's, or the one it had when it last had a number of its own."""
    if key == "":
        return question.text
    for _, (version, _) in sorted(history.versions(question, year).items(), reverse=True):
        for c in version.categories:
            if c.key == key:
                return c.label
    return key


def series(
    history: QuestionHistory,
    question: Question,
    year: int,
    data: Mapping[int, pd.DataFrame],
    published: pd.DataFrame,
    key: str,
    stat: str = "pct",
) -> pd.DataFrame:
    """One category over the editions: ``year, key, value, n, source, break`` (computed beats published).

    ``key`` may be an earlier edition's key: a split category continues as the combination of its parts.
    """
    versions = history.versions(question, year)
    now = series_keys(history, question, year, key)
    if now is None:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    keys_by_year = back_keys(history, question, year, now)
    rows = []
    for y, (q_y, broken) in versions.items():
        keys = keys_by_year.get(y)
        if y not in data or keys is None or q_y.type == "text":
            continue
        value, n = _value(data[y], q_y, keys, stat)
        rows.append((y, key, value, n, COMPUTED, broken, None))
    rows += _published_rows(history, question, year, published, keys_by_year, key, stat, {r[0] for r in rows})
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS).sort_values("year", kind="stable")
    return out.reset_index(drop=True)


def _value(df: pd.DataFrame, q: Question, keys: set[str], stat: str) -> tuple[float, int]:
    if stat == "answers_mean":
        ind = question_indicators(df, q)
        hit = ind[ind["stat"] == stat]
        return float(hit["value"].iloc[0]), int(hit["n"].iloc[0])
    codes = {c for k in keys if k for c in q.category(k).codes}
    return combined_value(df, q, codes, stat)


def _published_rows(history, question, year, published, keys_by_year, key, stat, have) -> list[tuple]:
    if published is None or published.empty:
        return []
    ids = history.predecessor_ids(question, year)
    rows = []
    pub = published[published["question"].isin(ids) & (published["stat"] == stat)]
    decimals = pub["decimals"] if "decimals" in pub.columns else pd.Series([None] * len(pub), index=pub.index)
    for y, qid, label, value, n, dec in zip(
        pub["year"], pub["question"], pub["category"], pub["value"], pub["n"], decimals, strict=True
    ):
        y = int(y)
        if y in have or y >= year:
            continue
        ref_year, ref_q = _version_with(history, qid)
        if ref_q is None:  # an id of an edition without a codebook: its labels are those of the oldest version
            ref_year, (ref_q, _) = next(iter(history.versions(question, year).items()))
        wanted = keys_by_year.get(ref_year)
        match = [c.key for c in ref_q.categories if c.label == str(label)] or ([""] if str(label) == "" else [])
        if wanted is None or not match or {match[0]} != wanted:
            continue
        rows.append(
            (
                y,
                key,
                float(value),
                None if pd.isna(n) else int(n),
                PUBLISHED,
                ids[str(qid)],
                None if pd.isna(dec) else int(dec),
            )
        )
    return rows


def _version_with(history: QuestionHistory, qid: str) -> tuple[int, Question | None]:
    """The earliest codebook year with question ``qid`` (published rows use that version's labels)."""
    for y, cb in history.codebooks.items():
        if qid in cb:
            return y, cb.question(qid)
    return 0, None


def trend_table(
    history: QuestionHistory,
    question: Question,
    year: int,
    data: Mapping[int, pd.DataFrame],
    published: pd.DataFrame,
    keys: Sequence[str],
    *,
    stat: str = "pct",
    report_ref: str = "",
) -> Table:
    """Rows = years, columns = the categories ``keys`` (this year's labels), plus n, source and break.

    A split category is shown beside its parts (:func:`trend_keys`).

    "Breuk" = "ja" marks a year whose question is not comparable with the year before it.
    Indicators: category ``"<year>: <label>"``.
    """
    keys = trend_keys(history, question, year, keys)
    labels = {k: series_label(history, question, year, k) for k in keys}
    frames = [series(history, question, year, data, published, k, stat) for k in keys]
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SERIES_COLUMNS)
    long["category"] = long["key"].map(labels)
    years = sorted(long["year"].unique())
    flags = long.groupby("year")["break"].max().reindex(years).fillna(False).astype(bool).tolist()
    marks = {y: prev and not now for y, prev, now in zip(years[1:], flags[:-1], flags[1:], strict=True)}
    cats = [labels[k] for k in keys]
    wide = long.pivot_table(index="year", columns="category", values="value", aggfunc="first")
    data_out = wide.reindex(index=years, columns=cats)
    data_out.columns = list(cats)
    data_out["n"] = long.groupby("year")["n"].max().reindex(years).astype("Float64")
    data_out["Bron"] = long.groupby("year")["source"].first().reindex(years)
    data_out["Breuk"] = ["ja" if marks.get(y) else "" for y in years]
    data_out.index = pd.Index([str(y) for y in years], name="Jaar")
    fmt = "pct" if stat == "pct" or question.type == "percent" else "num1"
    rows = [
        (f"{y}: {lab}", stat, v, None if pd.isna(n) else int(n))
        for y, lab, v, n in sorted(
            zip(long["year"], long["category"], long["value"], long["n"], strict=True),
            key=lambda r: (r[0], cats.index(r[1])),
        )
    ]
    foot = "Bron: gepubliceerd = waarde uit de eerdere monitor; berekend = opnieuw berekend uit de data."
    if any(marks.values()):
        foot += " Breuk: de vraag is gewijzigd en niet vergelijkbaar met het jaar ervoor."
    return Table(
        data=data_out,
        question=question.id,
        title=question.text,
        n=None,
        base="",
        kind="trend",
        stat=stat,
        report_ref=report_ref,
        footnote=foot,
        formats={c: fmt for c in cats} | {"n": "int", "Bron": "text", "Breuk": "text"},
        indicators=number_rows(rows),
        meta={"long": long, "categories": cats, "breaks": marks},
    )
