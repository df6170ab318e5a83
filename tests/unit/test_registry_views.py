"""The registry's views: labels of this build in indicators.csv, bases in captions, routing under views,
data files under every figure and table (``report.registry``, ``report.downloads``)."""

from __future__ import annotations

import csv
import zipfile

import matplotlib

matplotlib.use("Agg")
import pandas as pd
import pytest
from IPython.display import Image, Markdown
from matplotlib.figure import Figure

from helpers import paths
from helpers.analysis.table import Table
from helpers.report.downloads import CSV_COLUMNS
from helpers.report.plots import bar_chart
from helpers.report.registry import VIEW_KEY, Registry, n_text, read_indicators
from helpers.survey.codebook import load_codebook
from helpers.survey.vocabulary import INDICATOR_COLUMNS


@pytest.fixture(scope="module")
def cb():
    return load_codebook(paths.codebook_path(2018))


def _table(question: str, values: dict[str, float], n: int | None, *, base: str = "", ns=None) -> Table:
    data = pd.DataFrame({"Percentage": list(values.values())}, index=pd.Index(list(values), name="Antwoord"))
    ind = pd.DataFrame(
        {"category": list(values), "stat": "pct", "value": list(values.values()), "n": ns or [n] * len(values)}
    )
    return Table(data=data, question=question, title=f"Titel {question}", n=n, base=base, kind="single", stat="pct",
                 report_ref="Figuur 3.1", formats={"Percentage": "pct"}, indicators=ind)  # fmt: skip


class Shown(list):
    def __call__(self, obj, metadata=None):
        self.append((obj, metadata))


def _registry(tmp_path, cb, chapter=3):
    shown = Shown()
    return Registry(chapter, 2018, tmp_path, f"0{chapter}_x", display=shown, codebook=cb), shown


def _fig() -> Figure:
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().bar([0, 1], [1, 2])
    return fig


def test_indicators_carry_the_label_of_this_build_and_text_numbers_their_chapter(tmp_path, cb):
    reg, _ = _registry(tmp_path, cb)
    routed = next(q for q in cb.all_questions if q.asked_if is not None and q.type == "single")
    t = _table(routed.id, {"Ja": 44.2, "Nee": 55.8}, 208)
    reg.record(t.indicators.iloc[:1], t.question, t.report_ref)  # the prose quotes a number first
    assert reg.figure(_fig(), t) == "Figuur 3.1"
    assert reg.table(t, "Als tabel") == "Tabel 3.1"
    reg.record(pd.DataFrame({"category": ["X"], "stat": ["pct"], "value": [5.0], "n": [9]}), "other", "")
    ind = read_indicators(reg.indicators_path)
    assert list(ind.columns) == INDICATOR_COLUMNS and INDICATOR_COLUMNS[:8] == [
        "year", "chapter", "question", "report_ref", "category", "stat", "value", "n"
    ]  # fmt: skip
    assert ind["build_ref"].tolist() == ["Figuur 3.1", "Figuur 3.1", "Hoofdstuk 3"]  # the view's label wins
    assert (ind["build_ref"] != "").all()


