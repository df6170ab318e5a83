"""Command line: ``python -m helpers.publish --year 2018 [--jobs N] [--force]``.

Prints progress lines on stderr; on failure the last line is ``BUILD FAILED: ...`` and the exit
status is 1 (130 after Ctrl-C, with the previous report untouched).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from helpers import paths

    p = argparse.ArgumentParser(prog="python -m helpers.publish", description="Bouw het rapport (PDF + HTML).")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--notebooks-dir", type=Path, default=paths.NOTEBOOKS_DIR)
    p.add_argument("--reports-dir", type=Path, default=paths.REPORTS_DIR)
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel notebooks (default: CPU count)")
    p.add_argument("--force", action="store_true", help="ignore the cache and execute every notebook")
    p.add_argument("--freeze-date", default=None, help="ISO date; overrides the codebook's freeze_date")
    p.add_argument("--author", action="append", default=[], help="author line on the title page (repeatable)")
    p.add_argument("--timeout", type=int, default=None, help="seconds per cell before the build fails")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a build; return the exit status (0 ok, 1 failed, 130 interrupted)."""
    from helpers import paths
    from helpers.publish.core import BuildError, build_report

    args = parse_args(argv)
    try:
        build_report(
            args.year,
            args.notebooks_dir,
            args.reports_dir,
            jobs=args.jobs,
            force=args.force,
            freeze_date=args.freeze_date,
            authors=args.author,
            processed_dir=paths.processed_year_dir(args.year),
            timeout=args.timeout,
        )
    except BuildError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print(f"BUILD INTERRUPTED: {args.year}; het vorige rapport is ongewijzigd", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:  # a bug or an environment problem: show the traceback, still end with one line
        traceback.print_exc()
        print(f"BUILD FAILED: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr, flush=True)
        return 1
    return 0
