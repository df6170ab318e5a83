"""Which rows of the export count: row filters, duplicates, and the fieldwork period.

Preview/test/spam responses (``Status`` 1/2/8 or ``DistributionChannel`` preview/test) and
incomplete ones (``Finished`` 0 or ``Progress`` < 100) are dropped and reported with their
line; identical duplicate rows are dropped with a warning, differing ones are an error.

A kept response recorded outside the codebook's ``fieldwork`` (started before its first day or
recorded after its last day) is an **error**: the report prints the fieldwork period in its
method section, so either the period in ``codebook.yaml`` is wrong (fieldwork extended: correct
it) or the response does not belong in this edition (a test before the launch, a late entry:
exclude it in Qualtrics and export again). Dropped rows are not checked.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from helpers.load.municipalities import ticked_codes
from helpers.load.problems import ProblemLog
from helpers.survey.codebook import Codebook
from helpers.survey.export_layout import STATUS_DROP

DROP_CHANNELS = {"preview", "test"}
INCOMPLETE = "onvolledig"


def drop_rows(meta: pd.DataFrame, records: pd.DataFrame, log: ProblemLog) -> dict[int, str]:
    """Line -> reason for rows excluded from analysis; logs duplicate ResponseIds."""
    drops: dict[int, str] = {}
    for rid, group in meta.groupby("response_id", sort=False):
        lines = list(group.index)
        if len(lines) < 2 or rid == "":
            continue
        identical = all(records.loc[line].tolist() == records.loc[lines[0]].tolist() for line in lines[1:])
        listed = ", ".join(map(str, lines))
        if identical:
            log.warning(
                "duplicate_identical",
                f"ResponseId {rid} komt {len(lines)}× identiek voor (regels {listed}); alleen regel {lines[0]} "
                "is gebruikt.",
                line=lines[1],
                column="ResponseId",
                import_id="_recordId",
            )
            drops.update({line: f"dubbel (identiek aan regel {lines[0]})" for line in lines[1:]})
        else:
            log.error(
                "duplicate_response_id",
                f"ResponseId {rid} komt {len(lines)}× voor met verschillende antwoorden (regels {listed}).",
                line=lines[0],
                column="ResponseId",
                import_id="_recordId",
                value=str(rid),
                expected="elke ResponseId één keer",
                action="Zijn exports samengevoegd? Exporteer alle responsen in één keer, of verwijder de "
                "verkeerde rij.",
            )
    for line, row in meta.iterrows():
        if line in drops:
            continue
        status, channel = row["status"], row["channel"]
        if pd.notna(status) and int(status) in STATUS_DROP:
            drops[line] = STATUS_DROP[int(status)]
        elif channel in DROP_CHANNELS:
            drops[line] = channel
        elif (pd.notna(row["finished"]) and row["finished"] == 0) or (
            pd.notna(row["progress"]) and row["progress"] < 100
        ):
            drops[line] = INCOMPLETE
    return dict(sorted(drops.items()))


def dropped_entry(line: int, reason: str, meta: pd.DataFrame, records: pd.DataFrame, muni_cols: dict) -> dict:
    progress = meta.at[line, "progress"]
    codes = ticked_codes(records.loc[[line]], muni_cols).iloc[0]
    return {
        "line": int(line),
        "response_id": str(meta.at[line, "response_id"]),
        "reason": reason,
        "progress": None if pd.isna(progress) else float(progress),
        "gemeentecodes": ",".join(codes),
    }


def warn_lost_municipalities(dropped: list[dict], ticks: pd.Series, log: ProblemLog) -> None:
    covered = {code for codes in ticks for code in codes}
    lost = sorted(
        {
            code
            for entry in dropped
            if entry["reason"] == INCOMPLETE
            for code in entry["gemeentecodes"].split(",")
            if code and code not in covered
        }
    )
    if lost:
        log.warning(
            "incomplete_municipalities",
            f"Door onvolledige responsen hebben {len(lost)} gemeente(n) geen antwoord: {', '.join(lost)}.",
        )


def check_fieldwork(meta: pd.DataFrame, codebook: Codebook, log: ProblemLog) -> None:
    """Kept responses must start on or after the first and be recorded on or before the last fieldwork day."""
    first, last = (date.fromisoformat(d) for d in codebook.fieldwork)
    start = pd.Timestamp(first)
    end = pd.Timestamp(last + timedelta(days=1))
    period = f"{first.isoformat()} t/m {last.isoformat()} (fieldwork in codebook.yaml)"
    action = (
        "Is het veldwerk verlengd, pas dan fieldwork in codebook.yaml aan; hoort de respons niet bij deze "
        "editie (een test vóór de start, een late invoer), sluit hem dan uit in Qualtrics en exporteer opnieuw."
    )
    for column, name, bad in (
        ("start_date", "StartDate", meta["start_date"] < start),
        ("recorded_date", "RecordedDate", meta["recorded_date"] >= end),
    ):
        for line in meta.index[bad.fillna(False).astype(bool)]:
            log.error(
                "outside_fieldwork",
                f"Respons {meta.at[line, 'response_id']} valt buiten de veldwerkperiode.",
                line=int(line),
                column=name,
                value=str(meta.at[line, column]),
                expected=period,
                action=action,
            )
