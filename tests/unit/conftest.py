"""Fixtures shared by the analysis tests: the small synthetic codebook and municipality table."""

import pytest
from analysis_fixtures import make_codebook, make_municipalities


@pytest.fixture(scope="module")
def cb():
    return make_codebook()


@pytest.fixture(scope="module")
def df():
    return make_municipalities()
