"""Half-up rounding and Dutch number formatting (``60%``, ``9,3``, ``n=282``)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from helpers.survey.vocabulary import SUPPRESSED


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


MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def dutch_date(value: str | dt.date) -> str:
    """An ISO date (``"2018-03-05"`` or a ``date``) written out in Dutch: ``"5 maart 2018"``."""
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def format_value(value: float, stat: str, *, decimals: int | None = None, percent: bool = False) -> str:
    """Dutch display of one indicator value by its stat (pct 0 decimals, means 1 unless percent)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    if stat == "pct" or (stat in ("mean", "median") and percent):
        return fmt_pct(value, 0 if decimals is None else decimals)
    if stat in ("count", "min", "max"):
        return fmt_number(value, 0 if decimals is None else decimals)
    if stat == "p":
        return "< 0,001" if value < 0.001 else fmt_number(value, 3 if decimals is None else decimals)
    return fmt_number(value, 1 if decimals is None else decimals)
