"""Why a passage of prose cannot be printed this year (the passage is left out with one line), and the
errors a notebook author sees as one located Dutch line."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpers.survey.lineage import Resolution


class LocatedError(ValueError):
    """An error whose message starts with where it happened (``report.location.describe``). JupyterLab shows
    only that message, no traceback (IPython's ``_render_traceback_``); the build prints it as its one line."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class Suppressed(LookupError):
    """A number rests on fewer than ``MIN_BASE`` municipalities and may not be shown."""


class NoComparison(LookupError):
    """No earlier edition asked the question comparably (or gave this category)."""


class QuestionGone(LookupError):
    """A question a notebook refers to has no comparable version this year (dropped or replaced)."""

    def __init__(self, resolution: Resolution, message: str):
        self.resolution = resolution
        super().__init__(message)
