"""Assemble ``indicators.csv`` and ``quotes.csv`` from the per-notebook parts, validated (CONVENTIONS §9).

Each notebook writes its own ``<build_dir>/indicators/<notebook>.csv`` (same columns as §6) and,
when it quotes open answers, ``<build_dir>/quotes/<notebook>.csv``; parallel chapters never write
the same file and a cached chapter keeps its parts. The build concatenates the parts in notebook
order (indicators before ``01`` runs and again at the end). Every part is checked first: the
required columns (more are allowed), the same header in every part, the field count of every row and the
type of every value. A damaged part stops the build with the file and line; it is never published.

The assembled ``indicators.csv`` gives every number a stable, readable ``id`` (:func:`indicator_id`):
``<question>.<category key>.<stat>`` plus ``.<group>`` for a breakdown, trend year or subgroup
(``additional_policy.yes.pct``, ``additional_policy.yes.pct.g4``; a net by its own key, ``agree_net``, never by
the answer it may equal); a second row with the same id in one
edition gets ``~2``, a third ``~3`` (in notebook order). The reviewer's HTML links every number to it.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
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


#: The column the build fills in when it assembles the parts (a part may leave it empty or out).
ID_COLUMN = "id"
#: Between an id and its number when the same id occurs again in one edition (``q.yes.pct~2``).
DUPLICATE_MARK = "~"

INDICATORS = PartSchema(
    INDICATORS_DIR,
    FILENAME,
    tuple(c for c in INDICATOR_COLUMNS if c != ID_COLUMN),
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
        if schema is INDICATORS and ID_COLUMN in columns:  # the build fills the ids; a part's own are dropped
            columns, text = _without(text, columns.index(ID_COLUMN))
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
    if schema is INDICATORS:
        _write_ids(target)
    return target


def _without(text: str, index: int) -> tuple[list[str], str]:
    """A validated part's columns and text without column ``index``."""
    rows = [r[:index] + r[index + 1 :] for r in csv.reader(io.StringIO(text, newline=""), strict=True)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return rows[0], out.getvalue()


def slug(text: str) -> str:
    """``text`` as an id part: ASCII, lower case, runs of other characters as one ``_``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


#: The pct_among subgroup tag in a category (``"Ja | given_q = Ja"``, ``report.numbers``).
_TAG = " | "


def _split(category: str, labels: Mapping[str, str]) -> tuple[str, str]:
    """(category key, group) of an indicator's category text, keys from ``labels`` (label → key)."""
    category, _, tag = category.partition(_TAG)
    group = ""
    if category not in labels and ": " in category:
        head, rest = category.split(": ", 1)
        if rest in labels or head.isdigit() or not labels:
            group, category = head, rest
    if tag:
        group = "_".join(x for x in (group, "onder", tag.replace(" = ", " ")) if x)
    return labels.get(category) or slug(category), slug(group)


def indicator_id(question: str, category: str, stat: str, labels: Mapping[str, str] | None = None) -> str:
    """The readable id of one number (before the duplicate rule): ``question.key.stat[.group]``.

    ``category`` is the indicator's category text; ``labels`` maps this question's answer labels to
    their codebook keys (without it the label's :func:`slug` stands in for the key).
    """
    key, group = _split(category, labels or {})
    return ".".join(x for x in (question, key, stat, group) if x)


def unique_ids(ids: Iterable[str]) -> list[str]:
    """``ids`` with the second and later copies of an id numbered: ``a``, ``a~2``, ``a~3``."""
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
        out.append(i if seen[i] == 1 else f"{i}{DUPLICATE_MARK}{seen[i]}")
    return out


def _labels_by_question(year: str) -> dict[str, dict[str, str]]:
    """For each question of edition ``year``'s codebook: answer, item and net label → key ({} without a codebook).

    A question on a shared scale has its options and nets from the scale (``Codebook.question``), so an answer and
    the net that equals it ("Helemaal eens", "(Helemaal) eens") keep their own keys (``strongly_agree``,
    ``agree_net``) and their ids do not depend on the order of the notebooks."""
    from helpers import paths
    from helpers.survey.codebook import load_codebook

    if not year.lstrip("-").isdigit() or not paths.codebook_path(int(year)).is_file():
        return {}
    codebook = load_codebook(paths.codebook_path(int(year)))
    return {q.id: {c.label: c.key for c in codebook.question(q.id).categories} for q in codebook.questions}


def _write_ids(target: Path) -> None:
    """Fill the ``id`` column of an assembled ``indicators.csv`` (added last when the parts lack it)."""
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return
    labels = _labels_by_question(rows[0]["year"])
    ids = unique_ids(indicator_id(r["question"], r["category"], r["stat"], labels.get(r["question"])) for r in rows)
    header = list(rows[0].keys()) + ([] if ID_COLUMN in rows[0] else [ID_COLUMN])
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, ID_COLUMN: i} for r, i in zip(rows, ids, strict=True))
