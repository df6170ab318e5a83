"""The synthetic 2020 example year: the 2019 export transformed the way a survey tool changes it.

Each questionnaire change of the 2020 codebook must hold on the loaded data: the split option's
parts together are the old option, unchanged questions give 2019's numbers, the reworded question
carries its answers and continues its series, the replaced one is on its new scale, the
formerly routed question is answered by everyone. ``codebook-diff`` lists every change.
"""

from __future__ import annotations

import copy
import csv
import io
import json

import pandas as pd
import pytest
from shipped import processed

from helpers import paths
from helpers.analysis.frequencies import combined_value, question_indicators
from helpers.analysis.trends import load_published, series
from helpers.cli import main
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.export_layout import BOM
from helpers.survey.lineage import QuestionHistory, category_keys, current_keys, scale_changes
from helpers.synth.generate import make_example_export, published_path
from helpers.synth.spec import DerivedSpec, derived_from, load_derived_spec
from helpers.synth.transform import derive, read_export_cells
from helpers.year.codebook_diff import diff_codebooks, render_markdown

SPEC = paths.raw_year_dir(2020) / "synthetic_spec.yaml"


@pytest.fixture(scope="module")
def codebooks() -> dict[int, Codebook]:
    return {y: load_codebook(paths.codebook_path(y)) for y in (2018, 2019, 2020)}


@pytest.fixture(scope="module")
def loaded():
    return {y: processed(y) for y in (2019, 2020)}


@pytest.fixture(scope="module")
def muni(loaded) -> dict[int, pd.DataFrame]:
    return {y: r.municipalities.set_index("gemeentecode").sort_index() for y, r in loaded.items()}


def _header(path) -> list[list[str]]:
    text = path.read_bytes().removeprefix(BOM).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))[:3]


def _touched() -> set[str]:
    """Questions a transformation step writes (all others are carried over unchanged)."""
    return {s.question for s in load_derived_spec(SPEC).steps}


# --- the file -----------------------------------------------------------------------------------


