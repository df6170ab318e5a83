"""Keyboard use and reflow of the reviewer HTML, measured in headless Chromium on the stub report.

A keyboard user meets a skip link first, the navigation outside ``<main>``, the code cells that print
nothing folded into one toggle (so the first figure is a few tab stops away), a "Toon alle code" button
whose text follows its state, and at 320 px no page scrolls sideways (WCAG 1.4.10) while charts
shrink with the page. axe itself runs in ``test_accessibility.py`` (both widths).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest
from axe_check import FRAME, MIN_WINDOW, chromium, probe_pages
from shared_builds import shared_stub

from helpers.publish.render.html_parts import FOLD_MIN_CELLS

pytestmark = pytest.mark.slow

#: Most tab stops a keyboard user passes before the first figure of a chapter page (skip link, three
#: navigation links, "Toon alle code", the folded set-up code and a toggle or two of the text before it).
MAX_TAB_STOPS_BEFORE_FIGURE = 7
_RESULT = re.compile(r'<pre id="kb-result">(.*?)</pre>', re.S)

PROBE = """<script>
window.addEventListener('load', function () {
  function visible(el) { return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'; }
  function stops() {
    var sel = 'a[href], button, summary, input, select, textarea, [tabindex]';
    return Array.prototype.filter.call(document.querySelectorAll(sel), function (el) {
      if (el.hasAttribute('hidden') || el.getAttribute('tabindex') === '-1') { return false; }
      if (el.closest('details:not([open]) > :not(summary)')) { return false; }
      return el.classList.contains('monitor-skip') || visible(el);
    });
  }
  var before = stops();
  var figure = document.querySelector('figure');
  var beforeFigure = figure ? before.filter(function (el) {
    return el.compareDocumentPosition(figure) & Node.DOCUMENT_POSITION_FOLLOWING;
  }).length : -1;
  var main = document.querySelector('main');
  var skip = before[0];
  var button = document.querySelector('.monitor-allcode');
  var texts = [];
  if (button) { texts.push(button.textContent); button.click(); texts.push(button.textContent); }
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  window.dispatchEvent(new Event('resize'));
  var doc = document.documentElement;
  var wide = Array.prototype.filter.call(document.querySelectorAll('main *'), function (el) {
    return el.getBoundingClientRect().right > doc.clientWidth + 1 && !el.closest('.monitor-scroll');
  }).slice(0, 5).map(function (el) { return el.tagName + '.' + el.className; });
  var imgs = Array.prototype.map.call(document.querySelectorAll('figure img'), function (img) {
    return {width: img.getBoundingClientRect().width, natural: img.naturalWidth,
            scroller: !!img.closest('.monitor-scroll')};
  });
  var result = JSON.stringify({
    width: window.innerWidth, scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide: wide,
    beforeFigure: beforeFigure, firstStop: skip ? (skip.getAttribute('href') || skip.tagName) : null,
    skipTarget: main ? main.id : null, navsInMain: main ? main.querySelectorAll('nav').length : -1,
    navs: document.querySelectorAll('nav').length, buttonTexts: texts, images: imgs,
    setupToggles: document.querySelectorAll('details.monitor-setup').length
  });
  if (window.parent !== window) { window.parent.postMessage(result, '*'); return; }
  var pre = document.createElement('pre'); pre.id = 'kb-result'; pre.textContent = result;
  document.body.appendChild(pre);
});
</script>"""
_FRAME_RESULT = FRAME.replace("axe-result", "kb-result")


def measure_pages(pages: list[Path], width: int) -> dict[str, dict]:
    """:func:`measure` for each of ``pages`` (one folder) in one Chromium; the results by page name."""
    return probe_pages(pages, width, PROBE, "kb", 20000)


def measure(page: Path, width: int) -> dict:
    """What the probe measures on ``page`` in Chromium at ``width`` CSS pixels."""
    browser = chromium()
    assert browser is not None
    probe = page.with_name(f".kb-{width}-{page.name}")
    frame = page.with_name(f".kb-frame-{width}-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    target = probe
    if width < MIN_WINDOW:
        frame.write_text(_FRAME_RESULT % {"src": probe.name, "width": width}, encoding="utf-8")
        target = frame
    try:
        proc = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "--virtual-time-budget=20000",
             f"--window-size={max(width, MIN_WINDOW)},900", target.as_uri()],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    finally:
        probe.unlink(missing_ok=True)
        frame.unlink(missing_ok=True)
    m = _RESULT.search(proc.stdout)
    assert m, f"no measurement for {page.name}: {proc.stderr[-1000:]}"
    return json.loads(html.unescape(m.group(1)))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's build of the stub project without raw input (``shared_builds.shared_stub``):
    the browser probes are written beside the pages, so this module has its own."""
    _, result = shared_stub(tmp_path_factory).copy(tmp_path_factory.mktemp("keyboard") / "project")
    return result.report_dir


def chapter_pages(report: Path) -> list[Path]:
    return [p for p in sorted((report / "site").glob("0*.html"))]


def test_skip_link_navigation_outside_main_and_folded_setup_code_in_the_source(report: Path) -> None:
    for page in chapter_pages(report):
        text = page.read_text(encoding="utf-8")
        body = text[text.index("<body") :]
        assert re.search(r'<body[^>]*>\s*<a class="monitor-skip" href="#inhoud">', body), page.name
        main = body[body.index('<main id="inhoud"') : body.index("</main>")]
        assert "<nav" not in main, f"{page.name}: navigation inside <main>"
        assert body.count("<nav") == 2, page.name
    page = (report / "site" / "04_start_guidance.html").read_text(encoding="utf-8")
    folded = re.findall(r'<details class="monitor-code monitor-setup"><summary>([^<]*)</summary>', page)
    assert len(folded) == 1 and re.fullmatch(r"Voorbereidende code \((\d+) cellen\)", folded[0])
    assert int(re.search(r"\d+", folded[0]).group(0)) >= FOLD_MIN_CELLS


needs_browser = pytest.mark.skipif(chromium() is None, reason="run `make setup` (chromium)")


@needs_browser
def test_keyboard_reaches_the_first_figure_quickly_and_the_toggle_says_what_it_does(report: Path) -> None:
    result = measure(report / "site" / "04_start_guidance.html", 1280)
    assert result["firstStop"] == "#inhoud" and result["skipTarget"] == "inhoud"
    assert result["navsInMain"] == 0 and result["navs"] == 2
    assert result["setupToggles"] == 1
    assert 0 < result["beforeFigure"] <= MAX_TAB_STOPS_BEFORE_FIGURE, result
    assert result["buttonTexts"] == ["Toon alle code", "Verberg alle code"]


@needs_browser
@pytest.mark.parametrize("width", [320, 1280])
def test_no_page_scrolls_sideways_and_charts_scale(report: Path, width: int) -> None:
    pages = sorted((report / "site").glob("*.html"))
    results = measure_pages(pages, width)  # one browser for every page
    assert sorted(results) == [page.name for page in pages]
    for page in pages:
        result = results[page.name]
        assert result["width"] == width
        assert result["scrollWidth"] <= result["clientWidth"], f"{page.name} at {width}px: {result['wide']}"
        for img in result["images"]:
            assert not img["scroller"], f"{page.name}: a chart sits in a scroll box"
            assert img["width"] <= result["clientWidth"], f"{page.name}: a chart is wider than the page"
