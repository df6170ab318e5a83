"""The real 2018 report as a reviewer gets it: accessible HTML on every page, the data behind every
figure and table, this build's label for every number, the PDF within its margins with the warning.

One cold build of the real notebooks (like ``test_report_2018``), then the checks of
``test_accessibility`` on the real pages, plus what only the real report has.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from axe_check import axe_js, chromium, run_axe

from helpers import paths
from helpers.publish import BuildOptions, build_report
from helpers.publish.repro import SYNTHETIC_NOTE
from helpers.report.registry import read_indicators

pytestmark = pytest.mark.slow
YEAR = 2018
#: A4 with 2.5 cm margins, in PDF points (1 pt of tolerance).
LEFT, RIGHT = 70.87 - 1, 595.28 - 70.87 + 1
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<')


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("reviewer")
    return build_report(
        YEAR, paths.NOTEBOOKS_DIR, reports, BuildOptions(jobs=2, force=True, log=lambda line: None)
    ).report_dir


@pytest.mark.skipif(axe_js() is None or chromium() is None, reason="run `make setup` (axe-core, chromium)")
def test_axe_finds_no_violation_on_any_page_at_1280_and_320_px(report: Path) -> None:
    found = {}
    for page in sorted((report / "html").glob("*.html")):
        for width in (1280, 320):
            result = run_axe(page, width)
            assert result["tabStops"] == 0 and result["allCodeOpen"], page.name
            assert all(n["scroll"] <= n["client"] and n["right"] <= width for n in result["navs"]), (page.name, width)
            found[(page.name, width)] = [(v["id"], len(v["nodes"])) for v in result["violations"]]
    assert len(found) == 2 * (len(list(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))) + 3)
    assert all(not v for v in found.values()), {k: v for k, v in found.items() if v}


def test_every_figure_and_table_has_its_data_and_every_number_its_label(report: Path) -> None:
    shown = set()
    for page in sorted((report / "html").glob("[0-9][0-9]_*.html")):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r'<figure class="jp-RenderedImage.*?</figure>', text, re.S):
            ref = re.search(r'<span class="monitor-ref">(Figuur [0-9A-Z.]+)</span>', block).group(1)
            assert '<details class="monitor-numbers">' in block and "download>" in block, (page.name, ref)
            shown.add(ref)
        for ref in re.findall(r'<caption><span class="monitor-ref">(Tabel [0-9A-Z.]+)</span>', text):
            slug = ref.lower().replace(" ", "-").replace(".", "-")
            data = f"data/{page.stem}/{slug}.csv"
            assert f'href="../{data}"' in text and (report / data).is_file(), ref
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

    from helpers.publish.site import SITE_DIR, links

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
