import io
import json

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from PIL import Image as PILImage
from shapely.geometry import Polygon

from helpers.analysis.question_tables import multi_answer_table, single_choice_table
from helpers.analysis.size_classes import size_class_table
from helpers.analysis.trends import trend_table
from helpers.paths import polygons_path
from helpers.report.plots import (
    DIVERGING,
    HOUSE_RC,
    NONSUBSTANTIVE_GREY,
    _segment_colours,
    bar_chart,
    figure_png,
    likert_chart,
    polygon_path,
    response_map,
    set_house_style,
    size_class_chart,
    trend_chart,
)
from helpers.survey.lineage import QuestionHistory
from helpers.survey.vocabulary import MERGED_LARGE


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_set_house_style():
    with mpl.rc_context():
        set_house_style()
        assert mpl.rcParams["savefig.dpi"] == 200
        assert mpl.rcParams["svg.hashsalt"] == HOUSE_RC["svg.hashsalt"]
        assert mpl.rcParams["font.sans-serif"][0] == "DejaVu Sans"
        colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        assert colours[0].lower() == "#0072b2"  # Okabe-Ito blue


def test_bar_chart_in_report_order_with_labels(cb, df):
    t = multi_answer_table(df, cb, "instruments")
    fig = bar_chart(t)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [lab.get_text() for lab in ax.get_yticklabels()] == list(t.data.index)
    assert ax.yaxis_inverted()  # first row on top
    assert texts(fig) == ["75%", "61%", "25%", "7%", "7%"]
    assert ax.get_xlim()[1] == pytest.approx(112)  # shares drawn on a 0–100 scale


def test_png_bytes_are_reproducible(cb, df):
    t = single_choice_table(df, cb, "additional_policy")
    a, b = figure_png(bar_chart(t)), figure_png(bar_chart(t))
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert a == b
    assert b"Software" not in a and b"Creation Time" not in a
    width = int.from_bytes(a[16:20], "big")
    assert width > 600  # 200 dpi


def test_likert_full_scale(cb, df):
    t = single_choice_table(df, cb, "integrated_approach")
    fig = likert_chart(t)
    ax = fig.axes[0]
    assert len(ax.patches) == 5
    widths = [p.get_width() for p in ax.patches]
    assert sum(widths) == pytest.approx(100)
    assert texts(fig) == ["7%", "20%", "17%", "43%", "13%"]
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend == ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
    facecolours = [mpl.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert facecolours == [c.lower() for c in DIVERGING[5]]
    two = likert_chart([t, single_choice_table(df, cb, "integrated_approach")])
    assert len(two.axes[0].patches) == 10
    with pytest.raises(ValueError):
        likert_chart([t, single_choice_table(df, cb, "integrated_approach", collapse=True)])


def test_dont_know_is_grey():
    colours = _segment_colours(["Oneens", "Neutraal", "Eens", "Weet niet"])
    assert colours[-1] == NONSUBSTANTIVE_GREY
    assert colours[:3] == DIVERGING[3]


def test_size_class_chart_never_shows_g4_alone(cb, df):
    bd = size_class_table(df, cb, "instruments")
    fig = size_class_chart(bd)
    legend = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert legend == [f"{MERGED_LARGE} (n=10)", "Middelgroot/klein (n=18)", "Totaal (n=28)"]
    assert not any(lab.startswith("G4 ") for lab in legend)
    few = df[(df["grootteklasse"] != "Middelgroot/klein") | df["gemeentecode"].isin(["GM9019", "GM9020"])]
    suppressed = size_class_chart(size_class_table(few, cb, "additional_policy"))
    assert texts(suppressed).count("–") == 6  # two suppressed groups x three answers


def test_trend_chart_marks_breaks(cb, df):
    pub = pd.DataFrame(
        {"year": [2017], "question": ["additional_policy"], "category": ["Ja"], "stat": ["pct"], "value": [50.0],
         "n": [260], "status": ["check"]}
    )  # fmt: skip
    tr = trend_table(QuestionHistory({2018: cb}), cb.question("additional_policy"), 2018, {2018: df}, pub, ["k1", "k2"])
    fig = trend_chart(tr)
    legend = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert legend == ["2017", "2018"]
    assert "–" in texts(fig)  # 2017 has no published "Nee"
    tr.meta["breaks"][2018] = True
    single = trend_table(QuestionHistory({2018: cb}), cb.question("additional_policy"), 2018, {2018: df}, pub, ["k1"])
    single.meta["breaks"][2018] = True
    labels = [lab.get_text() for lab in trend_chart(single).axes[0].get_yticklabels()]
    assert labels == ["2017", "2018 (breuk in reeks)"]


def _signed_area(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def test_polygon_path_keeps_holes():
    # the hole is given counter-clockwise, like the exterior: orient() must flip it
    square = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (3, 1), (3, 3), (1, 3)]])
    path = polygon_path(square)
    assert _signed_area(path.vertices[:5]) > 0 > _signed_area(path.vertices[5:])
    fig = Figure(figsize=(2, 2))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.add_patch(PathPatch(path, facecolor="red", edgecolor="none"))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 4)
    ax.set_axis_off()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    pixels = np.asarray(PILImage.open(buf))
    assert tuple(pixels[50, 50][:3]) == (255, 255, 255)  # the hole stays empty
    assert tuple(pixels[10, 10][:3]) == (255, 0, 0)


