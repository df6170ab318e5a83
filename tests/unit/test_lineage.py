"""Questions and categories followed across editions: comparable, replaced, dropped, split, merged, renamed."""

from __future__ import annotations

import copy

import pytest
from analysis_fixtures import CODEBOOK

from helpers.survey.codebook import Codebook
from helpers.survey.lineage import (
    QuestionHistory,
    UnknownReference,
    category_keys,
    current_keys,
    forward_keys,
    label_map,
    linked_ids,
)


def edition(year: int, change=None) -> Codebook:
    """The fixture codebook as edition ``year``, optionally changed by ``change(raw)``."""
    raw = copy.deepcopy(CODEBOOK)
    raw["year"] = year
    for q in raw["questions"]:
        q.pop("comparable_with", None)
    if change:
        change(raw)
    return Codebook.model_validate(raw)


def _q(raw, qid):
    return next(q for q in raw["questions"] if q["id"] == qid)


def reword(raw, old="instruments", new="instruments_2020", how="comparable_with"):
    q = _q(raw, old)
    q["id"], q[how] = new, [old]
    q["text"] = "Welke instrumenten gebruikt uw gemeente?"


def drop(raw, qid="route_share"):
    raw["questions"] = [q for q in raw["questions"] if q["id"] != qid]


def split_work(raw):
    """Instruments' option k2 (Werkervaringsplek) split into two parts."""
    opts = _q(raw, "instruments")["options"]
    opts[1] = {"code": 2, "key": "paid_placement", "label": "Betaalde werkervaringsplek", "split_from": "k2"}
    opts.insert(2, {"code": 6, "key": "unpaid_placement", "label": "Onbetaalde werkervaringsplek", "split_from": "k2"})


def merge_language(raw):
    """Options k1 (Taalcursus) and k3 (Jobcoach) merged into one."""
    opts = _q(raw, "instruments")["options"]
    opts[0] = {"code": 7, "key": "support", "label": "Taal of coach", "merged_from": ["k1", "k3"]}
    del opts[2]


def test_linked_ids_apply_to_a_year():
    q = edition(2019, lambda r: _q(r, "instruments").update(comparable_with=["2017:a", "b"])).question("instruments")
    assert linked_ids(q, 2017) == {"a", "b"} and linked_ids(q, 2018) == {"b"}


def test_resolve_asked_comparable_replaced_dropped_and_unknown():
    history = QuestionHistory(
        {2018: edition(2018), 2019: edition(2019, reword), 2020: edition(2020, lambda r: (reword(r), drop(r)))}
    )
    assert history.resolve("additional_policy", 2020).status == "asked"
    res = history.resolve("instruments", 2020)
    assert (res.status, res.question.id, res.usable) == ("comparable", "instruments_2020", True)
    gone = history.resolve("route_share", 2020)
    assert (gone.status, gone.question, gone.previous.id, gone.usable) == ("dropped", None, "route_share", False)
    replaced = QuestionHistory({2018: edition(2018), 2019: edition(2019, lambda r: reword(r, how="replaces"))})
    res = replaced.resolve("instruments", 2019)
    assert (res.status, res.question.id, res.usable) == ("replaced", "instruments_2020", False)
    with pytest.raises(UnknownReference, match="staat in geen enkel codeboek"):
        history.resolve("instrumentz", 2020)


def test_versions_follow_links_and_flag_a_break():
    comparable = QuestionHistory({2018: edition(2018), 2019: edition(2019, reword)})
    q = comparable.codebooks[2019].question("instruments_2020")
    assert {y: (v.id, brk) for y, (v, brk) in comparable.versions(q, 2019).items()} == {
        2018: ("instruments", False),
        2019: ("instruments_2020", False),
    }
    replaced = QuestionHistory({2018: edition(2018), 2019: edition(2019, lambda r: reword(r, how="replaces"))})
    q = replaced.codebooks[2019].question("instruments_2020")
    assert replaced.versions(q, 2019)[2018][1] is True
    assert replaced.predecessor_ids(q, 2019) == {"instruments_2020": False, "instruments": True}


def test_a_split_category_continues_as_its_parts_both_ways():
    history = QuestionHistory({2018: edition(2018), 2019: edition(2019, split_work)})
    old, new = history.codebooks[2018].question("instruments"), history.codebooks[2019].question("instruments")
    assert forward_keys(old, new, {"k2"}) == {"paid_placement", "unpaid_placement"}
    assert current_keys(history, new, 2019, "k2") == {"paid_placement", "unpaid_placement"}
    assert category_keys(new, old, {"paid_placement", "unpaid_placement"}) == {"k2"}
    assert category_keys(new, old, {"paid_placement"}) is None  # one part alone has no earlier series
    assert current_keys(history, new, 2019, "k1") == {"k1"}


def test_a_merged_category_continues_the_sum_but_its_parts_end():
    history = QuestionHistory({2018: edition(2018), 2019: edition(2019, merge_language)})
    old, new = history.codebooks[2018].question("instruments"), history.codebooks[2019].question("instruments")
    assert category_keys(new, old, {"support"}) == {"k1", "k3"}
    assert current_keys(history, new, 2019, "k1") is None
    with pytest.raises(UnknownReference, match="in geen enkel jaar"):
        current_keys(history, new, 2019, "nonsense")


def test_a_renamed_key_and_a_reworded_label():
    def rename(raw):
        _q(raw, "instruments")["options"][2].update(key="job_coach", label="Jobcoaching", renamed_from="k3")

    history = QuestionHistory({2018: edition(2018), 2019: edition(2019, rename)})
    old, new = history.codebooks[2018].question("instruments"), history.codebooks[2019].question("instruments")
    assert current_keys(history, new, 2019, "k3") == {"job_coach"}
    assert category_keys(new, old, {"job_coach"}) == {"k3"}
    assert label_map(old, edition(2019).question("instruments"))["Jobcoach"] == "Jobcoach"
    reworded = edition(2019, lambda r: _q(r, "instruments")["options"][0].update(label="Taallessen"))
    assert label_map(old, reworded.question("instruments"))["Taalcursus"] == "Taallessen"


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="dubbele keys"):
        edition(2018, lambda r: _q(r, "instruments")["options"][1].update(key="k1"))
