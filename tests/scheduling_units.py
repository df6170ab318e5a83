"""The units of work of ``--dist loadfile`` (tests/conftest.py's xdist scheduler), apart so they can be tested.

A unit goes to one xdist worker whole. It is a test file, the group of ``SHARED_UNITS`` its file is in (files
that share a cost paid once per process), or one part of a file of ``SPLIT_UNITS`` (a long file that both
workers share). The units of ``LONG_UNITS`` are handed out first, longest first, so that no worker is left
running a long unit alone at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Test files run by one worker, in one unit: they share a cost paid once per process (deduce's model: seconds
#: of CPU and a gigabyte; the in-memory tables of earlier editions).
SHARED_UNITS = {
    "tests/unit/test_deidentify.py": "deduce",
    "tests/unit/test_deidentify_corpus.py": "deduce",
    "tests/unit/test_quotes.py": "deduce",
    "tests/unit/test_tables.py": "deduce",
    "tests/unit/test_compare.py": "shipped-changes",  # tests/shipped.py
    "tests/unit/test_panel.py": "shipped-changes",
    "tests/unit/test_example_data_2019.py": "shipped-processed",  # tests/shipped.py
    "tests/unit/test_example_data_2020.py": "shipped-processed",
    "tests/unit/test_lineage_chain.py": "shipped-processed",
    "tests/unit/test_trend_years.py": "shipped-processed",
}
CACHE_INTEGRITY = "tests/integration/test_cache_integrity.py"
#: Test files split into one unit per value of their first parameter: a test whose id starts ``[<value>-`` is
#: in the unit ``<file>[<value>]``, the file's other tests in the file's unit. The parts share their costs
#: paid once per session through tests/shared_builds.py (the base build and the clean references).
SPLIT_UNITS = {
    CACHE_INTEGRITY: ("geen-wijziging", "cijfers-hoofdstuk", "tekst-hoofdstuk", "code-hoofdstuk"),
}
#: Units handed out first, longest first (the cache-integrity parts take minutes each with ``make test``; the
#: integration files from a fresh clone's ``make test --durations``; the others measured with ``make test-fast``);
#: the rest by their number of tests. A unit that reads a shared build (tests/shared_builds.py) comes after the
#: unit that builds it, so that no worker waits on the other's build: ``test_pdf_quality`` builds the editions
#: 2018-2020 that ``test_reviewer_edition_2018``, ``test_report_2018``, ``_2019`` and ``_2020`` read.
LONG_UNITS = (
    f"{CACHE_INTEGRITY}[tekst-hoofdstuk]",  # builds the shared base while the other worker starts on
    "tests/integration/test_accessibility.py",  # the stub build and its axe check, instead of waiting for it
    f"{CACHE_INTEGRITY}[cijfers-hoofdstuk]",
    f"{CACHE_INTEGRITY}[code-hoofdstuk]",
    f"{CACHE_INTEGRITY}[geen-wijziging]",
    CACHE_INTEGRITY,
    "tests/integration/test_pdf_quality.py",  # three cold builds, one after the other
    "tests/integration/test_feedback.py",  # 168 + 7 feedback PDFs
    "tests/integration/test_edition_2021.py",
    "tests/integration/test_report_hostile.py",
    "tests/integration/test_report_redaction.py",
    "tests/integration/test_build.py",
    "tests/integration/test_reviewer_edition_2018.py",
    "tests/integration/test_report_2018.py",  # a forced rebuild of 2018
    "tests/integration/test_build_faults.py",
    "tests/integration/test_interactive.py",
    "deduce",
    "tests/unit/test_bad_inputs.py",
    "tests/unit/test_guard.py",
    "shipped-changes",
    "shipped-processed",
    "tests/unit/test_new_edition.py",
)


def unit_of(nodeid: str) -> str:
    """The scheduling unit of a test: its file, the shared unit that file is in, or its part of a split file."""
    file = nodeid.split("::", 1)[0]
    for value in SPLIT_UNITS.get(file, ()):
        if f"[{value}-" in nodeid:
            return f"{file}[{value}]"
    return SHARED_UNITS.get(file, file)


def next_long_unit(waiting: Iterable[str]) -> str | None:
    """The first unit of ``LONG_UNITS`` still waiting, or None."""
    left = set(waiting)
    return next((unit for unit in LONG_UNITS if unit in left), None)
