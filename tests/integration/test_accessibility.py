"""The reviewer HTML meets WCAG 2.1 AA: axe-core in headless Chromium on every page, all code opened.

Built from the stub notebooks (one chapter shows a figure and a table through the registry). axe
checks what it can (contrast of the opened code, names, structure); the other tests check what it
cannot: a text alternative with the numbers under each chart, captions inside tables, scoped
headers, toggles named by what they open, no tab stops on non-interactive elements, navigation that
wraps at 320 px, a data download under every figure and table.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from axe_check import axe_js, chromium, run_axe_pages
from shared_builds import shared_stub

from helpers.report.downloads import CSV_COLUMNS

pytestmark = pytest.mark.slow

YEAR = 2018


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's build of the stub project without raw input (``shared_builds.shared_stub``):
    the browser probes are written beside the pages, so this module has its own."""
    _, result = shared_stub(tmp_path_factory).copy(tmp_path_factory.mktemp("a11y") / "project")
    return result.report_dir


def pages(report: Path) -> list[Path]:
    return sorted((report / "site").glob("*.html"))


needs_browser = pytest.mark.skipif(
    axe_js() is None or chromium() is None, reason="run `make setup` (axe-core, chromium)"
)


@needs_browser
@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violation_on_any_page_with_all_code_opened(report: Path, width: int) -> None:
    found = {}
    results = run_axe_pages(pages(report), width)  # one browser for every page
    assert sorted(results) == [page.name for page in pages(report)]
    for page in pages(report):
        result = results[page.name]
        assert result["width"] == width
        if page.name not in ("index.html", "veranderingen.html"):
            assert result["allCodeOpen"], f"{page.name}: 'Toon alle code' did not open every code block"
        assert result["tabStops"] == 0, f"{page.name}: tab stops on non-interactive elements"
        for nav in result["navs"]:
            assert nav["scroll"] <= nav["client"] and nav["right"] <= width, f"{page.name}: navigation overflows"
        found[page.name] = [(v["id"], len(v["nodes"]), v["nodes"][:2]) for v in result["violations"]]
    assert all(not v for v in found.values()), found
    assert len(found) == 9  # 6 chapters, index, what changed, claims


def test_charts_have_a_short_description_and_their_numbers_as_a_table(report: Path) -> None:
    page = (report / "site" / "04_start_guidance.html").read_text(encoding="utf-8")
    figure = page[page.index('<figure class="jp-RenderedImage') : page.index("</figure>")]
    alt = re.search(r'<img [^>]*alt="([^"]*)"', figure).group(1)
    assert alt.startswith("Staafdiagram met 3 rijen, van &lt; 3 maanden (72%) tot &gt; 6 maanden (8%)")
    assert "Wanneer start de begeleiding" not in alt  # the alt text does not repeat the caption
    assert '<figcaption><span class="monitor-ref">Figuur 4.1</span> Wanneer start de begeleiding naar werk?' in figure
    assert '<details class="monitor-numbers"><summary>Cijfers bij Figuur 4.1</summary>' in figure
    assert "<caption>Cijfers bij Figuur 4.1</caption>" in figure
    assert '<th scope="row">3–6 maanden</th><td>20%</td>' in figure
    assert "n=270; basis: gemeenten die de vraag beantwoordden." in page


def test_tables_have_their_caption_inside_and_scoped_headers(report: Path) -> None:
    page = (report / "site" / "02_introduction_response.html").read_text(encoding="utf-8")
    table = page[page.index('<div class="monitor-scroll"><table>') :]
    table = table[: table.index("</table>")]
    assert table.count("<caption>") == 1 and '<span class="monitor-ref">Tabel 2.1</span>' in table
    assert re.search(r'<th scope="col"[^>]*>Grootteklasse</th>', table)
    assert re.search(r'<th scope="row"[^>]*>Middelgroot/klein</th>', table)
    assert "<td>Middelgroot/klein</td>" not in table


def test_code_toggles_are_named_by_what_they_open(report: Path) -> None:
    page = (report / "site" / "04_start_guidance.html").read_text(encoding="utf-8")
    names = re.findall(r'<details class="monitor-code"><summary>([^<]*)</summary>', page)
    assert "Code voor Figuur 4.1 en Tabel 4.1" in names
    assert "Code: standaardparameters" in names and "Code: parameters van deze build" in names
    assert "Code" not in names and 'tabindex="0"' not in page
    assert '<button type="button" class="monitor-allcode" aria-pressed="false" hidden>Toon alle code</button>' in page


