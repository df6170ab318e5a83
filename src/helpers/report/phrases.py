"""Dutch words for numbers and comparisons: "zestien", "A, B en C", "steeg van 72% naar 84%".

Every direction word in the report comes from here, from a comparison computed in
``analysis.comparisons``; no sentence states a direction the numbers do not show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from helpers.analysis.comparisons import EditionChange, GroupComparison, Position

_UNITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf",
          "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien"]  # fmt: skip
_TENS = ["", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"]
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def number_word(n: int) -> str:
    """A whole number from 0 to 100 in Dutch words ("zestien", "eenentwintig", "honderd"); digits above."""
    n = int(n)
    if n < 0 or n > 100:
        return str(n)
    if n < 20:
        return _UNITS[n]
    if n == 100:
        return "honderd"
    tens, unit = divmod(n, 10)
    if unit == 0:
        return _TENS[tens]
    joint = "ën" if _UNITS[unit].endswith("e") else "en"
    return f"{_UNITS[unit]}{joint}{_TENS[tens]}"


def lower_first(text: str) -> str:
    """Lower-case the first letter for use inside a sentence, unless the word is an abbreviation (UWV, COA)."""
    words = text.split(" ", 1)
    first = words[0]
    letters = re.sub(r"[^A-Za-zÀ-ÿ]", "", first)
    if len(letters) > 1 and letters.isupper():
        return text
    i = next((k for k, ch in enumerate(text) if ch.isalpha()), None)
    return text if i is None else text[:i] + text[i].lower() + text[i + 1 :]


def md_escape(text: str) -> str:
    """Escape Markdown's special characters in a label put into prose."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def join_list(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` -> "a, b en c"."""
    items = list(items)
    if not items:
        raise ValueError("een opsomming heeft minstens één onderdeel nodig")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def change_phrase(change: EditionChange, fmt) -> str:
    """ "steeg van 72% in 2017 naar 84% in 2018", "daalde …", "bleef nagenoeg gelijk (…)", "bleef gelijk (72%)"."""
    a, b = fmt(change.before), fmt(change.after)
    y0, y1 = change.year_before, change.year_after
    if change.direction == "same":
        return f"bleef gelijk ({b} in {y0} en in {y1})"
    if change.direction == "noise":
        return f"bleef nagenoeg gelijk ({a} in {y0}, {b} in {y1})"
    verb = "steeg" if change.direction == "up" else "daalde"
    return f"{verb} van {a} in {y0} naar {b} in {y1}"


def change_verb(change: EditionChange) -> str:
    """Just the verb: "steeg", "daalde", "bleef nagenoeg gelijk", "bleef gelijk"."""
    return {"up": "steeg", "down": "daalde", "noise": "bleef nagenoeg gelijk", "same": "bleef gelijk"}[change.direction]


def change_adverb(change: EditionChange) -> str:
    """For "… is {vaker|minder vaak|even vaak|ongeveer even vaak} dan in 2017": the comparative."""
    return {"up": "vaker", "down": "minder vaak", "noise": "ongeveer even vaak", "same": "even vaak"}[change.direction]


def group_phrase(comparison: GroupComparison) -> str:
    """ "vaker dan", "minder vaak dan" or "ongeveer even vaak als" (large vs medium/small municipalities)."""
    return {"more": "vaker dan", "less": "minder vaak dan", "same": "ongeveer even vaak als"}[comparison.direction]


def position_phrase(where: Position) -> str:
    """ "onder", "binnen" or "boven" (het betrouwbaarheidsinterval)."""
    return {"below": "onder", "inside": "binnen", "above": "boven"}[where]
