"""A number cell of a chapter table links to its row in "Bronnen van de getallen" when exactly one indicator row
of the table's label explains it (row header, column header, printed value); any other cell stays text."""

from __future__ import annotations

import re

from helpers.publish.render.html_parts import SOURCE_ANCHOR, PageNumbers, monitor_tables

CAP = {"kind": "table", "prefix": "Tabel", "number": "3.1", "label": "tab:3-1", "text": "Aanvullend beleid"}

# what markdown2html makes of the registry's pipe table (alignment styles, a non-breaking space in "< 0,001")
BREAKDOWN = """<table>
<thead>
<tr>
  <th style="text-align:left">Antwoord</th>
  <th style="text-align:right">Grote gemeenten (n=43)</th>
  <th style="text-align:right">Totaal (n=282)</th>
  <th style="text-align:right">p</th>
</tr>
</thead>
<tbody>
<tr>
  <td style="text-align:left">Ja</td>
  <td style="text-align:right">86%</td>
  <td style="text-align:right">60%</td>
  <td style="text-align:right">&lt;\u00a00,001</td>
</tr>
<tr>
  <td style="text-align:left">Nee</td>
  <td style="text-align:right">9%</td>
  <td style="text-align:right">25%</td>
  <td style="text-align:right">0,009</td>
</tr>
</tbody>
</table>"""


def _row(ident: str, category: str, stat: str, value: float, n: str = "282", ref: str = "Tabel 3.1") -> dict[str, str]:
    return {
        "id": ident,
        "year": "2018",
        "chapter": "3",
        "question": "additional_policy",
        "report_ref": "",
        "category": category,
        "stat": stat,
        "value": str(value),
        "n": n,
        "build_ref": ref,
    }


ROWS = [
    _row("ap.ja.pct.groot", "Grote gemeenten: Ja", "pct", 86.05, "43"),
    _row("ap.ja.pct.totaal", "Totaal: Ja", "pct", 60.3),
    _row("ap.ja.p", "Ja", "p", 0.0002),
    _row("ap.nee.pct.groot", "Grote gemeenten: Nee", "pct", 9.3, "43"),
    _row("ap.nee.p", "Nee", "p", 0.0091),
    # the same share in another table of the chapter: never linked from Tabel 3.1
    _row("ap.nee.pct.totaal", "Totaal: Nee", "pct", 25.2, ref="Tabel 3.2"),
]


