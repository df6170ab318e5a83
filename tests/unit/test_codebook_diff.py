"""Questionnaire changes between two codebooks: rows, Dutch Markdown and the method-section text."""

from __future__ import annotations

import copy
import shutil

import pytest
import yaml

from helpers import paths
from helpers.cli import main
from helpers.report.method import questionnaire_changes
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.lineage import label_map
from helpers.year.codebook_diff import changes_frame, diff_codebooks, render_markdown

BASE = {
    "year": 2018,
    "title": "Test",
    "freeze_date": "2018-04-10",
    "fieldwork": ["2018-03-05", "2018-04-09"],
    "frame_year": 2018,
    "population_size": 10,
    "questions": [
        {"id": "municipalities", "chapter": 2, "text": "Gemeente?", "type": "municipality", "export_name": "Q1",
         "import_id": "QID1"},
        {"id": "policy", "chapter": 3, "text": "Is er beleid?", "type": "single", "export_name": "Q2",
         "import_id": "QID2",
         "options": [{"code": 1, "key": "k1", "label": "Ja"}, {"code": 2, "key": "k2", "label": "Nee"}]},
        {"id": "groups", "chapter": 3, "text": "Welke groepen?", "type": "multi", "export_name": "Q3",
         "import_id": "QID3", "asked_if": {"question": "policy", "in": [1]},
         "options": [{"code": 1, "key": "k1", "label": "Jongeren"}, {"code": 2, "key": "k2", "label": "Ouderen"}]},
        {"id": "routes", "chapter": 8, "text": "Welk percentage?", "type": "percent", "export_name": "Q4",
         "import_id": "QID4",
         "items": [{"code": 1, "key": "k1", "label": "Werk"}, {"code": 2, "key": "k2", "label": "School"}]},
        {"id": "old_only", "chapter": 10, "text": "Tijdelijke middelen?", "type": "single", "export_name": "Q5",
         "import_id": "QID5", "options": [{"code": 1, "key": "k1", "label": "Ja"}]},
    ],
}  # fmt: skip


def _cb(year: int, edit=None) -> Codebook:
    raw = copy.deepcopy(BASE)
    raw["year"] = year
    if edit:
        edit(raw)
    return Codebook.model_validate(raw)


def _q(raw: dict, qid: str) -> dict:
    return next(q for q in raw["questions"] if q["id"] == qid)


def kinds(changes) -> list[tuple[str, str, str]]:
    return [(c.kind, c.old_question, c.question) for c in changes]


def test_identical_codebooks_have_no_changes():
    assert diff_codebooks(_cb(2018), _cb(2019)) == []
    assert render_markdown([], 2018, 2019) == "De vragenlijst van 2019 is gelijk aan die van 2018."


