"""Accessible pieces of the reviewer HTML, used as Jinja filters by ``templates/monitor_html``.

* ``code_label``: the name of a code toggle says what the code makes ("Code voor Figuur 3.2").
* ``monitor_tables``: every table gets ``<th scope="col">`` headers, ``<th scope="row">`` row
  labels, its caption as ``<caption>`` (above the table, as in the PDF) and a wrapper that scrolls
  sideways on a narrow screen instead of widening the page.
* ``figure_numbers``: the numbers of a chart as a table in a ``<details>`` under the figure (its
  text alternative; the ``alt`` text is a short description that does not repeat the caption).
* ``data_links``: the CSV/XLSX downloads of a figure or table (``report.downloads``).
* ``fold_quiet_cells``: a run of code cells that print nothing (parameters, set-up) becomes one
  toggle, so the first figure is a few tab stops from the top of the page.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from helpers.report.registry import VIEW_KEY

#: Where the data files are, seen from ``html/<page>.html``.
DATA_PREFIX = "../"
_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_TH = re.compile(r"<th(\s[^>]*)?>")
_ROW = re.compile(r"<tr>(\s*)<td(\s[^>]*)?>(.*?)</td>", re.S)
_TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
_esc = html.escape


def _view(output: Mapping[str, Any]) -> Mapping[str, Any]:
    return output.get("metadata", {}).get(VIEW_KEY) or {}


def _ref(cap: Mapping[str, Any]) -> str:
    return f"{cap['prefix']} {cap['number']}"


def code_label(cell: Mapping[str, Any]) -> str:
    """What a code toggle opens: "Code voor Figuur 3.2", "Code van de tekst", "Code: parameters", …"""
    refs = [_ref(m) for o in cell.get("outputs", []) if (m := o.get("metadata", {}).get("monitor"))]
    tags = cell.get("metadata", {}).get("tags", [])
    if "injected-parameters" in tags:
        return "Code: parameters van deze build"
    if "parameters" in tags:
        return "Code: standaardparameters"
    if refs:
        return "Code voor " + (refs[0] if len(refs) == 1 else ", ".join(refs[:-1]) + " en " + refs[-1])
    source = cell.get("source", "")
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if first.startswith("%%tekst"):
        return "Code van de tekst" + _opening(cell)
    return f"Code: {first if len(first) <= 60 else first[:59] + '…'}" if first else "Code"


def code_summary(cell: Mapping[str, Any]) -> str:
    """``code_label`` as HTML: a line of code quoted in it is marked ``<code>`` (it is code, not text)."""
    label = code_label(cell)
    if label.startswith("Code: ") and not label.startswith(("Code: parameters", "Code: standaard")):
        return f"Code: <code>{_esc(label[6:])}</code>"
    return _esc(label)


def _opening(cell: Mapping[str, Any]) -> str:
    """ " ‘60% van de gemeenten …’": the first words of the text a cell printed ('' if none)."""
    for out in cell.get("outputs", []):
        text = out.get("data", {}).get("text/markdown")
        if text:
            words = re.sub(r"[#*_`>|\\\[\]]", "", "".join(text)).split()
            if words:
                return " ‘" + " ".join(words[:6]) + (" …’" if len(words) > 6 else "’")
    return ""


def _row_headers(body: str) -> str:
    return _ROW.sub(lambda m: f'<tr>{m.group(1)}<th scope="row"{m.group(2) or ""}>{m.group(3)}</th>', body)


def accessible_table(table_html: str, caption: str | None = None) -> str:
    """A ``<table>…</table>`` with scoped headers, row headers and an optional ``<caption>``, in a scroller."""
    m = _TABLE.search(table_html)
    if not m:
        return table_html
    inner = _TH.sub(lambda t: f'<th scope="col"{t.group(1) or ""}>', m.group(1))
    inner = _TBODY.sub(lambda b: f"<tbody>{_row_headers(b.group(1))}</tbody>", inner)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f'<div class="monitor-scroll"><table>{cap}{inner}</table></div>'


def caption_html(cap: Mapping[str, Any]) -> str:
    """``<span class="monitor-ref">Tabel 3.1</span> Tekst`` (escaped)."""
    return f'<span class="monitor-ref">{_esc(_ref(cap))}</span> {_esc(cap["text"])}'


def monitor_tables(rendered: str, cap: Mapping[str, Any] | None = None) -> str:
    """Make every table of a rendered Markdown/HTML output accessible; the first gets the caption.

    A captioned output without a table keeps its caption as a paragraph above it.
    """
    first = True

    def one(m: re.Match[str]) -> str:
        nonlocal first
        caption = caption_html(cap) if cap and cap.get("kind") == "table" and first else None
        first = False
        return accessible_table(m.group(0), caption)

    out = _TABLE.sub(one, rendered)
    if cap and first:
        out = f'<p class="monitor-caption" id="{_esc(cap["label"])}">{caption_html(cap)}</p>\n{out}'
    return out


def numbers_table(columns: Sequence[str], rows: Sequence[Sequence[str]], caption: str) -> str:
    """An accessible table from display strings: first column = row headers."""
    head = "".join(f'<th scope="col">{_esc(str(c))}</th>' for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{_esc(str(v))}</th>' if i == 0 else f"<td>{_esc(str(v))}</td>" for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="monitor-scroll"><table><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def figure_numbers(output: Mapping[str, Any]) -> str:
    """``<details>`` with the chart's numbers as a table ('' when the registry gave none)."""
    cap, view = output.get("metadata", {}).get("monitor"), _view(output)
    numbers = view.get("numbers")
    if not cap or not numbers:
        return ""
    ref = _esc(_ref(cap))
    table = numbers_table(numbers["columns"], numbers["rows"], f"Cijfers bij {ref}")
    return f'<details class="monitor-numbers"><summary>Cijfers bij {ref}</summary>\n{table}\n</details>'


