"""Years in question and option texts, and a question reworded in the export under an unchanged id."""

from __future__ import annotations

import pytest
from fixtures_export import respondent, table, write_codebook, write_table

from helpers.load.export import load_export
from helpers.load.problems import RawDataError
from helpers.survey.codebook import load_codebook
from helpers.survey.wording import confirm_action, located_mentions, year_mentions, years_in

R1, R2 = "R_000000000000001", "R_000000000000002"
#: A respondent without additional policy (routing skips its follow-up questions).
NO_POLICY = {"Q2": "2", "Q4": "-99", "Q5_1": "-99", "Q5_2": "-99", "Q5_3": "-99", "Q7": "Geen", "Q8": "2"}
REWORDED = "Heeft uw gemeente in 2019 aanvullend beleid vastgesteld?"


def _rows():
    return [respondent(R1, [14, 5]), respondent(R2, [363], NO_POLICY)]


def _codebook(tmp_path, old: str = "", new: str = ""):
    path = write_codebook(tmp_path)
    if old:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_codebook(path)


def _kinds(result, kind: str):
    return [w for w in result.report.warnings if w.kind == kind]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Is het beleid in 2019 gestart?", (2019,)),
        ("vanaf 2021 de regie, sinds 1998 en weer in 2021", (2021, 1998)),
        ("Meer dan 2000 euro, code 12019, 3,2019 of 20.2019", ()),
        ("Hoeveel banen (max. 1000)?", ()),
    ],
)
def test_years_in_a_text(text, years):
    assert years_in(text) == years


def test_a_year_in_a_question_or_option_text_is_warned_with_its_codebook_line(tmp_path, frame):
    codebook = _codebook(tmp_path, "text: Is er in uw gemeente aanvullend beleid?", f"text: {REWORDED}")
    (mention, line), *rest = located_mentions(codebook, codebook.source)
    assert rest == [] and (mention.question, mention.where, mention.years) == ("additional_policy", "text", (2019,))
    assert codebook.source.read_text(encoding="utf-8").splitlines()[line - 1].strip() == f"text: {REWORDED}"
    rows = table(codebook, frame, _rows())
    rows[1] = [label.replace("Is er in uw gemeente aanvullend beleid?", REWORDED) for label in rows[1]]
    result = load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    (warning,) = _kinds(result, "year_in_text")
    assert (warning.file.endswith("codebook.yaml"), warning.line, warning.column, warning.value) == (
        True,
        line,
        "text",
        "2019",
    )
    assert "noemt het jaar 2019" in warning.message and "text_checked: 2018" in warning.action


def test_an_option_label_and_a_shared_scale_are_checked_too(tmp_path):
    codebook = _codebook(tmp_path, "{code: 3, key: k3, label: Weet niet}", "{code: 3, key: k3, label: Pas sinds 2017}")
    assert [(m.question, m.where) for m in year_mentions(codebook)] == [("additional_policy", "optie k3")]
    scaled = _codebook(tmp_path, "label: Neutraal}", "label: Neutraal (zoals in 2017)}")
    (mention, line), *rest = located_mentions(scaled, scaled.source)
    assert rest == [] and (mention.question, mention.where) == ("scale:agree5", "optie k3")
    assert "Neutraal (zoals in 2017)" in scaled.source.read_text(encoding="utf-8").splitlines()[line - 1]
    assert "De gedeelde schaal agree5" in mention.message(2018) and "bij de schaal" in confirm_action(mention, 2018)
    path = scaled.source
    path.write_text(path.read_text(encoding="utf-8").replace("    nets:\n", "    text_checked: 2018\n    nets:\n", 1))
    assert year_mentions(load_codebook(path)) == []


def test_text_checked_confirms_only_its_own_edition(tmp_path):
    changed = f"text: {REWORDED}"
    for checked, expected in [("2018", []), ("2017", ["additional_policy"])]:
        codebook = _codebook(
            tmp_path, "text: Is er in uw gemeente aanvullend beleid?", f"{changed}\n    text_checked: {checked}"
        )
        assert [m.question for m in year_mentions(codebook)] == expected


def test_a_question_reworded_under_its_old_import_id_is_warned_with_the_fix(tmp_path, codebook, frame):
    rows = table(codebook, frame, _rows())
    i = rows[0].index("Q2")
    rows[1][i] = "Heeft uw gemeente beleid voor de arbeidstoeleiding van statushouders?"
    result = load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    (warning,) = _kinds(result, "question_reworded")
    assert (warning.line, warning.column, warning.import_id) == (2, "Q2", "QID2")
    assert warning.value == rows[1][i] and "Is er in uw gemeente aanvullend beleid?" in warning.expected
    assert "comparable_with: [additional_policy]" in warning.action and "text:" in warning.action


def test_the_same_wording_loosely_compared_is_not_a_rewording(tmp_path, codebook, frame):
    rows = table(codebook, frame, _rows())
    i = rows[0].index("Q2")
    rows[1][i] = "  IS ER IN UW GEMEENTE   AANVULLEND BELEID "
    result = load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    assert _kinds(result, "question_reworded") == [] and _kinds(result, "year_in_text") == []


def test_a_label_naming_another_question_is_left_to_the_header_check(tmp_path, codebook, frame):
    rows = table(codebook, frame, _rows())
    i = rows[0].index("Q2")
    rows[1][i] = "Op welke groepen richt het beleid zich?"
    with pytest.raises(RawDataError) as info:
        load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    kinds = [p.kind for p in info.value.problems]
    assert "header_mismatch" in kinds and "question_reworded" not in kinds


def test_the_shipped_codebooks_mention_only_the_known_years():
    from helpers import paths

    found = {
        y: [(m.question, m.years) for m in year_mentions(load_codebook(paths.codebook_path(y)))]
        for y in (2018, 2019, 2020)
    }
    # each year named in a shipped text is meant, and confirmed with text_checked for that edition
    assert found == {2018: [], 2019: [], 2020: []}
    confirmed = {(2018, "funding_change"), (2019, "integration_law_preparation"), (2020, "integration_law_preparation")}
    for year, qid in confirmed:
        assert load_codebook(paths.codebook_path(year)).question(qid).text_checked == year
