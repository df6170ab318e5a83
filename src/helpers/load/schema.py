"""pandera schemas: value checks on the converted answers, and the processed-table contract.

* :func:`check_values` validates codes and numbers (scale codes, 0/1 ticks, ranges,
  integers) lazily with the physical line as index, and turns every failure into
  a located :class:`~helpers.load.problems.Problem`.
* :func:`respondents_schema` / :func:`municipalities_schema` describe the processed
  tables of CONVENTIONS §3 (columns, order, dtypes); notebooks and tests may use them.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from helpers.load.cells import Cell, Converted, codes_text, expected_text
from helpers.load.problems import ProblemLog
from helpers.survey.codebook import Codebook, Question
from helpers.survey.vocabulary import SIZE_CLASSES, STATUSES

STATUS_DTYPE = pd.CategoricalDtype(STATUSES, ordered=False)


# --- values of the export --------------------------------------------------------------

_ACTIONS = {
    "code_outside_scale": "Is er tijdens het veldwerk een antwoordoptie toegevoegd of gewijzigd? Werk dan "
    "codebook.yaml bij; anders corrigeer de waarde.",
    "not_a_tick": "Een aangevinkte optie is 1, een niet-aangevinkte 0; exporteer opnieuw met 'Split multi-value "
    "fields into columns' en 'Recode seen but unanswered multi-value fields as 0'.",
    "out_of_range": "Corrigeer de waarde, of zet -99 als de vraag niet (zinvol) beantwoord is.",
    "not_an_integer": "Een aantal is een geheel getal; corrigeer de waarde.",
    "above_count_maximum": "Corrigeer de waarde (een tikfout, of een bedrag of telefoonnummer in het verkeerde "
    "veld?); is het aantal echt zo groot, zet dan range: {max: …} bij de vraag in codebook.yaml.",
}
_MESSAGES = {
    "code_outside_scale": "Code buiten de antwoordschaal van vraag {q}.",
    "not_a_tick": "Geen geldig vinkje bij vraag {q}.",
    "out_of_range": "Waarde buiten het toegestane bereik van vraag {q}.",
    "not_an_integer": "Geen geheel getal bij vraag {q}.",
    "above_count_maximum": "Aantal boven het standaardmaximum van {hi:g} bij vraag {q}.",
}


def _value_checks(cell: Cell) -> list[tuple[pa.Check, str]]:
    q, role = cell.question, cell.column.role
    if role == "answer":
        codes = [o.code for o in q.options]
        return [(pa.Check.isin(codes, error=f"isin {codes_text(codes)}"), "code_outside_scale")]
    if role == "option":
        return [(pa.Check.isin([0, 1], error="isin 0, 1"), "not_a_tick")]
    if role == "item":
        lo, hi = q.value_range
        checks = [(pa.Check.in_range(lo, hi, error=f"in_range {lo:g}–{hi:g}"), "out_of_range")]
        if q.type == "count":
            checks.append((pa.Check(lambda s: s % 1 == 0, error="integer"), "not_an_integer"))
        return checks
    return []


def check_values(conv: Converted, log: ProblemLog) -> None:
    """Validate the converted codes lazily; log one located problem per failing cell."""
    columns, kinds = {}, {}
    for target, cell in conv.cells.items():
        pairs = _value_checks(cell)
        if pairs:
            columns[target] = pa.Column(checks=[c for c, _ in pairs], nullable=True)
            kinds[target] = [k for _, k in pairs]
    if not columns:
        return
    try:
        pa.DataFrameSchema(columns, strict=False).validate(conv.codes, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        for row in cases.itertuples(index=False):
            cell = conv.cells[row.column]
            line = int(row.index)
            if (line, cell.column.import_id) in conv.invalid:
                continue
            kind = _kind(kinds[row.column][int(row.check_number)], cell, conv.codes.at[line, row.column])
            log.error(
                kind,
                _MESSAGES[kind].format(q=cell.question.id, hi=cell.question.value_range[1]),
                line=line,
                column=cell.file_name,
                import_id=cell.column.import_id,
                value=str(conv.raw.at[line, cell.column.import_id]),
                expected=expected_text(cell),
                action=_ACTIONS[kind],
            )


def _kind(kind: str, cell: Cell, value: object) -> str:
    """A count above the default maximum (not one the codebook set) gets its own kind and advice."""
    q = cell.question
    too_large = kind == "out_of_range" and q.type == "count" and q.bounded_by_default
    return "above_count_maximum" if too_large and float(value) > q.value_range[1] else kind  # type: ignore[arg-type]


# --- processed tables ------------------------------------------------------------------


def answer_dtypes(codebook: Codebook) -> dict[str, object]:
    """Processed answer columns (in order) with their dtypes, per CONVENTIONS §3."""
    out: dict[str, object] = {}
    for q in codebook.all_questions:
        if q.type == "municipality":
            continue
        for name in q.processed_columns():
            out[name] = _dtype(codebook, q, name)
        out[f"{q.id}__status"] = STATUS_DTYPE
    return out


def _dtype(codebook: Codebook, q: Question, name: str) -> object:
    if name.endswith("__text") or q.type == "text":
        return "string"
    if q.type == "single":
        return pd.CategoricalDtype([o.label for o in q.options], ordered=codebook.is_ordered(q.id))
    if q.type == "multi":
        return "boolean"
    return "Float64"


def _answer_columns(codebook: Codebook) -> dict[str, pa.Column]:
    return {name: pa.Column(dtype, nullable=True) for name, dtype in answer_dtypes(codebook).items()}


def respondents_schema(codebook: Codebook) -> pa.DataFrameSchema:
    """Contract of ``respondents.parquet``: exact columns in order, dtypes, unique respondents."""
    columns = {
        "respondent_id": pa.Column("string", unique=True),
        "line": pa.Column("int64", pa.Check.ge(1), unique=True),
        "recorded_date": pa.Column(nullable=True),
        "n_municipalities": pa.Column("int64", pa.Check.ge(1)),
        "gemeentecodes": pa.Column("string", pa.Check.str_matches(r"^GM\d{4}(,GM\d{4})*$")),
    }
    return pa.DataFrameSchema(columns | _answer_columns(codebook), strict=True, ordered=True, name="respondents")


def municipalities_schema(codebook: Codebook, frame: pd.DataFrame | None = None) -> pa.DataFrameSchema:
    """Contract of ``municipalities.parquet``: one row per represented municipality."""
    code_checks = [pa.Check.str_matches(r"^GM\d{4}$")]
    if frame is not None:
        code_checks.append(pa.Check.isin(list(frame["gemeentecode"].astype(str))))
    columns = {
        "gemeentecode": pa.Column("string", code_checks, unique=True),
        "gemeentenaam": pa.Column("string"),
        "provincie": pa.Column("string"),
        "inwoners": pa.Column("Int64", nullable=True),
        "grootteklasse": pa.Column(pd.CategoricalDtype(SIZE_CLASSES, ordered=True)),
        "respondent_id": pa.Column("string"),
    }
    return pa.DataFrameSchema(columns | _answer_columns(codebook), strict=True, ordered=True, name="municipalities")
