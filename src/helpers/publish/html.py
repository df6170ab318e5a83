"""Reviewer HTML: one self-contained page per notebook plus ``index.html`` with the navigation list.

Pages show every cell as executed; code (including the parameters) is folded in ``<details>`` (hidden
until clicked). No external scripts are loaded and the executed notebooks carry no timestamps, so
two builds of the same inputs give identical bytes.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from helpers.publish.plan import PREP, Notebook
from helpers.publish.repro import ReportMeta


def page_name(notebook: Notebook) -> str:
    return f"{notebook.name}.html"


def _label(notebook: Notebook) -> str:
    return f"Bijlage {notebook.chapter_label}" if notebook.role == PREP else notebook.chapter_label


def render_pages(
    items: list[tuple[Notebook, Any, str]], out_dir: Path, meta: ReportMeta, templates_dir: Path, pdf_name: str
) -> list[Path]:
    """Write one page per ``(notebook, executed nb, chapter title)`` in report order, then ``index.html``."""
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode
    from traitlets.config import Config

    cfg = Config()
    cfg.TemplateExporter.exclude_input_prompt = True
    cfg.TemplateExporter.exclude_output_prompt = True
    exporter = HTMLExporter(config=cfg, template_name="monitor_html", extra_template_basedirs=[str(templates_dir)])
    exporter.language_code = "nl"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (notebook, nb, title) in enumerate(items):
        nav = {
            "synthetic_note": meta.as_dict()["synthetic_note"],
            "prev": _link(items[i - 1]) if i > 0 else None,
            "next": _link(items[i + 1]) if i + 1 < len(items) else None,
        }
        nb = NotebookNode(nb)  # shallow copy: only the title changes
        nb.metadata = NotebookNode(dict(nb.metadata, title=f"{_label(notebook)} {title} — {meta.title}"))
        body, _ = exporter.from_notebook_node(nb, resources={"monitor": nav})
        path = out_dir / page_name(notebook)
        path.write_text(body, encoding="utf-8")
        written.append(path)
    index = out_dir / "index.html"
    index.write_text(index_page(items, meta, pdf_name), encoding="utf-8")
    return [index, *written]


def _link(item: tuple[Notebook, Any, str]) -> dict[str, str]:
    return {"href": page_name(item[0]), "title": f"{_label(item[0])} {item[2]}"}


def index_page(items: list[tuple[Notebook, Any, str]], meta: ReportMeta, pdf_name: str) -> str:
    """The navigation page: title, synthetic-data notice, links to the PDF and every chapter page."""
    esc = html.escape
    rows = "\n".join(
        f'    <li><span class="nr">{esc(_label(nb))}</span> <a href="{esc(page_name(nb))}">{esc(title)}</a>'
        f' <small>(<a href="../executed/{esc(nb.filename)}">notebook</a>)</small></li>'
        for nb, _, title in items
    )
    banner = f'  <p class="banner">{esc(meta.as_dict()["synthetic_note"])}</p>\n' if meta.synthetic else ""
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(meta.title)}</title>
<style>
  body {{ font-family: sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
  .banner {{ padding: .5rem .8rem; border: 1px solid #b45f06; background: #fff4e5; font-style: italic; }}
  ol {{ list-style: none; padding-left: 0; }}
  .nr {{ display: inline-block; min-width: 5.5rem; color: #555; }}
</style>
</head>
<body>
<main>
  <h1>{esc(meta.title)}</h1>
{banner}  <p>Datastand: {esc(meta.freeze_date_nl)} · <a href="../{esc(pdf_name)}">PDF</a>.
  Code staat ingeklapt onder elke cel (klik op &lsquo;Code&rsquo;).</p>
  <nav>
  <ol>
{rows}
  </ol>
  </nav>
</main>
</body>
</html>
"""
