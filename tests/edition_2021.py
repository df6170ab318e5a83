"""A fourth example edition, 2021, built in a temporary project from the shipped 2018-2020 editions.

The 2021 edition exercises what a real next edition brings:

* a new municipality frame after the reorganisation of 1 January 2021: Appingedam, Delfzijl and Loppersum merge
  into Eemsdelta (GM1979); Haaren is divided over Boxtel, Oisterwijk, Tilburg and Vught (355 -> 352), with its
  merger table and its polygons (the merged polygons unioned);
* a codebook scaffolded from 2020 (``helpers.year.scaffold``), its placeholders filled in, and one routing change
  (``ROUTED``: asked in 2020 of every municipality, in 2021 only after ``ROUTED_IF``); the option split of 2020
  (``split_from``) is inherited, two editions back from the split's origin in 2019;
* an export derived from 2020's with the package's own transformation (``helpers.synth.transform.derive``): the
  municipality columns of the 2021 frame, new ResponseIds and dates, some answers changed.

Nothing is written under the repository's ``data/``: the shipped years and reference files are symlinked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from helpers import paths
from helpers.survey.codebook import load_codebook
from helpers.survey.export_layout import header_cells, municipality_numbers, write_export
from helpers.synth.spec import load_derived_spec
from helpers.synth.transform import SPEC_NAME, derive, read_export_cells
from helpers.year.scaffold import scaffold_year

YEAR, FROM_YEAR, FRAME_BEFORE = 2021, 2020, 2019
#: New municipality -> (name, the codes merged into it).
MERGED = {"GM1979": ("Eemsdelta", ("GM0003", "GM0010", "GM0024"))}
#: Divided municipality -> {successor: share}; the population goes to the first successor.
DIVIDED = {"GM0788": {"GM0855": 0.25, "GM0757": 0.25, "GM0824": 0.25, "GM0865": 0.25}}
#: Successor whose polygon absorbs a divided municipality's polygon (the boundaries are simplified anyway).
POLYGON_HEIR = {"GM0788": "GM0865"}
#: The question whose routing changes: asked of everyone in 2020, in 2021 only after ROUTED_IF.
ROUTED = "integration_alignment"
ROUTED_BY, ROUTED_CODES = "additional_policy", [1, 4]
ROUTED_IF = {"question": ROUTED_BY, "in": ROUTED_CODES}
FIELDWORK = ("2021-03-01", "2021-04-09")
FREEZE_DATE = "2021-04-12"
SHIPPED_YEARS = (2018, 2019, 2020)

#: How the answers change between 2020 and 2021 (``helpers.synth.spec`` steps; no step touches ROUTED_IF).
SPEC = {
    "seed": 20210412,
    "derive_from": FROM_YEAR,
    "steps": [
        {"step": "tick_more", "question": "measures_offered", "option": "work_placements_municipal", "share": 0.3},
        {"step": "tick_more", "question": "measures_offered", "option": "language_buddies", "share": 0.25},
        {"step": "move_answers", "question": "background_insight", "from": "neutral", "to": "agree", "share": 0.4},
        {"step": "move_answers", "question": "start_moment", "from": "in_reception_centre", "to": "at_settlement",
         "share": 0.3},
    ],
}  # fmt: skip


# --- reference: frame, merger table, polygons ------------------------------------------------------


def frame_2021(frame: pd.DataFrame) -> pd.DataFrame:
    """The 2019 frame (strings) with the reorganisation of 1 January 2021; sorted by code like CBS."""
    out = frame.set_index("gemeentecode")
    pop = out["inwoners"].astype(int)
    for code, (name, olds) in MERGED.items():
        first = out.loc[olds[0]]
        out.loc[code] = [name, first["provincie"], str(int(pop[list(olds)].sum())), first["grootteklasse"]]
    for code, shares in DIVIDED.items():
        heir = next(iter(shares))
        out.loc[heir, "inwoners"] = str(int(pop[heir] + pop[code]))
    gone = [c for _, olds in MERGED.values() for c in olds] + list(DIVIDED)
    return out.drop(index=gone).sort_index().reset_index()


def mergers_2021(frame: pd.DataFrame) -> pd.DataFrame:
    """Every 2019 code to its 2021 code(s): ``herindelingen_2021.csv``."""
    names = dict(zip(frame["gemeentecode"], frame["gemeentenaam"], strict=True))
    into = {old: (new, name) for new, (name, olds) in MERGED.items() for old in olds}
    rows = []
    for code, name in names.items():
        if code in into:
            rows.append([code, name, into[code][0], into[code][1], "samengevoegd", 1])
        elif code in DIVIDED:
            rows += [[code, name, new, names[new], "gesplitst", share] for new, share in DIVIDED[code].items()]
        else:
            rows.append([code, name, code, name, "ongewijzigd", 1])
    return pd.DataFrame(rows, columns=["code_2019", "naam_2019", "code_2021", "naam_2021", "soort", "aandeel"])


def polygons_2021(collection: dict, frame: pd.DataFrame) -> dict:
    """The 2019 polygons with the merged ones unioned and each divided one unioned into its heir."""
    features = {f["properties"]["gemeentecode"]: f for f in collection["features"]}
    groups = {new: list(olds) for new, (_, olds) in MERGED.items()}
    for code, heir in POLYGON_HEIR.items():
        groups[heir] = [heir, code]
    props = frame.set_index("gemeentecode")
    for new, olds in groups.items():
        geometry = unary_union([shape(features.pop(c)["geometry"]) for c in olds])
        row = props.loc[new]
        features[new] = {
            "type": "Feature",
            "properties": {"gemeentecode": new, "gemeentenaam": row["gemeentenaam"], "provincie": row["provincie"],
                           "grootteklasse": row["grootteklasse"]},
            "geometry": mapping(geometry),
        }  # fmt: skip
    return {**collection, "name": f"gemeenten_{YEAR}", "features": [features[c] for c in sorted(features)]}


def write_reference(reference: Path) -> None:
    """Symlink the shipped reference files into ``reference`` and write the 2021 frame, mergers and polygons."""
    reference.mkdir(parents=True)
    for source in sorted(paths.REFERENCE_DIR.iterdir()):
        (reference / source.name).symlink_to(source)
    frame = pd.read_csv(reference / f"gemeenten_{FRAME_BEFORE}.csv", dtype=str, keep_default_na=False)
    new = frame_2021(frame)
    new.to_csv(reference / f"gemeenten_{YEAR}.csv", index=False)
    mergers_2021(frame).to_csv(reference / f"herindelingen_{YEAR}.csv", index=False)
    collection = json.loads((reference / f"gemeenten_{FRAME_BEFORE}.geojson").read_text(encoding="utf-8"))
    text = json.dumps(polygons_2021(collection, new), ensure_ascii=False)
    (reference / f"gemeenten_{YEAR}.geojson").write_text(text, encoding="utf-8")


# --- codebook ---------------------------------------------------------------------------------------


def _replace_line(text: str, key: str, value: str) -> str:
    """Replace the top-level ``key:`` line (placeholder comment included)."""
    new, count = re.subn(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.MULTILINE)
    assert count == 1, f"no top-level {key!r} in the scaffolded codebook"
    return new


def _add_routing(text: str, qid: str, condition: dict) -> str:
    """Give question ``qid`` an ``asked_if`` (after its ``type:`` line)."""
    block = re.compile(rf"(^  - id: {qid}\n(?:    .*\n|\n)*?    type: .*\n)", re.MULTILINE)
    flow = yaml.safe_dump(condition, default_flow_style=True, width=200).strip()
    new, count = block.subn(lambda m: f"{m.group(1)}    asked_if: {flow}\n", text, count=1)
    assert count == 1, f"question {qid} not found in the scaffolded codebook"
    return new


def fill_codebook(path: Path) -> None:
    """Fill what the scaffold leaves as placeholders, confirm year mentions, and change one routing."""
    text = path.read_text(encoding="utf-8")
    text = _replace_line(text, "fieldwork", json.dumps(list(FIELDWORK)))
    text = _replace_line(text, "freeze_date", f'"{FREEZE_DATE}"')
    text = _replace_line(text, "synthetic", "true")
    text = re.sub(r"^(\s+text_checked:) \d{4}", rf"\1 {YEAR}", text, flags=re.MULTILINE)
    text = _add_routing(text, ROUTED, ROUTED_IF)
    path.write_text(text, encoding="utf-8")


# --- export -----------------------------------------------------------------------------------------


def _claim_first(source: pd.DataFrame, olds: list[str], taken: pd.Series) -> np.ndarray:
    """A new municipality column from old ones: ticked by the first respondent that ticked one of ``olds``
    and does not already answer for it (one respondent per municipality)."""
    ticked = (source[olds] == "1").any(axis=1).to_numpy() & ~taken.to_numpy()
    out = np.where(source[olds[0]].to_numpy(dtype=object) == "", "", "0").astype(object)
    if ticked.any():
        out[int(np.flatnonzero(ticked)[0])] = "1"
    return out


def reorganised_cells(source: pd.DataFrame, iid: str) -> pd.DataFrame:
    """2020's cells with the municipality columns of the 2021 frame: a merged municipality ticked where one of
    its parts was; a divided one's respondent answers for its first successor nobody else answers for."""
    out = source.copy()
    col = lambda code: f"{iid}_{int(code[2:])}"  # noqa: E731
    for new, (_, olds) in MERGED.items():
        out[col(new)] = _claim_first(out, [col(c) for c in olds], pd.Series(False, index=out.index))
    for code, shares in DIVIDED.items():
        for row in np.flatnonzero(out[col(code)].to_numpy(dtype=object) == "1"):
            free = [c for c in shares if not (out[col(c)] == "1").any()]
            if free:
                out.iloc[row, out.columns.get_loc(col(free[0]))] = "1"
    return out


