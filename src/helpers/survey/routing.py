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


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


def describe_routing(
    cond: Condition | None, codebook: Codebook, *, style: str = "text", unit: str = "gemeenten"
) -> str:
    """A routing condition in Dutch, the one renderer for every place that shows routing.

    ``style="text"`` (report, footnotes, questionnaire changes): "gemeenten die op ‘Is er … beleid …?’
    ‘Ja’ of ‘Is in ontwikkeling’ antwoordden"; ``style="export"`` (loader messages, in the terms of
    the export file): "Q3 = 1 of 4 ('Ja' of 'Is in ontwikkeling')". ``None`` is "alle <unit>".
    """
    if cond is None:
        return f"alle {unit}"
    if isinstance(cond, (AnswerIn, Selected)):
        q = codebook.question(cond.question)
        codes = cond.codes if isinstance(cond, AnswerIn) else [cond.selected]
        labels = [q.option(c).label for c in codes]
        if style == "export":
            if isinstance(cond, Selected):
                return f"{q.export_name}_{cond.selected} aangekruist ('{labels[0]}')"
            quoted = " of ".join(f"'{lab}'" for lab in labels)
            return f"{q.export_name} = {' of '.join(map(str, codes))} ({quoted})"
        verb = "aankruisten" if isinstance(cond, Selected) else "antwoordden"
        quoted = " of ".join(f"‘{lab}’" for lab in labels)
        return f"{unit} die op ‘{_short(q.text)}’ {quoted} {verb}"
    parts = cond.all if isinstance(cond, AllOf) else cond.any
    joiner = " en " if isinstance(cond, AllOf) else " of "
    inner = joiner.join(describe_routing(c, codebook, style=style, unit=unit) for c in parts)
    return f"({inner})" if style == "export" else inner


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