def test_caption_base_routing_line_and_data_files(tmp_path, cb):
    reg, shown = _registry(tmp_path, cb)
    routed = next(q for q in cb.all_questions if q.asked_if is not None and q.type == "single")
    t = _table(routed.id, {"Ja": 44.2, "Nee": 55.8}, 208)
    reg.figure(bar_chart(t), t)
    (image, meta), (notes, _) = shown[0], shown[1]
    assert isinstance(image, Image) and isinstance(notes, Markdown)
    assert meta["caption"] == f"Figuur 3.1 Titel {routed.id} (n=208)" and meta["label"] == "fig:3-1"
    view = meta[VIEW_KEY]
    assert view["files"] == {"csv": "data/03_x/figuur-3-1.csv", "xlsx": "data/03_x/figuur-3-1.xlsx"}
    assert view["numbers"] == {"columns": ["Antwoord", "Percentage"], "rows": [["Ja", "44%"], ["Nee", "56%"]]}
    assert (
        view["description"]
        == "Staafdiagram met 2 rijen, van Ja (44%) tot Nee (56%). De cijfers staan in de tabel onder de figuur."
    )
    assert notes.data.startswith(f"*Vraag: ‘{routed.text}’")  # the caption is a short title: the wording follows
    assert "*n=208." in notes.data and "Alleen gesteld aan gemeenten die op" in notes.data
    reg.figure(bar_chart(t), t, title=routed.text)
    assert "Vraag:" not in shown[-1][0].data  # the caption already is the question
    with open(tmp_path / "data" / "03_x" / "figuur-3-1.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CSV_COLUMNS
    assert rows[0]["vraagtekst"] == routed.text and rows[0]["routering"].startswith("gemeenten die op")
    assert [(r["categorie"], r["getoond"], r["n"]) for r in rows] == [("Ja", "44%", "208"), ("Nee", "56%", "208")]
    with zipfile.ZipFile(tmp_path / "data" / "03_x" / "figuur-3-1.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}  # no clock in the file
        assert "xl/worksheets/sheet3.xml" in z.namelist()


def test_text_alternative_names_the_kind_of_chart_or_takes_the_given_one(tmp_path, cb):
    reg, shown = _registry(tmp_path, cb)
    t = _table("q", {"Ja": 44.2, "Nee": 55.8}, 208)
    reg.figure(_fig(), t)
    reg.figure(_fig(), t, description="Kaart van Nederland met de vertegenwoordigde gemeenten.")
    views = [m[VIEW_KEY] for _, m in shown if m]
    assert views[0]["description"] == "Grafiek met 2 rijen. De cijfers staan in de tabel onder de figuur."
    assert views[1]["description"] == "Kaart van Nederland met de vertegenwoordigde gemeenten."


def test_several_statements_in_one_figure_all_get_its_label_and_a_base_range(tmp_path, cb):
    reg, shown = _registry(tmp_path, cb)
    a, b = _table("a", {"Eens": 60.0}, 270), _table("b", {"Eens": 40.0}, 282)
    reg.figure(_fig(), [a, b], "Stellingen")
    assert shown[0][1]["caption"] == "Figuur 3.1 Stellingen (n=270–282)"
    assert shown[0][1][VIEW_KEY]["numbers"]["columns"][0] == "Onderdeel"
    assert set(read_indicators(reg.indicators_path)["build_ref"]) == {"Figuur 3.1"}


def test_base_text_and_appendix_numbers():
    assert n_text([_table("a", {"x": 1.0}, None, ns=[12])]) == "n=12"
    assert n_text([_table("a", {"x": 1.0, "y": 2.0}, None, ns=[12, 30])]) == "n=12–30"
    assert n_text([_table("a", {"x": 1.0}, None, ns=[None])]) == ""
    reg = Registry(0, 2018, ".", "00_data", display=Shown())
    assert (reg.chapter_label, reg.text_label) == ("A", "Bijlage A")


def _trend(ns: dict[str, float | None]) -> Table:
    data = pd.DataFrame({"Ja": [50.0] * len(ns), "n": pd.array(list(ns.values()), dtype="Float64")},
                        index=pd.Index(list(ns), name="Jaar"))  # fmt: skip
    numbers = pd.DataFrame(columns=["category", "stat", "value", "n"])
    return Table(data=data, question="q", title="Trend", n=None, base="", kind="trend", stat="pct",
                 formats={"Ja": "pct", "n": "int"}, indicators=numbers)  # fmt: skip


def test_a_trend_caption_names_the_base_of_each_edition_it_knows():
    assert n_text([_trend({"2016": None, "2017": None, "2018": 282})]) == "n=282 in 2018"
    assert n_text([_trend({"2017": 202, "2018": 253})]) == "n=202 in 2017, 253 in 2018"
    assert n_text([_trend({"2017": None})]) == ""


def test_a_figure_whose_rows_have_their_own_bases_names_them_all():
    data = pd.DataFrame({"Gemiddelde": [39.0, 16.0], "n": [258, 253]}, index=pd.Index(["a (n=258)", "b (n=253)"]))
    numbers = pd.DataFrame([("a", "mean", 39.0, 258)], columns=["category", "stat", "value", "n"])
    table = Table(data=data, question="q", title="Schattingen", n=None, base="", kind="estimate", stat="mean",
                  formats={"Gemiddelde": "pct", "n": "int"}, indicators=numbers)  # fmt: skip
    assert n_text([table]) == "n=253–258"
