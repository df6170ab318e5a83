"""The method section ("Verantwoording"): how the data were read and how numbers are computed.

All numbers in these texts come from the load report and the codebook. Respondent
identifiers (ResponseIds) never appear: dropped rows are described by line and reason.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from helpers import paths
from helpers.load.export import LoadReport
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.formatting import fmt_pct
from helpers.year.codebook_diff import diff_codebooks, render_markdown

_RESPONSE_ID = re.compile(r"R_[A-Za-z0-9]{10,20}")


def redact_ids(text: str) -> str:
    """Replace survey ResponseIds by a neutral token (no respondent identifiers in the report)."""
    return _RESPONSE_ID.sub("[respons]", text)


def load_summary(report: LoadReport) -> str:
    """Markdown: rows read, kept and dropped (by reason, with lines), municipalities, warnings."""
    reasons = Counter(_reason_kind(d["reason"]) for d in report.dropped)
    dropped = ", ".join(f"{k} {kind}" for kind, k in sorted(reasons.items())) or "geen"
    lines = sorted(d["line"] for d in report.dropped)
    share = 100 * report.municipalities / report.frame_size if report.frame_size else float("nan")
    out = [
        "| | |",
        "|:--|--:|",
        f"| Responsen in de export | {report.rows_read} |",
        f"| Uitgesloten (onvolledig of proefrespons) | {report.rows_dropped} |",
        f"| Responsen in de analyse (respondenten) | {report.rows_kept} |",
        f"| Vertegenwoordigde gemeenten | {report.municipalities} van {report.frame_size} ({fmt_pct(share)}) |",
        "",
        f"Uitgesloten: {dropped}" + (f" (regels {', '.join(map(str, lines))} van de export)." if lines else "."),
    ]
    if report.warnings:
        out += ["", f"Waarschuwingen bij het inlezen ({len(report.warnings)}):", ""]
        out += [f"- {redact_ids(w.message)}" for w in report.warnings]
    return "\n".join(out)


def _reason_kind(reason: str) -> str:
    text = reason.lower()
    if "preview" in text or "proef" in text or "test" in text:
        return "proef- of testresponsen"
    if "onvolledig" in text or "incomplete" in text or "finished" in text:
        return "onvolledige responsen"
    return redact_ids(reason)


def calibration_sentence(year: int) -> str:
    """What the synthetic export of ``year`` reproduces (a published report, or nothing yet)."""
    from helpers import paths

    if (paths.PUBLISHED_DIR / f"monitor_{year}.csv").exists():
        return (
            f"zo gekalibreerd dat elk gepubliceerd cijfer van de monitor {year} (percentage, gemiddelde en n) "
            "na afronding terugkomt"
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


def method_text(cb: Codebook, report: LoadReport) -> str:
    """Markdown paragraphs on unit of analysis, bases, rounding, intervals and disclosure."""
    parts = []
    if cb.synthetic:
        parts.append(
            "**Synthetische voorbeelddata.** De antwoorden van de gemeenten zijn vertrouwelijk. De export "
            f"in deze repository is met een vaste startwaarde gegenereerd; {calibration_sentence(cb.year)}. "
            "Waar het rapport geen cijfer geeft, zijn aannames gedaan; open antwoorden zijn "
            "verzonnen en beginnen met “(synthetisch)”. Geen enkel cijfer beschrijft een echte gemeente."
        )
    parts += [
        f"**Eenheid van analyse.** De vragenlijst is ingevuld door {report.rows_kept} respondenten die samen "
        f"{report.municipalities} gemeenten vertegenwoordigen; een respondent kan voor meerdere samenwerkende "
        "gemeenten antwoorden. De antwoorden tellen voor elke vertegenwoordigde gemeente: percentages zijn "
        "percentages van gemeenten.",
        "**Basis (n).** Onder elke tabel en figuur staat het aantal gemeenten dat de vraag beantwoordde. "
        "Gemeenten die een vraag volgens de routing niet kregen, of die de vraag zagen maar oversloegen, tellen "
        "niet mee; de routing staat bij de tabel.",
        "**Afronding.** Percentages worden berekend zonder afronding en pas bij het tonen rekenkundig "
        "afgerond (half naar boven). Daardoor tellen afgeronde percentages niet altijd op tot 100.",
        f"**Onzekerheid.** De monitor is geen steekproef maar een uitvraag onder alle {cb.population_size} "
        "gemeenten. Waar aandelen worden vergeleken, geven we een 95%-betrouwbaarheidsinterval (Wilson) met "
        "eindige-populatiecorrectie (1 − n/N); dit interval veronderstelt dat ontbrekende gemeenten niet "
        "systematisch afwijken.",
        "**Verschillen naar grootteklasse** toetsen we met een chi-kwadraattoets, of een exacte toets of "
        "Monte-Carlotoets waar verwachte aantallen klein zijn. Omdat gemeenten met één respondent niet "
        "onafhankelijk zijn, zijn deze p-waarden een ondergrens.",
        "**Vertrouwelijkheid.** Er wordt geen aandeel getoond dat op minder dan 5 gemeenten berust; de G4 "
        "wordt daarom met de G40 samengenomen. Open antwoorden worden alleen naar grootteklasse toegeschreven.",
    ]
    return "\n\n".join(parts)


def questionnaire_changes(year: int, raw_dir: str | Path | None = None) -> str:
    """Markdown for "Wijzigingen in de vragenlijst": the changes since the previous year's codebook.

    Empty string when ``<raw>/<year - 1>/codebook.yaml`` does not exist (e.g. the first year).
    """
    raw = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    previous = raw / str(year - 1) / "codebook.yaml"
    if not previous.exists():
        return ""
    old, new = load_codebook(previous), load_codebook(raw / str(year) / "codebook.yaml")
    return render_markdown(diff_codebooks(old, new), old.year, new.year, new)
