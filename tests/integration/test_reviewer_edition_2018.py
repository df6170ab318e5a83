"""The real 2018 report as a reviewer gets it: accessible HTML on every page, the data behind every
figure and table, this build's label for every number, the PDF within its margins with the warning.

One cold build of the real notebooks (the same, shared, build as ``test_report_2018``), then the checks of
``test_accessibility`` on the real pages, plus what only the real report has.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from axe_check import axe_js, chromium, run_axe, run_axe_pages
from editions import shared_edition

from helpers import paths
from helpers.publish.base.repro import SYNTHETIC_NOTE
from helpers.report.registry import read_indicators

pytestmark = pytest.mark.slow
YEAR = 2018
#: A4 with 2.5 cm margins, in PDF points (1 pt of tolerance).
LEFT, RIGHT = 70.87 - 1, 595.28 - 70.87 + 1
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<')


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's cold build of 2018 (the one ``test_report_2018`` reads): axe writes its probe
    pages beside the report's pages, so this module has its own."""
    _, result = shared_edition(tmp_path_factory, YEAR).copy(tmp_path_factory.mktemp("reviewer") / "project")
    return result.report_dir


@pytest.mark.skipif(axe_js() is None or chromium() is None, reason="run `make setup` (axe-core, chromium)")
def test_axe_finds_no_violation_on_any_page_at_1280_and_320_px(report: Path) -> None:
    found = {}
    pages = sorted((report / "site").glob("*.html"))
    for width in (1280, 320):
        results = run_axe_pages(pages, width)  # one browser for every page
        assert sorted(results) == [page.name for page in pages], width
        for page in pages:
            result = results[page.name]
            assert result["width"] == width and result["tabStops"] == 0 and result["allCodeOpen"], page.name
            assert all(n["scroll"] <= n["client"] and n["right"] <= width for n in result["navs"]), (page.name, width)
            found[(page.name, width)] = [(v["id"], len(v["nodes"])) for v in result["violations"]]
    assert len(found) == 2 * (len(list(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))) + 3)
    assert all(not v for v in found.values()), {k: v for k, v in found.items() if v}


@pytest.mark.skipif(axe_js() is None or chromium() is None, reason="run `make setup` (axe-core, chromium)")
def test_the_editions_index_of_make_site_passes_axe_at_both_widths(report: Path, tmp_path: Path) -> None:
    """``make site`` writes ``reports/index.html``: the page that lists every built edition is accessible too."""
    import shutil

    from helpers.publish.render.site import EDITIONS_INDEX, SITE_DIR, package_sites

    reports = tmp_path / "reports"
    (reports / str(YEAR) / SITE_DIR).mkdir(parents=True)
    shutil.copy2(report / SITE_DIR / "index.html", reports / str(YEAR) / SITE_DIR / "index.html")
    package_sites(reports, 0)
    for width in (1280, 320):
        result = run_axe(reports / EDITIONS_INDEX, width)
        assert result["violations"] == [], (width, result["violations"])


def test_every_figure_and_table_has_its_data_and_every_number_its_label(report: Path) -> None:
    shown = set()
    for page in sorted((report / "site").glob("[0-9][0-9]_*.html")):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<figure class="jp-RenderedImage.*?</figure>', text, re.S):
            ref = re.search(r'<span class="monitor-ref">(Figuur [0-9A-Z.]+)</span>', block).group(1)
            assert '<details class="monitor-numbers">' in block and "download>" in block, (page.name, ref)
            shown.add(ref)
        for ref in re.findall(r'<caption><span class="monitor-ref">(Tabel [0-9A-Z.]+)</span>', text):
            slug = ref.lower().replace(" ", "-").replace(".", "-")
            data = f"data/{page.stem}/{slug}.csv"
            assert f'href="{data}"' in text and (report / data).is_file() and (page.parent / data).is_file(), ref
            shown.add(ref)
    ind = read_indicators(report / "indicators.csv")
    assert (ind["build_ref"] != "").all()
    views = set(ind["build_ref"][ind["build_ref"].str.match(r"^(Figuur|Tabel) ")])
    assert views <= shown, sorted(views - shown)  # every label in indicators.csv is printed in this build


def test_pdf_has_the_warning_on_every_page_and_nothing_outside_the_margins(report: Path) -> None:
    pdf = report / f"monitor_{YEAR}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert all(SYNTHETIC_NOTE in " ".join(p.split()) for p in pages)
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    outside = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        for x0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page
        ):
            if float(x0) < LEFT or float(x1) > RIGHT:
                outside.append((number, word))
    assert not outside, outside[:10]
    assert "Wat is er veranderd sinds de vorige editie" in text and "Colofon" in pages[1]


def test_the_site_folder_served_alone_has_no_broken_link(report: Path) -> None:
    """``site/`` served on its own over HTTP: every page, and every file a page links (downloads, the PDF,
    registers, executed notebooks), answers 200 — nothing points outside the folder."""
    import functools
    import http.server
    import threading
    import urllib.error
    import urllib.request

    from helpers.publish.render.site import SITE_DIR, links

    site = report / SITE_DIR
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        pages = sorted(p.name for p in site.glob("*.html"))
        targets = {t for p in pages for t in links((site / p).read_text(encoding="utf-8"))} | set(pages)
        broken = []
        for target in sorted(targets):
            try:
                with urllib.request.urlopen(base + urllib.request.pathname2url(target), timeout=600) as r:
                    ok = r.status == 200
            except urllib.error.URLError:
                ok = False
            if not ok or target.startswith("../"):
                broken.append(target)
    finally:
        server.shutdown()
    assert len(pages) >= 12 and len(targets) > 100
    assert broken == []
    kinds = {Path(t).suffix for t in targets}
    assert {".csv", ".xlsx", ".pdf", ".ipynb", ".txt", ".html"} <= kinds


