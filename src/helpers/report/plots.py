"""One house style for every chart, and the chart types of the report.

Every function builds a ``matplotlib.figure.Figure`` inside the house style (so the
result does not depend on global state) and returns it, labelled with the kind of chart
("Staafdiagram", "Kaart"; the registry's text alternative starts with it); captions and numbering are
added by the registry. Figures are not registered with pyplot, so nothing is shown
twice in a notebook. ``figure_png`` gives reproducible PNG bytes (fixed metadata, no
dates; same bytes for the same matplotlib/freetype versions).

Palette: Okabe-Ito (colour-blind safe) for categories; ColorBrewer RdBu (colour-blind
safe) for agreement scales, with greys for "neutraal" and "weet niet". Every colour that fills
a data mark has a contrast of at least 3:1 with the white page (``MIN_MARK_CONTRAST``, WCAG
1.4.11); colours computed from a colour map are darkened until they do (``accessible``).
Text on a mark is black or white, whichever contrasts more.
"""

from __future__ import annotations

import io
import json
import math
import re
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.polygon import orient

from helpers.analysis.table import Table, format_cell
from helpers.survey.formatting import round_half_up
from helpers.survey.vocabulary import SIZE_CLASSES

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PRIMARY = OKABE_ITO[0]
#: Every colour that fills a data mark has at least this contrast with the white page (WCAG 1.4.11).
MIN_MARK_CONTRAST = 3.0
TOTAL_GREY = "#8C8C8C"
NEUTRAL_GREY = "#8C8C8C"
NONSUBSTANTIVE_GREY = "#5E5E5E"
#: ColorBrewer RdBu, negative -> positive, without the light tones (all >= 3:1 against white).
DIVERGING = {
    2: ["#B2182B", "#2166AC"],
    3: ["#B2182B", NEUTRAL_GREY, "#2166AC"],
    4: ["#B2182B", "#D6604D", "#4393C3", "#2166AC"],
    5: ["#B2182B", "#D6604D", NEUTRAL_GREY, "#4393C3", "#2166AC"],
    6: ["#67001F", "#B2182B", "#D6604D", "#4393C3", "#2166AC", "#053061"],
    7: ["#67001F", "#B2182B", "#D6604D", NEUTRAL_GREY, "#4393C3", "#2166AC", "#053061"],
}
SIZE_COLOURS = {"G4": "#D55E00", "G40": "#0072B2", "Middelgroot/klein": "#009E73"}
NOT_REPRESENTED = "#939393"
#: Inches. Narrower than the PDF's text width (16 cm = 6.3 in) by the margin ``savefig`` adds, so the PDF
#: places every chart at its drawn size (never shrunk: its text prints at the sizes set here).
FIG_WIDTH = 6.1
#: What a trend chart of one series says it shows (``trend_answer``).
TREND_SHARE = "Aandeel ‘{}’"
TREND_MEAN_ANSWERS = "Gemiddeld aantal genoemde antwoorden"
TREND_MEAN_PERCENT = "Gemiddeld percentage"
TREND_MEAN = "Gemiddelde"
#: Inches a chart grows by for each row its legend needs beyond the first.
LEGEND_ROW = 0.2
#: Smallest text in a chart (points at the PDF's scale: charts are drawn at the text width). Printed
#: chart labels stay at 8 pt or more even when the PDF shrinks a tall chart a little.
MIN_FONT_PT = 8.5
LABEL_MIN_SHARE = 7.0  # stacked segments narrower than this (in %) carry no label
DPI = 200
MAP_CREDIT = "Kadaster / Centraal Bureau voor de Statistiek, {year}"
_NONSUBSTANTIVE = re.compile(r"weet niet|geen mening|n\.v\.t|niet van toepassing|geen antwoord", re.IGNORECASE)

