"""Parameters passed to the notebooks, checked against each notebook's ``parameters`` cell.

papermill only *warns* about a parameter the notebook does not declare; the build treats that as an
error, so a typo never silently runs a chapter with its default values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Declared by every notebook (CONVENTIONS §9): ``year = 2018`` and ``build_dir = None``.
STANDARD = ("year", "build_dir")


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

    The notebook needs ``metadata.kernelspec``; the build's snapshots always have one.
    """
    import papermill

    return papermill.inspect_notebook(str(path))


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
