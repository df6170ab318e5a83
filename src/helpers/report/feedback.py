"""The content of one respondent's private feedback report ("terugkoppeling").

``notebooks/feedback.ipynb`` calls this module::

    fb = open_feedback(year)            # codebook, processed data, group numbers, contact: once
    fb.show("GM0363")                   # one respondent's document, in the notebook
    fb.write(build_dir)                 # every document as data (documents.json) for the PDF batch

A document holds, per chapter of the report and per question of the year's codebook, the
respondent's own answer beside the numbers of its size group and of all municipalities
(``helpers.analysis.feedback_numbers``, which also decides what a respondent may see). It names only the
respondent's own municipalities and quotes only its own open answers. The PDF is made from this
data by ``helpers.publish.feedback.batch`` with ``templates/feedback_latex/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import paths
from helpers.analysis.feedback_numbers import QuestionNumbers, compare_all, group_of, largest_class
from helpers.report.feedback_parts import Block, Document, Section, estimate_rows, routing_text, share_rows
from helpers.survey.codebook import Codebook, Question, load_codebook
from helpers.survey.formatting import dutch_date
from helpers.survey.notes import load_notes
from helpers.survey.vocabulary import ANSWERED, NOT_ASKED, SYNTHETIC_NOTE

DOCUMENTS_NAME = "documents.json"
PROCESSED_TABLES = ("municipalities", "respondents")
ALL_MUNICIPALITIES = "Alle gemeenten"
ALL_RESPONDENTS = "Alle respondenten"
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")


class FeedbackError(ValueError):
    """The feedback reports cannot be made (missing data or contact); ``str()`` says what to do."""


def file_stem(codes: list[str]) -> str:
    """``GM0363`` for one municipality, ``GM0014+3`` for the first code plus three more."""
    codes = sorted(codes)
    return codes[0] + (f"+{len(codes) - 1}" if len(codes) > 1 else "")


def chapter_titles(notebooks_dir: Path = paths.NOTEBOOKS_DIR) -> dict[int, str]:
    """Chapter number → the H1 of ``NN_name.ipynb`` (the titles of the national report)."""
    titles = {}
    for path in sorted(Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        source = "".join(cells[0].get("source", "")) if cells else ""
        m = _H1.match(source.strip().splitlines()[0]) if source.strip() else None
        if m:
            titles[int(path.name[:2])] = m.group(1)
    return titles


class FeedbackSource:
    """One year's data for every feedback document; numbers are computed once, documents on demand."""

    def __init__(
        self,
        codebook: Codebook,
        municipalities: pd.DataFrame,
        respondents: pd.DataFrame,
        contact: dict[str, str],
        titles: dict[int, str],
    ) -> None:
        self.codebook = codebook
        self.contact = contact
        self.titles = titles
        self.numbers: dict[str, QuestionNumbers] = compare_all(codebook, municipalities, respondents)
        self.size_class = largest_class(municipalities).to_dict()
        #: Answers per respondent as plain dicts (a pandas row per question would be slow).
        self.answers: dict[str, dict[str, Any]] = {r["respondent_id"]: r for r in respondents.to_dict("records")}
        own = municipalities.sort_values("gemeentecode")[
            ["respondent_id", "gemeentecode", "gemeentenaam", "grootteklasse"]
        ]
        self.own: dict[str, list[dict[str, str]]] = {}
        for r in own.astype(str).to_dict("records"):
            entry = {"code": r["gemeentecode"], "name": r["gemeentenaam"], "size_class": r["grootteklasse"]}
            self.own.setdefault(r["respondent_id"], []).append(entry)
        self.codes = {rid: [m["code"] for m in ms] for rid, ms in self.own.items()}
        stems = {rid: file_stem(codes) for rid, codes in self.codes.items()}
        self.files = dict(sorted(stems.items(), key=lambda kv: kv[1]))
        self.question_numbers = _number_questions(self.asked_questions())

    def asked_questions(self) -> list[Question]:
        """Every question a document covers, in questionnaire order (not the municipality selection)."""
        return [q for q in self.codebook.all_questions if q.type != "municipality"]

    def respondent_ids(self) -> list[str]:
        """Respondents in file-name order."""
        return list(self.files)

    def resolve(self, who: str | None = None) -> str:
        """A ResponseId from a ResponseId, a gemeentecode (``GM0363``) or a file name; None: the first."""
        if who is None:
            return self.respondent_ids()[0]
        who = str(who).removesuffix(".pdf")
        if who in self.files:
            return who
        for rid, codes in self.codes.items():
            if who in codes or who == self.files[rid]:
                return rid
        raise FeedbackError(f"geen respondent gevonden voor {who!r}: geef een ResponseId, gemeentecode of bestandsnaam")

    def document(self, who: str | None = None) -> Document:
        """The feedback document of one respondent (see :func:`resolve` for ``who``)."""
        rid = self.resolve(who)
        cb = self.codebook
        sections: dict[int, list[Block]] = {}
        for q in self.asked_questions():
            sections.setdefault(q.chapter, []).append(self._block(q, rid))
        return Document(
            file=self.files[rid],
            respondent_id=rid,
            year=cb.year,
            title=cb.title,
            municipalities=[dict(m) for m in self.own[rid]],
            size_class=str(self.size_class[rid]),
            fieldwork=f"{dutch_date(cb.fieldwork[0])} tot en met {dutch_date(cb.fieldwork[1])}",
            freeze_date=dutch_date(cb.freeze_date),
            synthetic_warning=SYNTHETIC_NOTE if cb.synthetic else "",
            contact=self.contact,
            sections=[
                Section(ch, self.titles.get(ch, f"Hoofdstuk {ch}"), blocks) for ch, blocks in sorted(sections.items())
            ],
        ).finish()

    def _block(self, q: Question, rid: str) -> Block:
        answers = self.answers[rid]
        status = str(answers[f"{q.id}__status"])
        block = Block(self.question_numbers[q.id], q.id, q.text, "text", status)
        if status == NOT_ASKED:
            when = routing_text(q.asked_if, self.codebook, self.question_numbers)
            block.status_note = f"Deze vraag is u niet gesteld: ze gold alleen als {when}."
        elif status != ANSWERED:
            block.status_note = "U heeft deze vraag niet beantwoord."
        if q.type == "text":
            own = answers[q.id]
            if status == ANSWERED and not pd.isna(own) and str(own).strip():
                block.own_texts.append(str(own).strip())
            return block
        numbers = self.numbers[q.id]
        own_units = {rid} if q.level == "respondent" else set(self.codes[rid])
        group = group_of(str(self.size_class[rid]), numbers)
        block.total_header = ALL_RESPONDENTS if q.level == "respondent" else ALL_MUNICIPALITIES
        block.group_header = group or str(self.size_class[rid])
        if q.type in ("single", "multi"):
            block.kind = "shares"
            share_rows(block, q, numbers, answers if status == ANSWERED else None, group, own_units, self.codebook)
        else:
            block.kind = "estimates"
            estimate_rows(block, q, numbers, answers if status == ANSWERED else None, group, own_units)
        return block

    def documents(self) -> list[Document]:
        """Every respondent's document, in file-name order."""
        return [self.document(rid) for rid in self.respondent_ids()]

    def write(self, build_dir: str | Path) -> Path:
        """Write every document as data to ``<build_dir>/documents.json`` (for ``helpers.publish.feedback.batch``)."""
        out = Path(build_dir) / DOCUMENTS_NAME
        out.parent.mkdir(parents=True, exist_ok=True)
        body = {"year": self.codebook.year, "documents": [d.as_dict() for d in self.documents()]}
        out.write_text(json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
        return out

    def show(self, who: str | None = None) -> None:
        """Display one respondent's document in the notebook (Markdown; the PDF shows the same content)."""
        from IPython.display import Markdown, display

        from helpers.report.feedback_parts import document_markdown

        display(Markdown(document_markdown(self.document(who))))


def _number_questions(questions: list[Question]) -> dict[str, str]:
    """``3.1``, ``3.2``, … per chapter, in questionnaire order."""
    seen: dict[int, int] = {}
    out = {}
    for q in questions:
        seen[q.chapter] = seen.get(q.chapter, 0) + 1
        out[q.id] = f"{q.chapter}.{seen[q.chapter]}"
    return out


def _contact(year: int) -> dict[str, str]:
    path = paths.notes_path(year)
    notes = load_notes(path)
    if notes.contact is None:
        raise FeedbackError(
            f"{path}: geen contactpersoon voor de terugkoppeling (sleutel 'contact'). Voeg toe, bijvoorbeeld:\n"
            "  contact: {name: Onderzoeksteam monitor, email: monitor@example.org}\n"
            f"en draai daarna opnieuw: make feedback YEAR={year}"
        )
    return {k: v for k, v in notes.contact.model_dump().items() if v}


def check_inputs(year: int, data_dir: str | Path | None = None) -> dict[str, str]:
    """Raise :class:`FeedbackError` when the processed tables or the contact are missing; return the contact."""
    data_dir = Path(data_dir) if data_dir is not None else paths.processed_year_dir(year)
    for name in PROCESSED_TABLES:
        path = data_dir / f"{name}.parquet"
        if not path.exists():
            raise FeedbackError(f"{path} ontbreekt: lees eerst de export in met: make data YEAR={year}")
    return _contact(year)


def open_feedback(year: int, data_dir: str | Path | None = None) -> FeedbackSource:
    """Codebook, processed tables (``data_dir``, default ``data/processed/<year>``), contact and chapter titles."""
    contact = check_inputs(year, data_dir)
    data_dir = Path(data_dir) if data_dir is not None else paths.processed_year_dir(year)
    tables = {name: pd.read_parquet(data_dir / f"{name}.parquet") for name in PROCESSED_TABLES}
    codebook = load_codebook(paths.codebook_path(year))
    return FeedbackSource(codebook, tables["municipalities"], tables["respondents"], contact, chapter_titles())