def _anchors(text: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', text))


def test_every_prose_number_links_to_its_provenance_row_and_its_id_in_indicators(report: Path) -> None:
    """Number-level provenance, checked from the site folder alone: each number a passage printed (the
    passage's ``monitor_numbers``) is a link on its page to a row of "Bronnen van de getallen" whose id is an
    id of ``indicators.csv``; its tooltip exists; a claim or comparison links to its row on the claims page,
    which links back to an anchor on the chapter page."""
    import csv
    import json

    from helpers.publish.render.site import SITE_DIR
    from helpers.report.prose import ENTRIES_KEY, NUMBERS_KEY

    site = report / SITE_DIR
    ind = read_indicators(site / "indicators.csv")
    assert (ind["id"] != "").all() and ind["id"].is_unique
    ids = set(ind["id"])
    claims = (site / "beweringen.html").read_text(encoding="utf-8")
    claim_rows = _anchors(claims)
    total = 0
    for page in sorted(site.glob("[0-9][0-9]_*.html")):
        text = page.read_text(encoding="utf-8")
        anchors = _anchors(text)
        nb = json.loads((site / "executed" / f"{page.stem}.ipynb").read_text(encoding="utf-8"))
        outputs = [o for c in nb["cells"] for o in c.get("outputs", []) if c["cell_type"] == "code"]
        printed = sum(len(o.get("metadata", {}).get(NUMBERS_KEY, [])) for o in outputs)
        entries = sum(len(o.get("metadata", {}).get(ENTRIES_KEY, [])) for o in outputs)
        link = r'<a class="num" href="#bron-([^"]+)" aria-describedby="([^"]+)">([^<]+)</a>'
        links = re.findall(link, text)  # prose numbers and table cells (html_parts.PageNumbers.link_cells)
        prose = re.findall(link, re.sub(r"<td(?:\s[^>]*)?>.*?</td>", "", text, flags=re.S))
        assert len(prose) == printed, page.name  # every printed number is linked, nothing else
        for ident, tip, _ in links:
            assert f"bron-{ident}" in anchors and tip in anchors and ident in ids, (page.name, ident)
        rows = re.findall(r'<tr id="bron-([^"]+)">', text)
        assert set(rows) <= ids and len(rows) == len(set(rows)), page.name
        chapter = int(page.stem[:2])
        assert set(rows) == set(ind["id"][ind["chapter"] == chapter]), page.name  # the chapter's numbers, all
        for target in re.findall(r'href="beweringen\.html#([^"]+)"', text):
            assert target in claim_rows, (page.name, target)
        assert len(re.findall(r'<span id="bewering-\d+"></span>', text)) <= entries
        total += len(links)
    with (site / "claims.csv").open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(re.findall(r'<tr id="[0-9]{2}_\w+-bewering-\d+"', claims))
    for page, anchor in re.findall(r'<th scope="row"><a href="([0-9]{2}_\w+\.html)#(bewering-\d+)">', claims):
        assert anchor in _anchors((site / page).read_text(encoding="utf-8")), (page, anchor)
    assert total > 50


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", fragment)).split())


def test_every_number_in_a_table_is_an_element_and_a_linked_cell_shows_its_rows_value(report: Path) -> None:
    """Table cells, checked from the site folder alone: a number cell is a link to its row of "Bronnen van de
    getallen" whose printed value is the cell's text, or says (tooltip) that no single row explains it; never
    plain text, never a link to a row with another value."""
    from helpers.publish.render.site import SITE_DIR

    number = re.compile(r"^[<>≤≥~±+\-–]?\s*\d[\d.,]*\s*%?$")
    linked = unsourced = 0
    for page in sorted((report / SITE_DIR).glob("[0-9][0-9]_*.html")):
        text = page.read_text(encoding="utf-8")
        sources = {
            html.unescape(i): _plain(re.findall(r"<td>(.*?)</td>", body, re.S)[1])
            for i, body in re.findall(r'<tr id="bron-([^"]+)">(.*?)</tr>', text, re.S)
        }
        for table in re.findall(r"<table>(.*?)</table>", text, re.S):
            caption = re.search(r'<caption><span class="monitor-ref">(Tabel [^<]*)</span>', table)
            if not caption:
                continue
            for cell in re.findall(r"<td(?:\s[^>]*)?>(.*?)</td>", table, re.S):
                link = re.search(r'<a class="num" href="#bron-([^"]+)"[^>]*>(.*?)</a>', cell, re.S)
                if link:
                    ident, shown = html.unescape(link.group(1)), _plain(link.group(2))
                    assert sources.get(ident) == shown, (page.name, caption.group(1), shown, ident)
                    linked += 1
                elif 'class="num num-none"' in cell:
                    unsourced += 1
                else:
                    assert not number.match(_plain(cell)), (page.name, caption.group(1), _plain(cell))
    assert linked > 400 and unsourced <= linked // 50, (linked, unsourced)
