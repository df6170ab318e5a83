"""The text check of a built report: what a reader must never see, and every claim holding.

``text_problems(report_dir, year)`` reads the PDF's text (pdftotext), the HTML pages (text only) and
``claims.csv`` and lists, per kind, what it found: a doubled percent sign, ``nan``/``None``, a dash
where a number belongs, an internal id (snake_case), a remark about another edition's publication,
a change verb between equal rounded values, and any claim that does not hold.
"""

from __future__ import annotations

import csv
import html
import re
import subprocess
from pathlib import Path

from helpers.survey.vocabulary import SITE_DIR

_CHECKS = {
    "dubbel %": re.compile(r"%%"),
    "nan/None": re.compile(r"\b(?:nan|NaN|None)\b"),
    "streepje waar een getal hoort": re.compile(r"\s[–-]\s(?:van|zich|zegt|vindt|is|voor|procent)\b"),
    "interne id": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
}
_OTHER_EDITION = re.compile(r"(?:rapport|publicatie|monitor) van (20\d\d)", re.IGNORECASE)
_EQUAL_CHANGE = re.compile(r"(?:steeg|daalde|gestegen|gedaald) van (\d+(?:,\d+)?)% (?:in \d{4} )?naar \1%")


def pdf_text(pdf: Path) -> str:
    """The PDF's text with hyphenated line breaks joined and whitespace folded."""
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", re.sub(r"-\n(\w)", r"\1", raw))


def html_text(page: Path) -> str:
    """The visible text of an HTML page: scripts, styles and code blocks removed, tags stripped."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"(?is)<(script|style|pre|code)\b.*?</\1>", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


def problems_in(text: str, year: int, where: str) -> list[str]:
    """Every forbidden pattern in one text, with a short context."""
    out = []
    for kind, pattern in _CHECKS.items():
        out += [f"{where}: {kind}: …{_around(text, m)}…" for m in pattern.finditer(text)]
    out += [
        f"{where}: opmerking over een andere editie: …{_around(text, m)}…"
        for m in _OTHER_EDITION.finditer(text)
        if int(m.group(1)) != year and "monitor van" not in m.group(0).lower()
    ]
    out += [
        f"{where}: veranderwoord tussen gelijke cijfers: …{_around(text, m)}…" for m in _EQUAL_CHANGE.finditer(text)
    ]
    return out


def _around(text: str, match: re.Match, width: int = 40) -> str:
    return text[max(0, match.start() - width) : match.end() + width]


def claim_problems(claims_csv: Path) -> list[str]:
    """Claims of the register that do not hold (a draft build may have printed them)."""
    if not claims_csv.exists():
        return [f"{claims_csv}: het register ontbreekt"]
    with claims_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        f"{r['notebook']}, cel {r['cell']}: bewering houdt niet: {r['text']} — {r['condition']} ({r['numbers']})"
        for r in rows
        if r["kind"] == "bewering" and r["holds"] != "True"
    ]


def text_problems(report_dir: Path, year: int) -> list[str]:
    """Everything the text check finds in a built report (PDF, HTML pages, claims register)."""
    found = problems_in(pdf_text(report_dir / f"monitor_{year}.pdf"), year, "PDF")
    for page in sorted((report_dir / SITE_DIR).glob("*.html")):
        found += problems_in(html_text(page), year, f"{SITE_DIR}/{page.name}")
    return found + claim_problems(report_dir / "claims.csv")
