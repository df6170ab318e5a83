"""Half-up rounding and Dutch number formatting (``60%``, ``9,3``, ``n=282``)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round half away from zero, as printed reports do (2.5 -> 3, 9.35 -> 9.4).

    Python's ``round`` rounds half to even and works on the binary value, so
    ``round(0.125, 2) == 0.12``; we go through ``repr`` to round the decimal the
    reader sees.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    quant = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quant, rounding=ROUND_HALF_UP))


def fmt_number(value: float, decimals: int = 1) -> str:
    """Dutch decimal: ``9,3``; thousands with a dot: ``17.181.084``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    rounded = round_half_up(value, decimals)
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_pct(value: float, decimals: int = 0) -> str:
    """A percentage on the 0–100 scale: ``60%``, ``12,5%``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{fmt_number(value, decimals)}%"


def fmt_n(n: int) -> str:
    """The base of a table or figure: ``n=282``."""
    return f"n={int(n)}"
