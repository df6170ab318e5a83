"""Plausibility of numeric answers beyond their range: a percent column written as fractions.

A percentage answered as 0.1 for 10% lies inside 0–100 and would pass every range check while every
number in the report is a hundred times too small. A column of a percent question (without
``scale: fraction``) whose answers all lie between 0 and 1 with at least one that is not a whole
number is therefore refused as fractions. Its cells are marked invalid, so the constant-sum check
stays quiet about the same values.
"""

from __future__ import annotations

import pandas as pd

from helpers.load.cells import Cell, Converted
from helpers.load.problems import ProblemLog

#: Values shown in the message (the full column is in the export).
VALUES_SHOWN = 5


def check_fractions(conv: Converted, log: ProblemLog) -> None:
    """Log one problem per percent column that holds fractions instead of percentages."""
    for target, cell in conv.cells.items():
        if cell.column.role != "item" or cell.question.type != "percent" or cell.question.fractions:
            continue
        values = _valid_values(conv, target, cell)
        if values.empty or not values.between(0, 1).all() or (values % 1 == 0).all():
            continue
        _log_fractions(conv, cell, values, log)
        conv.invalid.update((int(line), cell.column.import_id) for line in values.index)


def _valid_values(conv: Converted, target: str, cell: Cell) -> pd.Series:
    values = conv.codes[target].dropna()
    keep = [(line, cell.column.import_id) not in conv.invalid for line in values.index]
    return values[keep].astype(float)


def _log_fractions(conv: Converted, cell: Cell, values: pd.Series, log: ProblemLog) -> None:
    iid = cell.column.import_id
    first = values.index[values % 1 != 0][0]
    shown = ", ".join(str(conv.raw.at[line, iid]).strip() for line in values.index[:VALUES_SHOWN])
    n = len(values)
    found = (
        "het enige antwoord in deze kolom ligt tussen 0 en 1 en is geen geheel getal"
        if n == 1
        else f"alle {n} antwoorden in deze kolom liggen tussen 0 en 1, niet alle zijn gehele getallen"
    )
    log.error(
        "fractions_not_percent",
        f"De antwoorden lijken fracties (0.1 voor 10%), geen percentages: {found} (percentagevraag "
        f"{cell.question.id}).",
        line=int(first),
        column=cell.file_name,
        import_id=iid,
        value=shown + (" …" if len(values) > VALUES_SHOWN else ""),
        expected="percentages 0–100 (10 voor 10%)",
        action="Exporteer de antwoorden als percentages (10 voor 10%); schrijft de vragenlijst bewust fracties, "
        "zet dan scale: fraction bij de vraag in codebook.yaml (de monitor rekent ze dan om naar procenten).",
    )
