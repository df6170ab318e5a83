"""The municipality frame (``gemeenten_<year>.csv``) and the merger table (``herindelingen_<year>.csv``).

The frame lists every municipality on 1 January of its year; the merger table maps
the previous year's codes to the new ones, so the loader can explain a code that
no longer exists instead of just calling it unknown.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from helpers.survey.vocabulary import SIZE_CLASSES

FRAME_COLUMNS = ["gemeentecode", "gemeentenaam", "provincie", "inwoners", "grootteklasse"]
CODE_PATTERN = re.compile(r"^GM\d{4}$")
MERGER_COLUMNS = ["code_old", "naam_old", "code_new", "naam_new", "soort", "aandeel", "year_new"]


def gm_code(number: int) -> str:
    """CBS number -> ``GM`` + 4 digits (``14`` -> ``GM0014``)."""
    return f"GM{int(number):04d}"


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read and check a municipality frame; ``grootteklasse`` becomes an ordered categorical."""
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return normalize_frame(frame, source=path.name)


def normalize_frame(frame: pd.DataFrame, source: str = "frame") -> pd.DataFrame:
    """Check a frame's columns and codes and give it the processed dtypes."""
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{source}: municipality frame lacks columns {missing}")
    frame = frame[FRAME_COLUMNS].copy()
    codes = frame["gemeentecode"].astype(str)
    bad = sorted(c for c in codes if not CODE_PATTERN.match(c))
    if bad:
        raise ValueError(f"{source}: codes not of the form GM+4 digits: {bad[:10]}")
    dup = sorted(codes[codes.duplicated()].unique())
    if dup:
        raise ValueError(f"{source}: duplicate municipality codes {dup}")
    unknown = sorted(set(frame["grootteklasse"].astype(str)) - set(SIZE_CLASSES))
    if unknown:
        raise ValueError(f"{source}: unknown grootteklasse {unknown}; expected {SIZE_CLASSES}")
    for col in ["gemeentecode", "gemeentenaam", "provincie"]:
        frame[col] = frame[col].astype("string")
    frame["inwoners"] = pd.to_numeric(frame["inwoners"]).astype("Int64")
    frame["grootteklasse"] = pd.Categorical(frame["grootteklasse"].astype(str), categories=SIZE_CLASSES, ordered=True)
    return frame.reset_index(drop=True)


def read_merger_table(path: str | Path) -> pd.DataFrame:
    """Read ``herindelingen_<year>.csv`` (``code_<y-1>, naam_<y-1>, code_<y>, naam_<y>, soort, aandeel``).

    Returns the columns ``code_old, naam_old, code_new, naam_new, soort, aandeel, year_new``.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    years = sorted(int(c.split("_", 1)[1]) for c in raw.columns if re.fullmatch(r"code_\d{4}", c))
    if len(years) != 2:
        raise ValueError(f"{Path(path).name}: expected two columns code_<year>, found {list(raw.columns)}")
    old, new = years
    out = pd.DataFrame(
        {
            "code_old": raw[f"code_{old}"],
            "naam_old": raw.get(f"naam_{old}", ""),
            "code_new": raw[f"code_{new}"],
            "naam_new": raw.get(f"naam_{new}", ""),
            "soort": raw.get("soort", ""),
            "aandeel": pd.to_numeric(raw.get("aandeel", "1")),
            "year_new": new,
        }
    )
    return out[MERGER_COLUMNS]


def explain_unknown_code(code: str, frame: pd.DataFrame, mergers: pd.DataFrame | None, merger_source: str) -> str:
    """Dutch explanation for a code that is not in the frame: merger, newer code, or a suggestion."""
    if mergers is not None and len(mergers):
        gone = mergers[(mergers["code_old"] == code) & (mergers["code_new"] != code)]
        if len(gone):
            year = int(gone["year_new"].iloc[0])
            name = gone["naam_old"].iloc[0]
            targets = [
                f"{r.code_new} {r.naam_new}" + (f" ({float(r.aandeel):.0%})" if len(gone) > 1 else "")
                for r in gone.itertuples()
            ]
            verb = "opgegaan in" if len(gone) == 1 else "verdeeld over"
            return (
                f"{code} ({name}) bestaat niet meer per 1-1-{year}: {verb} {', '.join(targets)} "
                f"({merger_source}). Pas de gemeentelijst van de vragenlijst aan of gebruik de lijst van het "
                f"juiste jaar (frame_year in codebook.yaml)."
            )
        new = mergers[(mergers["code_new"] == code) & (mergers["code_old"] != code)]
        if len(new):
            year = int(new["year_new"].iloc[0])
            return (
                f"{code} ({new['naam_new'].iloc[0]}) bestaat pas per 1-1-{year} ({merger_source}); "
                f"gebruikt de vragenlijst de gemeentelijst van een later jaar?"
            )
    codes = list(frame["gemeentecode"].astype(str))
    names = dict(zip(codes, frame["gemeentenaam"].astype(str), strict=True))
    close = difflib.get_close_matches(code, codes, n=3, cutoff=0.6)
    if close:
        options = " of ".join(f"{c} ({names[c]})" for c in close)
        return f"Onbekende gemeentecode {code}. Bedoelde u {options}?"
    return f"Onbekende gemeentecode {code}; komt niet voor in de gemeentelijst."
