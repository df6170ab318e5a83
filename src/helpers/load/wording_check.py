"""Wording the export and the codebook disagree about, and years in texts that go stale.

* **Reworded question under an unchanged id (a warning with the fix).** Row 2 of the export carries
  the question text as it was asked. When none of a question's columns has a label that starts with
  the codebook's text (compared loosely: case, accents, spacing, end punctuation), the questionnaire
  was probably reworded while the codebook kept the old id, so the report would continue the series
  and print the old wording. It is a warning, not an error, because a label can differ for reasons
  that do not change the question (an export in another survey language, piped text, a typo
  corrected in the survey tool) and the header check never refuses wording alone; the warning names
  the fix, which is one codebook edit: a new id with ``comparable_with: [old id]`` (or ``replaces``
  when the answers are not comparable), or, when the question is the same, its ``text`` as in the
  export (``make codebook-diff`` then lists the new wording and the warning is gone). A label that
  names *another* question of the codebook is :mod:`helpers.load.header_check`'s ``header_mismatch``
  (an error) and is not reported twice.
* **Years in texts (a warning).** A question or option text that names a year
  (:mod:`helpers.survey.wording`) is listed with its codebook line until ``text_checked: <year>``
  confirms it for this edition.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from helpers.load.problems import ProblemLog
from helpers.load.raw_csv import RawTable
from helpers.paths import display
from helpers.survey.codebook import Codebook, Question
from helpers.survey.export_layout import municipality_numbers
from helpers.survey.wording import CONFIRM_FIELD, confirm_action, located_mentions


def normalize(text: str) -> str:
    """Lower case, no accents, single spaces, no trailing punctuation: for comparing labels and names."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"\s+", " ", text).strip(" .:…?")


def check_year_mentions(codebook: Codebook, log: ProblemLog) -> None:
    """Warn about every question, option and item text naming a year not confirmed for this edition."""
    file = display(codebook.source) if codebook.source is not None else f"codebook {codebook.year}"
    for mention, line in located_mentions(codebook, codebook.source):
        log.warning(
            "year_in_text",
            mention.message(codebook.year),
            file=file,
            line=line,
            column=mention.where,
            value=str(mention.years[0]),
            expected=f"een tekst die klopt voor {codebook.year}, of {CONFIRM_FIELD}: {codebook.year}",
            action=confirm_action(mention, codebook.year),
        )


def _labels(q: Question, numbers: list[int], table: RawTable, positions: dict[str, list[int]]) -> list[str]:
    """The row-2 labels of the question's columns that say something (not empty, not just the column's name)."""
    out = []
    for col in q.export_columns(numbers):
        if col.import_id not in positions:
            continue
        i = positions[col.import_id][0]
        label = normalize(table.labels[i])
        if label and label not in {normalize(table.names[i]), normalize(col.import_id)}:
            out.append(table.labels[i])
    return out


def reworded_questions(
    table: RawTable, codebook: Codebook, frame: pd.DataFrame, positions: dict[str, list[int]]
) -> list[tuple[Question, str, int]]:
    """(question, first label, column index) for every question whose export labels all say another text."""
    numbers = municipality_numbers(frame)
    texts = {normalize(q.text) for q in codebook.all_questions}
    out = []
    for q in codebook.all_questions:
        labels = _labels(q, numbers, table, positions)
        own = normalize(q.text)
        if not labels or any(normalize(lab).startswith(own) for lab in labels):
            continue
        if any(normalize(labels[0]).startswith(t) for t in texts if t):
            continue  # names another question: header_check's header_mismatch
        first = next(c for c in q.export_columns(numbers) if c.import_id in positions)
        out.append((q, labels[0], positions[first.import_id][0]))
    return out


def check_reworded(
    table: RawTable, codebook: Codebook, frame: pd.DataFrame, positions: dict[str, list[int]], log: ProblemLog
) -> None:
    """A warning per question whose text in the export differs from the codebook's under the same ImportId."""
    for q, label, i in reworded_questions(table, codebook, frame, positions):
        log.warning(
            "question_reworded",
            f"Vraag {q.id} ({q.import_id}) is in de export anders geformuleerd dan in codebook.yaml: de vragenlijst "
            "lijkt gewijzigd terwijl het codebook hetzelfde id houdt. Hetzelfde id betekent dezelfde, vergelijkbare "
            "vraag: het rapport zet de reeks voort en drukt de formulering uit het codebook af.",
            line=2,
            column=table.names[i],
            import_id=table.import_ids[i],
            value=" ".join(label.split())[:160],
            expected=f"een label dat begint met ‘{' '.join(q.text.split())[:160]}’",
            action=(
                f"Geef de vraag in codebook.yaml een nieuw id met comparable_with: [{q.id}] (vergelijkbaar) of "
                f"replaces: [{q.id}] (niet vergelijkbaar) en de tekst uit de export; is het dezelfde vraag (alleen "
                "een verbeterde schrijfwijze), neem dan alleen de tekst uit de export over in text: (make "
                "codebook-diff toont de nieuwe formulering)."
            ),
        )
