"""The report build: notebooks → papermill → merged notebook → PDF (XeLaTeX) and reviewer HTML.

Public API: :func:`build_report`, :class:`BuildOptions`, :class:`BuildResult` and :class:`BuildError`;
the command line is ``monitor report --year 2018`` (:mod:`helpers.cli`). See CONVENTIONS §9 for the notebook contract.
"""

from helpers.publish.build.core import BuildError, BuildOptions, BuildResult, build_report

__all__ = ["BuildError", "BuildOptions", "BuildResult", "build_report"]
