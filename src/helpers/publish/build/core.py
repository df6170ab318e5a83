"""``build_report``: raw export → executed notebooks → PDF + reviewer HTML, cached and swapped in atomically.

Before any notebook runs, the year's data are checked with the same function as ``monitor data``
(``check_data``); a bad export stops the build with the grouped problem list and
``reports/<year>-failed/problems.txt``. The first kernels start and warm meanwhile (only when a notebook
will run; shut down if the check fails), so the first notebook does not wait for them. Cached parts are
reused only after their content hash matches the manifest; ``force`` rebuilds everything, and so does a
missing, unreadable or edited manifest (nothing can be verified). A part that fails verification is never
taken from any earlier report: it is rebuilt from source, or the build fails.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.publish.base import cache, plan
from helpers.publish.base.params import notebook_parameters
from helpers.publish.base.repro import environment, report_meta, reproducible_env
from helpers.publish.base.state import WORK, Build, BuildError, BuildOptions, BuildResult, default_inputs
from helpers.publish.build.conclusions_reuse import conclusions_key
from helpers.publish.build.notebook_runs import early_kernels, execute_notebooks
from helpers.publish.build.preflight import check_data_first
from helpers.publish.registers.claims_register import ClaimsError, assemble_claims, unplaced_remarks
from helpers.publish.registers.indicators import QUOTES, IndicatorError, assemble
from helpers.publish.render.site import SITE_DIR, complete_site
from helpers.publish.render.stages import render_report
from helpers.survey.vocabulary import EXECUTED_DIR

if TYPE_CHECKING:
    from helpers.publish.execute.kernels import KernelSource

#: An optional module jsonschema (under nbformat) imports for its "iri" formats, compiling grammars at import: about
#: 1 s of CPU in the build process, on the way to the first notebook. nbformat's validation checks no format.
UNUSED_IMPORT = "rfc3987_syntax"
#: What rendering imports (about 2 s of CPU): imported in a thread of the build process while the kernels run.
RENDER_MODULES = (
    "nbconvert.exporters",
    "helpers.report.registry",
    "helpers.report.downloads",
    "helpers.publish.render.html",
    "helpers.publish.render.html_parts",
    "helpers.publish.render.merge",
    "helpers.publish.render.pdf",
    "helpers.publish.registers.compare",
)

#: Files of ``src/helpers`` that make up the code of the notebooks (the first-names list of the quotes, too).
SOURCE_SUFFIXES = (".py", ".txt")

__all__ = ["BuildError", "BuildOptions", "BuildResult", "build_report", "default_inputs"]


def build_report(year: int, notebooks_dir: Path, reports_dir: Path, options: BuildOptions | None = None) -> BuildResult:
    """Build ``reports_dir/<year>/`` from the notebooks in ``notebooks_dir``.

    Executes ``00`` first, the chapters in parallel, ``01`` last; reuses every notebook whose cache key
    is unchanged; renders ``monitor_<year>.pdf`` and ``site/``; swaps the result in atomically. On any
    failure it raises BuildError (``str()`` is the one-line message) and leaves the previous report
    untouched. ``options``: see :class:`BuildOptions`.
    """
    from helpers.publish.base.staging import BuildLocked, year_lock

    o = options or BuildOptions()
    t_start = time.perf_counter()
    skip_unused_imports()
    b, codebook = _prepare(year, Path(notebooks_dir).resolve(), Path(reports_dir).resolve(), o)
    helpers_dir = Path(o.helpers_dir) if o.helpers_dir is not None else Path(__file__).resolve().parents[2]
    inputs = [*(o.inputs if o.inputs is not None else default_inputs(year)), codebook]
    processed = Path(o.processed_dir) if o.processed_dir is not None else None
    try:
        with year_lock(b.reports_dir, year, remove=True):
            result = _build_tidily(b, inputs, helpers_dir, o.force, processed)
    except BuildLocked as exc:
        raise BuildError(str(exc)) from exc
    result.timings["total"] = time.perf_counter() - t_start
    if result.rendered:
        b.log(f"BUILD OK: {b.final} ({result.timings['total']:.1f} s)")
    else:
        b.log(f"build {year}: niets veranderd, {b.final} is actueel ({result.timings['total']:.2f} s)")
    return result


def skip_unused_imports() -> None:
    """Keep jsonschema from importing :data:`UNUSED_IMPORT` (it then leaves out the "iri" format checks, which no
    part of a build asks for); nothing changes once jsonschema is imported."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault(UNUSED_IMPORT, None)  # type: ignore[arg-type] # None: "import" raises ImportError


