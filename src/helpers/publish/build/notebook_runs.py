"""Run the notebooks of one build in its staging directory: parameters checked, papermill along the
dependency graph, cleaned copies in ``executed/``; a failing notebook is kept in ``reports/<year>-failed/``."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.analysis.deidentify import DEDUCE_LOCK_ENV
from helpers.publish.base import plan
from helpers.publish.base.params import KERNELSPEC
from helpers.publish.base.state import WORK, Build, BuildError
from helpers.publish.build.conclusions_reuse import remember_conclusions, reuse_conclusions
from helpers.publish.registers.indicators import IndicatorError, assemble
from helpers.survey.vocabulary import EXECUTED_DIR

if TYPE_CHECKING:
    from helpers.publish.execute.kernels import Job, KernelSource


def _snapshot(src: Path, dest: Path) -> None:
    """Copy the notebook as hashed, adding the kernelspec papermill needs when it was stripped."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {}).setdefault("kernelspec", KERNELSPEC)
    dest.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


@contextmanager
def early_kernels(b: Build, to_run: list[plan.Notebook], staging: Path) -> Iterator[KernelSource | None]:
    """Start and warm the build's first kernels now, while the build still checks the data and copies the
    cached parts; None (no kernel started) when no notebook will need one. Every kernel not handed to a
    notebook is shut down when the block ends, also on a failure or Ctrl-C before any notebook ran.
    The kernels inherit the environment at their start: enter this inside the build's environment."""
    needed = len([nb for nb in to_run if not (nb.role == plan.CONCLUSIONS and b.reuse_conclusions)])
    if not needed:  # none for a 01 that may be taken from the previous report (if it runs after all: a fresh one)
        yield None
        return
    from helpers.publish.execute.pool import KernelPool

    logs = staging / WORK / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with KernelPool(b.notebooks_dir, ahead=b.workers, needed=needed, env=_kernel_env(staging), log_dir=logs) as pool:
        yield pool


def execute_notebooks(
    b: Build,
    to_run: list[plan.Notebook],
    cached: set[str],
    staging: Path,
    manifest: Mapping[str, Any],
    phases: dict[str, dict[str, float]] | None = None,
    pool: KernelSource | None = None,
) -> dict[str, float]:
    """Check parameters, run the notebooks, write cleaned copies to ``executed/``; seconds per notebook.
    ``phases`` receives each run notebook's seconds per phase (``execute.PHASES``); ``pool`` hands out the
    kernels started ahead (:func:`early_kernels`; without one, each notebook starts a fresh kernel)."""
    _remember_cached_conclusions(b, cached, staging)
    if not to_run:
        return {}
    import nbformat

    from helpers.publish.base.repro import clean_executed
    from helpers.publish.execute.kernels import ExecutionFailure, run_graph, run_notebook

    jobs = _jobs(b, to_run, staging, manifest.get("notebooks", {}))
    logs = staging / WORK / "logs"
    replacements = {str(staging): b.params[to_run[0].name]["build_dir"]}
    conclusions = {nb.name for nb in to_run if nb.role == plan.CONCLUSIONS}
    graph = b.graph

    def before_start(name: str) -> None:
        if name in conclusions:  # 01 reads indicators.csv of everything before it
            try:
                assemble(staging, [n for n in graph if n != name])
            except IndicatorError as exc:
                raise BuildError(str(exc)) from exc

    def runner(job: Job, cwd: Path) -> None:
        if job.name in conclusions and reuse_conclusions(b, staging, job.name):
            return
        run_notebook(job, cwd, timeout=b.timeout, pool=pool)
        t0 = time.perf_counter()
        nb = clean_executed(nbformat.read(job.out, as_version=4), replacements)
        nbformat.write(nb, staging / EXECUTED_DIR / job.out.name)
        if phases is not None and job.phases:
            phases[job.name] = {**job.phases, "write": job.phases["write"] + time.perf_counter() - t0}
        if job.name in conclusions:
            remember_conclusions(b, staging)

    try:
        return run_graph(
            jobs, graph, cwd=b.notebooks_dir, workers=b.workers, done=cached, before_start=before_start,
            log=b.log, total=len(jobs), runner=runner,
        )  # fmt: skip
    except ExecutionFailure as failure:
        raise BuildError(str(failure), _keep_failed(b, failure.notebook, logs)) from failure


def _remember_cached_conclusions(b: Build, cached: set[str], staging: Path) -> None:
    """A reused 01 did read what the chapters' parts give now: note that for the next build, as a run would."""
    names = [nb.name for nb in b.notebooks if nb.role == plan.CONCLUSIONS and nb.name in cached]
    if names:
        try:
            assemble(staging, [n for n in b.graph if n not in names])
        except IndicatorError as exc:
            raise BuildError(str(exc)) from exc
        remember_conclusions(b, staging)


def _jobs(b: Build, to_run: list[plan.Notebook], staging: Path, previous: Mapping[str, Any]) -> dict[str, Job]:
    """One papermill job per notebook: a snapshot of its source, its checked parameters, its kernel log;
    the slowest of the last build first."""
    from helpers.publish.base.params import ParameterError, check_parameters
    from helpers.publish.execute.kernels import Job

    work = staging / WORK
    for sub in ("src", "out", "logs"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    (staging / EXECUTED_DIR).mkdir(exist_ok=True)
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
            env=_kernel_env(staging),
        )
    return jobs


def _kernel_env(staging: Path) -> dict[str, str]:
    """Environment variables for every kernel of the build (each notebook's name comes on top)."""
    return {DEDUCE_LOCK_ENV: str(staging / WORK / "deduce.lock")}  # one kernel at a time holds deduce's gigabyte


def _keep_failed(b: Build, notebook: Path | None, logs: Path) -> Path | None:
    """Copy the failed notebook and its kernel log to ``reports/<year>-failed/`` (owner-only: it holds
    survey answers); return the kept notebook."""
    from helpers.publish.base.staging import private_dir, seal_private

    if notebook is None or not notebook.exists():
        return None
    private_dir(b.failed_dir)
    kept = b.failed_dir / notebook.name
    shutil.copyfile(notebook, kept)
    log = logs / f"{notebook.stem}.log"
    if log.exists():
        shutil.copyfile(log, b.failed_dir / log.name)
    seal_private(b.failed_dir)
    b.log(f"mislukte notebook bewaard: {kept}")
    return kept
