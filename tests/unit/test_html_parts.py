"""Accessible pieces of the reviewer HTML (``publish.html_parts``), the code colours and the chart palette."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.publish.render.html import _pipe_rows
from helpers.publish.render.html_parts import (
    code_label,
    code_summary,
    data_links,
    figure_alt,
    figure_numbers,
    monitor_tables,
)
from helpers.report import plots
from helpers.report.plots import accessible, contrast_ratio

ROOT = Path(__file__).resolve().parents[2]
CAP = {"kind": "table", "number": "3.1", "prefix": "Tabel", "text": "Respons <n=282>", "label": "tab:3-1"}
MISTUNE = (
    '<table>\n<thead>\n<tr>\n  <th style="text-align:left">Klasse</th>\n  <th>%</th>\n</tr>\n</thead>\n'
    '<tbody>\n<tr>\n  <td style="text-align:left">G4</td>\n  <td>100</td>\n</tr>\n</tbody>\n</table>'
)


def test_code_toggles_say_what_the_code_makes() -> None:
    fig = {"metadata": {"monitor": {"prefix": "Figuur", "number": "3.2"}}}
    tab = {"metadata": {"monitor": {"prefix": "Tabel", "number": "3.1"}}}
    assert code_label({"source": "ch.show('x')", "outputs": [fig], "metadata": {}}) == "Code voor Figuur 3.2"
    assert code_label({"source": "", "outputs": [fig, tab], "metadata": {}}) == "Code voor Figuur 3.2 en Tabel 3.1"
    assert code_label({"source": "%%tekst\nTekst", "outputs": [], "metadata": {}}) == "Code van de tekst"
    said = {"data": {"text/markdown": "60% van de gemeenten heeft *aanvullend* beleid voor statushouders."}}
    assert (
        code_label({"source": "%%tekst q", "outputs": [said]})
        == "Code van de tekst ‘60% van de gemeenten heeft aanvullend …’"
    )
    assert code_label({"source": "year = 2018", "metadata": {"tags": ["parameters"]}}) == "Code: standaardparameters"
    long = "x = " + "a" * 80
    assert code_label({"source": f"\n{long}\n", "metadata": {}}) == f"Code: {long[:59]}…"
    assert (
        code_summary({"source": "ch = open_chapter(year)", "metadata": {}})
        == "Code: <code>ch = open_chapter(year)</code>"
    )


def test_tables_get_scoped_headers_row_headers_and_their_caption_inside() -> None:
    out = monitor_tables(MISTUNE, CAP)
    assert out.startswith('<div class="monitor-scroll"><table><caption><span class="monitor-ref">Tabel 3.1</span>')
    assert "Respons &lt;n=282&gt;</caption>" in out
    assert '<th scope="col" style="text-align:left">Klasse</th>' in out and '<th scope="col">%</th>' in out
    assert '<th scope="row" style="text-align:left">G4</th>\n  <td>100</td>' in out
    assert monitor_tables(MISTUNE).count("<caption>") == 0  # an uncaptioned table keeps no caption
    text_only = monitor_tables("<p>Geen tabel</p>", CAP)
    assert text_only.startswith('<p class="monitor-caption" id="tab:3-1">')


def test_chart_numbers_alt_text_and_downloads_come_from_the_registry_metadata() -> None:
    output = {
        "metadata": {
            "monitor": {"kind": "figure", "number": "4.1", "prefix": "Figuur", "text": "T", "label": "fig:4-1"},
            "monitor_view": {
                "description": "Staafdiagram met 2 rijen.",
                "numbers": {"columns": ["Antwoord", "Percentage"], "rows": [["Ja", "60%"], ["Nee", "40%"]]},
                "files": {"csv": "data/figuur-4-1.csv", "xlsx": "data/figuur-4-1.xlsx"},
            },
        }
    }
    assert figure_alt(output) == "Staafdiagram met 2 rijen."
    numbers = figure_numbers(output)
    assert numbers.startswith('<details class="monitor-numbers"><summary>Cijfers bij Figuur 4.1</summary>')
    assert '<th scope="row">Nee</th><td>40%</td>' in numbers and "<caption>Cijfers bij Figuur 4.1</caption>" in numbers
    links = data_links(output)
    assert '<a href="data/figuur-4-1.csv" download>Figuur 4.1 (CSV)</a>' in links
    assert '<a href="data/figuur-4-1.xlsx" download>Figuur 4.1 (Excel)</a>' in links
    assert figure_numbers({"metadata": {}}) == "" and data_links({"metadata": {}}) == ""


def test_pipe_table_cells_for_the_download_of_a_table_shown_without_the_registry() -> None:
    md = "| Stap | Aantal |\n|:-----|-------:|\n| Gelezen | 300 |\n| a \\| b | 2 |\n\n*n=282*"
    assert _pipe_rows(md) == [["Stap", "Aantal"], ["Gelezen", "300"], ["a | b", "2"]]
    assert _pipe_rows("Geen tabel") == []


def _css_vars(text: str) -> dict[str, str]:
    return dict(re.findall(r"(--jp-mirror-editor-[a-z0-9-]+-color):\s*([^;]+);", text))


def test_code_colours_have_at_least_4_5_to_1_on_the_code_background() -> None:
    import nbconvert

    theme = Path(nbconvert.__file__).parents[4] / "share/jupyter/nbconvert/templates/lab/static/theme-light.css"
    if not theme.is_file():
        pytest.skip("JupyterLab light theme not found")
    colours = _css_vars(theme.read_text()) | _css_vars(
        (ROOT / "templates/monitor_html/monitor_style.html.j2").read_text()
    )
    used = ["number", "comment", "keyword", "operator", "string", "punctuation", "error", "builtin", "meta", "quote"]
    for name in used:
        colour = colours[f"--jp-mirror-editor-{name}-color"].strip()
        assert contrast_ratio(colour, "#f5f5f5") >= 4.5, (name, colour)


def test_every_colour_that_fills_a_chart_mark_has_3_to_1_against_white() -> None:
    marks = [c for pal in plots.DIVERGING.values() for c in pal]
    marks += [*plots.SIZE_COLOURS.values(), plots.NOT_REPRESENTED, plots.TOTAL_GREY, plots.NONSUBSTANTIVE_GREY]
    marks.append(plots.PRIMARY)
    assert all(contrast_ratio(c, "#ffffff") >= 3.0 for c in marks), [
        (c, round(contrast_ratio(c, "#ffffff"), 2)) for c in marks if contrast_ratio(c, "#ffffff") < 3.0
    ]
    assert contrast_ratio(accessible("#F4A582"), "#ffffff") >= 3.0  # a light tone is darkened
    assert plots.NEUTRAL_GREY != plots.NONSUBSTANTIVE_GREY
    labels = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens", "Weet niet"] + ["Extra"] * 3
    assert all(contrast_ratio(c, "#ffffff") >= 3.0 for c in plots._segment_colours(labels))


def test_a_chapter_page_links_its_printed_numbers_and_ends_with_their_sources(tmp_path: Path) -> None:
    """Through the real template: a passage's number is a link with a tooltip, the page ends with its table."""
    import csv

    import nbformat

    from helpers import paths
    from helpers.publish.base.plan import Notebook
    from helpers.publish.base.repro import ReportMeta
    from helpers.publish.render.html import render_pages
    from helpers.report.prose import NUMBERS_KEY

    report = tmp_path / "report"
    report.mkdir()
    with (report / "indicators.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            ["year", "chapter", "question", "report_ref", "category", "stat", "value", "n", "build_ref", "id"]
        )
        writer.writerow([1900, 3, "q", "", "<Ja>", "pct", 60.2, 282, "Hoofdstuk 3", "q.ja.pct"])
    nb = nbformat.v4.new_notebook()
    number = {"text": "60%", "question": "q", "category": "<Ja>", "stat": "pct", "value": 60.2, "n": 282}
    out = nbformat.v4.new_output(
        "display_data",
        data={"text/markdown": "Van de gemeenten heeft **60%** beleid."},
        metadata={NUMBERS_KEY: [number]},
    )
    nb.cells = [nbformat.v4.new_markdown_cell("# Beleid"), nbformat.v4.new_code_cell("%%tekst q", outputs=[out])]
    item = (Notebook(tmp_path / "03_policy.ipynb", 3), nb, "Beleid")
    meta = ReportMeta(year=1900, title="Monitor", freeze_date="1900-01-01")
    pages, _ = render_pages([item], report / "site", meta, paths.TEMPLATES_DIR, "monitor.pdf")
    page = pages[1].read_text(encoding="utf-8")
    link = re.search(
        r'<strong><span class="num-wrap"><a class="num" href="#bron-q.ja.pct" aria-describedby="([^"]+)">60%</a>'
        r'<span class="num-tip" role="tooltip" id="([^"]+)">((?:[^<]|<code>[^<]*</code>)+)</span></span></strong>',
        page,
    )
    assert link is not None and link.group(1) == link.group(2)
    assert "Percentage ‘&lt;Ja&gt;’" in link.group(3) and "n=282" in link.group(3) and "q.ja.pct" in link.group(3)
    assert '<tr id="bron-q.ja.pct">' in page and '<h2 id="bronnen">Bronnen van de getallen</h2>' in page
    assert page.index('<h2 id="bronnen">') < page.index("</main>")
