"""What one XeLaTeX run leaves for the next: its tracked files, the digest of its source, the failure type.

Shared by ``render.pdf`` (the pipeline) and ``render.pdf_exporter`` (the nbconvert exporter that runs
XeLaTeX), so that neither imports the other for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

_MISSING = re.compile(r"^Missing character: .*$", re.M)
#: Files of a XeLaTeX run that the next run reads; kept between builds (``.render/notebook.*``).
TRACKED = (".aux", ".toc", ".out")
STATE_FILE = "latex.json"
#: File stem of the LaTeX run.
STEM = "notebook"


class LatexError(RuntimeError):
    """XeLaTeX failed or dropped glyphs."""


def missing_characters(log: str) -> list[str]:
    """The distinct "Missing character: ..." lines of a (Xe)LaTeX log."""
    return list(dict.fromkeys(m.group(0).strip() for m in _MISSING.finditer(log)))


def source_digest(latex: str, outputs: dict[str, bytes]) -> str:
    h = hashlib.sha256(latex.encode())
    for name in sorted(outputs):
        h.update(name.encode() + hashlib.sha256(outputs[name]).digest())
    return h.hexdigest()


def render_state(folder: Path | None) -> dict[str, Any]:
    try:
        return json.loads((folder / STATE_FILE).read_text(encoding="utf-8")) if folder else {}
    except (OSError, ValueError):
        return {}
