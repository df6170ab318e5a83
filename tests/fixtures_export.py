"""Small hand-written codebook, frame subset and export builders for loader tests.

Exports are written with :func:`helpers.survey.export_layout.write_export` (the same
writer the synthetic generator uses); bad inputs are made by editing the rows or
the header cells before writing, or the bytes after.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from helpers.paths import REFERENCE_DIR
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.export_layout import BOM, format_csv, header_cells, write_export
from helpers.survey.frame import read_frame

CODEBOOK_YAML = """\
year: 2018
title: Testmonitor
freeze_date: "2018-04-10"
fieldwork: ["2018-03-05", "2018-04-09"]
synthetic: true
frame_year: {frame_year}
population_size: 8
scales:
  agree5:
    options:
      - {{code: 1, key: k1, label: Helemaal oneens}}
      - {{code: 2, key: k2, label: Oneens}}
      - {{code: 3, key: k3, label: Neutraal}}
      - {{code: 4, key: k4, label: Eens}}
      - {{code: 5, key: k5, label: Helemaal eens}}
    nets:
      - {{key: net576, label: (Helemaal) eens, codes: [4, 5]}}
questions:
  - id: municipalities
    chapter: 1
    text: Voor welke gemeente(n) vult u deze vragenlijst in?
    type: municipality
    export_name: Q1
    import_id: QID1
  - id: additional_policy
    chapter: 2
    report_refs: ["Figuur 2.1"]
    text: Is er in uw gemeente aanvullend beleid?
    type: single
    options:
      - {{code: 1, key: k1, label: "Ja"}}
      - {{code: 2, key: k2, label: "Nee"}}
      - {{code: 3, key: k3, label: Weet niet}}
    export_name: Q2
    import_id: QID2
  - id: target_groups
    chapter: 2
    text: Op welke groepen richt het beleid zich?
    type: multi
    max_answers: 3
    asked_if: {{question: additional_policy, in: [1]}}
    options:
      - {{code: 1, key: k1, label: Jongeren}}
      - {{code: 2, key: k2, label: Vrouwen}}
      - {{code: 3, key: k3, label: Ouderen}}
      - {{code: 4, key: k4, label: "Anders, namelijk", other_text: true}}
      - {{code: 5, key: k5, label: Geen specifieke groep, exclusive: true}}
    export_name: Q3
    import_id: QID3
  - id: cooperation
    chapter: 3
    text: De samenwerking met het UWV verloopt goed.
    type: single
    scale: agree5
    export_name: Q4
    import_id: QID4
  - id: outflow
    chapter: 3
    text: Welk percentage van de statushouders is uitgestroomd?
    type: percent
    items:
      - {{code: 1, key: k1, label: Volledig}}
      - {{code: 2, key: k2, label: Gedeeltelijk}}
      - {{code: 3, key: k3, label: Niet}}
    constant_sum: {{total: 100, tolerance: 0.5}}
    export_name: Q5
    import_id: QID5
  - id: youth_fte
    chapter: 3
    text: Hoeveel fte is er voor jongeren?
    type: count
    asked_if: {{question: target_groups, selected: 1}}
    export_name: Q6
    import_id: QID6
  - id: remarks
    chapter: 4
    text: Toelichting
    type: text
    asked_if: {{any: [{{question: cooperation, in: [1, 2]}}, {{question: additional_policy, in: [2]}}]}}
    export_name: Q7
    import_id: QID7
  - id: job_title
    chapter: 1
    text: Wat is uw functie?
    type: single
    level: respondent
    options:
      - {{code: 1, key: k1, label: Beleidsmedewerker}}
      - {{code: 2, key: k2, label: Klantmanager}}
      - {{code: 3, key: k3, label: "Anders, namelijk", other_text: true}}
    export_name: Q8
    import_id: QID8
