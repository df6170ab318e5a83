"""Routing, status and cross-column rules of the converted answers.

* :func:`derive_statuses` decides per row and question ``beantwoord`` /
  ``geen antwoord`` / ``niet gevraagd`` from the routing and the sentinels, and
  logs answers where the routing says "not asked" and empty cells where it says
  "asked" (the file was probably exported without the -99 recode).
* :func:`check_rules` checks multi-answer rules (max_answers = error; exclusive
  option combined with others and "anders" tick/text mismatches = warnings) and
  warns once when a file holds no -99 at all.
"""

from __future__ import annotations

import pandas as pd

from helpers.load.cells import SENTINEL, Cell, Converted
from helpers.load.problems import ProblemLog
from helpers.survey.codebook import Codebook, Question, condition_questions
from helpers.survey.routing import describe_routing, evaluate_condition
from helpers.survey.vocabulary import ANSWERED, NOT_ASKED, SKIPPED

_RECODE_HINT = (
    "Exporteer met 'Recode seen but unanswered questions as -99' en 'Recode seen but unanswered multi-value "
    "fields as 0'; klopt dat al, controleer dan de routing (asked_if) in codebook.yaml."
)


def question_cells(conv: Converted, q: Question) -> list[Cell]:
    return [c for c in conv.cells.values() if c.question.id == q.id]


def _main_cells(q: Question, cells: list[Cell]) -> list[Cell]:
    """The cells that carry the answer (not the 'anders' text boxes)."""
    return [c for c in cells if q.type == "text" or c.column.role != "text"]


def available_questions(conv: Converted, codebook: Codebook) -> list[Question]:
    """Questions whose columns are all present and whose routing depends only on such questions."""
    ok: list[Question] = []
    ids: set[str] = set()
    for q in codebook.all_questions:
        if q.type == "municipality":
            continue
        complete = len(question_cells(conv, q)) == len(q.processed_columns())
        if complete and condition_questions(q.asked_if) <= ids:
            ok.append(q)
            ids.add(q.id)
    return ok


def derive_statuses(conv: Converted, codebook: Codebook, log: ProblemLog) -> pd.DataFrame:
    """``<qid>__status`` per available question (index = line); logs routing contradictions."""
    out = {}
    effective = conv.codes.copy()  # answers of questions not asked cannot trigger routing
    for q in available_questions(conv, codebook):
        cells = question_cells(conv, q)
        raw = conv.raw[[c.column.import_id for c in cells]].astype(str).apply(lambda s: s.str.strip())
        main = raw[[c.column.import_id for c in _main_cells(q, cells)]]
        asked = evaluate_condition(q.asked_if, effective)
        effective.loc[~asked, [c.target for c in cells]] = pd.NA
        ids = {c.column.import_id for c in cells}
        bad = pd.Series(
            [any((line, i) in conv.invalid for i in ids) for line in raw.index], index=raw.index, dtype=bool
        )
        for line in raw.index[~asked & (raw != "").any(axis=1) & ~bad]:
            _log_not_asked(q, cells, raw, line, conv, codebook, log)
        empty = main == ""
        if q.type == "text":
            answered = ~empty.all(axis=1) & (main != SENTINEL).any(axis=1)
        else:
            for line in raw.index[asked & empty.any(axis=1) & ~bad]:
                _log_missing(q, cells, main.loc[line], line, codebook, log)
            filled = ~empty.any(axis=1)
            if q.type == "multi":
                answered = filled & (main == "1").any(axis=1)
            else:
                answered = filled & ~(main == SENTINEL).all(axis=1)
            answered |= bad
        status = pd.Series(NOT_ASKED, index=raw.index, dtype=object)
        status[asked] = SKIPPED
        status[asked & answered] = ANSWERED
        out[f"{q.id}__status"] = pd.Categorical(status, categories=[ANSWERED, SKIPPED, NOT_ASKED])
    return pd.DataFrame(out, index=conv.raw.index)


