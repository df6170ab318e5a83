"""Like with like between editions: routing, printed rounding, the same municipalities, per-row years."""

from __future__ import annotations

import copy
import math
import re

import pandas as pd
import pytest
from analysis_fixtures import CODEBOOK, make_municipalities
from shipped import changes as shipped_changes

from helpers.analysis.comparisons import MARGIN_DECIMALS, Z, share_change
from helpers.analysis.edition_changes import AMONG_ASKED_IN_BOTH, ShareChange, compared_change
from helpers.analysis.panel import NotComparable, asked_in_both, continuing_codes, panel_change, translate
from helpers.publish.registers.compare import changes_frame, changes_markdown, changes_page, mix_sentence
from helpers.report.phrases import change_phrase
from helpers.survey.codebook import AnswerIn, Codebook
from helpers.survey.formatting import fmt_pct, round_half_up
from helpers.survey.lineage import QuestionHistory


@pytest.fixture(scope="module")
def changes_2020() -> list[ShareChange]:
    return shipped_changes(2020, since=2019)


@pytest.fixture(scope="module")
def changes_2019() -> list[ShareChange]:
    return shipped_changes(2019, since=2018)


def _edition(year: int, routed: bool = True, options: list | None = None) -> Codebook:
    raw = copy.deepcopy(CODEBOOK)
    raw["year"] = year
    for q in raw["questions"]:
        if q["id"] == "policy_other_groups" and not routed:
            q.pop("asked_if")
        if q["id"] == "additional_policy" and options is not None:
            q["options"] = options
    return Codebook.model_validate(raw)


def _everyone_asked(df: pd.DataFrame) -> pd.DataFrame:
    """The fixture's answers with the routing of ``policy_other_groups`` removed: those not asked answered "Nee"."""
    out = df.copy()
    fill = ~out["additional_policy"].isin(["Ja", "In ontwikkeling"])
    out["policy_other_groups"] = out["policy_other_groups"].astype("object").where(~fill, "Nee")
    out["policy_other_groups__status"] = out["policy_other_groups__status"].where(~fill, "beantwoord")
    return out


def test_a_routing_change_compares_only_the_municipalities_asked_in_both():
    df18 = make_municipalities()
    df19 = _everyone_asked(df18)
    history = QuestionHistory({2018: _edition(2018), 2019: _edition(2019, routed=False)})
    q19 = history.codebooks[2019].question("policy_other_groups")
    q18 = history.codebooks[2018].question("policy_other_groups")
    common = asked_in_both(history, (2018, q18, df18), (2019, q19, df19))
    routed = df19["additional_policy"].isin(["Ja", "In ontwikkeling"])
    assert common.restricted and common.after.tolist() == routed.tolist()
    assert "alle gemeenten" in common.routing_after and "‘Ja’ of ‘In ontwikkeling’" in common.routing_before
    found = compared_change(history, q19, 2019, 2018, {2018: df18, 2019: df19}, "k1")
    asked = df18["policy_other_groups__status"] == "beantwoord"
    expected = 100 * (df18.loc[asked, "policy_other_groups"] == "Ja").mean()
    assert found.change.before == pytest.approx(expected) and found.change.after == pytest.approx(expected)
    assert found.change.direction == "same" and found.change.among == AMONG_ASKED_IN_BOTH and found.routing
    everyone = 100 * (df19["policy_other_groups"] == "Ja").mean()
    assert everyone < expected - 1, "without the rule the share would have 'fallen'"
    # unchanged routing: no restriction, no words
    same = QuestionHistory({2018: _edition(2018), 2019: _edition(2019)})
    plain = compared_change(same, q18, 2019, 2018, {2018: df18, 2019: df18}, "k1")
    assert plain.routing == "" and plain.change.among == ""


def test_a_routing_that_cannot_be_evaluated_in_the_other_edition_is_not_comparable():
    options = [{"code": 1, "key": "k1", "label": "Ja"}, {"code": 2, "key": "k2", "label": "Nee"}]
    history = QuestionHistory({2018: _edition(2018), 2019: _edition(2019, options=options)})
    cond = AnswerIn(question="additional_policy", **{"in": [1, 3]})
    with pytest.raises(NotComparable, match=r"‘In ontwikkeling’ .* bestaat niet in 2019"):
        translate(cond, history, 2018, 2019)


def test_shipped_2020_routing_change_is_no_longer_a_fall(changes_2020):
    changes = [c for c in changes_2020 if c.question.id == "policy_other_groups"]
    assert changes and all(c.routing and not c.not_comparable for c in changes)
    yes = next(c for c in changes if c.key == "yes")
    assert yes.change.n_after == yes.change.n_before == 201, "2020 restricted to 2019's routing"
    assert yes.change.direction not in ("up", "down")
    frame = changes_frame(changes)
    assert frame["vergeleken_groep"].str.contains("beperkt tot").all()
    # the children of a re-routed question are restricted too (their routing rests on it)
    which = [c for c in changes_2020 if c.question.id == "policy_other_groups_which"]
    assert which and all(c.routing for c in which)


def test_merged_municipalities_leave_the_panel_unchanged_ones_keep_it():
    mapping = continuing_codes(2018, 2019)
    assert mapping is not None and mapping["GM0003"] == "GM0003"
    assert "GM0005" not in mapping and "GM0014" not in mapping  # Bedum merged; Groningen absorbed Haren, Ten Boer
    assert continuing_codes(2019, 2019) is None


def _one_question_frame(codes: list[str], answers: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gemeentecode": codes,
            "additional_policy": answers,
            "additional_policy__status": ["beantwoord"] * len(codes),
        }
    )


