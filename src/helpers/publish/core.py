"""``build_report``: raw export → executed notebooks → PDF + reviewer HTML, cached and swapped in atomically.

Before any notebook runs, the year's data are checked with the same function as ``monitor data``
(``check_data``); a bad export stops the build with the grouped problem list and
``reports/<year>-failed/problems.txt``. Cached parts are reused only after their content hash
matches the manifest; ``force`` rebuilds everything.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.publish import cache, plan
from helpers.publish.claims import FILENAME as CLAIMS_FILE
from helpers.publish.claims import PAGE as CLAIMS_PAGE
from helpers.publish.claims import TITLE as CLAIMS_TITLE
from helpers.publish.claims import ClaimsError, assemble_claims, claims_page, unplaced_remarks
from helpers.publish.indicators import QUOTES, IndicatorError, assemble
from helpers.publish.params import KERNELSPEC, notebook_parameters
from helpers.publish.preflight import check_data_first, environment
from helpers.publish.repro import ReportMeta, report_meta, reproducible_env

WORK = ".work"  # scratch space inside the staging directory; removed before the swap
#: Files of ``src/helpers`` that make up the code of the notebooks (the first-names list of the quotes, too).
SOURCE_SUFFIXES = (".py", ".txt")
Log = Callable[[str], None]


def log_stderr(line: str) -> None:
    """Default progress output: one line per event on stderr."""
    print(line, file=sys.stderr, flush=True)


class BuildError(RuntimeError):
    """The build stopped; ``str()`` is the one line to show: ``BUILD FAILED: <notebook>, cel <n>: <error>``."""

    def __init__(self, message: str, failed_notebook: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.failed_notebook = failed_notebook

    def __str__(self) -> str:
        return f"BUILD FAILED: {self.message}"


@dataclass
class BuildResult:
    """What a build produced and what it reused (notebook names)."""

    year: int
    report_dir: Path
    pdf: Path
    html_index: Path
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    rendered: bool = False
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Build:
    """Everything one build needs, resolved once."""

    year: int
    notebooks_dir: Path
    reports_dir: Path
    notebooks: list[plan.Notebook]
    meta: ReportMeta
    params: dict[str, dict[str, Any]]
    templates_dir: Path
    workers: int
    timeout: int | None
    log: Log
    kernel_env: dict[str, str] = field(default_factory=dict)
    check_data: Callable[[], object] | None = None
    #: Key of 01 without its dependencies, and whether it may be taken over (``_reuse_conclusions``).
    conclusions_key: str = ""
    reuse_conclusions: bool = False

    @property
    def final(self) -> Path:
        return self.reports_dir / str(self.year)

    @property
    def failed_dir(self) -> Path:
        return self.reports_dir / f"{self.year}-failed"

    @property
    def pdf_name(self) -> str:
        return f"monitor_{self.year}.pdf"

    @property
    def graph(self) -> dict[str, frozenset[str]]:
        return plan.dependencies(self.notebooks)

    @property
    def exec_order(self) -> list[str]:
        return [n for stage in plan.stages(self.notebooks) for n in stage]


def default_inputs(year: int) -> list[Path]:
    """Inputs whose change re-executes every notebook: the raw data of this year and of every earlier
    year (trends recompute earlier years), the reference and published files, and the pinned
    environment."""
    from helpers import paths

    root = paths.PROJECT_ROOT
    years = sorted(p for p in paths.RAW_DIR.glob("[0-9][0-9][0-9][0-9]") if p.is_dir() and int(p.name) <= year)
    outside = []
    if paths.export_dir() != paths.RAW_DIR:  # real exports in MONITOR_DATA_DIR
        outside = sorted(
            p for p in paths.export_dir().glob("[0-9][0-9][0-9][0-9]") if p.is_dir() and int(p.name) <= year
        )
    return [*years, *outside, paths.REFERENCE_DIR, paths.PUBLISHED_DIR, root / "requirements.lock"]


def build_report(
    year: int,
    notebooks_dir: Path,
    reports_dir: Path,
    jobs: int | None = None,
    force: bool = False,
    *,
    codebook: Path | None = None,
    inputs: Sequence[Path] | None = None,
    helpers_dir: Path | None = None,
    templates_dir: Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    freeze_date: str | None = None,
    synthetic: bool | None = None,
    title: str | None = None,
    authors: Sequence[str] = (),
    processed_dir: Path | None = None,
    timeout: int | None = None,
    log: Log = log_stderr,
    kernel_env: Mapping[str, str] | None = None,
    check_data: Callable[[], object] | None = None,
) -> BuildResult:
    """Build ``reports_dir/<year>/`` from the notebooks in ``notebooks_dir``.

    Executes ``00`` first, the chapters in parallel on ``jobs`` workers (default ``os.cpu_count()``),
    ``01`` last; reuses every notebook whose cache key is unchanged (``force`` ignores the cache);
    renders ``monitor_<year>.pdf`` and ``html/``; swaps the result in atomically. On any failure it
    raises BuildError (``str()`` is the one-line message) and leaves the previous report untouched.
    ``parameters`` go to every notebook and ``overrides[name]`` to one; undeclared names are errors.
    Defaults (codebook, inputs, templates) come from ``helpers.paths``; ``freeze_date``/``synthetic``/
    ``title`` override the codebook; ``processed_dir`` (if given) must be non-empty to reuse ``00``.
    ``kernel_env`` is set for the kernels (and is part of every key); ``check_data`` checks the data
    before the data-preparation notebook runs (an InputError stops the build with the problem list).
    """
    from helpers import paths
    from helpers.publish.staging import BuildLocked, year_lock

    t_start = time.perf_counter()
    codebook = Path(codebook) if codebook is not None else paths.codebook_path(year)
    helpers_dir = Path(helpers_dir) if helpers_dir is not None else Path(__file__).resolve().parents[1]
    try:
        notebooks = plan.discover(Path(notebooks_dir))
        meta = report_meta(
            year, codebook, freeze_date=freeze_date, synthetic=synthetic, title=title, authors=tuple(authors),
            inputs={"export": paths.export_path(year)},
        )  # fmt: skip
    except ValueError as exc:
        raise BuildError(str(exc)) from exc
    unknown = sorted(set(overrides or {}) - {nb.name for nb in notebooks})
    if unknown:
        raise BuildError(f"overrides for unknown notebook(s): {', '.join(unknown)}")
    reports_dir, notebooks_dir = Path(reports_dir).resolve(), Path(notebooks_dir).resolve()
    # What the executed notebooks show as build_dir (the temporary path is replaced by it); part of the keys.
    shown_dir = os.path.relpath(reports_dir / str(year), notebooks_dir)
    b = _Build(
        year=year,
        notebooks_dir=notebooks_dir,
        reports_dir=reports_dir,
        notebooks=notebooks,
        meta=meta,
        params={
            nb.name: notebook_parameters(year, shown_dir, parameters, (overrides or {}).get(nb.name))
            for nb in notebooks
        },
        templates_dir=Path(templates_dir) if templates_dir is not None else paths.TEMPLATES_DIR,
        workers=max(1, jobs or os.cpu_count() or 1),
        timeout=timeout,
        log=log,
        kernel_env=dict(kernel_env or {}),
        check_data=check_data,
    )
    inputs = [*(inputs if inputs is not None else default_inputs(year)), codebook]
    try:
        with year_lock(reports_dir, year):
            result = _build(b, inputs, helpers_dir, force, processed_dir)
    except BuildLocked as exc:
        raise BuildError(str(exc)) from exc
    result.timings["total"] = time.perf_counter() - t_start
    if result.rendered:
        log(f"BUILD OK: {b.final} ({result.timings['total']:.1f} s)")
    else:
        log(f"build {year}: niets veranderd, {b.final} is actueel ({result.timings['total']:.2f} s)")
    return result


def _build(b: _Build, inputs: list[Path], helpers_dir: Path, force: bool, processed_dir: Path | None) -> BuildResult:
    build_pkg = Path(__file__).parent
    digests = {
        "invoerdata": cache.tree_digest(inputs),
        "src/helpers": cache.tree_digest([helpers_dir], SOURCE_SUFFIXES, exclude=[build_pkg]),
    }
    if b.kernel_env:
        digests["leesopties"] = cache.tree_digest([]) + json.dumps(b.kernel_env, sort_keys=True)
    sources = {nb.name: cache.notebook_digest(nb.path) for nb in b.notebooks}
    keys = cache.compute_keys(b.exec_order, b.graph, sources, "".join(digests.values()), b.params)
    b.conclusions_key, b.reuse_conclusions = _conclusions_key(b, sources, "".join(digests.values())), not force
    report = plan.report_order(b.notebooks)
    rkey = cache.render_key(
        [keys[nb.name] for nb in report],
        cache.tree_digest([b.templates_dir]),
        cache.tree_digest([build_pkg], (".py",)),
        b.meta.as_dict(),
    )
    manifest = cache.load_manifest(b.final)
    cached, reasons = (set(), {}) if force else _cached(b, manifest, keys, processed_dir)
    result = BuildResult(b.year, b.final, b.final / b.pdf_name, b.final / "html" / "index.html")
    result.cached = [n for n in b.exec_order if n in cached]
    result.executed = [n for n in b.exec_order if n not in cached]
    damaged_render = cache.damaged(b.final, manifest.get("rendered")) if manifest.get("render_key") == rkey else []
    up_to_date = manifest.get("render_key") == rkey and not damaged_render
    if not result.executed and up_to_date:
        return result
    if damaged_render and not result.executed:
        b.log(f"build {b.year}: opmaak beschadigd of verdwenen ({cache.listed(damaged_render)}); PDF en HTML opnieuw")

    from helpers.publish.merge import MergeError, check_source
    from helpers.publish.staging import new_staging, swap_in

    try:  # fail before executing anything when a notebook has no H1
        for nb in b.notebooks:
            check_source(nb.path)
    except MergeError as exc:
        raise BuildError(str(exc)) from exc
    check_data_first(b.check_data, b.year, b.failed_dir, b.log, skip=_prep_cached(b, cached))
    b.log(
        f"build {b.year}: {len(result.executed)} notebook(s) uitvoeren, {len(cached)} uit cache, {b.workers} worker(s)"
    )
    for n in result.executed:
        why = (
            "--force"
            if force
            else reasons.get(n)
            or cache.explain(n, keys[n], sources[n], digests, set(b.graph[n]) & set(result.executed), manifest)
        )
        b.log(f"  {n}: {why}")
    staging = new_staging(b.reports_dir, b.year)
    try:
        cache.carry_over(b.final, staging, cached, manifest)
        with reproducible_env(b.meta.epoch), environment(b.kernel_env):
            t0 = time.perf_counter()
            seconds = _execute(b, [nb for nb in b.notebooks if nb.name in result.executed], cached, staging, manifest)
            result.timings["execute"] = time.perf_counter() - t0
            try:
                assemble(staging, [nb.name for nb in b.notebooks])
                assemble(staging, [nb.name for nb in b.notebooks], QUOTES)
                claims = assemble_claims(staging, [nb.name for nb in b.notebooks])
            except (IndicatorError, ClaimsError) as exc:
                raise BuildError(str(exc)) from exc
            unplaced = unplaced_remarks(b.year, staging, [nb.name for nb in b.notebooks], claims)
            if unplaced:
                raise BuildError(
                    f"notes.yaml van {b.year}: opmerking(en) {', '.join(unplaced)} staan bij geen "
                    "{{ remarks(...) }} in dat notebook; controleer notebook en anker"
                )
            _render(b, report, staging, result, force)
        shutil.rmtree(staging / WORK, ignore_errors=True)
        previous = manifest.get("notebooks", {})
        files = cache.produced_files(staging, b.exec_order, skip=[cache.MANIFEST_NAME])
        entries = {
            n: {
                "key": keys[n],
                "source": sources[n],
                "seconds": round(seconds.get(n, previous.get(n, {}).get("seconds", 0.0)), 1),
                "parts": files.get(n, {}),
            }
            for n in b.exec_order
        }
        rendered = {k: v for k, v in files.get("", {}).items() if k == b.pdf_name or k.startswith("html/")}
        body = {"year": b.year, "render_key": rkey, "inputs": digests, "notebooks": entries, "rendered": rendered}
        cache.write_manifest(staging, body)
        swap_in(staging, b.final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(b.failed_dir, ignore_errors=True)
    result.rendered = True
    return result


def _cached(
    b: _Build, manifest: Mapping[str, Any], keys: Mapping[str, str], processed_dir: Path | None
) -> tuple[set[str], dict[str, str]]:
    """Notebooks reusable from the last build (key unchanged, every part verified) and why others run."""
    prep = {nb.name for nb in b.notebooks if nb.role == plan.PREP}
    return cache.reusable(b.final, b.exec_order, b.graph, prep, keys, manifest, processed_dir)


def _prep_cached(b: _Build, cached: set[str]) -> bool:
    """True when the data-preparation notebook is reused (the data were checked by that earlier build)."""
    prep = [nb.name for nb in b.notebooks if nb.role == plan.PREP]
    return bool(prep) and all(n in cached for n in prep)


def _snapshot(src: Path, dest: Path) -> None:
    """Copy the notebook as hashed, adding the kernelspec papermill needs when it was stripped."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {}).setdefault("kernelspec", KERNELSPEC)
    dest.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


