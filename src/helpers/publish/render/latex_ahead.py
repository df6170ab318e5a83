"""XeLaTeX runs started ahead: each reads the fixed preamble (fonts, packages: about 60% of a run) from a named
pipe while the build still prepares the source or runs the previous pass, and typesets the rest once it is fed.

The run is the same as one on the written file: same command, environment, working folder contents and source
bytes (after a UTF-8 byte-order mark, which XeTeX skips: without it XeTeX rewinds the pipe to sniff the encoding
and loses bytes). The .aux/.toc/.out of the previous pass are put in place only just before the rest of the
source is fed, which is before ``\\begin{document}`` reads them. Where named pipes do not exist, nothing runs ahead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from helpers.publish.render.latex_state import STEM

BOM = b"\xef\xbb\xbf"
BEGIN = b"\n\\begin{document}"
#: What a run writes and never reads back (the .aux, .toc, .out of the last run are read, so given to the next).
OWN_OUTPUT = (".log", ".xdv")
#: Output of the xelatex process (its terminal lines), in the pass folder.
OUTPUT = "xelatex.out"
#: XeTeX reads the first line of the main file to look for a %&format line, then reopens it: not on a pipe.
NO_FIRST_LINE = "-no-parse-first-line"
_OPEN_POLL = 0.005


def supported() -> bool:
    """True where named pipes exist (POSIX)."""
    return hasattr(os, "mkfifo")


def split_source(source: bytes) -> tuple[bytes, bytes] | None:
    """The LaTeX source as (preamble, rest from ``\\begin{document}`` on); None without a ``\\begin{document}``."""
    at = source.find(BEGIN)
    return None if at < 0 else (source[: at + 1], source[at + 1 :])


class PassAhead:
    """One XeLaTeX run in ``folder`` that reads ``preamble`` now, and the rest when :meth:`finish` gives it."""

    def __init__(self, folder: Path, command: list[str], env: dict[str, str], preamble: bytes) -> None:
        self.folder, self.preamble, self.command, self.env = folder, preamble, command, env
        folder.mkdir(parents=True)
        fifo = folder / f"{STEM}.tex"
        os.mkfifo(fifo)
        self._rest: bytes | None = None
        self._given: set[str] = set()
        self._fed = threading.Event()
        with (folder / OUTPUT).open("wb") as out:
            self.proc = subprocess.Popen(
                [command[0], NO_FIRST_LINE, *command[1:]],
                cwd=folder, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
        self._feeder = threading.Thread(target=self._feed, args=(fifo,), name="latex-ahead", daemon=True)
        self._feeder.start()

    def _feed(self, fifo: Path) -> None:
        """Write the preamble, wait for the rest, write it and close the pipe (a dead process ends it)."""
        fd = self._open(fifo)
        if fd is None:
            return
        try:
            _write(fd, BOM + self.preamble)
            self._fed.wait()
            if self._rest is not None:
                _write(fd, self._rest)
        except OSError:  # BrokenPipeError: the run stopped (a LaTeX error, cancelled); its exit code tells
            pass
        finally:
            os.close(fd)

    def _open(self, fifo: Path) -> int | None:
        """The pipe's write end, once xelatex opened it for reading; None when the process ended first."""
        while True:
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: no reader yet
                if self.proc.poll() is not None:
                    return None
                time.sleep(_OPEN_POLL)
                continue
            os.set_blocking(fd, True)
            return fd

    def finish(self, rest: bytes, inputs: Path) -> tuple[int, bytes]:
        """Feed ``rest`` (from ``\\begin{document}``) once the files of ``inputs`` are in the folder, as if the
        run ran there: what earlier runs wrote for the next (.aux, .toc, .out) copied, other files (figures)
        linked, the source and the log and .xdv of an earlier run left out. Return exit code and output."""
        for f in inputs.iterdir():
            if not f.is_file() or f.name in {STEM + ext for ext in (".tex", *OWN_OUTPUT)}:
                continue
            self._given.add(f.name)
            if f.name.startswith(f"{STEM}."):
                shutil.copyfile(f, self.folder / f.name)
            else:
                _link(f, self.folder / f.name)
        self._rest = rest
        self._fed.set()
        code = self.proc.wait()
        self._feeder.join()
        return code, (self.folder / OUTPUT).read_bytes()

    def collect(self, into: Path) -> None:
        """Move every file this run wrote (not its source, not what :meth:`finish` put in) to ``into``."""
        for f in self.folder.iterdir():
            written = f.name.startswith(f"{STEM}.") or f.name not in self._given  # .aux/.toc/.out: rewritten
            if written and f.is_file() and f.name not in {f"{STEM}.tex", OUTPUT}:  # the source is the pipe
                os.replace(f, into / f.name)

    def cancel(self) -> None:
        """Stop the run (if it still runs) and its feeder."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._fed.set()
        self._feeder.join()


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _link(src: Path, dest: Path) -> None:
    with contextlib.suppress(FileExistsError):
        try:
            os.link(src, dest)
        except OSError:
            shutil.copyfile(src, dest)
