"""Map the columns of a raw export to the codebook by ImportId (row 3), never by name.

Export names change when someone renames a question between years; ImportIds do
not. A renamed column is read (with a warning) unless its name or label says it is
another column (:mod:`helpers.load.header_check`: an error); a missing required
ImportId is an error, and so is a missing column of a frame municipality unless the
codebook's ``not_offered`` says why; display-order (``*_DO*``), timing and a trailing
empty column are ignored; other unknown columns are ignored with a warning.
Municipality columns for codes outside the frame are kept aside so the loader can
explain them if ticked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from helpers.load.header_check import check_header_identity, normalize
from helpers.load.problems import ProblemLog
from helpers.load.raw_csv import RawTable
from helpers.survey.codebook import Codebook, Question
from helpers.survey.export_layout import METADATA, municipality_numbers
from helpers.survey.frame import gm_code

#: Metadata the loader needs; the other metadata columns may be absent.
REQUIRED_METADATA = ("_recordId", "status", "progress", "finished", "recordedDate")
TIMING_SUFFIXES = ("_First Click", "_Last Click", "_Page Submit", "_Click Count")


@dataclass
class ColumnMap:
    """Where each expected ImportId sits in the file."""

    position: dict[str, int] = field(default_factory=dict)  #: ImportId -> column index
    name: dict[str, str] = field(default_factory=dict)  #: ImportId -> column name in the file
    #: CBS number -> column index, for municipality columns whose code is not in the frame
    extra_municipalities: dict[int, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  #: allow-listed extra columns (not warned about)
    file_names: list[str] = field(default_factory=list)  #: every column name of the file, by position
    #: GM codes of frame municipalities whose column is missing (and not explained in the codebook)
    missing_municipalities: list[str] = field(default_factory=list)
    #: column index -> GM code, for unmapped columns whose name, label or ImportId points to a missing municipality
    municipality_lookalikes: dict[int, str] = field(default_factory=dict)


def map_columns(table: RawTable, codebook: Codebook, frame: pd.DataFrame, log: ProblemLog) -> ColumnMap:
    """Locate every expected column by ImportId; log missing, duplicate, renamed and unknown columns."""
    positions: dict[str, list[int]] = {}
    muni = codebook.municipality_question.import_id
    padded = re.compile(rf"^{re.escape(muni)}_0+(\d{{1,9}})$")
    for i, iid in enumerate(table.import_ids):
        if iid is not None:
            match = padded.match(iid)  # QID1_0014 (leading zeros kept) is QID1_14
            positions.setdefault(f"{muni}_{int(match.group(1))}" if match else iid, []).append(i)
    cmap = ColumnMap(file_names=list(table.names))
    for iid, where in positions.items():
        if len(where) > 1:
            cols = " en ".join(repr(table.names[i]) for i in where)
            log.error(
                "duplicate_import_id",
                f"ImportId {iid} komt {len(where)}× voor (kolommen {cols}).",
                line=3,
                import_id=iid,
                action="Verwijder de dubbele kolom of exporteer opnieuw.",
            )
        cmap.position[iid] = where[0]
        cmap.name[iid] = table.names[where[0]]
    _check_metadata(table, positions, log)
    check_header_identity(table, codebook, frame, positions, log)
    numbers = municipality_numbers(frame)
    used: set[int] = {positions[m.import_id][0] for m in METADATA if m.import_id in positions}
    for q in codebook.all_questions:
        if q.type == "municipality":
            used |= _check_municipality_columns(q, frame, table, positions, cmap, used, log)
        else:
            used |= _check_question(q, numbers, table, positions, log)
    _classify_extras(table, codebook, cmap, used, log)
    return cmap


def _check_municipality_columns(
    q: Question,
    frame: pd.DataFrame,
    table: RawTable,
    positions: dict[str, list[int]],
    cmap: ColumnMap,
    used: set[int],
    log: ProblemLog,
) -> set[int]:
    """Every frame municipality needs its column unless ``not_offered`` in the codebook says why."""
    columns = q.export_columns(municipality_numbers(frame))
    found = {positions[c.import_id][0] for c in columns if c.import_id in positions}
    _warn_renamed(q, municipality_numbers(frame), table, positions, log)
    missing = [c for c in columns if c.import_id not in positions and gm_code(c.code) not in q.not_offered]
    if not missing:
        return found
    names = dict(zip(frame["gemeentecode"].astype(str), frame["gemeentenaam"].astype(str), strict=True))
    lookalikes = _lookalikes(table, q, {gm_code(c.code) for c in missing}, names, found | used)
    cmap.municipality_lookalikes = lookalikes
    cmap.missing_municipalities = [gm_code(c.code) for c in missing]
    by_code = {code: i for i, code in lookalikes.items()}
    for c in missing:
        code = gm_code(c.code)
        message = f"De kolom van gemeente {code} {names[code]} ontbreekt in vraag {q.export_name} ({q.id})."
        if code in by_code:
            i = by_code[code]
            message += (
                f" Kolom {table.names[i]!r} (ImportId {table.import_ids[i] or 'geen'}) lijkt deze gemeente, maar "
                "heeft niet de ImportId van de vragenlijst: zijn naam of ImportId met de hand veranderd?"
            )
        log.error(
            "missing_municipality_column",
            message,
            line=3,
            column=c.name,
            import_id=c.import_id,
            expected=f"een kolom met ImportId {c.import_id} voor elke gemeente uit de gemeentelijst",
            action="Exporteer opnieuw met alle antwoordopties. Stond de gemeente bewust niet in de vragenlijst, "
            f"zet dan '{code}: <reden>' onder not_offered bij vraag {q.id} in codebook.yaml.",
        )
    return found


def _lookalikes(table: RawTable, q: Question, codes: set[str], names: dict[str, str], used: set[int]) -> dict[int, str]:
    """Unmapped columns that name a missing municipality by code (GM0014, Q1_GM0014) or by name (Groningen)."""
    by_name = {normalize(names[c]): c for c in codes}
    by_number = {int(c[2:]): c for c in codes}
    prefixes = "|".join(re.escape(p) for p in (q.export_name, q.import_id, *q.export_aliases))
    number = re.compile(rf"^(?:(?:{prefixes})_)?(?:GM)?0*(\d{{1,4}})$", re.IGNORECASE)
    out: dict[int, str] = {}
    for i, (name, label, iid) in enumerate(zip(table.names, table.labels, table.import_ids, strict=True)):
        if i in used:
            continue
        code = None
        for text in (iid or "", name):
            m = number.match(text.strip())
            if m and int(m.group(1)) in by_number and not text.strip().isdigit():
                code = by_number[int(m.group(1))]
                break
        for text in (name, iid or "", label.rsplit(" - ", 1)[-1]):
            code = code or by_name.get(normalize(text))
        if code:
            out[i] = code
    return out


def _check_metadata(table: RawTable, positions: dict[str, list[int]], log: ProblemLog) -> None:
    for meta in METADATA:
        if meta.import_id not in positions:
            if meta.import_id in REQUIRED_METADATA:
                log.error(
                    "missing_column",
                    f"Verplichte metadatakolom {meta.name} ontbreekt.",
                    line=3,
                    column=meta.name,
                    import_id=meta.import_id,
                    action="Exporteer opnieuw met alle standaardkolommen van Qualtrics.",
                )
            continue
        found = table.names[positions[meta.import_id][0]]
        if found != meta.name:
            log.warning(
                "renamed_column",
                f"Kolom met ImportId {meta.import_id} heet {found!r}, verwacht {meta.name!r}; gelezen op ImportId.",
                line=1,
                column=found,
                import_id=meta.import_id,
            )


def _check_question(
    q: Question, numbers: list[int], table: RawTable, positions: dict[str, list[int]], log: ProblemLog
) -> set[int]:
    columns = q.export_columns(numbers)
    found = [c for c in columns if c.import_id in positions]
    missing = [c for c in columns if c.import_id not in positions]
    _warn_renamed(q, numbers, table, positions, log)
    if missing:
        _report_missing(q, columns, missing, table, positions, log)
    return {positions[c.import_id][0] for c in found}


def _warn_renamed(
    q: Question, numbers: list[int], table: RawTable, positions: dict[str, list[int]], log: ProblemLog
) -> None:
    """One warning per question whose columns carry another name than the codebook's (or a recorded alias)."""
    columns = [c for c in q.export_columns(numbers) if c.import_id in positions]
    recorded = {
        c.name
        for alias in q.export_aliases
        for c in q.model_copy(update={"export_name": alias}).export_columns(numbers)
    }
    renamed = [
        (c, table.names[positions[c.import_id][0]])
        for c in columns
        if table.names[positions[c.import_id][0]] not in {c.name, *recorded}
    ]
    if renamed:
        pairs = ", ".join(f"{old!r} (verwacht {c.name!r})" for c, old in renamed[:5])
        log.warning(
            "renamed_column",
            f"Vraag {q.id}: {len(renamed)} kolom(men) hebben een andere naam dan in codebook.yaml: {pairs}. "
            "De ImportId komt overeen, dus ze zijn gelezen.",
            line=1,
            column=renamed[0][1],
            import_id=renamed[0][0].import_id,
            action="Pas export_name in codebook.yaml aan als de nieuwe naam blijft.",
        )