def _prepare(year: int, notebooks_dir: Path, reports_dir: Path, o: BuildOptions) -> tuple[Build, Path]:
    """The notebooks, the report's metadata and each notebook's parameters; bad ones are a BuildError."""
    from helpers import paths

    codebook = Path(o.codebook) if o.codebook is not None else paths.codebook_path(year)
    try:
        notebooks = plan.discover(notebooks_dir)
        meta = report_meta(
            year, codebook, freeze_date=o.freeze_date, synthetic=o.synthetic, title=o.title,
            authors=tuple(o.authors), inputs={"export": paths.export_path(year)},
        )  # fmt: skip
    except ValueError as exc:
        raise BuildError(str(exc)) from exc
    overrides = o.overrides or {}
    unknown = sorted(set(overrides) - {nb.name for nb in notebooks})
    if unknown:
        raise BuildError(f"overrides for unknown notebook(s): {', '.join(unknown)}")
    # What the executed notebooks show as build_dir (the temporary path is replaced by it); part of the keys.
    shown_dir = os.path.relpath(reports_dir / str(year), notebooks_dir)
    build = Build(
        year=year,
        notebooks_dir=notebooks_dir,
        reports_dir=reports_dir,
        notebooks=notebooks,
        meta=meta,
        params={
            nb.name: notebook_parameters(year, shown_dir, o.parameters, overrides.get(nb.name)) for nb in notebooks
        },
        templates_dir=Path(o.templates_dir) if o.templates_dir is not None else paths.TEMPLATES_DIR,
        workers=max(1, o.jobs or os.cpu_count() or 1),
        timeout=o.timeout,
        log=o.log,
        kernel_env=dict(o.kernel_env or {}),
        check_data=o.check_data,
    )
    return build, codebook


@dataclass
class _Keys:
    """The content hashes of one build: inputs, notebook sources, notebook keys and the render key."""

    digests: dict[str, str]
    sources: dict[str, str]
    notebooks: dict[str, str]
    render: str
    #: Each notebook's code digest (``cache.code_digest``): what decides whether a prose edit needs a kernel.
    code: dict[str, str]
    #: The inputs part of every key.
    inputs: str


def _keys(b: Build, inputs: list[Path], helpers_dir: Path, force: bool) -> _Keys:
    build_pkg = Path(__file__).resolve().parents[1]  # publish/: how a build runs, not what a notebook computes
    digests = {
        "invoerdata": cache.tree_digest(inputs),
        "src/helpers": cache.tree_digest([helpers_dir], SOURCE_SUFFIXES, exclude=[build_pkg]),
    }
    if b.kernel_env:
        digests["kernelomgeving"] = cache.tree_digest([]) + json.dumps(b.kernel_env, sort_keys=True)
    sources = {nb.name: cache.notebook_digest(nb.path) for nb in b.notebooks}
    keys = cache.compute_keys(b.exec_order, b.graph, sources, "".join(digests.values()), b.params)
    b.conclusions_key, b.reuse_conclusions = conclusions_key(b, sources, "".join(digests.values())), not force
    rkey = cache.render_key(
        [keys[nb.name] for nb in plan.report_order(b.notebooks)],
        cache.tree_digest([b.templates_dir]),
        cache.tree_digest([build_pkg], (".py",)),
        b.meta.as_dict(),
    )
    code = {nb.name: cache.code_digest(nb.path) for nb in b.notebooks}
    return _Keys(digests, sources, keys, rkey, code, "".join(digests.values()))


