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

import copy
import threading
from pathlib import Path
from typing import Any

from helpers.publish.render.latex_state import (  # noqa: F401 - LatexError, missing_characters: this module's API
    LatexError,
    missing_characters,
)
from helpers.publish.render.latexmd import preconvert
from helpers.survey.text_escape import latex_text

REMOVE_CELL_TAGS = {"remove-cell", "remove_cell", "injected-parameters", "parameters"}
REMOVE_INPUT_TAGS = {"remove-input", "remove_input"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}
PRINTED_MIMES = ("image/png", "image/jpeg", "application/pdf", "text/markdown", "text/latex")


def printable(nb: Any) -> Any:
    """Copy of ``nb`` keeping only the outputs the PDF prints (figures, Markdown, LaTeX), each note once.

    A view's note (question, base, footnotes: an uncaptioned Markdown output) that repeats the note
    of an earlier view of the same cell (a chart and its table) is printed only under the first.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _once(
                [
                    o
                    for o in cell.outputs
                    if o.output_type in ("display_data", "execute_result") and any(m in o.data for m in PRINTED_MIMES)
                ]
            )
    return nb


def _once(outputs: list[Any]) -> list[Any]:
    """``outputs`` without an uncaptioned Markdown note that follows a view and repeats an earlier note."""
    seen: set[str] = set()
    kept = []
    for k, out in enumerate(outputs):
        md = out.get("data", {}).get("text/markdown")
        after_view = k > 0 and bool(outputs[k - 1].get("metadata", {}).get("monitor"))
        if isinstance(md, str) and after_view and not out.get("metadata", {}).get("monitor"):
            if md.strip() in seen:
                continue
            seen.add(md.strip())
        kept.append(out)
    return kept


def render_pdf(
    nb: Any,
    out: Path,
    templates_dir: Path,
    keep_dir: Path | None = None,
    *,
    state_dir: Path | None = None,
    previous: Path | None = None,
    source_ready: threading.Event | None = None,
) -> int:
    """Write the report PDF to ``out``; return the number of XeLaTeX passes (0: the previous PDF reused).

    On a LaTeX failure the generated ``.tex`` and ``.log`` are copied to ``keep_dir`` (if given).
    ``previous`` is the ``.render`` folder of the last build (its PDF next to it), ``state_dir`` this
    build's: the .aux/.toc/.out and the digest of the LaTeX source are kept there. ``source_ready`` is set once
    the LaTeX source is written and only XeLaTeX runs (a subprocess), or when this function ends.
    """
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    from helpers.publish.render.pdf_exporter import MonitorPDFExporter

    cfg = Config()
    cfg.TemplateExporter.exclude_input = True
    cfg.TemplateExporter.exclude_input_prompt = True
    cfg.TemplateExporter.exclude_output_prompt = True
    exporter = MonitorPDFExporter(
        config=cfg, template_name="monitor_latex", extra_template_basedirs=[str(templates_dir)]
    )
    exporter.latex_command = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-no-pdf", "{filename}"]
    exporter.raw_mimetypes = ["text/latex"]
    exporter.register_filter("escape_latex", latex_text)  # one LaTeX escaper for all text from data
    exporter.keep_dir, exporter.keep_name = keep_dir, out.stem
    exporter.state_dir, exporter.previous, exporter.source_ready = state_dir, previous, source_ready
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
        exporter.start_ahead(nb.metadata)  # XeLaTeX reads the preamble while pandoc and the template run
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
    finally:
        exporter.close_ahead()
        if source_ready is not None:
            source_ready.set()
    out.write_bytes(data)
    return exporter.passes