HOUSE_RC: dict[Any, Any] = {  # matplotlib types its keys as literals
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": 9,
    "legend.fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "axes.prop_cycle": cycler(color=OKABE_ITO),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#4D4D4D",
    "axes.grid": False,
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "svg.hashsalt": "monitor-statushouders",
    "text.parse_math": False,  # text is data: a ``$`` in a label is a dollar sign, never mathtext
    "text.usetex": False,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "image.cmap": "cividis",
}
#: PNG metadata written by ``figure_png``: no software version, no dates.
PNG_METADATA: dict[str, str | None] = {"Software": None}


def set_house_style() -> None:
    """Apply the house style globally (seaborn theme + ``HOUSE_RC``); call once per notebook."""
    import seaborn as sns

    sns.set_theme(context="paper", style="white", palette=OKABE_ITO, font="DejaVu Sans")
    mpl.rcParams.update(HOUSE_RC)


@contextmanager
def house_style() -> Iterator[None]:
    """The house style for the duration of a block, whatever the global settings."""
    with mpl.rc_context(HOUSE_RC):
        yield


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """PNG bytes of ``fig`` at print resolution, with fixed metadata (reproducible)."""
    buf = io.BytesIO()
    with house_style():
        fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    return buf.getvalue()


def _wrap(text: str, width: int = 42) -> str:
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a colour (0 black – 1 white)."""

    def channel(x: float) -> float:
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = mpl.colors.to_rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1–21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accessible(colour: str, minimum: float = MIN_MARK_CONTRAST, background: str = "#ffffff") -> str:
    """``colour``, darkened in small steps until it has ``minimum`` contrast with ``background``."""
    r, g, b = mpl.colors.to_rgb(colour)

    def scaled(f: float) -> str:
        return mpl.colors.to_hex((r * f, g * f, b * f))

    factor = 1.0
    while contrast_ratio(scaled(factor), background) < minimum and factor > 0:
        factor -= 0.02
    return scaled(max(factor, 0.0))


def _new_figure(height: float, width: float = FIG_WIDTH) -> Figure:
    return Figure(figsize=(width, max(1.2, height)), layout="constrained")


def _bottom_legend(fig: Figure, ax: Axes, entries: int, max_cols: int, **kw: Any) -> None:
    """A legend under the axes in as many columns (at most ``max_cols``) as fit inside the figure.

    Each row the legend needs beyond the rows of ``max_cols`` columns makes the figure ``LEGEND_ROW`` taller.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    widest = max(1, min(entries, max_cols))
    for ncol in range(widest, 0, -1):
        legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, **kw)
        with warnings.catch_warnings():  # a first try may not fit the height yet; the last one does
            warnings.simplefilter("ignore", UserWarning)
            fig.draw_without_rendering()  # the layout places the axes, and so the legend under it
        box = legend.get_window_extent()
        if ncol == 1 or (box.x0 >= 0 and box.x1 <= fig.bbox.width):
            break
    extra = math.ceil(entries / ncol) - math.ceil(entries / widest)
    fig.set_figheight(fig.get_figheight() + LEGEND_ROW * extra)


def _value_column(table: Table) -> str:
    for col in ("Percentage", "Gemiddelde"):
        if col in table.data.columns:
            return col
    numeric = [c for c in table.data.columns if table.formats.get(c, "text") not in ("text", "int", "p")]
    if not numeric:
        raise ValueError("table has no numeric column to plot")
    return numeric[0]


def _bare_x(ax: Axes, limit: float) -> None:
    ax.set_xlim(0, limit)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)


def bar_chart(table: Table, column: str | None = None, *, colour: str = PRIMARY) -> Figure:
    """Horizontal bars in the table's row order (first row on top), labelled "60%"."""
    col = column or _value_column(table)
    values = pd.to_numeric(table.data[col], errors="coerce").astype(float).to_numpy()
    labels = [_wrap(i) for i in table.data.index]
    lines = sum(max(1, lab.count("\n") + 1) for lab in labels)
    with house_style():
        fig = _new_figure(0.22 * lines + 0.12 * len(labels) + 0.3)
        ax = fig.add_subplot()
        y = np.arange(len(values))
        ax.barh(y, np.nan_to_num(values), color=colour, height=0.7)
        top = np.nanmax(values) if np.isfinite(values).any() else 1.0
        limit = 100.0 if table.formats.get(col, "").startswith("pct") else top
        limit = limit * 1.12 if limit > 0 else 1.0
        for yi, v in zip(y, values, strict=True):
            ax.text(
                (0 if math.isnan(v) else v) + limit * 0.01,
                float(yi),
                format_cell(v, table.formats.get(col, "num1")),
                va="center",
                ha="left",
                fontsize=MIN_FONT_PT,
            )
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        _bare_x(ax, limit)
    fig.set_label("Staafdiagram")  # the kind of chart, for its text alternative
    return fig