def _report_missing(q, columns, missing, table: RawTable, positions, log: ProblemLog) -> None:
    if q.type == "multi" and q.import_id in positions:
        pos = positions[q.import_id][0]
        example = next((f[pos] for _, f in table.records if f[pos].strip()), "")
        log.error(
            "unsplit_multi",
            f"Vraag {q.export_name} ({q.id}) staat in één kolom {table.names[pos]!r} met alle gekozen codes "
            f"samen; verwacht één kolom per optie ({columns[0].name} … {columns[-1].name}).",
            line=1,
            column=table.names[pos],
            import_id=q.import_id,
            value=example or None,
            expected="een kolom per optie met 1/0",
            action="Exporteer opnieuw met 'Split multi-value fields into columns'.",
        )
        return
    listed = ", ".join(f"{c.name} ({c.import_id})" for c in missing[:8]) + (" …" if len(missing) > 8 else "")
    message = f"Verplichte kolom(men) van vraag {q.id} ontbreken: {listed}."
    by_name = {n: i for i, n in enumerate(table.names)}
    clashes = [(c, by_name[c.name]) for c in missing if c.name in by_name]
    if clashes:
        c, i = clashes[0]
        other = table.import_ids[i] or "geen"
        message += f" Er is wel een kolom {c.name!r}, maar met ImportId {other}: is de vraag vervangen?"
    log.error(
        "missing_column",
        message,
        line=3,
        column=missing[0].name,
        import_id=missing[0].import_id,
        action="Werk export_name/import_id in codebook.yaml bij, of exporteer de vraag mee.",
    )


