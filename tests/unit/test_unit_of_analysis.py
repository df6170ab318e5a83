"""The unit of analysis (``level`` in the codebook) in breakdowns and estimate views: a ``level: respondent``
question counts each respondent once, in the largest size class it answered for."""

from __future__ import annotations

import pytest
from analysis_fixtures import CODEBOOK

from helpers.analysis.estimates import size_class_means, unit_rows
from helpers.analysis.frequencies import answered_mask
from helpers.analysis.size_classes import size_class_table
from helpers.survey.codebook import Codebook


def _codebook(level: str) -> Codebook:
    raw = {**CODEBOOK, "questions": [dict(q) for q in CODEBOOK["questions"]]}
    for q in raw["questions"]:
        if q["id"] in {"n_statushouders", "additional_policy"}:
            q["level"] = level
    return Codebook.model_validate(raw)


def _total_n(table) -> int:
    ind = table.indicators
    return int(ind[ind["category"].str.startswith("Totaal")]["n"].max())


@pytest.mark.parametrize("qid", ["n_statushouders", "additional_policy"])
def test_a_respondent_level_question_counts_respondents(df, qid):
    by_muni, by_resp = _codebook("municipality"), _codebook("respondent")
    answered = df[answered_mask(df, by_muni.question(qid))]
    view = size_class_means if qid == "n_statushouders" else size_class_table
    assert _total_n(view(df, by_muni, qid)) == len(answered)
    assert _total_n(view(df, by_resp, qid)) == answered["respondent_id"].nunique() < len(answered)


def test_unit_rows_keeps_municipalities_unless_the_question_is_per_respondent(df):
    q_muni, q_resp = (_codebook(level).question("n_statushouders") for level in ("municipality", "respondent"))
    assert unit_rows(df, q_muni) is df
    rows = unit_rows(df, q_resp)
    assert rows["respondent_id"].is_unique and set(rows["respondent_id"]) == set(df["respondent_id"])


def test_a_caller_may_still_choose_the_unit_of_a_breakdown(df):
    cb = _codebook("respondent")
    answered = df[answered_mask(df, cb.question("additional_policy"))]
    assert _total_n(size_class_table(df, cb, "additional_policy", level="municipality")) == len(answered)
