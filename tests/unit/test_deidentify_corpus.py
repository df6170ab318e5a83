"""Redaction measured on a labelled corpus of invented civil-servant sentences (tests/fixtures/pii_corpus.yaml).

Recall per category: the share of labelled spans whose every letter and digit was redacted. False
redaction: the share of ordinary words (outside every label) that a placeholder replaced. Run this file
as a script to print the table and every miss and false redaction.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.analysis.quotes import redact
from helpers.paths import frame_path

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "pii_corpus.yaml"
_MARK = re.compile(r"\{(\w+):([^{}]*)\}")
#: recall 100% is required for these categories; municipalities, places and dates are reported
REQUIRED = ("naam", "contact", "adres", "id")
MAX_FALSE_SHARE = 0.02


@dataclass
class Sentence:
    text: str
    labels: list[tuple[int, int, str]]  #: (start, end, category) in ``text``


@dataclass
class Measure:
    found: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    false_words: list[str] = field(default_factory=list)
    ordinary_words: int = 0
    sentences: int = 0

    def recall(self, category: str) -> float:
        return self.found[category] / self.total[category]

    @property
    def false_share(self) -> float:
        return len(self.false_words) / self.ordinary_words

    def table(self) -> str:
        rows = [f"| {c} | {self.found[c]}/{self.total[c]} | {self.recall(c):.1%} |" for c in sorted(self.total)]
        return "\n".join(
            [
                f"{self.sentences} sentences, {sum(self.total.values())} labelled spans",
                "| category | found | recall |",
                "|---|---|---|",
                *rows,
                f"false redaction: {len(self.false_words)}/{self.ordinary_words} ordinary words "
                f"= {self.false_share:.2%}",
            ]
        )


def parse(marked: str) -> Sentence:
    """The sentence without markup, with its labelled spans."""
    text, labels, pos = [], [], 0
    length = 0
    for m in _MARK.finditer(marked):
        before = marked[pos : m.start()]
        text.append(before)
        length += len(before)
        labels.append((length, length + len(m.group(2)), m.group(1)))
        text.append(m.group(2))
        length += len(m.group(2))
        pos = m.end()
    text.append(marked[pos:])
    return Sentence("".join(text), labels)


def load_corpus(path: Path = CORPUS) -> list[Sentence]:
    return [parse(s) for s in yaml.safe_load(path.read_text(encoding="utf-8"))["sentences"]]


def _covered(spans: tuple[tuple[int, int, str], ...], start: int, end: int, text: str) -> bool:
    """Every letter and digit of ``text[start:end]`` lies inside a redacted span."""
    return all(any(a <= i < b for a, b, _ in spans) for i in range(start, end) if text[i].isalnum())


def measure(sentences: list[Sentence], names: list[str]) -> Measure:
    out = Measure(sentences=len(sentences))
    for s in sentences:
        red = redact(s.text, names)
        for a, b, category in s.labels:
            out.total[category] += 1
            if _covered(red.spans, a, b, s.text):
                out.found[category] += 1
            else:
                out.misses.append(f"{category}: {s.text[a:b]!r} in {red.text!r}")
        for m in re.finditer(r"[^\W_]+", s.text):
            if any(a <= m.start() < b for a, b, _ in s.labels):
                continue
            out.ordinary_words += 1
            if any(a <= m.start() < b for a, b, _ in red.spans):
                out.false_words.append(f"{m.group()!r} in {red.text!r}")
    return out


@pytest.fixture(scope="module")
def measured() -> Measure:
    names = list(pd.read_csv(frame_path(2018))["gemeentenaam"])
    return measure(load_corpus(), names)


def test_corpus_is_large_and_labelled():
    sentences = load_corpus()
    assert len(sentences) >= 200
    categories = Counter(c for s in sentences for _, _, c in s.labels)
    assert set(categories) == {"naam", "contact", "adres", "id", "gemeente", "plaats", "datum"}
    assert sum(1 for s in sentences if not s.labels) >= 80  # ordinary sentences with capitalised words
    assert all("{" not in s.text and "}" not in s.text for s in sentences)


@pytest.mark.parametrize("category", REQUIRED)
def test_recall_is_complete_for_names_contact_addresses_and_identifiers(measured, category):
    missed = [m for m in measured.misses if m.startswith(f"{category}:")]
    assert measured.recall(category) == 1.0, "\n".join(missed)


def test_recall_of_municipalities_places_and_dates(measured):
    for category in ("gemeente", "plaats", "datum"):
        assert measured.recall(category) >= 0.9, measured.table() + "\n" + "\n".join(measured.misses)


def test_ordinary_words_are_rarely_redacted(measured):
    assert measured.false_share <= MAX_FALSE_SHARE, measured.table() + "\n" + "\n".join(measured.false_words)


def test_parse_keeps_offsets():
    s = parse("Bel {naam:Jan} op {contact:06-12345678}.")
    assert s.text == "Bel Jan op 06-12345678." and [s.text[a:b] for a, b, _ in s.labels] == ["Jan", "06-12345678"]


if __name__ == "__main__":  # python tests/unit/test_deidentify_corpus.py [other_corpus.yaml]
    import sys

    result = measure(
        load_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS),
        list(pd.read_csv(frame_path(2018))["gemeentenaam"]),
    )
    print(result.table())
    print("\nmisses:", *result.misses, sep="\n  ")
    print("\nfalse redactions:", *result.false_words, sep="\n  ")
