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

import math
import re
from typing import Any

MD_FORMAT = "markdown+tex_math_double_backslash"
_MARK = "%MONITOR-SPLIT-{}"
_SPLIT = re.compile(r"^%MONITOR-SPLIT-(\d+)[ \t]*$", re.M)


#: Characters of \\small DejaVu Sans on the text width (16 cm): what a table may hold side by side.
LINE_CHARS = 80
#: The label column (the first) is at least this many characters wide, or as wide as its longest cell.
LABEL_MIN_CHARS = 28
#: Characters added to a column's longest word: a word wider than its column would be hyphenated.
WORD_MARGIN = 3
#: A table whose rows take at most this many lines is never split over two pages.
KEEP_LINES = 30
#: Rows kept with the head and with the end of a longer table (no page with a header and no rows).
EDGE_ROWS = 2
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
    widths = [w + WORD_MARGIN for w in word]
    widths[0] = max(widths[0], min(longest[0] + WORD_MARGIN, LABEL_MIN_CHARS))  # a fixed, readable label column
    spare = max(0, LINE_CHARS - sum(widths))
    extra = [max(0, m - w) for m, w in zip(longest, widths, strict=True)]
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


_LONGTABLE = re.compile(r"(\\begin\{longtable\}.*?\\endhead\n)(.*?)(\\end\{longtable\})", re.S)
_ROW_END = re.compile(r"(?<!\\)\\\\[ \t]*$", re.M)
_SHARE = re.compile(r"\\real\{([0-9.]+)\}")
_TEX_CMD = re.compile(r"\\[A-Za-z]+\*?|[{}]")


def _row_lines(row: str, shares: list[float]) -> int:
    """Lines one table row takes: its longest cell over its column's width (one line without widths)."""
    if not shares:
        return 1
    cells = re.split(r"(?<!\\)&", row)
    lines = 1
    for cell, share in zip(cells, shares, strict=False):
        chars = max(1.0, share * LINE_CHARS - 2)
        lines = max(lines, math.ceil(len(_TEX_CMD.sub("", cell).strip()) / chars))
    return lines


def keep_rows(match: re.Match[str]) -> str:
    """One pandoc longtable with the page breaks that keep it readable.

    A table of at most ``KEEP_LINES`` lines is never split (every row ends in ``\\\\*``); a longer
    one keeps its first and last ``EDGE_ROWS`` rows together, so no page shows a repeated header
    with no row under it, or only the closing rule.
    """
    head, body, end = match.group(1), match.group(2), match.group(3)
    ends = list(_ROW_END.finditer(body))
    if not ends:
        return match.group(0)
    starts = [0, *(m.end() for m in ends[:-1])]
    shares = [float(x) for x in _SHARE.findall(head.split("\\caption", 1)[0])]
    lines = sum(_row_lines(body[a : m.start()], shares) for a, m in zip(starts, ends, strict=True))
    keep = (
        set(range(len(ends)))
        if lines <= KEEP_LINES
        else {*range(EDGE_ROWS), *range(len(ends) - EDGE_ROWS - 1, len(ends))}
    )
    out, last = [], 0
    for k, m in enumerate(ends):
        out.append(body[last : m.start()] + ("\\\\*" if k in keep else "\\\\"))
        last = m.end()
    out.append(body[last:])
    return head + "".join(out) + end


def keep_tables(tex: str) -> str:
    """``keep_rows`` on every longtable of a LaTeX text."""
    return _LONGTABLE.sub(keep_rows, tex)


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
        cell.metadata["monitor_latex"] = keep_tables(tex)
    for out, tex in zip(outputs, convert_many(out_src, cells=False), strict=True):
        out.metadata["monitor_latex"] = keep_tables(tex)
