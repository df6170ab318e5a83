"""Scaffold next year's raw-data folder: ``monitor new-year --year 2019 --from-year 2018``.

:func:`scaffold_year` copies the previous codebook (comments and notes kept) into
``<raw>/<year>/codebook.yaml`` with the year-bound fields updated, checks that the new
year's municipality frame is in ``<raw>/reference/``, and writes a README checklist.
It never overwrites an existing year folder.

The copy drops the options' and items' lineage (``split_from``, ``merged_from``, ``renamed_from``):
it records a change into the previous edition, which the new one does not repeat (its keys are the
previous edition's). Questions' ``comparable_with``/``replaces`` stay: they name earlier ids for the
trends. Texts that name a year are listed as warnings (``survey.wording``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from helpers import paths
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.lineage import CATEGORY_LINEAGE_FIELDS
from helpers.survey.wording import CONFIRM_FIELD, located_mentions

PLACEHOLDER = "# TODO: placeholder from new-year; fill in the real {}"


@dataclass
class Scaffold:
    """What :func:`scaffold_year` wrote and found."""

    year: int
    from_year: int
    year_dir: Path
    codebook: Path
    readme: Path
    frame: Path
    frame_found: bool
    population_size: int | None
    mergers_found: bool
    warnings: list[str] = field(default_factory=list)


def scaffold_year(
    year: int, from_year: int, *, raw_dir: str | Path | None = None, reference_dir: str | Path | None = None
) -> Scaffold:
    """Create ``<raw_dir>/<year>/`` with the copied codebook and a README checklist.

    Raises ``FileExistsError`` when the folder exists and ``FileNotFoundError`` when the
    previous codebook is missing. A missing frame is not an error: the README and
    :func:`next_steps` say how to add it.
    """
    raw = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    reference = Path(reference_dir) if reference_dir is not None else raw / "reference"
    if year <= from_year:
        raise ValueError(f"the new year ({year}) must come after --from-year ({from_year})")
    source = raw / str(from_year) / "codebook.yaml"
    target_dir = raw / str(year)
    if target_dir.exists():
        raise FileExistsError(f"{target_dir} bestaat al; new-year overschrijft nooit een bestaande jaarmap")
    if not source.exists():
        raise FileNotFoundError(f"{source} ontbreekt: kan de codebook van {from_year} niet kopiëren")
    old = load_codebook(source)
    frame = reference / f"gemeenten_{year}.csv"
    population = len(pd.read_csv(frame, dtype=str)) if frame.exists() else None
    text = copy_codebook_text(source.read_text(encoding="utf-8"), year, from_year, population)
    result = Scaffold(
        year=year,
        from_year=from_year,
        year_dir=target_dir,
        codebook=target_dir / "codebook.yaml",
        readme=target_dir / "README.md",
        frame=frame,
        frame_found=frame.exists() and (reference / f"gemeenten_{year}.geojson").exists(),
        population_size=population,
        mergers_found=(reference / f"herindelingen_{year}.csv").exists(),
    )
    if not result.frame_found:
        result.warnings.append(f"gemeentelijst {frame.name} (en .geojson) ontbreekt in {reference}")
    previous = reference / f"gemeenten_{old.frame_year}.csv"
    if not result.mergers_found and result.frame_found and previous.exists() and _codes(frame) != _codes(previous):
        result.warnings.append(
            f"herindelingen_{year}.csv ontbreekt in {reference}: de gemeentelijsten van {old.frame_year} en {year} "
            "verschillen (herindelingen)"
        )
    stripped, removed = strip_category_lineage(text)
    target_dir.mkdir(parents=True)
    result.codebook.write_text(stripped, encoding="utf-8")
    if removed and not _same_but_lineage(old, load_codebook(result.codebook)):
        result.codebook.write_text(text, encoding="utf-8")  # a layout the text edit does not know: keep it
        result.warnings.append(
            f"de herkomst van antwoordopties ({', '.join(CATEGORY_LINEAGE_FIELDS)}) beschrijft de wijziging naar "
            f"{from_year}; haal haar weg uit codebook.yaml (de sleutels van {from_year} blijven dezelfde)"
        )
    new = load_codebook(result.codebook)  # the copy must stay a valid codebook
    result.warnings += year_warnings(new, year)
    result.readme.write_text(readme_text(result), encoding="utf-8")
    return result


#: One lineage entry of an option or item written in a flow mapping (``, split_from: k``) or on its own line.
_LINEAGE_NAMES = "|".join(CATEGORY_LINEAGE_FIELDS)
_FLOW_LINEAGE = re.compile(rf""",\s*(?:{_LINEAGE_NAMES})\s*:\s*(?:"[^"]*"|'[^']*'|\[[^\]]*\]|[A-Za-z0-9_]+)""")
_BLOCK_LINEAGE = re.compile(rf"^(\s+)(?:{_LINEAGE_NAMES})\s*:(.*)$")


