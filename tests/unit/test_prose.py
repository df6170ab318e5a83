"""``%%tekst`` blocks: computed numbers and words, dropped passages, clear errors, checked claims."""

from __future__ import annotations

import copy
import csv

import pytest
from analysis_fixtures import CODEBOOK, make_frame
from conftest import Shown

from helpers.report.chapter import Chapter
from helpers.report.claims import DRAFT_ENV, ClaimError
from helpers.report.prose import Prose, ProseError
from helpers.survey.codebook import Codebook
from helpers.survey.lineage import QuestionHistory


@pytest.fixture
def prose(chapter):
    return Prose(chapter)


def _edition(year: int, drop: tuple[str, ...] = ()) -> Codebook:
    raw = copy.deepcopy(CODEBOOK)
    raw["year"] = year
    raw["questions"] = [q for q in raw["questions"] if q["id"] not in drop]
    return Codebook.model_validate(raw)


@pytest.fixture
def prose_2019(tmp_path, df):
    """Edition 2019 of the fixture: ``route_share`` dropped; 2018 the same data (nothing changed)."""
    cb18, cb19 = _edition(2018), _edition(2019, drop=("route_share",))
    ch = Chapter(
        "03_beleid", 2019, tmp_path, data=df, codebook=cb19, frame=make_frame(),
        history=QuestionHistory({2018: cb18, 2019: cb19}), earlier={2018: df}, display=Shown(),
    )  # fmt: skip
    return Prose(ch)


def test_numbers_are_computed_formatted_and_recorded(prose):
    text = prose.render('{{ pct("additional_policy", "k1") }} en {{ answers_mean("instruments") }}; '
                        '{{ mean("route_share", "k1") }}; n={{ n("additional_policy") }}.')  # fmt: skip
    assert text == "55% en 1,8; 13%; n=29."
    ind = prose.ch.registry.indicators
    assert ind[["question", "category", "stat", "report_ref"]].values.tolist() == [
        ["additional_policy", "Ja", "pct", "Figuur 3.1"],
        ["instruments", "", "answers_mean", "Figuur 3.2"],
        ["route_share", "Directe bemiddeling", "mean", "Tabel 8.1"],
        ["additional_policy", "", "n", ""],  # the base the text states is a number of its own
    ]


def test_words_rankings_routing_and_counts(prose):
    assert prose.render('{{ top("instruments", 2) }}') == "taalcursus (75%) en werkervaringsplek (61%)"
    assert prose.render('{{ option_count("instruments") | words }}') == "drie"
    assert prose.render('{{ quantity("additional_policy", "k1") }}') == "iets meer dan de helft van de"
    routing = prose.render('{{ routing("policy_other_groups") }}')
    assert (
        routing.startswith("gemeenten die op ‘Is er in uw gemeente aanvullend beleid")
        and "‘In ontwikkeling’" in routing
    )
    words = {"vaker dan", "minder vaak dan", "even vaak als", "niet aantoonbaar vaker dan"}
    assert prose.render('{{ size_word("additional_policy", "k1") }}') in words | {"niet aantoonbaar minder vaak dan"}


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ('Regel een.\nTwee {{ pctt("x") }}', r"03_beleid.ipynb, regel 3: \{\{ pctt\(\"x\"\) \}\}: onbekende naam"),
        ('{{ pct("additional_policy", "ja") }}', r"antwoordcategorie 'ja'; nu: k1, k2, k3"),
        ('{{ pct("aditional_policy", "k1") }}', r"vraag 'aditional_policy' staat in geen enkel codeboek"),
        ("{{ pct(", r"regel 2: unexpected .end of template."),
        ("{{ nothing }}", r"de tekst bevat 'None'"),
    ],
)
def test_what_cannot_be_resolved_is_one_clear_error(prose, block, expected):
    prose.user_ns["nothing"] = None
    with pytest.raises(ProseError, match=expected):
        prose.render(block)