def route_cells(source: pd.DataFrame, routed_iid: str, if_iid: str, codes: list[int]) -> pd.DataFrame:
    """Blank the answers of the routed question where the 2021 routing does not ask it."""
    out = source.copy()
    asked = out[if_iid].isin([str(c) for c in codes])
    out.loc[~asked, routed_iid] = ""
    return out


def write_export_2021(raw: Path) -> Path:
    """``raw/2021/export.csv`` derived from 2020's, the way ``make example-data`` derives 2020 from 2019."""
    spec_path = raw / str(YEAR) / SPEC_NAME
    spec_path.write_text(yaml.safe_dump(SPEC, sort_keys=False, allow_unicode=True), encoding="utf-8")
    spec = load_derived_spec(spec_path)
    new, old = load_codebook(raw / str(YEAR) / "codebook.yaml"), load_codebook(raw / str(FROM_YEAR) / "codebook.yaml")
    frame = pd.read_csv(raw / "reference" / f"gemeenten_{new.frame_year}.csv", dtype=str)
    source = read_export_cells(raw / str(FROM_YEAR) / "export.csv")
    source = reorganised_cells(source, new.municipality_question.import_id)
    routed, condition = new.question(ROUTED), new.question(ROUTED_BY)
    source = route_cells(source, routed.import_id, condition.import_id, ROUTED_CODES)
    table = derive(new, old, spec, source, municipality_numbers(frame))
    rows = pd.DataFrame({c.name: table[c.import_id].to_numpy() for c in header_cells(new, frame)})
    return write_export(raw / str(YEAR) / "export.csv", rows, new, frame)


# --- the project ------------------------------------------------------------------------------------


def make_project(root: Path) -> Path:
    """A project root with ``data/raw/{2018,2019,2020,2021,reference,published}``; returns ``data/raw``."""
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    for year in SHIPPED_YEARS:
        (raw / str(year)).symlink_to(paths.RAW_DIR / str(year))
    (raw / "published").symlink_to(paths.PUBLISHED_DIR)
    write_reference(raw / "reference")
    scaffold = scaffold_year(YEAR, FROM_YEAR, raw_dir=raw)
    assert scaffold.frame_found and scaffold.mergers_found and scaffold.population_size == 352, scaffold
    fill_codebook(scaffold.codebook)
    write_export_2021(raw)
    return raw