def strip_category_lineage(text: str) -> tuple[str, int]:
    """The codebook text without option/item lineage entries, and how many were removed.

    Handles entries inside flow mappings (``{code: 20, key: a, split_from: b}``) and on their own
    line (``split_from: b``, ``merged_from: [a, b]`` or followed by ``- a`` lines). The caller checks
    the result against the original (:func:`_same_but_lineage`).
    """
    out: list[str] = []
    removed = 0
    skip_indent: int | None = None
    for line in text.splitlines(keepends=True):
        indent = len(line) - len(line.lstrip(" "))
        if skip_indent is not None and line.strip().startswith("-") and indent >= skip_indent:
            continue
        skip_indent = None
        block = _BLOCK_LINEAGE.match(line)
        if block and not line.lstrip().startswith("#"):
            removed += 1
            if not block.group(2).split("#")[0].strip():
                skip_indent = len(block.group(1))  # a block list follows
            continue
        line, n = _FLOW_LINEAGE.subn("", line)
        removed += n
        out.append(line)
    return "".join(out), removed


def _same_but_lineage(old: Codebook, new: Codebook) -> bool:
    """Does ``new`` have ``old``'s questions and scales with only the category lineage removed?"""

    def plain(cb: Codebook) -> list[dict]:
        lineage = set(CATEGORY_LINEAGE_FIELDS)
        out = []
        for part in [*cb.questions, *cb.scales.values()]:
            dump = part.model_dump()
            for kind in ("options", "items"):
                dump[kind] = [{k: v for k, v in c.items() if k not in lineage} for c in dump.get(kind, [])]
            out.append(dump)
        return out

    has_lineage = any(
        getattr(c, field) for q in new.questions for c in [*q.options, *q.items] for field in CATEGORY_LINEAGE_FIELDS
    )
    return not has_lineage and plain(old) == plain(new)


def year_warnings(codebook: Codebook, year: int) -> list[str]:
    """One line per question or option text of the new codebook that names a year (``survey.wording``)."""
    return [
        f"codebook.yaml regel {line}: {m.message(year)} Pas de tekst aan of zet {CONFIRM_FIELD}: {year}."
        if line
        else f"{m.message(year)} Pas de tekst aan of zet {CONFIRM_FIELD}: {year}."
        for m, line in located_mentions(codebook, codebook.source)
    ]


def _codes(frame: Path) -> set[str]:
    return set(pd.read_csv(frame, dtype=str)["gemeentecode"])


def _shift(iso: str, years: int) -> str:
    d = date.fromisoformat(iso)
    try:
        return d.replace(year=d.year + years).isoformat()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).isoformat()


def _set_top(text: str, key: str, value: str, after: str | None = None) -> str:
    """Replace the top-level ``key:`` line (or insert it after the ``after:`` line)."""
    pattern = re.compile(rf"^{key}:.*$", re.MULTILINE)
    line = f"{key}: {value}"
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    anchor = re.compile(rf"^{after}:.*$", re.MULTILINE)
    return anchor.sub(lambda m: f"{m.group(0)}\n{line}", text, count=1)


