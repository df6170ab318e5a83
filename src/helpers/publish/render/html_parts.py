"""Accessible pieces of the reviewer HTML, used as Jinja filters by ``templates/monitor_html``.

* ``code_label``: the name of a code toggle says what the code makes ("Code voor Figuur 3.2").
* ``monitor_tables``: every table gets ``<th scope="col">`` headers, ``<th scope="row">`` row
  labels, its caption as ``<caption>`` (above the table, as in the PDF) and a wrapper that scrolls
  sideways on a narrow screen instead of widening the page.
* ``figure_numbers``: the numbers of a chart as a table in a ``<details>`` under the figure (its
  text alternative; the ``alt`` text is a short description that does not repeat the caption).
* ``data_links``: the CSV/XLSX downloads of a figure or table (``report.downloads``).
* ``number_links``, ``sources_table`` (:class:`PageNumbers`): every number a ``%%tekst`` passage printed
  (its ``monitor_numbers`` metadata) links to its row in the page's "Bronnen van de getallen" table and
  describes itself on hover and keyboard focus (a tooltip that Escape dismisses, WCAG 1.4.13); so does a number
  cell of a chapter table that exactly one indicator row of the table's label explains (``PageNumbers.link_cells``).
* ``fold_quiet_cells``: a run of code cells that print nothing (parameters, set-up) becomes one
  toggle, so the first figure is a few tab stops from the top of the page.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from helpers.analysis.backtest import split_report_refs
from helpers.publish.registers.indicators import FILENAME as INDICATORS_FILE
from helpers.report import phrases
from helpers.report.claims import entry_anchor
from helpers.report.downloads import STAT_WORDS
from helpers.report.prose import ENTRIES_KEY, NUMBERS_KEY, whole_number_at
from helpers.report.registry import VIEW_KEY, VIEW_KEYS
from helpers.survey.formatting import fmt_number, fmt_pct, format_value
from helpers.survey.text_escape import html_text
from helpers.survey.vocabulary import BASE_STAT, INTERVAL_STATS

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
        f'<a href="{_esc(path)}" download>{ref} ({names.get(kind, kind)})</a>' for kind, path in files.items()
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


# --- number-level provenance --------------------------------------------------------------------------------
#: Where a number's row in the page's provenance table is: ``#bron-<id>``.
SOURCE_ANCHOR = "bron-"
#: The heading (and anchor) of the provenance table at the end of a chapter page.
SOURCES_TITLE = "Bronnen van de getallen"
SOURCES_ID = "bronnen"
_TOKEN = re.compile(r"(<[^>]*>)")
_THEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
_HEAD_CELL = re.compile(r"<th(?:\s[^>]*)?>(.*?)</th>", re.S)
_BODY_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t([hd])(?:\s[^>]*)?>(.*?)</t\1>", re.S)
#: The base a column header ends with ("Totaal (n=282)"): not part of the group's name.
_BASE_SUFFIX = re.compile(r"\s*\(n=[^)]*\)$")
#: The cell a table's registry metadata names for a number (row label and column, a row copy's extra field).
_CELL_KEY = "_cell"
#: The text of a table cell that is a number ("60%", "9,3", "< 0,001", "1.234").
_NUMBER_CELL = re.compile(r"^[<>]?\s*-?\d[\d.,]*\s*%?$")
#: What a number cell says on hover and focus when no single row of the page's sources explains it.
NO_SOURCE = (
    "Dit getal is niet aan één rij van ‘{title}’ te koppelen; de cijfers van {label} staan in het CSV-bestand "
    "onder de tabel."
)
#: Elements whose text is never linked: a link cannot hold a link; code and a heading are not prose.
_NO_LINKS = ("a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "button", "summary")


def _n_key(n: object) -> str:
    text = str(n).strip()
    return str(int(float(text))) if text not in ("", "nan", "None", "<NA>") else ""


def number_key(question: object, category: object, stat: object, value: object, n: object) -> tuple[str, ...]:
    """What identifies a number in ``indicators.csv`` and in a passage's ``monitor_numbers`` metadata."""
    return (str(question), str(category), str(stat), f"{float(str(value)):.9g}", _n_key(n))


