"""Years written inside question and option texts: wording that goes stale in the next edition.

A text such as "in 2019 gestart" or "vanaf 2021 de regie" is true of one questionnaire; ``make
new-year`` copies it into the next codebook, where nothing says it is out of date. Every such text
is listed (:func:`year_mentions`) until the codebook confirms it for its own year with
``text_checked: <year>`` on the question (or on the shared scale): a confirmation of an earlier
year, copied forward by ``make new-year``, does not count. ``make data`` and ``make new-year``
turn the list into warnings with the codebook line (:func:`located_mentions`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.survey.codebook import Codebook, Item, Option, Question

#: A calendar year written in a text (1900–2099), not part of a longer number or an amount.
YEAR_IN_TEXT = re.compile(r"(?<![\d.,€])(?:19|20)\d{2}(?![\d.,]\d)(?!\s*(?:euro|EUR)\b)")
#: The codebook field that confirms the years in a question's (or scale's) texts for one edition.
CONFIRM_FIELD = "text_checked"

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class YearMention:
    """One text of the codebook that names a year."""

    question: str  #: question id, or ``scale:<name>`` for a shared scale's option
    where: str  #: which text: ``text``, ``short``, ``optie <key>``, ``onderdeel <key>``
    text: str
    years: tuple[int, ...]
    location: Location  #: position in the YAML file (for its line)

    def message(self, edition: int) -> str:
        """One Dutch line: what names which year and how to fix or confirm it."""
        years = " en ".join(str(y) for y in self.years)
        owner = (
            f"De gedeelde schaal {self.question.split(':', 1)[1]}"
            if self.question.startswith("scale:")
            else f"Vraag {self.question}"
        )
        field = "de vraagtekst" if self.where == "text" else self.where
        return (
            f"{owner}: {field} noemt het jaar {years} (‘{_excerpt(self.text, self.years[0])}’). Een jaartal in een "
            f"tekst veroudert: klopt het nog voor de vragenlijst van {edition}?"
        )


def confirm_action(mention: YearMention, edition: int) -> str:
    """What to do about a year in a text (Dutch)."""
    place = "bij de schaal" if mention.question.startswith("scale:") else "bij de vraag"
    return (
        f"Pas de tekst aan aan de vragenlijst van {edition} (een andere formulering is een nieuw id met "
        f"comparable_with), of bevestig dat hij zo gesteld is met {CONFIRM_FIELD}: {edition} {place} in codebook.yaml."
    )


def _excerpt(text: str, year: int, width: int = 40) -> str:
    line = " ".join(text.split())
    at = line.find(str(year))
    start, end = max(0, at - width), min(len(line), at + 4 + width)
    return ("…" if start else "") + line[start:end].strip() + ("…" if end < len(line) else "")


def years_in(text: str | None) -> tuple[int, ...]:
    """The years a text names, in order, each once."""
    return tuple(dict.fromkeys(int(m.group(0)) for m in YEAR_IN_TEXT.finditer(text or "")))


def _category_texts(cats: Sequence[Option | Item], kind: str, field: str) -> Iterator[tuple[str, str, Location]]:
    for j, c in enumerate(cats):
        yield f"{kind} {c.key}", c.label, (field, j, "label")
        if c.short:
            yield f"{kind} {c.key} (short)", c.short, (field, j, "short")


def _question_texts(q: Question) -> Iterator[tuple[str, str, Location]]:
    yield "text", q.text, ("text",)
    if q.short:
        yield "short", q.short, ("short",)
    yield from _category_texts(q.options, "optie", "options")
    yield from _category_texts(q.items, "onderdeel", "items")


def year_mentions(codebook: Codebook) -> list[YearMention]:
    """Every question, option and item text (and shared-scale option) that names a year not confirmed
    for ``codebook.year`` with ``text_checked``."""
    out: list[YearMention] = []
    for i, q in enumerate(codebook.questions):  # as written: a scale's options belong to the scale
        if q.text_checked == codebook.year:
            continue
        for where, text, loc in _question_texts(q):
            if years := years_in(text):
                out.append(YearMention(q.id, where, text, years, ("questions", i, *loc)))
    for name, scale in codebook.scales.items():
        if scale.text_checked == codebook.year:
            continue
        for where, text, loc in _category_texts(scale.options, "optie", "options"):
            if years := years_in(text):
                out.append(YearMention(f"scale:{name}", where, text, years, ("scales", name, *loc)))
    return out


def located_mentions(codebook: Codebook, path: str | Path | None) -> list[tuple[YearMention, int | None]]:
    """:func:`year_mentions` with the line of each text in the codebook file (None without a readable file)."""
    mentions = year_mentions(codebook)
    locate: Callable[[Location], int | None] = lambda _loc: None  # noqa: E731
    if mentions and path is not None and Path(path).is_file():
        from helpers.survey.yaml_files import YamlError, read_yaml_located

        with contextlib.suppress(YamlError):
            _, locate = read_yaml_located(path)
    return [(m, locate(m.location)) for m in mentions]
