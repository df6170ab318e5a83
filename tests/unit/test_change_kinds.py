"""Change kinds and lineage are defined once (``survey.lineage``): every kind is worded, grouped and reachable,
no other module spells a kind, and the synthetic steps are checked and written by tables with the same keys."""

from __future__ import annotations

import ast
import string
from pathlib import Path
from typing import get_args

import pytest

from helpers import paths
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.lineage import (
    CATEGORY_LINEAGE_FIELDS,
    CategoryChange,
    ChangeGroup,
    ChangeKind,
    Link,
    Subject,
    category_changes,
    question_pairs,
    scale_changes,
)
from helpers.synth.spec import Step
from helpers.synth.steps_check import CHECKS
from helpers.synth.transform import STEPS
from helpers.year.codebook_diff import INTERNAL_KINDS, Change, changes_frame, render_markdown

SRC = Path(__file__).resolve().parents[2] / "src" / "helpers"
#: The placeholders ``year.codebook_diff`` fills in a wording template.
FIELDS = {"old", "new", "old_text", "new_text", "old_list", "new_list", "old_raw", "new_raw", "old_limit",
          "new_limit", "problem"}  # fmt: skip


@pytest.mark.parametrize("kind", list(ChangeKind), ids=str)
def test_every_kind_is_worded_and_rendered(kind):
    names = {name for _, name, _, _ in string.Formatter().parse(kind.wording) if name}
    assert names and names <= FIELDS
    change = Change(kind, "q_new", "q_old", 3, old="oud <a>", new="nieuw | ander", problem=kind is ChangeKind.SCALE)
    text = render_markdown([change], 2019, 2020, with_ids=True)
    assert f"**{kind.group.title}**" in text
    assert "{" not in text.split("\n", 1)[1]  # every placeholder filled
    if kind not in INTERNAL_KINDS:  # the report lists it too
        assert f"**{kind.group.title}**" in render_markdown([change], 2019, 2020)
    else:
        assert render_markdown([change], 2019, 2020) == "De vragenlijst van 2020 is gelijk aan die van 2019."


def test_kind_values_are_the_csv_values():
    change = Change(ChangeKind.OPTION_SPLIT, "q", "q", 3)
    frame = changes_frame([change])
    assert frame["kind"].tolist() == ["option_split"] and type(frame["kind"][0]) is str
    assert frame.to_csv(index=False).splitlines()[1].startswith("option_split,")


def test_every_option_and_item_change_has_exactly_one_kind():
    table = [(s, c) for s in get_args(Subject) for c in CategoryChange]
    assert len(table) == 2 * len(CategoryChange)
    kinds = [ChangeKind.of_category(s, c) for s, c in table]
    assert len(set(kinds)) == len(table)
    assert {k for k in ChangeKind if k.category} == set(kinds)
    assert all(k.group is ChangeGroup.ANSWERS for k in kinds)


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_no_other_module_spells_a_category_kind():
    """A kind spelled outside ``survey.lineage`` is the double bookkeeping the Enum removes."""
    category_kinds = {k.value for k in ChangeKind if k.category}
    spelled = {
        str(p.relative_to(SRC)): sorted(_string_constants(p) & category_kinds)
        for p in SRC.rglob("*.py")
        if p.name != "lineage.py"
    }
    assert {p: v for p, v in spelled.items() if v} == {}


def test_codebook_diff_spells_no_kind_and_builds_none_from_pieces():
    path = SRC / "year" / "codebook_diff.py"
    links = set(get_args(Link))  # how two questions are tied (a type-checked Literal), e.g. ``link == "same"``
    assert (_string_constants(path) - links) & {k.value for k in ChangeKind} == set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    suffixes = tuple(f"_{c.value}" for c in CategoryChange)
    built = [
        ast.unparse(n)
        for n in ast.walk(tree)
        if isinstance(n, ast.JoinedStr)
        and any(isinstance(v, ast.Constant) and str(v.value).endswith(suffixes) for v in n.values)
    ]
    assert built == []


