"""Problems found in the raw inputs of a year, and the one exception that carries them all.

Every check of the loader appends a :class:`Problem` to a :class:`ProblemLog`
instead of raising; at the end of a stage the log raises one
:class:`RawDataError` listing every error (file, physical line, column,
ImportId, value found, what was expected, what to do). Warnings never raise;
they go into the load report and the log. ``str(RawDataError)`` is the grouped
summary; :meth:`RawDataError.full_text` lists every problem.
"""

from __future__ import annotations

import logging
from pathlib import Path

from helpers.load.private import private_dir, private_file
from helpers.survey.input_errors import InputError, Problem

__all__ = ["Problem", "ProblemLog", "RawDataError", "write_problems"]

logger = logging.getLogger("helpers.load.export")

PROBLEMS_NAME = "problems.txt"


class RawDataError(InputError):
    """The raw inputs of a year cannot be loaded; ``problems`` holds every error found (warnings excluded)."""


class ProblemLog:
    """Collects problems of one file (``file=`` names another one); ``raise_if_errors`` ends a stage."""

    def __init__(self, file: str, year: int | None = None):
        self.file = file
        self.year = year
        self.problems: list[Problem] = []

    def command(self, *options: str) -> str:
        """The command a hint names, e.g. ``make data YEAR=2019 ENCODING=cp1252``."""
        return " ".join(["make data", f"YEAR={self.year if self.year is not None else '<jaar>'}", *options])

    def error(self, kind: str, message: str, **where) -> None:
        where.setdefault("file", self.file)
        self.problems.append(Problem(kind=kind, message=message, **where))

    def warning(self, kind: str, message: str, **where) -> None:
        where.setdefault("file", self.file)
        problem = Problem(kind=kind, message=message, severity="warning", **where)
        self.problems.append(problem)
        logger.warning(problem.render())

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        errors = self.errors
        if errors:
            errors.sort(key=lambda p: (p.file != self.file, p.file, p.line is not None, p.line or 0))
            raise RawDataError(self.file, errors)


def write_problems(error: InputError, path: str | Path) -> Path:
    """Write the full, grouped list of ``error`` to ``path``; returns the path.

    The list quotes cell values, so its folder is made owner-only (0700) before the file is written, and the
    file itself 0600.
    """
    path = Path(path)
    private_dir(path.parent)
    path.write_text(error.full_text() + "\n", encoding="utf-8")
    return private_file(path)
