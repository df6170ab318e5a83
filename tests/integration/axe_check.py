"""Run axe-core (``make setup`` installs it with npm) in headless Chromium on a built HTML page.

The page is copied next to the original with axe and a small runner appended; the runner presses
"Toon alle code" (so every code block is open), checks WCAG 2.0/2.1 A and AA and writes the
violations into the page, which Chromium prints with ``--dump-dom``. It also measures, at the
window width asked for, whether the navigation fits (reflow at 320 px).
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


def run_axe(page: Path, width: int = 1280) -> dict:
    """axe's violations (and navigation widths) for ``page`` at ``width`` CSS pixels, with all code opened."""
    js, browser = axe_js(), chromium()
    if js is None or browser is None:
        raise RuntimeError("axe-core or chromium missing: run `make setup`")
    probe = page.with_name(f".axe-{width}-{page.name}")
    frame = page.with_name(f".axe-frame-{width}-{page.name}")
    runner = RUNNER % {"axe": js.read_text(encoding="utf-8"), "tags": json.dumps(TAGS)}
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", runner + "</body>"), encoding="utf-8")
    target = probe
    if width < MIN_WINDOW:
        frame.write_text(FRAME % {"src": probe.name, "width": width}, encoding="utf-8")
        target = frame
    try:
        proc = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "--virtual-time-budget=30000",
             f"--window-size={max(width, MIN_WINDOW)},900", target.as_uri()],
            capture_output=True, text=True, timeout=LIMIT,  # a hang guard only
        )  # fmt: skip
    finally:
        probe.unlink(missing_ok=True)
        frame.unlink(missing_ok=True)
    m = _RESULT.search(proc.stdout)
    if not m:
        raise RuntimeError(f"axe gave no result for {page.name}: {proc.stderr[-1500:]}")
    return json.loads(html.unescape(m.group(1)))