@pytest.mark.slow  # generates the export twice
def test_regenerated_2020_export_is_byte_identical(tmp_path):
    first = make_example_export(2020, tmp_path / "a.csv")
    second = make_example_export(2020, tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == paths.export_path(2020).read_bytes(), (
        "shipped export differs: run `make example-data YEAR=2020`"
    )


def test_the_survey_tool_keeps_import_ids_and_renumbers_export_names(codebooks):
    old, new = codebooks[2019], codebooks[2020]
    names, _, ids = _header(paths.export_path(2020))
    ids = [json.loads(cell)["ImportId"] for cell in ids]
    for q in new.all_questions:
        if q.id in old:
            assert q.import_id == old.question(q.id).import_id, q.id  # unchanged questions keep their ImportIds
    assert [q.export_name for q in new.all_questions] == [f"Q{k}" for k in range(1, len(new.all_questions) + 1)]
    renumbered = [q.id for q in new.all_questions if q.id in old and q.export_name != old.question(q.id).export_name]
    assert "integration_law_preparation" in renumbered and "policy_other_groups" in renumbered
    used = {int(q.import_id[3:]) for cb in codebooks.values() for q in cb.all_questions if cb.year < 2020}
    fresh = sorted(int(q.import_id[3:]) for q in new.all_questions if q.id not in old)
    assert fresh == [42, 43, 44] and max(used) == 41  # the next free QIDs, never one used before
    assert {"QID4_20", "QID4_21"} <= set(ids) and "QID4_9" not in ids  # new codes for the split parts
    assert "QID14" not in ids and "QID37_1" not in ids and "QID21" not in ids  # dropped and replaced
    assert dict(zip(ids, names, strict=True))["QID40"] == "Q9"  # was Q40 in 2019


def test_2020_export_has_new_response_ids_and_dates_in_the_fieldwork(codebooks):
    new = read_export_cells(paths.export_path(2020))
    old = read_export_cells(paths.export_path(2019))
    assert len(new) == len(old) == 170
    assert not set(new["_recordId"]) & set(old["_recordId"]) and new["_recordId"].is_unique
    start, end = codebooks[2020].fieldwork
    finished = new["finished"] == "1"
    assert (new["startDate"] >= f"{start} 08:00:00").all() and (new["startDate"] <= f"{end} 17:00:00").all()
    assert (new.loc[finished, "recordedDate"] <= f"{end} 23:59:59").all()
    assert list(new["recordedDate"]) == sorted(new["recordedDate"])


# --- loading ------------------------------------------------------------------------------------


def test_2020_loads_on_the_2019_frame_with_the_same_municipalities(loaded, muni):
    report = loaded[2020].report
    assert (report.rows_read, report.rows_kept, report.rows_dropped) == (170, 165, 5)
    assert report.frame_size == 355 and report.municipalities == 272
    assert list(muni[2020].index) == list(muni[2019].index)
    assert muni[2020]["grootteklasse"].value_counts().to_dict() == {"G4": 4, "G40": 38, "Middelgroot/klein": 230}
    kinds = {w.kind for w in report.warnings}
    assert "renamed_column" not in kinds, "export names must follow the codebook's export_name"
    assert sorted(d["reason"] for d in report.dropped) == ["onvolledig"] * 3 + ["preview"] * 2


def test_unchanged_questions_give_2019s_numbers(codebooks, muni):
    old, new = codebooks[2019], codebooks[2020]
    same = [q for q in new.all_questions if q.id in old and q.id not in _touched() and q.type != "municipality"]
    assert len(same) == 30
    assert {"integration_routes", "municipal_paid_jobs", "long_term_funding", "integral_approach"} <= {
        q.id for q in same
    }
    for q in same:
        before = question_indicators(muni[2019].reset_index(), old.question(q.id))
        after = question_indicators(muni[2020].reset_index(), q)
        pd.testing.assert_frame_equal(
            before.drop(columns="category").reset_index(drop=True),
            after.drop(columns="category").reset_index(drop=True),
        )
        for col in q.processed_columns():
            pd.testing.assert_series_equal(muni[2019][col], muni[2020][col], check_names=False)


def test_answers_that_moved_changed_in_both_directions(muni):
    m19, m20 = muni[2019], muni[2020]
    assert (m20["additional_policy"] == "Ja").mean() > (m19["additional_policy"] == "Ja").mean()
    assert (m20["additional_policy"] == "Is in ontwikkeling").mean() < (
        m19["additional_policy"] == "Is in ontwikkeling"
    ).mean()
    agree = ["Eens", "Helemaal eens"]
    assert m20["background_insight"].isin(agree).mean() < m19["background_insight"].isin(agree).mean()
    assert m20["measures_offered__1"].mean() > m19["measures_offered__1"].mean()


# --- each questionnaire change --------------------------------------------------------------------


def test_split_parts_together_are_the_old_option(muni, codebooks):
    m19, m20 = muni[2019], muni[2020]
    parts = m20[["measures_offered__20", "measures_offered__21"]]
    union = parts.fillna(False).any(axis=1).astype(bool)
    answered = m20["measures_offered__status"] == "beantwoord"
    assert answered.equals(m19["measures_offered__status"] == "beantwoord")
    assert union[answered].equals(m19.loc[answered, "measures_offered__9"].astype(bool))
    assert 0 < parts.all(axis=1).sum() < union.sum()  # some tick both, not all
    assert (parts[answered].sum() < union[answered].sum()).all()
    # the lineage says so: the parts together continue the old option, with the same number
    history = QuestionHistory(codebooks)
    q, old_q = codebooks[2020].question("measures_offered"), codebooks[2019].question("measures_offered")
    keys = current_keys(history, q, 2020, "work_placements")
    assert keys == {"work_placements_municipal", "work_placements_employers"}
    assert category_keys(q, old_q, keys) == {"work_placements"}
    now = combined_value(m20.reset_index(), q, {c for k in keys for c in q.category(k).codes}, "pct")
    assert now == combined_value(m19.reset_index(), old_q, {9}, "pct") and now[0] == pytest.approx(100 * union.mean())


def test_reworded_question_carries_its_answers_and_continues_its_series(muni, codebooks):
    m19, m20 = muni[2019], muni[2020]
    for code in (1, 2, 3, 4):
        pd.testing.assert_series_equal(
            m19[f"policy_embedding__{code}"], m20[f"policy_organisation__{code}"], check_names=False
        )
    history = QuestionHistory(codebooks)
    resolution = history.resolve("policy_embedding", 2020)
    assert resolution.status == "comparable" and resolution.question.id == "policy_organisation"
    q = codebooks[2020].question("policy_organisation")
    data = {2019: m19.reset_index(), 2020: m20.reset_index()}
    trend = series(history, q, 2020, data, load_published([2016, 2017, 2018]), "project_based").set_index("year")
    assert {2017, 2018, 2019, 2020} <= set(trend.index) and not trend["break"].any()
    assert trend.loc[2020, "value"] == pytest.approx(trend.loc[2019, "value"])


def test_replaced_question_is_on_its_new_scale(muni, codebooks):
    m19, m20 = muni[2019], muni[2020]
    new = m20["workplace_coaching_frequency"]
    assert set(new.dropna().astype(str)) <= {"Nooit", "Soms", "Meestal", "Altijd"}
    assert set(new[m19["workplace_coaching"] == "Ja"].astype(str)) <= {"Soms", "Meestal", "Altijd"}
    assert set(new[m19["workplace_coaching"] == "Nee"].astype(str)) <= {"Nooit", "Soms"}
    assert new[m19["workplace_coaching"] == "Nee"].astype(str).nunique() == 2  # seeded, not a recode
    statuses = m20["workplace_coaching_frequency__status"]
    assert statuses.equals(m19["workplace_coaching__status"].rename(statuses.name))
    assert "workplace_coaching" not in m20.columns
    resolution = QuestionHistory(codebooks).resolve("workplace_coaching", 2020)
    assert resolution.status == "replaced" and resolution.question.id == "workplace_coaching_frequency"
    (change,) = scale_changes(codebooks[2019], codebooks[2020])
    assert (change.question, change.old_question, change.allowed) == (
        "workplace_coaching_frequency",
        "workplace_coaching",
        True,
    )


def test_routing_removed_every_municipality_now_answers(muni):
    m19, m20 = muni[2019], muni[2020]
    was_not_asked = m19["policy_other_groups__status"] == "niet gevraagd"
    assert was_not_asked.sum() == 71
    assert m19.loc[was_not_asked, "additional_policy"].isin(["Nee", "Niet meer"]).all()
    assert (m20["policy_other_groups__status"] != "niet gevraagd").all()
    assert (m20.loc[was_not_asked, "policy_other_groups__status"] == "beantwoord").sum() >= 65
    kept = ~was_not_asked
    assert m20.loc[kept, "policy_other_groups"].equals(m19.loc[kept, "policy_other_groups"])
    followed = m20["policy_other_groups"].isin(["Ja", "Is in ontwikkeling"])
    assert (m20.loc[followed, "policy_other_groups_which__status"] == "beantwoord").all()
    assert (m20.loc[~followed, "policy_other_groups_which__status"] == "niet gevraagd").all()


def test_dropped_question_is_gone(muni, codebooks):
    assert not [c for c in muni[2020].columns if c.startswith("family_migrants_insight")]
    assert QuestionHistory(codebooks).resolve("family_migrants_insight", 2020).status == "dropped"


def test_codebook_diff_lists_every_change(codebooks, capsys):
    changes = diff_codebooks(codebooks[2019], codebooks[2020])
    assert {(c.kind, c.old_question, c.question) for c in changes} == {
        ("added", "", "coa_information_timely"),
        ("dropped", "family_migrants_insight", ""),
        ("replaces", "workplace_coaching", "workplace_coaching_frequency"),
        ("scale", "workplace_coaching", "workplace_coaching_frequency"),
        ("comparable", "policy_embedding", "policy_organisation"),
        ("option_split", "measures_offered", "measures_offered"),
        ("option_renamed", "employer_support", "employer_support"),
        ("option_renamed", "partners_involved", "partners_involved"),
        ("routing", "policy_other_groups", "policy_other_groups"),
    }
    assert not any(c.problem for c in changes)
    assert main(["codebook-diff", "--from-year", "2019", "--to-year", "2020"]) == 0
    out = capsys.readouterr().out
    assert "‘Werkervaringsplekken’ is gesplitst in ‘Werkervaringsplekken binnen de gemeentelijke organisatie’ en" in out
    assert "antwoordschaal was ‘Ja / Nee’, nu ‘Nooit / Soms / Meestal / Altijd’" in out
    assert "[`policy_embedding` → `policy_organisation`]" in out and "nu aan alle gemeenten" in out
    assert "Hoe is het beleid voor de arbeidstoeleiding van statushouders in uw gemeente georganiseerd: als" in out


# --- the checks behind it -------------------------------------------------------------------------


def _with(cb: Codebook, qid: str, **update) -> Codebook:
    raw = cb.model_dump(by_alias=True, exclude_defaults=True)
    raw["questions"] = [q | update if q["id"] == qid else q for q in raw["questions"]]
    return Codebook.model_validate(raw)


def test_a_scale_changed_under_the_old_id_is_reported(codebooks):
    old = codebooks[2019]
    same_id = _with(codebooks[2020], "workplace_coaching_frequency", id="workplace_coaching", replaces=[])
    (change,) = scale_changes(old, same_id)
    assert not change.allowed and change.link == "same"
    assert change.message().startswith("Vraag workplace_coaching: de antwoordschaal is gewijzigd ten opzichte van 2019")
    assert "geef haar in codebook.yaml een nieuw id met replaces: [workplace_coaching]" in change.message()
    diff = [c for c in diff_codebooks(old, same_id) if c.kind == "scale"]
    assert len(diff) == 1 and diff[0].problem
    assert "LET OP: een gewijzigde schaal hoort een nieuw id met replaces te krijgen" in render_markdown(
        diff, 2019, 2020, same_id
    )
    comparable = _with(
        codebooks[2020], "workplace_coaching_frequency", replaces=[], comparable_with=["workplace_coaching"]
    )
    (change,) = scale_changes(old, comparable)
    assert change.link == "comparable" and not change.allowed
    relabelled = _with(old, "outflow_monitoring", scale=None, options=[
        {"code": 1, "key": "yes", "label": "Ja, dat houden we bij"}, {"code": 2, "key": "no", "label": "Nee"},
    ])  # fmt: skip
    assert scale_changes(old, relabelled) == []  # a reworded label is not a new scale
    swapped = _with(old, "outflow_monitoring", scale=None, options=[
        {"code": 1, "key": "no", "label": "Nee"}, {"code": 2, "key": "yes", "label": "Ja"},
    ])  # fmt: skip
    assert [c.reason for c in scale_changes(old, swapped)] == ["codes hebben een ander antwoord gekregen"]


def test_option_merges_key_renames_and_new_codes_are_listed(codebooks):
    old = codebooks[2019]
    options = [o.model_dump(exclude_defaults=True) for o in old.question("policy_other_groups_which").options]
    merged = [o for o in options if o["key"] not in ("refugees_under_five_years", "refugees_over_five_years")]
    merged.insert(0, {"code": 10, "key": "refugees_longer", "label": "Statushouders die al langer in Nederland zijn",
                      "merged_from": ["refugees_under_five_years", "refugees_over_five_years"]})  # fmt: skip
    young = next(o for o in merged if o["key"] == "young_people")
    young.update(key="youth", renamed_from="young_people", code=11)
    new = _with(old, "policy_other_groups_which", options=merged)
    got = [(c.kind, c.old, c.new) for c in diff_codebooks(old, new)]
    assert got == [
        (
            "option_merged",
            "Statushouders die al langer, maar minder dan vijf jaar in Nederland zijn | "
            "Statushouders die langer dan vijf jaar in Nederland zijn",
            "Statushouders die al langer in Nederland zijn",
        ),
        ("option_key_renamed", "young_people", "youth"),
        ("option_recoded", "3", "11"),
    ]
    md = render_markdown(diff_codebooks(old, new), 2019, 2020, new)
    assert "zijn samengevoegd tot ‘Statushouders die al langer in Nederland zijn’" in md
    assert "youth" not in md and "code 3" not in md  # keys and codes only for the researcher
    assert "sleutel `young_people` heet nu `youth`" in render_markdown(
        diff_codebooks(old, new), 2019, 2020, new, with_ids=True
    )


def test_a_spec_that_does_not_fit_the_codebooks_is_refused(codebooks):
    raw = load_derived_spec(SPEC).model_dump(by_alias=True)
    source = read_export_cells(paths.export_path(2019))
    numbers = [int(code[2:]) for code in pd.read_csv(paths.frame_path(2019), dtype=str)["gemeentecode"]]
    bad = copy.deepcopy(raw)
    bad["steps"][0]["combinations"][0]["parts"] = ["work_placements_elsewhere"]
    bad["steps"][2]["map"].pop("no")
    with pytest.raises(ValueError) as err:
        derive(codebooks[2020], codebooks[2019], DerivedSpec.model_validate(bad), source, numbers)
    message = str(err.value)
    assert "measures_offered: combination names 'work_placements_elsewhere'" in message
    assert "workplace_coaching_frequency: old answer 'no' has no mapping" in message
    missing = copy.deepcopy(raw)
    missing["steps"] = [s for s in missing["steps"] if s["question"] != "coa_information_timely"]
    with pytest.raises(ValueError, match="column QID44: no step writes it"):
        derive(codebooks[2020], codebooks[2019], DerivedSpec.model_validate(missing), source, numbers)
    unrouted = copy.deepcopy(raw)
    unrouted["steps"] = [s for s in unrouted["steps"] if s["question"] != "policy_other_groups_which"]
    with pytest.raises(
        ValueError, match=r"policy_other_groups_which: 0 response\(s\) answer .*, \d+ are asked and have no answer"
    ):
        derive(codebooks[2020], codebooks[2019], DerivedSpec.model_validate(unrouted), source, numbers)


def test_2020_data_is_labelled_synthetic(codebooks):
    text = (paths.raw_year_dir(2020) / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text and "no published 2020" in text
    assert codebooks[2020].synthetic and codebooks[2020].frame_year == 2019
    assert not published_path(2020).exists()
    assert (derived_from(2020), derived_from(2019), derived_from(2018)) == (2019, None, None)
    assert codebooks[2020].population_size == 355