def figure_alt(output: Mapping[str, Any]) -> str:
    """The ``alt`` text of a chart: the registry's short description (never the caption again)."""
    return _view(output).get("description") or "Grafiek; de beschrijving staat in het bijschrift."


def data_links(output: Mapping[str, Any]) -> str:
    """Download links of the figure's or table's data files ('' when it has none)."""
    cap, files = output.get("metadata", {}).get("monitor"), _view(output).get("files") or {}
    if not cap or not files:
        return ""
    ref = _esc(_ref(cap))
    names = {"csv": "CSV", "xlsx": "Excel"}
    links = " · ".join(
        f'<a href="{_esc(DATA_PREFIX + path)}" download>{ref} ({names.get(kind, kind)})</a>'
        for kind, path in files.items()
    )
    return f'<p class="monitor-data">Download de cijfers: {links}</p>'


#: Fewest consecutive code cells without output that fold into one toggle.
FOLD_MIN_CELLS = 2


def _quiet(cell: Mapping[str, Any]) -> bool:
    return cell.get("cell_type") == "code" and not cell.get("outputs")


def fold_label(count: int, at_start: bool) -> str:
    """The name of the toggle around ``count`` code cells that print nothing."""
    what = "Voorbereidende code" if at_start else "Code zonder uitvoer"
    return f"{what} ({count} cellen)"


def fold_quiet_cells(cells: Sequence[Any]) -> list[Any]:
    """``cells`` with ``metadata.monitor_fold`` on each run of ``FOLD_MIN_CELLS`` or more quiet code cells.

    The template opens one ``<details>`` before the first cell of a run and closes it after the last;
    the cells keep their own toggles inside it. Marked cells are copies; the others are returned as given.
    """
    out = list(cells)
    shown = False  # has a code cell printed anything before this run?
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and _quiet(out[j]):
            j += 1
        if j - i >= FOLD_MIN_CELLS:
            label = fold_label(j - i, at_start=not shown)
            for k in range(i, j):
                cell = copy.deepcopy(out[k])
                cell["metadata"]["monitor_fold"] = {"first": k == i, "last": k == j - 1, "label": label}
                out[k] = cell
        if j == i:
            shown = shown or bool(out[i].get("outputs"))
        i = max(j, i + 1)
    return out


FILTERS = {
    "code_label": code_label,
    "code_summary": code_summary,
    "monitor_tables": monitor_tables,
    "figure_numbers": figure_numbers,
    "figure_alt": figure_alt,
    "data_links": data_links,
    "caption_html": caption_html,
}
