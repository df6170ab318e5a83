"""The build's own pages (contents, claims, changes) reflow at 320 px: a long word without a break opportunity
(an answer label such as "loonkostensubsidie/loondispensatie") wraps instead of widening the page (WCAG 1.4.10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_html_keyboard import measure, needs_browser

from helpers.publish.base.page_shell import page, scroll_box

pytestmark = pytest.mark.slow

LONG = "‘(Tijdelijke) loonkostensubsidie/loondispensatie/loonwaardebepaling/werkfit-trajecten’"


@needs_browser
def test_an_own_page_with_long_words_and_a_wide_table_does_not_scroll_sideways(tmp_path: Path) -> None:
    cells = "".join(f"<th scope='col'>Kolomkop{i}</th>" for i in range(8))
    body = f"<h1>Titel</h1>\n<ul><li>{LONG}: steeg</li></ul>\n<p>{LONG}</p>\n" + scroll_box(
        f"<table><thead><tr>{cells}</tr></thead></table>"
    )
    target = tmp_path / "own.html"
    target.write_text(page("Eigen pagina", body), encoding="utf-8")
    result = measure(target, 320)
    assert result["scrollWidth"] <= result["clientWidth"], result