def _segment_colours(labels: Sequence[str]) -> list[str]:
    substantive = [lab for lab in labels if not _NONSUBSTANTIVE.search(lab)]
    k = len(substantive)
    palette = DIVERGING.get(k) or [
        accessible(mpl.colors.to_hex(c)) for c in mpl.colormaps["RdBu"](np.linspace(0.1, 0.9, k))
    ]
    it = iter(palette)
    return [NONSUBSTANTIVE_GREY if _NONSUBSTANTIVE.search(lab) else next(it) for lab in labels]


def _ink(colour: str) -> str:
    """Black or white text on ``colour``, whichever contrasts more."""
    return "white" if contrast_ratio(colour, "#ffffff") >= contrast_ratio(colour, "#000000") else "black"


def likert_chart(tables: Table | Sequence[Table], labels: Sequence[str] | None = None) -> Figure:
    """100% stacked bars of one or more 5-point (or collapsed) statements, full scale in order.

    Segments of at least ``LABEL_MIN_SHARE`` (7%) carry their label; "weet niet"-type options are grey.
    """
    tabs = [tables] if isinstance(tables, Table) else list(tables)
    cats = list(tabs[0].data.index)
    for t in tabs[1:]:
        if list(t.data.index) != cats:
            raise ValueError("likert_chart needs tables with the same answer categories")
    if labels is None:
        labels = [""] if len(tabs) == 1 else [re.sub(r"^Stelling:\s*", "", t.title) for t in tabs]
    labels = [_wrap(lab, 34) for lab in labels]
    lines = max(lab.count("\n") + 1 for lab in labels)
    colours = _segment_colours(cats)
    with house_style():
        fig = _new_figure(max(0.45, 0.16 * lines + 0.14) * len(tabs) + 0.75)
        ax = fig.add_subplot()
        y = np.arange(len(tabs))
        left = np.zeros(len(tabs))
        for cat, colour in zip(cats, colours, strict=True):
            vals = np.array([float(t.data.loc[cat, "Percentage"]) for t in tabs])
            vals = np.nan_to_num(vals)
            ax.barh(
                y, vals, left=left, color=colour, height=0.62, label=_wrap(cat, 20), edgecolor="white", linewidth=0.5
            )
            for yi, v, x0 in zip(y, vals, left, strict=True):
                if round_half_up(v) >= LABEL_MIN_SHARE:
                    ax.text(
                        x0 + v / 2,
                        float(yi),
                        format_cell(v, "pct"),
                        ha="center",
                        va="center",
                        fontsize=MIN_FONT_PT,
                        color=_ink(colour),
                    )
            left += vals
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        _bare_x(ax, 100)
        ax.spines["left"].set_visible(False)
        _bottom_legend(fig, ax, len(cats), 6, handlelength=1.0, columnspacing=1.0, borderaxespad=0.2)
    fig.set_label("Gestapelde staven")  # the kind of chart, for its text alternative
    return fig


def trend_answer(trend: Table) -> str:
    """What a trend chart of one series shows: "Aandeel ‘Ja’", or the average it is ('' for several series)."""
    cats: list[str] = trend.meta["categories"]
    if len(cats) != 1:
        return ""
    label = str(cats[0]).strip()
    pct = trend.formats.get(cats[0], "pct").startswith("pct")
    if trend.stat == "answers_mean":
        return TREND_MEAN_ANSWERS
    if not label or label == trend.title:  # the question itself: a percent or number question
        return TREND_MEAN_PERCENT if pct else TREND_MEAN
    return TREND_SHARE.format(label) if pct else label


