"""Reproducibility: report metadata from the codebook, SOURCE_DATE_EPOCH, and stripping volatile metadata."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from helpers.survey.formatting import dutch_date
from helpers.survey.vocabulary import SYNTHETIC_NOTE

DEFAULT_TITLE = "Monitor gemeentelijk beleid arbeidstoeleiding vluchtelingen {year}"


@dataclass(frozen=True)
class ReportMeta:
    """What the title page and the HTML header say; fixed per build input."""

    year: int
    title: str
    freeze_date: str
    synthetic: bool = False
    authors: tuple[str, ...] = ()

    @property
    def epoch(self) -> int:
        """SOURCE_DATE_EPOCH: midnight UTC of the data freeze date."""
        day = dt.date.fromisoformat(self.freeze_date)
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())

    @property
    def freeze_date_nl(self) -> str:
        """``10 april 2018``."""
        day = dt.date.fromisoformat(self.freeze_date)
        return dutch_date(day)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["authors"] = list(self.authors)
        d["synthetic_note"] = SYNTHETIC_NOTE if self.synthetic else ""
        d["freeze_date_nl"] = self.freeze_date_nl
        return d


def report_meta(
    year: int,
    codebook: Path | None,
    *,
    freeze_date: str | None = None,
    synthetic: bool | None = None,
    title: str | None = None,
    authors: tuple[str, ...] = (),
) -> ReportMeta:
    """Title, freeze date and the synthetic flag from ``codebook.yaml``; explicit arguments win.

    Only the top-level keys are read (no full validation: the data-preparation notebook does that).
    """
    top: dict[str, Any] = {}
    if codebook is not None and Path(codebook).is_file():
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        top = yaml.load(Path(codebook).read_text(encoding="utf-8"), Loader=loader) or {}
    freeze = freeze_date or top.get("freeze_date")
    if not freeze:
        raise ValueError(f"no freeze_date: {codebook} is absent or lacks it; pass freeze_date explicitly")
    freeze = str(freeze)  # YAML may parse an unquoted date
    dt.date.fromisoformat(freeze)
    return ReportMeta(
        year=year,
        title=title or str(top.get("title") or DEFAULT_TITLE.format(year=year)),
        freeze_date=freeze,
        synthetic=bool(top.get("synthetic", False)) if synthetic is None else synthetic,
        authors=tuple(authors),
    )


@contextmanager
def reproducible_env(epoch: int) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH, FORCE_SOURCE_DATE=1 and PYTHONHASHSEED=0 for kernels and xelatex, then restore."""
    values = {"SOURCE_DATE_EPOCH": str(epoch), "FORCE_SOURCE_DATE": "1", "PYTHONHASHSEED": "0"}
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def clean_executed(nb: Any, replacements: Mapping[str, str]) -> Any:
    """Strip volatile data from an executed notebook (in place, and returned).

    Removes papermill timestamps and durations, nbclient timing metadata and execution counts, gives
    the injected-parameters cell a fixed id, and replaces each ``replacements`` key (the temporary
    build directory) by its value everywhere in the notebook.
    """
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    nb.metadata["papermill"] = {"parameters": params}
    for cell in nb.cells:
        for key in ("papermill", "execution", "ExecuteTime"):
            cell.metadata.pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        if cell.cell_type == "code":
            cell.execution_count = None
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = None
    if not replacements:
        return nb
    text = json.dumps(nb, ensure_ascii=False)
    for old, new in replacements.items():
        text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    from nbformat import from_dict

    return from_dict(json.loads(text))
