"""``build_report``: raw export → executed notebooks → PDF + reviewer HTML, cached and swapped in atomically."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cache, plan
from .indicators import assemble
from .params import notebook_parameters
from .repro import ReportMeta, report_meta, reproducible_env

WORK = ".work"  # scratch space inside the staging directory; removed before the swap
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
Log = Callable[[str], None]


def _log_stderr(line: str) -> None:
    import sys

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
    """What a build produced and what it reused."""

    year: int
    report_dir: Path
    pdf: Path
    html_index: Path
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    rendered: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def default_inputs(year: int) -> list[Path]:
    """Files whose change re-executes every notebook: the year's raw data (export, codebook), the
    reference and published files, and the pinned environment."""
    from .. import paths

    return [paths.raw_year_dir(year), paths.REFERENCE_DIR, paths.PUBLISHED_DIR, paths.PROJECT_ROOT / "requirements.lock"]


def _inputs_digest(inputs: Sequence[Path], helpers_dir: Path) -> str:
    build_pkg = Path(__file__).parent
    return cache.tree_digest(list(inputs)) + cache.tree_digest([helpers_dir], (".py",), exclude=[build_pkg])


def _render_digest(templates_dir: Path) -> tuple[str, str]:
    return cache.tree_digest([templates_dir]), cache.tree_digest([Path(__file__).parent], (".py",))


def _snapshot(src: Path, dest: Path) -> None:
    """Copy the notebook as hashed, adding the kernelspec papermill needs when it was stripped."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {}).setdefault("kernelspec", KERNELSPEC)
    dest.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