def trend_chart(trend: Table) -> Figure:
    """Year-on-year bars (one bar per year and category); years after a break are marked."""
    long: pd.DataFrame = trend.meta["long"]
    cats: list[str] = trend.meta["categories"]
    breaks: dict[int, bool] = trend.meta.get("breaks", {})
    years = sorted(long["year"].unique())
    shades = [accessible(mpl.colors.to_hex(c)) for c in mpl.colormaps["Blues"](np.linspace(0.5, 0.95, len(years)))]
    fmt = next((trend.formats[c] for c in cats if c in trend.formats), "pct")

    def year_label(y: int) -> str:
        return f"{y} (breuk in reeks)" if breaks.get(y) else str(y)

    with house_style():
        single = len(cats) == 1
        rows = len(years) if single else len(cats)
        per = 0.32 if single else 0.2 * len(years) + 0.18
        fig = _new_figure(per * rows + (0.3 if single else 0.7))
        ax = fig.add_subplot()
        top = float(np.nanmax(long["value"])) if len(long) else 1.0
        limit = (100.0 if fmt.startswith("pct") else top) * 1.12
        height = 0.7 if single else 0.8 / len(years)
        for k, year in enumerate(years):
            sub = long[long["year"] == year].set_index("category")
            vals = np.array([float(sub["value"].get(c, np.nan)) for c in cats])
            ys = np.array([k]) if single else np.arange(len(cats)) - 0.4 + height * (k + 0.5)
            hatch = "///" if breaks.get(year) else None
            ax.barh(
                ys,
                np.nan_to_num(vals),
                height=height * 0.92,
                color=shades[k],
                hatch=hatch,
                edgecolor="white",
                linewidth=0.0,
                label=year_label(year),
            )
            for yi, v in zip(ys, vals, strict=True):
                txt = format_cell(v, fmt)
                ax.text(
                    (0 if math.isnan(v) else v) + limit * 0.01, yi, txt, va="center", ha="left", fontsize=MIN_FONT_PT
                )
        if single:
            ax.set_yticks(np.arange(len(years)), [year_label(y) for y in years])
            shown = trend_answer(trend)
            if shown:
                ax.set_title(_wrap(shown, 90), loc="left", fontsize=HOUSE_RC["font.size"])
        else:
            ax.set_yticks(np.arange(len(cats)), [_wrap(c) for c in cats])
            _bottom_legend(fig, ax, len(years), 4, handlelength=1.2)
        ax.invert_yaxis()
        _bare_x(ax, limit)
    fig.set_label("Staafdiagram per jaar")  # the kind of chart, for its text alternative
    return fig


def size_class_chart(breakdown: Table) -> Figure:
    """Grouped horizontal bars per answer: one bar per size class and the total; "–" when suppressed."""
    groups = [*breakdown.meta["groups"], "Totaal"]
    data = breakdown.data
    cats = list(data.index)
    k = len(groups)
    colours = [accessible(SIZE_COLOURS.get(g, OKABE_ITO[1 + i % 6])) for i, g in enumerate(groups[:-1])] + [TOTAL_GREY]
    if breakdown.meta.get("merged"):
        colours[0] = SIZE_COLOURS["G40"]
    with house_style():
        fig = _new_figure((0.17 * k + 0.2) * len(cats) + 0.7)
        ax = fig.add_subplot()
        height = 0.8 / k
        for j, (g, colour) in enumerate(zip(groups, colours, strict=True)):
            vals = data[g].astype(float).to_numpy()
            ys = np.arange(len(cats)) - 0.4 + height * (j + 0.5)
            ax.barh(ys, np.nan_to_num(vals), height=height * 0.92, color=colour, label=breakdown.headers.get(g, g))
            for yi, v in zip(ys, vals, strict=True):
                ax.text(
                    (0 if math.isnan(v) else v) + 1.0,
                    yi,
                    format_cell(v, "pct"),
                    va="center",
                    ha="left",
                    fontsize=MIN_FONT_PT,
                )
        ax.set_yticks(np.arange(len(cats)), [_wrap(c) for c in cats])
        ax.invert_yaxis()
        _bare_x(ax, 112)
        _bottom_legend(fig, ax, k, 3, handlelength=1.2)
    fig.set_label("Staafdiagram per grootteklasse")  # the kind of chart, for its text alternative
    return fig


