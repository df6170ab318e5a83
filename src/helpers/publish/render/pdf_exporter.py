"""nbconvert's PDFExporter for the report: XeLaTeX passes only while cross-references change (seeded with
the last build's), the previous PDF reused when the LaTeX source is byte-identical, missing glyphs an
error, the .tex and .log kept when LaTeX fails. Imported only when a PDF is rendered (nbconvert is heavy).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from nbconvert.exporters.latex import LatexExporter
from nbconvert.exporters.pdf import LatexFailed, PDFExporter

from helpers.publish.render.latex_state import (
    STATE_FILE,
    STEM,
    TRACKED,
    LatexError,
    missing_characters,
    render_state,
    source_digest,
)


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
        self.passes = 0
        try:
            for _ in range(self.max_passes):
                self.passes += 1
                self.run_command(self.latex_command, filename, 1, self._log_error, raise_on_failure)
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
        proc = subprocess.run(
            ["xdvipdfmx", "-q", "-E", "-z", "6", "-o", f"{stem}.pdf", f"{stem}.xdv"], capture_output=True, text=True
        )
        if proc.returncode:
            raise LatexError(f"xdvipdfmx failed: {proc.stderr.strip()[:500]}")
        return True

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