def _build_tidily(
    b: Build, inputs: list[Path], helpers_dir: Path, force: bool, processed_dir: Path | None
) -> BuildResult:
    """``_build`` holding the year's lock: first remove what dead builds left; a failed build's folder is
    created owner-only and kept sealed (0700/0600); a successful build removes it."""
    from helpers.publish.base.staging import private_dir, remove_leftovers, seal_private

    remove_leftovers(b.reports_dir, b.year, b.log)
    private_dir(b.failed_dir)  # whatever a failing step keeps there is private from the first byte
    try:
        result = _build(b, inputs, helpers_dir, force, processed_dir)
    except BaseException:
        seal_private(b.failed_dir)
        raise
    shutil.rmtree(b.failed_dir, ignore_errors=True)
    return result


def _build(b: Build, inputs: list[Path], helpers_dir: Path, force: bool, processed_dir: Path | None) -> BuildResult:
    k = _keys(b, inputs, helpers_dir, force)
    manifest, trusted = _trusted_manifest(b, force)
    cached, reasons = _cached(b, manifest, k.notebooks, processed_dir) if trusted else (set(), {})
    prose = _prose_only(b, manifest, k, cached, set(reasons)) if trusted else set()
    result = BuildResult(b.year, b.final, b.final / b.pdf_name, b.final / SITE_DIR / "index.html")
    result.cached = [n for n in b.exec_order if n in cached]
    result.prose_only = [n for n in b.exec_order if n in prose]
    result.executed = [n for n in b.exec_order if n not in cached | prose]
    same_render = trusted and manifest.get("render_key") == k.render
    damaged_render = cache.damaged(b.final, manifest.get("rendered")) if same_render else []
    damaged_state = cache.damaged(b.final, manifest.get("state")) if trusted else []
    if not result.executed and same_render and not damaged_render and not damaged_state:
        return result
    if damaged_state:
        b.log(f"build {b.year}: opmaakgegevens beschadigd of verdwenen ({cache.listed(damaged_state)}); "
              "niets van de opmaak wordt hergebruikt")  # fmt: skip
    elif damaged_render and not result.executed:
        b.log(f"build {b.year}: opmaak beschadigd of verdwenen ({cache.listed(damaged_render)}); PDF en HTML opnieuw")
    reuse_render = trusted and not damaged_state
    b.reuse_conclusions = b.reuse_conclusions and reuse_render
    b.previous_parts = {n: e.get("parts") for n, e in manifest.get("notebooks", {}).items()} if reuse_render else {}

    from helpers.publish.base.staging import new_staging, swap_in

    staging = new_staging(b.reports_dir, b.year)
    try:
        with reproducible_env(b.meta.epoch), environment(b.kernel_env):
            to_run = [nb for nb in b.notebooks if nb.name in result.executed]
            with early_kernels(b, to_run, staging) as pool:  # warming while the data are checked
                _check_before_running(b, cached | prose)
                _log_plan(b, result, cached, reasons, k, manifest, force, trusted)
                cache.carry_over(b.final, staging, cached | prose, manifest)
                _rewrite_prose(b, staging, prose)
                seconds = _execute(b, staging, result, to_run, cached | prose, manifest, pool)
            _produce(b, staging, result, not reuse_render)
        shutil.rmtree(staging / WORK, ignore_errors=True)
        cache.write_manifest(staging, _manifest_body(b, staging, k, seconds, manifest, result.phases))
        swap_in(staging, b.final)
    except cache.CacheError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(str(exc)) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.rendered = True
    return result


