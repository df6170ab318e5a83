"""Evaluate routing conditions (``asked_if``) on a table of answers.

Works on two kinds of tables:

* a *codes* table (loader internals, the synthetic generator): single-choice
  columns ``<qid>`` hold option codes (numbers), multi columns ``<qid>__<code>``
  hold 0/1 or booleans;
* the processed tables (CONVENTIONS §3): single-choice columns hold labels, so
  pass the ``codebook`` to translate codes into labels.

A missing answer (skipped, not asked, not reached) never satisfies a condition,
as in Qualtrics display logic.
"""

from __future__ import annotations

import pandas as pd
from pandas.api.types import is_numeric_dtype

from helpers.survey.codebook import AllOf, AnswerIn, Codebook, Condition, Selected


def describe_condition(cond: Condition | None, codebook: Codebook | None = None) -> str:
    """Human-readable Dutch text of a routing condition, for table footnotes."""
    if cond is None:
        return "alle gemeenten"
    if isinstance(cond, AnswerIn):
        if codebook is not None:
            q = codebook.question(cond.question)
            labels = [q.option(c).label for c in cond.codes]
            return f"{q.report_label} = " + " of ".join(f"'{lab}'" for lab in labels)
        return f"{cond.question} in {cond.codes}"
    if isinstance(cond, Selected):
        if codebook is not None:
            q = codebook.question(cond.question)
            return f"{q.report_label}: '{q.option(cond.selected).label}' aangekruist"
        return f"{cond.question} selected {cond.selected}"
    joiner = " en " if isinstance(cond, AllOf) else " of "
    parts = cond.all if isinstance(cond, AllOf) else cond.any
    return "(" + joiner.join(describe_condition(c, codebook) for c in parts) + ")"


def evaluate_condition(cond: Condition | None, df: pd.DataFrame, codebook: Codebook | None = None) -> pd.Series:
    """Boolean Series (no NA, aligned with ``df``): does ``cond`` hold on each row? ``None`` = always."""
    if cond is None:
        return pd.Series(True, index=df.index, dtype=bool)
    if isinstance(cond, AnswerIn):
        return _answer_in(cond, df, codebook)
    if isinstance(cond, Selected):
        col = df[f"{cond.question}__{cond.selected}"]
        return _as_bool(col.astype("Float64") == 1)
    parts = [evaluate_condition(c, df, codebook) for c in (cond.all if isinstance(cond, AllOf) else cond.any)]
    out = pd.Series(isinstance(cond, AllOf), index=df.index, dtype=bool)
    for part in parts:
        out = (out & part) if isinstance(cond, AllOf) else (out | part)
    return out


def _answer_in(cond: AnswerIn, df: pd.DataFrame, codebook: Codebook | None) -> pd.Series:
    col = df[cond.question]
    if is_numeric_dtype(col.dtype) and not isinstance(col.dtype, pd.CategoricalDtype):
        return _as_bool(col.isin(cond.codes))
    if codebook is None:
        raise ValueError(f"column {cond.question!r} holds labels, not codes: pass the codebook to evaluate_condition")
    question = codebook.question(cond.question)
    labels = [question.option(code).label for code in cond.codes]
    return _as_bool(col.astype("object").isin(labels))


def _as_bool(mask: pd.Series) -> pd.Series:
    return mask.astype("boolean").fillna(False).astype(bool)