# --- map ----------------------------------------------------------------------------


def _ring_path(coords: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    codes = [MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY]
    return coords, codes


def polygon_path(geom: Polygon | MultiPolygon) -> MplPath:
    """A compound matplotlib path for a (multi)polygon, holes included (exterior CCW, holes CW)."""
    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    verts, codes = [], []
    for poly in parts:
        poly = orient(poly, sign=1.0)
        for ring in [poly.exterior, *poly.interiors]:
            v, c = _ring_path(np.asarray(ring.coords)[:, :2])
            verts.append(v)
            codes += c
    return MplPath(np.concatenate(verts), codes)


def response_map(
    frame_geojson_path: str | Path,
    municipalities_df: pd.DataFrame,
    year: int,
    *,
    credit: str | None = None,
) -> Figure:
    """Choropleth of the represented municipalities by size class; others light grey.

    Drawn from the frame's GeoJSON polygons (lon/lat, holes kept) with an equirectangular
    aspect; carries the map credit "Kadaster / Centraal Bureau voor de Statistiek, <year>".
    """
    features = json.loads(Path(frame_geojson_path).read_text(encoding="utf-8"))["features"]
    represented = set(municipalities_df["gemeentecode"].astype(str))
    patches, colours, counts = [], [], dict.fromkeys([*SIZE_CLASSES, "niet"], 0)
    lat_sum, bounds = 0.0, [math.inf, math.inf, -math.inf, -math.inf]
    for feat in sorted(features, key=lambda f: f["properties"]["gemeentecode"]):
        geom = shape(feat["geometry"])
        props = feat["properties"]
        cls = str(props.get("grootteklasse"))
        if props["gemeentecode"] in represented and cls in SIZE_COLOURS:
            colours.append(SIZE_COLOURS[cls])
            counts[cls] += 1
        else:
            colours.append(NOT_REPRESENTED)
            counts["niet"] += 1
        patches.append(PathPatch(polygon_path(geom)))
        x0, y0, x1, y1 = geom.bounds
        bounds = [min(bounds[0], x0), min(bounds[1], y0), max(bounds[2], x1), max(bounds[3], y1)]
        lat_sum += geom.centroid.y
    mid_lat = lat_sum / max(1, len(features))
    aspect = 1 / math.cos(math.radians(mid_lat))
    with house_style():
        width = 5.2
        h = width * (bounds[3] - bounds[1]) * aspect / max(1e-9, bounds[2] - bounds[0])
        fig = _new_figure(min(7.5, h + 0.5), width=width)
        ax = fig.add_subplot()
        ax.add_collection(PatchCollection(patches, facecolors=colours, edgecolors="white", linewidths=0.15))
        pad = 0.02 * (bounds[2] - bounds[0])
        ax.set_xlim(bounds[0] - pad, bounds[2] + pad)
        ax.set_ylim(bounds[1] - pad, bounds[3] + pad)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        handles = [Patch(facecolor=SIZE_COLOURS[c], label=f"{c} ({counts[c]})") for c in SIZE_CLASSES]
        handles.append(Patch(facecolor=NOT_REPRESENTED, label=f"Niet vertegenwoordigd ({counts['niet']})"))
        ax.legend(handles=handles, loc="upper left", handlelength=1.0)
        ax.text(
            1.0,
            0.0,
            credit or MAP_CREDIT.format(year=year),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=MIN_FONT_PT,
            color="#4D4D4D",
        )
    fig.set_label("Kaart")  # the kind of chart, for its text alternative
    return fig
