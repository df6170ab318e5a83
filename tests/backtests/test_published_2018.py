"""Backtest: every number published in the 2018 report is reproduced from municipalities.parquet.

The published numbers (data/raw/published/monitor_2018.csv) are the specification: same
question, same base n, same categories, half-up rounding to the printed precision.
"""

import pytest

from helpers.survey.formatting import round_half_up

from .conftest import published_rows
from .recompute import recompute


def _row_id(r) -> str:
    return f"{r.report_ref}|{r.question}|{r.category}|{r.stat}"


@pytest.mark.parametrize("row", published_rows("check"), ids=_row_id)
def test_published_number_is_reproduced(row, processed_2018):
    value, n = recompute(row, processed_2018)
    assert round_half_up(value, int(row.decimals)) == row.value, f"{value:.3f} does not print as {row.value}"
    if row.n == row.n:  # printed n
        assert n == row.n, f"base n={n}, published n={int(row.n)}"


@pytest.mark.parametrize("row", published_rows("report_error"), ids=lambda r: f"{r.report_ref}|{r.category}")
def test_report_errors_are_documented_not_reproduced(row, processed_2018):
    """Numbers the report itself gets wrong (e.g. 75% vs 72%) differ from what the data gives."""
    value, _ = recompute(row, processed_2018)
    assert round_half_up(value, int(row.decimals)) != row.value
    assert row.note, "a report_error row must say what is wrong"


def test_backtest_covers_every_report_figure_and_table(processed_2018):
    """Each figure/table label of the codebook has at least one published number checked."""
    refs = {r for q in processed_2018["codebook"].all_questions for r in q.report_refs}
    checked = {r.report_ref for r in published_rows("check")}
    missing = sorted(r for r in refs if r.split()[0] in {"Figuur", "Tabel"} and r not in checked)
    assert not missing, f"figures/tables without a backtested number: {missing}"
