"""Content of the feedback documents (helpers.report.feedback) on the small fixture.

R10 answers for GM9010 (G40), GM9011, GM9012 (small); R08 answered "Nee" to additional_policy, so
policy_other_groups was not asked; R01's open answer names its own municipality ("Stad A").
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from analysis_fixtures import REMARKS, make_frame, make_municipalities, make_respondents

from helpers import paths
from helpers.report import feedback as fbmod
from helpers.report.feedback import FeedbackError, FeedbackSource, chapter_titles, check_inputs, file_stem
from helpers.report.feedback_parts import MINE, document_markdown
from helpers.survey.vocabulary import MERGED_LARGE, SUPPRESSED

CONTACT = {"name": "Onderzoeksteam monitor", "email": "monitor@example.org"}
SMALL = "Middelgroot/klein"


def _source(cb, df=None, respondents=None) -> FeedbackSource:
    df = make_municipalities() if df is None else df
    respondents = make_respondents() if respondents is None else respondents
    return FeedbackSource(cb, df, respondents, CONTACT, {3: "Beleid", 8: "Resultaten"})


@pytest.fixture(scope="module")
def source(cb):
    return _source(cb)


def _block(doc, qid):
    return next(b for s in doc.sections for b in s.blocks if b.qid == qid)


def _row(block, label):
    return next(r for r in block.rows if r.label == label)


def test_file_names_from_the_municipality_codes():
    assert file_stem(["GM0363"]) == "GM0363"
    assert file_stem(["GM0017", "GM0014", "GM0009", "GM0022"]) == "GM0009+3"


def test_one_document_per_respondent_in_file_order(source):
    assert len(source.respondent_ids()) == 24
    assert source.files["R10"] == "GM9010+2" and source.files["R11"] == "GM9013+3"
    assert list(source.files.values()) == sorted(source.files.values())


def test_resolve_by_response_id_code_or_file_name(source):
    assert source.resolve("R10") == source.resolve("GM9011") == source.resolve("GM9010+2.pdf") == "R10"
    assert source.resolve(None) == "R01"
    with pytest.raises(FeedbackError, match="geen respondent gevonden voor 'GM0000'"):
        source.resolve("GM0000")


def test_cover_names_only_the_own_municipalities(source):
    doc = source.document("R10")
    assert [m["name"] for m in doc.municipalities] == ["Gemeente 10", "Gemeente 11", "Gemeente 12"]
    assert doc.size_class == "G40" and doc.fieldwork == "5 maart 2018 tot en met 9 april 2018"
    assert doc.synthetic_warning.startswith("Synthetische voorbeelddata")
    assert "Gemeente 10, Gemeente 11 en Gemeente 12" in doc.intro


def test_sections_follow_the_chapters_with_titles_and_numbers(source):
    doc = source.document("R10")
    assert [(s.number, s.title) for s in doc.sections] == [
        (2, "Hoofdstuk 2"), (3, "Beleid"), (8, "Resultaten"), (9, "Hoofdstuk 9"), (11, "Hoofdstuk 11")
    ]  # fmt: skip
    assert [b.number for b in doc.sections[1].blocks] == ["3.1", "3.2", "3.3", "3.4"]
    assert all(b.qid != "municipalities" for s in doc.sections for b in s.blocks)


def test_single_choice_marks_the_own_answer_beside_group_and_total(source):
    block = _block(source.document("R10"), "additional_policy")
    assert block.group_header == f"{MERGED_LARGE} (n=10)" and block.total_header == "Alle gemeenten (n=29)"
    ja = _row(block, "Ja")
    assert (ja.own, ja.group, ja.total) == (MINE, "80%", "55%")  # 8/10 and 16/29
    assert _row(block, "Nee").own == ""


def test_scale_answer_gets_its_position(source):
    block = _block(source.document("R04"), "integrated_approach")  # R04 answered "Oneens"
    assert _row(block, "Oneens").own == MINE and _row(block, "(Helemaal) oneens").own == MINE
    assert block.summary[0].startswith("Uw antwoord ‘Oneens’ op de schaal van ‘Helemaal oneens’ tot ‘Helemaal eens’")
    # all municipalities: 2 of 30 answered "Helemaal oneens" (R08, R18) -> lower; higher: everything above Oneens
    assert "van alle gemeenten koos 7% een lager" in block.summary[0]


def test_multi_answer_ticks_and_counts(source):
    block = _block(source.document("R10"), "instruments")  # R10 ticked 1, 2, 3
    assert [r.own for r in block.rows[:3]] == [MINE, MINE, MINE]
    assert _row(block, "Geen van deze").own == ""
    assert _row(block, "Gemiddeld aantal aangekruiste antwoorden").own == "3"
    assert block.summary == ["U kruiste 3 van de 5 antwoorden aan."]


def test_own_other_text_is_quoted(source):
    block = _block(source.document("R03"), "instruments")  # R03 ticked "Anders, namelijk"
    assert block.own_texts == ["Uw toelichting bij ‘Anders, namelijk’: iets anders"]


def test_estimates_show_own_value_and_median_with_quartiles(source):
    block = _block(source.document("R10"), "route_share")  # R10: 30 and 0
    assert [(r.label, r.own) for r in block.rows] == [
        ("Directe bemiddeling", "30%"), ("Via onderwijs", "0%"), ("Bemiddeld", "30%")
    ]  # fmt: skip
    assert block.total_header == "Alle gemeenten: mediaan (kwartielen)"
    assert block.rows[0].total.endswith("n=28")


def test_routed_away_question_says_why_in_document_numbers(source):
    block = _block(source.document("R08"), "policy_other_groups")
    assert block.status == "niet gevraagd"
    assert block.status_note == (
        "Deze vraag is u niet gesteld: ze gold alleen als bij vraag 3.1 ‘Ja’ of ‘In ontwikkeling’ gekozen is."
    )
    assert all(r.own == "" for r in block.rows) and _row(block, "Ja").total != SUPPRESSED


def test_open_answers_are_only_the_own(source):
    own = _block(source.document("R01"), "remarks")
    assert own.own_texts == [REMARKS["R01"]]
    for rid in source.respondent_ids():
        text = json.dumps(source.document(rid).as_dict(), ensure_ascii=False)
        others = [t for r, t in REMARKS.items() if r != rid and t.strip()]
        assert not any(t in text for t in others), rid


def test_no_document_names_another_municipality(source):
    names = dict(zip(make_frame()["gemeentecode"], make_frame()["gemeentenaam"], strict=True))
    for rid in source.respondent_ids():
        doc = source.document(rid)
        own = {m["code"] for m in doc.municipalities}
        text = document_markdown(doc) + json.dumps(doc.as_dict(), ensure_ascii=False)
        leaked = [n for c, n in names.items() if c not in own and n in text]
        assert leaked == [], rid


def test_insider_rule_hides_a_group_the_respondent_could_subtract_itself_from(cb):
    # policy_other_groups among small municipalities: only GM9011, 12 (R10), 17, 18 (R12), 19 (R13), 20 (R14)
    df = make_municipalities()
    away = df["gemeentecode"].isin(["GM9022", "GM9028", "GM9029"])
    df.loc[away, "policy_other_groups"] = None
    df.loc[away, "policy_other_groups__status"] = "niet gevraagd"
    resp = make_respondents()
    rids = df.loc[away, "respondent_id"]
    resp.loc[resp["respondent_id"].isin(rids), "policy_other_groups__status"] = "niet gevraagd"
    resp.loc[resp["respondent_id"].isin(rids), "policy_other_groups"] = None
    source = _source(cb, df, resp)
    r12 = _block(source.document("R12"), "policy_other_groups")  # 2 of the 6 are its own: 4 others
    assert r12.group_header == SMALL and {r.group for r in r12.rows} == {SUPPRESSED}
    assert r12.total_header == "Alle gemeenten (n=15)" and SUPPRESSED not in {r.total for r in r12.rows}
    r13 = _block(source.document("R13"), "policy_other_groups")  # 1 of the 6: 5 others
    assert r13.group_header == f"{SMALL} (n=6)" and SUPPRESSED not in {r.group for r in r13.rows}


def test_markdown_view_has_warning_tables_guide_and_contact(source):
    md = document_markdown(source.document("R10"))
    assert "> **Synthetische voorbeelddata" in md
    assert "| Ja | ✓ | 80% | 55% |" in md
    assert "## Zo leest u dit document" in md and "monitor@example.org" in md
    assert "R10" not in md  # the ResponseId is for the private index only


def test_missing_contact_is_one_clean_message(tmp_path, monkeypatch):
    notes = tmp_path / "notes.yaml"
    notes.write_text("publication: iets\n", encoding="utf-8")
    monkeypatch.setattr(paths, "notes_path", lambda year: notes)
    processed = tmp_path / "processed"
    processed.mkdir()
    for name in ("municipalities", "respondents"):
        pd.DataFrame({"x": [1]}).to_parquet(processed / f"{name}.parquet")
    with pytest.raises(FeedbackError) as err:
        check_inputs(2018, processed)
    assert str(err.value).startswith(f"{notes}: geen contactpersoon voor de terugkoppeling (sleutel 'contact')")
    assert "make feedback YEAR=2018" in str(err.value)


def test_missing_processed_data_says_which_command_to_run(tmp_path):
    with pytest.raises(FeedbackError, match=r"municipalities.parquet ontbreekt: .*make data YEAR=2019"):
        check_inputs(2019, tmp_path)


def test_shipped_years_have_an_example_contact():
    for year in (2018, 2019):
        contact = fbmod._contact(year)
        assert contact["email"].endswith("@example.org") and "voorbeeld" in contact["name"]


def test_chapter_titles_come_from_the_notebooks(tmp_path):
    cell = {"cell_type": "markdown", "metadata": {}, "source": ["# Beleid en visie\n", "tekst"]}
    (tmp_path / "03_policy.ipynb").write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    (tmp_path / "feedback.ipynb").write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    assert chapter_titles(tmp_path) == {3: "Beleid en visie"}
    assert chapter_titles()[3] == "Beleid en visie op arbeidstoeleiding van statushouders"
