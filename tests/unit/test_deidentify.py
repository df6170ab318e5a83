"""The deduce pass of the redaction: one instance per process, its tags mapped to our kinds, trimmed names."""

from __future__ import annotations

import pytest

from helpers.analysis import deidentify
from helpers.analysis.deidentify import deduce_spans, keep_words, model, title_case_capitals
from helpers.analysis.quotes import KINDS


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[a:b], kind) for a, b, kind in deduce_spans(text)]


def test_deduce_is_built_once_per_process():
    assert model() is model()


def test_every_mapped_kind_has_a_placeholder():
    assert set(deidentify.TAG_KINDS.values()) | {"address", "postcode"} <= set(KINDS)


def test_capitals_are_shown_to_deduce_in_title_case_with_the_same_length():
    text = "Overleg met JANSEN en DE GROOT van het UWV en COA."
    out = title_case_capitals(text)
    assert out == "Overleg met Jansen en De Groot van het UWV en COA." and len(out) == len(text)
    assert {"uwv", "coa"} <= keep_words()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Volgens dhr. Yilmaz werkt het.", [("Yilmaz", "name")]),  # the title stays
        ("Bakker zei dat het goed gaat.", [("Bakker", "name")]),  # a bare surname
        ("Het loket zit aan de Stationsstraat 12.", [("Stationsstraat 12", "address")]),
        ("De deelnemers komen uit Hoofddorp.", [("Hoofddorp", "place")]),
        ("Het Rode Kruis en het Rijk helpen.", []),  # kept words
        ("De Koning bezocht ons.", []),  # only everyday words
        ("Het Werkplein 2 dagen per week open.", []),  # a number of days is no house number
    ],
)
def test_deduce_findings_as_our_kinds(text, expected):
    assert _found(text) == expected


def test_findings_are_stored_beside_the_processed_tables_and_reused(tmp_path, monkeypatch):
    """A second process (here: a cleared memory) reads deduce's findings from the store instead of loading
    deduce; a store made under another fingerprint (deduce version, rules) is not used."""
    from helpers.analysis import deidentify

    calls: list[str] = []
    monkeypatch.setattr(deidentify, "_deduce_spans", lambda text: calls.append(text) or [(0, 5, "name")])
    monkeypatch.setattr(deidentify, "_known", {})
    monkeypatch.setattr(deidentify, "_store", [])
    folder = tmp_path / "cache" / "2018"  # created when the first finding is stored
    deidentify.use_store(folder)
    assert deidentify.deduce_spans("Jansen belde.") == [(0, 5, "name")] and calls == ["Jansen belde."]
    stored = folder / deidentify.SPANS_FILE
    assert stored.is_file() and oct(stored.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setattr(deidentify, "_known", {})
    monkeypatch.setattr(deidentify, "_store", [])
    deidentify.use_store(folder)
    assert deidentify.deduce_spans("Jansen belde.") == [(0, 5, "name")] and calls == ["Jansen belde."]
    assert "Jansen" not in stored.read_text(encoding="utf-8")  # offsets under a hash, never the text
    monkeypatch.setattr(deidentify, "_known", {})
    monkeypatch.setattr(deidentify, "_store", [])
    monkeypatch.setattr(deidentify, "fingerprint", lambda: "another deduce")
    deidentify.use_store(folder)
    deidentify.deduce_spans("Jansen belde.")
    assert calls == ["Jansen belde.", "Jansen belde."]
