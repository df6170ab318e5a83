"""The conclusions notebook (01) runs again only when what it reads changed.

01 re-runs because a chapter changed; when that chapter's numbers did not (a text edit),
``indicators.csv`` as assembled before 01 runs is the same and so is 01: its executed notebook
and every other file it produced (indicator and claims parts, figures, data files) are taken from
the previous report (``.render/conclusions.json`` remembers what it read). Each is verified against
the previous build's manifest first: one damaged or missing file and 01 runs from its source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from helpers.publish.base import cache, plan
from helpers.publish.base.state import Build

CONCLUSIONS_STATE = "conclusions.json"


def conclusions_key(b: Build, sources: Mapping[str, str], inputs: str) -> str:
    """Key of the conclusions notebook without the chapters' keys: its cells, the inputs, its parameters."""
    names = [nb.name for nb in b.notebooks if nb.role == plan.CONCLUSIONS]
    if not names:
        return ""
    return cache.notebook_key(names[0], sources[names[0]], inputs, b.params[names[0]], {})


def _reads(staging: Path) -> dict[str, str]:
    """What 01 reads of the chapters: ``indicators.csv`` as assembled before it runs."""
    path = staging / "indicators.csv"
    return {"key_without_chapters": "", "indicators.csv": cache.file_digest(path) if path.is_file() else "absent"}


def remember_conclusions(b: Build, staging: Path) -> None:
    """Note what 01 read in this build (``.render/conclusions.json``), for the next one."""
    from helpers.publish.render.html import STATE_DIR

    if not b.conclusions_key:
        return
    state = _reads(staging) | {"key_without_chapters": b.conclusions_key}
    (staging / STATE_DIR).mkdir(parents=True, exist_ok=True)
    (staging / STATE_DIR / CONCLUSIONS_STATE).write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")


def reuse_conclusions(b: Build, staging: Path, name: str) -> bool:
    """Take 01 from the previous report when its cells, inputs and what it reads are unchanged and
    every file it produced still has the hash the previous manifest recorded.

    01 re-runs because a chapter changed; when that chapter's numbers did not (a text edit),
    ``indicators.csv`` is the same and so is 01: all of its files are copied, each verified.
    """
    from helpers.publish.render.html import STATE_DIR

    if not (b.conclusions_key and b.reuse_conclusions):
        return False
    try:
        before = json.loads((b.final / STATE_DIR / CONCLUSIONS_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if before != _reads(staging) | {"key_without_chapters": b.conclusions_key}:
        return False
    parts = b.previous_parts.get(name)
    bad = cache.damaged(b.final, parts)
    if bad or not parts:
        b.log(f"  {name}: niet uit het vorige rapport, beschadigd of verdwenen: {cache.listed(bad)}; opnieuw uitvoeren")
        return False
    cache.copy_verified(b.final, staging, parts)
    remember_conclusions(b, staging)
    b.log(f"  {name}: uit het vorige rapport (indicators.csv en het notebook ongewijzigd)")
    return True