def _tiny_geojson(path):
    def feature(code, cls, coords, holes=()):
        return {
            "type": "Feature",
            "properties": {"gemeentecode": code, "gemeentenaam": code, "provincie": "X", "grootteklasse": cls},
            "geometry": {"type": "Polygon", "coordinates": [coords, *holes]},
        }

    feats = [
        feature("GM9001", "G4", [[5, 52], [5.2, 52], [5.2, 52.2], [5, 52.2], [5, 52]],
                [[[5.05, 52.05], [5.15, 52.05], [5.15, 52.15], [5.05, 52.15], [5.05, 52.05]]]),
        feature("GM9005", "G40", [[5.2, 52], [5.4, 52], [5.4, 52.2], [5.2, 52.2], [5.2, 52]]),
        feature("GM9011", "Middelgroot/klein", [[5, 52.2], [5.4, 52.2], [5.4, 52.4], [5, 52.4], [5, 52.2]]),
        feature("GM9040", "Middelgroot/klein", [[5.1, 52.08], [5.12, 52.08], [5.12, 52.1], [5.1, 52.1], [5.1, 52.08]]),
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def test_response_map_tiny(tmp_path, df):
    geo = _tiny_geojson(tmp_path / "tiny.geojson")
    fig = response_map(geo, df, 2018)
    ax = fig.axes[0]
    assert "Kadaster / Centraal Bureau voor de Statistiek, 2018" in texts(fig)
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend == ["G4 (1)", "G40 (1)", "Middelgroot/klein (1)", "Niet vertegenwoordigd (1)"]
    colls = ax.collections[0]
    assert len(colls.get_paths()) == 4
    with_hole = colls.get_paths()[0]
    assert _signed_area(with_hole.vertices[:5]) > 0 > _signed_area(with_hole.vertices[5:])
    assert figure_png(fig) == figure_png(response_map(geo, df, 2018))
    assert "2019" in texts(response_map(geo, df, 2019))[0]


@pytest.mark.skipif(not polygons_path(2018).exists(), reason="reference polygons not present")
def test_response_map_of_the_netherlands():
    frame = pd.read_csv(polygons_path(2018).with_suffix(".csv"))
    represented = frame.iloc[np.arange(0, 380, 4)]
    fig = response_map(polygons_path(2018), represented, 2018)
    legend = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert legend[-1] == "Niet vertegenwoordigd (285)"
    assert len(fig.axes[0].collections[0].get_paths()) == 380