#: ImportIds the survey tool gives questions (``QID12``, ``QID12_3``, ``QID12_4_TEXT``).
_QUESTION_ID = re.compile(r"^QID\d+(?:_|$)")


def _classify_extras(table: RawTable, codebook: Codebook, cmap: ColumnMap, used: set[int], log: ProblemLog) -> None:
    muni = codebook.municipality_question
    muni_pattern = re.compile(rf"^{re.escape(muni.import_id)}_0*(\d{{1,9}})$")
    unsplit = {q.import_id for q in codebook.all_questions if q.type == "multi"}
    unknown: list[str] = []
    last = len(table.names) - 1
    for i, (name, iid) in enumerate(zip(table.names, table.import_ids, strict=True)):
        if i in used:
            continue
        match = muni_pattern.match(iid or "")
        if match:
            cmap.extra_municipalities[int(match.group(1))] = i
        elif iid in unsplit:
            continue
        elif (
            _allow_listed(name, iid, trailing=i == last)
            or iid in codebook.ignored_columns
            or name in codebook.ignored_columns
        ):
            cmap.ignored.append(name)
        elif _QUESTION_ID.match(iid or ""):
            _unknown_question(table, codebook, i, cmap, log)
        else:
            unknown.append(f"{name or repr('')} ({iid or 'geen ImportId'})")
    if unknown:
        log.warning(
            "unknown_columns",
            f"Onbekende kolommen genegeerd: {', '.join(unknown)}.",
            line=1,
            action="Hoort een kolom bij een nieuwe vraag, neem die dan op in codebook.yaml.",
        )


def _unknown_question(table: RawTable, codebook: Codebook, i: int, cmap: ColumnMap, log: ProblemLog) -> None:
    """A question column the codebook does not know: refused, with the codebook question it may have been."""
    name, iid, label = table.names[i], table.import_ids[i] or "", table.labels[i] if table.labels else ""
    found = set(cmap.position)
    candidates = [
        q for q in codebook.all_questions
        if q.type != "municipality" and not any(c.import_id in found for c in q.export_columns())
        and _same_wording(q.text, label)
    ]  # fmt: skip
    hint = (
        f" De vraagtekst komt overeen met vraag {candidates[0].id} ({candidates[0].export_name}, verwacht "
        f"{candidates[0].import_id}), waarvan de kolom ontbreekt: is de vraag in het vragenlijstprogramma hernummerd?"
        if candidates
        else ""
    )
    log.error(
        "unknown_question_column",
        f"Kolom {name!r} hoort bij een vraag die niet in codebook.yaml staat; die vraag zou uit het rapport "
        f"verdwijnen.{hint}",
        line=3, column=name, import_id=iid, value=label[:80] or None,
        action="Neem de vraag op in codebook.yaml (of werk import_id bij), of zet de kolom onder ignored_columns "
        "met de reden.",
    )  # fmt: skip


def _same_wording(text: str, label: str) -> bool:
    """Does an export label (row 2: the question's wording, "- option" for a multi column) start like ``text``?"""
    a, b = normalize(text)[:60], normalize(label)
    return bool(a) and a in b


def _allow_listed(name: str, iid: str | None, trailing: bool) -> bool:
    """Display order (``*_DO*``), timing columns and a trailing empty column are expected extras."""
    empty_trailing = trailing and not name.strip() and iid is None
    return empty_trailing or "_DO" in name or "_DO" in (iid or "") or name.endswith(TIMING_SUFFIXES)