def test_added_dropped_options_items_text_and_routing():
    def edit(raw):
        raw["questions"] = [q for q in raw["questions"] if q["id"] != "old_only"]
        _q(raw, "policy")["text"] = "Is er aanvullend beleid?"
        groups = _q(raw, "groups")
        groups["options"] = [
            {"code": 1, "key": "k1", "label": "Jongeren (tot 27)"},
            {"code": 3, "key": "k3", "label": "Nareizigers"},
        ]
        groups["asked_if"] = {"question": "policy", "in": [1, 2]}
        groups["max_answers"] = 1
        _q(raw, "routes")["items"] = [
            {"code": 1, "key": "k1", "label": "Werk"},
            {"code": 3, "key": "k3", "label": "Participatie"},
        ]
        raw["questions"].append(
            {"id": "law", "chapter": 3, "text": "Stelling: nieuwe wet", "type": "single", "export_name": "Q9",
             "import_id": "QID9", "options": [{"code": 1, "key": "k1", "label": "Eens"}]}
        )  # fmt: skip

    changes = diff_codebooks(_cb(2018), _cb(2019, edit))
    assert kinds(changes) == [
        ("text", "policy", "policy"),
        ("option_renamed", "groups", "groups"),
        ("option_added", "groups", "groups"),
        ("option_dropped", "groups", "groups"),
        ("max_answers", "groups", "groups"),
        ("routing", "groups", "groups"),
        ("item_added", "routes", "routes"),
        ("item_dropped", "routes", "routes"),
        ("added", "", "law"),
        ("dropped", "old_only", ""),
    ]
    renamed = changes[1]
    assert (renamed.code, renamed.old, renamed.new) == (1, "Jongeren", "Jongeren (tot 27)")
    md = render_markdown(changes, 2018, 2019, _cb(2019, edit))
    assert "**Nieuwe vragen**" in md and "*Stelling: nieuwe wet* (hoofdstuk 3)" in md
    assert "**Vervallen vragen**" in md and "*Tijdelijke middelen?* (hoofdstuk 10)" in md
    assert "‘Jongeren’ heet nu ‘Jongeren (tot 27)’" in md and "nieuwe antwoordmogelijkheid ‘Nareizigers’" in md
    assert "antwoordmogelijkheid ‘Ouderen’ vervallen" in md
    assert "onderdeel ‘School’ vervallen" in md
    assert "‘Ja’ of ‘Nee’ antwoordden" in md
    assert "`" not in md  # ids only with with_ids=True
    assert "[`groups`]" in render_markdown(changes, 2018, 2019, _cb(2019, edit), with_ids=True)
    frame = changes_frame(changes)
    assert list(frame.columns) == ["kind", "question", "old_question", "chapter", "old", "new", "code", "problem"]
    assert len(frame) == len(changes)


def test_comparable_and_replaced_questions_are_linked_not_added_or_dropped():
    def edit(raw):
        policy = _q(raw, "policy")
        policy.update(id="policy_2019", text="Heeft uw gemeente aanvullend beleid?", comparable_with=["2018:policy"])
        _q(raw, "groups")["asked_if"] = {"question": "policy_2019", "in": [1]}  # same routing, renamed question
        _q(raw, "old_only").update(id="funding_2019", text="Andere vraag", replaces=["old_only"])

    changes = diff_codebooks(_cb(2018), _cb(2019, edit))
    assert kinds(changes) == [("comparable", "policy", "policy_2019"), ("replaces", "old_only", "funding_2019")]
    md = render_markdown(changes, 2018, 2019)
    assert "vergelijkbaar, de tijdreeks loopt door" in md
    assert "niet vergelijkbaar, breuk in de tijdreeks" in md
    assert "**Nieuwe vragen**" not in md and "**Vervallen vragen**" not in md


def test_links_for_another_year_do_not_apply():
    def edit(raw):
        _q(raw, "policy").update(id="policy_2019", comparable_with=["2017:policy"])
        _q(raw, "groups")["asked_if"] = {"question": "policy_2019", "in": [1]}

    assert kinds(diff_codebooks(_cb(2018), _cb(2019, edit))) == [
        ("added", "", "policy_2019"),
        ("routing", "groups", "groups"),  # now routed on an unlinked (new) question
        ("dropped", "policy", ""),
    ]


def test_label_map_follows_codes():
    old = _cb(2018).question("groups")
    new = _cb(2019, lambda raw: _q(raw, "groups").update(options=[{"code": 1, "key": "k1", "label": "Jong"}])).question(
        "groups"
    )
    assert label_map(old, new) == {"": "", "Jongeren": "Jong"}


def test_shipped_2019_codebook_changes():
    old, new = load_codebook(paths.codebook_path(2018)), load_codebook(paths.codebook_path(2019))
    changes = diff_codebooks(old, new)
    got = {(c.kind, c.question or c.old_question) for c in changes}
    assert got == {
        ("added", "integration_law_preparation"),
        ("added", "regional_cooperation"),
        ("dropped", "funding_change"),
        ("option_renamed", "measures_offered"),
        ("option_renamed", "success_factors"),
        ("option_added", "measures_offered"),
        ("routing", "integral_approach_explanation"),
    }
    assert all(c.code == 13 for c in changes if c.kind == "option_renamed")


