"""The layout rules of the PDF and HTML editions that can be checked without a build.

Tables kept on one page (or at least with rows under each header), fixed label columns, the
title page's metadata from ``notes.yaml``, chart text of at least ``MIN_FONT_PT``, trend charts that
name their answer, and code cells that print nothing folded into one HTML toggle.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from helpers.analysis.question_tables import multi_answer_table, single_choice_table
from helpers.analysis.size_classes import size_class_table
from helpers.analysis.trends import trend_table
from helpers.publish.base.repro import report_meta
from helpers.publish.render.html_parts import FOLD_MIN_CELLS, fold_label, fold_quiet_cells
from helpers.publish.render.latexmd import EDGE_ROWS, KEEP_LINES, LABEL_MIN_CHARS, fit_table, keep_tables
from helpers.report.plots import MIN_FONT_PT, bar_chart, likert_chart, size_class_chart, trend_answer, trend_chart
from helpers.survey.lineage import QuestionHistory
from helpers.survey.notes import NotesError, load_notes

needs_pandoc = pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc")


def _latex(md: str) -> str:
    import subprocess

    return subprocess.run(["pandoc", "-f", "markdown", "-t", "latex"], input=md, capture_output=True, text=True).stdout


def _table(rows: int, label: str = "rij") -> str:
    body = "".join(f"| {label} {i} | {i}% |\n" for i in range(rows))
    return f"| Antwoord | Percentage |\n|:--|--:|\n{body}\nTable: Tabel \\label{{tab:x}}\n"


def _row_ends(tex: str) -> list[str]:
    body = tex[tex.index("\\endhead") :]
    return re.findall(r"(\\\\\*?)\s*$", body, re.M)


@needs_pandoc
def test_a_short_table_never_breaks_over_two_pages() -> None:
    tex = keep_tables(_latex(_table(4)))
    assert _row_ends(tex) == ["\\\\*"] * 4
    assert tex.count("\\begin{longtable}") == 1 and tex.rstrip().endswith("\\end{longtable}")


@needs_pandoc
def test_a_long_table_keeps_rows_under_its_header_and_above_its_closing_rule() -> None:
    rows = KEEP_LINES + 10
    ends = _row_ends(keep_tables(_latex(_table(rows))))
    assert len(ends) == rows
    kept = [k for k, e in enumerate(ends) if e == "\\\\*"]
    assert kept == [*range(EDGE_ROWS), *range(rows - EDGE_ROWS - 1, rows)]


@needs_pandoc
def test_long_rows_in_narrow_columns_count_as_several_lines() -> None:
    words = " ".join(["samenwerkingsverband"] * 12)
    md = "| Antwoord | Toelichting |\n|:------|:" + "-" * 70 + "|\n"
    md += "".join(f"| rij {i} | {words} |\n" for i in range(12))
    tex = keep_tables(_latex(md))
    assert "\\real{" in tex  # pandoc set relative column widths
    ends = _row_ends(tex)
    assert ends.count("\\\\*") < len(ends)  # 12 rows of 3+ lines each are more than KEEP_LINES: may break


def test_the_label_column_gets_a_fixed_minimum_width() -> None:
    header = "| Maatregel | G4 | G40 | Middelgroot/klein | Totaal | Toelichting bij de maatregel |"
    rule = "|:--|--:|--:|--:|--:|:--|"
    row = "| Extra taallessen voor statushouders | 75% | 61% | 25% | 7% | " + "lange toelichting " * 8 + "|"
    fitted = fit_table([header, rule, row])
    widths = [len(c) for c in fitted[1].strip("|").split("|")]
    assert widths[0] >= LABEL_MIN_CHARS
    assert all(w >= len("Middelgroot/klein") + 2 for w in widths[3:4])  # a column is never narrower than its words


def _fold(cells: list[dict]) -> list[dict | None]:
    return [c["metadata"].get("monitor_fold") for c in fold_quiet_cells(cells)]


def test_runs_of_quiet_code_cells_fold_into_one_toggle() -> None:
    def code(outputs: int = 0) -> dict:
        return {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [{}] * outputs}

    md = {"cell_type": "markdown", "source": "# Titel", "metadata": {}}
    cells = [md, code(), code(), code(), code(1), code(), md, code(), code(), code(1)]
    folds = _fold(cells)
    start = fold_label(3, at_start=True)
    later = fold_label(2, at_start=False)
    assert folds[1:4] == [
        {"first": True, "last": False, "label": start},
        {"first": False, "last": False, "label": start},
        {"first": False, "last": True, "label": start},
    ]
    assert folds[4] is None and folds[5] is None  # a single quiet cell keeps its own toggle
    assert folds[7:9] == [
        {"first": True, "last": False, "label": later},
        {"first": False, "last": True, "label": later},
    ]
    assert "monitor_fold" not in cells[1]["metadata"]  # the notebook itself is not changed
    assert FOLD_MIN_CELLS == 2 and start == "Voorbereidende code (3 cellen)"


def test_notes_name_edition_publisher_and_authors(tmp_path: Path) -> None:
    (tmp_path / "codebook.yaml").write_text('year: 2018\nfreeze_date: "2018-04-10"\n', encoding="utf-8")
    meta = report_meta(2018, tmp_path / "codebook.yaml")
    assert (meta.edition, meta.publisher, meta.authors) == ("", (), ())  # old notes (or none) stay valid
    (tmp_path / "notes.yaml").write_text(
        'edition: "Tweede druk"\npublisher: ["KIS", "Divosa"]\nauthors: ["A. Auteur"]\n', encoding="utf-8"
    )
    meta = report_meta(2018, tmp_path / "codebook.yaml")
    assert (meta.edition, meta.publisher, meta.authors) == ("Tweede druk", ("KIS", "Divosa"), ("A. Auteur",))
    assert meta.as_dict()["publisher"] == ["KIS", "Divosa"]
    assert report_meta(2018, tmp_path / "codebook.yaml", authors=("B",)).authors == ("B",)  # explicit wins
    (tmp_path / "notes.yaml").write_text("publisher: 3\n", encoding="utf-8")
    with pytest.raises(NotesError, match="publisher"):
        load_notes(tmp_path / "notes.yaml")


def _all_text(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


def test_every_chart_text_is_at_least_the_minimum_size(cb, df) -> None:
    pub = pd.DataFrame(
        {"year": [2017], "question": ["additional_policy"], "category": ["Ja"], "stat": ["pct"], "value": [50.0],
         "n": [260], "status": ["check"]}
    )  # fmt: skip
    history = QuestionHistory({2018: cb})
    figures = [
        bar_chart(multi_answer_table(df, cb, "instruments")),
        likert_chart(single_choice_table(df, cb, "integrated_approach")),
        size_class_chart(size_class_table(df, cb, "instruments")),
        trend_chart(trend_table(history, cb.question("additional_policy"), 2018, {2018: df}, pub, ["k1", "k2"])),
    ]
    for fig in figures:
        sizes = {round(t.get_fontsize(), 2) for t in _all_text(fig)}
        assert sizes and min(sizes) >= MIN_FONT_PT, (fig.get_label(), sorted(sizes))


def test_a_trend_chart_of_one_answer_names_it(cb, df) -> None:
    pub = pd.DataFrame(
        {"year": [2017], "question": ["additional_policy"], "category": ["Ja"], "stat": ["pct"], "value": [50.0],
         "n": [260], "status": ["check"]}
    )  # fmt: skip
    single = trend_table(QuestionHistory({2018: cb}), cb.question("additional_policy"), 2018, {2018: df}, pub, ["k1"])
    answer = single.meta["categories"][0]
    fig = trend_chart(single)
    assert fig.axes[0].get_title(loc="left") == f"Aandeel ‘{answer}’" == trend_answer(single)
    mean = type(single)(**{**single.__dict__, "stat": "answers_mean", "formats": {answer: "num1"}})
    assert trend_answer(mean) == "Gemiddeld aantal genoemde antwoorden"
    itself = type(single)(**{**single.__dict__, "meta": {**single.meta, "categories": [single.title]}})
    assert trend_answer(itself) == "Gemiddeld percentage"
    two = trend_table(
        QuestionHistory({2018: cb}), cb.question("additional_policy"), 2018, {2018: df}, pub, ["k1", "k2"]
    )
    assert trend_answer(two) == ""


def test_the_pdf_prints_a_note_repeated_under_a_chart_and_its_table_once() -> None:
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from helpers.publish.render.pdf import printable

    def view(kind: str) -> object:
        return new_output(
            "display_data", {"text/markdown": "| a |\n|---|\n| 1 |"}, metadata={"monitor": {"kind": kind}}
        )

    def note(text: str) -> object:
        return new_output("display_data", {"text/markdown": text})

    nb = new_notebook()
    same = "*n=247; basis: alle gemeenten. Toets: chi-kwadraat.*\n"
    nb.cells = [
        new_code_cell(outputs=[view("figure"), note(same), view("table"), note(same)]),
        new_code_cell(outputs=[view("table"), note(same), note(same)]),
    ]
    first, second = (c.outputs for c in printable(nb).cells)
    assert [o.data["text/markdown"] for o in first].count(same) == 1 and len(first) == 3
    assert len(second) == 3  # a note that does not follow a view is text of the notebook: kept
    assert len(nb.cells[0].outputs) == 4  # the notebook itself is not changed


def test_every_chart_fits_the_text_width_of_the_pdf(cb, df) -> None:
    from helpers.report.plots import DPI, figure_png

    text_width = 16 / 2.54  # inches: A4 less two margins of 2.5 cm
    t = single_choice_table(df, cb, "integrated_approach")
    long = t.data.rename(index=lambda c: f"{c}, zoals de gemeente het zelf omschreef")
    wide = likert_chart(type(t)(**{**t.__dict__, "data": long}))
    breakdown = size_class_table(df, cb, "instruments")
    long_rows = breakdown.data.rename(index=lambda c: f"{c} (zoals de vragenlijst het noemde)")
    sizes = size_class_chart(type(breakdown)(**{**breakdown.__dict__, "data": long_rows}))
    for fig in (bar_chart(multi_answer_table(df, cb, "instruments")), likert_chart(t), wide, sizes):
        png = figure_png(fig)
        width = int.from_bytes(png[16:20], "big") / DPI
        assert width <= text_width, (fig.get_label(), width)
