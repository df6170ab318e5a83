"""No identifying detail from open answers reaches the report: a build on a doctored 2018 export.

Every open answer of the shipped (synthetic) 2018 export gets one identifying detail appended: an
e-mail address, a phone number, a BSN or a municipality name in one of many spellings. The data
preparation and the chapters that quote open answers (03, 09) are built into a temporary project
(``MONITOR_ROOT``), and none of those details may appear in the PDF text, the HTML or the executed
notebooks, while their placeholders do (so the doctored answers were quoted, redacted).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from editions import build_project

from helpers import paths
from helpers.survey.export_layout import BOM, HEADER_ROWS, format_csv

pytestmark = pytest.mark.slow
YEAR = 2018
NOTEBOOKS = ["00_data_preparation", "03_policy", "09_success_factors"]
DETAILS = [
    ("Mail j.jansen@groningen.nl voor meer informatie.", ["j.jansen@groningen.nl", "jansen@"]),
    ("Bel 06-12345678 voor een afspraak.", ["06-12345678", "12345678"]),
    ("Bel ons op 020 - 123 45 67.", ["123 45 67"]),
    ("BSN 123456782 staat in het dossier.", ["123456782"]),
    ("Zo werkt het in groningen.", ["groningen"]),
    ("Dat doen Groningers al jaren.", ["Groningers"]),
    ("De Utrechtse aanpak werkt.", ["Utrechtse"]),
    ("Zoals in Súdwest Fryslân (Sudwest-Fryslan).", ["Súdwest", "Sudwest", "Fryslan", "Fryslân"]),
    ("Net als Bergen NH doet.", ["Bergen NH"]),
    ("Net als Bergen (NH) doet.", ["Bergen (NH)"]),
    ("Samen met Den Haag gaat het goed.", ["Den Haag"]),
    ("Ook AMSTERDAM doet mee.", ["AMSTERDAM"]),
    ("Amsterdammers doen het anders.", ["Amsterdammers"]),
    ("Ook Leeuwarder werkgevers doen mee.", ["Leeuwarder"]),
    ("Wethouder De Vries steunt het.", ["De Vries"]),
]


def doctored_export(source: Path, dest: Path, details: list[str] | None = None) -> int:
    """Append one detail (of ``details``, default ``DETAILS``) to every open answer (``*_TEXT`` columns,
    not numbers); returns how many."""
    texts = details if details is not None else [d for d, _ in DETAILS]
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode("utf-8-sig"), newline="")))
    names, ids = rows[0], rows[2]
    text_columns = [i for i, (n, iid) in enumerate(zip(names, ids, strict=True)) if "_TEXT" in iid or "_TEXT" in n]
    k = 0
    for row in rows[HEADER_ROWS:]:
        for i in text_columns:
            if row[i].startswith("(synthetisch)"):
                row[i] = f"{row[i]} {texts[k % len(texts)]}"
                k += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(BOM + format_csv(rows).encode("utf-8"))
    return k


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("redaction")
    raw = root / "data" / "raw"
    (raw / str(YEAR)).mkdir(parents=True)
    shutil.copy2(paths.codebook_path(YEAR), raw / str(YEAR) / "codebook.yaml")
    if paths.notes_path(YEAR).is_file():  # the remarks of the notebooks in this partial build only
        notes = yaml.safe_load(paths.notes_path(YEAR).read_text(encoding="utf-8")) or {}
        notes["remarks"] = [r for r in notes.get("remarks", []) if r["notebook"] in NOTEBOOKS]
        (raw / str(YEAR) / "notes.yaml").write_text(yaml.safe_dump(notes, allow_unicode=True), encoding="utf-8")
    for name in ("reference", "published"):
        (raw / name).symlink_to(paths.RAW_DIR / name)
    changed = doctored_export(paths.RAW_DIR / str(YEAR) / "export.csv", raw / str(YEAR) / "export.csv")
    result = build_project(YEAR, root, NOTEBOOKS)
    report = result.report_dir
    pdf = subprocess.run(["pdftotext", str(report / f"monitor_{YEAR}.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    html = "".join(p.read_text(encoding="utf-8") for p in (report / "site").glob("*.html"))
    executed = "".join(json.dumps(json.loads(p.read_text(encoding="utf-8")), ensure_ascii=False)
                       for p in (report / "executed").glob("*.ipynb"))  # fmt: skip
    return {"changed": changed, "texts": {"pdf": " ".join(pdf.split()), "html": html, "executed": executed}}


def test_every_open_answer_was_doctored(built):
    assert built["changed"] > 150


@pytest.mark.parametrize("where", ["pdf", "html", "executed"])
def test_no_identifying_detail_reaches_the_report(built, where):
    text = built["texts"][where]
    leaked = [s for _, forbidden in DETAILS for s in forbidden if s in text]
    assert leaked == [], f"{where}: {leaked}"
    assert not re.search(r"\b\d{9}\b|\b06-?\d{8}\b|[\w.+-]+@[\w-]+\.[a-z]{2,}\b", text)


@pytest.mark.parametrize("where", ["pdf", "html"])
def test_the_doctored_answers_were_quoted_redacted(built, where):
    text = built["texts"][where]
    assert "(synthetisch)" in text
    shown = {p for p in ("[gemeente]", "[e-mail]", "[telefoonnummer]", "[nummer]", "[naam]") if p in text}
    assert shown, "no redacted quote reached the report"
