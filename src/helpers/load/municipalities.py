"""From respondents to municipalities: who answered for which municipality.

The municipality question has one 0/1 column per CBS number (``Q1_14`` =
GM0014). Each kept respondent must tick at least one municipality, every ticked
code must be in the frame (a code merged away is explained from the merger
table), and no municipality may be claimed by two respondents.
"""

from __future__ import annotations

import pandas as pd

from helpers.load.columns import ColumnMap
from helpers.load.problems import ProblemLog
from helpers.survey.codebook import Codebook
from helpers.survey.export_layout import municipality_numbers
from helpers.survey.frame import FRAME_COLUMNS, explain_unknown_code, gm_code


def municipality_columns(codebook: Codebook, frame: pd.DataFrame, cmap: ColumnMap) -> dict[str, int]:
    """GM code -> column position, for frame municipalities present in the export."""
    iid = codebook.municipality_question.import_id
    return {
        gm_code(n): cmap.position[f"{iid}_{n}"] for n in municipality_numbers(frame) if f"{iid}_{n}" in cmap.position
    }


def ticked_codes(records: pd.DataFrame, columns: dict[str, int]) -> pd.Series:
    """Per record (index = line): the sorted GM codes ticked (cell ``1``) among ``columns``."""
    codes = sorted(columns)
    if not codes:
        return pd.Series([[] for _ in records.index], index=records.index, dtype=object)
    values = records[[columns[c] for c in codes]].to_numpy()
    return pd.Series(
        [[c for c, v in zip(codes, row, strict=True) if str(v).strip() == "1"] for row in values],
        index=records.index,
        dtype=object,
    )


def check_municipalities(
    records: pd.DataFrame,
    response_ids: pd.Series,
    codebook: Codebook,
    frame: pd.DataFrame,
    cmap: ColumnMap,
    mergers: pd.DataFrame | None,
    log: ProblemLog,
    merger_source: str = "herindelingen",
) -> pd.Series:
    """Ticked frame codes per kept record; logs bad ticks, unknown/merged codes, no or double claims."""
    q = codebook.municipality_question
    columns = municipality_columns(codebook, frame, cmap)
    names = dict(zip(frame["gemeentecode"].astype(str), frame["gemeentenaam"].astype(str), strict=True))
    _check_ticks(records, columns, cmap.file_names, q.import_id, log)
    extra_ticked = _check_extra(records, codebook, frame, cmap, mergers, log, merger_source)
    ticks = ticked_codes(records, columns)
    lookalike = _ticked_lookalikes(records, cmap)
    for line, codes in ticks.items():
        if codes or line in extra_ticked or line in lookalike:
            continue  # a respondent who ticked a column that is missing or misnamed is not blamed
        message = (
            f"Respons {response_ids[line]} heeft geen gemeente gekozen (alle kolommen {q.export_name}_* leeg of 0)."
        )
        action = (
            "Zoek uit voor welke gemeente(n) de respons geldt en corrigeer de export, of verwijder de respons "
            "(en leg dat vast)."
        )
        if cmap.missing_municipalities:
            message = (
                f"Respons {response_ids[line]} heeft in de aanwezige gemeentekolommen geen gemeente gekozen; de "
                f"kolommen van {len(cmap.missing_municipalities)} gemeente(n) ontbreken in de export."
            )
            action = "Herstel eerst de ontbrekende gemeentekolommen (zie boven); misschien koos de respons daar."
        log.error(
            "no_municipality",
            message,
            line=int(line),
            column=f"{q.export_name}_*",
            import_id=f"{q.import_id}_*",
            expected="minstens één aangekruiste gemeente",
            action=action,
        )
    claims: dict[str, list[int]] = {}
    for line, codes in ticks.items():
        for code in codes:
            claims.setdefault(code, []).append(int(line))
    for code, lines in sorted(claims.items()):
        if len(lines) > 1:
            who = " en ".join(f"{response_ids[line]} (regel {line})" for line in lines[:3])
            who += f" en nog {len(lines) - 3}" if len(lines) > 3 else ""
            log.error(
                "municipality_claimed_twice",
                f"{code} {names[code]} is ingevuld door {len(lines)} responsen: {who}.",
                line=lines[0],
                column=f"{q.export_name}_{int(code[2:])}",
                import_id=f"{q.import_id}_{int(code[2:])}",
                value="1",
                expected="één respons per gemeente",
                action="Kies één respons voor deze gemeente (bv. die van de gemeente zelf of de meest recente), "
                "corrigeer de andere en leg de keuze vast.",
            )
    return ticks


