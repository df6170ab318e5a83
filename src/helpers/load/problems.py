"""Problems found in a raw export, and the one exception that carries them all.

Every check of the loader appends a :class:`Problem` to a :class:`ProblemLog`
instead of raising; at the end of a stage the log raises one
:class:`RawDataError` listing every error (file, physical line, column,
ImportId, value found, what was expected, what to do). Warnings never raise;
they go into the load report and the log.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Literal

logger = logging.getLogger("helpers.load.export")

Severity = Literal["error", "warning"]

#: How many problems the exception message lists before summarising the rest.
MAX_LISTED = 60


@dataclass(frozen=True)
class Problem:
    """One finding, located as precisely as the file allows."""

    kind: str  #: stable identifier, e.g. ``code_outside_scale`` (tests and tools key on it)
    message: str  #: what is wrong, in Dutch
    file: str
    line: int | None = None  #: physical line in the file (1 = first header row)
    column: str | None = None  #: column name as written in the file
    import_id: str | None = None
    value: str | None = None  #: the value found, verbatim
    expected: str | None = None
    action: str | None = None  #: what the researcher should do
    severity: Severity = "error"

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", regel {self.line}"
        if self.column is not None:
            where += f", kolom {self.column or repr('')}"
            if self.import_id:
                where += f" ({self.import_id})"
        elif self.import_id:
            where += f", ImportId {self.import_id}"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" Gevonden: {self.value!r}."
        if self.expected:
            text += f" Verwacht: {self.expected}."
        if self.action:
            text += f" Oplossing: {self.action}"
        return text

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None} | {"text": self.render()}


class RawDataError(ValueError):
    """A raw export cannot be loaded; ``problems`` holds every error found (warnings excluded)."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__(_summary(file, problems))


def _summary(file: str, problems: list[Problem]) -> str:
    lines = {p.line for p in problems if p.line is not None}
    head = f"{file}: {len(problems)} fout(en)"
    if lines:
        head += f" op {len(lines)} regel(s)"
    head += "; het bestand is niet ingelezen."
    body = [f"  {i}. {p.render()}" for i, p in enumerate(problems[:MAX_LISTED], start=1)]
    if len(problems) > MAX_LISTED:
        body.append(f"  … en nog {len(problems) - MAX_LISTED} fout(en); zie RawDataError.problems.")
    return "\n".join([head, *body])


class ProblemLog:
    """Collects problems of one file; ``raise_if_errors`` ends a stage."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def error(self, kind: str, message: str, **where) -> None:
        self.problems.append(Problem(kind=kind, message=message, file=self.file, **where))

    def warning(self, kind: str, message: str, **where) -> None:
        problem = Problem(kind=kind, message=message, file=self.file, severity="warning", **where)
        self.problems.append(problem)
        logger.warning(problem.render())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        errors = self.errors
        if errors:
            errors.sort(key=lambda p: (p.line is not None, p.line or 0))
            raise RawDataError(self.file, errors)
