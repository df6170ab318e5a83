"""Text is data, in a real build: hostile open answers, codebook labels and notes reach every output inert.

The shipped (synthetic) 2018 export gets a hostile string appended to its open answers (from the corpus in
``tests/hostile_strings.py``: LaTeX commands that would read a file, HTML and script, Markdown links,
spreadsheet formulas); the codebook gets hostile option labels and a hostile caption title; ``notes.yaml``
a hostile remark and publication. The data preparation and three chapters are built into a temporary
project. Nothing may act: the secret file's content is in no output, no page holds a tag, link or handler
from data, no CSV or XLSX cell is a formula, no failed-build folder is left — and the hostile text is there,
printed as text (so the test cannot pass by dropping it).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from editions import build_project
from hostile_strings import PAYLOADS
from test_report_redaction import doctored_export

from helpers import paths
from helpers.survey.text_escape import is_formula_text
from helpers.survey.vocabulary import CHAPTER_ANCHOR

pytestmark = pytest.mark.slow
YEAR = 2018
NOTEBOOKS = ["00_data_preparation", "03_policy", "06_cooperation", "09_success_factors"]
LEAK = "LEAKEDSECRETCONTENT"


def _hostile_answers(secret: Path) -> list[str]:
    """Payloads for open answers: each in a sentence long enough to stay quotable after redaction."""
    out = []
    for p in PAYLOADS:
        if any(ord(c) < 32 and c != "\n" for c in p):
            continue  # the loader refuses control characters (a case of its own bad-input suite)
        p = p.replace("SECRETFILE", str(secret.with_suffix("")))
        out.append(f"Werkgevers waarderen de inzet van onze klantmanagers zeer {p} en dat werkt goed")
    return out


def _hostile_codebook(source: Path, dest: Path, secret: Path) -> None:
    cb = yaml.safe_load(source.read_text(encoding="utf-8"))
    inp = f"\\input{{{secret.with_suffix('')}}}"
    labels = {
        "work_placements": f'=HYPERLINK("https://evil.example/x","klik") <script>alert(1)</script> {inp} $x$ 100% & #_',
        "extra_language_lessons": "@SUM(1+1) <img src=x onerror=alert(2)> *vet* [klik](javascript:alert(3))",
    }
    for q in cb["questions"]:
        if q["id"] == "measures_offered":
            for o in q["options"]:
                if o["key"] in labels:
                    o["label"] = labels[o["key"]]
                    o.pop("short", None)
        if q["id"] == "additional_policy":
            q["short"] = f"Aanvullend beleid {inp} <b onmouseover=alert(4)>vet</b> =1+1"
    dest.write_text(yaml.safe_dump(cb, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _hostile_notes(source: Path, dest: Path, secret: Path) -> None:
    notes = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    notes["remarks"] = [r for r in notes.get("remarks", []) if r["notebook"] in NOTEBOOKS]
    for r in notes["remarks"]:
        r["text"] += f" \\input{{{secret.with_suffix('')}}} <script>alert(5)</script> [x](javascript:alert(6)) =1+1"
    notes["remarks"].append(  # the anchor every notebook offers, under the chapter's opening warning
        {"notebook": "03_policy", "anchor": CHAPTER_ANCHOR, "text": "Hoofdstukopmerking <script>alert(8)</script>"}
    )
    notes["publication"] = f"Publicatie \\input{{{secret.with_suffix('')}}} <script>alert(7)</script>"
    dest.write_text(yaml.safe_dump(notes, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    secret = root / "geheim.tex"
    secret.write_text(LEAK + "\n", encoding="utf-8")
    raw = root / "data" / "raw"
    (raw / str(YEAR)).mkdir(parents=True)
    _hostile_codebook(paths.codebook_path(YEAR), raw / str(YEAR) / "codebook.yaml", secret)
    _hostile_notes(paths.notes_path(YEAR), raw / str(YEAR) / "notes.yaml", secret)
    for name in ("reference", "published"):
        (raw / name).symlink_to(paths.RAW_DIR / name)
    export = raw / str(YEAR) / "export.csv"
    changed = doctored_export(paths.RAW_DIR / str(YEAR) / "export.csv", export, _hostile_answers(secret))
    result = build_project(YEAR, root, NOTEBOOKS)
    report = result.report_dir
    pdf = subprocess.run(["pdftotext", str(report / f"monitor_{YEAR}.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return {"root": root, "report": report, "changed": changed, "pdf": " ".join(pdf.split())}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.startswith("on") or v.startswith(("javascript:", "data:text/html", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src") and "evil.example" in v:
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed", "svg", "b"):
            self.found.append(f"<{tag}>")

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert(" in data:
            self.found.append(f"<script>{data[:40]}")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False


def _acting(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.found


def test_the_hostile_inputs_were_used(built):
    assert built["changed"] > 150
    assert not (built["root"] / "reports" / f"{YEAR}-failed").exists()


def test_the_pdf_prints_hostile_text_as_text(built):
    pdf = built["pdf"]
    assert LEAK not in pdf
    assert "<script>alert(1)</script>" in pdf and "=HYPERLINK(" in pdf, "the hostile label is printed"
    assert "\\input{" in pdf, "a LaTeX command from data is printed, not run"
    assert "Werkgevers waarderen de inzet van onze klantmanagers" in pdf, "a hostile open answer was quoted"
    assert "Hoofdstukopmerking <script>alert(8)</script>" in pdf, "a remark at the chapter anchor is placed"


def test_no_page_holds_a_tag_or_link_from_data(built):
    pages = sorted((built["report"] / "site").glob("*.html"))
    assert pages
    text = ""
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert LEAK not in html
        assert _acting(html) == [], page.name
        text += html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, "the hostile label is shown as text"


def test_executed_notebooks_render_no_tag_or_link_from_data(built):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    outputs = 0
    for path in (built["report"] / "executed").glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert LEAK not in json.dumps(nb)
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                md = out.get("data", {}).get("text/markdown")
                if md:
                    outputs += 1
                    md = "".join(md) if isinstance(md, list) else md
                    assert _acting(markdown2html_mistune(md)) == [], (path.name, md[:200])
                    assert not re.search(r"(?<!\\)\\input\{", md), (path.name, md[:200])
    assert outputs > 20


def test_no_csv_cell_is_a_formula(built):
    files = [built["report"] / n for n in ("indicators.csv", "quotes.csv", "claims.csv")]
    files += sorted((built["report"] / "data").rglob("*.csv"))
    assert len(files) > 5
    formulas = []
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            formulas += [(f.name, c) for row in csv.reader(fh) for c in row if is_formula_text(c)]
    assert formulas == []
    quotes = (built["report"] / "quotes.csv").read_text(encoding="utf-8")
    assert "Werkgevers waarderen de inzet" in quotes


def test_no_xlsx_cell_is_a_formula(built):
    books = sorted((built["report"] / "data").rglob("*.xlsx"))
    assert books
    for book in books:
        with zipfile.ZipFile(book) as zf:
            for name in zf.namelist():
                if name.endswith(".xml"):
                    assert "<f>" not in zf.read(name).decode("utf-8"), (book.name, name)