def test_questionnaire_changes_for_the_method_section(tmp_path):
    assert questionnaire_changes(2018) == ""  # no 2017 codebook
    text = questionnaire_changes(2019)
    assert text.startswith("Ten opzichte van 2018 is de vragenlijst van 2019")
    assert "Wet inburgering" in text and "**Routing**" in text
    shutil.copy(paths.codebook_path(2018), tmp_path / "cb.yaml")
    for year in (2018, 2019):
        (tmp_path / str(year)).mkdir()
        raw = yaml.safe_load((tmp_path / "cb.yaml").read_text(encoding="utf-8"))
        raw["year"] = year
        (tmp_path / str(year) / "codebook.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert questionnaire_changes(2019, raw_dir=tmp_path) == "De vragenlijst van 2019 is gelijk aan die van 2018."


def test_cli_codebook_diff(capsys):
    assert main(["codebook-diff", "--from-year", "2018", "--to-year", "2019"]) == 0
    out = capsys.readouterr().out
    assert "[`funding_change`]" in out and "[`integration_law_preparation`]" in out


@pytest.mark.parametrize("width", [20, 60])
def test_long_texts_are_shortened(width):
    from helpers.year.codebook_diff import short

    text = "Welk aanbod heeft uw gemeente (eventueel in samenwerking met andere partners) specifiek voor statushouders?"
    assert len(short(text, width)) <= width and short(text, width).endswith("…")


def test_lineage_carried_into_the_next_edition_is_no_change_there():
    """``monitor new-year`` copies the codebook with its lineage: the options split in 2019 are the
    same answers in 2020, not new ones."""

    def split(raw):
        _q(raw, "groups")["options"] = [
            {"code": 3, "key": "young_men", "label": "Jonge mannen", "split_from": "k1"},
            {"code": 4, "key": "young_women", "label": "Jonge vrouwen", "split_from": "k1"},
            {"code": 2, "key": "k2", "label": "Ouderen"},
        ]

    in_2019, in_2020 = _cb(2019, split), _cb(2020, split)
    assert [c.kind for c in diff_codebooks(_cb(2018), in_2019)] == ["option_split"]
    assert diff_codebooks(in_2019, in_2020) == []


def _with_new_questions(*levels: str | None):
    """Edit adding one count question per ``levels`` entry (None: no ``level`` written) and a new single question."""

    def edit(raw):
        for i, level in enumerate(levels):
            q = {"id": f"jobs_{i}", "chapter": 8, "text": f"Hoeveel banen ({i})?", "type": "count",
                 "export_name": f"Q{10 + i}", "import_id": f"QID{10 + i}"}  # fmt: skip
            raw["questions"].append(q | ({"level": level} if level else {}))
        raw["questions"].append(
            {"id": "extra", "chapter": 3, "text": "Nog iets?", "type": "single", "export_name": "Q20",
             "import_id": "QID20", "options": [{"code": 1, "key": "k1", "label": "Ja"}]}
        )  # fmt: skip

    return edit


def test_codebook_diff_asks_the_unit_of_new_count_and_percentage_questions():
    old, new = _cb(2018), _cb(2019, _with_new_questions(None, "respondent", "municipality"))
    changes = diff_codebooks(old, new)
    text = render_markdown(changes, 2018, 2019, new, with_ids=True)
    todo = text.split("**Te doen: eenheid van analyse**", 1)[1]
    assert "`jobs_0` (count" in todo and "level: respondent" in todo and "level: municipality" in todo
    assert "jobs_1" not in todo and "jobs_2" not in todo and "extra" not in todo  # stated, or not a number
    assert "eenheid van analyse" not in render_markdown(changes, 2018, 2019, new)  # not in the report's method
    same = _cb(2019, lambda raw: _q(raw, "routes").update(text="Welk percentage?"))
    assert "eenheid" not in render_markdown(diff_codebooks(old, same), 2018, 2019, same, with_ids=True)
