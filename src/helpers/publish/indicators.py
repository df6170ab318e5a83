"""Assemble ``indicators.csv`` and ``quotes.csv`` from the per-notebook parts, validated (CONVENTIONS §9).

Each notebook writes its own ``<build_dir>/indicators/<notebook>.csv`` (same columns as §6) and,
when it quotes open answers, ``<build_dir>/quotes/<notebook>.csv``; parallel chapters never write
the same file and a cached chapter keeps its parts. The build concatenates the parts in notebook
order (indicators before ``01`` runs and again at the end). Every part is checked first: the
required columns (more are allowed), the same header in every part, the field count of every row and the
type of every value. A damaged part stops the build with the file and line; it is never published.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from helpers.survey.vocabulary import INDICATOR_COLUMNS, INDICATORS_DIR, QUOTE_COLUMNS, QUOTES_DIR, STATS

FILENAME = "indicators.csv"
QUOTES_FILENAME = "quotes.csv"


class IndicatorError(ValueError):
    """A per-notebook part is damaged or disagrees with the others; the message names file and line."""


def _int(value: str) -> bool:
    return value.lstrip("-").isdigit()


def _count(value: str) -> bool:
    return value == "" or value.isdigit() or (value.endswith(".0") and value[:-2].isdigit())


def _number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


@dataclass(frozen=True)
class PartSchema:
    """The columns every part must have (more are allowed) and how their values look."""

    parts_dir: str
    filename: str
    required: tuple[str, ...]
    checks: dict[str, tuple[Callable[[str], bool], str]]


INDICATORS = PartSchema(
    INDICATORS_DIR,
    FILENAME,
    tuple(INDICATOR_COLUMNS),
    {
        "year": (_int, "een jaartal"),
        "chapter": (_int, "een hoofdstuknummer"),
        "question": (bool, "een vraag-id"),
        "stat": (lambda v: v in STATS, "een van " + ", ".join(STATS)),
        "value": (_number, "een getal"),
        "n": (_count, "een aantal of leeg"),
        "build_ref": (bool, "het label waaronder het cijfer staat (Figuur 3.1, Tabel 3.1, Hoofdstuk 3)"),
    },
)
QUOTES = PartSchema(
    QUOTES_DIR,
    QUOTES_FILENAME,
    tuple(QUOTE_COLUMNS),
    {
        "chapter": (_int, "een hoofdstuknummer"),
        "question": (bool, "een vraag-id"),
        "quote_id": (lambda v: len(v) == 10 and all(c in "0123456789abcdef" for c in v), "10 hexadecimale tekens"),
        "text": (bool, "de geciteerde tekst"),
    },
)


def validate_part(path: Path, text: str, schema: PartSchema) -> list[str]:
    """The header of a part after checking every row; raise IndicatorError at the first damage."""
    name = f"{schema.parts_dir}/{path.name}"
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise IndicatorError(f"{name}: geen geldige CSV ({exc}); het deel is beschadigd") from None
    header = rows[0]
    missing = [c for c in schema.required if c not in header]
    if missing:
        raise IndicatorError(f"{name}, regel 1: kolom(men) {', '.join(missing)} ontbreken in {','.join(header)!r}")
    index = {c: i for i, c in enumerate(header)}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise IndicatorError(f"{name}, regel {line}: {len(row)} velden, verwacht {len(header)} (afgebroken?)")
        for column, (ok, expected) in schema.checks.items():
            value = row[index[column]]
            if not ok(value):
                raise IndicatorError(f"{name}, regel {line}, kolom {column}: {value!r}; verwacht {expected}")
    return header


def assemble(build_dir: Path, names: Iterable[str], schema: PartSchema = INDICATORS) -> Path | None:
    """Concatenate ``<parts_dir>/<name>.csv`` for ``names`` (in that order) into ``schema.filename``.

    Returns the path, or None when no notebook wrote a part (then a file a notebook wrote directly
    is left alone). Raises IndicatorError when a part is damaged or parts disagree on their header.
    """
    parts = [Path(build_dir) / schema.parts_dir / f"{n}.csv" for n in names]
    parts = [p for p in parts if p.is_file()]
    if not parts:
        return None
    header: list[str] | None = None
    head_line = ""
    body: list[str] = []
    for part in parts:
        try:
            text = part.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise IndicatorError(f"{schema.parts_dir}/{part.name}: niet te lezen ({exc})") from None
        if not text.strip():
            continue
        columns = validate_part(part, text, schema)
        first, _, rest = text.partition("\n")
        if header is None:
            header, head_line = columns, first + "\n"
        elif columns != header:
            raise IndicatorError(
                f"{schema.parts_dir}/{part.name}: kolommen {','.join(columns)!r} wijken af van {','.join(header)!r}"
            )
        if rest:
            body.append(rest if rest.endswith("\n") else rest + "\n")
    target = Path(build_dir) / schema.filename
    target.write_text(head_line + "".join(body), encoding="utf-8")
    return target
