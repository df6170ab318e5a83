"""Reviewer HTML: one self-contained page per notebook plus ``index.html`` with the navigation list.

Pages show every cell as executed; code (including the parameters) is folded in ``<details>`` named
by what it makes, a run of code cells that print nothing in one toggle, with a "Toon alle code" /
"Verberg alle code" switch; a skip link comes first and the navigation sits outside ``<main>``;
nothing scrolls sideways at 320 px except a wide table in its own box (WCAG 1.4.10). They aim at
WCAG 2.1 AA (``html_parts`` and the ``monitor_html`` template: figures with a text alternative and
their numbers as a table, tables with ``<caption>`` and scoped headers, data downloads, code colours
at 4.5:1, no tab stops on anything that is not interactive). No external scripts are loaded and the
executed notebooks carry no timestamps, so two builds of the same inputs give identical bytes.

A page is rendered again only when what it shows changed: its key hashes the numbered notebook,
the navigation, the report metadata, the templates and this code; keys are kept in
``<report>/.render/html-pages.json`` (with the page's sha256) and unchanged, intact pages are copied
from the previous report.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from helpers.publish.base.page_shell import banner, page
from helpers.publish.base.plan import PREP, Notebook
from helpers.publish.base.repro import ReportMeta
from helpers.publish.registers.indicators import FILENAME as INDICATORS_FILE
from helpers.survey.text_escape import html_text, markdown_plain, spreadsheet_cell
from helpers.survey.vocabulary import EXECUTED_DIR

STATE_DIR = ".render"
PAGE_KEYS = "html-pages.json"
INDEX = "index.html"


def page_name(notebook: Notebook) -> str:
    return f"{notebook.name}.html"


def _label(notebook: Notebook) -> str:
    return f"Bijlage {notebook.chapter_label}" if notebook.role == PREP else notebook.chapter_label


def _exporter(templates_dir: Path) -> Any:
    """nbconvert's HTMLExporter without its focus stops on every input and output (WCAG 2.4.3)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    from helpers.publish.render.html_parts import FILTERS

    class MonitorHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:  # (HTML, resources)
            # HTMLExporter's own version adds tabindex="0" to every cell and a generic alt text
            lang = nb.metadata.get("language_info", {})
            lexer = lang.get("pygments_lexer", lang.get("name"))
            self.register_filter(
                "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    cfg = Config()
    cfg.TemplateExporter.exclude_input_prompt = True
    cfg.TemplateExporter.exclude_output_prompt = True
    exporter = MonitorHTMLExporter(
        config=cfg, template_name="monitor_html", extra_template_basedirs=[str(templates_dir)]
    )
    exporter.language_code = "nl"
    for name, fn in FILTERS.items():
        exporter.register_filter(name, fn)
    exporter.register_filter("escape_html", html_text)  # one HTML escaper for all text from data
    return exporter


def _digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()


def code_digest(templates_dir: Path) -> str:
    """What every page depends on besides its notebook: the HTML templates and this code."""
    here = Path(__file__)
    files = [*sorted((Path(templates_dir) / "monitor_html").glob("*")), here, here.with_name("html_parts.py")]
    return _digest([[f.name, hashlib.sha256(f.read_bytes()).hexdigest()] for f in files if f.is_file()])


def render_pages(
    items: list[tuple[Notebook, Any, str]],
    out_dir: Path,
    meta: ReportMeta,
    templates_dir: Path,
    pdf_name: str,
    *,
    previous: Path | None = None,
    extra_links: Callable[[], Sequence[tuple[str, str]]] | None = None,
) -> tuple[list[Path], list[str]]:
    """Write one page per ``(notebook, executed nb, chapter title)`` in report order, then ``index.html``.

    ``previous`` is the site folder of the last report: a page whose key is unchanged is copied from
    there. ``extra_links`` gives further ``(href, text)`` links for the index, asked for last.
    Returns the pages written (index first) and the names of those rendered anew.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    state = out_dir.parent / STATE_DIR
    old_keys = _read_keys(previous.parent / STATE_DIR / PAGE_KEYS) if previous is not None else {}
    shared = code_digest(templates_dir)
    shown = {k: v for k, v in meta.as_dict().items() if k != "provenance"}  # the provenance is on the index only
    exporter = None
    written, rendered, keys = [], [], {}
    indicators = _indicator_rows(out_dir.parent / INDICATORS_FILE)
    questions = _question_texts(indicators)
    for i, (notebook, nb, title) in enumerate(items):
        nav = {
            "synthetic_note": meta.as_dict()["synthetic_note"],
            "prev": _link(items[i - 1]) if i > 0 else None,
            "next": _link(items[i + 1]) if i + 1 < len(items) else None,
        }
        path = out_dir / page_name(notebook)
        numbers = page_numbers(notebook, nb, indicators, questions)
        key = _digest(nb, nav, shown, shared, title, numbers.digest_parts())
        old = previous / path.name if previous is not None else None
        if old is not None and _intact(old, old_keys.get(path.name), key):
            shutil.copyfile(old, path)
        else:
            from nbformat import NotebookNode

            exporter = exporter or _exporter(templates_dir)
            from helpers.publish.render.html_parts import fold_quiet_cells

            copy = NotebookNode(nb)  # shallow copy: the title changes, folded cells are copies
            copy.metadata = NotebookNode(dict(nb.metadata, title=f"{_label(notebook)} {title} — {meta.title}"))
            copy.cells = fold_quiet_cells(nb.cells)
            body, _ = exporter.from_notebook_node(copy, resources={"monitor": {**nav, "numbers": numbers}})
            path.write_text(body, encoding="utf-8")
            rendered.append(notebook.name)
        keys[path.name] = {"key": key, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        written.append(path)
    index = out_dir / INDEX
    index.write_text(index_page(items, meta, pdf_name, extra_links() if extra_links else ()), encoding="utf-8")
    state.mkdir(exist_ok=True)
    (state / PAGE_KEYS).write_text(json.dumps(keys, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return [index, *written], rendered


def _indicator_rows(path: Path) -> list[dict[str, str]]:
    """The rows of the build's ``indicators.csv`` (strings), [] when there is none."""
    import csv

    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _question_texts(rows: Sequence[Mapping[str, str]]) -> tuple[dict[str, str], frozenset[str]]:
    """Question texts by id, and the ids of percent questions, from the edition's codebook (empty without)."""
    from helpers import paths
    from helpers.survey.codebook import load_codebook

    year = rows[0].get("year", "") if rows else ""
    if not year.isdigit() or not paths.codebook_path(int(year)).is_file():
        return {}, frozenset()
    codebook = load_codebook(paths.codebook_path(int(year)))
    return {q.id: q.text for q in codebook.questions}, frozenset(
        q.id for q in codebook.questions if q.type == "percent"
    )


def _data_files(nb: Any) -> dict[str, str]:
    """The CSV of each captioned figure or table of ``nb``, by its label ("Figuur 3.1")."""
    from helpers.report.registry import VIEW_KEY

    files = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = out.get("metadata", {})
            cap, csv_file = meta.get("monitor"), ((meta.get(VIEW_KEY) or {}).get("files") or {}).get("csv")
            if cap and csv_file:
                files[f"{cap['prefix']} {cap['number']}"] = csv_file
    return files


def page_numbers(
    notebook: Notebook, nb: Any, rows: Sequence[Mapping[str, str]], questions: tuple[dict[str, str], frozenset[str]]
) -> Any:
    """The numbers of one page (``html_parts.PageNumbers``): the indicator rows of its chapter."""
    from helpers.publish.render.html_parts import PageNumbers

    mine = [r for r in rows if r.get("chapter") == str(notebook.number)]
    texts, percent = questions
    asked = {r["question"] for r in mine}
    texts = {q: t for q, t in texts.items() if q in asked}
    return PageNumbers(mine, texts, _data_files(nb), percent, notebook=notebook.name)


def _intact(old: Path, entry: Any, key: str) -> bool:
    """Is the previous page rendered from the same key, and still the bytes that were written?"""
    if not isinstance(entry, dict) or entry.get("key") != key or not old.is_file():
        return False
    return hashlib.sha256(old.read_bytes()).hexdigest() == entry.get("sha256")


def _read_keys(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _link(item: tuple[Notebook, Any, str]) -> dict[str, str]:
    return {"href": page_name(item[0]), "title": f"{_label(item[0])} {item[2]}"}


def referenced_data_files(nbs: Sequence[Any]) -> set[str]:
    """Data files (``data/…``) that the captioned outputs of ``nbs`` link to."""
    from helpers.report.registry import VIEW_KEY

    found = set()
    for nb in nbs:
        for cell in nb.cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                found.update((out.get("metadata", {}).get(VIEW_KEY) or {}).get("files", {}).values())
    return found


def prune_data_files(report_dir: Path, keep: set[str]) -> list[str]:
    """Remove files under ``data/`` that no figure or table links to any more (e.g. a dropped view)."""
    from helpers.survey.vocabulary import DATA_DIR

    removed = []
    for f in sorted((Path(report_dir) / DATA_DIR).rglob("*")):
        rel = f.relative_to(report_dir).as_posix()
        if f.is_file() and rel not in keep:
            f.unlink()
            removed.append(rel)
    return removed


def provenance_html(meta: ReportMeta) -> str:
    """The build's provenance as a definition list (commit, clean tree, input hashes, dates, versions)."""
    prov: Mapping[str, Any] = meta.as_dict().get("provenance") or {}
    if not prov:
        return ""
    esc = html.escape
    state = {True: "ja", False: "nee (niet vastgelegde wijzigingen)", None: "onbekend"}[prov.get("clean")]
    rows = [
        ("Code (commit)", f"<code>{esc(prov.get('commit', 'onbekend'))}</code>"),
        ("Werkmap schoon", esc(state)),
        ("Datum van de commit", esc(prov.get("commit_date_nl", "onbekend"))),
        ("Datastand", esc(meta.freeze_date_nl)),
    ]
    rows += [
        (
            f"Invoer: {esc(info.get('label', name))}",
            f"<code>{esc(info['file'])}</code>, sha256 <code>{esc(info['sha256'][:16])}</code>…",
        )
        for name, info in prov.get("inputs", {}).items()
    ]
    rows.append(
        ("Pakketversies", f'<a href="{esc(prov.get("versions", "versions.txt"))}">versies van de pakketten</a>')
    )
    body = "\n".join(f"    <dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'  <h2 id="herkomst">Herkomst van deze versie</h2>\n  <dl class="prov">\n{body}\n  </dl>\n'


def index_page(
    items: list[tuple[Notebook, Any, str]], meta: ReportMeta, pdf_name: str, extra_links: Sequence[tuple[str, str]] = ()
) -> str:
    """The navigation page: title, synthetic-data notice, links to the PDF, the data, every chapter page."""
    esc = html.escape
    rows = "\n".join(
        f'    <li><span class="nr">{esc(_label(nb))}</span> <a href="{esc(page_name(nb))}">{esc(title)}</a>'
        f' <small>(<a href="{EXECUTED_DIR}/{esc(nb.filename)}">notebook {esc(_label(nb))}</a>)</small></li>'
        for nb, _, title in items
    )
    extra = "".join(f'    <li><a href="{esc(href)}">{esc(text)}</a></li>\n' for href, text in extra_links)
    note = banner(meta.as_dict()["synthetic_note"] if meta.synthetic else "")
    body = f"""  <h1>{esc(meta.title)}</h1>
{note}  <p>Datastand: {esc(meta.freeze_date_nl)} · <a href="{esc(pdf_name)}">PDF</a>.
  Code staat ingeklapt onder elke cel (klik op &lsquo;Code voor …&rsquo;, of op &lsquo;Toon alle code&rsquo;).</p>
  <nav aria-label="Hoofdstukken">
  <ol>
{rows}
  </ol>
  </nav>
  <h2>Cijfers en vergelijkingen</h2>
  <ul>
    <li><a href="{INDICATORS_FILE}">Alle getoonde cijfers ({INDICATORS_FILE})</a>, met per cijfer de figuur of
      tabel waarin het staat (kolom <code>build_ref</code>). Onder elke figuur en tabel staan de cijfers ook als
      CSV en Excel.</li>
{extra}  </ul>
{provenance_html(meta)}"""
    return page(meta.title, body, width_rem=48, css=_INDEX_CSS, home=False)


_INDEX_CSS = """  ol { list-style: none; padding-left: 0; }
  .nr { display: inline-block; min-width: 5.5rem; color: #4d4d4d; }
  dl.prov { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .2rem 1rem;
            overflow-wrap: anywhere; }
  dl.prov dt { font-weight: bold; } dl.prov dd { margin: 0; }
"""


def attach_table_data(nb: Any, report_dir: Path, notebook: str) -> int:
    """Give every captioned table that the registry did not write data for a CSV of its cells.

    A table shown with a caption but without the figure/table registry (a Markdown pipe table)
    still gets its download: ``data/<notebook>/<tabel-…>.csv`` with the cells as shown. Returns how many.
    """
    from helpers.report.downloads import slug
    from helpers.report.registry import VIEW_KEY
    from helpers.survey.vocabulary import DATA_DIR

    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = out.get("metadata", {})
            cap, view = meta.get("monitor"), meta.get(VIEW_KEY) or {}
            md = out.get("data", {}).get("text/markdown")
            rows = _pipe_rows(md) if cap and cap.get("kind") == "table" and md and not view.get("files") else []
            if not rows:
                continue
            name = f"{DATA_DIR}/{notebook}/{slug(cap['prefix'] + ' ' + cap['number'])}.csv"
            (Path(report_dir) / DATA_DIR / notebook).mkdir(parents=True, exist_ok=True)
            _write_csv(Path(report_dir) / name, rows)
            meta[VIEW_KEY] = dict(view, files={"csv": name})
            count += 1
    return count


def _pipe_rows(md: str) -> list[list[str]]:
    """The cells of the first Markdown pipe table in ``md`` (header first), unescaped; [] if none."""
    lines = [line.strip() for line in md.splitlines()]
    rows, started = [], False
    for line in lines:
        if line.startswith("|") and line.endswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1])]
            if all(set(c) <= set(":- ") for c in cells):
                started = True
                continue
            rows.append([markdown_plain(c) for c in cells])
        elif rows:
            break
    return rows if started else []


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([spreadsheet_cell(c) for c in row] for row in rows)
