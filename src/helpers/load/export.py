"""Load a raw Qualtrics export into the processed tables (CONVENTIONS §3).

Pipeline (see ``docs/CONVENTIONS.md`` and the export notes):

1. sniff bytes and lines (:mod:`helpers.load.raw_csv`): file type, encoding, delimiter,
   header rows, field counts, repeated headers;
2. map columns by ImportId (:mod:`helpers.load.columns`);
3. metadata, duplicate ResponseIds, row filters: preview/test/spam and incomplete
   responses are dropped and reported with line and ResponseId, never silently;
4. convert answers with sentinels (:mod:`helpers.load.cells`), check values with
   pandera (:mod:`helpers.load.schema`), routing and rules
   (:mod:`helpers.load.answer_status`), municipalities (:mod:`helpers.load.municipalities`);
5. raise one :class:`~helpers.load.problems.RawDataError` listing every error, or build
   the respondents and municipalities tables and a load report (with warnings).

Questions with ``level: respondent`` (e.g. job title) are copied to every
municipality row of their respondent like all other answers; tables of such
questions should count respondents, not municipalities (the report lists them).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.load.answer_status import check_rules, derive_statuses
from helpers.load.cells import answer_cells, convert_answers, parse_metadata, records_frame
from helpers.load.columns import map_columns
from helpers.load.edition_check import check_edition
from helpers.load.municipalities import check_municipalities, explode, municipality_columns, ticked_codes
from helpers.load.plausibility import check_fractions
from helpers.load.private import private_dir, private_file
from helpers.load.problems import Problem, ProblemLog, RawDataError
from helpers.load.raw_csv import read_raw
from helpers.load.rows import check_fieldwork, drop_rows, dropped_entry, warn_lost_municipalities
from helpers.load.schema import answer_dtypes, check_values, municipalities_schema, respondents_schema
from helpers.paths import display
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.export_layout import TIME_ZONE
from helpers.survey.frame import normalize_frame, read_frame, read_merger_table
from helpers.survey.input_errors import InputError

__all__ = ["LoadReport", "LoadResult", "RawDataError", "build_processed", "load_export"]

logger = logging.getLogger("helpers.load.export")

#: Read options the build passes to the notebooks' kernels (``monitor report --encoding/--decimal``).
ENCODING_ENV = "MONITOR_EXPORT_ENCODING"
DECIMAL_ENV = "MONITOR_EXPORT_DECIMAL"


@dataclass
class LoadReport:
    """What happened to every row of the export; written as ``load_report.json``."""

    file: str
    sha256: str
    encoding: str
    bom: bool
    delimiter: str
    decimal: str
    time_zone: str
    rows_read: int
    rows_kept: int
    rows_dropped: int
    dropped: list[dict] = field(default_factory=list)  #: line, response_id, reason, progress, gemeentecodes
    municipalities: int = 0
    frame_size: int = 0
    respondent_level_questions: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["warnings"] = [w.to_dict() for w in self.warnings]
        data["note_respondent_level"] = (
            "Deze vragen beschrijven de respondent; ze staan ook op de rij van elke gemeente van die respondent. "
            "Tel ze per respondent (respondents.parquet), niet per gemeente."
        )
        return data

    def write_json(self, path: str | Path) -> None:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)
        Path(path).write_text(text + "\n", encoding="utf-8")


@dataclass
class LoadResult:
    respondents: pd.DataFrame
    municipalities: pd.DataFrame
    report: LoadReport


def load_export(
    export_path: str | Path,
    codebook: Codebook | str | Path,
    frame: pd.DataFrame | str | Path,
    merger_table: pd.DataFrame | str | Path | None = None,
    *,
    encoding: str | None = None,
    decimal: str = ".",
) -> LoadResult:
    """Read, check and convert one export; raise RawDataError listing every problem found.

    ``encoding`` overrides UTF-8 (e.g. ``"cp1252"`` for a file deliberately saved by Excel);
    ``decimal=","`` declares decimal commas in numeric answers.
    """
    if decimal not in {".", ","}:
        raise ValueError("decimal must be '.' or ','")
    path = Path(export_path)
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    fr = normalize_frame(frame) if isinstance(frame, pd.DataFrame) else read_frame(frame)
    mergers, merger_source = _mergers(merger_table)
    log = ProblemLog(display(path), year=cb.year)

    table = read_raw(path, log, encoding=encoding)
    cmap = map_columns(table, cb, fr, log)
    records = records_frame(table)
    meta = parse_metadata(records, cmap, log)
    muni_cols = municipality_columns(cb, fr, cmap)
    drops = drop_rows(meta, records, log)
    dropped = [dropped_entry(line, reason, meta, records, muni_cols) for line, reason in drops.items()]
    kept = records.drop(index=list(drops))
    if len(records) and kept.empty:
        log.error("no_rows_kept", f"Geen bruikbare responsen: alle {len(records)} rijen zijn uitgesloten.")
    check_fieldwork(meta.loc[kept.index], cb, log)
    conv = convert_answers(kept, answer_cells(cb, cmap), cmap, log, decimal=decimal)
    check_values(conv, log)
    check_fractions(conv, log)
    statuses = derive_statuses(conv, cb, log)
    check_rules(conv, statuses, cb, log)
    ticks = (
        check_municipalities(kept, meta["response_id"], cb, fr, cmap, mergers, log, merger_source)
        if muni_cols
        else ticked_codes(kept, {})
    )
    warn_lost_municipalities(dropped, ticks, log)
    log.raise_if_errors()

    respondents = _respondents(cb, meta.loc[kept.index], conv, statuses, ticks)
    columns = list(answer_dtypes(cb))
    municipalities = explode(respondents.set_index(kept.index), ticks, fr, columns)
    respondents_schema(cb).validate(respondents, lazy=True)
    municipalities_schema(cb, fr).validate(municipalities, lazy=True)
    report = LoadReport(
        file=log.file,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        encoding=table.encoding,
        bom=table.bom,
        delimiter=table.delimiter,
        decimal=decimal,
        time_zone=next((z for z in table.time_zones if z), TIME_ZONE),
        rows_read=table.n_records,
        rows_kept=len(respondents),
        rows_dropped=len(dropped),
        dropped=dropped,
        municipalities=len(municipalities),
        frame_size=len(fr),
        respondent_level_questions=[q.id for q in cb.all_questions if q.level == "respondent"],
        ignored_columns=cmap.ignored,
        warnings=log.warnings,
    )
    for entry in dropped:
        logger.info("regel %s (%s) uitgesloten: %s", entry["line"], entry["response_id"], entry["reason"])
    return LoadResult(respondents, municipalities, report)


def load_year(
    year: int,
    *,
    raw_dir: str | Path | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
) -> LoadResult:
    """Load the export of ``year`` with its codebook, the frame of its year and every merger table.

    The export is ``paths.export_path(year)`` (``MONITOR_DATA_DIR`` for real data) unless ``raw_dir`` is
    given; codebook and reference files come from ``raw_dir`` or ``data/raw``. ``encoding``/``decimal``
    default to ``$MONITOR_EXPORT_ENCODING``/``$MONITOR_EXPORT_DECIMAL`` (set by ``monitor report`` for the
    notebooks), else UTF-8 and a decimal point. Every problem with the codebook, the frame, the merger
    tables or the export raises one :class:`RawDataError`.
    """
    raw_root = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    export = raw_root / str(year) / "export.csv" if raw_dir is not None else paths.export_path(year)
    encoding = encoding or os.environ.get(ENCODING_ENV) or None
    decimal = decimal or os.environ.get(DECIMAL_ENV) or "."
    codebook, frame, mergers = _reference_inputs(year, raw_root, export)
    return load_export(export, codebook, frame, mergers, encoding=encoding, decimal=decimal)


def build_processed(
    year: int,
    *,
    raw_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
) -> LoadResult:
    """:func:`load_year`, then write ``<processed>/<year>/`` (respondents, municipalities, load report).

    The same function checks the data for ``monitor data`` and before ``monitor report`` runs a notebook.
    Raw files are only read; writing anywhere under the raw directory is refused. The folder is owner-only
    (0700) and so is every file written (0600): the tables hold answers per respondent.
    """
    raw_root = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    out_root = Path(processed_dir) if processed_dir is not None else paths.PROCESSED_DIR
    out = out_root / str(year)
    if out.resolve().is_relative_to(raw_root.resolve()):
        raise ValueError(f"refusing to write processed data under the raw directory {raw_root}")
    result = load_year(year, raw_dir=raw_dir, encoding=encoding, decimal=decimal)
    private_dir(out)
    _replace(out / "respondents.parquet", lambda p: result.respondents.to_parquet(p, index=False))
    _replace(out / "municipalities.parquet", lambda p: result.municipalities.to_parquet(p, index=False))
    _replace(out / "load_report.json", result.report.write_json)
    return result


def _replace(target: Path, write) -> None:
    """Write via a temporary file (made owner-only) and rename, so a reader never sees half a file."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        private_file(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _reference_inputs(year: int, raw_root: Path, export: Path) -> tuple[Codebook, pd.DataFrame, pd.DataFrame | None]:
    """Codebook, frame and merger table of ``year``; every problem in them raises one RawDataError."""
    log = ProblemLog(display(export), year=year)
    codebook = frame = mergers = None
    try:
        codebook = load_codebook(raw_root / str(year) / "codebook.yaml")
    except InputError as exc:
        log.extend(exc.problems)
    reference = raw_root / "reference"
    if codebook is not None:
        try:
            frame = read_frame(reference / f"gemeenten_{codebook.frame_year}.csv")
        except InputError as exc:
            log.extend(exc.problems)
    try:
        merger_files = sorted(reference.glob("herindelingen_*.csv"))
        tables = [read_merger_table(p) for p in merger_files]
        mergers = pd.concat(tables, ignore_index=True) if tables else None
    except InputError as exc:
        log.extend(exc.problems)
    if codebook is not None and frame is not None:
        check_edition(raw_root, year, codebook, frame, mergers, log)
    log.raise_if_errors()
    assert codebook is not None and frame is not None
    return codebook, frame, mergers


