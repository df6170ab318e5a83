"""Dutch words for numbers and comparisons: "zestien", "A, B en C", "steeg van 72% naar 84%".

Every direction word in the report comes from here, from a comparison computed in
``analysis.comparisons``; no sentence states a direction the numbers do not show.
"""

from __future__ import annotations

from collections.abc import Sequence

from helpers.analysis.comparisons import EditionChange, GroupComparison, Position
from helpers.analysis.frame_change import FrameChange
from helpers.survey.formatting import round_half_up

_UNITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf",
          "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien"]  # fmt: skip
_TENS = ["", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"]


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


#: (lowest rounded share, words) from high to low: "{{ quantity(...) }} gemeenten".
QUANTITIES = (
    (100, "alle"),
    (90, "vrijwel alle"),
    (60, "de meeste"),
    (51, "iets meer dan de helft van de"),
    (50, "de helft van de"),
    (40, "iets minder dan de helft van de"),
    (10, "een minderheid van de"),
    (1, "een klein deel van de"),
    (0, "geen van de"),
)


def quantity_words(share: float) -> str:
    """A share of municipalities (0–100) in words, by its rounded value: 93 -> "vrijwel alle"."""
    rounded = round_half_up(share, 0)
    return next(words for low, words in QUANTITIES if rounded >= low)


def lower_first(text: str) -> str:
    """Lower-case the first letter for use inside a sentence, unless it starts an abbreviation (UWV, SW-bedrijf)."""
    letters = [ch for ch in text.split(" ", 1)[0] if ch.isalpha()]
    if len(letters) > 1 and letters[0].isupper() and letters[1].isupper():
        return text
    i = next((k for k, ch in enumerate(text) if ch.isalpha()), None)
    return text if i is None else text[:i] + text[i].lower() + text[i + 1 :]


def frame_change_sentence(change: FrameChange, previous: int, year: int) -> str:
    """What the reorganisations between two editions' frames mean for the reader, in Dutch."""
    parts = [f"{join_list(list(m.old))} gingen op in {m.new[0]}" for m in change.merged]
    parts += [f"{m.old[0]} werd verdeeld over {join_list(list(m.new))}" for m in change.divided]
    days = sorted({m.year for m in (*change.merged, *change.divided)})
    when = join_list([f"1 januari {y}" for y in days]) if days else f"1 januari {change.year_after}"
    first = (
        f"Sinds de monitor van {previous} zijn gemeenten heringedeeld. Op {when}: {'; '.join(parts)}."
        if parts
        else f"Sinds de monitor van {previous} is de gemeentelijst veranderd."
    )
    count = (
        f" De gemeentelijst van deze monitor (1 januari {change.year_after}) telt {change.n_after} gemeenten, "
        f"die van {previous} (1 januari {change.year_before}) {change.n_before}."
    )
    meaning = (
        f" Cijfers van {previous} en eerder gaan over de gemeenten van toen; een vergelijking met die jaren "
        "vergelijkt dus niet precies dezelfde verzameling gemeenten."
    )
    return first + count + meaning


def join_list(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` -> "a, b en c"."""
    items = list(items)
    if not items:
        raise ValueError("een opsomming heeft minstens één onderdeel nodig")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def change_phrase(change: EditionChange, fmt) -> str:
    """ "steeg van 72% in 2017 naar 84% in 2018", "daalde …", "bleef nagenoeg gelijk (…)", "bleef gelijk (72%)".

    A change restricted to part of the municipalities (``change.among``, e.g. after a routing change)
    says so: "bleef gelijk (44% in 2019 en in 2020, bij de gemeenten die de vraag in beide edities kregen)".
    """
    a, b = fmt(change.before, change.before_decimals), fmt(change.after, None)
    y0, y1 = change.year_before, change.year_after
    among = f", {change.among}" if change.among else ""
    if change.direction == "same":
        return f"bleef gelijk ({b} in {y0} en in {y1}{among})"
    if change.direction == "noise":
        return f"bleef nagenoeg gelijk ({a} in {y0}, {b} in {y1}{among})"
    verb = "steeg" if change.direction == "up" else "daalde"
    return f"{verb} van {a} in {y0} naar {b} in {y1}" + (f" ({change.among})" if change.among else "")


def change_verb(change: EditionChange) -> str:
    """Just the verb: "steeg", "daalde", "bleef nagenoeg gelijk", "bleef gelijk"."""
    return {"up": "steeg", "down": "daalde", "noise": "bleef nagenoeg gelijk", "same": "bleef gelijk"}[change.direction]


def change_adverb(change: EditionChange) -> str:
    """For "… is {vaker|minder vaak|even vaak|ongeveer even vaak} dan in 2017": the comparative."""
    return {"up": "vaker", "down": "minder vaak", "noise": "ongeveer even vaak", "same": "even vaak"}[change.direction]


def _group_words(comparison: GroupComparison, more: str, less: str, same: str) -> str:
    if comparison.direction == "more":
        return more
    if comparison.direction == "less":
        return less
    if round_half_up(comparison.large, 0) == round_half_up(comparison.small, 0):
        return same
    return f"niet aantoonbaar {more if comparison.large > comparison.small else less}"


def group_phrase(comparison: GroupComparison) -> str:
    """Large (G4, G40) against medium/small municipalities: "vaker dan", "minder vaak dan", "even vaak als",
    or "niet aantoonbaar vaker dan" when the difference is within what the test calls chance."""
    return _group_words(comparison, "vaker dan", "minder vaak dan", "even vaak als")


def group_mean_phrase(comparison: GroupComparison) -> str:
    """The same for means: "hoger dan", "lager dan", "even hoog als", "niet aantoonbaar hoger dan"."""
    return _group_words(comparison, "hoger dan", "lager dan", "even hoog als")


def position_phrase(where: Position) -> str:
    """ "onder", "binnen" or "boven" (het betrouwbaarheidsinterval)."""
    return {"below": "onder", "inside": "binnen", "above": "boven"}[where]
