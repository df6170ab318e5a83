"""An edit to a notebook's prose alone needs no kernel: the executed notebook of the last build gets today's
Markdown cells between its code cells, and its other parts are reused as they are.

``cache.prose_reusable`` decides when this holds (same code digest, same inputs, parts verified);
:func:`rewrite_prose` then checks once more, cell by cell, that today's code cells are the executed ones,
and refuses (the notebook runs) when they are not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers.publish.base.repro import VOLATILE_CELL_KEYS
from helpers.report.location import cell_source

INJECTED = "injected-parameters"


def _is_injected(cell: Any) -> bool:
    return INJECTED in cell.get("metadata", {}).get("tags", [])


def _metadata_as_run(cell: dict[str, Any]) -> dict[str, Any]:
    """A source cell's metadata as its executed copy holds it: papermill gives every cell a ``tags`` list, and
    what a run adds is removed (``repro.clean_executed``)."""
    meta = {k: v for k, v in cell.get("metadata", {}).items() if k not in VOLATILE_CELL_KEYS}
    return {**meta, "tags": meta.get("tags", [])}


def _same_cell(executed: Any, source: dict[str, Any]) -> bool:
    """The executed cell is the source cell: same type, source and metadata."""
    return (
        executed.get("cell_type") == source.get("cell_type")
        and executed.get("source") == cell_source(source)
        and dict(executed.get("metadata", {})) == _metadata_as_run(source)
    )


def _prose_cell(cell: dict[str, Any]) -> Any:
    """A Markdown cell as the executed notebook holds it."""
    from nbformat import from_dict

    return from_dict({**cell, "metadata": _metadata_as_run(cell), "source": cell_source(cell)})


def merged_cells(executed: list[Any], source: list[dict[str, Any]]) -> list[Any] | None:
    """Today's cells: the Markdown of ``source``, every other cell (with its outputs) from ``executed`` in
    its place, the injected parameters right after the cell they followed; None when the cells do not line up."""
    kept = [c for c in executed if c.get("cell_type") != "markdown"]
    out: list[Any] = []
    j = 0
    if kept and executed and _is_injected(executed[0]):  # papermill puts them first when there is no parameters cell
        out.append(kept[0])
        j = 1
    for cell in source:
        if cell.get("cell_type") == "markdown":
            out.append(_prose_cell(cell))
            continue
        if j >= len(kept) or _is_injected(kept[j]) or not _same_cell(kept[j], cell):
            return None
        out.append(kept[j])
        j += 1
        if j < len(kept) and _is_injected(kept[j]):
            out.append(kept[j])
            j += 1
    return out if j == len(kept) else None


def _merged(executed: Path, source: Path) -> Any | None:
    """The executed notebook with today's Markdown, or None when that cannot be made safely: cells that do not
    line up, or a source without cell ids (a run would give them new ones)."""
    import nbformat

    new = json.loads(Path(source).read_text(encoding="utf-8"))
    cells = new.get("cells", [])
    if new.get("nbformat", 0) != 4 or new.get("nbformat_minor", 0) < 5 or any("id" not in c for c in cells):
        return None
    nb = nbformat.read(executed, as_version=4)
    merged = merged_cells(nb.cells, cells)
    if merged is None:
        return None
    nb.cells = merged
    return nb


def fits(executed: Path, source: Path) -> bool:
    """True when ``executed`` can take the Markdown of ``source`` (:func:`rewrite_prose` would succeed)."""
    try:
        return _merged(executed, source) is not None
    except (OSError, ValueError):
        return False


def rewrite_prose(executed: Path, source: Path) -> bool:
    """Give ``executed`` (a verified copy in the staging dir) the Markdown of ``source``; False (file untouched)
    when that cannot be done safely."""
    import nbformat

    nb = _merged(executed, source)
    if nb is None:
        return False
    nbformat.write(nb, executed)
    return True