# --- helpers -----------------------------------------------------------------------------


def _mergers(table: pd.DataFrame | str | Path | None) -> tuple[pd.DataFrame | None, str]:
    if table is None:
        return None, "herindelingen"
    if isinstance(table, pd.DataFrame):
        if "code_old" not in table.columns:
            raise ValueError("merger_table must come from read_merger_table (columns code_old, code_new, …)")
        years = sorted(set(table["year_new"]))
        return table, ", ".join(f"herindelingen_{y}.csv" for y in years)
    return read_merger_table(table), Path(table).name


def _respondents(cb: Codebook, meta: pd.DataFrame, conv, statuses: pd.DataFrame, ticks: pd.Series) -> pd.DataFrame:
    """The respondents table: ids, line, date, municipalities, then answers with CONVENTIONS §3 dtypes."""
    out = pd.DataFrame(
        {
            "respondent_id": meta["response_id"].astype("string"),
            "line": pd.Series(meta.index, index=meta.index, dtype="int64"),
            "recorded_date": meta["recorded_date"],
            "n_municipalities": ticks.map(len).astype("int64"),
            "gemeentecodes": ticks.map(",".join).astype("string"),
        },
        index=meta.index,
    )
    columns = {}
    for name, dtype in answer_dtypes(cb).items():
        columns[name] = _answer_column(cb, name, dtype, conv, statuses)
    out = pd.concat([out, pd.DataFrame(columns, index=meta.index)], axis=1)
    return out.reset_index(drop=True)


def _answer_column(cb: Codebook, name: str, dtype, conv, statuses: pd.DataFrame) -> pd.Series:
    if name.endswith("__status"):
        return statuses[name].astype(dtype)
    qid = name.split("__", 1)[0]
    q = cb.question(qid)
    answered = statuses[f"{qid}__status"] == "beantwoord"
    values = conv.codes[name]
    if name.endswith("__text"):
        return values.astype("string")
    if q.type == "text":
        return values.where(answered).astype("string")
    if q.type == "single":
        labels = {o.code: o.label for o in q.options}
        mapped = values.where(answered).map(lambda c: labels.get(int(c)) if pd.notna(c) else None)
        return pd.Series(pd.Categorical(mapped, dtype=dtype), index=values.index)
    if q.type == "multi":
        return (values == 1).where(answered).astype("boolean")
    return values.where(answered).astype("Float64")
