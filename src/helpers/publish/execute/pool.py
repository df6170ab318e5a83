"""Kernels started and warmed ahead of need: the next notebook's kernel is ready when a worker frees.

A warm kernel has started (private Unix sockets, the build's environment and working directory) and has run
:data:`WARM_CODE` silently (no execution count, no output in any notebook). It is handed to exactly one
notebook, which names itself (``MONITOR_NOTEBOOK`` and the job's own environment) in a second silent request,
and it is shut down when that notebook ends: a kernel is never reused, so no state passes between notebooks.
A kernel that fails to start, warm or take its name is shut down, and its notebook starts a fresh kernel.
Where the platform allows, the pool's kernels are forked from one template process that ran the warm-up's
imports once (``execute.kernel_template``), so no kernel pays for them again.

The pool's own kernel work (start, warm-up, naming, shut-down) runs on its event loop in one thread; a
notebook's worker thread talks to its kernel only through papermill's client.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections import deque
from collections.abc import Coroutine, Mapping
from concurrent.futures import Future
from pathlib import Path
from queue import Empty
from types import TracebackType
from typing import Any, TypeVar, cast

from jupyter_client.asynchronous.client import AsyncKernelClient

from helpers.paths import NOTEBOOK_ENV
from helpers.publish.execute.kernel_template import KernelTemplate, supported
from helpers.publish.execute.kernels import KERNEL_START_LIMIT, STOPPING, Job, TrackedKernelManager, WarmKernel

#: What every notebook imports anyway, ahead of it: the package (pandas, matplotlib, the report modules), seaborn
#: with scipy.stats (``open_chapter``'s house style, the tests) and openpyxl (the XLSX downloads). Never deduce:
#: its gigabyte is loaded by one kernel at a time (``MONITOR_DEDUCE_LOCK``), only where a notebook needs it.
WARM_CODE = "import helpers.report.notebook, seaborn, scipy.stats, openpyxl"
#: What papermill's client passes to every kernel it starts (an in-memory history, no shared sqlite file).
KERNEL_ARGS = ("--HistoryManager.hist_file=:memory:",)
#: Seconds to wait for a kernel's shut-down before killing it outright.
SHUTDOWN_LIMIT = 30
#: Seconds between two looks at whether a warming kernel is still alive.
REPLY_POLL = 0.5

T = TypeVar("T")


class WarmUpError(RuntimeError):
    """A pool kernel did not start, its warm-up code failed, or the pool closed meanwhile."""


class KernelPool:
    """Keep up to ``ahead`` kernels starting or warm, at most ``needed`` in all; hand each out once.

    Use as a context manager: leaving it shuts down every kernel not handed out and stops the pool's loop.
    """

    def __init__(
        self,
        cwd: Path,
        *,
        ahead: int,
        needed: int,
        env: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
        warm_code: str = WARM_CODE,
        kernel_name: str = "python3",
        start_timeout: int = KERNEL_START_LIMIT,
        fork: bool = True,
    ) -> None:
        self.cwd, self.env, self.log_dir = Path(cwd), dict(env or {}), log_dir
        self.ahead, self.needed, self.warm_code = max(0, ahead), max(0, needed), warm_code
        self.kernel_name, self.start_timeout = kernel_name, start_timeout
        #: Fork the kernels from a template that imported the warm-up code once (``execute.kernel_template``).
        self.fork = fork
        self.template: KernelTemplate | None = None
        self.started = 0
        self.waiting: deque[Future[WarmKernel]] = deque()
        #: Managers of kernels not (yet) handed out: killed at once when the pool closes.
        self.unassigned: set[TrackedKernelManager] = set()
        #: The client that warmed each waiting kernel, kept open to name it (only touched on the pool's loop).
        self.clients: dict[TrackedKernelManager, AsyncKernelClient] = {}
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kernel-pool", daemon=True)

    def __enter__(self) -> KernelPool:
        STOPPING.clear()
        self.template = self._template() if self.fork and supported() else None
        self.thread.start()
        with self.lock:
            for _ in range(min(self.ahead, self.needed)):
                self._start_one()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _template(self) -> KernelTemplate | None:
        """The template the pool's kernels are forked from; None when it cannot start (fresh kernels then)."""
        log = self.log_dir / "template.log" if self.log_dir is not None else None
        try:
            return KernelTemplate(self.cwd, {**os.environ, **self.env}, self.warm_code, log, self.start_timeout)
        except OSError:
            return None

    def _start_one(self) -> None:
        """Start (and warm) one more kernel in the background; called holding the lock."""
        self.started += 1
        log = self.log_dir / f"pool-{self.started}.log" if self.log_dir is not None else None
        self.waiting.append(self._submit(self._warm_kernel(log)))

    def _submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def serves(self, job: Job, cwd: Path) -> bool:
        """True when a pool kernel suits ``job``: same working directory, no clash with the pool's environment."""
        return Path(cwd) == self.cwd and all(self.env.get(k, v) == v for k, v in job.env.items())

    def take(self, job: Job, cwd: Path) -> WarmKernel | None:
        """The next warm kernel, named for ``job`` (its log moved to the job's); a replacement starts at once.
        None when the pool cannot serve ``job`` (closed, empty, other directory, failed warm-up): start fresh."""
        if not self.serves(job, cwd):
            return None
        with self.lock:
            if self.closing.is_set() or not self.waiting:
                return None
            future = self.waiting.popleft()
            if self.started < self.needed:
                self._start_one()
        try:
            kernel = future.result()
            self._submit(self._name(kernel, job)).result()
        except Exception:  # no warm kernel for this notebook: it starts a fresh one
            self._discard(future)
            return None
        return kernel

    def release(self, kernel: WarmKernel) -> None:
        """Shut the kernel down after its notebook: papermill's clients first (in this worker thread, on its
        loop, as papermill closes its own), then the kernel itself (on the pool's loop)."""
        from jupyter_core.utils import run_sync

        async def stop_clients() -> None:
            for kc in kernel.km.made_clients:
                if kc.channels_running:
                    kc.stop_channels()

        try:
            run_sync(stop_clients)()
        finally:
            self._shutdown(kernel.km)

    def close(self) -> None:
        """Shut down every kernel not handed out (killed at once, even while starting); stop the pool's loop."""
        self.closing.set()
        with self.lock:
            waiting = list(self.waiting)
            self.waiting.clear()
            unassigned = list(self.unassigned)
        for km in unassigned:
            km._kill()
        for future in waiting:
            self._discard(future)
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join()
        self.loop.close()
        if self.template is not None:
            self.template.close()

    def _discard(self, future: Future[WarmKernel]) -> None:
        """Wait for ``future`` to settle (a failed start shuts its own kernel down), then shut down its kernel."""
        try:
            kernel = future.result(timeout=self.start_timeout)
        except BaseException:  # a failed or cut-short start shut its own kernel down
            return
        self._shutdown(kernel.km)

    def _shutdown(self, km: TrackedKernelManager) -> None:
        with self.lock:
            self.unassigned.discard(km)
        if self.thread.is_alive():
            try:
                self._submit(self._end(km)).result(timeout=SHUTDOWN_LIMIT)
                return
            except Exception:  # fall back to a plain kill
                pass
        km._kill()

    async def _warm_kernel(self, log: Path | None) -> WarmKernel:
        """Start one kernel and run the warm-up code in it silently; shut it down if any step fails."""
        attrs = {"log_path": log, "notebook_name": None, "extra_env": self.env, "template": self.template}
        km = type("PoolKernelManager", (TrackedKernelManager,), attrs)(kernel_name=self.kernel_name)
        with self.lock:
            self.unassigned.add(km)
        try:
            start = km.start_kernel(extra_arguments=list(KERNEL_ARGS), cwd=str(self.cwd))
            await asyncio.wait_for(start, self.start_timeout)
            self._check_open()
            km._close_control_socket()  # made on this loop: a later need makes it again on its own loop
            self.clients[km] = await _ready_client(km, self.start_timeout)
            await _run_silently(km, self.clients[km], self.warm_code, self.start_timeout)
            self._check_open()
        except BaseException:
            await self._end(km)
            with self.lock:
                self.unassigned.discard(km)
            raise
        return WarmKernel(km, log)

    async def _end(self, km: TrackedKernelManager) -> None:
        """Close the kernel's warm client, if still open, and shut the kernel down."""
        kc = self.clients.pop(km, None)
        if kc is not None:
            kc.stop_channels()
        await _shut(km)

    def _check_open(self) -> None:
        if self.closing.is_set() or STOPPING.is_set():
            raise WarmUpError("de build stopt")

    async def _name(self, kernel: WarmKernel, job: Job) -> None:
        """Tell the kernel its notebook (and the job's environment); move its log to the job's kernel log."""
        env = {**job.env, NOTEBOOK_ENV: job.name}
        kc = self.clients.pop(kernel.km)
        try:
            await _run_silently(kernel.km, kc, f"import os; os.environ.update({json.dumps(env)})", self.start_timeout)
        finally:
            kc.stop_channels()
        with self.lock:
            self.unassigned.discard(kernel.km)
        kernel.job = job.name
        kernel.km.made_clients.clear()
        if kernel.log is not None and job.kernel_log is not None:
            os.replace(kernel.log, job.kernel_log)  # the kernel keeps writing to the same (renamed) file
            kernel.log = job.kernel_log


