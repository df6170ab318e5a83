"""The report build: notebooks → papermill → merged notebook → PDF (XeLaTeX) and reviewer HTML.

Public API: :func:`build_report`, :class:`BuildResult`, :class:`BuildError` and :func:`main`
(``python -m helpers.publish --year 2018``). See CONVENTIONS §9 for the notebook contract.
"""

from helpers.publish.cli import main
from helpers.publish.core import BuildError, BuildResult, build_report

__all__ = ["BuildError", "BuildResult", "build_report", "main"]
