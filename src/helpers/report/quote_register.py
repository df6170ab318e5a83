"""Which open answers a notebook quoted: ``<out_dir>/quotes/<notebook>.csv`` (assembled into ``quotes.csv``).

Every quote that reaches the report is listed for the reviewer with its stable id (which
``notes.yaml`` can exclude), its size class, the text as printed and what the redaction removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from helpers.analysis.quotes import Quote
from helpers.report.part_files import write_part
from helpers.survey.vocabulary import QUOTE_COLUMNS, QUOTES_DIR


class QuoteRegister:
    """The quotes of one notebook, rewritten whole at each addition (like the indicator parts)."""

    def __init__(self, out_dir: Path, notebook: str, chapter: int):
        self.path = Path(out_dir) / QUOTES_DIR / f"{notebook}.csv"
        self.chapter = chapter
        self.rows: list[dict[str, object]] = []

    def add(self, quotes: Iterable[Quote]) -> None:
        for q in quotes:
            row = {"chapter": self.chapter, "question": q.question, "quote_id": q.id, "size_class": q.size_class,
                   "text": q.text, "redacted": ", ".join(q.redactions)}  # fmt: skip
            if row not in self.rows:
                self.rows.append(row)
        write_part(self.path, QUOTE_COLUMNS, self.rows)


def alternate(quotes: Sequence[Quote], k: int | None) -> list[Quote]:
    """Up to ``k`` quotes taking turns between size classes, so they are not all from one kind of municipality;
    an answer worded the same as one already chosen (case and spacing aside) is quoted once."""
    by_class: dict[str, list[Quote]] = {}
    seen: set[str] = set()
    for q in quotes:
        key = " ".join(q.text.casefold().split())
        if key not in seen:
            seen.add(key)
            by_class.setdefault(q.size_class, []).append(q)
    order: list[Quote] = []
    for rank in range(max((len(v) for v in by_class.values()), default=0)):
        order += [v[rank] for v in by_class.values() if rank < len(v)]
    return order if k is None else order[:k]
