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


#: Characters of \\small DejaVu Serif on the text width (16 cm): what a table may hold side by side.
LINE_CHARS = 80
#: pandoc sizes columns by the dashes only when a line of the table is longer than this (``--columns``).
PANDOC_COLUMNS = 72
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in _CELL_SPLIT.split(line.strip()[1:-1])]


def fit_table(lines: list[str]) -> list[str]:
    """Widths of one pipe table (header, rule, rows) that keep it within the margins.

    pandoc sets a table at its natural width when no line is longer than ``PANDOC_COLUMNS``, else
    in proportion to the dashes of the rule. Unless the natural width fits, every column gets at
    least its longest word (it cannot wrap inside a word) and the rest of the line goes to the
    columns with the most text; the rule becomes long enough that pandoc sizes columns by it.
    """
    rows = [_cells(line) for i, line in enumerate(lines) if i != 1]
    rule = _cells(lines[1])
    n = len(rule)
    if any(len(r) != n for r in rows) or not rows:
        return lines
    longest = [max(len(r[i]) for r in rows) for i in range(n)]
    word = [max((len(w) for r in rows for w in r[i].split(" ")), default=1) for i in range(n)]  # NBSP binds
    natural = all(len(line.rstrip()) <= PANDOC_COLUMNS for line in lines)
    if natural and sum(m + 3 for m in longest) <= LINE_CHARS:
        return lines  # pandoc sets it at its natural width, and that fits
    widths = [w + 2 for w in word]
    spare = max(0, LINE_CHARS - sum(widths))
    extra = [max(0, m - w) for m, w in zip(longest, word, strict=True)]
    total = sum(extra) or 1
    widths = [w + spare * e // total for w, e in zip(widths, extra, strict=True)]
    widths = [max(w, 3) for w in widths]
    if sum(widths) + n + 1 <= PANDOC_COLUMNS:
        widths[0] += PANDOC_COLUMNS - sum(widths) - n
    new_rule = []
    for cell, w in zip(rule, widths, strict=True):
        left, right = cell.startswith(":"), cell.endswith(":")
        new_rule.append((":" if left else "-") + "-" * (w - 2) + (":" if right else "-"))
    return [lines[0], "|" + "|".join(new_rule) + "|", *lines[2:]]


def fit_tables(md: str) -> str:
    """``fit_table`` on every pipe table of a Markdown text."""
    out: list[str] = []
    block: list[str] = []
    for line in [*md.split("\n"), ""]:
        if line.strip().startswith("|") and line.strip().endswith("|") and len(line.strip()) > 1:
            block.append(line)
            continue
        if block:
            ok = len(block) >= 2 and set(block[1].replace("|", "").strip()) <= set(":-")
            out.extend(fit_table(block) if ok else block)
            block = []
        out.append(line)
    return "\n".join(out[:-1])


def table_markdown(md: str, caption: dict[str, Any] | None) -> str:
    """A Markdown table output (fitted to the margins) with its caption as a pandoc table caption (with label)."""
    md = fit_tables(md)
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
    cell_src = [strip_files_prefix(citation2latex(fit_tables(c.source))) for c in cells]
    out_src = [
        strip_files_prefix(citation2latex(table_markdown(o.data["text/markdown"], o.metadata.get("monitor"))))
        for o in outputs
    ]
    for cell, tex in zip(cells, convert_many(cell_src, cells=True), strict=True):
        cell.metadata["monitor_latex"] = tex
    for out, tex in zip(outputs, convert_many(out_src, cells=False), strict=True):
        out.metadata["monitor_latex"] = tex
