"""The build cache's verification in isolation: the manifest's checksum, verified copies, the conclusions
taken over only when every file they produced is intact, and the leftovers of dead builds."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from helpers.publish.base import cache
from helpers.publish.base.staging import BuildLocked, private_dir, remove_leftovers, seal_private, year_lock
from helpers.publish.base.state import Build
from helpers.publish.build.conclusions_reuse import CONCLUSIONS_STATE, remember_conclusions, reuse_conclusions
from helpers.publish.render.html import STATE_DIR

CONCLUSIONS = "01_conclusions"
PARTS = {
    f"executed/{CONCLUSIONS}.ipynb": '{"cells": ["60% van de gemeenten"]}',
    f"indicators/{CONCLUSIONS}.csv": "year,value\n2018,60.2\n",
    f"claims/{CONCLUSIONS}.csv": "notebook,holds\n01_conclusions,True\n",
    "figures/figuur_1_1.png": "\x89PNG figure",
    f"data/{CONCLUSIONS}/figuur-1-1.csv": "Beleid,Percentage\nJa,60\n",
    f"data/{CONCLUSIONS}/figuur-1-1.xlsx": "PK zip",
}


def _write(root: Path, files: dict[str, str]) -> dict[str, str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return {rel: cache.file_digest(root / rel) for rel in files}


# --- the manifest -----------------------------------------------------------------------------------


def test_a_written_manifest_reads_back_trusted(tmp_path: Path) -> None:
    cache.write_manifest(tmp_path, {"year": 2018, "notebooks": {"03": {"key": "k", "parts": {"a": "b"}}}})
    manifest, problem = cache.read_manifest(tmp_path)
    assert problem is None and manifest["notebooks"]["03"]["parts"] == {"a": "b"}


def test_no_report_yet_is_not_a_problem_but_a_report_without_manifest_is(tmp_path: Path) -> None:
    assert cache.read_manifest(tmp_path / "2018") == ({"notebooks": {}}, None)
    (tmp_path / "2018").mkdir()
    manifest, problem = cache.read_manifest(tmp_path / "2018")
    assert manifest == {"notebooks": {}} and problem == "build-manifest.json ontbreekt"


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda t: t[: len(t) // 2], "onleesbaar (JSONDecodeError)"),
        (lambda t: t.replace('"key": "k"', '"key": "x"'), "beschadigd (controlegetal klopt niet)"),
        (lambda t: t.replace('"checksum"', '"checksom"'), "beschadigd (controlegetal klopt niet)"),
        (lambda t: t.replace(f'"cache_version": {cache.CACHE_VERSION}', '"cache_version": 1'), "andere cacheversie"),
        (lambda t: "[]", "andere cacheversie"),
    ],
)
def test_a_damaged_manifest_verifies_nothing(tmp_path: Path, damage, said: str) -> None:
    cache.write_manifest(tmp_path, {"notebooks": {"03": {"key": "k", "parts": {}}}})
    path = tmp_path / cache.MANIFEST_NAME
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    manifest, problem = cache.read_manifest(tmp_path)
    assert manifest == {"notebooks": {}} and problem is not None and said in problem
    assert cache.load_manifest(tmp_path) == {"notebooks": {}}


# --- verified copies --------------------------------------------------------------------------------


def test_carry_over_copies_exactly_the_verified_parts(tmp_path: Path) -> None:
    final, staging = tmp_path / "final", tmp_path / "staging"
    parts = _write(final, PARTS)
    _write(final, {"indicators/03_policy.csv": "not reused\n"})
    manifest = {"notebooks": {CONCLUSIONS: {"parts": parts}}}
    cache.carry_over(final, staging, {CONCLUSIONS}, manifest)
    copied = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}
    assert copied == set(PARTS)


def test_a_part_changed_after_verification_stops_the_copy(tmp_path: Path) -> None:
    final, staging = tmp_path / "final", tmp_path / "staging"
    parts = _write(final, PARTS)
    (final / f"indicators/{CONCLUSIONS}.csv").write_text("year,value\n2018,99.9\n", encoding="utf-8")
    with pytest.raises(cache.CacheError, match=rf"indicators/{CONCLUSIONS}\.csv veranderde tijdens de build"):
        cache.copy_verified(final, staging, parts)
    assert not (staging / f"indicators/{CONCLUSIONS}.csv").exists()


def test_the_manifest_records_every_file_of_a_notebook_by_owner(tmp_path: Path) -> None:
    _write(tmp_path, PARTS | {"indicators.csv": "x\n", "site/index.html": "<p>", f"{STATE_DIR}/latex.json": "{}"})
    files = cache.produced_files(tmp_path, [CONCLUSIONS, "03_policy"])
    assert set(files[CONCLUSIONS]) == set(PARTS)
    assert set(files[""]) == {"indicators.csv", "site/index.html"}
    assert set(cache.hidden_files(tmp_path, STATE_DIR)) == {f"{STATE_DIR}/latex.json"}


# --- the conclusions taken over ---------------------------------------------------------------------


def _conclusions_build(tmp_path: Path) -> tuple[Build, Path, list[str]]:
    """A previous report whose 01 read the current indicators.csv, and a staging folder."""
    final, staging, lines = tmp_path / "2018", tmp_path / ".tmp-2018-x", list[str]()
    parts = _write(final, PARTS)
    b = cast(Build, SimpleNamespace(
        final=final, conclusions_key="k01", reuse_conclusions=True, previous_parts={CONCLUSIONS: parts},
        log=lines.append,
    ))  # fmt: skip
    read = {"indicators.csv": "year,value\n2018,60.2\n"}
    _write(staging, read | {"executed/03_policy.ipynb": "{}"})
    _write(final, read)
    remember_conclusions(b, final)  # what the previous build's 01 read
    (final / "indicators.csv").unlink()
    return b, staging, lines


def test_conclusions_are_taken_over_with_every_file_they_produced(tmp_path: Path) -> None:
    b, staging, lines = _conclusions_build(tmp_path)
    assert reuse_conclusions(b, staging, CONCLUSIONS)
    for rel in PARTS:
        assert (staging / rel).read_bytes() == (b.final / rel).read_bytes(), rel
    assert json.loads((staging / STATE_DIR / CONCLUSIONS_STATE).read_text())["key_without_chapters"] == "k01"
    assert lines == [f"  {CONCLUSIONS}: uit het vorige rapport (indicators.csv en het notebook ongewijzigd)"]


@pytest.mark.parametrize("rel", sorted(PARTS))
@pytest.mark.parametrize("how", ["edited", "removed"])
def test_a_damaged_file_of_the_conclusions_is_never_taken_over(tmp_path: Path, rel: str, how: str) -> None:
    b, staging, lines = _conclusions_build(tmp_path)
    if how == "removed":
        (b.final / rel).unlink()
    else:
        data = (b.final / rel).read_bytes()
        (b.final / rel).write_bytes(data[:-1] + bytes([data[-1] ^ 0x01]))
    assert not reuse_conclusions(b, staging, CONCLUSIONS)
    assert not (staging / f"executed/{CONCLUSIONS}.ipynb").exists()
    assert lines == [f"  {CONCLUSIONS}: niet uit het vorige rapport, beschadigd of verdwenen: {rel}; opnieuw uitvoeren"]


def test_conclusions_are_not_taken_over_without_a_verified_manifest(tmp_path: Path) -> None:
    b, staging, _ = _conclusions_build(tmp_path)
    cast(SimpleNamespace, b).previous_parts = {}
    assert not reuse_conclusions(b, staging, CONCLUSIONS)
    cast(SimpleNamespace, b).reuse_conclusions = False
    assert not reuse_conclusions(b, staging, CONCLUSIONS)


# --- locks, leftovers, private folders --------------------------------------------------------------


def test_the_lock_names_its_owner_and_is_removed_on_request(tmp_path: Path) -> None:
    with year_lock(tmp_path, 2018, remove=True):
        assert (tmp_path / ".lock-2018").read_text() == f"{os.getpid()}\n"
        busy = rf"er draait al een build van 2018 \(proces {os.getpid()};"
        with pytest.raises(BuildLocked, match=busy), year_lock(tmp_path, 2018):
            pass
    assert not (tmp_path / ".lock-2018").exists()
    with year_lock(tmp_path, "2018-feedback"):
        pass
    assert (tmp_path / ".lock-2018-feedback").exists()  # kept unless asked


def test_leftovers_of_dead_builds_go_those_of_living_builds_stay(tmp_path: Path) -> None:
    for name in (".tmp-2018-a", ".old-2018-1", ".tmp-2017-b", ".tmp-2019-c", "2018", "2018-feedback"):
        (tmp_path / name).mkdir()
    (tmp_path / ".lock-2016").write_text("12345\n")
    lines: list[str] = []
    with year_lock(tmp_path, 2018), year_lock(tmp_path, 2019):  # this build, and a living 2019 build
        removed = remove_leftovers(tmp_path, 2018, lines.append)
        assert sorted(removed) == [".lock-2016", ".old-2018-1", ".tmp-2017-b", ".tmp-2018-a"]
        left = sorted(p.name for p in tmp_path.iterdir())
        assert left == [".lock-2018", ".lock-2019", ".tmp-2019-c", "2018", "2018-feedback"]
    assert lines and lines[0].startswith("resten van afgebroken builds verwijderd: ")


def test_a_failed_build_folder_is_private_and_an_empty_one_goes(tmp_path: Path) -> None:
    failed = private_dir(tmp_path / "2018-failed")
    (failed / "sub").mkdir()
    (failed / "sub" / "03.log").write_text("x")
    (failed / "03.ipynb").write_text("{}")
    seal_private(failed)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [failed, *failed.rglob("*")]}
    assert modes == {"2018-failed": 0o700, "sub": 0o700, "03.log": 0o600, "03.ipynb": 0o600}
    empty = private_dir(tmp_path / "2019-failed")
    seal_private(empty)
    assert not empty.exists()
