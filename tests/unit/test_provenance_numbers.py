"""Every number a passage prints is a recorded indicator row: interval bounds, bases, size-class shares, an earlier
edition's value; and a number printed in several places of the publication keeps every place (``report_ref``)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from analysis_fixtures import CODEBOOK, make_frame
from conftest import Shown

from helpers.analysis.backtest import compare_indicators, split_report_refs
from helpers.publish.registers.indicators import indicator_id
from helpers.publish.render.html_parts import PageNumbers
from helpers.report.chapter import Chapter
from helpers.report.prose import NUMBERS_KEY, Prose, whole_number_at
from helpers.report.registry import Registry, join_report_refs
from helpers.survey.codebook import Codebook
from helpers.survey.lineage import QuestionHistory
from helpers.survey.vocabulary import MERGED_LARGE, SMALL_CLASS


def _printed(prose: Prose, block: str) -> tuple[str, list[dict[str, object]], pd.DataFrame]:
    text = prose.render(block)
    assert text is not None
    return text, prose.provenance().get(NUMBERS_KEY, []), prose.ch.registry.indicators


def _row_of(ind: pd.DataFrame, number: dict[str, object]) -> pd.DataFrame:
    """The indicator rows of one printed number (same identity as the HTML looks it up by)."""
    return ind[
        (ind["question"] == number["question"])
        & (ind["category"] == number["category"])
        & (ind["stat"] == number["stat"])
        & (ind["value"] == number["value"])
    ]


def _every_printed_number_is_a_row(text: str, noted: list[dict[str, object]], ind: pd.DataFrame) -> None:
    for number in noted:
        assert whole_number_at(text, str(number["text"])) >= 0
        assert len(_row_of(ind, number)) == 1, number


@pytest.fixture
def prose(chapter) -> Prose:
    return Prose(chapter)


def test_an_interval_records_its_bounds_as_ci_low_and_ci_high(prose: Prose) -> None:
    text, noted, ind = _printed(prose, '{{ ci("additional_policy", "k1") }}')
    low_text, high_text = text.split("BI ")[1].rstrip("%)").split("–")
    assert [(n["text"], n["stat"]) for n in noted] == [
        (text.split()[0], "pct"),
        (low_text, "ci_low"),
        (high_text, "ci_high"),
    ]
    _every_printed_number_is_a_row(text, noted, ind)
    bounds = ind[ind["stat"].isin(["ci_low", "ci_high"])]
    assert bounds["category"].tolist() == ["Ja", "Ja"] and bounds["report_ref"].tolist() == ["", ""]
    low, high = bounds["value"].tolist()
    share = float(ind[(ind["stat"] == "pct") & (ind["category"] == "Ja")]["value"].iloc[0])
    assert low < share < high and bounds["n"].tolist() == [29, 29]
    assert indicator_id("additional_policy", "Ja", "ci_low", {"Ja": "k1"}) == "additional_policy.k1.ci_low"


def test_a_base_printed_as_a_number_is_the_questions_n(prose: Prose) -> None:
    text, noted, ind = _printed(prose, 'Van de {{ n("additional_policy") }} gemeenten die de vraag beantwoordden')
    assert [(n["text"], n["stat"], n["category"]) for n in noted] == [("29", "n", "")]
    _every_printed_number_is_a_row(text, noted, ind)
    assert indicator_id("additional_policy", "", "n") == "additional_policy.n"


def test_size_class_shares_and_means_record_their_group_and_base(prose: Prose) -> None:
    text, noted, ind = _printed(
        prose,
        '{{ size_pct("additional_policy", "k1", klasse=GROOT) }} tegen '
        '{{ size_pct("additional_policy", "k1", klasse=KLEIN) }}; '
        '{{ size_mean("route_share", "k1", klasse=GROOT) }}',
    )
    assert [(n["category"], n["stat"]) for n in noted] == [
        (f"{MERGED_LARGE}: Ja", "pct"),
        (f"{SMALL_CLASS}: Ja", "pct"),
        (f"{MERGED_LARGE}: Directe bemiddeling", "mean"),
    ]
    _every_printed_number_is_a_row(text, noted, ind)
    groups = ind[ind["category"].str.contains(":")]
    assert groups["n"].notna().all() and (groups["report_ref"] == "").all()
    assert groups["n"].iloc[0] + groups["n"].iloc[1] == 29  # the two groups together are the question's base
    labels = {"Ja": "k1"}
    assert indicator_id("additional_policy", f"{MERGED_LARGE}: Ja", "pct", labels).endswith(
        ".k1.pct.grote_gemeenten_g4_g40"
    )


def test_a_ranking_with_intervals_links_every_number(prose: Prose) -> None:
    text, noted, ind = _printed(prose, '{{ ranking("instruments", 2, intervals=True) }}')
    assert [n["stat"] for n in noted] == ["pct", "ci_low", "ci_high"] * 2
    _every_printed_number_is_a_row(text, noted, ind)


def _edition(year: int) -> Codebook:
    raw = copy.deepcopy(CODEBOOK)
    raw["year"] = year
    return Codebook.model_validate(raw)


def test_a_change_records_the_earlier_editions_value_with_its_own_year(tmp_path, df) -> None:
    cb18, cb19 = _edition(2018), _edition(2019)
    ch = Chapter(
        "03_beleid", 2019, tmp_path, data=df, codebook=cb19, frame=make_frame(),
        history=QuestionHistory({2018: cb18, 2019: cb19}), earlier={2018: df}, display=Shown(),
    )  # fmt: skip
    prose = Prose(ch)
    text, noted, ind = _printed(prose, 'Het aandeel {{ change("additional_policy", "k1") }}.')
    assert text == "Het aandeel bleef gelijk (55% in 2018 en in 2019)."
    assert {n["category"] for n in noted} <= {"Ja", "2018: Ja"} and len(noted) == 1  # "55%" once in the text
    text, noted, ind = _printed(prose, 'In 2018: {{ previous("additional_policy", "k1") }}.')
    assert [(n["text"], n["category"]) for n in noted] == [("55%", "2018: Ja")]
    _every_printed_number_is_a_row(text, noted, ind)
    earlier = ind[ind["category"] == "2018: Ja"]
    assert len(earlier) == 1 and earlier["year"].iloc[0] == 2019 and earlier["n"].iloc[0] == 29
    assert indicator_id("additional_policy", "2018: Ja", "pct", {"Ja": "k1"}) == "additional_policy.k1.pct.2018"


# --- several places in the publication ----------------------------------------------------------------------------
def test_report_refs_are_joined_and_split_in_order() -> None:
    assert join_report_refs("Tabel 8.1", "Figuur 5.3; Tabel 8.1", "") == "Tabel 8.1; Figuur 5.3"
    assert split_report_refs("Tabel 8.1; Figuur 5.3") == ["Tabel 8.1", "Figuur 5.3"]
    assert split_report_refs("") == [] and split_report_refs("Tabel 8.1") == ["Tabel 8.1"]


def test_a_prose_number_keeps_every_place_of_its_question(tmp_path, df) -> None:
    raw = copy.deepcopy(CODEBOOK)
    for q in raw["questions"]:
        if q["id"] == "route_share":
            q["report_refs"] = ["Tabel 8.1", "Figuur 5.3"]
    cb = Codebook.model_validate(raw)
    ch = Chapter(
        "05_onderwijs", 2018, tmp_path, data=df, codebook=cb, frame=make_frame(),
        history=QuestionHistory({2018: cb}), display=Shown(),
    )  # fmt: skip
    _printed(Prose(ch), '{{ mean("route_share", "k2") }}')
    row = ch.registry.indicators.iloc[-1]
    assert (row["category"], row["report_ref"]) == ("Via onderwijs", "Tabel 8.1; Figuur 5.3")


def test_a_number_recorded_again_gains_the_places_it_lacked(tmp_path) -> None:
    reg = Registry(5, 2018, tmp_path, "05_x", display=lambda *a, **k: None)
    number = pd.DataFrame([{"category": "Via onderwijs", "stat": "mean", "value": 15.5, "n": 253}])
    reg.record(number, "route_share", "Figuur 5.3")
    reg.record(number, "route_share", "Tabel 8.1; Figuur 5.3", label="Tabel 5.1")
    reg.record(number, "route_share", "")
    ind = reg.indicators
    assert len(ind) == 1
    assert (ind["report_ref"].iloc[0], ind["build_ref"].iloc[0]) == ("Figuur 5.3; Tabel 8.1", "Tabel 5.1")


def _published(ref: str, n: float) -> dict[str, object]:
    return {"report_ref": ref, "question": "route_share", "category": "Via onderwijs", "stat": "mean",
            "value": 16.0, "n": n, "decimals": 0}  # fmt: skip


def test_the_backtest_finds_a_number_under_each_of_its_places() -> None:
    ind = pd.DataFrame(
        [
            {"question": "route_share", "category": "Via onderwijs", "stat": "mean", "value": 15.5, "n": 253,
             "report_ref": "Tabel 8.1; Figuur 5.3", "build_ref": "Hoofdstuk 5"},
            {"question": "route_share", "category": "Via onderwijs", "stat": "mean", "value": 15.5, "n": 253,
             "report_ref": "Tabel 8.1", "build_ref": "Tabel 8.1"},
        ]
    )  # fmt: skip
    published = pd.DataFrame([_published("Figuur 5.3", float("nan")), _published("Tabel 8.1", 253.0)])
    out = compare_indicators(ind, published)
    assert out["status"].tolist() == ["ok", "ok"]
    assert out["shown_in"].tolist() == ["Hoofdstuk 5", "Hoofdstuk 5, Tabel 8.1"]


def test_diff_indicators_does_not_see_a_place_added_to_report_ref(tmp_path) -> None:
    from helpers.publish.registers.compare import diff_indicators

    head = "year,chapter,question,report_ref,category,stat,value,n,build_ref,id\n"
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(head + "2018,5,q,Tabel 8.1,Ja,mean,15.5,253,Tabel 5.1,q.ja.mean\n", encoding="utf-8")
    new.write_text(head + '2018,5,q,"Tabel 8.1; Figuur 5.3",Ja,mean,15.5,253,Tabel 5.1,q.ja.mean\n', encoding="utf-8")
    assert diff_indicators(old, new).empty


# --- the HTML ------------------------------------------------------------------------------------------------------
def _html_row(category: str, stat: str, value: str, report_ref: str = "") -> dict[str, str]:
    return {"year": "1900", "chapter": "3", "question": "q", "report_ref": report_ref, "category": category,
            "stat": stat, "value": value, "n": "253", "build_ref": "Hoofdstuk 3", "id": "q.x"}  # fmt: skip


@pytest.mark.parametrize(
    ("category", "stat", "value", "shown", "said"),
    [
        ("Ja", "ci_low", "57.26", "57%", "Ondergrens van het 95%-betrouwbaarheidsinterval ‘Ja’"),
        ("Ja", "ci_high", "62.51", "63%", "Bovengrens van het 95%-betrouwbaarheidsinterval ‘Ja’"),
        ("", "n", "253.0", "253", "Basis (aantal dat de vraag beantwoordde) bij"),
        ("1899: Ja", "pct", "72.0", "72%", "Percentage ‘Ja, in 1899’"),
    ],
)
def test_the_tooltip_says_what_a_new_number_is_and_shows_it_as_printed(
    category: str, stat: str, value: str, shown: str, said: str
) -> None:
    pn = PageNumbers([_html_row(category, stat, value)], {"q": "Vraag?"})
    row = pn.rows[0]
    assert pn.shown_value(row) == shown
    assert pn.describe(row).startswith(said) and f": {shown} (" in pn.describe(row)
    assert ("n=253" in pn.describe(row)) is (stat != "n")  # a base does not repeat itself


def test_the_tooltip_names_every_place_in_the_publication() -> None:
    pn = PageNumbers([_html_row("Ja", "mean", "15.5", "Tabel 8.1; Figuur 5.3")], {"q": "Vraag?"})
    assert pn.describe(pn.rows[0]).endswith("De publicatie toont de vraag in Tabel 8.1 en Figuur 5.3.")
    assert "publicatie" not in pn.describe(_html_row("Ja", "mean", "15.5"))


def test_a_number_is_not_found_inside_a_name() -> None:
    assert whole_number_at("Van de G4 doen er 3 van de 4 mee", "4") == 27
    assert whole_number_at("G40 en 40", "40") == 7


def test_a_number_of_the_load_report_is_a_count_of_the_municipality_question(prose: Prose, monkeypatch) -> None:
    from helpers.report.narrative import LOAD_CATEGORIES

    monkeypatch.setattr(Chapter, "load_report", property(lambda self: {"rows_read": 173, "frame_size": 40}))
    text, noted, ind = _printed(prose, 'Van de {{ loaded("rows_read") }} responsen; {{ loaded("frame_size") }}.')
    assert [(n["text"], n["question"], n["stat"]) for n in noted] == [
        ("173", "municipalities", "count"),
        ("40", "municipalities", "count"),
    ]
    assert [n["category"] for n in noted] == [LOAD_CATEGORIES["rows_read"], LOAD_CATEGORIES["frame_size"]]
    _every_printed_number_is_a_row(text, noted, ind)