def test_panel_change_uses_paired_answers_of_the_same_municipalities():
    q = _edition(2019).question("additional_policy")
    d0 = _one_question_frame(["GM1", "GM2", "GM3", "GM4", "GM9"], ["Ja", "Nee", "Nee", "Ja", "Ja"])
    d1 = _one_question_frame(["GM1", "GM2", "GM3", "GM4", "GM8"], ["Ja", "Ja", "Ja", "Nee", "Nee"])
    found = panel_change((2018, q, d0, {1}), (2019, q, d1, {1}), None, 100)
    assert found is not None and found.n == 4
    assert found.change.before == pytest.approx(50) and found.change.after == pytest.approx(75)
    diffs = pd.Series([0.0, 1.0, 1.0, -1.0])
    se = math.sqrt(diffs.var(ddof=1) / 4 * (1 - 4 / 100))
    assert found.change.margin == pytest.approx(100 * Z * se)
    renamed = panel_change((2018, q, d0, {1}), (2019, q, d1, {1}), {"GM1": "GM1", "GM9": "GM8"}, 100)
    assert renamed is not None and renamed.n == 2  # only mapped codes take part


@pytest.mark.parametrize("before", [x / 10 for x in range(0, 1000, 37)])
def test_the_printed_interval_never_contradicts_the_verdict(before):
    for after in (before + d / 10 for d in range(-90, 91, 7)):
        if not 0 <= after <= 100:
            continue
        c = share_change((2019, before, 120, 355), (2020, after, 130, 355))
        assert c.shown_difference == round_half_up(after) - round_half_up(before)
        assert c.shown_margin == round_half_up(c.margin, MARGIN_DECIMALS)
        excludes_zero = c.shown_lower > 0 or c.shown_upper < 0
        assert excludes_zero == (c.direction in ("up", "down")), (before, after, c)
        assert (c.direction == "same") == (fmt_pct(before) == fmt_pct(after))


def test_each_earlier_value_carries_its_own_year():
    changes = shipped_changes(2018)
    md = changes_markdown(changes, 2018)
    mixed = [c for c in changes if len({x.change.year_before for x in changes if x.question == c.question}) > 1]
    assert mixed, "2018 compares some answers with 2016 and others with 2017"
    for c in mixed:
        row = next(line for line in md.splitlines() if line.startswith(f"| {c.category} |"))
        assert f"({c.change.year_before})" in row.split("|")[2]
    page = changes_page(changes, 2018, "Monitor 2018")
    assert "Eerder (jaar)" in page


def test_a_different_mix_of_respondents_is_named(changes_2019):
    changes = changes_2019
    mixed = [c for c in changes if c.mix_effect]
    assert mixed, "the shipped 2018 and 2019 answers have changes that the same municipalities do not show"
    for c in mixed:
        assert c.panel is not None and c.panel.n < c.change.n_after
        assert "andere samenstelling" in mix_sentence(c, 2019)
    page = changes_page(changes, 2019, "Monitor 2019")
    assert "Andere samenstelling van de respons" in page and page.count("andere samenstelling") >= len(mixed)
    frame = changes_frame(changes)
    assert int(frame["andere_samenstelling"].sum()) == len(mixed)
    assert frame["panel_n"].notna().all()


def test_restricted_changes_say_among_whom():
    c = share_change((2019, 44.3, 201, 355), (2020, 44.3, 201, 355))
    from dataclasses import replace

    text = change_phrase(replace(c, among=AMONG_ASKED_IN_BOTH), lambda v, d=None: fmt_pct(v, d or 0))
    assert text == f"bleef gelijk (44% in 2019 en in 2020, {AMONG_ASKED_IN_BOTH})"


def test_not_comparable_rows_print_no_verdict(changes_2020):
    c = changes_2020[0]
    from dataclasses import replace

    gone: ShareChange = replace(c, not_comparable="de vraag is in 2019 aan een andere groep gemeenten gesteld")
    md = changes_markdown([gone], 2020)
    assert "niet vergelijkbaar" in md and "Niet vergelijkbaar: de vraag is in 2019" in md
    assert not re.search(r"\*\*(steeg|daalde)\*\*", md)
    assert changes_frame([gone])["richting"].tolist() == ["not_comparable"]


def test_a_scale_change_is_announced_as_such_with_both_scales():
    from helpers import paths
    from helpers.report.chapter import gone_text
    from helpers.survey.codebook import load_codebook

    history = QuestionHistory({y: load_codebook(paths.codebook_path(y)) for y in (2019, 2020)})
    text = gone_text(history.resolve("workplace_coaching", 2020))
    assert "de antwoordschaal veranderde van 2 naar 4 punten" in text
    assert "(‘Ja / Nee’ → ‘Nooit / Soms / Meestal / Altijd’)" in text
    assert "vervangen door een vraag" not in text


def test_the_same_municipalities_verdict_has_its_own_column_bold_beyond_noise(changes_2019):
    moved = next(c for c in changes_2019 if c.panel is not None and c.panel.change.direction in ("up", "down"))
    still = next(c for c in changes_2019 if c.panel is not None and c.panel.change.direction not in ("up", "down"))
    md = changes_markdown([moved, still], 2019)
    rows = [line for line in md.splitlines() if line.startswith("| ") and not line.startswith("| Antwoord")]
    head = next(line for line in md.splitlines() if line.startswith("| Antwoord"))
    assert head.count("|") == 8 and head.rstrip(" |").endswith("Oordeel zelfde gemeenten")
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    assert cells[0][-1].startswith("**") and cells[0][-1].strip("*") in ("steeg", "daalde")
    assert not cells[1][-1].startswith("**") and " tot " in cells[1][-2] and " tot " not in cells[1][-1]
    page = changes_page([moved, still], 2019, "Monitor 2019")
    assert page.count('<th scope="col">') == 2 * 8
