"""A question over the editions: published values of earlier monitors plus every processed year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.analysis.frequencies import question_indicators
from helpers.analysis.table import Table, number_rows
from helpers.survey.codebook import Codebook, Question
from helpers.survey.lineage import label_map

PUBLISHED = "gepubliceerd"
COMPUTED = "berekend"


# --- trends -------------------------------------------------------------------------

PUBLISHED_COLUMNS = ["year", "report_ref", "question", "category", "stat", "value", "n", "decimals", "status"]


def load_published(years: Iterable[int] = (2016, 2017), directory: str | Path | None = None) -> pd.DataFrame:
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
    return out


def _links(q: Question, year: int, field: str = "comparable_with") -> set[str]:
    """Ids in ``comparable_with`` (or ``replaces``) that apply to ``year`` (``id`` or ``"<year>:id"``)."""
    out = set()
    for entry in getattr(q, field):
        head, sep, rest = entry.partition(":")
        if not sep:
            out.add(entry)
        elif head.strip() == str(year):
            out.add(rest.strip())
    return out


def _year_question(cb: Codebook, qid: str, latest: Question) -> Question | None:
    if qid in cb:
        return cb.question(qid)
    for cand in sorted(_links(latest, cb.year) | _links(latest, cb.year, "replaces")):
        if cand in cb:
            return cb.question(cand)
    return None


def _trend_labels(q: Question, latest: Question) -> dict[str, str]:
    """Labels of ``q`` renamed to ``latest``'s (same code = same answer); none across a ``replaces`` break."""
    if q is latest or (q.id != latest.id and q.id not in {e.partition(":")[2] or e for e in latest.comparable_with}):
        return {}
    return {old: new for old, new in label_map(q, latest).items() if old != new}


def trend_table(
    qid: str,
    processed: Mapping[int, tuple[pd.DataFrame, Codebook]],
    published: pd.DataFrame | None = None,
    categories: Sequence[str] | None = None,
    *,
    stat: str = "pct",
    report_ref: str = "",
) -> Table:
    """One question over the years: rows = years, columns = categories, plus n, source and break.

    Values of earlier editions come from ``published`` (``question`` = the current id,
    ``status`` ``report_error`` ignored; source "gepubliceerd"); every processed year is
    recomputed with ``question_indicators`` (source "berekend", preferred over a published
    value of the same year). Question ids are stable across years, so the same id means
    the same question (published rows of earlier editions use the current id); an option
    renamed under the same code keeps its series (earlier labels are shown under the
    current one, also in published rows of a question id some processed year has). A year is
    marked as a break ("Breuk" = "ja") when its question has a different id than the
    previous year's and no ``comparable_with`` entry links them: entries are question ids
    (``"policy_2017"``) or year-qualified (``"2017:policy_2017"``). A question that
    ``replaces`` an earlier, non-comparable one still shows the earlier years, with a break.
    """
    if not processed:
        raise ValueError("trend_table needs at least one processed year")
    years_proc = sorted(processed)
    latest_cb = processed[years_proc[-1]][1]
    latest = latest_cb.question(qid)
    long: list[dict[str, Any]] = []
    year_q: dict[int, Question] = {}
    for y in years_proc:
        df, cb = processed[y]
        q = latest if y == years_proc[-1] else _year_question(cb, qid, latest)
        if q is None:
            continue
        year_q[y] = q
        ind = question_indicators(df, q)
        ind = ind[ind["stat"] == stat]
        names = _trend_labels(q, latest)
        for cat, val, n in zip(ind["category"], ind["value"], ind["n"], strict=True):
            long.append({"year": y, "category": names.get(cat, cat), "value": float(val), "n": n, "source": COMPUTED})
    if published is not None and len(published):
        linked = {qid} | {e.partition(":")[2] or e for e in (*latest.comparable_with, *latest.replaces)}
        pub = published[published["question"].isin(linked) & (published["stat"] == stat)]
        if "status" in pub.columns:
            pub = pub[pub["status"] != "report_error"]
        pub_names = {q.id: _trend_labels(q, latest) for q in reversed(list(year_q.values()))}
        for y, pq, cat, val, n in zip(
            pub["year"], pub["question"], pub["category"], pub["value"], pub["n"], strict=True
        ):
            if int(y) in year_q:
                continue
            long.append(
                {
                    "year": int(y),
                    "category": pub_names.get(str(pq), {}).get(str(cat), str(cat)),
                    "value": float(val),
                    "n": None if pd.isna(n) else int(n),
                    "source": PUBLISHED,
                }
            )
    frame = pd.DataFrame(long, columns=["year", "category", "value", "n", "source"])
    pub_ids = {}
    if published is not None and len(published):
        for y, qq in zip(pub["year"], pub["question"], strict=True):
            pub_ids.setdefault(int(y), set()).add(str(qq))
    if categories is None:
        cats = list(dict.fromkeys(frame.loc[frame["year"] == years_proc[-1], "category"]))
    else:
        cats = list(categories)
    frame = frame[frame["category"].isin(cats)].drop_duplicates(["year", "category"])
    years = sorted(frame["year"].unique())
    breaks: dict[int, bool] = {}
    for prev, y in pairwise(years):
        q = year_q.get(y)
        if q is not None:
            prev_q = year_q.get(prev)
            prev_ids = {prev_q.id} if prev_q is not None else set(pub_ids.get(prev, {qid}))
            breaks[y] = q.id not in prev_ids and not prev_ids & _links(q, prev)
    frame["break"] = frame["year"].map(lambda y: breaks.get(y, False))
    wide = frame.pivot(index="year", columns="category", values="value").reindex(index=years, columns=cats)
    n_year = frame.groupby("year")["n"].max().reindex(years)
    src = frame.groupby("year")["source"].first().reindex(years)
    data = wide.copy()
    data.columns = list(cats)
    data["n"] = n_year.astype("Float64")
    data["Bron"] = src
    data["Breuk"] = ["ja" if breaks.get(y, False) else "" for y in years]
    data.index = pd.Index([str(y) for y in years], name="Jaar")
    fmt = "pct" if stat == "pct" or latest.type == "percent" else "num1"
    formats = {c: fmt for c in cats} | {"n": "int", "Bron": "text", "Breuk": "text"}
    rows = [
        (f"{y}: {c}", stat, v, None if pd.isna(n) else int(n))
        for y, c, v, n in zip(frame["year"], frame["category"], frame["value"], frame["n"], strict=True)
    ]
    foot = "Bron: gepubliceerd = waarde uit de eerdere monitor; berekend = opnieuw berekend uit de data."
    if any(breaks.values()):
        foot += " Breuk: de vraag is gewijzigd en niet vergelijkbaar met het jaar ervoor."
    ordered_rows = sorted(rows, key=lambda r: (int(r[0].split(":")[0]), cats.index(r[0].split(": ", 1)[1])))
    return Table(
        data=data,
        question=qid,
        title=latest.text,
        n=None,
        base="",
        kind="trend",
        stat=stat,
        report_ref=report_ref,
        footnote=foot,
        formats=formats,
        indicators=number_rows(ordered_rows),
        meta={"long": frame.reset_index(drop=True), "categories": cats, "breaks": breaks},
    )
