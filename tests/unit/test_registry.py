import warnings

import pandas as pd
import pytest
from analysis_fixtures import make_frame
from IPython.display import Image, Markdown

from helpers.analysis.question_tables import multi_answer_table, single_choice_table
from helpers.analysis.size_classes import size_class_table
from helpers.analysis.trends import trend_table
from helpers.report.plots import bar_chart, likert_chart
from helpers.report.registry import Chapter, collect_indicators, read_indicators
from helpers.survey.formatting import format_value
from helpers.survey.vocabulary import INDICATOR_COLUMNS


class Shown:
    """Collects what the registry displays."""

    def __init__(self):
        self.items: list[tuple[object, dict | None]] = []

    def __call__(self, obj, metadata=None):
        self.items.append((obj, metadata))

    @property
    def captions(self):
        return [m["caption"] for _, m in self.items if m]


@pytest.fixture
def chapter(tmp_path, cb, df):
    shown = Shown()
    ch = Chapter(number=3, year=2018, build_dir=tmp_path, data=df, codebook=cb, name="03_beleid", display=shown)
    ch.shown = shown
    return ch


def test_numbering_captions_and_files(chapter, cb, df, tmp_path):
    t1 = single_choice_table(df, cb, "additional_policy")
    assert chapter.figure(bar_chart(t1), t1) == "Figuur 3.1"
    assert chapter.table(multi_answer_table(df, cb, "instruments")) == "Tabel 3.1"
    t2 = single_choice_table(df, cb, "integrated_approach")
    assert chapter.figure(likert_chart(t2), t2, title="Integrale aanpak") == "Figuur 3.2"
    assert chapter.shown.captions == [
        "Figuur 3.1 Is er in uw gemeente aanvullend beleid voor de arbeidstoeleiding van statushouders? (n=29)",
        "Tabel 3.1 Welke instrumenten zet uw gemeente in? (n=28)",
        "Figuur 3.2 Integrale aanpak (n=30)",
    ]
    labels = [m["label"] for _, m in chapter.shown.items if m]
    assert labels == ["fig:3-1", "tab:3-1", "fig:3-2"]
    kinds = [type(o) for o, _ in chapter.shown.items]
    # figure, table (captioned), its notes (uncaptioned), figure
    assert kinds == [Image, Markdown, Markdown, Image]
    table_md = chapter.shown.items[1][0].data
    assert "n=28" not in table_md and "| Taalcursus | 75% |" in table_md
    assert "Meerdere antwoorden mogelijk" in chapter.shown.items[2][0].data
    png = tmp_path / "figures" / "figuur_3_1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "figures" / "figuur_3_2.png").exists()


def test_indicator_file_has_exactly_the_columns(chapter, cb, df, tmp_path):
    t = single_choice_table(df, cb, "additional_policy")
    chapter.figure(bar_chart(t), t)
    path = tmp_path / "indicators" / "03_beleid.csv"
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(INDICATOR_COLUMNS)
    got = read_indicators(path)
    assert list(got.columns) == INDICATOR_COLUMNS
    row = got[got["category"] == "Ja"].iloc[0]
    assert (row["year"], row["chapter"], row["question"], row["report_ref"]) == (
        2018,
        3,
        "additional_policy",
        "Figuur 3.1",
    )
    assert row["stat"] == "pct" and row["n"] == 29
    assert row["value"] == pytest.approx(100 * 16 / 29, abs=1e-12)  # unrounded


def test_numbers_in_prose_are_recorded(chapter):
    assert chapter.pct("additional_policy", "Ja") == "55%"
    assert chapter.answers_mean("instruments") == "1,8"
    assert chapter.mean("route_share", "Directe bemiddeling") == "13%"
    assert chapter.mean("n_statushouders") == "65,0"
    assert chapter.number("additional_policy", "Ja", "count") == "16"
    ind = chapter.indicators
    assert ind[["question", "category", "stat"]].values.tolist() == [
        ["additional_policy", "Ja", "pct"],
        ["instruments", "", "answers_mean"],
        ["route_share", "Directe bemiddeling", "mean"],
        ["n_statushouders", "", "mean"],
        ["additional_policy", "Ja", "count"],
    ]
    assert ind["report_ref"].tolist() == ["Figuur 3.1", "Figuur 3.2", "Tabel 8.1", "", "Figuur 3.1"]
    with pytest.raises(KeyError, match="available"):
        chapter.pct("additional_policy", "Misschien")