def _log_plan(
    b: Build,
    result: BuildResult,
    cached: set[str],
    reasons: Mapping[str, str],
    k: _Keys,
    manifest: Mapping[str, Any],
    force: bool,
    trusted: bool,
) -> None:
    """Log how many notebooks run and why each one runs."""
    prose = f", {len(result.prose_only)} met alleen nieuwe tekst" if result.prose_only else ""
    b.log(
        f"build {b.year}: {len(result.executed)} notebook(s) uitvoeren, {len(cached)} uit cache{prose}, "
        f"{b.workers} worker(s)"
    )
    for n in result.prose_only:
        if manifest.get("notebooks", {}).get(n, {}).get("source") != k.sources[n]:
            b.log(f"  {n}: alleen de tekst gewijzigd (code, koppen en invoer niet); uitvoer hergebruikt")
        else:
            deps = ", ".join(d for d in result.prose_only if d in b.graph[n])
            b.log(f"  {n}: hangt af van {deps}, waarvan alleen de tekst veranderde; uitvoer hergebruikt")
    for n in result.executed:
        ran_before = set(b.graph[n]) & set(result.executed)
        why = reasons.get(n) or cache.explain(n, k.notebooks[n], k.sources[n], k.digests, ran_before, manifest)
        b.log(f"  {n}: {'--force' if force else why if trusted else 'niet te controleren zonder geldig manifest'}")


def _trusted_manifest(b: Build, force: bool) -> tuple[dict[str, Any], bool]:
    """The previous manifest, and whether anything may be reused on its word (not forced, and intact)."""
    manifest, problem = cache.read_manifest(b.final)
    if problem and not force:
        b.log(f"build {b.year}: {problem}; niets is te controleren, dus alles opnieuw")
    return manifest, not force and problem is None


def _check_before_running(b: Build, cached: set[str]) -> None:
    """Fail before any notebook runs: a notebook without its H1, or data the loader refuses."""
    from helpers.publish.render.merge import MergeError, check_source

    try:
        for nb in b.notebooks:
            check_source(nb.path)
    except MergeError as exc:
        raise BuildError(str(exc)) from exc
    check_data_first(b.check_data, b.year, b.failed_dir, b.log, skip=_prep_cached(b, cached))


def _execute(
    b: Build,
    staging: Path,
    result: BuildResult,
    to_run: list[plan.Notebook],
    cached: set[str],
    manifest: Mapping[str, Any],
    pool: KernelSource | None,
) -> dict[str, float]:
    """Run what must run (kernels from ``pool``); seconds per notebook."""
    t0 = time.perf_counter()
    with importing_meanwhile(RENDER_MODULES if to_run else ()):
        seconds = execute_notebooks(b, to_run, cached, staging, manifest, result.phases, pool)
    result.timings["execute"] = time.perf_counter() - t0
    return seconds


@contextmanager
def importing_meanwhile(modules: tuple[str, ...]) -> Iterator[None]:
    """Import ``modules`` in a thread while the block runs (the build process mostly waits for its kernels);
    the thread is joined when the block ends well, so no import is left half done when rendering starts."""

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the real import, later, reports it
                return

    if modules:
        import papermill  # noqa: F401 - loaded here first, so the notebook threads and this one never import it together

    thread = threading.Thread(target=load, name="render-imports", daemon=True)
    thread.start()
    yield
    thread.join()


