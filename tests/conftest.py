"""Shared pytest fixtures (builders for small exports live in ``tests/fixtures_export.py``)."""

from __future__ import annotations

import pytest
from fixtures_export import make_codebook, make_frame


@pytest.fixture
def codebook(tmp_path):
    return make_codebook(tmp_path)


@pytest.fixture
def frame():
    return make_frame()