def _log_missing(
    q: Question, cells: list[Cell], values: pd.Series, line: int, codebook: Codebook, log: ProblemLog
) -> None:
    empty = values == ""
    first = next(c for c in _main_cells(q, cells) if values[c.column.import_id] == "")
    route = "" if q.asked_if is None else f" ({describe_routing(q.asked_if, codebook, style='export')})"
    log.error(
        "missing_answer",
        (f"Vraag {q.id} is leeg" if empty.all() else f"Vraag {q.id} is deels leeg")
        + f", terwijl hij volgens de routing gesteld is{route} en de respons voltooid is.",
        line=int(line),
        column=first.file_name,
        import_id=first.column.import_id,
        value="",
        expected="een antwoord, of -99 (gezien, niet beantwoord)" + (", of 0 per optie" if q.type == "multi" else ""),
        action=_RECODE_HINT,
    )


def _log_not_asked(
    q: Question, cells: list[Cell], raw: pd.DataFrame, line: int, conv: Converted, codebook: Codebook, log: ProblemLog
) -> None:
    first = next(c for c in cells if raw.at[line, c.column.import_id] != "")
    parents = []
    for qid in sorted(condition_questions(q.asked_if)):
        for c in question_cells(conv, codebook.question(qid)):
            if c.column.role in {"answer", "option"}:
                parents.append(f"{c.file_name}={conv.raw.at[line, c.column.import_id] or 'leeg'}")
    log.error(
        "answer_not_asked",
        f"Vraag {q.id} is ingevuld, terwijl de routing zegt dat hij niet gesteld is: "
        f"voorwaarde {describe_routing(q.asked_if, codebook, style='export')} geldt niet "
        f"(gevonden: {', '.join(parents)}).",
        line=line,
        column=first.file_name,
        import_id=first.column.import_id,
        value=raw.at[line, first.column.import_id],
        expected="leeg (niet gevraagd)",
        action="Controleer de routing (asked_if) in codebook.yaml tegen de display logic in Qualtrics.",
    )


# --- rules -----------------------------------------------------------------------------


def check_rules(conv: Converted, statuses: pd.DataFrame, codebook: Codebook, log: ProblemLog) -> None:
    """max_answers, exclusive options, 'anders' text vs tick, and the file-level -99 check."""
    for q in available_questions(conv, codebook):
        answered = statuses[f"{q.id}__status"] == ANSWERED
        if q.type == "multi":
            _check_multi(q, conv, answered, log)
        if any(o.other_text for o in q.options):
            _check_other_text(q, conv, answered, log)
        if q.constant_sum is not None:
            _check_constant_sum(q, conv, answered, log)
    _check_sentinels(conv, log)


def _check_constant_sum(q: Question, conv: Converted, answered: pd.Series, log: ProblemLog) -> None:
    """The items of an answered row add up to the codebook's total within its tolerance (missing items = 0)."""
    rule = q.constant_sum
    assert rule is not None
    cells = [conv.cells[f"{q.id}__{it.code}"] for it in q.items]
    values = conv.codes[[c.target for c in cells]]
    ids = [c.column.import_id for c in cells]
    lo, hi = q.value_range
    in_range = ((values >= lo) & (values <= hi)).fillna(True).all(axis=1)  # a value out of range is reported already
    filled = values.notna().any(axis=1) & answered & in_range
    totals = values.fillna(0).sum(axis=1)
    wrong = filled & ((totals - rule.total).abs() > rule.tolerance)
    for line in values.index[wrong]:
        if any((line, i) in conv.invalid for i in ids):
            continue
        raw = " + ".join(conv.raw.at[line, i] or "leeg" for i in ids)
        log.error(
            "constant_sum",
            f"De onderdelen van vraag {q.id} tellen op tot {float(totals[line]):g}, niet tot {rule.total:g}.",
            line=int(line),
            column=f"{cells[0].file_name} … {cells[-1].file_name}",
            import_id=f"{ids[0]} … {ids[-1]}",
            value=raw,
            expected=f"samen {rule.total:g} (± {rule.tolerance:g}, constant_sum in codebook.yaml)",
            action="Corrigeer de waarden met de respondent, of zet de vraag op -99 (niet beantwoord) en leg dat vast.",
        )