def test_number_on_a_subset_is_a_new_view_and_small_bases_are_not_shown(chapter, df):
    few = df.iloc[:4]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert chapter.pct("additional_policy", "Ja", df=few) == "–"
    assert caught
    assert chapter.indicators.empty
    subset = df[df["grootteklasse"] == "Middelgroot/klein"]
    assert chapter.pct("additional_policy", "Ja", df=subset) == "42%"
    assert chapter.indicators["report_ref"].tolist() == [""]


def test_breakdown_and_trend_categories(chapter, cb, df):
    bd = size_class_table(df, cb, "additional_policy", ["Ja"])
    chapter.table(bd)
    assert chapter.number(bd, "Grote gemeenten (G4/G40): Ja") == "80%"
    tr = trend_table("additional_policy", {2018: (df, cb)}, None, ["Ja"])
    chapter.table(tr)
    ind = chapter.indicators
    assert "Grote gemeenten (G4/G40): Ja" in set(ind["category"])
    assert "2018: Ja" in set(ind["category"])
    assert set(ind["stat"]) <= {"pct", "p"}
    assert (ind.loc[ind["category"] == "Ja", "stat"] == "p").all()
    assert (ind["report_ref"] == "").all()
    assert not ind.duplicated().any()  # the breakdown cell quoted in prose is recorded once


def test_duplicates_recorded_once_and_restart_truncates(tmp_path, cb, df):
    shown = Shown()
    ch = Chapter(3, 2018, tmp_path, data=df, codebook=cb, name="03_beleid", display=shown)
    t = single_choice_table(df, cb, "additional_policy")
    ch.figure(bar_chart(t), t)
    ch.table(t)
    ch.pct("additional_policy", "Ja")
    assert len(ch.indicators) == 3
    again = Chapter(3, 2018, tmp_path, name="03_beleid", display=shown)
    assert read_indicators(again.indicators_path).empty


def test_collect_is_deterministic(tmp_path, cb, df):
    shown = Shown()
    ch4 = Chapter(4, 2018, tmp_path, data=df, codebook=cb, name="04_start", display=shown)
    ch3 = Chapter(3, 2018, tmp_path, data=df, codebook=cb, name="03_beleid", display=shown)
    ch4.pct("integrated_approach", "Eens")
    ch3.pct("additional_policy", "Nee")
    ch3.pct("additional_policy", "Ja")
    first = collect_indicators(tmp_path)
    bytes_first = (tmp_path / "indicators.csv").read_bytes()
    second = collect_indicators(tmp_path)
    assert (tmp_path / "indicators.csv").read_bytes() == bytes_first
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == INDICATOR_COLUMNS
    assert first["chapter"].tolist() == [3, 3, 4]
    assert first["category"].tolist() == ["Nee", "Ja", "Eens"]  # order of appearance within a chapter
    pd.testing.assert_frame_equal(read_indicators(tmp_path / "indicators.csv"), first)


def test_default_view_by_type(tmp_path, cb, df):
    shown = Shown()
    ch = Chapter(2, 2018, tmp_path, data=df, codebook=cb, name="02_respons", display=shown)
    kinds = {q: ch.default_view(df, cb, q).kind for q in ["integrated_approach", "instruments", "route_share"]}
    assert kinds == {"integrated_approach": "likert", "instruments": "multi", "route_share": "estimate"}
    assert ch.default_view(df, cb, "n_statushouders").kind == "count"
    assert ch.default_view(df, cb, "remarks").kind == "text"
    assert ch.default_view(df, cb, "municipalities", frame=make_frame()).report_ref == "Tabel 1"
    assert [c.split(" ", 1)[0] for c in shown.captions] == ["Figuur", "Figuur", "Tabel", "Tabel", "Tabel", "Tabel"]
    assert shown.captions[-1].startswith("Tabel 2.4 Respons")
    with pytest.raises(ValueError):
        ch.default_view(df, cb, "municipalities")


def test_figure_from_question_id_needs_bound_data(tmp_path, cb, df):
    ch = Chapter(3, 2018, tmp_path, name="03_beleid", display=Shown())
    fig = bar_chart(single_choice_table(df, cb, "additional_policy"))
    with pytest.raises(ValueError, match="bind"):
        ch.figure(fig, "additional_policy")
    ch.bind(df, cb).figure(fig, "additional_policy")
    assert ch.indicators["question"].unique().tolist() == ["additional_policy"]


def test_format_value():
    assert format_value(59.5, "pct") == "60%"
    assert format_value(9.35, "answers_mean") == "9,4"
    assert format_value(12.5, "mean", percent=True) == "13%"
    assert format_value(0.0004, "p") == "< 0,001"
    assert format_value(float("nan"), "pct") == "–"
