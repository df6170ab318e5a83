"""Shared, tested logic of the Monitor arbeidstoeleiding statushouders.

Notebooks stay thin: they call into these modules for loading, tables,
statistics, plots, figure numbering and the build.
"""

__version__ = "0.1.0"
