"""Load time and memory of a large export: ``monitor bench-load --year 2018 --factor 200``.

Writes a temporary export with ``factor`` times the respondents of the year's export (every row
repeated with a new, valid ResponseId) and loads it in a fresh process, once at 1× and once at
``factor``×, recording wall time, peak memory (max RSS) and the size of the messages. A frame has
each municipality once, so the copies claim municipalities that other rows already claimed: the
large load runs every check and ends in the expected "claimed twice" errors. The benchmark shows
that the grouped summary stays short while ``problems.txt`` holds every problem. Nothing is asserted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers import paths
from helpers.survey.export_layout import BOM, HEADER_ROWS, format_csv

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from helpers.load.export import build_processed
from helpers.survey.input_errors import InputError
out = {}
try:
    result = build_processed(int(sys.argv[1]), raw_dir=sys.argv[2], processed_dir=sys.argv[3])
    out.update(rows=result.report.rows_kept, problems=0, summary=0, full=0)
except InputError as exc:
    out.update(problems=len(exc.problems), summary=len(str(exc)), summary_lines=str(exc).count(chr(10)) + 1,
               full=len(exc.full_text()))
out["seconds"] = time.perf_counter() - t0
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def multiplied_export(source: Path, factor: int, dest: Path) -> Path:
    """Write ``source`` with every data row repeated ``factor`` times (copies get new ResponseIds)."""
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode("utf-8-sig"), newline="")))
    header, data = rows[:HEADER_ROWS], rows[HEADER_ROWS:]
    rid = header[0].index("ResponseId")
    out = list(header)
    for k in range(factor):
        for row in data:
            copy = list(row)
            if k:
                copy[rid] = "R_" + hashlib.sha256(f"{row[rid]}:{k}".encode()).hexdigest()[:15]
            out.append(copy)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(BOM + format_csv(out).encode("utf-8"))
    return dest


def _raw_tree(year: int, root: Path, factor: int) -> Path:
    """A raw directory with the year's codebook, the reference files and the multiplied export."""
    raw = root / "raw"
    (raw / str(year)).mkdir(parents=True)
    (raw / "reference").symlink_to(paths.REFERENCE_DIR.resolve())
    (raw / str(year) / "codebook.yaml").write_bytes(paths.codebook_path(year).read_bytes())
    multiplied_export(paths.export_path(year), factor, raw / str(year) / "export.csv")
    return raw


def _measure(year: int, factor: int, work: Path) -> dict:
    raw = _raw_tree(year, work / f"x{factor}", factor)
    size = (raw / str(year) / "export.csv").stat().st_size
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(year), str(raw), str(work / f"processed{factor}")],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "load failed")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out | {"factor": factor, "mb": size / 1e6, "process_seconds": time.perf_counter() - t0}


def run_benchmark(year: int, factor: int = 200) -> str:
    """Measure the 1× and ``factor``× loads; return a short Dutch table."""
    with tempfile.TemporaryDirectory(prefix="monitor-bench-load-") as tmp:
        results = [_measure(year, 1, Path(tmp)), _measure(year, factor, Path(tmp))]
    lines = [
        f"{'export':<8}{'MB':>7}{'inlezen (s)':>13}{'proces (s)':>12}{'piek (MB)':>11}{'fouten':>9}"
        f"{'samenvatting':>24}{'problems.txt':>14}"
    ]
    for r in results:
        summary = f"{r['summary']} tekens, {r.get('summary_lines', 0)} regels" if r["problems"] else "—"
        full = f"{r['full'] / 1000:.0f} kB" if r["problems"] else "—"
        lines.append(
            f"{str(r['factor']) + '×':<8}{r['mb']:>7.1f}{r['seconds']:>13.1f}{r['process_seconds']:>12.1f}"
            f"{r['peak_mb']:>11.0f}{r['problems']:>9}{summary:>24}{full:>14}"
        )
    return "\n".join(lines)
