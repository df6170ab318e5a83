"""The reviewer's site: ``reports/<year>/site/``, a folder that stands on its own.

The HTML pages in ``html/`` link the build's other files (data downloads, the PDF, ``indicators.csv``,
``claims.csv``, the executed notebooks, ``versions.txt``) as ``../…``. The site holds every page and every
file a page links, under the same relative paths but inside one folder, with the links rewritten to stay
inside it: served on its own (``python -m http.server`` in ``site/``) or zipped, nothing is broken.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE_DIR = "site"
PAGES_DIR = "html"
_LINK = re.compile(r'\b(href|src)="([^"]*)"')


def _local(target: str) -> str | None:
    """The path part of a link to a file of the build ('' or None for anchors, data:, mail, the web)."""
    parts = urlsplit(html.unescape(target))
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(parts.path)


def _rewrite(page: Path, report: Path, site: Path, wanted: dict[Path, Path]) -> str:
    """The page's text with every link to a build file pointing inside ``site``; collects the files."""
    pages = report / PAGES_DIR

    def fix(m: re.Match[str]) -> str:
        path = _local(m.group(2))
        if path is None:
            return m.group(0)
        source = (pages / path).resolve()
        base = pages if source.is_relative_to(pages.resolve()) else report
        if not source.is_relative_to(report.resolve()):
            return m.group(0)  # outside the report: left as it is (the link check reports it)
        rel = source.relative_to(base.resolve())
        wanted[source] = site / rel
        suffix = m.group(2)[len(m.group(2).split("#", 1)[0].split("?", 1)[0]) :]
        return f'{m.group(1)}="{html.escape(rel.as_posix(), quote=True)}{suffix}"'

    return _LINK.sub(fix, page.read_text(encoding="utf-8"))


def make_site(report: Path) -> Path:
    """(Re)write ``report/site/`` from ``report/html/`` and the files its pages link; returns the folder."""
    report = Path(report)
    site = report / SITE_DIR
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir()
    wanted: dict[Path, Path] = {}
    for page in sorted((report / PAGES_DIR).glob("*.html")):
        (site / page.name).write_text(_rewrite(page, report, site, wanted), encoding="utf-8")
    for source, dest in sorted(wanted.items()):
        if source.is_file() and not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
    return site


def links(page_text: str) -> list[str]:
    """Every local link of a page (for the link check): the path part of each ``href``/``src``."""
    return [p for _, target in _LINK.findall(page_text) if (p := _local(target))]
