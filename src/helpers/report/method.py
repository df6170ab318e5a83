"""Generated parts of the method appendix ("Verantwoording"): the load summary, the loader's warnings in
the reader's terms, and the questionnaire changes. The appendix's prose is in notebook 00.

Respondent identifiers (ResponseIds) never appear: dropped rows are described by line and reason, and
question ids in warnings are replaced by the questions' wording.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import paths
from helpers.analysis.table import Table, number_rows
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.text_escape import SafeMarkdown, markdown_text
from helpers.synth.spec import derived_from
from helpers.year.codebook_diff import diff_codebooks, render_markdown

_RESPONSE_ID = re.compile(r"R_[A-Za-z0-9]{10,20}")
LOAD_QUESTION = "inlezen"  # not a question: the rows of the export


def redact_ids(text: str) -> str:
    """Replace survey ResponseIds by a neutral token (no respondent identifiers in the report)."""
    return _RESPONSE_ID.sub("[respons]", text)


def reader_terms(text: str, codebook: Codebook) -> str:
    """A loader message for readers: ResponseIds redacted, question ids replaced by the wording."""
    text = redact_ids(text)
    for q in sorted(codebook.all_questions, key=lambda q: -len(q.id)):
        text = re.sub(rf"\b[Vv]raag {re.escape(q.id)}\b", f"Bij de vraag ‘{q.text}’", text)
        text = re.sub(rf"\b{re.escape(q.id)}\b", f"‘{q.text}’", text)
    return text


def _reason_kind(reason: str) -> str:
    text = reason.lower()
    if "preview" in text or "proef" in text or "test" in text:
        return "proef- of testresponsen"
    if "onvolledig" in text or "incomplete" in text or "finished" in text:
        return "onvolledige responsen"
    return redact_ids(reason)


def load_table(report: dict[str, Any]) -> Table:
    """Rows read, dropped (per reason) and kept, and represented municipalities, from ``load_report.json``."""
    reasons = Counter(_reason_kind(d["reason"]) for d in report.get("dropped", []))
    rows = [("Responsen in de export", report["rows_read"])]
    rows += [(f"Uitgesloten: {kind}", k) for kind, k in sorted(reasons.items())]
    rows += [
        ("Responsen in de analyse (respondenten)", report["rows_kept"]),
        ("Vertegenwoordigde gemeenten", report["municipalities"]),
        ("Gemeenten in de gemeentelijst", report["frame_size"]),
    ]
    lines = sorted(d["line"] for d in report.get("dropped", []))
    foot = f"Uitgesloten regels van de export: {', '.join(map(str, lines))}." if lines else "Geen regels uitgesloten."
    return Table(
        data=pd.DataFrame({"Aantal": [k for _, k in rows]}, index=pd.Index([r for r, _ in rows], name="Stap")),
        question=LOAD_QUESTION,
        title="Inlezen van de export",
        n=None,
        base="",
        kind="load",
        stat="count",
        footnote=foot,
        formats={"Aantal": "int"},
        indicators=number_rows([(f"inlezen: {r}", "count", float(k), None) for r, k in rows]),
    )


def warnings_markdown(report: dict[str, Any], codebook: Codebook) -> str:
    """The loader's warnings as Markdown bullets in the reader's terms ('' when there were none)."""
    lines = (f"- {markdown_text(reader_terms(w['message'], codebook))}" for w in report.get("warnings", []))
    return SafeMarkdown("\n".join(lines))


def calibration_sentence(year: int) -> str:
    """How the synthetic export of ``year`` was made: calibrated to a publication, derived, or approximate."""
    if (paths.PUBLISHED_DIR / f"monitor_{year}.csv").exists():
        return (
            f"zo gekalibreerd dat elk gepubliceerd cijfer van de monitor {year} (percentage, gemiddelde en n) "
            "na afronding terugkomt"
        )
    source = derived_from(year)
    if source is not None:
        return (
            f"afgeleid van de synthetische export van {source} zoals een vragenlijstprogramma een gewijzigde "
            "vragenlijst exporteert; er is geen gepubliceerd rapport van dit jaar"
        )
    return (
        f"er is voor {year} geen gepubliceerd rapport; de antwoorden volgen bij benadering de gepubliceerde "
        "cijfers van een eerdere editie"
    )


def synthetic_note(year: int) -> str:
    """The warning at the top of every chapter of a synthetic edition (Markdown)."""
    return (
        f"> **Synthetische voorbeelddata.** De cijfers in dit hoofdstuk zijn berekend op een synthetische export "
        f"({calibration_sentence(year)}); het zijn geen antwoorden van echte gemeenten."
    )


def previous_edition(year: int, raw_dir: Path | None = None) -> int | None:
    """The latest earlier year with a codebook (not necessarily ``year - 1``)."""
    raw = raw_dir if raw_dir is not None else paths.RAW_DIR
    years = [int(d.name) for d in raw.glob("[0-9][0-9][0-9][0-9]") if (d / "codebook.yaml").exists()]
    earlier = [y for y in years if y < year]
    return max(earlier) if earlier else None


def questionnaire_changes(year: int, raw_dir: str | Path | None = None) -> str:
    """Markdown for "Wijzigingen in de vragenlijst" since the previous edition ('' when there is none)."""
    raw = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    previous = previous_edition(year, raw)
    if previous is None:
        return ""
    old, new = load_codebook(raw / str(previous) / "codebook.yaml"), load_codebook(raw / str(year) / "codebook.yaml")
    return render_markdown(diff_codebooks(old, new), old.year, new.year, new)