def _linked(html_text: str) -> dict[tuple[str, str], str]:
    """``{(row header, printed value): id}`` of every linked cell."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html_text, re.S):
        head = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row)
        for ident, shown in re.findall(rf'<a class="num" href="#{SOURCE_ANCHOR}([^"]+)"[^>]*>(.*?)</a>', row):
            assert head is not None
            out[(head.group(1), shown)] = ident
    return out


def _unsourced(html_text: str) -> list[str]:
    """The number cells that say on hover and focus that no single row explains them."""
    return re.findall(r'<a class="num num-none" href="#bronnen"[^>]*>(.*?)</a>', html_text)


def _render(rows: list[dict[str, str]]) -> tuple[str, PageNumbers]:
    numbers = PageNumbers(rows, texts={"additional_policy": "Heeft uw gemeente aanvullend beleid?"})
    table = monitor_tables(BREAKDOWN, CAP)
    return numbers.wrap(table, {"metadata": {"monitor": CAP}}), numbers


def test_each_cell_with_one_indicator_row_links_to_it_with_a_tooltip() -> None:
    out, numbers = _render(ROWS)
    assert _linked(out) == {
        ("Ja", "86%"): "ap.ja.pct.groot",
        ("Ja", "60%"): "ap.ja.pct.totaal",
        ("Ja", "&lt;\u00a00,001"): "ap.ja.p",
        ("Nee", "9%"): "ap.nee.pct.groot",
        ("Nee", "0,009"): "ap.nee.p",
    }
    assert _unsourced(out) == ["25%"]  # its row is Tabel 3.2's: the cell says it has none here
    assert out.count('role="tooltip"') == 6 == numbers.tips
    assert "Percentage ‘Totaal: Ja’ bij de vraag ‘Heeft uw gemeente aanvullend beleid?’: 60%" in out
    # every linked row is in the page's sources table
    for ident in _linked(out).values():
        assert f'id="{SOURCE_ANCHOR}{ident}"' in numbers.table()


def test_a_cell_that_two_rows_fit_or_whose_value_differs_stays_text() -> None:
    rows = [r for r in ROWS if r["id"] != "ap.nee.p"]
    rows += [_row("ap.ja.p.dup", "Ja", "p", 0.0004)]  # "< 0,001" twice: ambiguous
    rows = [dict(r, value="61.0") if r["id"] == "ap.ja.pct.totaal" else r for r in rows]  # prints 61%, cell says 60%
    out, _ = _render(rows)
    assert _linked(out) == {("Ja", "86%"): "ap.ja.pct.groot", ("Nee", "9%"): "ap.nee.pct.groot"}
    assert _unsourced(out) == ["60%", "&lt;\u00a00,001", "25%", "0,009"]


def test_a_stat_column_or_a_trend_row_matches_but_another_column_does_not() -> None:
    table = (
        "<table><thead><tr><th>Jaar</th><th>Onderwijs</th><th>Aantal gemeenten</th></tr></thead><tbody>"
        "<tr><td>2017</td><td>12</td><td>12</td></tr></tbody></table>"
    )
    cap = dict(CAP, number="5.3")
    rows = [
        _row("ir.2017", "2017: Onderwijs", "count", 12.0, ref="Tabel 5.3"),
        _row("ir.count", "2017", "count", 12.0, ref="Tabel 5.3"),  # "Aantal gemeenten" is not the stat word
    ]
    out = PageNumbers(rows).wrap(monitor_tables(table, cap), {"metadata": {"monitor": cap}})
    assert _linked(out) == {("2017", "12"): "ir.2017"}
    assert out.count('class="num"') == 1


def test_a_figure_or_an_uncaptioned_output_is_left_alone() -> None:
    numbers = PageNumbers(ROWS)
    table = monitor_tables(BREAKDOWN, CAP)
    figure = dict(CAP, kind="figure")
    assert numbers.wrap(table, {"metadata": {"monitor": figure}}) == table
    assert numbers.wrap(table, {"metadata": {}}) == table


def test_a_question_level_number_matches_the_row_that_shows_the_question_text() -> None:
    table = (
        "<table><thead><tr><th>Onderdeel</th><th>Gemiddelde</th><th>Mediaan</th><th>n</th></tr></thead><tbody>"
        "<tr><td>Past het werk bij het niveau?</td><td>31%</td><td>28%</td><td>278</td></tr>"
        "<tr><td>Een andere vraag</td><td>31%</td><td>28%</td><td>278</td></tr></tbody></table>"
    )
    cap = dict(CAP, number="8.4")
    rows = [
        dict(_row("jm.mean", "", "mean", 31.4, "278", "Tabel 8.4"), question="job_matches_level"),
        dict(_row("jm.median", "", "median", 28.0, "278", "Tabel 8.4"), question="job_matches_level"),
    ]
    numbers = PageNumbers(
        rows, {"job_matches_level": "Past het werk bij het niveau?"}, percent=frozenset({"job_matches_level"})
    )
    out = numbers.wrap(monitor_tables(table, cap), {"metadata": {"monitor": cap}})
    assert _linked(out) == {
        ("Past het werk bij het niveau?", "31%"): "jm.mean",
        ("Past het werk bij het niveau?", "28%"): "jm.median",
    }


def test_the_registry_keys_pick_the_rows_of_a_table_also_when_a_figure_showed_them_first() -> None:
    rows = [dict(r, build_ref="Figuur 3.2") for r in ROWS if r["id"] != "ap.nee.pct.totaal"]
    keys = [[r["question"], r["category"], r["stat"], float(r["value"]), int(r["n"])] for r in rows]
    numbers = PageNumbers(rows)
    table = monitor_tables(BREAKDOWN, CAP)
    assert _linked(numbers.wrap(table, {"metadata": {"monitor": CAP}})) == {}  # by label: none is Tabel 3.1's
    out = numbers.wrap(table, {"metadata": {"monitor": CAP, "monitor_view": {"keys": keys}}})
    assert _linked(out)[("Ja", "86%")] == "ap.ja.pct.groot" and len(_linked(out)) == 5
    assert _unsourced(out) == ["25%"]
    assert "Dit getal is niet aan één rij van ‘Bronnen van de getallen’ te koppelen" in out
    assert "Tabel 3.1; in indicators.csv bij Figuur 3.2)" in out  # the tip names the table the reader is in


def test_a_column_naming_the_stat_and_the_group_holds_the_groups_share() -> None:
    table = (
        "<table><thead><tr><th>Antwoord</th><th>Respondenten</th><th>Percentage respondenten</th></tr></thead>"
        "<tbody><tr><td>1 gemeente</td><td>102</td><td>61%</td></tr></tbody></table>"
    )
    rows = [
        _row("c.count", "Respondenten: 1 gemeente", "count", 102.0, "168"),
        _row("c.pct", "Respondenten: 1 gemeente", "pct", 60.7, "168"),
    ]
    out = PageNumbers(rows).wrap(monitor_tables(table, CAP), {"metadata": {"monitor": CAP}})
    assert _linked(out) == {("1 gemeente", "102"): "c.count", ("1 gemeente", "61%"): "c.pct"}


def test_a_number_whose_cell_the_table_names_links_only_from_that_cell() -> None:
    table = (
        "<table><thead><tr><th>Klasse</th><th>In de monitor</th><th>In Nederland</th></tr></thead>"
        "<tbody><tr><td>G4</td><td>4</td><td>4</td></tr></tbody></table>"
    )
    rows = [_row("m.g4", "G4", "count", 4.0, "4"), _row("m.g4_all", "G4 (alle gemeenten)", "count", 4.0, "")]
    keys = [
        ["additional_policy", "G4", "count", 4.0, 4, "G4", "In de monitor"],
        ["additional_policy", "G4 (alle gemeenten)", "count", 4.0, None, "G4", "In Nederland"],
    ]
    out = PageNumbers(rows).wrap(
        monitor_tables(table, CAP), {"metadata": {"monitor": CAP, "monitor_view": {"keys": keys}}}
    )
    assert re.findall(rf'href="#{SOURCE_ANCHOR}([^"]+)"', out) == ["m.g4", "m.g4_all"]
    # without the places the two cells are ambiguous: neither is linked
    plain = PageNumbers(rows).wrap(monitor_tables(table, CAP), {"metadata": {"monitor": CAP}})
    assert _linked(plain) == {} and _unsourced(plain) == ["4", "4"]