def _produce(b: Build, staging: Path, result: BuildResult, fresh_render: bool) -> None:
    """Assemble the registers (indicators, quotes, claims), render PDF and HTML (``fresh_render``: nothing
    of the previous rendering reused) and the site."""
    names = [nb.name for nb in b.notebooks]
    try:
        assemble(staging, names)
        assemble(staging, names, QUOTES)
        claims = assemble_claims(staging, names)
    except (IndicatorError, ClaimsError) as exc:
        raise BuildError(str(exc)) from exc
    unplaced = unplaced_remarks(b.year, staging, names, claims)
    if unplaced:
        raise BuildError(
            f"notes.yaml van {b.year}: opmerking(en) {', '.join(unplaced)} staan bij geen "
            "{{ remarks(...) }} in dat notebook; controleer notebook en anker"
        )
    t0 = time.perf_counter()
    render_report(b, plan.report_order(b.notebooks), staging, result, fresh_render)
    result.timings["render"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    complete_site(staging)  # every file the pages of site/ link, copied in: the folder stands on its own
    result.timings["site"] = time.perf_counter() - t0


def _manifest_body(
    b: Build,
    staging: Path,
    k: _Keys,
    seconds: Mapping[str, float],
    manifest: Mapping[str, Any],
    result_phases: Mapping[str, Mapping[str, float]],
) -> dict[str, Any]:
    """What the next build compares with: the keys, and every part each notebook produced with its hash."""
    previous = manifest.get("notebooks", {})
    phases = {n: {k: round(v, 2) for k, v in p.items()} for n, p in result_phases.items()}
    files = cache.produced_files(staging, b.exec_order, skip=[cache.MANIFEST_NAME])
    entries = {
        n: {
            "key": k.notebooks[n],
            "source": k.sources[n],
            "code": k.code[n],
            "seconds": round(seconds.get(n, previous.get(n, {}).get("seconds", 0.0)), 1),
            "phases": phases.get(n, previous.get(n, {}).get("phases", {})),
            "parts": files.get(n, {}),
        }
        for n in b.exec_order
    }
    from helpers.publish.render.html import STATE_DIR

    return {
        "year": b.year,
        "render_key": k.render,
        "inputs": k.digests,
        "notebooks": entries,
        "rendered": files.get("", {}),  # PDF, HTML, indicators.csv, quotes.csv, claims.csv, versions.txt
        "state": cache.hidden_files(staging, STATE_DIR),
    }


def _cached(
    b: Build, manifest: Mapping[str, Any], keys: Mapping[str, str], processed_dir: Path | None
) -> tuple[set[str], dict[str, str]]:
    """Notebooks reusable from the last build (key unchanged, every part verified) and why others run."""
    prep = {nb.name for nb in b.notebooks if nb.role == plan.PREP}
    return cache.reusable(b.final, b.exec_order, b.graph, prep, keys, manifest, processed_dir)


def _prose_only(b: Build, manifest: Mapping[str, Any], k: _Keys, cached: set[str], blocked: set[str]) -> set[str]:
    """Notebooks whose prose alone changed since the last build (or that only depend on such notebooks):
    their outputs are reused and their executed notebook gets today's Markdown (:mod:`.prose_reuse`)."""

    def key_of(name: str, source: str, deps: Mapping[str, str]) -> str:
        return cache.notebook_key(name, source, k.inputs, b.params[name], deps)

    names = cache.prose_reusable(b.final, b.exec_order, b.graph, cached, blocked, k.code, key_of, manifest)
    if not names:
        return names
    from helpers.publish.build.prose_reuse import fits

    by_name = {nb.name: nb for nb in b.notebooks}
    fitting: set[str] = set()
    for name in b.exec_order:  # a notebook whose cells do not line up runs, and so do the ones after it
        deps_ok = all(d in cached | fitting for d in b.graph[name])
        if name in names and deps_ok and fits(b.final / EXECUTED_DIR / by_name[name].filename, by_name[name].path):
            fitting.add(name)
    return fitting


def _rewrite_prose(b: Build, staging: Path, names: set[str]) -> None:
    """Today's Markdown into the verified copies of the executed notebooks of ``names``."""
    if not names:
        return
    from helpers.publish.build.prose_reuse import rewrite_prose

    for nb in b.notebooks:
        if nb.name in names and not rewrite_prose(staging / EXECUTED_DIR / nb.filename, nb.path):
            raise cache.CacheError(f"{EXECUTED_DIR}/{nb.filename} veranderde tijdens de build; start de build opnieuw")


def _prep_cached(b: Build, cached: set[str]) -> bool:
    """True when the data-preparation notebook is reused (the data were checked by that earlier build)."""
    prep = [nb.name for nb in b.notebooks if nb.role == plan.PREP]
    return bool(prep) and all(n in cached for n in prep)
