"""Merge executed notebooks into one report notebook: 01 first, chapters 02.. next, 00 as appendix."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from helpers.publish.base.plan import PREP, Notebook
from helpers.publish.base.repro import ReportMeta
from helpers.publish.render.captions import number_captions

_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


class MergeError(ValueError):
    """An executed notebook breaks the report contract (e.g. no H1 in its first cell)."""


def chapter_title(nb: Any, name: str = "notebook") -> str:
    """The H1 of the first cell (CONVENTIONS §7); raise MergeError when there is none."""
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown":
        raise MergeError(f"{name}: de eerste cel moet een Markdown-cel met de hoofdstuktitel zijn (# Titel)")
    line = first.source.lstrip().splitlines()[0] if first.source.strip() else ""
    m = _H1.match(line)
    if not m:
        raise MergeError(
            f"{name}: de eerste cel moet beginnen met de hoofdstuktitel (# Titel); gevonden: {line[:40]!r}"
        )
    return m.group(1)


def check_source(path: Path) -> str:
    """The H1 of a source notebook (plain JSON read); MergeError when the first cell has none or a cell
    still holds text of the chapter template (``monitor new-chapter``)."""
    from nbformat import from_dict

    from helpers.report.chapter_template import template_leftovers
    from helpers.survey.vocabulary import TEMPLATE_TAG

    nb = from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    for cell in nb.cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    title = chapter_title(nb, Path(path).name)
    leftovers = template_leftovers(Path(path))
    if leftovers:
        raise MergeError(
            f"{len(leftovers)} cel(len) met tekst uit het sjabloon; schrijf die tekst zelf en haal dan het label "
            f"‘{TEMPLATE_TAG}’ van de cel (in JupyterLab: rechterbalk, Cell Tags):\n  " + "\n  ".join(leftovers)
        )
    return title


def load_executed(path: Path, notebook: Notebook) -> Any:
    """Read an executed notebook, check its H1 and number its captions."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    chapter_title(nb, notebook.filename)
    number_captions(nb, notebook.chapter_label)
    return nb


def _raw_latex(source: str, cell_id: str) -> Any:
    from nbformat.v4 import new_raw_cell

    cell = new_raw_cell(source, metadata={"raw_mimetype": "text/latex"})
    cell["id"] = cell_id
    return cell


def merge(items: list[tuple[Notebook, Any]], meta: ReportMeta, appendix_markdown: Sequence[str] = ()) -> Any:
    """One notebook in report order; each part starts with a raw LaTeX cell fixing its chapter number.

    ``appendix_markdown`` are further appendices (Markdown starting with an H1), after notebook 00.
    """
    from nbformat.v4 import new_markdown_cell, new_notebook

    merged = new_notebook()
    merged.metadata["title"] = meta.title
    if meta.authors:
        merged.metadata["authors"] = [{"name": a} for a in meta.authors]
    merged.metadata["monitor"] = meta.as_dict()
    for key in ("kernelspec", "language_info"):
        if items and key in items[0][1].metadata:
            merged.metadata[key] = copy.deepcopy(items[0][1].metadata[key])
    appendix = False
    for notebook, nb in items:
        prefix = notebook.path.stem[:2]
        if notebook.role == PREP:
            if not appendix:
                merged.cells.append(_raw_latex("\\appendix", f"{prefix}-appendix"))
                appendix = True
        else:
            merged.cells.append(_raw_latex(f"\\setcounter{{chapter}}{{{notebook.number - 1}}}", f"{prefix}-chapter"))
        for cell in nb.cells:
            cell = copy.deepcopy(cell)
            cell["id"] = f"{prefix}-{cell.get('id', '')}"[:64]
            merged.cells.append(cell)
    for k, text in enumerate(appendix_markdown):
        if not appendix:
            merged.cells.append(_raw_latex("\\appendix", "extra-appendix"))
            appendix = True
        cell = new_markdown_cell(text)
        cell["id"] = f"appendix-{k}"
        merged.cells.append(cell)
    return merged