def _execute(
    b: _Build, to_run: list[plan.Notebook], cached: set[str], staging: Path, manifest: Mapping[str, Any]
) -> dict[str, float]:
    """Check parameters, run the notebooks, write cleaned copies to ``executed/``; seconds per notebook."""
    if not to_run:
        return {}
    import nbformat

    from helpers.publish.execute import ExecutionFailure, Job, run_graph, run_notebook
    from helpers.publish.params import ParameterError, check_parameters
    from helpers.publish.repro import clean_executed

    work = staging / WORK
    for sub in ("src", "out", "logs"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    (staging / "executed").mkdir(exist_ok=True)
    replacements = {str(staging): b.params[to_run[0].name]["build_dir"]}
    previous = manifest.get("notebooks", {})
    jobs: dict[str, Job] = {}
    for nb in to_run:
        src = work / "src" / nb.filename
        _snapshot(nb.path, src)
        params = dict(b.params[nb.name], build_dir=str(staging))
        try:
            check_parameters(src, params, nb.filename)
        except ParameterError as exc:
            raise BuildError(str(exc)) from exc
        jobs[nb.name] = Job(
            nb.name,
            src,
            work / "out" / nb.filename,
            params,
            priority=previous.get(nb.name, {}).get("seconds", 0.0),
            kernel_log=work / "logs" / f"{nb.name}.log",
        )
    conclusions = {nb.name for nb in to_run if nb.role == plan.CONCLUSIONS}
    graph = b.graph

    def before_start(name: str) -> None:
        if name in conclusions:  # 01 reads indicators.csv of everything before it
            try:
                assemble(staging, [n for n in graph if n != name])
            except IndicatorError as exc:
                raise BuildError(str(exc)) from exc

    def runner(job: Job, cwd: Path) -> None:
        if job.name in conclusions and _reuse_conclusions(b, staging, job.name):
            return
        run_notebook(job, cwd, timeout=b.timeout)
        nb = clean_executed(nbformat.read(job.out, as_version=4), replacements)
        nbformat.write(nb, staging / "executed" / job.out.name)
        if job.name in conclusions:
            _remember_conclusions(b, staging)

    try:
        return run_graph(
            jobs, graph, cwd=b.notebooks_dir, workers=b.workers, done=cached, before_start=before_start,
            log=b.log, total=len(jobs), runner=runner,
        )  # fmt: skip
    except ExecutionFailure as failure:
        kept = None
        if failure.notebook is not None and failure.notebook.exists():
            b.failed_dir.mkdir(parents=True, exist_ok=True)
            kept = b.failed_dir / failure.notebook.name
            shutil.copyfile(failure.notebook, kept)
            log = work / "logs" / f"{failure.name}.log"
            if log.exists():
                shutil.copyfile(log, b.failed_dir / log.name)
            b.log(f"mislukte notebook bewaard: {kept}")
        raise BuildError(str(failure), kept) from failure


def _render(b: _Build, report: list[plan.Notebook], staging: Path, result: BuildResult, force: bool = False) -> None:
    """PDF (in a thread: XeLaTeX runs as a subprocess) and HTML pages at the same time.

    Unless ``force``, what did not change is taken from the previous report: HTML pages with an
    unchanged key, the PDF when its LaTeX source and figures are unchanged, and the .aux/.toc of
    the last XeLaTeX run (so an edit that moves no page needs one pass).
    """
    # nbconvert is imported here, before the threads: two threads importing it at once can see it half-loaded
    import nbconvert.exporters  # noqa: F401

    from helpers.publish.html import (
        STATE_DIR,
        attach_table_data,
        prune_data_files,
        referenced_data_files,
        render_pages,
    )
    from helpers.publish.merge import MergeError, chapter_title, load_executed, merge
    from helpers.publish.pdf import LatexError, render_pdf

    try:
        items = [(nb, load_executed(staging / "executed" / nb.filename, nb)) for nb in report]
    except MergeError as exc:
        raise BuildError(str(exc)) from exc
    for nb, nbk in items:
        attach_table_data(nbk, staging, nb.name)
    state, previous = staging / STATE_DIR, None if force else b.final / STATE_DIR

    def pdf_job() -> int:
        section = section_job.result()
        merged = merge(items, b.meta, appendix_markdown=[section.markdown] if section else [])
        t0 = time.perf_counter()
        passes = render_pdf(
            merged, staging / b.pdf_name, b.templates_dir, keep_dir=b.failed_dir, state_dir=state, previous=previous
        )
        result.timings["latex"] = time.perf_counter() - t0
        return passes

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="render") as pool:
        # the comparison with the previous edition (cached in .render/) runs beside the HTML pages
        section_job = pool.submit(_edition_section, b, [state] if previous is None else [state, previous])
        future = pool.submit(pdf_job)
        t0 = time.perf_counter()
        titled = [(nb, nbk, chapter_title(nbk)) for nb, nbk in items]
        links = lambda: _extra_pages(b, staging, section_job.result())  # noqa: E731 - asked for after the pages
        pages, fresh = render_pages(
            titled, staging / "html", b.meta, b.templates_dir, b.pdf_name,
            previous=None if force else b.final / "html", extra_links=links,
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


def _edition_section(b: _Build, state_dirs: list[Path]) -> Any:
    """What changed since the previous edition (``publish.compare``), or None when it cannot be computed."""
    from helpers.publish.compare import edition_section

    try:
        return edition_section(b.year, b.meta.title, b.meta.as_dict()["synthetic_note"], state_dirs)
    except Exception as exc:  # the comparison is an extra: a problem in it must not stop the report
        b.log(f"vergelijking met de vorige editie overgeslagen: {type(exc).__name__}: {exc}")
        return None


def _extra_pages(b: _Build, staging: Path, section: Any) -> list[tuple[str, str]]:
    """Write the comparison page and the package versions file; return the links for the index page."""
    from helpers.publish.compare import PAGE, TITLE
    from helpers.publish.repro import VERSIONS_FILE, package_versions

    (staging / VERSIONS_FILE).write_text(package_versions(), encoding="utf-8")
    (staging / "html").mkdir(parents=True, exist_ok=True)
    links = []
    claims = staging / CLAIMS_FILE
    if claims.is_file():
        with claims.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        page = claims_page(rows, b.meta.title, b.meta.as_dict()["synthetic_note"] if b.meta.synthetic else "")
        (staging / "html" / CLAIMS_PAGE).write_text(page, encoding="utf-8")
        links.append((CLAIMS_PAGE, f"{CLAIMS_TITLE} ({len(rows)}), met de cijfers waarop zij rusten"))
    if section is not None:
        (staging / "html" / PAGE).write_text(section.page, encoding="utf-8")
        links.append((PAGE, f"{TITLE} ({section.count} vergelijkbare percentages)"))
    return links


# --- 01 again only when what it reads changed -------------------------------------------------

CONCLUSIONS_STATE = "conclusions.json"


def _conclusions_key(b: _Build, sources: Mapping[str, str], inputs: str) -> str:
    """Key of the conclusions notebook without the chapters' keys: its cells, the inputs, its parameters."""
    names = [nb.name for nb in b.notebooks if nb.role == plan.CONCLUSIONS]
    if not names:
        return ""
    return cache.notebook_key(names[0], sources[names[0]], inputs, b.params[names[0]], {})


def _reads(staging: Path) -> dict[str, str]:
    """What 01 reads of the chapters: ``indicators.csv`` as assembled before it runs."""
    path = staging / "indicators.csv"
    return {"key_without_chapters": "", "indicators.csv": cache.file_digest(path) if path.is_file() else "absent"}


def _remember_conclusions(b: _Build, staging: Path) -> None:
    """Note what 01 read in this build (``.render/conclusions.json``), for the next one."""
    from helpers.publish.html import STATE_DIR

    if not b.conclusions_key:
        return
    state = _reads(staging) | {"key_without_chapters": b.conclusions_key}
    (staging / STATE_DIR).mkdir(parents=True, exist_ok=True)
    (staging / STATE_DIR / CONCLUSIONS_STATE).write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")


def _reuse_conclusions(b: _Build, staging: Path, name: str) -> bool:
    """Take 01 from the previous report when its cells, inputs and what it reads are unchanged.

    01 re-runs because a chapter changed; when that chapter's numbers did not (a text edit),
    ``indicators.csv`` is the same and so is 01: its executed notebook and parts are copied.
    """
    from helpers.publish.html import STATE_DIR

    if not (b.conclusions_key and b.reuse_conclusions):
        return False
    try:
        before = json.loads((b.final / STATE_DIR / CONCLUSIONS_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    now = _reads(staging) | {"key_without_chapters": b.conclusions_key}
    old = b.final / "executed" / f"{name}.ipynb"
    if before != now or not old.is_file():
        return False
    shutil.copyfile(old, staging / "executed" / old.name)
    for sub in ("indicators", "claims"):  # the parts 01 wrote itself
        part = b.final / sub / f"{name}.csv"
        if part.is_file():
            (staging / sub).mkdir(exist_ok=True)
            shutil.copyfile(part, staging / sub / part.name)
    _remember_conclusions(b, staging)
    b.log(f"  {name}: uit het vorige rapport (indicators.csv en het notebook ongewijzigd)")
    return True
