"""Render the merged report notebook to PDF with nbconvert's PDFExporter (XeLaTeX) and the project template.

Code input and the parameter cells are hidden; only figures, Markdown (pipe tables become pandoc
longtables) and LaTeX outputs are printed: plain text and stdout/stderr stay in the reviewer HTML.
Markdown is converted in one pandoc run (``latexmd``). XeLaTeX runs (without PDF output) until the
.aux/.toc/.out files are stable, then xdvipdfmx writes the PDF once (zlib level 6: half the time of
the default 9, ~3% larger). The build fails when the log reports a "Missing character" (a glyph the
font lacks).

XeLaTeX runs only as often as needed: the .aux/.toc/.out of the last run are kept in the report's
``.render/`` folder and seed the next one, so an edit that moves no page reference needs one pass;
when the LaTeX source and its figures are byte-identical to the last build's, the previous PDF is
reused without any pass (after checking its recorded sha256: a damaged PDF is rendered again).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from helpers.publish.latexmd import preconvert

REMOVE_CELL_TAGS = {"remove-cell", "remove_cell", "injected-parameters", "parameters"}
REMOVE_INPUT_TAGS = {"remove-input", "remove_input"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}
PRINTED_MIMES = ("image/png", "image/jpeg", "application/pdf", "text/markdown", "text/latex")
_MISSING = re.compile(r"^Missing character: .*$", re.M)
#: Files of a XeLaTeX run that the next run reads; kept between builds (``.render/notebook.*``).
TRACKED = (".aux", ".toc", ".out")
STATE_FILE = "latex.json"
_STEM = "notebook"


class LatexError(RuntimeError):
    """XeLaTeX failed or dropped glyphs."""


def missing_characters(log: str) -> list[str]:
    """The distinct "Missing character: ..." lines of a (Xe)LaTeX log."""
    return list(dict.fromkeys(m.group(0).strip() for m in _MISSING.finditer(log)))


def printable(nb: Any) -> Any:
    """Copy of ``nb`` keeping only the outputs the PDF prints (figures, Markdown, LaTeX)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if o.output_type in ("display_data", "execute_result") and any(m in o.data for m in PRINTED_MIMES)
            ]
    return nb


def _exporter_class() -> type:
    from nbconvert.exporters.pdf import LatexFailed, PDFExporter

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
            from nbconvert.exporters.latex import LatexExporter

            latex, resources = LatexExporter.from_notebook_node(self, nb, resources=resources, **kw)
            self.digest = _source_digest(latex, resources.get("outputs", {}))
            self.passes = 0
            before = _state(self.previous)
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
                tex_file = self.writer.write(latex, resources, notebook_name=_STEM)
                self.run_latex(tex_file)
                if not os.path.isfile(f"{_STEM}.pdf"):
                    raise LatexFailed("\n".join(self._captured_output))
                data = Path(f"{_STEM}.pdf").read_bytes()
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
                if (source / f"{_STEM}{ext}").is_file() and source != self.state_dir:
                    shutil.copyfile(source / f"{_STEM}{ext}", self.state_dir / f"{_STEM}{ext}")
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

    return MonitorPDFExporter


def _source_digest(latex: str, outputs: dict[str, bytes]) -> str:
    h = hashlib.sha256(latex.encode())
    for name in sorted(outputs):
        h.update(name.encode() + hashlib.sha256(outputs[name]).digest())
    return h.hexdigest()


def _state(folder: Path | None) -> dict[str, Any]:
    try:
        return json.loads((folder / STATE_FILE).read_text(encoding="utf-8")) if folder else {}
    except (OSError, ValueError):
        return {}


def render_pdf(
    nb: Any,
    out: Path,
    templates_dir: Path,
    keep_dir: Path | None = None,
    *,
    state_dir: Path | None = None,
    previous: Path | None = None,
) -> int:
    """Write the report PDF to ``out``; return the number of XeLaTeX passes (0: the previous PDF reused).

    On a LaTeX failure the generated ``.tex`` and ``.log`` are copied to ``keep_dir`` (if given).
    ``previous`` is the ``.render`` folder of the last build (its PDF next to it), ``state_dir`` this
    build's: the .aux/.toc/.out and the digest of the LaTeX source are kept there.
    """
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    cfg = Config()
    cfg.TemplateExporter.exclude_input = True
    cfg.TemplateExporter.exclude_input_prompt = True
    cfg.TemplateExporter.exclude_output_prompt = True
    exporter = _exporter_class()(
        config=cfg, template_name="monitor_latex", extra_template_basedirs=[str(templates_dir)]
    )
    exporter.latex_command = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-no-pdf", "{filename}"]
    exporter.raw_mimetypes = ["text/latex"]
    exporter.keep_dir, exporter.keep_name = keep_dir, out.stem
    exporter.state_dir, exporter.previous = state_dir, previous
    old_pdf = previous.parent / out.name if previous is not None else None
    exporter.reused = old_pdf.read_bytes() if old_pdf is not None and old_pdf.is_file() else None
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags=REMOVE_CELL_TAGS,
            remove_input_tags=REMOVE_INPUT_TAGS,
            remove_all_outputs_tags=REMOVE_OUTPUT_TAGS,
        ),
        enabled=True,
    )
    try:
        nb = printable(nb)
        preconvert(nb)
        data, _ = exporter.from_notebook_node(nb)
    except LatexError:
        raise
    except Exception as exc:  # LatexFailed carries the whole LaTeX output; pandoc errors land here too
        lines = str(exc).strip().splitlines()
        errors = [line for line in lines if line.startswith("!")]
        first = errors[0] if errors else (lines[-1] if lines else type(exc).__name__)
        where = f" (log: {keep_dir / (out.stem + '.log')})" if keep_dir and errors else ""
        raise LatexError(f"LaTeX: {first}{where}") from exc
    out.write_bytes(data)
    return exporter.passes