def _carry_over(final: Path, staging: Path, keep: set[str], notebooks: list[plan.Notebook]) -> None:
    """Start the staging dir from the previous report, keeping only what cached notebooks produced."""
    if not keep:
        return
    shutil.copytree(
        final,
        staging,
        dirs_exist_ok=True,
        ignore=lambda d, names: {"html", "indicators.csv", cache.MANIFEST_NAME}.intersection(names)
        | {n for n in names if n.endswith(".pdf")},
    )
    for sub, suffix in (("executed", ".ipynb"), ("indicators", ".csv")):
        for f in (staging / sub).glob(f"*{suffix}"):
            if f.stem not in keep:
                f.unlink()
    del notebooks


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
    log: Log = _log_stderr,
) -> BuildResult:
    """Build ``reports_dir/<year>/`` from the notebooks in ``notebooks_dir``.

    Executes ``00`` first, the chapters in parallel on ``jobs`` workers (default ``os.cpu_count()``),
    ``01`` last; reuses every notebook whose cache key is unchanged (``force`` ignores the cache);
    renders ``monitor_<year>.pdf`` and ``html/``; swaps the result in atomically. Raises BuildError
    (``str()`` = the one-line message) and leaves the previous report untouched on any failure.
    ``parameters`` go to every notebook, ``overrides[name]`` to one; unknown names are errors.
    """
    from .. import paths

    t_start = time.perf_counter()
    notebooks_dir, reports_dir = Path(notebooks_dir).resolve(), Path(reports_dir).resolve()
    codebook = Path(codebook) if codebook is not None else paths.codebook_path(year)
    helpers_dir = Path(helpers_dir) if helpers_dir is not None else Path(__file__).resolve().parents[1]
    templates_dir = Path(templates_dir) if templates_dir is not None else paths.TEMPLATES_DIR
    inputs = list(inputs) if inputs is not None else default_inputs(year)
    final = reports_dir / str(year)
    pdf_name = f"monitor_{year}.pdf"

    try:
        notebooks = plan.discover(notebooks_dir)
        meta = report_meta(
            year, codebook, freeze_date=freeze_date, synthetic=synthetic, title=title, authors=tuple(authors)
        )
    except ValueError as exc:
        raise BuildError(str(exc)) from exc
    by_name = {nb.name: nb for nb in notebooks}
    unknown = sorted(set(overrides or {}) - set(by_name))
    if unknown:
        raise BuildError(f"overrides for unknown notebook(s): {', '.join(unknown)}")
    graph = plan.dependencies(notebooks)
    exec_order = [n for stage in plan.stages(notebooks) for n in stage]
    report = plan.report_order(notebooks)

    with plan_lock(reports_dir, year):
        params = {
            nb.name: notebook_parameters(year, final, parameters, (overrides or {}).get(nb.name)) for nb in notebooks
        }
        keys = cache.compute_keys(
            exec_order,
            graph,
            {nb.name: cache.notebook_digest(nb.path) for nb in notebooks},
            _inputs_digest([*inputs, codebook], helpers_dir),
            params,
        )
        rkey = cache.render_key([keys[nb.name] for nb in report], *_render_digest(templates_dir), meta.as_dict())
        manifest = cache.load_manifest(final)
        cached = set() if force else _cached(manifest, keys, final, notebooks, processed_dir)
        result = BuildResult(year, final, final / pdf_name, final / "html" / "index.html")
        if (
            len(cached) == len(notebooks)
            and manifest.get("render_key") == rkey
            and result.pdf.is_file()
            and result.html_index.is_file()
        ):
            result.cached = [nb.name for nb in notebooks]
            result.timings["total"] = time.perf_counter() - t_start
            log(f"build {year}: niets veranderd, {final} is actueel ({result.timings['total']:.2f} s)")
            return result

        to_run = [n for n in exec_order if n not in cached]
        workers = max(1, jobs or os.cpu_count() or 1)
        log(f"build {year}: {len(to_run)} notebook(s) uitvoeren, {len(cached)} uit cache, {workers} worker(s)")
        from .staging import new_staging, swap_in

        staging = new_staging(reports_dir, year)
        try:
            _carry_over(final, staging, cached, notebooks)
            with reproducible_env(meta.epoch):
                seconds = _execute(
                    [by_name[n] for n in to_run], cached, graph, params, staging, final, reports_dir,
                    notebooks_dir, workers, manifest, timeout, log, year,
                )  # fmt: skip
                result.timings["execute"] = sum(seconds.values()) and max(0.0, time.perf_counter() - t_start)
                assemble(staging, [nb.name for nb in notebooks])
                _render(report, staging, meta, templates_dir, pdf_name, result, log)
            shutil.rmtree(staging / WORK, ignore_errors=True)
            cache.write_manifest(
                staging,
                {
                    "year": year,
                    "render_key": rkey,
                    "notebooks": {
                        n: {
                            "key": keys[n],
                            "seconds": round(seconds.get(n, manifest["notebooks"].get(n, {}).get("seconds", 0.0)), 1),
                        }
                        for n in exec_order
                    },
                },
            )
            swap_in(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(reports_dir / f"{year}-failed", ignore_errors=True)
    result.executed, result.cached = to_run, [n for n in exec_order if n in cached]
    result.rendered = True
    result.timings["total"] = time.perf_counter() - t_start
    log(f"BUILD OK: {final} ({result.timings['total']:.1f} s)")
    return result


def plan_lock(reports_dir: Path, year: int) -> Any:
    """The per-year build lock (see ``staging.year_lock``), as a BuildError when taken."""
    from .staging import BuildLocked, year_lock

    class _Lock:
        def __enter__(self) -> None:
            self._cm = year_lock(reports_dir, year)
            try:
                self._cm.__enter__()
            except BuildLocked as exc:
                raise BuildError(str(exc)) from exc

        def __exit__(self, *exc: object) -> None:
            self._cm.__exit__(*exc)

    return _Lock()


def _cached(
    manifest: Mapping[str, Any],
    keys: Mapping[str, str],
    final: Path,
    notebooks: list[plan.Notebook],
    processed_dir: Path | None,
) -> set[str]:
    """Notebooks whose key matches the last build and whose executed copy still exists."""
    out = set()
    for nb in notebooks:
        entry = manifest.get("notebooks", {}).get(nb.name, {})
        if entry.get("key") != keys[nb.name] or not (final / "executed" / nb.filename).is_file():
            continue
        if nb.role == plan.PREP and processed_dir is not None and not any(Path(processed_dir).glob("*")):
            continue  # the processed tables are gone: rerun the data preparation
        out.add(nb.name)
    return out


def _execute(
    to_run: list[plan.Notebook],
    cached: set[str],
    graph: Mapping[str, frozenset[str]],
    params: Mapping[str, dict[str, Any]],
    staging: Path,
    final: Path,
    reports_dir: Path,
    notebooks_dir: Path,
    workers: int,
    manifest: Mapping[str, Any],
    timeout: int | None,
    log: Log,
    year: int,
) -> dict[str, float]:
    """Check parameters, run the notebooks, write cleaned copies to ``executed/``."""
    if not to_run:
        return {}
    from .execute import ExecutionFailure, Job, run_graph, run_notebook
    from .params import ParameterError, check_parameters
    from .repro import clean_executed

    work = staging / WORK
    for sub in ("src", "out", "logs"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    (staging / "executed").mkdir(exist_ok=True)
    replacements = {str(staging): os.path.relpath(final, notebooks_dir)}
    jobs: dict[str, Job] = {}
    for nb in to_run:
        src = work / "src" / nb.filename
        _snapshot(nb.path, src)
        run_params = dict(params[nb.name], build_dir=str(staging))
        try:
            check_parameters(src, run_params, nb.filename)
        except ParameterError as exc:
            raise BuildError(str(exc)) from exc
        jobs[nb.name] = Job(
            nb.name,
            src,
            work / "out" / nb.filename,
            run_params,
            priority=manifest.get("notebooks", {}).get(nb.name, {}).get("seconds", 0.0),
            kernel_log=work / "logs" / f"{nb.name}.log",
        )
    names = {nb.name for nb in to_run}
    first_conclusions = [n for n in jobs if by_role(n, to_run) == plan.CONCLUSIONS]

    def before_start(name: str) -> None:
        if name in first_conclusions:
            assemble(staging, [n for n in graph if n != name])

    def runner(job: Job, cwd: Path) -> None:
        import nbformat

        run_notebook(job, cwd, timeout=timeout)
        nb = clean_executed(nbformat.read(job.out, as_version=4), replacements)
        nbformat.write(nb, staging / "executed" / job.out.name)

    try:
        return run_graph(
            jobs, graph, cwd=notebooks_dir, workers=workers, done=set(cached) - names, before_start=before_start,
            log=log, total=len(jobs), runner=runner,
        )  # fmt: skip
    except ExecutionFailure as failure:
        kept = None
        if failure.notebook is not None and failure.notebook.exists():
            failed_dir = reports_dir / f"{year}-failed"
            failed_dir.mkdir(parents=True, exist_ok=True)
            kept = failed_dir / failure.notebook.name
            shutil.copyfile(failure.notebook, kept)
            log(f"mislukte notebook bewaard: {kept}")
        raise BuildError(str(failure), kept) from failure


def by_role(name: str, notebooks: list[plan.Notebook]) -> str:
    return next(nb.role for nb in notebooks if nb.name == name)


def _render(
    report: list[plan.Notebook],
    staging: Path,
    meta: ReportMeta,
    templates_dir: Path,
    pdf_name: str,
    result: BuildResult,
    log: Log,
) -> None:
    """PDF (in a thread; XeLaTeX runs as a subprocess) and HTML pages at the same time."""
    from .html import render_pages
    from .merge import MergeError, chapter_title, load_executed, merge
    from .pdf import LatexError, render_pdf

    try:
        items = [(nb, load_executed(staging / "executed" / nb.filename, nb)) for nb in report]
    except MergeError as exc:
        raise BuildError(str(exc)) from exc
    merged = merge(items, meta)

    def pdf_job() -> tuple[int, float]:
        t0 = time.perf_counter()
        passes = render_pdf(merged, staging / pdf_name, templates_dir)
        return passes, time.perf_counter() - t0

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf") as pool:
        future = pool.submit(pdf_job)
        t0 = time.perf_counter()
        pages = render_pages(
            [(nb, nbk, chapter_title(nbk)) for nb, nbk in items], staging / "html", meta, templates_dir, pdf_name
        )
        result.timings["html"] = time.perf_counter() - t0
        log(f"html: {len(pages)} pagina's ({result.timings['html']:.1f} s)")
        try:
            passes, result.timings["latex"] = future.result()
        except LatexError as exc:
            raise BuildError(str(exc)) from exc
    log(f"pdf: {pdf_name}, {passes} XeLaTeX-runs ({result.timings['latex']:.1f} s)")
