"""Kernels forked from a template process that has already imported what every kernel imports.

A build's kernels all import the same modules (pandas, matplotlib, seaborn, scipy, the report layer): about
2.5 s of CPU each, paid again by every fresh ``python -m ipykernel_launcher``. The template is one process,
started with the pool's working directory and environment, that imports ``ipykernel`` and runs the pool's
warm-up code once, then waits. For each kernel the pool asks it to ``fork``: the child starts its own session,
takes the kernel's environment, working directory, log and command line, and runs ``ipykernel`` exactly as
``ipykernel_launcher`` would (no socket, thread or event loop exists before the fork). The kernel still runs
the warm-up code itself (the imports are then already done) and is still handed to one notebook only.

The build holds a pidfd of each forked kernel (the template opens it before any reaping can free the pid and
sends it over the control socket): it polls, waits for and signals that process as it would a child of its
own (:class:`ForkedProcess`, what ``jupyter_client``'s provisioner calls). A kernel dies with its template
(``PR_SET_PDEATHSIG``); the template kills its kernels and exits when the build closes the control socket or
dies. Where forking cannot work (no ``os.pidfd_open``: not Linux) or the template fails, a kernel starts as
a fresh process, as before.

Run as ``python -m helpers.publish.execute.kernel_template <socket fd> <warm-up code>`` by :class:`KernelTemplate`.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: The kernel command a template can run (after the interpreter): what the ``python3`` kernelspec gives.
LAUNCHER = ("-m", "ipykernel_launcher")
#: The largest request or reply on the control socket (a kernel's environment, as JSON).
MESSAGE_LIMIT = 1 << 20
#: Seconds the template gets to end after its control socket closed, before it is killed.
CLOSE_LIMIT = 10
#: Linux ``prctl`` option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1
#: Where ipykernel (and the kernels' own matplotlib) draw: what ``IPKernelApp.init_gui_pylab`` sets before
#: a notebook imports matplotlib; the template imports matplotlib itself, so it sets it first.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class TemplateError(RuntimeError):
    """The template cannot fork this kernel (it did not start, died, or refused the request)."""


def supported() -> bool:
    """True where kernels can be forked from a template: Linux with pidfds."""
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


class ForkedProcess:
    """A forked kernel, seen through its pidfd with the part of ``subprocess.Popen`` a provisioner uses.

    The template reaps the kernel, so its exit status is not known here: ``returncode`` is minus the last
    signal this object sent, else 0.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid, self._pidfd = pid, pidfd
        self.returncode: int | None = None
        self._signal = 0

    def poll(self) -> int | None:
        """None while the kernel runs, else its return code."""
        return self.wait(0) if self.returncode is None and self._ended(0) else self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The return code once the kernel has ended; ``subprocess.TimeoutExpired`` after ``timeout``."""
        if self.returncode is None:
            if not self._ended(timeout):
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            os.close(self._pidfd)
            self.returncode = -self._signal
        return self.returncode

    def _ended(self, timeout: float | None) -> bool:
        return bool(select.select([self._pidfd], [], [], timeout)[0])

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the kernel; nothing once it has ended."""
        if self.returncode is None:
            try:
                signal.pidfd_send_signal(self._pidfd, signum)
            except ProcessLookupError:
                return
            self._signal = signum

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class KernelTemplate:
    """The build's side of one template process: start it, fork kernels from it, close it."""

    def __init__(
        self, cwd: Path, env: Mapping[str, str], warm_code: str, log: Path | None = None, limit: float = 240
    ) -> None:
        """Start the template process (OSError when it cannot start); ``limit``: seconds a fork may wait for it."""
        self.lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.settimeout(limit)
        self.sock = ours
        with theirs, open(log or os.devnull, "ab") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno()), warm_code],
                cwd=str(cwd), env=dict(env), stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                pass_fds=[theirs.fileno()], start_new_session=True,
            )  # fmt: skip

    def serves(self, cmd: Sequence[str]) -> bool:
        """True when ``cmd`` is the plain ``ipykernel_launcher`` command of this interpreter."""
        same_python = bool(cmd) and Path(cmd[0]).resolve() == Path(sys.executable).resolve()
        return same_python and tuple(cmd[1:3]) == LAUNCHER

    def fork(self, cmd: Sequence[str], env: Mapping[str, str], cwd: str, log: Path | None) -> ForkedProcess:
        """Fork a kernel running ``cmd``'s arguments (blocks until the template has imported); TemplateError."""
        request = {"argv": list(cmd[3:]), "env": dict(env), "cwd": cwd, "log": str(log) if log else os.devnull}
        with self.lock:
            try:
                self.sock.send(json.dumps(request).encode())
                data, fds, _, _ = socket.recv_fds(self.sock, MESSAGE_LIMIT, 1)
            except OSError as exc:
                raise TemplateError(f"kerneltemplate: {exc}") from exc
        reply = json.loads(data or b'{"error": "de kerneltemplate stopte"}')
        if "error" in reply or not fds:
            for fd in fds:
                os.close(fd)
            raise TemplateError(str(reply.get("error", "geen pidfd")))
        return ForkedProcess(int(reply["pid"]), fds[0])

    def close(self) -> None:
        """Close the control socket: the template kills the kernels it still has and ends."""
        with contextlib.suppress(OSError):  # shutdown wakes a fork still waiting for the template's reply
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        try:
            self.process.wait(CLOSE_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- the template process -----------------------------------------------------------------------------------------


def _serve(sock: socket.socket, warm_code: str) -> None:
    """Import like a kernel, then fork one kernel per request until the control socket closes."""
    if sys.path and Path(sys.path[0]) == Path.cwd():  # as ipykernel_launcher: IPython puts it back in each kernel
        del sys.path[0]
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    import ipykernel.kernelapp  # noqa: F401 - what every kernel runs

    with contextlib.suppress(BaseException):  # each kernel runs the warm-up again and reports what fails
        exec(compile(warm_code, "<warm-up>", "exec"), {"__name__": "__warm_up__"})
    children: set[int] = set()
    signal.signal(signal.SIGCHLD, lambda *_: _reap(children))
    try:
        while request := sock.recv(MESSAGE_LIMIT):
            _answer(sock, json.loads(request), children)
    finally:
        for pid in list(children):
            _kill_quietly(pid)


def _answer(sock: socket.socket, request: dict[str, Any], children: set[int]) -> None:
    """Fork the requested kernel; reply with its pid and pidfd, or with the error."""
    try:
        pid, pidfd = _fork_kernel(request, children, sock.fileno())
    except OSError as exc:
        sock.send(json.dumps({"error": str(exc)}).encode())
        return
    try:
        socket.send_fds(sock, [json.dumps({"pid": pid}).encode()], [pidfd])
    finally:
        os.close(pidfd)


def _fork_kernel(request: dict[str, Any], children: set[int], control: int) -> tuple[int, int]:
    """Fork; the child becomes the kernel. Returns once the child has its own session (so its process group is
    its pid), with a pidfd opened before the child can be reaped."""
    ready_r, ready_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    try:
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.close(control)  # the kernel has no part in the template's conversation
            _become_kernel(request, ready_w)  # never returns
        children.add(pid)
        pidfd = os.pidfd_open(pid)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    os.close(ready_w)
    started = os.read(ready_r, 1)
    os.close(ready_r)
    if not started:
        os.close(pidfd)
        raise OSError("de kernel stopte voordat hij startte")
    return pid, pidfd


def _become_kernel(request: dict[str, Any], ready: int) -> None:
    """In the forked child: a session of its own, the kernel's environment, directory and output; then
    ipykernel as ``ipykernel_launcher`` runs it. Exits the process, never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        template = os.getppid()
        os.setsid()
        _die_with_parent()
        if os.getppid() != template:  # the template is gone already
            os._exit(1)
        _take_streams(request["log"])
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(template)  # ipykernel's parent poller watches the template
        os.write(ready, b"1")
        os.close(ready)
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # printed to the kernel's log, as a failing kernel would
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # the process ends either way
                stream.flush()
        os._exit(code)


def _take_streams(log: str) -> None:
    """stdin from /dev/null; stdout and stderr to the kernel's log (appended)."""
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the template dies (best effort)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _reap(children: set[int]) -> None:
    """Collect every ended kernel (SIGCHLD)."""
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def main(argv: Sequence[str]) -> None:
    """Entry point of the template process: ``<socket fd> <warm-up code>``."""
    sock = socket.socket(fileno=int(argv[0]))
    _serve(sock, argv[1])


if __name__ == "__main__":
    main(sys.argv[1:])
