"""Parameters passed to the notebooks, checked against each notebook's ``parameters`` cell.

papermill only *warns* about a parameter the notebook does not declare; the build treats that as an
error, so a typo never silently runs a chapter with its default values.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Declared by every notebook (CONVENTIONS §9): ``year = 2018`` and ``build_dir = None``.
STANDARD = ("year", "build_dir")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class ParameterError(ValueError):
    """A parameter does not exist in the notebook's parameters cell."""


def notebook_parameters(
    year: int,
    build_dir: Path | str,
    extra: Mapping[str, Any] | None = None,
    override: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The parameters for one notebook: the standard ones, then global extras, then per-notebook overrides."""
    params: dict[str, Any] = {"year": year, "build_dir": str(build_dir)}
    params.update(extra or {})
    params.update(override or {})
    return params


def declared_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """Parameters declared in the notebook's cell tagged ``parameters`` (``papermill.inspect_notebook``).

    papermill needs ``metadata.kernelspec`` to pick the language; a notebook stripped of it is
    inspected through a temporary copy that declares the python3 kernel.
    """
    import papermill

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    if nb.get("metadata", {}).get("kernelspec"):
        return papermill.inspect_notebook(str(path))
    nb.setdefault("metadata", {})["kernelspec"] = KERNELSPEC
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / Path(path).name
        copy.write_text(json.dumps(nb), encoding="utf-8")
        return papermill.inspect_notebook(str(copy))


def check_parameters(path: Path, params: Mapping[str, Any], name: str | None = None) -> None:
    """Raise ParameterError when ``params`` holds a name the notebook does not declare."""
    name = name or Path(path).name
    declared = declared_parameters(path)
    if not declared:
        raise ParameterError(f"{name}: no cell tagged 'parameters' with assignments (expected {', '.join(STANDARD)})")
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ParameterError(
            f"{name}: unknown parameter(s) {', '.join(unknown)}; the parameters cell declares {', '.join(declared)}"
        )
