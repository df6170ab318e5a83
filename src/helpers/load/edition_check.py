"""Checks of a year's inputs against each other, so a new edition fails early and clearly.

``make data`` (and the report's data check) refuses a codebook whose ``population_size`` disagrees
with the municipality frame, scaffold placeholders (``make new-year``'s TODO markers) left in, a
merger table that does not map every municipality code that vanished since the previous frame or
whose shares per old code do not add up to 1, and an answer scale changed under an old question id.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from helpers.load.problems import ProblemLog
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.lineage import scale_changes

#: What ``make new-year`` writes where a value must still be filled in.
_PLACEHOLDER = re.compile(r"#\s*TODO\b|\bTODO:", re.IGNORECASE)
SHARE_TOLERANCE = 0.001


def _line_of(text: str, pattern: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if re.match(pattern, line):
            return i
    return None


def check_codebook_file(path: Path, codebook: Codebook, frame: pd.DataFrame, log: ProblemLog) -> None:
    """Placeholders left in and a population size that is not the frame's."""
    text = path.read_text(encoding="utf-8")
    for i, line in enumerate(text.splitlines(), 1):
        if _PLACEHOLDER.search(line):
            log.error(
                "placeholder_left",
                "In het codeboek staat nog een plaatshouder van `make new-year`.",
                file=str(path), line=i, value=line.strip()[:120],
                action="Vul de echte waarde in en haal de TODO-opmerking weg.",
            )  # fmt: skip
    if codebook.population_size != len(frame):
        log.error(
            "population_size",
            f"population_size is {codebook.population_size}, maar de gemeentelijst van {codebook.frame_year} telt "
            f"{len(frame)} gemeenten.",
            file=str(path), line=_line_of(text, r"^population_size\s*:"), value=str(codebook.population_size),
            expected=str(len(frame)), action=f"Zet population_size op {len(frame)} (of kies het juiste frame_year).",
        )  # fmt: skip


def check_mergers(reference: Path, frame_year: int, frame: pd.DataFrame, mergers: pd.DataFrame | None,
                  log: ProblemLog) -> None:  # fmt: skip
    """Every code of the previous frame that is gone must be mapped, with shares adding up to 1 per old code."""
    previous = reference / f"gemeenten_{frame_year - 1}.csv"
    table = reference / f"herindelingen_{frame_year}.csv"
    if not previous.exists():
        return
    old_codes = set(pd.read_csv(previous, dtype=str, usecols=["gemeentecode"], encoding="utf-8-sig")["gemeentecode"])
    gone = sorted(old_codes - set(frame["gemeentecode"].astype(str)))
    if not gone:
        return
    rows = mergers[mergers["year_new"] == frame_year] if mergers is not None else pd.DataFrame()
    mapped = set(rows["code_old"]) if len(rows) else set()
    missing = [c for c in gone if c not in mapped]
    if missing:
        log.error(
            "merger_missing",
            f"{len(missing)} gemeentecode(s) van {frame_year - 1} bestaan niet meer in {frame_year}, maar staan niet "
            f"in {table.name}: {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}.",
            file=str(table), expected="een regel per verdwenen gemeente met code_<nieuw jaar> en aandeel",
            action=f"Vul {table.name} aan met de herindelingen per 1 januari {frame_year} (CBS).",
        )  # fmt: skip
    if len(rows):
        sums = rows.groupby("code_old")["aandeel"].sum()
        bad = sums[(sums - 1).abs() > SHARE_TOLERANCE]
        for code, total in bad.items():
            log.error(
                "merger_shares",
                f"De aandelen van {code} tellen op tot {total:.3f} in plaats van 1.",
                file=str(table), value=f"{total:.3f}", expected="1", action="Verdeel de oude gemeente volledig.",
            )  # fmt: skip


def check_polygons(reference: Path, frame_year: int, frame: pd.DataFrame, log: ProblemLog) -> None:
    """The map's polygons (``gemeenten_<frame year>.geojson``) are those of the frame: one per municipality."""
    path = reference / f"gemeenten_{frame_year}.geojson"
    if not path.is_file():  # the response map cannot be drawn; everything else can
        log.warning("polygons_missing", f"De gebiedsgrenzen voor de kaart ontbreken: {path.name}.", file=str(path),
                  expected=f"de gemeentegrenzen op 1 januari {frame_year} (CBS/Kadaster Wijk- en Buurtkaart)",
                  action=f"Zet {path.name} in {reference} (zie data/raw/reference/README.md).")  # fmt: skip
        return
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        codes = [str(f["properties"]["gemeentecode"]) for f in features]
    except (ValueError, KeyError, TypeError) as exc:
        log.error("polygons_unreadable", f"{path.name} is geen GeoJSON met een gemeentecode per gebied ({exc}).",
                  file=str(path), expected="FeatureCollection, properties.gemeentecode",
                  action="Exporteer de gemeentegrenzen opnieuw als GeoJSON.")  # fmt: skip
        return
    want = set(frame["gemeentecode"].astype(str))
    extra, missing = sorted(set(codes) - want), sorted(want - set(codes))
    doubles = sorted({c for c in codes if codes.count(c) > 1})
    if extra or missing or doubles:
        found = "; ".join(
            f"{label}: {', '.join(v[:8])}{' …' if len(v) > 8 else ''}"
            for label, v in (("niet in de gemeentelijst", extra), ("zonder gebied", missing), ("dubbel", doubles))
            if v
        )
        log.error(
            "polygons_frame",
            f"De gebiedsgrenzen in {path.name} passen niet bij de gemeentelijst van 1 januari {frame_year} "
            f"({len(codes)} gebieden, {len(want)} gemeenten): {found}.",
            file=str(path), value=f"{len(codes)} gebieden",
            expected=f"{len(want)} gemeenten van gemeenten_{frame_year}.csv",
            action=f"Gebruik de grenzen van 1 januari {frame_year}, niet die van een ander jaar.",
        )  # fmt: skip


def check_scales(raw_root: Path, year: int, codebook: Codebook, log: ProblemLog) -> None:
    """An answer scale changed under an old id (or under ``comparable_with``) since the previous edition."""
    earlier = sorted(int(d.name) for d in raw_root.glob("[0-9][0-9][0-9][0-9]") if (d / "codebook.yaml").exists())
    earlier = [y for y in earlier if y < year]
    if not earlier:
        return
    previous = load_codebook(raw_root / str(earlier[-1]) / "codebook.yaml")
    path = raw_root / str(year) / "codebook.yaml"
    for change in scale_changes(previous, codebook):
        if not change.allowed:
            log.error("scale_changed", change.message(), file=str(path),
                      action=f"Geef de vraag een nieuw id met replaces: [{change.old_question}].")  # fmt: skip


def check_edition(raw_root: Path, year: int, codebook: Codebook, frame: pd.DataFrame,
                  mergers: pd.DataFrame | None, log: ProblemLog) -> None:  # fmt: skip
    """All checks of a year's inputs against each other (problems are added to ``log``)."""
    check_codebook_file(raw_root / str(year) / "codebook.yaml", codebook, frame, log)
    check_mergers(raw_root / "reference", codebook.frame_year, frame, mergers, log)
    check_polygons(raw_root / "reference", codebook.frame_year, frame, log)
    check_scales(raw_root, year, codebook, log)
