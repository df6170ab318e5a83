"""The session-shared builds of the integration tests (``tests/shared_builds.py``): built once, reused by a
second taker, a failure recorded for every waiter, a dead builder's leftovers rebuilt, a modifying reader
caught, a copy that carries the whole project."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from shared_builds import DONE, SharedBuildError, build_in

from helpers.publish import BuildResult


def _fake_build(calls: list[Path], fail: bool = False):
    def build(root: Path) -> tuple[BuildResult, Path, dict[str, Any]]:
        calls.append(root)
        if fail:
            raise ValueError("notebook 03 failed")
        report = root / "reports" / "2018"
        (report / "site").mkdir(parents=True)
        (report / "monitor_2018.pdf").write_bytes(b"%PDF")
        (report / "site" / "index.html").write_text("<html></html>")
        result = BuildResult(2018, report, report / "monitor_2018.pdf", report / "site" / "index.html", ["00"])
        return result, root / "reports", {"code_changed": False}

    return build


def test_built_once_and_reused_with_the_same_result(tmp_path: Path) -> None:
    calls: list[Path] = []
    first = build_in(tmp_path, "k", _fake_build(calls))
    second = build_in(tmp_path, "k", _fake_build(calls))
    assert len(calls) == 1
    assert second.result == first.result and second.extra == {"code_changed": False}
    assert second.result.pdf.read_bytes() == b"%PDF"


def test_a_failed_build_fails_every_waiter_with_its_message_and_is_not_repeated(tmp_path: Path) -> None:
    calls: list[Path] = []
    with pytest.raises(ValueError, match="notebook 03 failed"):
        build_in(tmp_path, "k", _fake_build(calls, fail=True))
    with pytest.raises(SharedBuildError, match="ValueError: notebook 03 failed"):
        build_in(tmp_path, "k", _fake_build(calls))
    assert len(calls) == 1


def test_a_build_without_its_done_marker_is_built_again_from_scratch(tmp_path: Path) -> None:
    (tmp_path / "k" / "reports").mkdir(parents=True)
    (tmp_path / "k" / "reports" / "half-written").write_text("x")
    calls: list[Path] = []
    build_in(tmp_path, "k", _fake_build(calls))
    assert len(calls) == 1 and not (tmp_path / "k" / "reports" / "half-written").exists()
    assert (tmp_path / "k" / DONE).is_file()


def test_a_reader_that_modifies_the_build_fails(tmp_path: Path) -> None:
    shared = build_in(tmp_path, "k", _fake_build([]))
    with shared.untouched():
        pass  # reading only
    with pytest.raises(pytest.fail.Exception, match="was modified by this test"), shared.untouched():
        (shared.report_dir / "site" / "index.html").write_text("<html>changed</html>")


def test_a_copy_carries_the_project_and_moves_the_result_paths(tmp_path: Path) -> None:
    shared = build_in(tmp_path / "home", "k", _fake_build([]))
    (shared.reports / ".lock-2018").write_text("123")  # a build in progress leaves this; never copied
    reports, result = shared.copy(tmp_path / "copy")
    assert reports == tmp_path / "copy" / "reports"
    assert result.pdf == tmp_path / "copy" / "reports" / "2018" / "monitor_2018.pdf" and result.pdf.is_file()
    assert result.executed == ["00"] and not (reports / ".lock-2018").exists()


def _take(home: str, out: str) -> None:
    calls: list[Path] = []
    build_in(Path(home), "k", _fake_build(calls))
    Path(out).write_text(str(len(calls)))


def test_two_processes_build_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_take, args=(str(tmp_path / "home"), str(tmp_path / f"n{i}"))) for i in range(2)]
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
        assert [p.exitcode for p in procs] == [0, 0]
        assert sorted(int((tmp_path / f"n{i}").read_text()) for i in range(2)) == [0, 1]
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
