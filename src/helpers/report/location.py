"""Where in a notebook something happened, as a person finds it: the notebook, the cell's prompt number
(``In [25]`` as JupyterLab shows it), the section heading above the cell and the line as the author sees it.

The same words are used in JupyterLab (the kernel shows only the Dutch message, no traceback), in the build's
one-line failure and in ``claims.csv``: ``03_policy.ipynb, cel 25 (onder ‘Respons’), regel 3``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from helpers import paths

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def prompt_number(shell: Any) -> int | None:
    """The ``In [n]`` of the cell running now: IPython counts the cell before it runs (``execution_count`` is
    already ``n + 1`` while cell ``n`` executes)."""
    count = getattr(shell, "execution_count", None)
    return count - 1 if isinstance(count, int) and count > 1 else None


def cell_source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def headings(cell: dict[str, Any]) -> list[str]:
    """The Markdown headings a cell holds, in order (none for a code cell)."""
    if cell.get("cell_type") != "markdown":
        return []
    return [h.strip() for h in _HEADING.findall(cell_source(cell))]


def heading_above(cells: list[dict[str, Any]], index: int) -> str:
    """The last Markdown heading before cell ``index`` ('' when none)."""
    for cell in reversed(cells[:index]):
        found = headings(cell)
        if found:
            return found[-1]
    return ""


def section_of(notebook: str | Path, source: str) -> str:
    """The heading above the code cell whose source is ``source`` in ``notebook`` (a name in ``notebooks/`` or a
    path); '' when the file or the cell cannot be found (e.g. an edit not yet saved)."""
    path = Path(notebook)
    if not path.suffix:
        path = paths.NOTEBOOKS_DIR / f"{notebook}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return ""
    want = _normal(source)
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and _normal(cell_source(cell)) == want:
            return heading_above(cells, i)
    return ""


def section_of_prompt(notebook: str | Path, prompt: int) -> str:
    """The heading above the code cell executed as ``In [prompt]`` in an executed notebook ('' if unknown)."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return ""
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and cell.get("execution_count") == prompt:
            return heading_above(cells, i)
    return ""


def describe(notebook: str, prompt: int | None = None, section: str = "", line: int | None = None) -> str:
    """``03_policy.ipynb, cel 25 (onder ‘Respons’), regel 3`` (parts that are unknown are left out)."""
    where = f"{notebook}.ipynb"
    if prompt is not None:
        where += f", cel {prompt}"
    if section:
        where += f" (onder ‘{section}’)"
    if line is not None:
        where += f", regel {line}"
    return where