def test_every_figure_and_table_has_a_data_download(report: Path) -> None:
    for page in pages(report):
        text, stem = page.read_text(encoding="utf-8"), page.stem
        refs = re.findall(r'<span class="monitor-ref">((?:Figuur|Tabel) [0-9A-Z.]+)</span>', text)
        for ref in refs:
            if ref.startswith("Figuur") and "monitor_view" not in text and page.name != "04_start_guidance.html":
                continue  # a stub chart drawn without the registry has no numbers to download
            slug = ref.lower().replace(" ", "-").replace(".", "-")
            assert f'href="data/{stem}/{slug}.csv"' in text, f"{page.name}: no data link for {ref}"
            assert (report / "data" / stem / f"{slug}.csv").is_file()
    with open(report / "data" / "04_start_guidance" / "figuur-4-1.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(r["categorie"], r["getoond"], r["n"]) for r in rows] == [
        ("< 3 maanden", "72%", "270"), ("3–6 maanden", "20%", "270"), ("> 6 maanden", "8%", "270")
    ]  # fmt: skip
    assert (report / "data" / "04_start_guidance" / "figuur-4-1.xlsx").read_bytes()[:2] == b"PK"
    with open(
        report / "data" / "02_introduction_response" / "tabel-2-1.csv", encoding="utf-8"
    ) as fh:  # a table shown without the registry
        assert next(csv.reader(fh)) == ["Grootteklasse", "Populatie", "Respons", "%"]


def test_index_links_the_indicators_the_comparison_and_the_provenance(report: Path) -> None:
    index = (report / "site" / "index.html").read_text(encoding="utf-8")
    assert '<a href="indicators.csv">' in index and 'href="veranderingen.html"' in index
    assert "Herkomst van deze versie" in index and "Code (commit)" in index and "sha256" in index
    assert 'href="versions.txt"' in index and (report / "versions.txt").read_text().startswith("python==")


# --- the PDF: for print and for reading -------------------------------------------------------


def _pdf_pages(report: Path) -> list[str]:
    import subprocess

    pdf = report / f"monitor_{YEAR}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_pdf_has_the_synthetic_warning_on_every_page_and_no_page_label_twice(report: Path) -> None:
    from helpers.publish.base.repro import SYNTHETIC_NOTE

    pages = _pdf_pages(report)
    assert all(SYNTHETIC_NOTE in " ".join(p.split()) for p in pages), "a page without the warning"
    folios = [p.strip().splitlines()[-1].split()[-1] for p in pages[1:]]  # the title page has no footer
    assert folios[:3] == ["b", "i", "1"] and len(folios) == len(set(folios)), folios
    assert "Colofon" in pages[1] and "site/index.html" in " ".join(pages[1].split())
    assert "Herkomst." in pages[1] and "sha256" in pages[1]


def test_pdf_bookmarks_are_numbered_and_the_title_is_shown(report: Path) -> None:
    import subprocess

    out = (report / ".render" / "notebook.out").read_text(encoding="latin-1")
    marks = [m.replace("\\000", "").replace("\\040", " ").replace("\\376\\377", "") for m in out.splitlines()]
    assert any("{3 Beleid}" in m for m in marks) and any("{2.1 Respons}" in m for m in marks)
    info = subprocess.run(["pdfinfo", str(report / f"monitor_{YEAR}.pdf")], capture_output=True, text=True).stdout
    assert f"Title:           Monitor gemeentelijk beleid arbeidstoeleiding vluchtelingen {YEAR}" in info
    catalog = _inflated((report / f"monitor_{YEAR}.pdf").read_bytes())
    assert b"/DisplayDocTitle true" in catalog and b"/PageLabels" in catalog


def _inflated(raw: bytes) -> bytes:
    """The PDF with its compressed streams (object streams hold the catalog) inflated."""
    import zlib

    parts = [raw]
    for m in re.finditer(rb"stream\r?\n", raw):
        try:
            parts.append(zlib.decompressobj().decompress(raw[m.end() : m.end() + 2_000_000]))
        except zlib.error:
            continue
    return b"".join(parts)
