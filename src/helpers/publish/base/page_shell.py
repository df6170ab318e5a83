"""The frame of the HTML pages the build writes itself (contents, what changed, claims): one head, one
house style, the synthetic-data banner, and the chapter pages' own script, so that a table too wide for
a narrow screen scrolls inside a box that becomes a named tab stop only while it scrolls (WCAG 1.4.10,
2.1.1).
"""

from __future__ import annotations

from helpers import paths
from helpers.survey.text_escape import html_text

#: The chapter pages' script (``Toon alle code`` and the scroll boxes); it has no template syntax.
SCRIPT_FILE = paths.TEMPLATES_DIR / "monitor_html" / "monitor_script.html.j2"

_CSS = """  body { font-family: sans-serif; max-width: %(width)srem; margin: 2rem auto; padding: 0 1rem;
         line-height: 1.5; overflow-wrap: break-word; }  /* a long word ("a/b") breaks, the page does not widen */
  h1, h2 { hyphens: auto; }
  .banner { padding: .5rem .8rem; border: 1px solid #b45f06; background: #fff4e5; font-style: italic; }
  .monitor-scroll { max-width: 100%%; overflow-x: auto; }
  .monitor-scroll:focus { outline: 2px solid #1f4e79; outline-offset: 2px; }
  .monitor-skip { position: absolute; left: .5rem; top: -3rem; padding: .4rem .8rem; background: #fff;
                  border: 2px solid #1f4e79; }
  .monitor-skip:focus { top: .5rem; }
  nav.monitor-home { margin-bottom: 1rem; }
"""

#: The page the navigation of every own page leads back to (the contents).
HOME = "index.html"


def banner(note: str) -> str:
    """The synthetic-data notice as a paragraph ('' for real data)."""
    return f'<p class="banner">{html_text(note)}</p>\n' if note else ""


def scroll_box(table_html: str) -> str:
    """A table that scrolls sideways on its own on a narrow screen instead of widening the page."""
    return f'<div class="monitor-scroll">{table_html}</div>'


def page(title: str, body: str, *, width_rem: int = 60, css: str = "", home: bool = True) -> str:
    """A whole page: Dutch, responsive, the house style plus ``css``, ``body`` inside ``<main>``; a skip link
    and (``home``) a link back to the contents in a navigation outside ``<main>``, as on the chapter pages."""
    nav = f'<nav class="monitor-home" aria-label="Navigatie"><a href="{HOME}">Inhoud</a></nav>\n' if home else ""
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html_text(title)}</title>
<style>
{_CSS % {"width": width_rem}}{css}</style>
</head>
<body>
<a class="monitor-skip" href="#inhoud">Naar de inhoud</a>
{nav}<main id="inhoud" tabindex="-1">
{body}</main>
{SCRIPT_FILE.read_text(encoding="utf-8")}</body>
</html>
"""
