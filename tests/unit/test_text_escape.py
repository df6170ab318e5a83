"""Text is data: the hostile corpus through every escaper, checked by the real readers of each output
(pandoc and XeLaTeX for the PDF, nbconvert's Markdown renderer and an HTML parser for the pages, openpyxl
and the csv module for the downloads)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hostile_strings import PAYLOADS, corpus

from helpers.publish.render.latexmd import MD_FORMAT
from helpers.report.part_files import write_part
from helpers.survey.text_escape import (
    SafeMarkdown,
    html_text,
    is_formula_text,
    latex_text,
    markdown_plain,
    markdown_text,
    plain,
    printable,
    spreadsheet_cell,
)

CORPUS = corpus()
#: LaTeX commands pandoc may write for escaped text; anything else would be a command from data.
TEXT_COMMANDS = {
    "textbackslash", "textless", "textgreater", "textasciitilde", "textasciicircum", "textbar", "textquotedbl",
    "textquotesingle", "textasciigrave", "ldots", "textquotedblleft", "textquotedblright", "textquoteleft",
    "textquoteright", "textbf", "emph", "protect", "strut",
}  # fmt: skip
LEAK = "LEAKEDSECRETCONTENT"


def _pandoc_latex(markdown: str) -> str:
    return subprocess.run(
        ["pandoc", "-f", MD_FORMAT, "-t", "latex", "--wrap=none"],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_the_corpus_is_large_and_marked():
    assert len(CORPUS) >= 250
    assert all("HOSTILE" in s or "SECRETFILE" in s for s in PAYLOADS)


def test_plain_is_one_line_without_control_characters():
    for s in CORPUS:
        out = plain(s)
        assert "\n" not in out and "\r" not in out
        assert not any(ord(c) < 32 for c in out)
        assert "\u202e" not in out


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is installed by make setup")
def test_markdown_from_data_is_text_in_the_latex_pandoc_writes():
    markdown = "\n\n".join(f"Begin {markdown_text(s)} eind" for s in CORPUS)
    latex = _pandoc_latex(markdown)
    commands = set(re.findall(r"\\([A-Za-z]+)", latex))
    assert commands <= TEXT_COMMANDS, commands - TEXT_COMMANDS
    assert not re.search(r"(?<!\\)\$", latex), "an unescaped $ opens math"
    assert latex.count("Begin ") == len(CORPUS), "every string stays in its own paragraph"
    for line in (ln for ln in latex.splitlines() if ln.startswith("Begin")):
        assert not re.search(r"(?<!\\)[%#&]", line)


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is installed by make setup")
def test_markdown_from_data_at_a_line_start_opens_no_block():
    markdown = "Een alinea\n" + "\n".join(markdown_text(s) for s in CORPUS)
    latex = _pandoc_latex(markdown)
    assert "\\begin" not in latex and "\\section" not in latex and "\\item" not in latex
    assert "\\title" not in latex


def test_markdown_from_data_is_text_in_the_html_nbconvert_writes():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    for joiner in ("\n\n", "\n"):
        html = markdown2html_mistune(joiner.join(f"Begin {markdown_text(s)} eind" for s in CORPUS))
        tags = {t for t, _ in _tags(html)}
        assert tags <= {"p", "br"}, tags
        assert "javascript:" not in html.replace("javascript:alert", "") or "<a" not in html


def test_markdown_text_keeps_numbers_and_typography():
    assert markdown_text("72% van de G4-gemeenten, ‘klantmanagers’ (n=5)") == (
        "72% van de G4-gemeenten, ‘klantmanagers’ (n=5)"
    )
    assert markdown_text("*vet*") == r"\*vet\*"
    assert markdown_text(SafeMarkdown("1. *al opgemaakt*")) == "1. *al opgemaakt*"
    for s in CORPUS:
        assert markdown_plain(markdown_text(s)).replace(" ", "") == printable(plain(s)).replace(" ", "")


def test_html_text_makes_no_tag_and_no_attribute():
    for s in CORPUS:
        out = html_text(s)
        assert [t for t, _ in _tags(f'<p title="{out}">{out}</p>')] == ["p"]
        assert "<" not in out and ">" not in out and '"' not in out


def test_spreadsheet_cells_never_start_a_formula():
    for s in CORPUS:
        assert not is_formula_text(spreadsheet_cell(s))
    assert spreadsheet_cell("=1+1") == "'=1+1"
    assert spreadsheet_cell("-4") == "-4" and spreadsheet_cell("-4,5") == "-4,5" and spreadsheet_cell(-4) == -4
    assert spreadsheet_cell("- lijst") == "'- lijst"
    assert spreadsheet_cell("@SUM(1)") == "'@SUM(1)"


def test_csv_parts_write_formulas_as_text(tmp_path):
    path = tmp_path / "quotes" / "x.csv"
    write_part(path, ["text"], [{"text": s} for s in CORPUS])
    with path.open(encoding="utf-8", newline="") as fh:
        cells = [row["text"] for row in csv.DictReader(fh)]
    assert len(cells) == len(CORPUS)
    assert not [c for c in cells if is_formula_text(c)]


def test_xlsx_downloads_hold_no_formula(tmp_path, monkeypatch):
    import pandas as pd
    from openpyxl import load_workbook

    from helpers.analysis.table import Table, number_rows
    from helpers.report.downloads import ViewText, write_files

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1538352000")
    labels = [s for s in CORPUS[:60]]
    table = Table(
        data=pd.DataFrame({"Aantal": list(range(len(labels)))}, index=pd.Index(labels, name="=Categorie")),
        question="q1", title="=HYPERLINK(\"x\")", n=len(labels), base="", kind="count", stat="count",
        footnote="=1+1", formats={"Aantal": "int"},
        indicators=number_rows([(lab, "count", float(i), len(labels)) for i, lab in enumerate(labels)]),
    )  # fmt: skip
    text = ViewText("q1", "=cmd|' /C calc'!A0", "@alle gemeenten", "+basis")
    files = write_files(tmp_path, "03_policy", "Tabel 3.1", "=titel", [table], [text])
    raw = io.BytesIO((tmp_path / files["xlsx"]).read_bytes())
    import zipfile

    with zipfile.ZipFile(raw) as zf:
        assert not any("<f>" in zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))
    wb = load_workbook(tmp_path / files["xlsx"])
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    with (tmp_path / files["csv"]).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert not [c for row in rows for c in row if is_formula_text(c)]


def test_xlsx_downloads_are_byte_identical_across_builds(tmp_path, monkeypatch):
    import time

    import pandas as pd

    from helpers.analysis.table import Table, number_rows
    from helpers.report.downloads import ViewText, write_files

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1538352000")
    table = Table(
        data=pd.DataFrame({"Aantal": [1]}, index=pd.Index(["a"], name="c")), question="q1", title="t", n=1,
        base="", kind="count", stat="count", footnote="", formats={"Aantal": "int"},
        indicators=number_rows([("a", "count", 1.0, 1)]),
    )  # fmt: skip
    first = write_files(tmp_path / "a", "nb", "Tabel 1.1", "t", [table], [ViewText("q1", "", "", "")])
    time.sleep(1.1)  # the clock moves on between two builds; the file must not
    second = write_files(tmp_path / "b", "nb", "Tabel 1.1", "t", [table], [ViewText("q1", "", "", "")])
    assert (tmp_path / "a" / first["xlsx"]).read_bytes() == (tmp_path / "b" / second["xlsx"]).read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xelatex") is None or shutil.which("pandoc") is None, reason="make setup")
def test_no_string_runs_in_xelatex(tmp_path):
    """Both routes into the PDF, compiled: Markdown through pandoc, and LaTeX templates through latex_text."""
    (tmp_path / "SECRETFILE.tex").write_text(LEAK, encoding="utf-8")
    body_md = _pandoc_latex("\n\n".join(markdown_text(s) for s in CORPUS))
    body_tex = "\n\n".join(latex_text(s) for s in CORPUS)
    doc = (
        "\\documentclass{article}\\usepackage{fontspec}\\usepackage{hyperref}\\begin{document}\n"
        f"{body_md}\n\n{body_tex}\n\\end{{document}}\n"
    )
    (tmp_path / "doc.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(
        ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:]
    text = subprocess.run(["pdftotext", "doc.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert LEAK not in text
    assert text.count("HOSTILE") >= len(CORPUS), "every string is printed as text"
    assert not Path("/tmp/HOSTILE-pwned").exists()


def test_spreadsheet_cells_keep_one_kind_of_line_break():
    assert spreadsheet_cell("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert spreadsheet_cell("\r=1+1") == "'\n=1+1"
    assert spreadsheet_cell("\t=1+1") == "'\t=1+1"
    assert "\r" not in "".join(str(spreadsheet_cell(s)) for s in CORPUS)


def test_characters_the_pdf_fonts_lack_never_reach_the_pdf():
    if printable("👍") == "👍":
        pytest.skip("the PDF fonts (fonts-dejavu) are not installed")
    assert printable("Top 👍 ＝1 café – ‘x’ € ½") == "Top ? =1 café – ‘x’ € ½"
    assert latex_text("😀") == "?"
