"""The reproduction tables record each cell under its column, so two columns of a row that print the same value
are two numbers the HTML can tell apart."""

from __future__ import annotations

import pandas as pd

from helpers import paths
from helpers.report.conclusions import FROM_DATA, PRINTED, PRINTED_WRONG, REPRODUCED, report_errors, reproduction_table
from helpers.report.registry import indicator_frame

PUBLISHED = paths.PUBLISHED_DIR / "monitor_2018.csv"


def _shown(rows: list[tuple[str, str, str, float, int]]) -> pd.DataFrame:
    keys = ("question", "category", "stat", "value", "n")
    return indicator_frame([dict(zip(keys, r, strict=True)) | {"build_ref": "Tabel 2.1", "chapter": 2} for r in rows])


def test_each_reproduction_cell_is_a_number_of_its_own_column() -> None:
    table = reproduction_table(_shown([]), PUBLISHED, 2018)
    ind = table.indicators
    first = str(table.data.index[0])
    assert ind[ind["category"] == f"{PRINTED}: {first}"]["value"].tolist() == [float(table.data[PRINTED].iloc[0])]
    assert ind[ind["category"] == f"{REPRODUCED}: {first}"]["value"].tolist() == [0.0]  # nothing shown
    assert len(ind) == 2 * len(table.data) and ind["n"].isna().all()  # no base: the caption stays as it was


def test_a_wrongly_printed_number_and_the_datas_value_are_recorded_by_column() -> None:
    shown = _shown([("municipalities", "Middelgroot/klein (alle gemeenten)", "count", 336.0, 0)])
    table = report_errors(shown, PUBLISHED, 2018)
    assert table is not None
    ind = table.indicators.set_index(["category", "stat"])["value"]
    assert ind[(f"{PRINTED_WRONG}: Tabel 1", "count")] == 337.0
    assert ind[(f"{FROM_DATA}: Tabel 1", "count")] == 336.0
    assert (f"{FROM_DATA}: Tekst 1.1", "pct") not in ind.index  # no chapter showed it: nothing recorded
