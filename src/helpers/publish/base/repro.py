"""Reproducibility: report metadata from the codebook, SOURCE_DATE_EPOCH, and stripping volatile metadata."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from helpers.publish.base.cache import file_digest
from helpers.survey.formatting import dutch_date
from helpers.survey.notes import NOTES_NAME, EditionNotes, load_notes
from helpers.survey.vocabulary import SYNTHETIC_NOTE

DEFAULT_TITLE = "Monitor gemeentelijk beleid arbeidstoeleiding vluchtelingen {year}"
#: The package versions file next to the PDF (``reports/<year>/versions.txt``).
VERSIONS_FILE = "versions.txt"
#: How the provenance names the inputs it hashes.
INPUT_LABELS = {"export": "export", "codebook": "codeboek", "frame": "gemeentelijst"}


@dataclass(frozen=True)
class ReportMeta:
    """What the title page and the HTML header say; fixed per build input."""

    year: int
    title: str
    freeze_date: str
    synthetic: bool = False
    authors: tuple[str, ...] = ()
    #: Which issue of this year's edition ("Tweede, herziene druk") and who publishes it (``notes.yaml``).
    edition: str = ""
    publisher: tuple[str, ...] = ()
    #: The published report of this edition, when there is one (``notes.yaml``).
    publication: str = ""
    #: Commit, clean tree, input hashes (``provenance``); shown on the index page and in the colophon.
    provenance: dict[str, Any] | None = None

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
        d["publisher"] = list(self.publisher)
        d["provenance"] = dict(self.provenance or {})
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
    inputs: Mapping[str, Path] | None = None,
) -> ReportMeta:
    """Title, freeze date and the synthetic flag from ``codebook.yaml``; explicit arguments win.

    Edition, publisher and authors come from ``notes.yaml`` next to the codebook (explicit ``authors`` win).
    Only the top-level keys are read (no full validation: the data-preparation notebook does that).
    ``inputs`` (name -> file) are hashed into the provenance, with the codebook and the frame.
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
    notes = _notes(codebook)
    return ReportMeta(
        year=year,
        title=title or str(top.get("title") or DEFAULT_TITLE.format(year=year)),
        freeze_date=freeze,
        synthetic=bool(top.get("synthetic", False)) if synthetic is None else synthetic,
        authors=tuple(authors) or tuple(notes.authors),
        edition=notes.edition or "",
        publisher=tuple(notes.publisher),
        publication=notes.publication or "",
        provenance=provenance(codebook, top.get("frame_year"), inputs or {}),
    )


def _notes(codebook: Path | None) -> EditionNotes:
    """The ``notes.yaml`` next to the codebook (empty notes when there is none); a bad file raises NotesError."""
    return EditionNotes() if codebook is None else load_notes(Path(codebook).parent / NOTES_NAME)


def _git(*args: str) -> str | None:
    from helpers import paths

    try:
        proc = subprocess.run(["git", "-C", str(paths.PROJECT_ROOT), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def provenance(codebook: Path | None, frame_year: Any, inputs: Mapping[str, Path]) -> dict[str, Any]:
    """Where this build comes from: commit, clean tree or not, the commit's date, sha256 of the inputs.

    Untracked and changed files outside ``reports/`` and ``data/processed/`` (git-ignored) make the
    tree "not clean". The date shown is the commit's, not the clock's, so a rebuild of the same
    commit and inputs gives the same bytes; ``versions`` names the package versions file.
    """
    from helpers import paths

    files = dict(inputs)
    if codebook is not None:
        files["codebook"] = Path(codebook)
    if frame_year:
        files["frame"] = paths.frame_path(int(frame_year))
    hashed = {
        name: {"label": INPUT_LABELS.get(name, name), "file": _shown_path(f), "sha256": file_digest(f)}
        for name, f in files.items()
        if Path(f).is_file()
    }
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain") if commit else None
    date = _git("log", "-1", "--format=%cs") if commit else None
    return {
        "commit": commit or "onbekend",
        "clean": None if status is None else status == "",
        "commit_date": date or "",
        "commit_date_nl": dutch_date(date) if date else "onbekend",
        "inputs": hashed,
        "versions": VERSIONS_FILE,
    }


def _shown_path(path: Path) -> str:
    from helpers import paths

    path = Path(path).resolve()
    return path.relative_to(paths.PROJECT_ROOT).as_posix() if path.is_relative_to(paths.PROJECT_ROOT) else path.name


def package_versions() -> str:
    """``name==version`` of every installed Python package (sorted), Python and the PDF tools' versions."""
    from importlib.metadata import distributions

    lines = [f"python=={sys.version.split()[0]}"]
    lines += sorted(
        {f"{d.metadata['Name']}=={d.version}" for d in distributions() if d.metadata["Name"]}, key=str.lower
    )
    for tool in ("xelatex", "pandoc"):
        try:
            out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines.append(f"# {out.splitlines()[0] if out else tool}")
    return "\n".join(lines) + "\n"


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in the environment the kernels and xelatex inherit, then restore it."""
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


def reproducible_env(epoch: int) -> AbstractContextManager[None]:
    """Set SOURCE_DATE_EPOCH, FORCE_SOURCE_DATE=1 and PYTHONHASHSEED=0 for kernels and xelatex, then restore."""
    return environment({"SOURCE_DATE_EPOCH": str(epoch), "FORCE_SOURCE_DATE": "1", "PYTHONHASHSEED": "0"})


#: Cell metadata a run adds (papermill, nbclient, the ExecuteTime extension): never part of an executed notebook.
VOLATILE_CELL_KEYS = ("papermill", "execution", "ExecuteTime")


def clean_executed(nb: Any, replacements: Mapping[str, str]) -> Any:
    """Strip volatile data from an executed notebook (in place, and returned).

    Removes papermill timestamps and durations, nbclient timing metadata and execution counts, gives
    the injected-parameters cell a fixed id, and replaces each ``replacements`` key (the temporary
    build directory) by its value everywhere in the notebook.
    """
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    nb.metadata["papermill"] = {"parameters": params}
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
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
