"""Run axe-core (``make setup`` installs it with npm) in headless Chromium on a built HTML page.

The page is copied next to the original with axe and a small runner appended; the runner presses
"Toon alle code" (so every code block is open), checks WCAG 2.0/2.1 A and AA and writes the
violations into the page, which Chromium prints with ``--dump-dom``. It also measures, at the
window width asked for, whether the navigation fits (reflow at 320 px). The pages of a folder are checked
in one Chromium (:func:`run_axe_pages`): a start-up per page would cost more than axe's run.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from process_helpers import LIMIT

ROOT = Path(__file__).resolve().parents[2]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_RESULT = re.compile(r'<pre id="axe-result">(.*?)</pre>', re.S)

RUNNER = """<script>%(axe)s</script>
<script>
window.addEventListener('load', function () {
  var button = document.querySelector('.monitor-allcode');
  if (button) { button.click(); }
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  window.dispatchEvent(new Event('resize'));
  var navs = Array.prototype.map.call(document.querySelectorAll('nav'), function (n) {
    return {scroll: n.scrollWidth, client: n.clientWidth, right: n.getBoundingClientRect().right};
  });
  var opened = document.querySelectorAll('details.monitor-code:not([open])').length === 0;
  axe.run(document, {runOnly: {type: 'tag', values: %(tags)s}}).then(function (r) {
    var result = JSON.stringify({
      violations: r.violations.map(function (v) {
        return {id: v.id, impact: v.impact, nodes: v.nodes.map(function (n) {
          return n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 300); })};
      }),
      passes: r.passes.length, navs: navs, width: window.innerWidth, allCodeOpen: opened,
      tabStops: document.querySelectorAll('[tabindex="0"]:not(a):not(button):not(summary):not(.monitor-scroll)').length
    });
    if (window.parent !== window) { window.parent.postMessage(result, '*'); return; }
    var pre = document.createElement('pre');
    pre.id = 'axe-result';
    pre.textContent = result;
    document.body.appendChild(pre);
  });
});
</script>"""


def axe_js() -> Path | None:
    """axe.min.js from ``make setup`` (``.venv/node_modules``) or ``$AXE_CORE_JS``."""
    env = os.environ.get("AXE_CORE_JS")
    for p in ([Path(env)] if env else []) + [ROOT / ".venv" / "node_modules" / "axe-core" / "axe.min.js"]:
        if p.is_file():
            return p
    return None


def chromium() -> str | None:
    return next((c for c in ("chromium", "chromium-browser", "google-chrome") if shutil.which(c)), None)


#: Headless Chromium's window is at least 500 px wide: narrower viewports are an iframe of that width.
MIN_WINDOW = 500
FRAME = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>axe</title></head><body>
<iframe title="pagina" src="%(src)s" style="width:%(width)dpx;height:900px;border:0"></iframe>
<script>window.addEventListener('message', function (e) {
  var pre = document.createElement('pre'); pre.id = 'axe-result'; pre.textContent = e.data;
  document.body.appendChild(pre);
});</script></body></html>"""


#: Every page of a batch, one after the other, each in a fresh iframe of the width asked for; the results by page.
BATCH = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>axe</title></head><body style="margin:0">
<script>var pages = %(pages)s, results = {}, k = 0, frame = null;
function next() {
  if (frame) { frame.remove(); }
  if (k === pages.length) {
    var pre = document.createElement('pre'); pre.id = 'axe-result'; pre.textContent = JSON.stringify(results);
    document.body.appendChild(pre); return;
  }
  frame = document.createElement('iframe'); frame.title = 'pagina';
  frame.style.cssText = 'width:%(width)dpx;height:900px;border:0;display:block';
  frame.src = pages[k][0]; document.body.appendChild(frame);
}
window.addEventListener('message', function (e) {
  if (!frame || e.source !== frame.contentWindow) { return; }
  results[pages[k][1]] = JSON.parse(e.data); k += 1; next();
});
window.addEventListener('load', next);
</script></body></html>"""
#: Virtual time (ms) Chromium allows each page of a batch: the page's load and axe's run.
PAGE_BUDGET_MS = 30000


def run_axe(page: Path, width: int = 1280) -> dict:
    """axe's violations (and navigation widths) for ``page`` at ``width`` CSS pixels, with all code opened."""
    return run_axe_pages([page], width)[page.name]


def run_axe_pages(pages: list[Path], width: int = 1280) -> dict[str, dict]:
    """:func:`run_axe` for each of ``pages`` (one folder) in one Chromium; the results by page name."""
    js = axe_js()
    if js is None or chromium() is None:
        raise RuntimeError("axe-core or chromium missing: run `make setup`")
    runner = RUNNER % {"axe": js.read_text(encoding="utf-8"), "tags": json.dumps(TAGS)}
    return probe_pages(pages, width, runner, "axe", PAGE_BUDGET_MS)


def probe_pages(pages: list[Path], width: int, script: str, prefix: str, budget_ms: int) -> dict[str, dict]:
    """Each of ``pages`` (one folder) with ``script`` added (it posts its JSON result to the parent frame) in one
    Chromium: each page in a fresh iframe of ``width`` CSS pixels (its own viewport, as a window of that width),
    one after the other; the results by page name. ``budget_ms``: the virtual time each page may take."""
    browser = chromium()
    assert browser is not None, "chromium missing: run `make setup`"
    folder = pages[0].parent
    assert all(p.parent == folder for p in pages), "probe_pages: pages of one folder"
    probes = [page.with_name(f".{prefix}-{width}-{page.name}") for page in pages]
    batch = folder / f".{prefix}-batch-{width}.html"
    try:
        for page, probe in zip(pages, probes, strict=True):
            probe.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
        order = json.dumps([[probe.name, page.name] for page, probe in zip(pages, probes, strict=True)])
        batch.write_text(BATCH % {"pages": order, "width": width}, encoding="utf-8")
        proc = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
             f"--virtual-time-budget={budget_ms * len(pages)}", f"--window-size={max(width, MIN_WINDOW)},900",
             batch.as_uri()],
            capture_output=True, text=True, timeout=LIMIT * len(pages),  # a hang guard only
        )  # fmt: skip
    finally:
        for path in (*probes, batch):
            path.unlink(missing_ok=True)
    m = _RESULT.search(proc.stdout)
    if not m:
        raise RuntimeError(f"no result for {len(pages)} page(s) of {folder}: {proc.stderr[-1500:]}")
    return json.loads(html.unescape(m.group(1)))
