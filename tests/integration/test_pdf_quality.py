"""The PDF of every shipped edition, page by page, against what a published research report must meet.

Each edition in ``data/raw/<year>/`` is built (once per session, shared) and every page read back with poppler
(``pdftotext -bbox-layout``, ``pdfimages -list``): no text outside the margins, a running header and
footer as wide as the text block, no page whose only content is a repeated table header, no
hyphenated heading, charts placed so their smallest label prints at 8 pt or more, and a title page
that names the edition, the publisher(s) and the date.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from editions import shared_edition
from shared_builds import SharedBuild

from helpers import paths
from helpers.report.plots import DPI, MIN_FONT_PT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdfimages"), reason="poppler-utils"),
]

EDITIONS = sorted(int(p.parent.name) for p in paths.RAW_DIR.glob("[0-9][0-9][0-9][0-9]/codebook.yaml"))
#: The page margins of the template (2.5 cm) in PostScript points, and what rounding may add.
MARGIN = 2.5 / 2.54 * 72
TOLERANCE = 1.5
#: Smallest size at which a chart's text may print.
MIN_PRINTED_PT = 8.0
_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]

    def body(self) -> list[Line]:
        """The lines between the running header and the running footer."""
        return [ln for ln in self.lines if ln.y0 > MARGIN - 4 and ln.y1 < self.height - MARGIN + 4]


def read_pages(pdf: Path) -> list[Page]:
    """Every page of ``pdf`` with its text lines and their boxes (``pdftotext -bbox-layout``)."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = ET.fromstring(out)
    pages = []
    for k, page in enumerate(root.iter(f"{_NS}page"), start=1):
        lines = []
        for line in page.iter(f"{_NS}line"):
            words = [w.text or "" for w in line.iter(f"{_NS}word")]
            box = [float(line.get(a, 0)) for a in ("xMin", "yMin", "xMax", "yMax")]
            lines.append(Line(" ".join(words), *box))
        pages.append(Page(k, float(page.get("width", 0)), float(page.get("height", 0)), lines))
    return pages


def image_ppi(pdf: Path) -> list[tuple[int, float]]:
    """(page, smaller of x-ppi and y-ppi) of every image placed in ``pdf`` (``pdfimages -list``)."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        cols = line.split()
        if len(cols) >= 14 and cols[2] == "image":
            rows.append((int(cols[0]), min(float(cols[12]), float(cols[13]))))
    return rows


def outside_margins(page: Page) -> list[str]:
    """Lines that run into the left or right margin."""
    left, right = MARGIN - TOLERANCE, page.width - MARGIN + TOLERANCE
    return [f"{ln.text[:50]!r} ({ln.x0:.0f}–{ln.x1:.0f} pt)" for ln in page.lines if ln.x0 < left or ln.x1 > right]


def header_only(page: Page, previous: Page | None, image_pages: set[int]) -> bool:
    """Is the page's only content a table header repeated from the page before?"""
    body = page.body()
    if previous is None or page.number in image_pages or not body or len(body) > 3:
        return False
    before = {ln.text for ln in previous.body()}
    return all(ln.text in before for ln in body)


def hyphenated_headings(page: Page, body_height: float) -> list[str]:
    """Heading lines (set larger than the text) that end in a hyphen inside a word."""
    return [ln.text for ln in page.body() if ln.height > 1.3 * body_height and re.search(r"[a-zà-ÿ]-$", ln.text)]


@pytest.fixture(scope="module", params=EDITIONS)
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SharedBuild:
    """The session's cold build of the edition (``editions.shared_edition``)."""
    return shared_edition(tmp_path_factory, request.param)


@pytest.fixture
def edition(shared: SharedBuild) -> Iterator[tuple[int, Path]]:
    """(year, PDF) of the shared build, read only."""
    with shared.untouched():
        yield shared.result.year, next(shared.report_dir.glob("*.pdf"))


def test_every_page_keeps_its_text_within_the_margins(edition: tuple[int, Path]) -> None:
    year, pdf = edition
    problems = {p.number: bad for p in read_pages(pdf) if (bad := outside_margins(p))}
    assert not problems, f"{year}: text in the margins: {problems}"


def test_header_and_footer_are_as_wide_as_the_text(edition: tuple[int, Path]) -> None:
    year, pdf = edition
    pages = read_pages(pdf)
    numbered = [p for p in pages[4:] if p.lines]
    for page in numbered:
        footer = [ln for ln in page.lines if ln.y0 > page.height - MARGIN and re.fullmatch(r"\d+", ln.text)]
        assert footer, f"{year} p.{page.number}: no page number in the footer"
        assert abs(footer[0].x1 - (page.width - MARGIN)) <= TOLERANCE, f"{year} p.{page.number}: {footer[0]}"
        header = [ln for ln in page.lines if ln.y1 < MARGIN]
        assert header and abs(header[0].x0 - MARGIN) <= TOLERANCE, f"{year} p.{page.number}: {header[:1]}"


def test_no_page_holds_only_a_repeated_table_header(edition: tuple[int, Path]) -> None:
    year, pdf = edition
    pages = read_pages(pdf)
    with_images = {page for page, _ in image_ppi(pdf)}
    bad = [p.number for prev, p in zip([None, *pages[:-1]], pages, strict=True) if header_only(p, prev, with_images)]
    assert not bad, f"{year}: pages with only a repeated table header: {bad}"


def test_no_heading_is_hyphenated(edition: tuple[int, Path]) -> None:
    year, pdf = edition
    pages = read_pages(pdf)
    body_height = statistics.median(ln.height for p in pages for ln in p.body())
    bad = {p.number: h for p in pages if (h := hyphenated_headings(p, body_height))}
    assert not bad, f"{year}: hyphenated headings: {bad}"


def test_chart_labels_print_at_8_pt_or_more(edition: tuple[int, Path]) -> None:
    year, pdf = edition
    images = image_ppi(pdf)
    assert images, f"{year}: no charts in the PDF"
    limit = DPI * MIN_FONT_PT / MIN_PRINTED_PT  # a chart drawn at DPI prints its MIN_FONT_PT text at 8 pt or more
    small = [(page, ppi) for page, ppi in images if ppi > limit + 1]
    assert not small, f"{year}: charts shrunk so far that labels print below 8 pt (page, ppi): {small}"


def test_title_page_names_edition_publisher_and_date(edition: tuple[int, Path]) -> None:
    from helpers.publish.base.repro import report_meta

    year, pdf = edition
    meta = report_meta(year, paths.codebook_path(year))
    first = " ".join(ln.text for ln in read_pages(pdf)[0].lines)
    named = [meta.freeze_date_nl, meta.edition, meta.as_dict()["synthetic_note"], *meta.publisher, *meta.authors]
    expected = 1 + sum(text.count(str(year)) for text in named)
    assert first.count(str(year)) == expected, f"{year}: the year more than once: {first}"
    assert f"Editie {year}" in first and meta.edition in first and meta.freeze_date_nl in first
    assert meta.publisher, f"{year}: notes.yaml names no publisher"
    for name in meta.publisher:
        assert name.split()[0] in first, f"{year}: publisher {name!r} not on the title page"