class PageNumbers:
    """The numbers of one chapter page: its rows of ``indicators.csv`` and what they are.

    ``rows`` are the indicator rows (dicts of strings) of the page's chapter; ``texts`` the question
    texts by question id; ``files`` the data file (CSV) of each figure or table by its label
    ("Figuur 3.1"). ``wrap`` links the printed numbers of one output; ``table`` is the page's
    "Bronnen van de getallen".
    """

    def __init__(
        self,
        rows: Sequence[Mapping[str, str]],
        texts: Mapping[str, str] | None = None,
        files: Mapping[str, str] | None = None,
        percent: frozenset[str] = frozenset(),
        notebook: str = "",
    ):
        self.notebook = notebook
        self.anchors: set[str] = set()  #: register entry anchors written on this page
        self.rows = [dict(r) for r in rows]
        self.texts = dict(texts or {})
        self.files = dict(files or {})
        self.percent = percent
        self._by_key: dict[tuple[str, ...], dict[str, str]] = {}
        for r in self.rows:
            self._by_key.setdefault(number_key(r["question"], r["category"], r["stat"], r["value"], r["n"]), r)
        self.tips = 0  #: tooltips written so far on this page (their ids)

    def digest_parts(self) -> list[Any]:
        """What the page's rendering depends on besides its notebook (for the page key)."""
        return [self.rows, sorted(self.texts.items()), sorted(self.files.items())]

    def row(self, number: Mapping[str, Any]) -> dict[str, str] | None:
        """The indicator row of a printed number (metadata entry), None when ``indicators.csv`` lacks it."""
        try:
            key = number_key(number["question"], number["category"], number["stat"], number["value"], number["n"])
        except (KeyError, TypeError, ValueError):
            return None
        return self._by_key.get(key)

    def shown_value(self, row: Mapping[str, str]) -> str:
        """The number as the text prints it: an interval bound as a share, a base as a whole number."""
        value, stat = float(row["value"]), row["stat"]
        if stat in INTERVAL_STATS:
            return fmt_pct(value)
        if stat == BASE_STAT:
            return fmt_number(value, 0)
        return format_value(value, stat, percent=row["question"] in self.percent)

    def describe(self, row: Mapping[str, str], shown_in: str = "") -> str:
        """What a number is, in one Dutch sentence (plain text; escape it for the output); ``shown_in`` names
        the table it stands in when its row is recorded under another figure or table."""
        stat = STAT_WORDS.get(row["stat"], row["stat"])
        what = f"{stat[:1].upper()}{stat[1:]}" + (
            f" ‘{self.category_words(row['category'])}’" if row["category"] else ""
        )
        question = self.texts.get(row["question"], "")
        asked = f" bij de vraag ‘{question}’" if question else " bij een vraag zonder tekst"
        base = f"n={_n_key(row['n'])}, " if _n_key(row["n"]) and row["stat"] != BASE_STAT else ""
        published = split_report_refs(row.get("report_ref", ""))
        also = f" De publicatie toont de vraag in {phrases.join_list(published)}." if published else ""
        where = row["build_ref"]
        if shown_in and shown_in != where:
            where = f"{shown_in}; in indicators.csv bij {where}"
        return f"{what}{asked}: {self.shown_value(row)} ({base}monitor {row['year']}, {where}).{also}"

    def category_words(self, category: str) -> str:
        """A category as a reader says it: a share among a subgroup (``Ja | outflow_monitoring = Ja``, as the
        indicators record it) names the subgroup's question by its text."""
        label, sep, given = category.partition(" | ")
        qid, eq, answer = given.partition(" = ")
        year, colon, rest = category.partition(": ")
        if not sep and colon and year.isdigit():  # an earlier edition's value (``"2017: Ja"``)
            return f"{rest}, in {year}"
        if not (sep and eq):
            return category
        return f"{label}, onder wie bij ‘{self.texts.get(qid.strip(), 'een andere vraag')}’ ‘{answer}’ antwoordde"

    def link(self, shown_html: str, row: Mapping[str, str], shown_in: str = "") -> str:
        """``shown_html`` (already escaped) as a link to the number's row, described on hover and focus;
        ``shown_in`` is the table it stands in, when that is not the row's ``build_ref``."""
        self.tips += 1
        tip = f"getal-uitleg-{self.tips}"
        ident, words = html_text(row["id"]), html_text(self.describe(row, shown_in))
        return (
            f'<span class="num-wrap"><a class="num" href="#{SOURCE_ANCHOR}{ident}" aria-describedby="{tip}">'
            f'{shown_html}</a><span class="num-tip" role="tooltip" id="{tip}">{words} '
            f"Bron: <code>{ident}</code>.</span></span>"
        )

    def wrap(self, rendered: str, output: Mapping[str, Any]) -> str:
        """``rendered`` (an output's HTML) with each number of its ``monitor_numbers`` metadata linked, and
        each number cell of a captioned table that one indicator row explains (:meth:`link_cells`).

        Numbers are matched in the order of the text, as whole numbers in text outside links, code and
        headings; a number printed twice is linked at each place its metadata names. A number whose row
        is missing is left as text.
        """
        cap = (output.get("metadata") or {}).get("monitor")
        if cap and cap.get("kind") == "table":
            rendered = self.link_cells(rendered, _ref(cap), _view(output).get(VIEW_KEYS))
        numbers = (output.get("metadata") or {}).get(NUMBERS_KEY) or []
        rendered = self._link_numbers(rendered, numbers) if numbers else rendered
        entries = (output.get("metadata") or {}).get(ENTRIES_KEY) or []
        return self._link_entries(rendered, entries) if entries else rendered

    def _link_numbers(self, rendered: str, numbers: Sequence[Mapping[str, Any]]) -> str:
        parts = _TOKEN.split(rendered)
        usable = _text_parts(parts)
        at = (0, 0)  # (part index, offset): the next number is looked for from here, then from the start
        for number in numbers:
            row = self.row(number)
            if row is None or not row.get("id"):
                continue
            shown = html_text(str(number.get("text", "")))
            hit = _find(parts, usable, shown, at) or _find(parts, usable, shown, (0, 0))
            if hit is None:
                continue
            i, start = hit
            before, after = parts[i][:start], parts[i][start + len(shown) :]
            parts[i : i + 1] = [before, self.link(shown, row), after]
            usable = [u + 2 if u > i else u for u in usable if u != i] + [i, i + 2]
            usable.sort()
            at = (i + 2, 0)
        return "".join(parts)

    def link_cells(self, rendered: str, label: str, keys: Sequence[Sequence[Any]] | None = None) -> str:
        """The tables of ``rendered`` (a table output labelled ``label``, "Tabel 8.1") with each number cell linked
        when exactly one indicator row of the table has the cell's row and column and prints as the cell does.

        The table's rows are those its registry metadata names (``keys``: ``[question, category, stat, value, n]``,
        also numbers a figure showed first), else the rows recorded under ``label``.

        A row matches by its category or answer label, a question-level number by the question's text (the group of
        ``"<group>: <label>"`` is then the column, or the stat word when the group is no column); a trend row by its
        group (the label is the column).
        Any other number cell, and one that more rows fit, says on hover and focus that no row explains it
        (:meth:`unsourced`).
        """
        rows = self.table_rows(label, keys)
        if not rows:
            return rendered
        return _TABLE.sub(lambda m: self._link_table(m.group(0), rows, label), rendered)

    def table_rows(self, label: str, keys: Sequence[Sequence[Any]] | None) -> list[dict[str, str]]:
        """The indicator rows (with an id) of the table labelled ``label``: by its numbers' ``keys`` when given.

        A key that names its cell (``[..., row label, column]``) gives a copy of the row with that place
        (``_CELL_KEY``), which :func:`_cell_fits` then requires.
        """
        if keys is None:
            return [r for r in self.rows if r.get("build_ref") == label and r.get("id")]
        unique: dict[tuple[int, tuple[str, ...]], dict[str, str]] = {}
        for key in keys:
            row = self.row(dict(zip(("question", "category", "stat", "value", "n"), key[:5], strict=True)))
            if row is not None and row.get("id"):
                place = tuple(str(x) for x in key[5:7])
                unique[(id(row), place)] = {**row, _CELL_KEY: "\n".join(place)} if len(place) == 2 else row
        return list(unique.values())

    def unsourced(self, shown_html: str, label: str) -> str:
        """A number cell no single row explains: a link to the page's sources that says so on hover and focus."""
        self.tips += 1
        tip = f"getal-uitleg-{self.tips}"
        words = NO_SOURCE.format(title=SOURCES_TITLE, label=label)
        return (
            f'<span class="num-wrap"><a class="num num-none" href="#{SOURCES_ID}" aria-describedby="{tip}">'
            f'{shown_html}</a><span class="num-tip" role="tooltip" id="{tip}">{html_text(words)}</span></span>'
        )

    def _link_table(self, table_html: str, rows: Sequence[Mapping[str, str]], label: str) -> str:
        head = _THEAD.search(table_html)
        columns = [_cell_text(c) for c in _HEAD_CELL.findall(head.group(1))] if head else []
        keys = frozenset(_column_key(c) for c in columns)

        def one_row(m: re.Match[str]) -> str:
            body = m.group(1)
            cells = list(_CELL.finditer(body))
            if not cells or cells[0].group(1) != "h":
                return m.group(0)
            row_head, out, at = _cell_text(cells[0].group(2)), [], 0
            for k, cell in enumerate(cells[1:], start=1):
                inner = cell.group(2)
                if cell.group(1) != "d" or k >= len(columns) or "<" in inner or not inner.strip():
                    continue
                shown = _cell_text(inner)
                hits = [
                    r
                    for r in rows
                    if _cell_fits(r, row_head, columns[k], keys, self.texts.get(r["question"], ""))
                    and " ".join(self.shown_value(r).split()) == shown
                ]
                if len(hits) == 1 or _NUMBER_CELL.match(shown):
                    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
                    cell_html = inner.strip()
                    linked = (
                        self.link(cell_html, hits[0], label) if len(hits) == 1 else self.unsourced(cell_html, label)
                    )
                    out += [body[at : cell.start(2)], lead, linked, trail]
                    at = cell.end(2)
            return "<tr>" + "".join(out) + body[at:] + "</tr>"

        return _TBODY.sub(lambda b: "<tbody>" + _BODY_ROW.sub(one_row, b.group(1)) + "</tbody>", table_html)

    def _link_entries(self, rendered: str, entries: Sequence[Mapping[str, Any]]) -> str:
        """Register entries of a passage: an anchor for the way back from the claims page, a computed comparison
        word linked to its entry, and one line under the passage linking its claims and remarks."""
        from helpers.publish.registers.claims_register import PAGE, row_anchor

        anchors: list[str] = []
        refs: list[str] = []
        parts = _TOKEN.split(rendered)
        for entry in entries:
            number, kind, text = entry.get("entry"), str(entry.get("kind", "")), str(entry.get("text", ""))
            if not isinstance(number, int):
                continue
            href = f"{PAGE}#{row_anchor(self.notebook, number)}"
            if entry_anchor(number) not in self.anchors:
                self.anchors.add(entry_anchor(number))
                anchors.append(f'<span id="{entry_anchor(number)}"></span>')
            hit = _find_text(parts, html_text(text)) if kind == "vergelijking" else None
            if hit is not None:
                i, start = hit
                shown = parts[i][start : start + len(html_text(text))]
                link = f'<a class="claim" href="{html_text(href)}" title="Berekende vergelijking: zie de beweringen">'
                parts[i : i + 1] = [parts[i][:start], f"{link}{shown}</a>", parts[i][start + len(shown) :]]
            else:
                word = {"bewering": "bewering", "vergelijking": "vergelijking"}.get(kind, kind or "bewering")
                refs.append(f'<a href="{html_text(href)}">{html_text(word)} {len(refs) + 1}</a>')
        line = f'<p class="claim-refs">Gecontroleerd in de beweringen: {", ".join(refs)}</p>' if refs else ""
        return "".join(anchors) + "".join(parts) + line

    def table(self) -> str:
        """The page's "Bronnen van de getallen": every number of its chapter, by id ('' when it has none)."""
        rows = [r for r in self.rows if r.get("id")]
        if not rows:
            return ""
        body = "".join(self._table_row(r) for r in rows)
        head = "".join(
            f'<th scope="col">{c}</th>' for c in ("Id", "Wat", "Waarde", "Basis (n)", "Editie", "Waar en data")
        )
        return (
            f'<section class="monitor-sources" aria-labelledby="{SOURCES_ID}">\n'
            f'<h2 id="{SOURCES_ID}">{SOURCES_TITLE}</h2>\n'
            "<p>Elk getal in de tekst linkt naar zijn rij hier; dezelfde id staat in de kolom <code>id</code> van "
            f'<a href="{INDICATORS_FILE}">{INDICATORS_FILE}</a>. De laatste kolom linkt naar de cijfers van '
            "de figuur of tabel waarin het getal staat.</p>\n"
            f'<div class="monitor-scroll"><table><caption>{SOURCES_TITLE} ({len(rows)})</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table></div>\n</section>"
        )

    def _table_row(self, r: Mapping[str, str]) -> str:
        esc = html_text
        text = self.texts.get(r["question"])
        what = esc(text) if text else f"<code>{esc(r['question'])}</code>"
        category = f"<br>{esc(self.category_words(r['category']))}" if r["category"] else ""
        where = esc(r["build_ref"])
        csv_file = self.files.get(r["build_ref"])
        if csv_file:
            where = f'<a href="{esc(csv_file)}" download>{where} (CSV)</a>'
        return (
            f'<tr id="{SOURCE_ANCHOR}{esc(r["id"])}"><th scope="row"><code>{esc(r["id"])}</code></th>'
            f"<td>{what}{category}<br><small>{esc(STAT_WORDS.get(r['stat'], r['stat']))}</small></td>"
            f"<td>{esc(self.shown_value(r))}</td><td>{esc(_n_key(r['n']))}</td><td>{esc(r['year'])}</td>"
            f"<td>{where}</td></tr>\n"
        )


