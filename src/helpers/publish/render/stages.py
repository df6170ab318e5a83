"""The PDF and the HTML pages of one build, rendered side by side, and the extra pages of the HTML
edition (the claims register, what changed since the previous edition)."""

from __future__ import annotations

import csv
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from helpers.publish.base import plan
from helpers.publish.base.state import Build, BuildError, BuildResult
from helpers.publish.registers.claims_register import FILENAME as CLAIMS_FILE
from helpers.publish.registers.claims_register import PAGE as CLAIMS_PAGE
from helpers.publish.registers.claims_register import TITLE as CLAIMS_TITLE
from helpers.publish.registers.claims_register import claims_page
from helpers.survey.vocabulary import EXECUTED_DIR, SITE_DIR


def render_report(
    b: Build, report: list[plan.Notebook], staging: Path, result: BuildResult, force: bool = False
) -> None:
    """PDF (in a thread: XeLaTeX runs as a subprocess) and HTML pages at the same time: the pages start once the
    PDF's LaTeX source is written, so the interpreter first serves the PDF's critical path.

    Unless ``force``, what did not change is taken from the previous report: HTML pages with an
    unchanged key, the PDF when its LaTeX source and figures are unchanged, and the .aux/.toc of
    the last XeLaTeX run (so an edit that moves no page needs one pass).
    """
    # nbconvert is imported here, before the threads: two threads importing it at once can see it half-loaded
    import nbconvert.exporters  # noqa: F401

    from helpers.publish.render.html import (
        STATE_DIR,
        attach_table_data,
        prune_data_files,
        referenced_data_files,
        render_pages,
    )
    from helpers.publish.render.merge import MergeError, chapter_title, load_executed, merge
    from helpers.publish.render.pdf import LatexError, render_pdf

    try:
        items = [(nb, load_executed(staging / EXECUTED_DIR / nb.filename, nb)) for nb in report]
    except MergeError as exc:
        raise BuildError(str(exc)) from exc
    state, previous = staging / STATE_DIR, None if force else b.final / STATE_DIR

    source_ready = threading.Event()

    def pdf_job() -> int:
        try:
            section = section_job.result()
            merged = merge(items, b.meta, appendix_markdown=[section.markdown] if section else [])
            t0 = time.perf_counter()
            passes = render_pdf(
                merged, staging / b.pdf_name, b.templates_dir, keep_dir=b.failed_dir, state_dir=state,
                previous=previous, source_ready=source_ready,
            )  # fmt: skip
        finally:
            source_ready.set()
        result.timings["latex"] = time.perf_counter() - t0
        return passes

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="render") as pool:
        # the comparison with the previous edition (cached in .render/) runs beside the HTML pages
        section_job = pool.submit(_edition_section, b, [state] if previous is None else [state, previous])
        future = pool.submit(pdf_job)
        # the HTML pages wait for the PDF's Python part (merge, pandoc, template): sharing the interpreter with it
        # would only delay XeLaTeX, which then runs in its own processes beside the pages
        source_ready.wait()
        t0 = time.perf_counter()
        for nb, nbk in items:  # the HTML's downloads of pipe tables; the PDF has read the notebooks by now
            attach_table_data(nbk, staging, nb.name)
        titled = [(nb, nbk, chapter_title(nbk)) for nb, nbk in items]
        links = lambda: _extra_pages(b, staging, section_job.result())  # noqa: E731 - asked for after the pages
        pages, fresh = render_pages(
            titled, staging / SITE_DIR, b.meta, b.templates_dir, b.pdf_name,
            previous=None if force else b.final / SITE_DIR, extra_links=links,
        )  # fmt: skip
        prune_data_files(staging, referenced_data_files([nbk for _, nbk in items]))
        result.timings["html"] = time.perf_counter() - t0
        b.log(f"html: {len(pages)} pagina's, {len(fresh)} opnieuw opgemaakt ({result.timings['html']:.1f} s)")
        try:
            passes = future.result()
        except LatexError as exc:
            raise BuildError(str(exc)) from exc
    runs = "PDF ongewijzigd, geen XeLaTeX-run" if passes == 0 else f"{passes} XeLaTeX-run(s)"
    b.log(f"pdf: {b.pdf_name}, {runs} ({result.timings['latex']:.1f} s)")


def _edition_section(b: Build, state_dirs: list[Path]) -> Any:
    """What changed since the previous edition (``publish.compare``), or None when it cannot be computed."""
    from helpers.publish.registers.compare import edition_section

    try:
        return edition_section(b.year, b.meta.title, b.meta.as_dict()["synthetic_note"], state_dirs)
    except Exception as exc:  # the comparison is an extra: a problem in it must not stop the report
        b.log(f"vergelijking met de vorige editie overgeslagen: {type(exc).__name__}: {exc}")
        return None


def _extra_pages(b: Build, staging: Path, section: Any) -> list[tuple[str, str]]:
    """Write the comparison page and the package versions file; return the links for the index page."""
    from helpers.publish.base.repro import VERSIONS_FILE, package_versions
    from helpers.publish.registers.compare import PAGE, TITLE

    (staging / VERSIONS_FILE).write_text(package_versions(), encoding="utf-8")
    (staging / SITE_DIR).mkdir(parents=True, exist_ok=True)
    links = []
    claims = staging / CLAIMS_FILE
    if claims.is_file():
        with claims.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        page = claims_page(rows, b.meta.title, b.meta.as_dict()["synthetic_note"] if b.meta.synthetic else "")
        (staging / SITE_DIR / CLAIMS_PAGE).write_text(page, encoding="utf-8")
        links.append((CLAIMS_PAGE, f"{CLAIMS_TITLE} ({len(rows)}), met de cijfers waarop zij rusten"))
    if section is not None:
        (staging / SITE_DIR / PAGE).write_text(section.page, encoding="utf-8")
        links.append((PAGE, f"{TITLE} ({section.count} vergelijkbare percentages)"))
    return links
