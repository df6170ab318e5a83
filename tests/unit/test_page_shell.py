"""The build's own HTML pages (contents, claims, changes) have the chapter pages' keyboard structure."""

from __future__ import annotations

import re

from helpers.publish.base.page_shell import HOME, page


def test_a_skip_link_comes_first_and_the_navigation_sits_outside_main() -> None:
    out = page("Beweringen <script>", "<h1>Beweringen</h1>")
    body = out[out.index("<body>") :]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link and 'href="#inhoud"' in first_link.group(0) and 'class="monitor-skip"' in first_link.group(0)
    assert body.index("<nav") < body.index('<main id="inhoud" tabindex="-1">')
    assert f'<a href="{HOME}">Inhoud</a>' in body[: body.index("<main")]
    assert "<title>Beweringen &lt;script&gt;</title>" in out


def test_the_contents_page_does_not_link_to_itself() -> None:
    out = page("Inhoud", "<h1>Inhoud</h1>", home=False)
    assert "<nav" not in out and 'href="#inhoud"' in out
