"""The chapter API: views by type, questions that a later edition dropped or replaced, the notebook's name."""

from __future__ import annotations

import copy

import pytest
from analysis_fixtures import CODEBOOK, make_frame
from conftest import Shown
from IPython.display import Image, Markdown

from helpers.report import notebook as chapter_module
from helpers.report.chapter import Chapter, QuestionGone, chapter_number
from helpers.report.notebook import notebook_name
from helpers.survey.codebook import Codebook
from helpers.survey.lineage import QuestionHistory


def _edition(year: int, change=None) -> Codebook:
    raw = copy.deepcopy(CODEBOOK)
    raw["year"] = year
    if change:
        change(raw)
    return Codebook.model_validate(raw)


def _replace_instruments(raw):
    """2019: the instruments question gets a new id and is declared not comparable (``replaces``)."""
    q = next(q for q in raw["questions"] if q["id"] == "instruments")
    q.update(id="instruments_new", replaces=["instruments"], text="Welke instrumenten (nieuwe schaal)?")


def _drop_routes(raw):
    raw["questions"] = [q for q in raw["questions"] if q["id"] != "route_share"]


@pytest.fixture
def later(tmp_path, df):
    """Edition 2019 of the fixture with one question replaced and one dropped."""
    cb19 = _edition(2019, lambda r: (_replace_instruments(r), _drop_routes(r)))
    data = df.rename(columns=lambda c: c.replace("instruments", "instruments_new"))
    return Chapter(
        "03_beleid", 2019, tmp_path, data=data, codebook=cb19, frame=make_frame(),
        history=QuestionHistory({2018: _edition(2018), 2019: cb19}), earlier={2018: df}, display=Shown(),
    )  # fmt: skip


def test_default_views_by_type(chapter):
    refs = [chapter.show(q) for q in ["integrated_approach", "instruments", "route_share", "n_statushouders"]]
    assert refs == ["Figuur 3.1", "Figuur 3.2", "Tabel 3.1", "Tabel 3.2"]
    assert chapter.show("municipalities") == "Tabel 3.3"
    kinds = [type(o) for o, m in chapter.registry.display.items if m]
    assert kinds == [Image, Image, Markdown, Markdown, Markdown]


def test_a_respondent_level_view_counts_respondents(chapter, df):
    respondents = df.drop_duplicates("respondent_id").reset_index(drop=True)
    chapter._respondents = respondents
    chapter.show("additional_policy", per="respondent")
    table_n = chapter.registry.indicators["n"].iloc[0]
    assert table_n == (respondents["additional_policy__status"] == "beantwoord").sum()
    with pytest.raises(ValueError, match="per moet"):
        chapter.table_for(chapter.codebook.question("additional_policy"), per="gemeente")


def test_a_dropped_question_leaves_one_line_and_no_numbers(later):
    assert later.show("route_share") is None
    assert later.show("route_share") is None
    lines = [t for t in later.registry.display.texts if "niet gesteld" in t]
    assert len(lines) == 1 and "‘Welk percentage van de statushouders" in lines[0] and "route_share" not in lines[0]
    assert later.registry.indicators.empty
    with pytest.raises(QuestionGone):
        later.question("route_share")


def test_a_replaced_question_is_announced_and_its_successor_shown(later):
    assert later.show("instruments") is None
    texts = later.registry.display.texts
    assert any("vervangen door een vraag die er niet mee te vergelijken is" in t for t in texts)
    assert later.registry.figures == ["instruments_new"]
    assert "instruments_new" not in later.remaining()  # the successor counts as shown
    assert "instruments_new" not in [q for q in later.registry.tables]


def test_trend_across_a_replaced_question_marks_the_break(later):
    later.trend("instruments_new", ["k1"])
    table = later.trend_table("instruments_new", ["k1"])
    assert table.data.index.tolist() == ["2018", "2019"] and table.data["Breuk"].tolist() == ["", "ja"]


def test_remaining_shows_every_question_of_the_chapter_once(chapter):
    chapter.show("additional_policy")
    chapter.remaining()
    shown = chapter.registry.figures + chapter.registry.tables
    assert sorted(set(shown)) == ["additional_policy", "instruments", "integrated_approach", "policy_other_groups"]
    assert len(shown) == len(set(shown))


def test_notebook_name_from_the_build_or_jupyterlab(monkeypatch):
    monkeypatch.delenv(chapter_module.NOTEBOOK_ENV, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert notebook_name() is None
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/a/notebooks/05_education.ipynb")
    assert notebook_name() == "05_education"
    monkeypatch.setenv(chapter_module.NOTEBOOK_ENV, "03_policy")
    assert notebook_name() == "03_policy"
    assert chapter_number("10_preconditions") == 10
    with pytest.raises(ValueError, match="hoofdstuknummer"):
        chapter_number("feedback")


def test_remaining_prints_nothing_of_its_own_in_jupyterlab(chapter):
    shown = chapter.remaining()
    assert hasattr(shown, "_ipython_display_") and shown._ipython_display_() is None


def test_a_run_by_hand_shows_numbered_captions_above_the_views(cb, tmp_path, monkeypatch):
    from helpers import paths
    from helpers.report.registry import Registry

    texts: list[str] = []
    by_hand = Registry(3, 2018, paths.SCRATCH_DIR / "2018", "03_policy", lambda obj, metadata=None: texts.append(
        getattr(obj, "data", "")), codebook=cb, interactive=True)  # fmt: skip
    built = Registry(3, 2018, tmp_path, "03_policy", lambda obj, metadata=None: None, codebook=cb)
    assert by_hand.interactive and not built.interactive
    by_hand._caption_by_hand("Tabel 3.1 Aanvullend beleid (n=29)")
    assert texts == ["**Tabel 3.1 Aanvullend beleid (n=29)**"]
