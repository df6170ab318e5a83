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

from helpers.paths import display
from helpers.survey.input_errors import InputError, Problem
from helpers.survey.vocabulary import SIZE_CLASSES

FRAME_COLUMNS = ["gemeentecode", "gemeentenaam", "provincie", "inwoners", "grootteklasse"]
CODE_PATTERN = re.compile(r"^GM\d{4}$")
MERGER_COLUMNS = ["code_old", "naam_old", "code_new", "naam_new", "soort", "aandeel", "year_new"]


def gm_code(number: int | None) -> str:
    """CBS number -> ``GM`` + 4 digits (``14`` -> ``GM0014``)."""
    if number is None:
        raise ValueError("a municipality column without a CBS number")
    return f"GM{int(number):04d}"


class FrameError(InputError):
    """A municipality frame or merger table that cannot be used; lists every problem with its line."""

    what = "de gemeentelijst is niet ingelezen"


def _read_csv(path: Path) -> pd.DataFrame:
    """A reference CSV as strings; a missing, unreadable or non-UTF-8 file is a FrameError."""
    name = display(path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        problem = Problem(
            "missing_file",
            "De gemeentelijst bestaat niet.",
            name,
            action="Zet de gemeentelijst van 1 januari van het jaar in data/raw/reference/ (zie README daar), of "
            "controleer frame_year in codebook.yaml.",
        )
    except IsADirectoryError:
        problem = Problem("not_a_file", "Dit is een map, geen CSV-bestand.", name)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        problem = Problem(
            "unreadable_file",
            f"Het bestand is geen leesbare UTF-8-CSV ({str(exc).splitlines()[0]}).",
            name,
            action="Sla de lijst op als CSV (UTF-8, komma's) met de kolommen " + ", ".join(FRAME_COLUMNS) + ".",
        )
    raise FrameError(name, [problem])


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read and check a municipality frame; ``grootteklasse`` becomes an ordered categorical."""
    path = Path(path)
    return normalize_frame(_read_csv(path), source=display(path))


def normalize_frame(frame: pd.DataFrame, source: str = "frame") -> pd.DataFrame:
    """Check a frame's columns and values (all problems at once) and give it the processed dtypes.

    Lines in messages assume row ``i`` of ``frame`` is line ``i + 2`` of its file (after the header).
    """
    problems = _frame_problems(frame.reset_index(drop=True), source)
    if problems:
        raise FrameError(source, problems)
    frame = frame[FRAME_COLUMNS].copy()
    for col in ["gemeentecode", "gemeentenaam", "provincie"]:
        frame[col] = frame[col].astype("string")
    frame["inwoners"] = pd.to_numeric(frame["inwoners"]).astype("Int64")
    frame["grootteklasse"] = pd.Categorical(frame["grootteklasse"].astype(str), categories=SIZE_CLASSES, ordered=True)
    return frame.reset_index(drop=True)


def _frame_problems(frame: pd.DataFrame, source: str) -> list[Problem]:
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        return [
            Problem(
                "frame_column",
                f"Kolom {c!r} ontbreekt in de gemeentelijst.",
                source,
                line=1,
                expected="de kolommen " + ", ".join(FRAME_COLUMNS),
                action="Voeg de kolom toe (zie data/raw/reference/README.md).",
            )
            for c in missing
        ]
    problems: list[Problem] = []

    def bad(kind: str, i: int, column: str, message: str, expected: str, **extra) -> None:
        value = str(frame.at[i, column])
        problems.append(Problem(kind, message, source, line=i + 2, column=column, value=value, expected=expected,
                                **extra))  # fmt: skip

    first: dict[str, int] = {}
    for i, code in enumerate(frame["gemeentecode"].astype(str)):
        if not CODE_PATTERN.match(code):
            bad("frame_value", i, "gemeentecode", "Geen CBS-gemeentecode.", "GM gevolgd door 4 cijfers (GM0014)")
        elif code in first:
            bad("frame_duplicate", i, "gemeentecode", f"Gemeente {code} staat twee keer in de lijst (ook op regel "
                f"{first[code] + 2}).", "elke gemeente één keer", action="Verwijder de dubbele regel.")  # fmt: skip
        else:
            first[code] = i
    for i, cls in enumerate(frame["grootteklasse"].astype(str)):
        if cls not in SIZE_CLASSES:
            bad("frame_value", i, "grootteklasse", "Onbekende grootteklasse.", " of ".join(SIZE_CLASSES))
    for i, n in enumerate(frame["inwoners"].astype(str)):
        if n.strip() and not n.strip().isdigit():
            bad("frame_value", i, "inwoners", "Geen aantal inwoners.", "een geheel getal zonder punten, of leeg")
    return problems


def read_merger_table(path: str | Path) -> pd.DataFrame:
    """Read ``herindelingen_<year>.csv`` (``code_<y-1>, naam_<y-1>, code_<y>, naam_<y>, soort, aandeel``).

    Returns the columns ``code_old, naam_old, code_new, naam_new, soort, aandeel, year_new``.
    """
    raw = _read_csv(Path(path))
    years = sorted(int(c.split("_", 1)[1]) for c in raw.columns if re.fullmatch(r"code_\d{4}", c))
    if len(years) != 2:
        name = display(path)
        raise FrameError(name, [Problem("frame_column", "De herindelingstabel heeft niet twee kolommen code_<jaar>.",
                                        name, line=1, value=", ".join(raw.columns), expected="code_2018, code_2019 "
                                        "(oud en nieuw jaar)")])  # fmt: skip
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
