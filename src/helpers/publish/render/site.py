"""The reviewer's site: ``reports/<year>/site/``, the one folder of HTML, standing on its own.

The pages are written straight into ``site/`` and link the build's other files (data downloads, the PDF,
``indicators.csv``, ``claims.csv``, the executed notebooks, ``versions.txt``) by their path in the report
folder (``data/03_policy/…``). :func:`complete_site` copies every such file into ``site/`` under the same
path, so the folder served on its own (``python -m http.server`` in ``site/``) or zipped has no broken link.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

from helpers.survey.vocabulary import SITE_DIR

__all__ = ["SITE_DIR", "complete_site", "links"]
_LINK = re.compile(r'\b(href|src)="([^"]*)"')


def _local(target: str) -> str | None:
    """The path part of a link to a file of the build ('' or None for anchors, data:, mail, the web)."""
    parts = urlsplit(html.unescape(target))
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(parts.path)


def links(page_text: str) -> list[str]:
    """Every local link of a page (for the link check): the path part of each ``href``/``src``."""
    return [p for _, target in _LINK.findall(page_text) if (p := _local(target))]


def _linked_files(report: Path, site: Path) -> dict[Path, Path]:
    """Each file of the report (outside ``site/``) that a page of ``site/`` links, with its place in the site."""
    root, pages = report.resolve(), site.resolve()
    wanted: dict[Path, Path] = {}
    for page in sorted(site.glob("*.html")):
        for path in links(page.read_text(encoding="utf-8")):
            target = (pages / path).resolve()
            if not target.is_relative_to(pages) or target.exists():
                continue  # outside the site (left for the link check), or a page of the site itself
            source = root / target.relative_to(pages)
            if source.is_file():
                wanted[source] = target
    return wanted


def complete_site(report: Path) -> Path:
    """Copy into ``report/site/`` every report file its pages link (nothing else stays there); returns it."""
    report = Path(report)
    site = report / SITE_DIR
    site.mkdir(parents=True, exist_ok=True)
    for entry in sorted(site.iterdir()):  # a folder of an earlier site: only the pages are the build's own
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.suffix != ".html":
            entry.unlink()
    for source, dest in sorted(_linked_files(report, site).items()):
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)
    return site


# --- every built edition: one index and one zip per site (``make site``) --------------------------------

#: The page in ``reports/`` that lists every built edition's site.
EDITIONS_INDEX = "index.html"
EDITIONS_TITLE = "Monitor arbeidstoeleiding statushouders: gebouwde edities"
#: Earliest time a zip entry can carry (1980-01-01, the format's epoch).
_ZIP_EPOCH = 315532800
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def site_zip_name(year: int) -> str:
    """``monitor_2018_site.zip``: the reviewer's site of one edition, zipped."""
    return f"monitor_{year}_site.zip"


def built_editions(reports: Path) -> list[int]:
    """The years under ``reports`` with a site (``<year>/site/index.html``); never feedback or failed builds."""
    return sorted(
        int(p.name) for p in Path(reports).iterdir() if p.name.isdigit() and (p / SITE_DIR / "index.html").is_file()
    )


def zip_site(site: Path, dest: Path, epoch: int) -> Path:
    """Zip ``site`` into folder ``<dest stem>/`` (sorted files, one time stamp, fixed modes): same site, same bytes."""
    import time
    import zipfile

    stamp = time.gmtime(max(epoch, _ZIP_EPOCH))[:6]
    tmp = dest.with_name(f".{dest.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{dest.stem}/{path.relative_to(site).as_posix()}", date_time=stamp)
            info.external_attr, info.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    tmp.replace(dest)
    return dest


def editions_page(reports: Path, years: list[int]) -> str:
    """``reports/index.html``: each edition's title, with links to its site and its zip."""
    from helpers.publish.base.page_shell import page
    from helpers.survey.text_escape import html_text as esc

    items = []
    for year in years:
        found = _TITLE.search((Path(reports) / str(year) / SITE_DIR / "index.html").read_text(encoding="utf-8"))
        title = html.unescape(found.group(1)) if found else str(year)
        items.append(
            f'<li><a href="{year}/{SITE_DIR}/index.html">{esc(title)}</a>'
            f' (<a href="{site_zip_name(year)}" download>alles als zip</a>)</li>'
        )
    body = f"<h1>{esc(EDITIONS_TITLE)}</h1>\n<ul>\n" + "\n".join(items) + "\n</ul>\n"
    return page(EDITIONS_TITLE, body, home=False)


def package_sites(reports: Path, epoch: int) -> list[Path]:
    """Zip every built edition's site into ``reports/`` and write the editions index; returns what it wrote."""
    reports = Path(reports)
    years = built_editions(reports)
    written = [zip_site(reports / str(y) / SITE_DIR, reports / site_zip_name(y), epoch) for y in years]
    index = reports / EDITIONS_INDEX
    index.write_text(editions_page(reports, years), encoding="utf-8")
    return [index, *written]
