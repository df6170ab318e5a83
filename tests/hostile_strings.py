"""A corpus of hostile strings: what a respondent, a codebook editor or a file on disk could type to make an
output act (LaTeX commands, HTML and script, Markdown links and markup, spreadsheet formulas, control characters).

Every string holds the marker ``HOSTILE`` so a test can find where it ended up. Built, not listed by hand only:
each payload is also wrapped in the ways a careless file or an attacker would (at the start of a line, after a
backslash, inside a sentence, doubled).
"""

from __future__ import annotations

PAYLOADS = [
    r"\input{SECRETFILE} HOSTILE",
    r"\include{SECRETFILE} HOSTILE",
    r"\InputIfFileExists{SECRETFILE}{}{} HOSTILE",
    r"\immediate\write18{touch /tmp/HOSTILE-pwned}",
    r"\catcode`\@=11 HOSTILE",
    r"\def\x{HOSTILE}\x",
    r"\href{javascript:alert('HOSTILE')}{klik}",
    r"\url{javascript:alert('HOSTILE')}",
    r"$\input{SECRETFILE}$ HOSTILE",
    r"$$\input{SECRETFILE}$$ HOSTILE",
    r"\(\input{SECRETFILE}\) HOSTILE",
    r"\\(\input{SECRETFILE}\\) HOSTILE",
    r"\[\input{SECRETFILE}\] HOSTILE",
    r"\begin{verbatim}HOSTILE\end{verbatim}",
    r"{ } % # _ & $ ~ ^ \ HOSTILE",
    "100% HOSTILE # _niet_ & {geen} groep ~ ^ $5",
    "<script>alert('HOSTILE')</script>",
    "<img src=x onerror=alert('HOSTILE')>",
    "<svg onload=alert('HOSTILE')>",
    "<a href=\"javascript:alert('HOSTILE')\">klik</a>",
    '<iframe src="https://evil.example/HOSTILE"></iframe>',
    "<style>body{display:none}</style>HOSTILE",
    "<!-- HOSTILE -->",
    "&lt;script&gt;alert('HOSTILE')&lt;/script&gt;",
    "&#60;script&#62;alert('HOSTILE')&#60;/script&#62;",
    "[klik hier](javascript:alert('HOSTILE'))",
    "[klik](https://evil.example/HOSTILE)",
    "![plaatje](https://evil.example/HOSTILE.png)",
    "<javascript:alert('HOSTILE')>",
    "<https://evil.example/HOSTILE>",
    "https://evil.example/HOSTILE",
    "www.evil.example/HOSTILE",
    "[HOSTILE]: https://evil.example/ref",
    "*HOSTILE* _HOSTILE_ **HOSTILE** ~~HOSTILE~~",
    "`HOSTILE` ```HOSTILE```",
    "# HOSTILE kop",
    "- HOSTILE lijst",
    "+ HOSTILE lijst",
    "1. HOSTILE lijst",
    "> HOSTILE citaat",
    "| HOSTILE | tabel |",
    "% HOSTILE titelblok",
    "::: HOSTILE",
    "=== HOSTILE",
    "    HOSTILE ingesprongen code",
    "@HOSTILE2018 citeert",
    "[@HOSTILE] citeert",
    "HOSTILE^boven^ H~2~O",
    "`\\input{SECRETFILE}`{=latex} HOSTILE",
    "```{=latex}\n\\input{SECRETFILE}\n``` HOSTILE",
    "HOSTILE\n\n# kop na een lege regel\n\n<script>alert(1)</script>",
    "HOSTILE met een NUL\x00 en een BEL\x07 en bidi \u202e omgekeerd",
    "HOSTILE\r\n=cmd|' /C calc'!A0",
    '=HYPERLINK("https://evil.example/HOSTILE","klik")',
    "=1+1 HOSTILE",
    "+1+1 HOSTILE",
    "-1+1 HOSTILE",
    "@SUM(1,1) HOSTILE",
    "\t=1+1 HOSTILE",
    "\r=1+1 HOSTILE",
    "＝1+1 HOSTILE",
    "=cmd|' /C calc'!A0 HOSTILE",
    '"=1+1" HOSTILE',
    "'=1+1 HOSTILE",
    "{{ 7*7 }} HOSTILE {% if true %}jinja{% endif %}",
    "((( 7*7 ))) ((* if true *)) HOSTILE",
    "\\\\ HOSTILE \\newline \\\\",
    "HOSTILE \\",
    "HOSTILE 👍 😀 中文 𝕏 ﬁ ™ ① ✓ \u200b zonder glyph in het lettertype",
]


def corpus() -> list[str]:
    """Every payload, alone and in the places text from data is put: mid-sentence, at a line start, doubled."""
    out: list[str] = []
    for p in PAYLOADS:
        out += [p, f"Werkgevers waarderen de inzet {p} van de klantmanager.", f"{p} {p}", f"\\{p}"]
    return out
