"""Number-level provenance: ids in indicators.csv, the numbers a passage prints, their links in the HTML."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest

from helpers.publish.registers.indicators import assemble, indicator_id, slug, unique_ids
from helpers.publish.render.html_parts import SOURCE_ANCHOR, PageNumbers, number_links, sources_table
from helpers.report.prose import NUMBERS_KEY, printed_numbers, whole_number_at
from helpers.survey.text_escape import html_text
from helpers.survey.vocabulary import INDICATOR_COLUMNS
from tests.hostile_strings import corpus

LABELS = {"Ja": "yes", "Nee": "no", "Weet niet": "dont_know"}


# --- ids ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("category", "stat", "expected"),
    [
        ("Ja", "pct", "additional_policy.yes.pct"),
        ("", "answers_mean", "additional_policy.answers_mean"),
        ("Grote gemeenten (G4/G40): Ja", "pct", "additional_policy.yes.pct.grote_gemeenten_g4_g40"),
        ("Totaal: Nee", "pct", "additional_policy.no.pct.totaal"),
        ("2017: Ja", "pct", "additional_policy.yes.pct.2017"),
        ("Ja | given_q = Nee", "pct", "additional_policy.yes.pct.onder_given_q_nee"),
        ("Onbekend antwoord", "count", "additional_policy.onbekend_antwoord.count"),
    ],
)
def test_indicator_id_is_readable_and_uses_keys(category: str, stat: str, expected: str) -> None:
    assert indicator_id("additional_policy", category, stat, LABELS) == expected


def test_id_without_codebook_uses_the_label() -> None:
    assert indicator_id("q", "Ja, één keer", "pct") == "q.ja_een_keer.pct"
    assert indicator_id("q", "G4: Ja", "pct") == "q.ja.pct.g4"
    assert slug("Middelgroot/klein") == "middelgroot_klein"


def test_duplicate_ids_get_a_numbered_suffix_in_order() -> None:
    assert unique_ids(["a.yes.pct", "b.no.pct", "a.yes.pct", "a.yes.pct"]) == [
        "a.yes.pct",
        "b.no.pct",
        "a.yes.pct~2",
        "a.yes.pct~3",
    ]


def _part(path: Path, rows: list[list[object]], header: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])


def test_assemble_fills_unique_stable_ids(tmp_path: Path) -> None:
    head = [c for c in INDICATOR_COLUMNS if c != "id"]  # a part may lack the column ...
    row = [1900, 3, "q", "", "Ja", "pct", 60.0, 282, "Figuur 3.1"]
    _part(tmp_path / "indicators" / "03_a.csv", [row, [*row[:6], 12.5, 8, "Hoofdstuk 3"]], head)
    _part(
        tmp_path / "indicators" / "04_b.csv",
        [[1900, 4, "q", "", "Ja", "pct", 60.0, 282, "Tabel 4.1", ""]],
        [
            *head,
            "id",
        ],
    )  # ... or have it empty
    target = assemble(tmp_path, ["03_a", "04_b"])
    assert target is not None
    first = target.read_text(encoding="utf-8")
    rows = list(csv.DictReader(first.splitlines()))
    assert [r["id"] for r in rows] == ["q.ja.pct", "q.ja.pct~2", "q.ja.pct~3"]
    assert list(rows[0]) == INDICATOR_COLUMNS
    assert rows[1]["value"] == "12.5" and rows[2]["build_ref"] == "Tabel 4.1"
    assert assemble(tmp_path, ["03_a", "04_b"]) == target and target.read_text(encoding="utf-8") == first


# --- the numbers a passage prints -------------------------------------------------------------------------------
def _num(question: str, category: str, value: float, n: int = 282, stat: str = "pct") -> dict[str, object]:
    return {"question": question, "category": category, "stat": stat, "value": value, "n": n, "percent": False}


def test_printed_numbers_in_text_order_and_only_those_printed() -> None:
    computed = [_num("cond", "Ja", 51.0), _num("q", "Ja", 60.2), _num("q", "Nee", 39.8)]
    found = printed_numbers("Nee: 40%, ja: 60% (van 160%).", computed)
    assert [(f["text"], f["category"]) for f in found] == [("40%", "Nee"), ("60%", "Ja")]
    assert set(found[0]) == {"text", "question", "category", "stat", "value", "n"}


def test_same_text_twice_links_both_numbers_to_their_own_row() -> None:
    computed = [_num("q", "Ja", 60.0), _num("r", "Ja", 60.1)]
    found = printed_numbers("60% en ook 60%", computed)
    assert [f["question"] for f in found] == ["q", "r"]


def test_whole_numbers_only() -> None:
    assert whole_number_at("160% of 60%", "60%") == 8
    assert whole_number_at("6,5 of 6", "6") == 7
    assert whole_number_at("1.600", "600") == -1
    assert whole_number_at("", "6") == -1 and whole_number_at("6", "") == -1


# --- the HTML ----------------------------------------------------------------------------------------------------
def _row(question: str, category: str, value: str, ident: str, n: str = "282") -> dict[str, str]:
    return {
        "year": "1900",
        "chapter": "3",
        "question": question,
        "report_ref": "",
        "category": category,
        "stat": "pct",
        "value": value,
        "n": n,
        "build_ref": "Figuur 3.1",
        "id": ident,
    }


def _output(*numbers: tuple[str, str, str, float]) -> dict[str, object]:
    meta = [{"text": t, "question": q, "category": c, "stat": "pct", "value": v, "n": 282} for t, q, c, v in numbers]
    return {"metadata": {NUMBERS_KEY: meta}}


def _links(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="num" href="#bron-([^"]+)" aria-describedby="[^"]+">([^<]*)</a>', page)


def test_wrap_links_each_place_of_a_number_printed_twice() -> None:
    pn = PageNumbers(
        [_row("q", "Ja", "60.0", "q.ja.pct"), _row("r", "Ja", "60.1", "r.ja.pct")], {"q": "Heeft u beleid?"}
    )
    out = pn.wrap("<p>Ja: 60% en bij r ook 60%.</p>", _output(("60%", "q", "Ja", 60.0), ("60%", "r", "Ja", 60.1)))
    assert _links(out) == [("q.ja.pct", "60%"), ("r.ja.pct", "60%")]
    tips = re.findall(r'<span class="num-tip" role="tooltip" id="([^"]+)">((?:[^<]|<code>[^<]*</code>)*)</span>', out)
    assert [t[0] for t in tips] == ["getal-uitleg-1", "getal-uitleg-2"]
    assert "‘Heeft u beleid?’" in tips[0][1] and "n=282" in tips[0][1] and "monitor 1900" in tips[0][1]


def test_wrap_skips_numbers_inside_links_code_and_headings() -> None:
    pn = PageNumbers([_row("q", "Ja", "60.0", "q.ja.pct")])
    rendered = '<h2>60%</h2><p><a href="x">60%</a> <code>60%</code> en 60%</p>'
    out = pn.wrap(rendered, _output(("60%", "q", "Ja", 60.0)))
    assert _links(out) == [("q.ja.pct", "60%")]
    assert out.startswith('<h2>60%</h2><p><a href="x">60%</a> <code>60%</code> en <span class="num-wrap">')


def test_wrap_leaves_a_number_without_row_and_output_without_metadata() -> None:
    pn = PageNumbers([_row("q", "Ja", "60.0", "q.ja.pct")])
    assert pn.wrap("<p>70%</p>", _output(("70%", "q", "Nee", 70.0))) == "<p>70%</p>"
    assert pn.wrap("<p>60%</p>", {"metadata": {}}) == "<p>60%</p>"
    assert number_links("<p>60%</p>", _output(("60%", "q", "Ja", 60.0)), None) == "<p>60%</p>"
    assert sources_table(None) == ""


@pytest.mark.parametrize("hostile", corpus()[:60])
def test_hostile_text_is_escaped_in_links_tips_and_table(hostile: str) -> None:
    row = _row("q", hostile, "60.0", "q.x.pct")
    pn = PageNumbers([row], {"q": hostile}, {"Figuur 3.1": "data/03/figuur-3-1.csv"})
    rendered = f"<p>{html.escape(hostile)} 60% {html.escape(hostile)}</p>"
    out = pn.wrap(rendered, _output(("60%", "q", hostile, 60.0)))
    table = pn.table()
    for text in (out, table):
        assert "<script" not in text and "<img" not in text and "<iframe" not in text and "<svg" not in text
        if set(hostile) & set('<>&"'):
            assert hostile not in text  # never unescaped
    assert html_text(hostile) in table and html_text(hostile) in out  # in the row and the tooltip
    assert _links(out) == [("q.x.pct", "60%")]


def test_table_has_an_anchor_per_row_and_links_the_figure_data() -> None:
    pn = PageNumbers(
        [_row("q", "Ja", "60.0", "q.ja.pct"), _row("q", "Nee", "40.0", "q.nee.pct", n="")],
        {"q": "Vraag?"},
        {"Figuur 3.1": "data/03/figuur-3-1.csv"},
    )
    table = pn.table()
    assert f'<tr id="{SOURCE_ANCHOR}q.ja.pct">' in table and f'<tr id="{SOURCE_ANCHOR}q.nee.pct">' in table
    assert '<a href="data/03/figuur-3-1.csv" download>Figuur 3.1 (CSV)</a>' in table
    assert "<caption>Bronnen van de getallen (2)</caption>" in table
    assert '<th scope="col">Id</th>' in table and "<td>60%</td>" in table


# --- claims and comparisons, both ways ----------------------------------------------------------------------------
def test_comparison_word_links_to_its_entry_and_claims_get_a_line() -> None:
    from helpers.report.prose import ENTRIES_KEY

    pn = PageNumbers([], notebook="03_policy")
    entries = [
        {"entry": 2, "kind": "vergelijking", "text": "vaker dan"},
        {"entry": 3, "kind": "bewering", "text": "Dat is een meerderheid."},
        {"entry": 4, "kind": "vergelijking", "text": "niet in de tekst"},
    ]
    out = pn.wrap("<p>Groot doet het vaker dan klein. <code>vaker dan</code></p>", {"metadata": {ENTRIES_KEY: entries}})
    assert '<a class="claim" href="beweringen.html#03_policy-bewering-2"' in out and ">vaker dan</a> klein" in out
    assert [a for a in re.findall(r'<span id="(bewering-\d)"></span>', out)] == [
        "bewering-2",
        "bewering-3",
        "bewering-4",
    ]
    assert '<a href="beweringen.html#03_policy-bewering-3">bewering 1</a>' in out
    assert '<a href="beweringen.html#03_policy-bewering-4">vergelijking 2</a>' in out
    assert "<code>vaker dan</code>" in out
    again = pn.wrap("<p>vaker dan</p>", {"metadata": {ENTRIES_KEY: entries[:1]}})
    assert '<span id="bewering-2">' not in again  # one anchor per entry on a page


def test_claims_page_rows_have_anchors_and_link_back() -> None:
    from helpers.publish.registers.claims_register import claims_page
    from helpers.report.claims import REGISTER_COLUMNS

    def row(nb: str, kind: str, text: str) -> dict[str, str]:
        return dict(zip(REGISTER_COLUMNS, [nb, "7", kind, text, "c()", "True", "", "Kop"], strict=True))

    rows = [
        row("03_policy", "vergelijking", "vaker"),
        row("03_policy", "bewering", "<b>x</b>"),
        row("04_x", "bewering", "y"),
    ]
    page = claims_page(rows, "Monitor")
    assert '<tr id="03_policy-bewering-1">' in page and '<tr id="03_policy-bewering-2">' in page
    assert '<tr id="04_x-bewering-1">' in page
    assert '<a href="03_policy.html#bewering-2">03_policy, cel 7</a>' in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_register_add_returns_the_entry_number(tmp_path: Path) -> None:
    from helpers.report.claims import Register

    reg = Register(tmp_path / "claims" / "03.csv", "03")
    assert reg.add(1, "bewering", "a", "c", True, "") == 1
    assert reg.add(1, "bewering", "b", "c", True, "") == 2
    assert reg.add(1, "bewering", "a", "c", True, "") == 1  # the same entry again keeps its number


def test_a_passage_notes_the_numbers_it_prints_and_its_register_entries(chapter) -> None:
    from helpers.report.prose import ENTRIES_KEY, Prose

    prose = Prose(chapter)
    text = prose.render(
        '{% if value("instruments", "k1") > 0 %}{{ pct("additional_policy", "k1") }} en '
        '{{ answers_mean("instruments") }}; {{ mean("route_share", "k1") }}; nog eens '
        '{{ pct("additional_policy", "k1") }}.{% endif %} '
        '{% claim majority("additional_policy", "k1") %}Een meerderheid.{% endclaim %}'
    )
    assert text == "55% en 1,8; 13%; nog eens 55%. Een meerderheid."
    meta = prose.provenance()
    assert [(n["text"], n["question"], n["stat"]) for n in meta[NUMBERS_KEY]] == [
        ("55%", "additional_policy", "pct"),
        ("1,8", "instruments", "answers_mean"),
        ("13%", "route_share", "mean"),
        ("55%", "additional_policy", "pct"),
    ]  # the condition's number (instruments k1) and the claim's check are not printed
    assert meta[ENTRIES_KEY] == [{"entry": 1, "kind": "bewering", "text": "Een meerderheid."}]
    ind = prose.ch.registry.indicators
    for n in meta[NUMBERS_KEY]:  # each printed number is a row of the chapter's indicators
        hit = ind[(ind["question"] == n["question"]) & (ind["category"] == n["category"]) & (ind["stat"] == n["stat"])]
        assert len(hit) == 1 and hit["value"].iloc[0] == n["value"] and hit["n"].iloc[0] == n["n"]
    assert prose.render("Geen getallen.") == "Geen getallen." and prose.provenance() == {}


def test_numbers_from_the_response_table_are_noted_too(chapter) -> None:
    from helpers.report.prose import Prose

    prose = Prose(chapter)
    text = prose.render('Vertegenwoordigd: {{ response("Totaal") }} gemeenten.')
    noted = prose.provenance()[NUMBERS_KEY]
    assert len(noted) == 1 and noted[0]["text"] in text and noted[0]["category"] == "Totaal"
    ind = prose.ch.registry.indicators
    assert ((ind["question"] == noted[0]["question"]) & (ind["category"] == "Totaal")).any()


def test_a_share_among_a_subgroup_is_described_by_the_subgroups_question_not_its_key() -> None:
    from helpers.publish.registers.text_check import problems_in

    pn = PageNumbers([_row("q", "Ja | monitoring_asked = Nee", "61.0", "q.ja.pct~2")], {"monitoring_asked": "Meet u?"})
    row = pn.rows[0]
    said = pn.describe(row)
    assert "‘Ja, onder wie bij ‘Meet u?’ ‘Nee’ antwoordde’" in said and "monitoring_asked" not in said
    assert problems_in(pn.describe(row) + " " + pn.table(), 1900, "pagina") == []


def test_an_answer_and_the_net_that_equals_it_get_their_codebook_keys_as_ids() -> None:
    from helpers.publish.registers.indicators import _labels_by_question

    labels = _labels_by_question("2018")["integral_approach"]  # a question on the shared agree5 scale
    assert indicator_id("integral_approach", "Helemaal eens", "pct", labels) == "integral_approach.strongly_agree.pct"
    assert indicator_id("integral_approach", "(Helemaal) eens", "pct", labels) == "integral_approach.agree_net.pct"
    assert indicator_id("integral_approach", "2017: (Helemaal) eens", "pct", labels).endswith("agree_net.pct.2017")
