"""What ``make bench`` reports besides the totals: each notebook's phases, the peak memory, the targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpers.analysis import deidentify
from helpers.publish.base.state import BuildResult
from helpers.publish.build.benchmark import MEMORY_LIMIT, Peak, _print_memory, _print_phases, peak_memory
from helpers.publish.execute.kernels import PHASES, cell_phases


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _cell(start: float, end: float, tags: tuple[str, ...] = ()) -> dict[str, object]:
    meta = {"tags": list(tags), "papermill": {"start_time": _stamp(start), "end_time": _stamp(end)}}
    return {"cell_type": "code", "metadata": meta, "source": "", "outputs": []}


def test_phases_come_from_papermills_cell_times(tmp_path: Path) -> None:
    t0 = 1_700_000_000.0
    cells = [
        _cell(t0 + 2.0, t0 + 2.1, ("parameters",)),
        _cell(t0 + 2.1, t0 + 2.2, ("injected-parameters",)),
        {"cell_type": "markdown", "metadata": {}, "source": "# Titel"},
        _cell(t0 + 2.2, t0 + 5.2),  # the imports
        _cell(t0 + 5.2, t0 + 6.0),
        _cell(t0 + 6.0, t0 + 9.0),
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    phases = cell_phases(path, t0, t0 + 9.5)
    assert list(phases) == list(PHASES)
    assert phases == pytest.approx({"kernel": 2.0, "imports": 3.0, "cells": 4.0, "write": 0.5}, abs=1e-3)


def test_no_phases_without_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}}]}), encoding="utf-8")
    assert cell_phases(path, 0.0, 1.0) == {}
    assert cell_phases(tmp_path / "missing.ipynb", 0.0, 1.0) == {}


def test_peak_memory_counts_the_children() -> None:
    size = 300 * 1024**2
    hold = f"b = bytearray({size}); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(1.5)"
    with peak_memory(every=0.05) as peak:
        subprocess.run([sys.executable, "-c", hold], check=True)
    assert peak.measured and peak.processes >= 2
    assert peak.bytes >= size


def test_memory_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert _print_memory("peak", Peak(MEMORY_LIMIT - 1, 3, 1))
    assert not _print_memory("peak", Peak(MEMORY_LIMIT, 3, 2))
    out = capsys.readouterr().out
    assert "OK" in out and "MISSED" in out and "2 process(es)" in out


def test_phase_table_has_a_row_per_timed_notebook_and_the_sums(capsys: pytest.CaptureFixture[str]) -> None:
    result = BuildResult(2018, Path("r"), Path("r.pdf"), Path("i.html"), executed=["00_a", "01_b"])
    result.phases = {"00_a": {"kernel": 1.0, "imports": 2.0, "cells": 3.0, "write": 0.5}}
    result.timings = {"execute": 7.0, "latex": 4.0, "total": 12.0}
    _print_phases(result)
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if "00_a" in line)
    assert row.split()[-2:] == ["6.5", "s"]
    assert any("01_b" in line and "not timed" in line for line in lines)
    assert any(line.split()[:1] == ["sum"] and "6.5 s" in line for line in lines)
    assert any("XeLaTeX" in line and "4.0 s" in line for line in lines)


HOLDER = """
import json, os, sys, time
from pathlib import Path
from helpers.analysis import deidentify as d
d._take_turn()
print("holding", flush=True)
time.sleep(1.5)
store = Path(sys.argv[1]) / d.SPANS_FILE
store.write_text(json.dumps({"fingerprint": d.fingerprint(), "spans": {d._key(sys.argv[2]): [[0, 4, "name"]]}}))
"""


def test_one_kernel_at_a_time_loads_deduce_and_the_next_reads_its_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Jansen belde de klantmanager."
    lock = tmp_path / "deduce.lock"
    monkeypatch.setenv(deidentify.DEDUCE_LOCK_ENV, str(lock))
    monkeypatch.setattr(deidentify, "_turn", [])
    monkeypatch.setattr(deidentify, "_store", [])
    monkeypatch.setattr(deidentify, "_known", {})

    def no_model() -> None:
        raise AssertionError("deduce loaded although the other process stored this text")

    monkeypatch.setattr(deidentify, "model", no_model)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), text], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        deidentify.use_store(tmp_path)
        t0 = time.perf_counter()
        assert deidentify.deduce_spans(text) == [(0, 4, "name")]
        assert time.perf_counter() - t0 > 0.5  # it waited for the holder to end
    finally:
        holder.wait(timeout=30)
        for fd in deidentify._turn:
            os.close(fd)
