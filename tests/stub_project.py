"""A project of stub notebooks (``tests/fixtures/notebooks``) for build tests: notebooks, a stand-in package
folder and raw input (the cache keys), a codebook; and the ``BuildOptions`` keywords that build it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
YEAR = 2018


def make_stub_project(root: Path, *, raw: bool = True) -> dict[str, Any]:
    """Lay out the stub project under ``root``; return the ``BuildOptions`` keywords that build it."""
    shutil.copytree(FIXTURES, root / "notebooks")
    (root / "helpers").mkdir()
    (root / "helpers" / "mod.py").write_text("x = 1\n")
    if raw:
        (root / "raw").mkdir()
        (root / "raw" / "export.csv").write_text("a,b\n1,2\n")
    (root / "codebook.yaml").write_text(
        f'year: {YEAR}\ntitle: "Monitor gemeentelijk beleid arbeidstoeleiding vluchtelingen {YEAR}"\n'
        'freeze_date: "2018-04-10"\nsynthetic: true\n'
    )
    inputs = [root / "raw"] if raw else []
    return {"codebook": root / "codebook.yaml", "inputs": inputs, "helpers_dir": root / "helpers",
            "templates_dir": TEMPLATES}  # fmt: skip
