"""The figure/table registry: numbering, captions, figure files and the record of every number shown."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.display import Image, Markdown

from helpers.analysis.question_tables import multi_answer_table, single_choice_table
from helpers.analysis.size_classes import size_class_table
from helpers.publish.registers.indicators import assemble
from helpers.report.plots import bar_chart, likert_chart
from helpers.report.registry import Registry, read_indicators
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
def registry(tmp_path):
    return Registry(3, 2018, tmp_path, "03_beleid", display=Shown())


def test_numbering_captions_and_files(registry, cb, df, tmp_path):
    t1 = single_choice_table(df, cb, "additional_policy")
    assert registry.figure(bar_chart(t1), t1) == "Figuur 3.1"
    assert registry.table(multi_answer_table(df, cb, "instruments")) == "Tabel 3.1"
    t2 = single_choice_table(df, cb, "integrated_approach")
    assert registry.figure(likert_chart(t2), t2, title="Integrale aanpak") == "Figuur 3.2"
    shown = registry.display
    assert shown.captions == [
        "Figuur 3.1 Is er in uw gemeente aanvullend beleid voor de arbeidstoeleiding van statushouders? (n=29)",
        "Tabel 3.1 Welke instrumenten zet uw gemeente in? (n=28)",
        "Figuur 3.2 Integrale aanpak (n=30)",
    ]
    assert [m["label"] for _, m in shown.items if m] == ["fig:3-1", "tab:3-1", "fig:3-2"]
    # figure and its notes, table (captioned) and its notes (uncaptioned), figure and its notes
    assert [type(o) for o, _ in shown.items] == [Image, Markdown, Markdown, Markdown, Image, Markdown]
    table_md = shown.items[2][0].data
    assert "n=28" not in table_md and "| Taalcursus | 75% |" in table_md
    assert "Meerdere antwoorden mogelijk" in shown.items[3][0].data
    assert shown.items[1][0].data.startswith("*n=29; basis: alle gemeenten die de vraag beantwoordden")
    assert (tmp_path / "figures" / "figuur_3_1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "figures" / "figuur_3_2.png").exists()


def test_nothing_is_written_before_a_number_is_recorded(tmp_path):
    Registry(3, 2018, tmp_path, "03_beleid", display=Shown())
    assert not any(tmp_path.iterdir())


def test_indicator_file_has_exactly_the_columns(registry, cb, df, tmp_path):
    t = single_choice_table(df, cb, "additional_policy")
    registry.figure(bar_chart(t), t)
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


def test_breakdown_categories_and_duplicates_recorded_once(registry, cb, df):
    bd = size_class_table(df, cb, "additional_policy", ["Ja"])
    registry.table(bd)
    registry.table(bd)
    ind = registry.indicators
    assert "Grote gemeenten (G4/G40): Ja" in set(ind["category"])
    assert (ind.loc[ind["category"] == "Ja", "stat"] == "p").all()
    assert (ind["report_ref"] == "").all()
    assert not ind.duplicated().any()


def test_unknown_stat_is_refused(registry):
    with pytest.raises(ValueError, match="unknown stat"):
        registry.record(pd.DataFrame([{"category": "Ja", "stat": "share", "value": 1.0, "n": 3}]), "q")


def test_assembly_is_deterministic_and_in_notebook_order(tmp_path, cb, df):
    t = single_choice_table(df, cb, "additional_policy")
    Registry(4, 2018, tmp_path, "04_start", display=Shown()).table(t)
    Registry(3, 2018, tmp_path, "03_beleid", display=Shown()).table(single_choice_table(df, cb, "integrated_approach"))
    target = assemble(tmp_path, ["03_beleid", "04_start"])
    first = target.read_bytes()
    assemble(tmp_path, ["03_beleid", "04_start"])
    assert target.read_bytes() == first
    got = read_indicators(target)
    assert list(got.columns) == INDICATOR_COLUMNS
    assert got["chapter"].drop_duplicates().tolist() == [3, 4]


def test_format_value():
    assert format_value(59.5, "pct") == "60%"
    assert format_value(9.35, "answers_mean") == "9,4"
    assert format_value(12.5, "mean", percent=True) == "13%"
    assert format_value(0.0004, "p") == "< 0,001"
    assert format_value(float("nan"), "pct") == "–"


def test_a_table_records_its_base_column_and_names_its_numbers_for_the_html() -> None:
    import pandas as pd

    from helpers.analysis.table import Table, number_rows
    from helpers.report.registry import number_keys, shown_numbers

    data = pd.DataFrame({"Gemiddelde": [12.5, 30.0], "n": [253, 250]}, index=pd.Index(["Werk", "Studie"]))
    table = Table(
        data=data,
        question="routes",
        title="Routes",
        n=None,
        base="",
        kind="percent",
        stat="mean",
        indicators=number_rows([("Werk", "mean", 12.5, 253), ("Studie", "mean", 30.0, 250)]),
    )
    numbers = shown_numbers(table)
    assert numbers[numbers["stat"] == "n"][["category", "value", "n"]].values.tolist() == [
        ["Werk", 253.0, 253],
        ["Studie", 250.0, 250],
    ]
    assert number_keys(table, numbers)[0] == ["routes", "Werk", "mean", 12.5, 253]
    assert len(number_keys(table, numbers)) == 4
    without_base = Table(**{**table.__dict__, "data": data.drop(columns="n")})
    assert shown_numbers(without_base) is without_base.indicators


def test_the_response_table_names_the_cell_of_each_count() -> None:
    import pandas as pd

    from helpers.analysis.response import response_table
    from helpers.report.registry import number_keys

    frame = pd.DataFrame({"gemeentecode": ["1", "2", "3"], "grootteklasse": ["G4", "G4", "G40"]})
    got = pd.DataFrame({"gemeentecode": ["1", "3"], "grootteklasse": ["G4", "G40"], "respondent_id": ["a", "b"]})
    table = response_table(frame, got)
    places = {(k[1], k[2]): k[5:] for k in number_keys(table, table.indicators)}
    assert places[("G4", "count")] == ["G4", "Vertegenwoordigd in de monitor"]
    assert places[("G4 (alle gemeenten)", "count")] == ["G4", "Aantal gemeenten in Nederland"]
    assert places[("Totaal", "pct")] == ["Totaal", "Percentage"]
    assert places[("Respondenten", "count")] == []  # the footnote's number has no cell
