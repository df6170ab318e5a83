"""Kernels forked from a template that imported once: own session, own environment, and they end with it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from process_helpers import LIMIT, pid_ended, wait_for

from helpers.publish.execute.kernel_template import ForkedProcess, KernelTemplate, TemplateError, supported
from helpers.publish.execute.kernels import Job, TrackedKernelManager, run_notebook
from helpers.publish.execute.pool import KernelPool

#: Real kernels: with the builds in ``make test``, not in ``make test-fast``.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not supported(), reason="kernels are forked on Linux only")]

MARK = "import sys; sys.modules['template_warmed'] = sys"
#: What the test notebook prints about its kernel process.
REPORT = (
    "import os, sys, json\n"
    "print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), 'sid': os.getsid(0), 'cwd': os.getcwd(),\n"
    "                  'warmed': 'template_warmed' in sys.modules, 'env': os.environ.get('POOL_TEST'),\n"
    "                  'parent': os.environ.get('JPY_PARENT_PID')}))\n"
    "print('naar het log', file=sys.__stderr__, flush=True)"
)


def _notebook(path: Path) -> Path:
    nb = new_notebook(cells=[new_code_cell(REPORT)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _job(tmp_path: Path) -> Job:
    src = _notebook(tmp_path / "nb.ipynb")
    return Job("nb", src, tmp_path / "nb.out.ipynb", {}, kernel_log=tmp_path / "nb.log", env={"POOL_TEST": "ja"})


def _said(job: Job) -> dict[str, object]:
    return dict(json.loads(nbformat.read(job.out, as_version=4).cells[0].outputs[0]["text"]))


def _launcher(conn: Path) -> list[str]:
    return [sys.executable, "-m", "ipykernel_launcher", "-f", str(conn)]


def test_a_pool_kernel_is_a_fork_of_the_template_in_a_session_of_its_own(tmp_path: Path) -> None:
    job = _job(tmp_path)
    with KernelPool(tmp_path, ahead=1, needed=1, env={"POOL_TEST": "ja"}, log_dir=tmp_path, warm_code=MARK) as pool:
        assert pool.template is not None
        template = pool.template.process.pid
        run_notebook(job, tmp_path, pool=pool)
    said = _said(job)
    assert said["ppid"] == template and said["parent"] == str(template)  # ipykernel watches its template
    assert said["sid"] == said["pid"]  # Ctrl-C in the terminal reaches the build only
    assert said["cwd"] == str(tmp_path) and said["env"] == "ja" and said["warmed"] is True
    assert job.kernel_log is not None and "naar het log" in job.kernel_log.read_text()
    assert pid_ended(int(str(said["pid"]))) and pid_ended(template)


def test_closing_the_template_ends_its_kernels(tmp_path: Path) -> None:
    template = KernelTemplate(tmp_path, dict(os.environ), MARK)
    try:
        kernel = template.fork(_launcher(tmp_path / "k.json"), dict(os.environ), str(tmp_path), tmp_path / "k.log")
        assert kernel.poll() is None
    finally:
        template.close()
    assert kernel.wait(LIMIT) == 0 and kernel.poll() == 0  # ended by the template, not by a signal from here
    assert template.process.returncode == 0


def test_a_kernel_dies_with_its_template(tmp_path: Path) -> None:
    template = KernelTemplate(tmp_path, dict(os.environ), MARK)
    try:
        kernel = template.fork(_launcher(tmp_path / "k.json"), dict(os.environ), str(tmp_path), None)
        wait_for(lambda: (tmp_path / "k.json").is_file(), "the kernel wrote its connection file")
        template.process.kill()  # the template dies without a word: its kernels must not live on
        wait_for(lambda: kernel.poll() is not None, "the kernel ended with its template")
    finally:
        template.close()


def test_the_build_signals_a_forked_kernel_through_its_pidfd(tmp_path: Path) -> None:
    template = KernelTemplate(tmp_path, dict(os.environ), MARK)
    try:
        kernel = template.fork(_launcher(tmp_path / "k.json"), dict(os.environ), str(tmp_path), None)
        with pytest.raises(subprocess.TimeoutExpired):
            kernel.wait(0)
        kernel.kill()
        assert kernel.wait(LIMIT) == -signal.SIGKILL
        kernel.kill()  # an ended kernel: nothing happens
        assert kernel.poll() == -signal.SIGKILL
    finally:
        template.close()


def test_a_template_that_died_lets_the_kernel_start_as_a_fresh_process(tmp_path: Path) -> None:
    template = KernelTemplate(tmp_path, dict(os.environ), MARK)
    template.process.kill()
    template.process.wait()
    with pytest.raises(TemplateError):
        template.fork(_launcher(tmp_path / "x.json"), dict(os.environ), str(tmp_path), None)
    km = type("FreshKernelManager", (TrackedKernelManager,), {"template": template})(kernel_name="python3")

    async def start_and_stop() -> object:
        await km.start_kernel(cwd=str(tmp_path))
        try:
            process = km.provisioner.process  # type: ignore[union-attr]
            assert process.poll() is None
            return process
        finally:
            await km.shutdown_kernel(now=True)

    try:
        assert not isinstance(asyncio.run(start_and_stop()), ForkedProcess)
    finally:
        template.close()


def test_only_the_plain_launcher_of_this_interpreter_is_forked(tmp_path: Path) -> None:
    template = KernelTemplate(tmp_path, dict(os.environ), MARK)
    try:
        assert template.serves(_launcher(tmp_path / "k.json"))
        assert not template.serves(["/usr/bin/python3.9", "-m", "ipykernel_launcher", "-f", "k.json"])
        assert not template.serves([sys.executable, "-m", "other_kernel", "-f", "k.json"])
        assert not template.serves([sys.executable])
    finally:
        template.close()