def test_scaffold_strips_every_lineage_field():
    from helpers.year.scaffold import strip_category_lineage

    lines = [f"  - {{code: {i}, key: k{i}, {field}: {'[a, b]' if field == 'merged_from' else 'a'}}}\n"
             for i, field in enumerate(CATEGORY_LINEAGE_FIELDS)]  # fmt: skip
    text, removed = strip_category_lineage("".join(lines))
    assert removed == len(CATEGORY_LINEAGE_FIELDS)
    assert not any(field in text for field in CATEGORY_LINEAGE_FIELDS)


def test_synthetic_steps_are_checked_and_written_by_the_same_table_keys():
    step_types = set(get_args(get_args(Step)[0]))
    assert set(CHECKS) == set(STEPS) == step_types


def _options(*specs: dict) -> list:
    return Codebook.model_validate(
        {"year": 2019, "title": "T", "freeze_date": "2019-04-10", "fieldwork": ["2019-03-05", "2019-04-09"],
         "frame_year": 2018, "population_size": 10,
         "questions": [{"id": "m", "chapter": 2, "text": "Gemeente?", "type": "municipality", "export_name": "Q1",
                        "import_id": "QID1"},
                       {"id": "g", "chapter": 3, "text": "Groepen?", "type": "multi", "export_name": "Q2",
                        "import_id": "QID2", "options": list(specs)}]}
    ).question("g").options  # fmt: skip


def test_stale_key_rename_is_ignored_like_every_other_lineage_entry():
    """``renamed_from`` naming a key the previous edition does not have is an earlier change (copied forward):
    the same key is the same answer, as for ``split_from`` and in ``applied_lineage``."""
    before = _options({"code": 1, "key": "youth", "label": "Jongeren"}, {"code": 2, "key": "k2", "label": "Ouderen"})
    stale = _options(
        {"code": 1, "key": "youth", "label": "Jongeren", "renamed_from": "young_people"},
        {"code": 2, "key": "k2", "label": "Ouderen"},
    )
    assert category_changes("option", before, stale) == []
    applied = _options({"code": 1, "key": "youth2", "label": "Jongeren", "renamed_from": "youth"},
                       {"code": 2, "key": "k2", "label": "Ouderen"})  # fmt: skip
    assert category_changes("option", before, applied) == [(ChangeKind.OPTION_KEY_RENAMED, "youth", "youth2", 1)]


def test_scale_changes_and_the_diff_pair_questions_alike():
    old, new = (load_codebook(paths.codebook_path(y)) for y in (2019, 2020))
    linked = {(o.id, n.id) for o, n, link in question_pairs(old, new) if link not in ("added", "dropped")}
    assert {(s.old_question, s.question) for s in scale_changes(old, new)} <= linked
    assert ("workplace_coaching", "workplace_coaching_frequency") in linked


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"step": "split_option", "question": "additional_policy", "option": "yes", "combinations": [
            {"parts": ["yes"], "share": 1}]}, "split_option needs a multi question"),
        ({"step": "carry_over", "question": "policy_organisation", "from": "nope"},
         "step 1: question 'nope' is not in the 2019 codebook"),
        ({"step": "rescale", "question": "measures_offered", "from": "measures_offered", "map": {}},
         "rescale needs single questions"),
        ({"step": "answer_newly_asked", "question": "additional_policy", "ticks": {"yes": 0.5}},
         "a single question needs shares (and only those)"),
        ({"step": "move_answers", "question": "measures_offered", "from": "a", "to": "b", "share": 0.5},
         "move_answers needs a single question"),
        ({"step": "tick_more", "question": "additional_policy", "option": "yes", "share": 0.5},
         "tick_more needs a multi question"),
    ],
    ids=lambda v: v["step"] if isinstance(v, dict) else "",
)  # fmt: skip
def test_every_step_type_is_checked_through_the_table(step, message):
    from helpers.synth.spec import DerivedSpec
    from helpers.synth.steps_check import check_steps

    old, new = (load_codebook(paths.codebook_path(y)) for y in (2019, 2020))
    spec = DerivedSpec.model_validate({"seed": 1, "derive_from": 2019, "steps": [step]})
    with pytest.raises(ValueError, match="does not fit the codebooks") as err:
        check_steps(spec, new, old)
    assert message in str(err.value)
