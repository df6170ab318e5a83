"""Why a passage of prose cannot be printed this year (the passage is left out with one line)."""

from __future__ import annotations


class Suppressed(LookupError):
    """A number rests on fewer than ``MIN_BASE`` municipalities and may not be shown."""


class NoComparison(LookupError):
    """No earlier edition asked the question comparably (or gave this category)."""
