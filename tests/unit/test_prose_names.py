"""The prose vocabulary registers itself: ``docs/PROSE.md`` is written from it and every example works."""

from __future__ import annotations

import inspect

import pytest

from helpers.report.prose import PROSE_PAGE, VOCABULARY, Prose, ProseError, reference_page
from helpers.report.prose_names import CONDITION, FILTER, NUMBER, Entry, entries, names, placeholder, reference

#: Public methods of the vocabulary classes that are bookkeeping, not words a block can use.
_BOOKKEEPING = {"reset_bases", "take_computed", "note_computed"}


def test_the_reference_page_is_up_to_date() -> None:
    assert PROSE_PAGE.read_text(encoding="utf-8") == reference_page(), (
        "docs/PROSE.md klopt niet meer met de code: python -m helpers prose-help --write"
    )


def test_every_public_function_of_the_vocabulary_is_registered() -> None:
    registered = {e.name for e in entries(VOCABULARY)}
    for cls in VOCABULARY:
        public = {n for n, m in inspect.getmembers(cls, callable) if not n.startswith("_")} - _BOOKKEEPING
        assert public <= registered, f"{cls.__name__}: niet geregistreerd: {sorted(public - registered)}"


@pytest.fixture
def prose(chapter) -> Prose:
    return Prose(chapter)


def test_a_block_sees_exactly_the_registered_names(prose: Prose) -> None:
    documented = {e.name for e in entries(VOCABULARY) if e.kind is not FILTER}
    assert set(prose.functions) == documented
    assert {e.name for e in entries(VOCABULARY) if e.kind is FILTER} <= set(prose.env.filters)


def test_every_example_of_the_page_renders_on_the_2018_edition(tmp_path, monkeypatch) -> None:
    """Each entry's example is a valid call (names, keys and keywords exist in the 2018 codebook)."""
    from helpers.report.claims import DRAFT_ENV
    from helpers.report.notebook import open_chapter

    monkeypatch.setenv(DRAFT_ENV, "1")  # a condition that does not hold is marked, not raised
    prose = Prose(open_chapter(2018, tmp_path, name="03_policy"))
    for entry in entries(VOCABULARY):
        claim = entry.kind is CONDITION
        block = f"{{% claim {entry.example} %}}x{{% endclaim %}}" if claim else f"{{{{ {entry.example} }}}}"
        try:
            prose.render(block)
        except ProseError as exc:
            pytest.fail(f"{entry.name}: het voorbeeld {entry.example!r} werkt niet: {exc}")


class _Twice:
    @placeholder(NUMBER, "Eén.", "a()")
    def a(self) -> str:
        return "1"


class _Again:
    @placeholder(NUMBER, "Nog eens.", "a()")
    def a(self) -> str:
        return "2"


def test_a_name_defined_twice_is_an_error_and_names_bind_to_the_object() -> None:
    with pytest.raises(ValueError, match="staat al in de woordenschat"):
        entries([_Twice, _Again])
    assert names(_Again())["a"]() == "2"
    page = reference([Entry("a", NUMBER, "Eén ``x``.", "a()", "a() -> str")], "# Titel")
    assert "### `a`" in page and "Eén `x`." in page and "Voorbeeld: `{{ a() }}`" in page