def _ticked_lookalikes(records: pd.DataFrame, cmap: ColumnMap) -> set[int]:
    """Lines with a ``1`` in a column that looks like a missing municipality's column."""
    lines: set[int] = set()
    for pos in cmap.municipality_lookalikes:
        values = records[pos].astype(str).str.strip()
        lines |= {int(x) for x in values.index[values == "1"]}
    return lines


def _check_ticks(
    records: pd.DataFrame, columns: dict[str, int], file_names: list[str], iid: str, log: ProblemLog
) -> None:
    codes = list(columns)
    values = records[[columns[c] for c in codes]].to_numpy()
    for line, row in zip(records.index, values, strict=True):
        for code, value in zip(codes, row, strict=True):
            if str(value).strip() in {"", "0", "1"}:
                continue
            pos = columns[code]
            log.error(
                "not_a_tick",
                f"Geen geldig vinkje bij gemeente {code}.",
                line=int(line),
                column=file_names[pos],
                import_id=f"{iid}_{int(code[2:])}",
                value=str(value),
                expected="1 (aangevinkt), 0 of leeg",
                action="Exporteer opnieuw met 'Use numeric values' en 'Split multi-value fields into columns'.",
            )


def _check_extra(
    records: pd.DataFrame,
    codebook: Codebook,
    frame: pd.DataFrame,
    cmap: ColumnMap,
    mergers: pd.DataFrame | None,
    log: ProblemLog,
    merger_source: str,
) -> set[int]:
    """Municipality columns whose code is not in the frame: error when ticked, warning otherwise."""
    q = codebook.municipality_question
    ticked_lines: set[int] = set()
    unused = []
    for number, pos in sorted(cmap.extra_municipalities.items()):
        code = gm_code(number)
        values = records[pos].astype(str).str.strip()
        lines = list(values.index[values == "1"])
        if not lines:
            unused.append(f"{cmap.file_names[pos]} ({code})")
            continue
        explanation = explain_unknown_code(code, frame, mergers, merger_source)
        merged = "bestaat niet meer" in explanation
        for line in lines:
            ticked_lines.add(int(line))
            log.error(
                "merged_municipality" if merged else "unknown_municipality",
                explanation,
                line=int(line),
                column=cmap.file_names[pos],
                import_id=f"{q.import_id}_{number}",
                value="1",
                expected=f"een gemeente uit gemeenten_{codebook.frame_year}.csv",
            )
    if unused:
        log.warning(
            "unknown_municipality_columns",
            f"Kolommen voor gemeenten buiten de gemeentelijst genegeerd (nergens aangekruist): {', '.join(unused)}.",
            line=1,
        )
    return ticked_lines


def explode(
    respondents: pd.DataFrame, ticks: pd.Series, frame: pd.DataFrame, answer_columns: list[str]
) -> pd.DataFrame:
    """One row per represented municipality: frame columns, ``respondent_id``, then the answers.

    ``respondents`` and ``ticks`` share their index (the physical line).
    """
    pairs = pd.DataFrame(
        [(respondents.at[line, "respondent_id"], code) for line, codes in ticks.items() for code in codes],
        columns=["respondent_id", "gemeentecode"],
    )
    pairs = pairs.astype({"respondent_id": "string", "gemeentecode": "string"})
    out = pairs.merge(frame[FRAME_COLUMNS], on="gemeentecode", how="left", validate="one_to_one")
    out = out.merge(respondents[["respondent_id", *answer_columns]], on="respondent_id", how="left")
    out = out.sort_values("gemeentecode", kind="stable").reset_index(drop=True)
    return out[[*FRAME_COLUMNS, "respondent_id", *answer_columns]]
