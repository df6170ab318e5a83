"""The units of work of ``--dist loadfile`` (``tests/scheduling_units.py``): a file, a group of files sharing a
per-process cost, or one part of a split file; the long units handed out first."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from scheduling_units import CACHE_INTEGRITY, LONG_UNITS, SHARED_UNITS, SPLIT_UNITS, next_long_unit, unit_of

TESTS = Path(__file__).resolve().parents[1]
CASE = f"{CACHE_INTEGRITY}::test_damaged_part_is_rebuilt_from_source_in_every_reuse_path"


def test_a_file_is_its_own_unit_and_shared_files_share_one() -> None:
    assert unit_of("tests/unit/test_stats.py::test_x[a-b]") == "tests/unit/test_stats.py"
    assert unit_of("tests/unit/test_quotes.py::test_x") == unit_of("tests/unit/test_tables.py::test_y") == "deduce"


def test_a_split_file_has_one_unit_per_value_and_one_for_its_other_tests() -> None:
    assert unit_of(f"{CASE}[geen-wijziging-figuur-03]") == f"{CACHE_INTEGRITY}[geen-wijziging]"
    assert unit_of(f"{CASE}[tekst-hoofdstuk-pdf-afgekapt]") == f"{CACHE_INTEGRITY}[tekst-hoofdstuk]"
    assert unit_of(f"{CACHE_INTEGRITY}::test_failed_build_folder_is_private") == CACHE_INTEGRITY
    # a value only matches as the first parameter, not inside another id
    assert unit_of(f"{CACHE_INTEGRITY}::test_other[x-geen-wijziging]") == CACHE_INTEGRITY


def test_the_split_values_are_the_reuse_paths_of_the_cache_integrity_cases() -> None:
    spec = importlib.util.spec_from_file_location("cache_integrity", TESTS.parent / CACHE_INTEGRITY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert tuple(module.PATHS) == SPLIT_UNITS[CACHE_INTEGRITY]


def test_every_long_unit_is_a_unit_that_exists() -> None:
    split = {f"{file}[{value}]" for file, values in SPLIT_UNITS.items() for value in values}
    for unit in LONG_UNITS:
        assert unit in split or unit in SHARED_UNITS.values() or (TESTS.parent / unit).is_file(), unit


def test_the_long_units_go_first_in_their_order() -> None:
    waiting = ["tests/unit/test_stats.py", "deduce", f"{CACHE_INTEGRITY}[tekst-hoofdstuk]"]
    assert next_long_unit(waiting) == f"{CACHE_INTEGRITY}[tekst-hoofdstuk]"
    assert next_long_unit(waiting[:2]) == "deduce"
    assert next_long_unit(waiting[:1]) is None
