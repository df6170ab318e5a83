"""Text is data: every string that did not come from a notebook author, made inert for its output.

Open answers, codebook labels and texts, municipality names and notes are written into Markdown
(which pandoc turns into LaTeX and nbconvert into HTML), LaTeX, HTML, CSV and XLSX. Each output has
one function here, and every writer of that output calls it; nothing a respondent types can become
a command, a tag, a link or a formula.

- ``markdown_text``: the characters that Markdown, pandoc or nbconvert read as inline markup
  (``\\ ` * _ { } [ ] < > # | $ & ~ ^ @``, and a parenthesis after a backslash) backslash-escaped
  (CommonMark and pandoc both read ``\\<punct>`` as the character itself), and a start that would open
  a block (list, heading, quote, title block) too; line breaks folded, control characters dropped: no
  emphasis, heading, list, link, HTML tag, entity, math or raw LaTeX can come from data, and numbers
  and typography (``72%``, ``G4-gemeente``, quotes) are left as they are. ``SafeMarkdown`` marks
  Markdown the package composed from escaped parts.
- ``latex_text``: every LaTeX special as its text command; no command, group or ``\\href``.
- ``html_text``: ``html.escape`` with quotes; links only where the build makes them.
- ``spreadsheet_cell``: the OWASP rule for CSV/XLSX: a text that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return and is not a number gets a leading ``'``.
"""

from __future__ import annotations

import html
import math
import re
import string
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a frame is escaped: the HTML and LaTeX escapers stay light
    import pandas as pd

_INLINE = re.compile(
    r"[\\`*_{}\[\]<>#|$&~^@]"  # markup anywhere
    r"|(?<=\\)[()]"  # \( \) opens math in pandoc's tex_math_double_backslash
    r"|(?<=[A-Za-z]):(?=//)|(?<=\bwww)\.",  # a bare URL (http://, www.) that a renderer would turn into a link
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t]{2,}")
#: What opens a block when it starts a line: a list, heading, quote, table, title block, definition.
_BLOCK_START = re.compile(r"^(\s*)(\d+(?=[.)])|)([-+=:%.)>|])")
_ESCAPED = re.compile(r"\\([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def plain(text: object) -> str:
    """``text`` as one line of printable characters: line breaks become spaces, other control and
    format characters (NUL, bidi overrides, zero-width) are dropped."""
    s = _LINE_BREAKS.sub(" ", str(text))
    return "".join(ch for ch in s if ch in " \t" or unicodedata.category(ch)[0] != "C").replace("\t", " ")


#: The fonts of the PDF (templates/monitor_latex, templates/feedback_latex), where Debian's fonts-dejavu puts them.
PDF_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
PDF_FONTS = ("DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic",
             "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique")  # fmt: skip
#: What stands for a character that none of the fonts can print.
NO_GLYPH = "?"


@cache
def _glyphs() -> frozenset[int] | None:
    """Code points every PDF font can print (None when the fonts are not installed: nothing to protect)."""
    from fontTools.ttLib import TTFont

    sets = []
    for name in PDF_FONTS:
        found = next((d / f"{name}.ttf" for d in PDF_FONT_DIRS if (d / f"{name}.ttf").is_file()), None)
        if found is None:
            return None
        sets.append(set(TTFont(found, lazy=True).getBestCmap()))
    return frozenset(set.intersection(*sets))


def printable(text: str) -> str:
    """``text`` with every character the PDF's fonts lack replaced (its compatibility form, else ``?``):
    an emoji or a full-width sign in an open answer can never stop the build."""
    glyphs = _glyphs() if any(ord(c) > 0x2FF for c in text) else None
    if glyphs is None:
        return text
    out = []
    for ch in text:
        if ord(ch) in glyphs or ch in " \t":
            out.append(ch)
            continue
        compat = unicodedata.normalize("NFKC", ch)
        out.append(compat if all(ord(c) in glyphs for c in compat) else NO_GLYPH)
    return "".join(out)


class SafeMarkdown(str):
    """Markdown composed by the package whose data parts already went through ``markdown_text``."""


def markdown_text(text: object) -> str:
    """``text`` for Markdown that pandoc (PDF) and nbconvert (HTML) read: inert, on one line."""
    if isinstance(text, SafeMarkdown):
        return text
    inline = _INLINE.sub(lambda m: "\\" + m.group(0), _SPACES.sub(" ", printable(plain(text))))
    return _BLOCK_START.sub(r"\1\2\\\3", inline, count=1)


def markdown_plain(markdown: str) -> str:
    """The text a reader sees of escaped Markdown (backslash escapes removed), for registers and CSV."""
    return _ESCAPED.sub(r"\1", markdown)


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "%": r"\%",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "`": r"\textasciigrave{}",
    "'": r"\textquotesingle{}",
    "-": r"-{}",
    "[": r"{[}",
    "]": r"{]}",
}
_LATEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def latex_text(text: object) -> str:
    """``text`` for a LaTeX document: every special character as text, so it can never be a command."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_SPECIALS[m.group(0)], printable(plain(text)))


def html_text(text: object) -> str:
    """``text`` for HTML element content or a quoted attribute value."""
    return html.escape(plain(text), quote=True)


#: The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text.replace(",", ".", 1))) and text.strip() == text
    except ValueError:
        return False


def is_formula_text(value: Any) -> bool:
    """True for a text that a spreadsheet would run as a formula (what ``spreadsheet_cell`` neutralises)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value)


def spreadsheet_cell(value: Any) -> Any:
    """``value`` for a CSV or XLSX cell: line breaks as ``\\n`` (a lone CR would end a CSV row), no other
    control characters, and a text a spreadsheet would run as a formula gets a leading ``'``."""
    if not isinstance(value, str):
        return value
    text = "\n".join(plain(line) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    if value.startswith("\t"):
        text = "\t" + text[1:]  # plain() made it a space; a leading tab is what makes the cell a formula
    return "'" + text if is_formula_text(text) else text


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and column name) made safe for a CSV or XLSX file."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(spreadsheet_cell)
    out.columns = [spreadsheet_cell(c) for c in out.columns]
    return out
