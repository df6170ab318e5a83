"""The kernel pool: kernels started and warmed before a notebook needs them, each given to one notebook only."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from process_helpers import LIMIT, pid_ended, wait_for

from helpers.paths import NOTEBOOK_ENV
from helpers.publish.execute.kernel_template import supported
from helpers.publish.execute.kernels import ExecutionFailure, Job, TrackedKernelManager, run_graph, run_notebook
from helpers.publish.execute.pool import WARM_CODE, KernelPool

#: Real kernels run real notebooks here: with the builds in ``make test``, not in the edit loop of ``make test-fast``.
pytestmark = pytest.mark.slow

#: A light warm-up (the package's own imports take seconds): leaves a mark the notebook can read.
MARK = "import sys; sys.modules['pool_warmed'] = sys"
#: What each test notebook prints: its kernel's pid, whether the warm-up ran, its name and the job's variable.
REPORT = (
    "import os, sys, json\n"
    "print(json.dumps([os.getpid(), 'pool_warmed' in sys.modules, 'helpers.report.notebook' in sys.modules,\n"
    f"                  os.environ.get({NOTEBOOK_ENV!r}), os.environ.get('POOL_TEST')]))"
)


def _notebook(path: Path, *cells: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _job(tmp_path: Path, name: str, src: Path) -> Job:
    return Job(name, src, tmp_path / f"{name}.out.ipynb", {}, kernel_log=tmp_path / f"{name}.log",
               env={"POOL_TEST": "ja"})  # fmt: skip


def _said(job: Job) -> list[object]:
    cell = nbformat.read(job.out, as_version=4).cells[0]
    assert cell.execution_count == 1  # the warm-up and the naming left no count behind
    return list(json.loads(cell.outputs[0]["text"]))


def _pid(km: TrackedKernelManager) -> int:
    assert km.provisioner is not None
    return int(km.provisioner.process.pid)  # type: ignore[attr-defined]


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "fresh"])  # fresh: where forking is unavailable
def test_each_notebook_gets_its_own_warmed_kernel_which_ends_with_it(tmp_path: Path, fork: bool) -> None:
    src = _notebook(tmp_path / "nb.ipynb", REPORT)
    jobs = [_job(tmp_path, f"nb{i}", src) for i in range(3)]
    pool = KernelPool(tmp_path, ahead=2, needed=3, env={"POOL_TEST": "ja"}, log_dir=tmp_path, warm_code=MARK, fork=fork)
    with pool:
        assert (pool.template is not None) == (fork and supported())
        for job in jobs:
            run_notebook(job, tmp_path, pool=pool)
        assert pool.take(_job(tmp_path, "extra", src), tmp_path) is None  # never more kernels than needed
    said = [_said(job) for job in jobs]
    assert [s[1:] for s in said] == [[True, False, job.name, "ja"] for job in jobs]
    pids = [int(str(s[0])) for s in said]
    assert len(set(pids)) == 3 and all(pid_ended(pid) for pid in pids)
    assert all(job.kernel_log and job.kernel_log.is_file() for job in jobs)  # each kernel's log is its job's
    assert not list(tmp_path.glob("pool-*.log"))


def test_the_default_warm_up_imports_the_package_before_the_notebook_starts(tmp_path: Path) -> None:
    job = _job(tmp_path, "nb", _notebook(tmp_path / "nb.ipynb", REPORT))
    with KernelPool(tmp_path, ahead=1, needed=1, env={"POOL_TEST": "ja"}) as pool:
        assert pool.warm_code == WARM_CODE
        run_notebook(job, tmp_path, pool=pool)
    assert _said(job)[1:] == [False, True, "nb", "ja"]  # the notebook itself imported nothing


def test_a_failed_warm_up_falls_back_to_a_fresh_kernel(tmp_path: Path) -> None:
    job = _job(tmp_path, "nb", _notebook(tmp_path / "nb.ipynb", REPORT))
    with KernelPool(tmp_path, ahead=1, needed=2, warm_code="raise RuntimeError('kapot')") as pool:
        future = pool.waiting[0]
        assert pool.take(job, tmp_path) is None  # the broken kernel is not handed out ...
        with pytest.raises(RuntimeError, match="kapot"):
            future.result()
        run_notebook(job, tmp_path, pool=pool)  # ... and the notebook still runs, in a fresh kernel
    assert _said(job)[1:] == [False, False, "nb", "ja"]
    assert not pool.unassigned


def test_a_job_the_pool_cannot_serve_starts_fresh(tmp_path: Path) -> None:
    src = _notebook(tmp_path / "nb.ipynb", REPORT)
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    other_env = Job("x", src, tmp_path / "x.out.ipynb", {}, env={"POOL_TEST": "nee"})
    with KernelPool(tmp_path, ahead=1, needed=1, env={"POOL_TEST": "ja"}, warm_code=MARK) as pool:
        assert pool.take(_job(tmp_path, "nb", src), elsewhere) is None
        assert pool.take(other_env, tmp_path) is None
        assert len(pool.waiting) == 1  # the warm kernel still waits for a notebook it can serve


def test_closing_the_pool_kills_the_kernels_not_handed_out(tmp_path: Path) -> None:
    with KernelPool(tmp_path, ahead=2, needed=5, warm_code=MARK) as pool:
        kernels = [f.result(timeout=120) for f in list(pool.waiting)]
        pids = [_pid(k.km) for k in kernels]
        assert not any(pid_ended(pid) for pid in pids)
    assert all(pid_ended(pid) for pid in pids)
    assert pool.started == 2 and not pool.unassigned


def test_ctrl_c_kills_the_running_kernel_and_the_warm_one(tmp_path: Path) -> None:
    """Ctrl-C while a notebook runs: its kernel and the warm kernel waiting for the next notebook both end."""
    marker = tmp_path / "running"
    hang = f"import os, pathlib, threading\npathlib.Path({str(marker)!r}).write_text(str(os.getpid()))\n"
    src = _notebook(tmp_path / "hang.ipynb", hang + "threading.Event().wait()")
    jobs = {n: _job(tmp_path, n, src) for n in ("a", "b")}
    pool = KernelPool(tmp_path, ahead=2, needed=2, env={"POOL_TEST": "ja"}, warm_code=MARK)
    pids: list[int] = []
    finished = threading.Event()

    def ctrl_c_once_a_runs() -> None:
        try:
            pids.append(int(wait_for(lambda: marker.is_file() and marker.read_text(), "a's kernel runs its cell")))
            pids.append(_pid(pool.waiting[0].result(timeout=LIMIT).km))  # b's kernel, warm and waiting
        finally:  # sent even when a wait failed: the test then fails on its pids instead of hanging
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)  # what Ctrl-C sends
        if not finished.wait(LIMIT) and pids:  # a lost Ctrl-C: end a's kernel, so the test fails, not hangs
            os.kill(pids[0], signal.SIGKILL)

    threading.Thread(target=ctrl_c_once_a_runs, daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt), pool:
            run_graph(jobs, {"a": frozenset(), "b": frozenset({"a"})}, cwd=tmp_path, workers=1,
                      log=lambda line: None, runner=lambda job, cwd: run_notebook(job, cwd, pool=pool))  # fmt: skip
    finally:
        finished.set()
    assert len(pids) == 2 and all(pid_ended(pid) for pid in pids)
    assert not pool.unassigned and pool.started == 2


def test_a_failing_notebook_names_its_cell_and_its_kernel_ends(tmp_path: Path) -> None:
    job = _job(tmp_path, "nb", _notebook(tmp_path / "nb.ipynb", "import os\nprint(os.getpid())", "1 / 0"))
    pool = KernelPool(tmp_path, ahead=1, needed=1, env={"POOL_TEST": "ja"}, log_dir=tmp_path, warm_code=MARK)
    with pool, pytest.raises(ExecutionFailure) as failed:
        run_notebook(job, tmp_path, pool=pool)
    assert failed.value.ename == "ZeroDivisionError" and failed.value.cell == 2
    assert job.kernel_log is not None and job.kernel_log.is_file()
    first = next(c for c in nbformat.read(job.out, as_version=4).cells if c.cell_type == "code")
    pid = int(first.outputs[0]["text"])
    assert pid_ended(pid)