def _check_multi(q: Question, conv: Converted, answered: pd.Series, log: ProblemLog) -> None:
    ticks = pd.DataFrame({o.code: conv.codes[f"{q.id}__{o.code}"] == 1 for o in q.options}).fillna(False)
    ticks = ticks[answered.to_numpy()]
    first = conv.cells[f"{q.id}__{q.options[0].code}"]
    n_ticked = ticks.sum(axis=1)
    if q.max_answers is not None:
        for line in ticks.index[n_ticked > q.max_answers]:
            codes = [str(c) for c in ticks.columns if ticks.at[line, c]]
            log.error(
                "too_many_answers",
                f"{int(n_ticked[line])} opties aangekruist bij vraag {q.id}, maximaal {q.max_answers}.",
                line=int(line),
                column=f"{q.export_name}_*",
                import_id=f"{first.column.import_id.rsplit('_', 1)[0]}_*",
                value=",".join(codes),
                expected=f"hoogstens {q.max_answers} aangekruiste opties",
                action="Controleer max_answers in codebook.yaml en de validatie in Qualtrics; corrigeer de respons.",
            )
    for o in q.options:
        if not o.exclusive:
            continue
        lines = list(ticks.index[ticks[o.code] & (n_ticked > 1)])
        if lines:
            log.warning(
                "exclusive_combined",
                f"Vraag {q.id}: '{o.label}' (exclusief) is samen met andere opties aangekruist op "
                f"{_lines(lines)}; gelezen zoals aangekruist.",
                line=int(lines[0]),
                column=conv.cells[f"{q.id}__{o.code}"].file_name,
                import_id=conv.cells[f"{q.id}__{o.code}"].column.import_id,
            )


def _check_other_text(q: Question, conv: Converted, answered: pd.Series, log: ProblemLog) -> None:
    for o in (o for o in q.options if o.other_text):
        text_cell = conv.cells[f"{q.id}__{o.code}__text"]
        has_text = conv.codes[text_cell.target].notna()
        if q.type == "multi":
            ticked = (conv.codes[f"{q.id}__{o.code}"] == 1).fillna(False)
        else:
            ticked = (conv.codes[q.id] == o.code).fillna(False)
        ticked &= answered
        for lines, what in (
            (list(conv.codes.index[ticked & ~has_text]), f"'{o.label}' gekozen maar de toelichting is leeg"),
            (list(conv.codes.index[has_text & ~ticked]), f"toelichting ingevuld maar '{o.label}' niet gekozen"),
        ):
            if lines:
                log.warning(
                    "other_text_mismatch",
                    f"Vraag {q.id}: {what} op {_lines(lines)}.",
                    line=int(lines[0]),
                    column=text_cell.file_name,
                    import_id=text_cell.column.import_id,
                )


def _check_sentinels(conv: Converted, log: ProblemLog) -> None:
    ids = [c.column.import_id for c in conv.cells.values() if c.column.role in {"answer", "item"}]
    if not ids or conv.raw.empty:
        return
    if not (conv.raw[ids].astype(str).apply(lambda s: s.str.strip()) == SENTINEL).any().any():
        log.warning(
            "no_sentinel",
            "Geen enkele -99 in het bestand: is bij het exporteren 'Recode seen but unanswered questions as -99' "
            "aangevinkt? Zonder die optie zijn overgeslagen en niet-getoonde vragen niet te onderscheiden.",
            action=_RECODE_HINT,
        )


def _lines(lines: list) -> str:
    shown = ", ".join(str(int(x)) for x in lines[:10]) + (" …" if len(lines) > 10 else "")
    return f"regel {shown}" if len(lines) == 1 else f"regels {shown} ({len(lines)}×)"
