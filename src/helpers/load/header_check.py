"""Do the three header rows agree about what each column is?

Columns are read by ImportId (row 3). Export name (row 1) and label (row 2) must not say the
column is something else: when the name is the codebook's name of *another* column, or the
label names another option, municipality or question, the ImportIds were swapped or the
header rows edited, and reading by ImportId would file answers under the wrong municipality or
question. Such columns stop the load, named with their partner column. A name the codebook
does not know is a rename (a warning elsewhere); names listed in ``export_aliases`` of the
question are recorded renames. Labels are compared loosely (case, accents, spacing) and only
count against a column when they name something else of the codebook, so a reworded or
translated label is never an error. The same pass checks the wording (:mod:`helpers.load.wording_check`):
a question whose labels all carry another text than the codebook's (reworded under an unchanged id) and a
text of the codebook that names a year (until ``text_checked`` confirms it) are warnings with the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.load.problems import ProblemLog
from helpers.load.raw_csv import RawTable
from helpers.load.wording_check import check_reworded, check_year_mentions, normalize
from helpers.survey.codebook import Codebook, Column, Question
from helpers.survey.export_layout import municipality_numbers
from helpers.survey.frame import gm_code

__all__ = ["Target", "check_header_identity", "normalize", "targets"]

_ACTION = (
    "Exporteer opnieuw uit Qualtrics en bewerk de kopregels niet (ook niet in Excel). Is een exportnaam bewust "
    "hernoemd, zet de oude naam dan onder export_aliases bij de vraag in codebook.yaml."
)


@dataclass(frozen=True)
class Target:
    """A codebook column: which question, and which option, item or municipality of it."""

    question: Question
    column: Column
    municipality: str | None = None  #: "GM0014 Groningen" for a municipality column

    def describe(self) -> str:
        q, col = self.question, self.column
        if self.municipality:
            return f"gemeente {self.municipality} ({col.name})"
        if col.role == "option" or (col.role == "text" and col.code is not None):
            label = q.option(col.code).label
            return f"optie {col.code} '{label}' van vraag {q.id} ({col.name})"
        if col.role == "item" and col.code is not None:
            label = next(it.label for it in q.items if it.code == col.code)
            return f"onderdeel {col.code} '{label}' van vraag {q.id} ({col.name})"
        return f"vraag {q.id} ({col.name})"


def targets(codebook: Codebook, frame: pd.DataFrame) -> dict[str, Target]:
    """ImportId -> Target for every column the codebook expects."""
    numbers = municipality_numbers(frame)
    names = dict(zip(frame["gemeentecode"].astype(str), frame["gemeentenaam"].astype(str), strict=True))
    out: dict[str, Target] = {}
    for q in codebook.all_questions:
        for col in q.export_columns(numbers):
            muni = f"{gm_code(col.code)} {names[gm_code(col.code)]}" if q.type == "municipality" else None
            out[col.import_id] = Target(q, col, muni)
    return out


def _by_name(codebook: Codebook, frame: pd.DataFrame, by_iid: dict[str, Target]) -> dict[str, Target]:
    """Export name (the codebook's and every recorded alias) -> Target."""
    numbers = municipality_numbers(frame)
    out: dict[str, Target] = {}
    for q in codebook.all_questions:
        for name in [q.export_name, *q.export_aliases]:
            renamed = q.model_copy(update={"export_name": name})
            for col, own in zip(renamed.export_columns(numbers), q.export_columns(numbers), strict=True):
                out.setdefault(col.name, by_iid[own.import_id])
    return out


def check_header_identity(
    table: RawTable, codebook: Codebook, frame: pd.DataFrame, positions: dict[str, list[int]], log: ProblemLog
) -> None:
    """Log a ``header_mismatch`` for every column whose name or label names another codebook column, a
    ``question_reworded`` for a question the export words differently, and a ``year_in_text`` warning."""
    by_iid = targets(codebook, frame)
    by_name = _by_name(codebook, frame, by_iid)
    muni = codebook.municipality_question
    padded = re.compile(rf"^{re.escape(muni.export_name)}_0+(\d{{1,9}})$")
    texts = {normalize(q.text): q for q in codebook.all_questions}
    where_iid = {iid: pos[0] for iid, pos in positions.items()}
    for iid, pos in positions.items():
        own = by_iid.get(iid)
        if own is None:
            continue
        i = pos[0]
        name = table.names[i]
        match = padded.match(name)
        named = by_iid.get(f"{muni.import_id}_{int(match.group(1))}") if match else by_name.get(name)
        if named is not None and named.column.import_id != own.column.import_id:
            _log(log, table, i, own, named, "kolomnaam", name, where_iid)
            continue
        other = _label_target(table.labels[i], own, texts, by_iid)
        if other is not None:
            _log(log, table, i, own, other, "label", table.labels[i], where_iid)
    check_reworded(table, codebook, frame, positions, log)
    check_year_mentions(codebook, log)


def _label_target(label: str, own: Target, texts: dict[str, Question], by_iid: dict[str, Target]) -> Target | None:
    """The codebook column the label names when that is not ``own``; None when it agrees or names nothing known."""
    lab = normalize(label)
    q = own.question
    text = normalize(q.text)
    if not lab.startswith(text):
        longest = max((t for t in texts if t and lab.startswith(t)), key=len, default=None)
        if longest is None or texts[longest].id == q.id:
            return None
        other = texts[longest]
        return next((t for t in by_iid.values() if t.question.id == other.id), None)
    if own.column.code is None or own.column.role == "answer":
        return None
    suffix = lab[len(text) :].strip(" -?.:…")
    suffix = suffix.removeprefix("selected choice - ").removesuffix(" - text").strip()
    if not suffix:
        return None
    siblings = [t for t in by_iid.values() if t.question.id == q.id and t.column.role == own.column.role]
    if suffix == _label_of(own):
        return None
    return next((t for t in siblings if _label_of(t) == suffix), None)


def _label_of(t: Target) -> str:
    if t.municipality:
        return normalize(t.municipality.split(" ", 1)[1])
    if t.column.role == "item":
        return normalize(next(it.label for it in t.question.items if it.code == t.column.code))
    return normalize(t.question.option(t.column.code).label)


def _log(
    log: ProblemLog, table: RawTable, i: int, own: Target, other: Target, what: str, value: str, where_iid: dict
) -> None:
    article = "de" if what == "kolomnaam" else "het"
    message = (
        f"De kopregels spreken elkaar tegen: volgens de ImportId ({own.column.import_id}) is dit "
        f"{own.describe()}, maar {article} {what} hoort bij {other.describe()}."
    )
    partner = where_iid.get(other.column.import_id)
    if what != "kolomnaam":
        message += " Is het label met de hand bewerkt of verschoven?"
    elif partner is not None and partner != i:
        message += (
            f" De kolom met ImportId {other.column.import_id} heet {table.names[partner]!r} (kolom {partner + 1})"
            ": zijn de ImportIds verwisseld?"
        )
    log.error(
        "header_mismatch",
        message,
        line=1 if what == "kolomnaam" else 2,
        column=table.names[i],
        import_id=table.import_ids[i],
        value=value,
        expected=f"naam {own.column.name!r} en een label over {own.describe().split(' (')[0]}",
        action=_ACTION,
    )