"""

FRAME_2018 = ["GM0003", "GM0005", "GM0009", "GM0014", "GM0344", "GM0363", "GM0772", "GM0010"]
FRAME_2019 = ["GM0003", "GM0010", "GM0014", "GM0344", "GM0363", "GM0772", "GM1966"]

#: A complete respondent: policy yes, youth ticked (so youth_fte asked), agrees (so remarks not asked).
FULL = {
    "Q2": "1",
    "Q3_1": "1",
    "Q3_2": "0",
    "Q3_3": "0",
    "Q3_4": "1",
    "Q3_4_TEXT": "Statushouders 50+",
    "Q3_5": "0",
    "Q4": "4",
    "Q5_1": "30",
    "Q5_2": "12.5",
    "Q5_3": "57.5",
    "Q6": "3",
    "Q7": "",
    "Q8": "1",
}


def write_codebook(directory: Path, frame_year: int = 2018) -> Path:
    path = directory / "codebook.yaml"
    path.write_text(CODEBOOK_YAML.format(frame_year=frame_year), encoding="utf-8")
    return path


def make_codebook(tmp_path: Path, frame_year: int = 2018) -> Codebook:
    """``load_codebook`` of the codebook written to ``tmp_path``; the file is parsed once per process and kind of
    folder (each test gets a deep copy that names its own file as its source)."""
    path = write_codebook(tmp_path, frame_year)
    folder = path.parent.name
    key = (frame_year, folder if len(folder) == 4 and folder.isdigit() else "")  # load_codebook checks a year folder
    if key not in _PARSED:
        _PARSED[key] = load_codebook(path)
    codebook = _PARSED[key].model_copy(deep=True)
    codebook._source = path  # as load_codebook(path) sets it
    return codebook


#: Codebooks parsed by :func:`make_codebook`, by frame year and year folder.
_PARSED: dict[tuple[int, str], Codebook] = {}


@cache
def _reference_frame(year: int) -> pd.DataFrame:
    return read_frame(REFERENCE_DIR / f"gemeenten_{year}.csv")


def make_frame(codes: list[str] | None = None, year: int = 2018) -> pd.DataFrame:
    frame = _reference_frame(year)  # read once per process; the selection below is a new frame
    codes = codes or (FRAME_2018 if year == 2018 else FRAME_2019)
    return frame[frame["gemeentecode"].isin(codes)].reset_index(drop=True)


def respondent(rid: str, municipalities: list[int], answers: dict | None = None, **meta: str) -> dict[str, str]:
    """One export row as {column name: string}; unspecified columns stay empty."""
    row = {
        "StartDate": "2018-03-10 09:00:00",
        "EndDate": "2018-03-10 09:20:00",
        "Status": "0",
        "Progress": "100",
        "Duration (in seconds)": "1200",
        "Finished": "1",
        "RecordedDate": "2018-03-10 09:20:01",
        "ResponseId": rid,
        "DistributionChannel": "anonymous",
        "UserLanguage": "NL",
    }
    row.update(meta)
    row.update({f"Q1_{n}": "1" for n in municipalities})
    row.update(FULL if answers is None else answers)
    return row


def rows_frame(codebook: Codebook, frame: pd.DataFrame, rows: list[dict[str, str]]) -> pd.DataFrame:
    """Rows as the DataFrame write_export expects; municipality columns default to 0, others to empty."""
    names = [c.name for c in header_cells(codebook, frame)]
    muni = {n for n in names if n.startswith("Q1_")}
    data = [[row.get(n, "0" if n in muni else "") for n in names] for row in rows]
    unknown = {k for row in rows for k in row} - set(names)
    assert not unknown, f"unknown columns in test rows: {unknown}"
    return pd.DataFrame(data, columns=names, dtype=object)


def write_rows(path: Path, codebook: Codebook, frame: pd.DataFrame, rows: list[dict[str, str]]) -> Path:
    return write_export(path, rows_frame(codebook, frame, rows), codebook, frame)


def table(codebook: Codebook, frame: pd.DataFrame, rows: list[dict[str, str]]) -> list[list[str]]:
    """Header rows plus data rows as lists of strings, for tests that edit the structure."""
    cells = header_cells(codebook, frame)
    data = rows_frame(codebook, frame, rows).values.tolist()
    return [[c.name for c in cells], [c.label for c in cells], [c.import_json for c in cells], *data]


def write_table(
    path: Path, rows: list[list[str]], *, bom: bool = True, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    text = format_csv(rows, delimiter=delimiter)
    path.write_bytes((BOM if bom else b"") + text.encode(encoding))
    return path


def drop_column(rows: list[list[str]], name: str) -> list[list[str]]:
    i = rows[0].index(name)
    return [r[:i] + r[i + 1 :] for r in rows]


def add_column(rows: list[list[str]], name: str, label: str, import_json: str, values: list[str]) -> list[list[str]]:
    return [rows[0] + [name], rows[1] + [label], rows[2] + [import_json]] + [
        [*r, v] for r, v in zip(rows[3:], values, strict=True)
    ]


def make_raw_tree(root: Path, rows: list[dict[str, str]] | None = None, year: int = 2018) -> Path:
    """``root/raw`` with ``<year>/codebook.yaml``, ``<year>/export.csv`` and ``reference/gemeenten_<year>.csv``."""
    raw = root / "raw"
    (raw / str(year)).mkdir(parents=True)
    (raw / "reference").mkdir()
    codebook = make_codebook(raw / str(year))
    frame = make_frame()
    frame.astype({"inwoners": "int64", "grootteklasse": str}).to_csv(
        raw / "reference" / f"gemeenten_{year}.csv", index=False
    )
    rows = (
        rows if rows is not None else [respondent("R_000000000000001", [14, 5]), respondent("R_000000000000002", [363])]
    )
    write_rows(raw / str(year) / "export.csv", codebook, frame, rows)
    return raw
