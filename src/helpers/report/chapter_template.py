"""A new chapter notebook to start from: ``monitor new-chapter --number 11 --name language --title "…"``.

The notebook follows the contract of every chapter (H1, ``parameters`` cell, ``open_chapter``) and has, for
each question the codebook assigns to the chapter, a view and a ``%%tekst`` cell whose placeholders already
compute. What only an author can write (the introduction, a heading, the finding in words) is in cells tagged
``sjabloon`` (:data:`TEMPLATE_TAG`): the notebook runs at once in JupyterLab, and the build refuses it until
every such cell is rewritten and its tag removed (:func:`template_leftovers`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from helpers.report.location import heading_above
from helpers.survey.codebook import Codebook, Question
from helpers.survey.text_escape import markdown_text
from helpers.survey.vocabulary import TEMPLATE_TAG

#: ``NN_name``: two digits (chapters are 02–99), then lower-case words joined by ``_``.
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
#: The marker that starts every sentence an author still has to write.
TODO = "✎ Schrijf hier"


class ChapterTemplateError(ValueError):
    """The chapter cannot be created (bad number or name, or the file exists)."""


def chapter_path(notebooks_dir: Path, number: int, name: str) -> Path:
    """``notebooks/11_language.ipynb``; ChapterTemplateError (in Dutch) for a number or name outside the contract."""
    if not 2 <= number <= 99:
        raise ChapterTemplateError(f"hoofdstuknummer {number}: verwacht 2 t/m 99 (00 en 01 zijn vast)")
    if not _NAME.match(name):
        raise ChapterTemplateError(
            f"naam {name!r}: verwacht kleine letters, cijfers en '_' (bv. 'language_support'), beginnend met een letter"
        )
    taken = sorted(p.name for p in notebooks_dir.glob(f"{number:02d}_*.ipynb"))
    if taken:
        raise ChapterTemplateError(f"hoofdstuk {number:02d} bestaat al ({', '.join(taken)}); kies een vrij nummer")
    return notebooks_dir / f"{number:02d}_{name}.ipynb"


def _markdown(source: str, todo: bool = False) -> Any:
    from nbformat.v4 import new_markdown_cell

    return new_markdown_cell(source, metadata={"tags": [TEMPLATE_TAG]} if todo else {})


def _code(source: str, todo: bool = False, tags: tuple[str, ...] = ()) -> Any:
    from nbformat.v4 import new_code_cell

    all_tags = [*tags, *([TEMPLATE_TAG] if todo else [])]
    return new_code_cell(source, metadata={"tags": all_tags} if all_tags else {})


def _finding(q: Question) -> str:
    """A ``%%tekst`` cell whose placeholders compute for ``q``'s type; the sentence itself is the author's."""
    cats = q.categories
    if q.type == "multi":
        numbers = f'{{{{ top("{q.id}", 3) }}}}'
    elif q.type in ("percent", "count"):
        item = f', "{cats[0].key}"' if q.items else ""
        numbers = f'{{{{ mean("{q.id}"{item}) }}}}'
    elif cats:
        numbers = f'{{{{ pct("{q.id}", "{cats[0].key}") }}}}'
    else:
        numbers = f'{{{{ n("{q.id}") }}}}'
    return f'%%tekst {q.id}\n{TODO} wat de cijfers zeggen ({numbers}; basis {{{{ n("{q.id}") }}}} gemeenten).'


def _question_cells(q: Question) -> list[Any]:
    heading = f"## {markdown_text(q.title)}\n\n{TODO} wat gemeenten gevraagd werd en waarom het ertoe doet."
    if q.type == "text":
        return [_markdown(heading, todo=True), _code(f'ch.quotes("{q.id}")')]
    return [_markdown(heading, todo=True), _code(f'ch.show("{q.id}")'), _code(_finding(q), todo=True)]


def new_chapter(codebook: Codebook, number: int, title: str) -> Any:
    """The chapter notebook: title, parameters, ``open_chapter``, a section per question of chapter ``number``
    in ``codebook``, and ``ch.remaining()`` to list what is not yet shown."""
    from nbformat.v4 import new_notebook

    cells = [
        _markdown(f"# {markdown_text(title)}\n\n{TODO} de inleiding: waar gaat dit hoofdstuk over?", todo=True),
        _code(f"year = {codebook.year}\nbuild_dir = None", tags=("parameters",)),
        _code("from helpers.report.notebook import open_chapter\n\nch = open_chapter(year, build_dir)"),
    ]
    for q in codebook.by_chapter(number):
        if q.type != "municipality":
            cells += _question_cells(q)
    cells.append(_code("ch.remaining()"))
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def write_new_chapter(notebooks_dir: Path, codebook: Codebook, number: int, name: str, title: str) -> Path:
    """Write the new chapter notebook (never over an existing one) and return its path."""
    import nbformat

    path = chapter_path(notebooks_dir, number, name)
    if not title.strip():
        raise ChapterTemplateError("geef een titel (--title), bv. 'Taal en participatie'")
    nb = new_chapter(codebook, number, title.strip())
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:40]}-{i}"  # stable ids: the same command gives the same file
    with path.open("x", encoding="utf-8") as fh:
        nbformat.write(nb, fh)
    return path


def template_leftovers(notebook: Path) -> list[str]:
    """One Dutch line per cell of ``notebook`` still tagged ``sjabloon``: where it is and how it starts."""
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    out = []
    for i, cell in enumerate(cells):
        if TEMPLATE_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell.get("source", ""))
        first = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")[:60]
        section = heading_above(cells, i + 1)
        where = f" (onder ‘{section}’)" if section else ""
        out.append(f"{notebook.name}{where}: cel met label ‘{TEMPLATE_TAG}’ begint met “{first}”")
    return out
