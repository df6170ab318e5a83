"""Build kernels talk over private Unix sockets, so no other process can take their TCP ports.

With TCP, the build picks a free port, releases it, and the kernel binds it seconds later; a process
that takes the port in between leaves ipykernel hanging (not exiting) until the start limit.
"""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers.publish.execute.kernels import Job, run_notebook

PROBE = """\
from ipykernel.kernelapp import IPKernelApp
app = IPKernelApp.instance()
print(app.transport, app.ip)
"""


def test_a_build_kernel_uses_unix_sockets_in_a_private_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_client.provisioning import local_provisioner

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    asked: list[int] = []

    def taken_port(*args: object, **kwargs: object) -> int:  # what a race with another process looks like
        asked.append(busy.getsockname()[1])
        return busy.getsockname()[1]

    monkeypatch.setattr(local_provisioner.LocalPortCache, "find_available_port", taken_port)
    src, out = tmp_path / "probe.ipynb", tmp_path / "probe.out.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(PROBE)]), src)
    try:
        run_notebook(Job("probe", src, out, {}), tmp_path)
    finally:
        busy.close()
    transport, prefix = nbformat.read(out, 4).cells[0].outputs[0]["text"].split()
    assert transport == "ipc" and not asked
    folder = Path(prefix).parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.name.startswith("monitor-kernels-")
    assert len(f"{prefix}-5") < 100
