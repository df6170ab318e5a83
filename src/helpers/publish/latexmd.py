"""Markdown → LaTeX for the PDF in two pandoc runs instead of one or two per cell.

nbconvert's LaTeX template calls pandoc for every Markdown cell and output (two processes per cell);
for a report with a hundred cells that costs seconds. Here all Markdown cells go through pandoc as
one document (and all Markdown outputs as another), separated by raw-LaTeX marker lines, and the
result is split back into ``cell.metadata["monitor_latex"]`` / ``output.metadata["monitor_latex"]``
for the template. Same filters as nbconvert (``citation2latex``, ``strip_files_prefix``,
``resolve_references``; Markdown cells with ``--top-level-division=chapter``). If the split does not
come out right (e.g. an unclosed code fence), every piece is converted on its own.
"""

from __future__ import annotations

import re
from typing import Any

MD_FORMAT = "markdown+tex_math_double_backslash"
_MARK = "%MONITOR-SPLIT-{}"
_SPLIT = re.compile(r"^%MONITOR-SPLIT-(\d+)[ \t]*$", re.M)


def table_markdown(md: str, caption: dict[str, Any] | None) -> str:
    """A Markdown table output with its caption appended as a pandoc table caption (with label)."""
    if caption and caption.get("kind") == "table":
        return f"{md}\n\nTable: {caption['text_md']} \\label{{{caption['label']}}}\n"
    return md


def _convert(source: str, cells: bool) -> str:
    from nbconvert.filters.filter_links import resolve_references
    from nbconvert.utils.pandoc import pandoc

    if not cells:  # outputs: prose of %%tekst cells may carry headings, at the same levels as Markdown cells
        return pandoc(source, MD_FORMAT, "latex", ["--top-level-division=chapter"])
    return pandoc(
        resolve_references(pandoc(source, MD_FORMAT, "json")), "json", "latex", ["--top-level-division=chapter"]
    )


def convert_many(sources: list[str], cells: bool) -> list[str]:
    """Convert Markdown snippets to LaTeX with one pandoc pipeline (fallback: one by one)."""
    if not sources:
        return []
    doc = "".join(f"\n\n```{{=latex}}\n{_MARK.format(i)}\n```\n\n{src}" for i, src in enumerate(sources))
    parts = _SPLIT.split(_convert(doc, cells))
    if [int(x) for x in parts[1::2]] == list(range(len(sources))):
        return [p.strip("\n") for p in parts[2::2]]
    return [_convert(src, cells).strip("\n") for src in sources]


def preconvert(nb: Any) -> None:
    """Attach the LaTeX of every Markdown cell and Markdown output of ``nb`` (in place)."""
    from nbconvert.filters import citation2latex, strip_files_prefix

    cells = [c for c in nb.cells if c.cell_type == "markdown"]
    outputs = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    ]
    cell_src = [strip_files_prefix(citation2latex(c.source)) for c in cells]
    out_src = [
        strip_files_prefix(citation2latex(table_markdown(o.data["text/markdown"], o.metadata.get("monitor"))))
        for o in outputs
    ]
    for cell, tex in zip(cells, convert_many(cell_src, cells=True), strict=True):
        cell.metadata["monitor_latex"] = tex
    for out, tex in zip(outputs, convert_many(out_src, cells=False), strict=True):
        out.metadata["monitor_latex"] = tex
