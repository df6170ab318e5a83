"""Kernels started before the data check (``notebook_runs.early_kernels``): only as many as will be needed,
none when nothing needs one, and every one shut down when the build stops before its notebooks ran."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, cast

import pytest

from helpers.analysis.deidentify import DEDUCE_LOCK_ENV
from helpers.publish.base import plan
from helpers.publish.base.state import WORK, Build
from helpers.publish.build import notebook_runs
from helpers.publish.execute import pool as pool_module

NAMES = ("00_data_preparation", "01_conclusions", "02_first", "03_second")


class FakePool:
    """Records what the build asked of the pool instead of starting kernels."""

    made: ClassVar[list[FakePool]] = []

    def __init__(self, cwd: Path, *, ahead: int, needed: int, env: dict[str, str], log_dir: Path) -> None:
        self.cwd, self.ahead, self.needed, self.env, self.log_dir = cwd, ahead, needed, env, log_dir
        self.entered = self.closed = False
        FakePool.made.append(self)

    def __enter__(self) -> FakePool:
        self.entered = True
        assert self.log_dir.is_dir()  # the kernels' logs have somewhere to go from their first line
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


@pytest.fixture
def fake_pool(monkeypatch: pytest.MonkeyPatch) -> list[FakePool]:
    FakePool.made = []
    monkeypatch.setattr(pool_module, "KernelPool", FakePool)
    return FakePool.made


def _build(tmp_path: Path, reuse_conclusions: bool) -> Build:
    notebooks = [plan.Notebook(tmp_path / f"{name}.ipynb", int(name[:2])) for name in NAMES]
    return Build(
        year=2018, notebooks_dir=tmp_path, reports_dir=tmp_path / "reports", notebooks=notebooks,
        meta=cast(Any, None), params={}, templates_dir=tmp_path, workers=2, timeout=None, log=lambda line: None,
        reuse_conclusions=reuse_conclusions,
    )  # fmt: skip


def test_one_pool_for_every_notebook_that_runs_warming_before_the_block(
    tmp_path: Path, fake_pool: list[FakePool]
) -> None:
    b, staging = _build(tmp_path, reuse_conclusions=False), tmp_path / "staging"
    with notebook_runs.early_kernels(b, b.notebooks, staging) as pool:
        assert pool is fake_pool[0] and fake_pool[0].entered and not fake_pool[0].closed
    made = fake_pool[0]
    assert made.closed and (made.ahead, made.needed, made.cwd) == (2, 4, tmp_path)
    assert made.env == {DEDUCE_LOCK_ENV: str(staging / WORK / "deduce.lock")}  # the same as each job's
    assert made.log_dir == staging / WORK / "logs"


def test_no_kernel_for_a_conclusions_notebook_that_may_be_taken_over(tmp_path: Path, fake_pool: list[FakePool]) -> None:
    b = _build(tmp_path, reuse_conclusions=True)
    chapter_and_01 = [nb for nb in b.notebooks if nb.name in ("01_conclusions", "02_first")]
    with notebook_runs.early_kernels(b, chapter_and_01, tmp_path / "staging"):
        pass
    assert fake_pool[0].needed == 1
    with notebook_runs.early_kernels(b, [b.notebooks[1]], tmp_path / "staging") as pool:
        assert pool is None
    with notebook_runs.early_kernels(b, [], tmp_path / "staging") as pool:
        assert pool is None
    assert len(fake_pool) == 1  # no pool at all for the two blocks that need no kernel


def test_the_kernels_are_shut_down_when_the_build_stops_before_any_notebook(
    tmp_path: Path, fake_pool: list[FakePool]
) -> None:
    b = _build(tmp_path, reuse_conclusions=False)
    with pytest.raises(KeyboardInterrupt), notebook_runs.early_kernels(b, b.notebooks, tmp_path / "staging"):
        raise KeyboardInterrupt  # Ctrl-C (or a failed data check) while the kernels warm
    assert fake_pool[0].closed
