"""Figure and table captions: read them from output or cell metadata and number them per chapter.

Contract (CONVENTIONS §9): a captioned output carries ``{"caption": "Figuur 3.1 Tekst", "label":
"fig:3-1"}`` in its *output* metadata (``display(obj, metadata={...})``), or its cell has ``caption``
(and optionally ``label``) in the *cell* metadata when the cell has exactly one figure or table
output. A caption that starts with ``Figuur <n>``/``Tabel <n>`` keeps that number; other captions get
the next free number of their chapter (``<chapter>.<k>``). The result is stored as
``output.metadata["monitor"] = {"kind", "number", "text", "text_md", "label", "prefix"}``, which
both templates read (``text_md`` is the text with Markdown specials escaped, for pandoc).
"""

from __future__ import annotations

import re
from typing import Any

from helpers.survey.text_escape import markdown_text

FIGURE, TABLE = "figure", "table"
PREFIX = {FIGURE: "Figuur", TABLE: "Tabel"}
_FIGURE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "application/pdf")
_TABLE_MIMES = ("text/markdown", "text/latex", "text/html")
_NUMBERED = re.compile(r"^\s*(Figuur|Tabel)\s+([0-9A-Z]+(?:\.[0-9]+)*)[.:]?\s+(.*)$", re.S)


def output_kind(output: Any) -> str | None:
    """``figure`` for image outputs, ``table`` for markdown/LaTeX/HTML outputs, else None."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return None
    data = output.get("data", {})
    if any(m in data for m in _FIGURE_MIMES):
        return FIGURE
    if any(m in data for m in _TABLE_MIMES):
        return TABLE
    return None


def _label(label: str | None, kind: str, number: str) -> str:
    raw = label or f"{'fig' if kind == FIGURE else 'tab'}:{number.replace('.', '-')}"
    return re.sub(r"[^A-Za-z0-9:._-]", "-", raw)


def _captioned(nb: Any) -> list[tuple[Any, str, str, str | None]]:
    """(output, kind, caption, label) for every output that has a caption."""
    found = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        visual = [o for o in cell.get("outputs", []) if output_kind(o)]
        for out in visual:
            meta = out.get("metadata", {})
            caption, label = meta.get("caption"), meta.get("label")
            if caption is None and len(visual) == 1:
                caption, label = cell.metadata.get("caption"), cell.metadata.get("label")
            kind = output_kind(out)
            if caption and kind:
                found.append((out, kind, str(caption), label))
    return found


def number_captions(nb: Any, chapter: str) -> int:
    """Attach ``metadata["monitor"]`` to every captioned output of ``nb``; return how many."""
    items = []
    used: dict[str, set[str]] = {FIGURE: set(), TABLE: set()}
    for out, kind, caption, label in _captioned(nb):
        m = _NUMBERED.match(caption)
        if m:
            kind = FIGURE if m.group(1) == "Figuur" else TABLE
            used[kind].add(m.group(2))
            items.append((out, kind, m.group(2), m.group(3).strip(), label))
        else:
            items.append((out, kind, None, caption.strip(), label))
    counters = {FIGURE: 0, TABLE: 0}
    for out, kind, number, text, label in items:
        if number is None:
            while True:
                counters[kind] += 1
                number = f"{chapter}.{counters[kind]}"
                if number not in used[kind]:
                    break
            used[kind].add(number)
        out.setdefault("metadata", {})["monitor"] = {
            "kind": kind,
            "number": number,
            "text": text,
            "text_md": markdown_text(text),
            "label": _label(label, kind, number),
            "prefix": PREFIX[kind],
        }
    return len(items)