async def _ready_client(km: TrackedKernelManager, timeout: float) -> AsyncKernelClient:
    """A client of the kernel with its channels open, once the kernel answers."""
    kc = cast(AsyncKernelClient, km.client())
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
    except BaseException:
        kc.stop_channels()
        raise
    return kc


async def _run_silently(km: TrackedKernelManager, kc: AsyncKernelClient, code: str, timeout: float) -> None:
    """Execute ``code`` without history or execution count; raise WarmUpError unless it succeeds."""
    msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    content = await _reply(km, kc, msg_id, timeout)
    if content.get("status") != "ok":
        raise WarmUpError(f"{content.get('ename', 'fout')}: {content.get('evalue', '')}")


async def _reply(km: TrackedKernelManager, kc: AsyncKernelClient, msg_id: str, timeout: float) -> dict[str, Any]:
    """The content of the reply to ``msg_id``; WarmUpError when the kernel dies or ``timeout`` passes first."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            reply = await kc.get_shell_msg(timeout=REPLY_POLL)
        except Empty:
            if not await km.is_alive():
                raise WarmUpError("de kernel stopte") from None
            if asyncio.get_running_loop().time() > deadline:
                raise WarmUpError(f"geen antwoord binnen {timeout:.0f} s") from None
            continue
        if reply["parent_header"].get("msg_id") == msg_id:
            return cast(dict[str, Any], reply["content"])


async def _shut(km: TrackedKernelManager) -> None:
    """Kill the kernel and remove its connection file and sockets; a kernel already gone is fine."""
    try:
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
    except RuntimeError:
        km._kill()
