"""Which notebooks exist, in which order they run and in which order they are printed.

Notebooks are ``NN_name.ipynb``. ``00`` prepares the data and runs first; chapters ``02``–``99`` depend
only on ``00`` and run in parallel; ``01`` (conclusions) reads the chapters' indicators, so it runs last
but is printed first. ``00`` is printed as an appendix ("Bijlage").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_NAME_RE = re.compile(r"^(\d{2})_[A-Za-z0-9_]+\.ipynb$")
PREP, CONCLUSIONS, CHAPTER = "prep", "conclusions", "chapter"


class PlanError(ValueError):
    """The notebooks directory does not follow the ``NN_name.ipynb`` contract."""


@dataclass(frozen=True)
class Notebook:
    """One notebook of the report."""

    path: Path
    number: int

    @property
    def name(self) -> str:
        """File stem, e.g. ``05_education``."""
        return self.path.stem

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def role(self) -> str:
        if self.number == 0:
            return PREP
        if self.number == 1:
            return CONCLUSIONS
        return CHAPTER

    @property
    def chapter_label(self) -> str:
        """Number printed before figures and tables: ``3`` for ``03_policy``, ``A`` for the appendix."""
        return "A" if self.role == PREP else str(self.number)


def discover(notebooks_dir: Path) -> list[Notebook]:
    """All ``NN_name.ipynb`` in ``notebooks_dir`` sorted by number; other files are ignored."""
    found: dict[int, Notebook] = {}
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        m = _NAME_RE.match(path.name)
        if not m:
            continue
        nb = Notebook(path=path, number=int(m.group(1)))
        if nb.number in found:
            raise PlanError(f"two notebooks numbered {m.group(1)}: {found[nb.number].filename}, {path.name}")
        found[nb.number] = nb
    if not found:
        raise PlanError(f"no NN_name.ipynb notebooks in {notebooks_dir}")
    return [found[k] for k in sorted(found)]


def dependencies(notebooks: list[Notebook]) -> dict[str, frozenset[str]]:
    """Dependency graph ``name -> names it needs``: chapters need 00, 01 needs everything else."""
    prep = [nb.name for nb in notebooks if nb.role == PREP]
    chapters = [nb.name for nb in notebooks if nb.role == CHAPTER]
    graph: dict[str, frozenset[str]] = {}
    for nb in notebooks:
        if nb.role == PREP:
            graph[nb.name] = frozenset()
        elif nb.role == CHAPTER:
            graph[nb.name] = frozenset(prep)
        else:
            graph[nb.name] = frozenset(prep + chapters)
    return graph


def stages(notebooks: list[Notebook]) -> list[list[str]]:
    """Topological levels of the graph: every notebook of a stage may run in parallel."""
    graph = dependencies(notebooks)
    done: set[str] = set()
    out: list[list[str]] = []
    order = [nb.name for nb in notebooks]
    while len(done) < len(order):
        level = [n for n in order if n not in done and graph[n] <= done]
        if not level:  # pragma: no cover - the graph above is acyclic by construction
            raise PlanError("dependency cycle")
        out.append(level)
        done.update(level)
    return out


def report_order(notebooks: list[Notebook]) -> list[Notebook]:
    """Printing order: 01 conclusions, then the chapters 02.., then 00 as appendix."""
    by_role = {r: [nb for nb in notebooks if nb.role == r] for r in (CONCLUSIONS, CHAPTER, PREP)}
    return by_role[CONCLUSIONS] + by_role[CHAPTER] + by_role[PREP]
