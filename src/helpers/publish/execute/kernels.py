"""Run notebooks with papermill along the dependency graph, in parallel, with one-line failures.

Each notebook runs in its own kernel (``kernel_name="python3"``) with the notebooks directory as
working directory. Threads are enough: the work happens in the kernel processes. Kernels start in
their own session, so Ctrl-C only reaches the build; it then kills the kernels it started.

Kernels talk over Unix sockets in a private folder, not TCP ports: a TCP port is chosen by the build,
released, then bound by the kernel a few seconds later, and any other process on the machine may take
it in between. ipykernel then does not exit but hangs until the start limit (seen under parallel test
runs). A socket path that only this build knows cannot be taken.

A build takes its kernels from a pool (``execute.pool``) that starts and warms them while earlier notebooks
run; each kernel still serves one notebook only.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from jupyter_client.client import KernelClient
from jupyter_client.manager import AsyncKernelManager

from helpers.paths import NOTEBOOK_ENV
from helpers.report.location import describe, section_of_prompt

if TYPE_CHECKING:
    from helpers.publish.execute.kernel_template import KernelTemplate

Log = Callable[[str], None]


def log_stderr(line: str) -> None:
    """Default progress output: one line per event on stderr."""
    print(line, file=sys.stderr, flush=True)


class SocketKernelManager(AsyncKernelManager):
    """Kernel manager whose kernel listens on private Unix sockets (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", kernel_socket_prefix())
        super().__init__(**kwargs)


class TrackedKernelManager(SocketKernelManager):
    """Kernel manager that registers itself so an interrupted build can kill its kernels."""

    live: ClassVar[weakref.WeakSet[TrackedKernelManager]] = weakref.WeakSet()
    lock: ClassVar[threading.Lock] = threading.Lock()

    #: Kernel stdout/stderr go here (per job subclass) instead of the terminal.
    log_path: Path | None = None
    #: The notebook's file stem, given to the kernel as ``MONITOR_NOTEBOOK`` (``report.chapter``).
    notebook_name: str | None = None
    #: More environment variables for the kernel (the job's ``env``).
    extra_env: ClassVar[Mapping[str, str]] = {}
    #: Where the kernel is forked from (a pool's :class:`~.kernel_template.KernelTemplate`); None: a fresh process.
    template: KernelTemplate | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: The clients made for this kernel (a pool's kernel closes them after its notebook).
        self.made_clients: list[KernelClient] = []
        with self.lock:
            self.live.add(self)

    def client(self, **kwargs: Any) -> Any:
        kc = super().client(**kwargs)
        self.made_clients.append(kc)
        return kc

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self.notebook_name is not None or self.extra_env:
            named = {NOTEBOOK_ENV: self.notebook_name} if self.notebook_name is not None else {}
            kw["env"] = {**(kw.get("env") or os.environ), **named, **self.extra_env}
        forkable = self.template is not None and self.template.serves(kernel_cmd)
        if not (forkable and await self._forked(kernel_cmd, kw)):
            await self._launched(kernel_cmd, kw)
        if STOPPING.is_set():  # Ctrl-C came while this kernel was starting
            self._kill()

    async def _launched(self, kernel_cmd: list[str], kw: dict[str, Any]) -> None:
        """Start the kernel as a fresh process, its output to :attr:`log_path` when set."""
        if self.log_path is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        with open(self.log_path, "ab") as fh:
            kw.setdefault("stdout", fh)
            kw.setdefault("stderr", fh)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _forked(self, kernel_cmd: list[str], kw: dict[str, Any]) -> bool:
        """Start the kernel as a fork of :attr:`template` (what ``LocalProvisioner.launch_kernel`` records for a
        process it started); False when the template cannot, and the kernel starts as a fresh process."""
        from helpers.publish.execute.kernel_template import TemplateError

        assert self.template is not None and self.provisioner is not None
        env, cwd = dict(kw.get("env") or os.environ), str(kw.get("cwd") or os.getcwd())
        loop = asyncio.get_running_loop()
        try:
            process = await loop.run_in_executor(None, self.template.fork, kernel_cmd, env, cwd, self.log_path)
        except TemplateError:
            return False
        prov: Any = self.provisioner
        prov.process, prov.pid, prov.pgid, prov.cwd = process, process.pid, process.pid, cwd
        self._reconcile_connection_info(prov.connection_info)
        return True

    def _kill(self) -> None:
        proc = getattr(getattr(self, "provisioner", None), "process", None)
        if proc is not None and proc.poll() is None:
            proc.kill()


#: Set by an interrupted build: a kernel that finishes starting afterwards is killed at once.
STOPPING = threading.Event()

_sockets: Path | None = None
_sockets_lock = threading.Lock()

#: Unix socket paths may hold at most 107 bytes; the folder leaves room for a 12-character name and "-N".
_SOCKET_PATH_ROOM = 90


def kernel_socket_prefix() -> str:
    """A fresh socket path prefix for one kernel (``transport="ipc"``); its sockets are ``<prefix>-1`` … ``-5``."""
    return str(_socket_dir() / uuid.uuid4().hex[:12])


def _socket_dir() -> Path:
    """This process's private folder (0700) for kernel sockets, made once and removed at exit."""
    global _sockets
    with _sockets_lock:
        if _sockets is None or not _sockets.is_dir():
            base = tempfile.gettempdir()
            if len(base) > _SOCKET_PATH_ROOM - 30:
                base = "/tmp"
            _sockets = Path(tempfile.mkdtemp(prefix="monitor-kernels-", dir=base))
            atexit.register(shutil.rmtree, _sockets, ignore_errors=True)
        return _sockets


def kill_kernels() -> None:
    """Kill every kernel this process started through the build, and any still starting (used on Ctrl-C)."""
    STOPPING.set()
    with TrackedKernelManager.lock:
        managers = list(TrackedKernelManager.live)
    for km in managers:
        km._kill()


@dataclass
class Job:
    """One notebook to execute."""

    name: str
    src: Path
    out: Path
    params: dict[str, Any]
    #: Seconds the notebook took last time; longer jobs start first.
    priority: float = 0.0
    #: Where the kernel's own stdout/stderr go (None: inherit the terminal).
    kernel_log: Path | None = None
    #: Environment variables for this notebook's kernel only.
    env: dict[str, str] = field(default_factory=dict)
    #: Seconds per phase of the last successful run (:data:`PHASES`), filled by :func:`run_notebook`.
    phases: dict[str, float] = field(default_factory=dict)


@dataclass
class WarmKernel:
    """A kernel started (and warmed) before its notebook; ``job`` is the one notebook it was handed to."""

    km: TrackedKernelManager
    #: The kernel's stdout/stderr file (moved to the job's kernel log when handed out).
    log: Path | None
    job: str | None = None


class KernelSource(Protocol):
    """Where :func:`run_notebook` may take a started kernel from (``execute.pool.KernelPool``)."""

    def take(self, job: Job, cwd: Path) -> WarmKernel | None:
        """A kernel for ``job`` alone, or None: the notebook starts a fresh one."""
        ...

    def release(self, kernel: WarmKernel) -> None:
        """Shut ``kernel`` down after its notebook."""
        ...


#: The phases of one notebook's run: ``kernel`` (launch until the first cell starts: the kernel process, its
#: kernel_info reply; with a pool, waiting for a warm kernel and naming it), ``imports`` (the first cell after the
#: parameters: the package's imports, unless a pool ran them ahead, and ``open_chapter``),
#: ``cells`` (all other cells), ``write`` (papermill's last save, then the build's cleaned copy).
PHASES = ("kernel", "imports", "cells", "write")
#: Cells papermill runs before the notebook's own first cell.
_PARAMETER_TAGS = frozenset({"parameters", "injected-parameters"})


def cell_phases(executed: Path, started: float, finished: float) -> dict[str, float]:
    """Seconds per phase (:data:`PHASES`, without the build's own writing) from papermill's cell timestamps in
    ``executed``, run between ``started`` and ``finished`` (``time.time()``); empty when it has none."""
    from datetime import datetime

    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return {}
    timed = []
    for cell in cells:
        pm = cell.get("metadata", {}).get("papermill", {})
        if cell.get("cell_type") == "code" and pm.get("start_time") and pm.get("end_time"):
            start, end = (datetime.fromisoformat(pm[k]).timestamp() for k in ("start_time", "end_time"))
            timed.append((start, end, bool(_PARAMETER_TAGS & set(cell["metadata"].get("tags", ())))))
    if not timed:
        return {}
    first, last = timed[0][0], max(end for _, end, _ in timed)
    imports = next((end - start for start, end, params in timed if not params), 0.0)
    return {
        "kernel": max(0.0, first - started),
        "imports": imports,
        "cells": max(0.0, last - first - imports),
        "write": max(0.0, finished - last),
    }


#: Seconds a kernel may take to start: generous for a busy machine (a kernel starts in seconds even at a load of
#: 10), yet short enough that a kernel killed while starting (Ctrl-C) does not keep the build waiting for long.
KERNEL_START_LIMIT = 240


@dataclass
class ExecutionFailure(Exception):
    """A notebook failed. ``cell`` is the execution count (``In [n]``) of the failing cell."""

    name: str
    ename: str
    evalue: str
    cell: int | None = None
    notebook: Path | None = field(default=None)

    def __str__(self) -> str:
        evalue = (self.evalue or "").strip().splitlines()
        if evalue and evalue[0].startswith(f"{self.name}.ipynb"):
            return evalue[0]  # a located error (prose, claim) names its own place: one location, as in JupyterLab
        section = section_of_prompt(self.notebook, self.cell) if self.notebook and self.cell is not None else ""
        where = describe(self.name, self.cell, section)
        return f"{where}: {self.ename}" + (f": {evalue[0]}" if evalue else "")


def run_notebook(
    job: Job,
    cwd: Path,
    kernel_name: str = "python3",
    start_timeout: int = KERNEL_START_LIMIT,
    timeout: int | None = None,
    pool: KernelSource | None = None,
) -> None:
    """Execute one notebook with papermill; raise ExecutionFailure naming the failing cell. With a ``pool``, the
    notebook runs in a kernel the pool started and warmed (a fresh one if it has none), shut down afterwards."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.time()
    warm = pool.take(job, cwd) if pool is not None else None
    try:
        papermill.execute_notebook(
            str(job.src),
            str(job.out),
            parameters=job.params,
            kernel_name=kernel_name,
            progress_bar=False,
            request_save_on_cell_execute=False,
            # every output has arrived when the last cell is done: a graceful shutdown only waits (0.5-3 s a kernel)
            shutdown_kernel="immediate",
            start_timeout=start_timeout,
            execution_timeout=timeout,
            # cwd for the kernel only: papermill's own ``cwd=`` would os.chdir() the whole (threaded) process.
            resources={"metadata": {"path": str(cwd)}},
            kernel_manager_class=type(
                "JobKernelManager",
                (TrackedKernelManager,),
                {"log_path": job.kernel_log, "notebook_name": job.name, "extra_env": job.env},
            ),
            **({"km": warm.km} if warm is not None else {}),
        )
    except PapermillExecutionError as exc:
        raise ExecutionFailure(job.name, exc.ename, str(exc.evalue), exc.exec_count, job.out) from exc
    except Exception as exc:  # kernel died, timeout, unreadable notebook ...
        out = job.out if job.out.exists() else None
        said = _last_kernel_line(job.kernel_log)
        evalue = f"{exc} (kernel: {said})" if said else str(exc)
        raise ExecutionFailure(job.name, type(exc).__name__, evalue, None, out) from exc
    finally:
        if warm is not None and pool is not None:
            pool.release(warm)
    job.phases = cell_phases(job.out, started, time.time())


def _last_kernel_line(log: Path | None) -> str:
    """The kernel's own last words in its log (e.g. why it could not start), or ''."""
    if log is None or not log.is_file():
        return ""
    lines = [ln.strip() for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def run_graph(
    jobs: Mapping[str, Job],
    graph: Mapping[str, frozenset[str]],
    *,
    cwd: Path,
    workers: int,
    done: set[str] | None = None,
    before_start: Callable[[str], None] | None = None,
    log: Log = log_stderr,
    total: int | None = None,
    runner: Callable[[Job, Path], None] | None = None,
) -> dict[str, float]:
    """Execute ``jobs`` respecting ``graph``; names in ``done`` count as already finished (cached).

    ``before_start(name)`` runs in the calling thread just before a job is submitted (e.g. to assemble
    the indicators for 01). Returns seconds per executed notebook. On the first failure no new job
    starts; running jobs finish; the first failure is raised (others are logged).
    """
    run = runner or (lambda job, d: run_notebook(job, d))
    finished: set[str] = set(done or ())
    pending = [n for n in jobs if n not in finished]
    total = total or len(pending)
    count = 0
    seconds: dict[str, float] = {}
    failures: list[ExecutionFailure] = []
    running: dict[Future[None], tuple[str, float]] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="nb")
    STOPPING.clear()
    try:
        while pending or running:
            ready = [n for n in pending if graph.get(n, frozenset()) <= finished]
            ready.sort(key=lambda n: (-jobs[n].priority, n))
            while ready and len(running) < workers and not failures:
                name = ready.pop(0)
                pending.remove(name)
                if before_start:
                    before_start(name)
                running[pool.submit(run, jobs[name], cwd)] = (name, time.perf_counter())
            if not running:
                break
            complete, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in complete:
                name, t0 = running.pop(fut)
                count += 1
                exc = fut.exception()
                if exc is None:
                    finished.add(name)
                    seconds[name] = time.perf_counter() - t0
                    log(f"[{count}/{total}] {name}.ipynb  {seconds[name]:.1f} s")
                else:
                    failure = (
                        exc
                        if isinstance(exc, ExecutionFailure)
                        else ExecutionFailure(name, type(exc).__name__, str(exc))
                    )
                    failures.append(failure)
                    log(f"[{count}/{total}] {name}.ipynb  MISLUKT: {failure}")
    except BaseException:
        kill_kernels()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if failures:
        raise failures[0]
    return seconds
