"""Files derived from survey answers are readable by their owner only.

``data/processed/<year>/`` and ``reports/<year>-failed/`` (``problems.txt`` quotes cell values) hold
answers per respondent: folders get mode 0700, files 0600, set with ``chmod`` after creating them so
the result does not depend on the umask.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and its parents) if needed and make it owner-only; returns the path."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: str | Path) -> Path:
    """Make the existing file ``path`` owner-only; returns the path."""
    path = Path(path)
    os.chmod(path, PRIVATE_FILE_MODE)
    return path
