"""Municipality-level answers of an earlier year on a later year's municipalities.

Comparing a municipality's answers across years needs one set of codes: a 2018 table is
mapped to the 2019 codes with the merger table (``herindelingen_2019.csv``, read by
:func:`helpers.survey.frame.read_merger_table`). Several old municipalities that merged
become one row; a split municipality (Winsum, 2019) counts for each part with its
population share (``aandeel``).
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

COVERAGE = "dekking"


def to_new_codes(
    table: pd.DataFrame,
    mergers: pd.DataFrame,
    population: pd.Series,
    value_columns: list[str] | None = None,
    *,
    code_column: str = "gemeentecode",
    how: Literal["mean", "sum"] = "mean",
) -> pd.DataFrame:
    """``table`` (one row per old code) as one row per new code.

    ``population``: inhabitants per old code (e.g. the ``inwoners`` of ``gemeenten_2018.csv``
    indexed by ``gemeentecode``). Each old row goes to its new code(s) with weight
    ``inwoners × aandeel``. ``how="mean"``: the population-weighted mean of the old rows that
    have a value (shares, 0/1 answers, estimates); ``how="sum"``: the sum of ``value × aandeel``
    (counts). Column ``dekking``: the share of the new municipality's population (over all its
    old parts) that the old rows in ``table`` cover. Old codes missing from the merger table
    raise ``KeyError``.
    """
    values = value_columns or [c for c in table.columns if c != code_column]
    links = mergers[["code_old", "code_new", "aandeel"]]
    unknown = sorted(set(table[code_column]) - set(links["code_old"]))
    if unknown:
        raise KeyError(f"codes not in the merger table: {unknown[:10]}")
    links = links.assign(weight=links["code_old"].map(population).astype(float) * links["aandeel"].astype(float))
    if links.loc[links["code_old"].isin(table[code_column]), "weight"].isna().any():
        raise KeyError("population missing for some old codes")
    total = links.groupby("code_new")["weight"].sum()
    joined = table[[code_column, *values]].merge(links, left_on=code_column, right_on="code_old")
    rows = {}
    for new, group in joined.groupby("code_new", sort=True):
        row = {}
        for col in values:
            x = pd.to_numeric(group[col], errors="coerce").astype(float)
            has = x.notna()
            if how == "sum":
                row[col] = (
                    float((x[has] * group.loc[has, "aandeel"].astype(float)).sum()) if has.any() else float("nan")
                )
            else:
                w = group.loc[has, "weight"]
                row[col] = float((x[has] * w).sum() / w.sum()) if has.any() and w.sum() > 0 else float("nan")
        row[COVERAGE] = float(group["weight"].sum() / total[new])
        rows[new] = row
    out = pd.DataFrame.from_dict(rows, orient="index", columns=[*values, COVERAGE])
    return out.rename_axis(code_column).reset_index()