def test_a_passage_about_a_question_that_is_gone_is_left_out(prose_2019):
    assert prose_2019.render('{{ mean("route_share", "k1") }}', about=["route_share"]) is None
    line = prose_2019.render('Schatting: {{ mean("route_share", "k1") }}.')
    assert line.startswith("*Een passage vervalt.") and "in 2019 niet gesteld" in line
    assert "route_share" not in line  # the reader sees the question's wording, not its id
    with pytest.raises(ProseError, match="staat in geen enkel codeboek"):
        prose_2019.render("tekst", about=["route_sharee"])


def test_a_base_under_five_or_a_missing_edition_leaves_one_line(prose, prose_2019):
    small = prose.render('{{ pct_among("instruments", "k1", "additional_policy", "k3") }}')
    assert small.startswith("*Een passage vervalt:") and "minder dan 5" in small
    first = prose.render('{{ change("additional_policy", "k1") }}')
    assert first.startswith("*Een passage vervalt:") and "geen eerdere monitor" in first
    assert prose_2019.render('{{ change("additional_policy", "k1") }}') == "bleef gelijk (55% in 2018 en in 2019)"
    assert prose_2019.render('{{ previous_year("additional_policy", "k1") }}') == "2018"


def test_claims_print_when_they_hold_and_stop_the_build_when_not(prose, tmp_path, monkeypatch):
    holds = '{% claim majority("additional_policy", "k1") %}Een meerderheid.{% endclaim %}'
    assert prose.render(holds) == "Een meerderheid."
    fails = '{% claim minority("additional_policy", "k1") %}Een minderheid.{% endclaim %}'
    with pytest.raises(ClaimError, match=r"bewering houdt niet: “Een minderheid.” — additional_policy.k1 < 50% "
                                         r"\(additional_policy.k1 = 55,2%\)"):  # fmt: skip
        prose.render(fails)
    monkeypatch.setenv(DRAFT_ENV, "1")
    assert prose.render(fails).startswith("**[Te controleren — houdt niet:")
    with pytest.raises(ProseError, match="voorwaarde nodig"):
        prose.render("{% claim 1 > 0 %}Altijd.{% endclaim %}")
    rows = list(csv.DictReader((tmp_path / "claims" / "03_beleid.csv").open(encoding="utf-8")))
    assert [(r["kind"], r["holds"]) for r in rows] == [("bewering", "True"), ("bewering", "False")]


def test_comparisons_are_registered_for_reviewers(prose_2019, tmp_path):
    prose_2019.render('{{ change("additional_policy", "k1") }}')
    rows = list(csv.DictReader((tmp_path / "claims" / "03_beleid.csv").open(encoding="utf-8")))
    assert rows[-1]["kind"] == "vergelijking" and rows[-1]["text"] == "bleef gelijk (55% in 2018 en in 2019)"


def test_only_remarks_this_edition_has_are_registered(prose, tmp_path):
    from helpers.survey.notes import EditionNotes, Remark

    prose.ch.notes = EditionNotes(remarks=[Remark(notebook="03_beleid", anchor="typo", text="Een drukfout.")])
    assert prose.render('{{ remarks("typo") }}') == "Een drukfout."
    assert prose.render('A{{ remarks("none_this_year") }}') == "A"
    rows = list(csv.DictReader((tmp_path / "claims" / "03_beleid.csv").open(encoding="utf-8")))
    assert [(r["kind"], r["condition"], r["holds"]) for r in rows] == [("opmerking", "typo", "True")]


def test_claim_conditions_name_the_question_and_the_option_it_rests_on(prose, tmp_path):
    prose.render('{% claim most_chosen("instruments", "k1") %}Taal vooral.{% endclaim %}')
    prose.render('{% claim mean_above("n_statushouders", threshold=0) %}Meer dan nul.{% endclaim %}')
    rows = list(csv.DictReader((tmp_path / "claims" / "03_beleid.csv").open(encoding="utf-8")))
    assert [r["condition"] for r in rows] == ["instruments.k1 het vaakst gekozen", "gemiddelde n_statushouders > 0,0"]
    assert rows[0]["numbers"] == "instruments.k1 = 75,0%, hoogste = 75,0%"
