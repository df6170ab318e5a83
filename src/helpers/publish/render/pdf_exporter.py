"""nbconvert's PDFExporter for the report: XeLaTeX passes only while cross-references change (seeded with
the last build's), the previous PDF reused when the LaTeX source is byte-identical, missing glyphs an
error, the .tex and .log kept when LaTeX fails. Imported only when a PDF is rendered (nbconvert is heavy).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

from nbconvert.exporters.latex import LatexExporter
from nbconvert.exporters.pdf import LatexFailed, PDFExporter, prepend_to_env_search_path

from helpers.publish.render import latex_ahead
from helpers.publish.render.latex_state import (
    STATE_FILE,
    STEM,
    TRACKED,
    LatexError,
    missing_characters,
    render_state,
    source_digest,
)

#: Passes started ahead without a seed (the last one speculatively): the 2nd always runs, the 3rd nearly always.
AHEAD_PASSES = 3


class MonitorPDFExporter(PDFExporter):
    """PDFExporter that reruns XeLaTeX only while needed and checks the log for missing glyphs."""

    max_passes = 4
    #: Where to copy the .tex and .log when LaTeX fails (None: nowhere).
    keep_dir: Path | None = None
    keep_name = "report"
    #: .aux/.toc/.out of the previous build (seed) and where to keep this build's.
    previous: Path | None = None
    state_dir: Path | None = None
    reused: bytes | None = None
    pdf_digest = ""
    #: The XeLaTeX run started ahead for the next pass (``latex_ahead``) and the folder of such runs.
    _ahead: latex_ahead.PassAhead | None = None
    #: Set when the LaTeX source is written (``render_pdf``'s ``source_ready``).
    source_ready: threading.Event | None = None
    _ahead_dir: Path | None = None

    def start_ahead(self, metadata: Any) -> None:
        """Start the first XeLaTeX run now on the preamble of a notebook with ``metadata`` (the report's): it
        loads fonts and packages while the source is prepared. Used only if the real preamble is the same."""
        from nbformat.v4 import new_notebook

        if not latex_ahead.supported():
            return
        latex, _ = LatexExporter.from_notebook_node(self, new_notebook(metadata=copy.deepcopy(metadata)))
        split = latex_ahead.split_source(latex.encode("utf-8"))
        if split is not None:
            self.texinputs = os.getcwd()  # as from_notebook_node sets it
            self._start_ahead(split[0])

    def _start_ahead(self, preamble: bytes) -> None:
        if self._ahead_dir is None:
            self._ahead_dir = Path(tempfile.mkdtemp(prefix="latex-ahead-"))
        folder = self._ahead_dir / f"run{len(list(self._ahead_dir.iterdir())) + 1}"
        try:
            self._ahead = latex_ahead.PassAhead(folder, self._command(), self._latex_env(), preamble)
        except OSError:  # no xelatex, no pipe: the pass runs as usual (and reports a missing xelatex itself)
            self._ahead = None

    def _take_ahead(self, preamble: bytes | None, filename: str) -> latex_ahead.PassAhead | None:
        """The run started ahead if it runs this pass's command on ``preamble`` in its environment, else None."""
        ahead, self._ahead = self._ahead, None
        wanted = (preamble, self._command(filename), self._latex_env())
        same = ahead is not None and (ahead.preamble, ahead.command, ahead.env) == wanted
        if ahead is not None and not same:
            ahead.cancel()
            return None
        return ahead

    def close_ahead(self) -> None:
        """Stop a run started ahead that no pass took, and remove their folders."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.cancel()
        if self._ahead_dir is not None:
            shutil.rmtree(self._ahead_dir, ignore_errors=True)
            self._ahead_dir = None

    def _command(self, filename: str = f"{STEM}.tex") -> list[str]:
        return [c.format(filename=filename) for c in self.latex_command]

    def _latex_env(self) -> dict[str, str]:
        """The environment nbconvert's ``run_command`` gives LaTeX."""
        env = os.environ.copy()
        for var in ("TEXINPUTS", "BIBINPUTS", "BSTINPUTS"):
            prepend_to_env_search_path(var, self.texinputs, env)
        return env

    def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:  # (PDF bytes, resources)
        latex, resources = LatexExporter.from_notebook_node(self, nb, resources=resources, **kw)
        self.digest = source_digest(latex, resources.get("outputs", {}))
        self.passes = 0
        before = render_state(self.previous)
        if (
            self.reused is not None
            and before.get("digest") == self.digest
            and before.get("pdf") == hashlib.sha256(self.reused).hexdigest()  # the old PDF is intact
        ):
            self.pdf_digest = before["pdf"]
            self._save_state(self.previous)
            return self.reused, resources
        self.texinputs = os.getcwd()
        with tempfile.TemporaryDirectory() as td, contextlib.chdir(td):
            resources["output_extension"] = ".tex"
            tex_file = self.writer.write(latex, resources, notebook_name=STEM)
            if self.source_ready is not None:
                self.source_ready.set()  # from here on XeLaTeX works, in its own processes
            self.run_latex(tex_file)
            if not os.path.isfile(f"{STEM}.pdf"):
                raise LatexFailed("\n".join(self._captured_output))
            data = Path(f"{STEM}.pdf").read_bytes()
            self.pdf_digest = hashlib.sha256(data).hexdigest()
            self._save_state(Path(td))
        resources["output_extension"] = ".pdf"
        resources.pop("outputs", None)
        resources.pop("attachments", None)
        return data, resources

    def _save_state(self, source: Path | None) -> None:
        if self.state_dir is None or source is None:
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for ext in TRACKED:
            if (source / f"{STEM}{ext}").is_file() and source != self.state_dir:
                shutil.copyfile(source / f"{STEM}{ext}", self.state_dir / f"{STEM}{ext}")
        state = {"digest": self.digest, "pdf": self.pdf_digest}
        (self.state_dir / STATE_FILE).write_text(json.dumps(state) + "\n", encoding="utf-8")

    def run_latex(self, filename: str, raise_on_failure: type[Exception] = LatexFailed) -> bool:
        stem = Path(filename).stem
        tracked = [Path(stem + ext) for ext in TRACKED]
        for f in tracked:  # start from the last build's cross-references: often one pass is enough
            if self.previous is not None and (self.previous / f.name).is_file():
                shutil.copyfile(self.previous / f.name, f)
        previous = [p.read_bytes() if p.exists() else b"" for p in tracked] if self.previous else None
        seeded = any(p.exists() for p in tracked)
        split = latex_ahead.split_source(Path(filename).read_bytes()) if latex_ahead.supported() else None
        self.passes = 0
        try:
            for _ in range(self.max_passes):
                self.passes += 1
                # without a seed a first build needs a second pass, and a third when the contents appear
                self._run_pass(filename, split, raise_on_failure, ahead=not seeded and self.passes < AHEAD_PASSES)
                state = [p.read_bytes() if p.exists() else b"" for p in tracked]
                if state == previous:
                    break
                previous = state
            log = Path(stem + ".log").read_text(encoding="utf-8", errors="replace")
            missing = missing_characters(log)
            if missing:
                raise LatexError(f"LaTeX: {missing[0]} ({len(missing)} missing glyph(s) in total)")
        except Exception as exc:
            kept = self._keep(stem)
            if isinstance(exc, LatexError) and kept:
                raise LatexError(f"{exc} (log: {kept})") from exc
            raise
        finally:
            self.close_ahead()
        proc = subprocess.run(
            ["xdvipdfmx", "-q", "-E", "-z", "6", "-o", f"{stem}.pdf", f"{stem}.xdv"], capture_output=True, text=True
        )
        if proc.returncode:
            raise LatexError(f"xdvipdfmx failed: {proc.stderr.strip()[:500]}")
        return True

    def _run_pass(
        self, filename: str, split: tuple[bytes, bytes] | None, raise_on_failure: type[Exception], ahead: bool
    ) -> None:
        """One XeLaTeX pass in the current folder: on the run started ahead for it when there is one (its output
        files then moved here); with ``ahead``, the next pass is started on the preamble meanwhile."""
        run = self._take_ahead(split[0] if split else None, filename)
        if ahead and split is not None:
            self._start_ahead(split[0])
        if run is None or split is None:
            self.run_command(self.latex_command, filename, 1, self._log_error, raise_on_failure)
            return
        code, out = run.finish(split[1], Path.cwd())
        run.collect(Path.cwd())
        if code:
            command = self._command(filename)
            self._log_error(command, out)
            text = out.decode("utf-8", "replace")
            self._captured_output.append(text)
            raise raise_on_failure(f'Failed to run "{command}" command:\n{text}')

    def _keep(self, stem: str) -> Path | None:
        """Copy the .tex and .log of a failed run to ``keep_dir``; return the kept log."""
        if self.keep_dir is None:
            return None
        self.keep_dir.mkdir(parents=True, exist_ok=True)
        for ext in (".tex", ".log"):
            if Path(stem + ext).exists():
                shutil.copyfile(stem + ext, self.keep_dir / f"{self.keep_name}{ext}")
        return self.keep_dir / f"{self.keep_name}.log"

    def _log_error(self, command: list[str], out: bytes) -> None:
        self.log.critical("%s failed: %s", command[0], (out or b"").decode("utf-8", "replace")[-3000:])

    def run_bib(self, filename: str, raise_on_failure: bool = False) -> bool:
        return False  # the report has no bibliography