def copy_codebook_text(text: str, year: int, from_year: int, population_size: int | None) -> str:
    """The previous codebook's YAML with year, title, dates, synthetic, frame_year and population_size updated."""
    top = yaml.safe_load(text)
    shift = year - from_year
    start, end = (_shift(d, shift) for d in top["fieldwork"])
    header = (
        f"# Codebook {year}: copied from data/raw/{from_year}/codebook.yaml by `monitor new-year`.\n"
        f"# Check every question against the {year} questionnaire before loading the export:\n"
        f"# see README.md in this folder. Comments below are those of the {from_year} codebook.\n\n"
    )
    text = _set_top(text, "year", str(year))
    text = _set_top(text, "title", str(top["title"]).replace(str(from_year), str(year)))
    text = _set_top(text, "freeze_date", f'"{_shift(str(top["freeze_date"]), shift)}"  ' + PLACEHOLDER.format("date"))
    text = _set_top(text, "fieldwork", f'["{start}", "{end}"]  ' + PLACEHOLDER.format("dates"))
    text = _set_top(text, "synthetic", "false", after="fieldwork")
    text = _set_top(text, "frame_year", str(year))
    size = (
        str(population_size)
        if population_size is not None
        else f"{top['population_size']}  # TODO: number of municipalities in gemeenten_{year}.csv"
    )
    return header + _set_top(text, "population_size", size)


def readme_text(s: Scaffold) -> str:
    """The checklist README of the new year folder."""
    y, f = s.year, s.from_year
    frame_line = (
        f"- [x] `gemeenten_{y}.csv` and `.geojson` found in `data/raw/reference/` "
        f"(`population_size: {s.population_size}`)."
        if s.frame_found
        else f"- [ ] **Missing:** `data/raw/reference/gemeenten_{y}.csv` and `gemeenten_{y}.geojson`. "
        + frame_instructions(y)
    )
    merger_line = (
        f"- [x] `herindelingen_{y}.csv` found."
        if s.mergers_found
        else f"- [ ] If municipalities merged on 1 January {y}: add `data/raw/reference/herindelingen_{y}.csv` "
        f"(columns `code_{y - 1}, naam_{y - 1}, code_{y}, naam_{y}, soort, aandeel`; "
        "see `data/raw/reference/README.md`)."
    )
    return f"""# {y} raw data — checklist

Scaffolded by `monitor new-year --year {y} --from-year {f}`. `codebook.yaml` is a copy of the {f}
codebook with `year`, `title`, `frame_year`, `population_size` and `synthetic: false` updated and
**placeholder** `fieldwork` / `freeze_date` (the {f} dates moved to {y}). Work through this list,
then run `make codebook-diff FROM={f} TO={y}` and `make data YEAR={y}`.

## 1. Export

Qualtrics → Data & Analysis → Export data → CSV, with: *Use numeric values*; *Split multi-value
fields into columns*; *Recode seen but unanswered questions as -99*; *Recode seen but unanswered
multi-value fields as 0*; no decimal commas; time zone Europe/Amsterdam; export all responses (the
loader drops incomplete and preview responses and reports them). Save it here as `export.csv`; do
not open and re-save it in Excel.

- [ ] `export.csv` in this folder.

## 2. Municipality frame

{frame_line}
{merger_line}

## 3. Codebook — compare `codebook.yaml` with the {y} questionnaire

- [ ] `fieldwork` (first and last day the survey was open) and `freeze_date` (day of the export).
- [ ] `synthetic: false` for a real export (the report then drops the synthetic-data labels).
- [ ] **Changed wording → a new id.** The same id in two years means the same, comparable
  question. A reworded question gets a new id plus `comparable_with: [old_id]` when the trend may
  continue, or `replaces: [old_id]` when it may not (the trend shows a break). Never reuse an id.
- [ ] **Dropped questions:** delete them (their chapter views are skipped with a note).
- [ ] **Added questions:** new id, `chapter`, `text`, `type`, options, `export_name` and
  `import_id` (rows 1 and 3 of the export); `report_refs: []`.
- [ ] **Unit of analysis of every new count and percentage question:** `level: respondent` when
  a respondent answers once for all its municipalities together (a number of jobs, a budget), else
  `level: municipality` (`make codebook-diff` lists the new ones that do not say).
- [ ] **Years in texts:** a question or option text that names a year ("in {f} gestart", "vanaf
  {y + 1}") is listed by `make new-year` and `make data`: reword it, or confirm it with
  `text_checked: {y}` on the question.
- [ ] **Changed answer scale → a new id with `replaces`.** Never change a question's scale under
  its old id (`make data` refuses it).
- [ ] **Answer options:** a new wording of the same option keeps its code and its `key` (the label
  changes); a new option gets a new code and a new English `key`; an option with another meaning
  never reuses a code or key. An option split in two: both parts `split_from: <old key>`; options
  merged: `merged_from: [keys]`; a renamed key: `renamed_from: <old key>` (the copy carries none
  of {f}'s: they described the change into {f}). Check `exclusive`,
  `other_text` ("Anders, namelijk") and the `short` wording used in the text.
- [ ] **Remarks about this edition only** (e.g. what its publication leaves out) go in
  `notes.yaml` next to the codebook, never in a notebook; `contact:` there is whom respondents of
  the feedback reports write to.
- [ ] **Export columns the report does not use** on purpose: `ignored_columns:` with the reason
  (any other unknown question column stops `make data`).
- [ ] **Routing** (`asked_if`): compare with the survey flow and display logic.
- [ ] **Export columns:** every `export_name` / `import_id` against rows 1 and 3 of `export.csv`
  (Qualtrics renumbers copied questions).

## 4. Check

```bash
make codebook-diff FROM={f} TO={y}  # lists added, dropped, relinked questions, options, routing
make data YEAR={y}                  # validates export.csv against codebook.yaml and the frame
make report YEAR={y}
```
"""