def _cell_text(inner: str) -> str:
    """The text of a cell's HTML: tags dropped, entities read, every run of (non-breaking) space one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", inner)).split())


def _column_key(column: str) -> str:
    """A column header as a group or stat word: "Totaal (n=282)" → "totaal"."""
    return _BASE_SUFFIX.sub("", column).casefold()


def _category_parts(category: str) -> tuple[str, str]:
    """``(group, label)`` of an indicator category: "Totaal: Ja" → ("Totaal", "Ja"), "Ja" → ("", "Ja")."""
    group, sep, label = category.partition(": ")
    return (group, label) if sep and " | " not in category else ("", category)


def _cell_fits(
    row: Mapping[str, str], row_head: str, column: str, columns: frozenset[str], question_text: str = ""
) -> bool:
    """Does an indicator row sit in the cell of ``row_head`` and ``column`` (a table with column keys ``columns``)?

    The row header is the category or its label (a question-level number's: the question's text); the column is
    then the group when the table has a column for it (or the stat and the group: "Percentage respondenten"), else
    the stat ("Percentage", "p"). A trend's row header is
    the group ("2017"), its column the label.
    """
    key = _column_key(column)
    if row.get(_CELL_KEY):  # the table named the number's cell
        row_label, _, column_name = row[_CELL_KEY].partition("\n")
        return row_head == row_label and key == _column_key(column_name)
    group, label = _category_parts(row["category"])
    names = (row["category"], label) if row["category"] else (question_text,)
    stat_words = (row["stat"].casefold(), STAT_WORDS.get(row["stat"], row["stat"]).casefold())
    if row_head and row_head in names:
        if group and group.casefold() in columns:  # the group's column, or one naming the stat and the group
            return key == group.casefold() or key in (f"{word} {group.casefold()}" for word in stat_words)
        return key in stat_words
    return bool(group) and row_head == group and key == label.casefold()


def _text_parts(parts: Sequence[str]) -> list[int]:
    """Indexes of the text parts of a split HTML fragment that lie outside ``_NO_LINKS`` elements."""
    usable: list[int] = []
    closed_by: list[str] = []
    for i, part in enumerate(parts):
        if part.startswith("<"):
            m = re.match(r"<(/?)([a-zA-Z0-9]+)", part)
            if m and m.group(2).lower() in _NO_LINKS and not part.endswith("/>"):
                if m.group(1):
                    if m.group(2).lower() in closed_by:
                        closed_by.remove(m.group(2).lower())
                else:
                    closed_by.append(m.group(2).lower())
        elif part and not closed_by:
            usable.append(i)
    return usable


def _find(parts: Sequence[str], usable: Sequence[int], shown: str, at: tuple[int, int]) -> tuple[int, int] | None:
    """The first whole-number place of ``shown`` in a usable text part at or after ``at``."""
    for i in usable:
        if i < at[0]:
            continue
        start = whole_number_at(parts[i], shown, at[1] if i == at[0] else 0)
        if start >= 0:
            return i, start
    return None


def _find_text(parts: list[str], shown: str) -> tuple[int, int] | None:
    """The first place of ``shown`` (escaped text) inside one usable text part of a split fragment."""
    if not shown:
        return None
    for i in _text_parts(parts):
        start = parts[i].find(shown)
        if start >= 0:
            return i, start
    return None


def number_links(rendered: str, output: Mapping[str, Any], numbers: object) -> str:
    """Filter: link the printed numbers of ``output`` (``PageNumbers.wrap``); unchanged without page numbers."""
    return numbers.wrap(rendered, output) if isinstance(numbers, PageNumbers) else rendered


def sources_table(numbers: object) -> str:
    """Filter: the page's provenance table ('' without page numbers)."""
    return numbers.table() if isinstance(numbers, PageNumbers) else ""


FILTERS: dict[str, Callable[..., str]] = {
    "code_label": code_label,
    "code_summary": code_summary,
    "monitor_tables": monitor_tables,
    "figure_numbers": figure_numbers,
    "figure_alt": figure_alt,
    "data_links": data_links,
    "caption_html": caption_html,
    "number_links": number_links,
    "sources_table": sources_table,
}
