"""Fixtures shared by the analysis tests: the small synthetic codebook and municipality table."""

import pytest
from analysis_fixtures import make_codebook, make_municipalities


@pytest.fixture(scope="module")
def cb():
    return make_codebook()


@pytest.fixture(scope="module")
def df():
    return make_municipalities()


class Shown:
    """Collects what a chapter displays (instead of IPython's display)."""

    def __init__(self):
        self.items: list[tuple[object, dict | None]] = []

    def __call__(self, obj, metadata=None):
        self.items.append((obj, metadata))

    @property
    def texts(self) -> list[str]:
        return [getattr(o, "data", "") for o, _ in self.items if isinstance(getattr(o, "data", None), str)]


@pytest.fixture
def chapter(tmp_path, cb, df):
    """Chapter 3 of the small synthetic dataset (one edition: 2018), writing into ``tmp_path``."""
    from analysis_fixtures import make_frame

    from helpers.report.chapter import Chapter
    from helpers.survey.lineage import QuestionHistory

    return Chapter(
        "03_beleid",
        2018,
        tmp_path,
        data=df,
        codebook=cb,
        frame=make_frame(),
        history=QuestionHistory({2018: cb}),
        display=Shown(),
    )