def frame_instructions(year: int) -> str:
    """How to add a missing municipality frame."""
    return (
        f"Copy the CBS/Kadaster *Wijk- en Buurtkaart* {year} layer `gemeenten` (via PDOK) as "
        f"`gemeenten_{year}.csv` (columns `gemeentecode, gemeentenaam, provincie, inwoners, grootteklasse`) and "
        f"`gemeenten_{year}.geojson` into `data/raw/reference/`, as described in `data/raw/reference/README.md`."
    )


def next_steps(s: Scaffold) -> str:
    """The text ``monitor new-year`` prints."""
    lines = [f"Aangemaakt: {s.codebook}", f"Aangemaakt: {s.readme}"]
    lines += [f"LET OP: {w}" for w in s.warnings]
    lines += ["", "Volgende stappen:"]
    steps = []
    if not s.frame_found:
        steps.append(
            f"Zet gemeenten_{s.year}.csv en gemeenten_{s.year}.geojson (CBS/Kadaster Wijk- en Buurtkaart {s.year}, "
            f"laag gemeenten) in {s.frame.parent}; zie data/raw/reference/README.md."
        )
    steps += [
        f"Zet de Qualtrics-export als {s.year_dir / 'export.csv'} (instellingen: zie README.md).",
        "Vul fieldwork en freeze_date in codebook.yaml in (nu plaatshouders).",
        f"Vergelijk codebook.yaml met de vragenlijst van {s.year}: nieuwe formulering = nieuw id met "
        "comparable_with of replaces; vervallen en nieuwe vragen; antwoordopties; routing.",
        f"make codebook-diff FROM={s.from_year} TO={s.year}",
        f"make data YEAR={s.year}",
        f"make report YEAR={s.year}",
    ]
    lines += [f"  {k}. {step}" for k, step in enumerate(steps, 1)]
    return "\n".join(lines)
