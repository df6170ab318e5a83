"""The 2018 codebook, the published figures that refer to it, and the schema's error messages."""

from __future__ import annotations

import copy
import csv
import re

import pytest
import yaml

from helpers.paths import PUBLISHED_DIR, codebook_path
from helpers.survey.codebook import Codebook, CodebookError, Question, load_codebook
from helpers.survey.vocabulary import COUNT_MAXIMUM
from helpers.survey.yaml_files import MAX_DEPTH, YamlError, read_yaml

CSV_COLUMNS = [
    "year",
    "report_ref",
    "question",
    "category",
    "stat",
    "value",
    "n",
    "decimals",
    "status",
    "source",
    "note",
]
STATS = {"pct", "mean", "answers_mean", "count"}
STATUSES = {"check", "report_error"}
#: Categories of the municipality question (Tabel 1 and the response text): size classes of the
#: represented municipalities, the same for the whole frame, and the number of respondents.
SIZE_CLASSES = ["G4", "G40", "Middelgroot/klein", "Totaal"]
MUNICIPALITY_CATEGORIES = {*SIZE_CLASSES, *(f"{c} (alle gemeenten)" for c in SIZE_CLASSES), "Respondenten"}


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_codebook(codebook_path(2018))


def read_published(year: int) -> list[dict[str, str]]:
    path = PUBLISHED_DIR / f"monitor_{year}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == CSV_COLUMNS, f"{path.name}: columns {reader.fieldnames}"
        return list(reader)


def category_labels(q: Question) -> set[str]:
    """Every category a published number of ``q`` may name."""
    labels = {o.label for o in q.options} | {n.label for n in q.nets} | {it.label for it in q.items}
    if q.type == "multi" or (q.type in {"percent", "count"} and not q.items):
        labels.add("")
    if q.type == "municipality":
        labels |= MUNICIPALITY_CATEGORIES
    return labels


def check_category(codebook: Codebook, row: dict[str, str]) -> None:
    where = f"{row['year']} {row['report_ref'] or '-'} {row['question']} {row['category']!r}"
    assert row["question"] in codebook, f"{where}: unknown question"
    q = codebook.question(row["question"])
    assert row["category"] in category_labels(q), f"{where}: not an option, net or item label of {q.id}"
    if row["stat"] == "answers_mean":
        assert q.type == "multi" and row["category"] == "", (
            f"{where}: answers_mean needs a multi question and no category"
        )
    if row["stat"] == "mean":
        assert q.type in {"percent", "count"}, f"{where}: mean of a {q.type} question"
    if row["stat"] == "pct" and q.type in {"percent", "count"}:
        pytest.fail(f"{where}: a share of a {q.type} question")


# --- the 2018 codebook ------------------------------------------------------------------


def test_codebook_2018_validates(codebook):
    assert codebook.year == 2018
    assert codebook.synthetic is True
    assert codebook.frame_year == 2018
    assert codebook.population_size == 380
    assert codebook.freeze_date == "2018-04-10"
    assert codebook.fieldwork == ("2018-03-05", "2018-04-09")
    assert codebook.municipality_question.id == "municipalities"


def test_export_names_follow_questionnaire_order(codebook):
    questions = codebook.all_questions
    assert [q.export_name for q in questions] == [f"Q{i}" for i in range(1, len(questions) + 1)]
    assert [q.import_id for q in questions] == [f"QID{i}" for i in range(1, len(questions) + 1)]
    chapters = [q.chapter for q in questions]
    assert chapters == sorted(chapters), "questions are in chapter order"


def test_report_refs_are_printed_labels(codebook):
    pattern = re.compile(r"^(Figuur|Tabel|Tekst) \d+(\.\d+)?$")
    for q in codebook.all_questions:
        for ref in q.report_refs:
            assert pattern.match(ref), f"{q.id}: {ref!r}"
        if q.type in {"single", "multi"}:
            labels = [o.label for o in q.options] + [n.label for n in q.nets]
            assert len(labels) == len(set(labels)), f"{q.id}: duplicate option/net labels"


def test_multi_questions_are_well_formed(codebook):
    for q in codebook.all_questions:
        for o in q.options:
            assert not (o.exclusive and o.other_text), f"{q.id}: option {o.code} is both exclusive and open"
        if q.max_answers is not None:
            assert 1 <= q.max_answers < len(q.options)
    assert codebook.question("success_factors").max_answers == 3


def test_routing_of_2018(codebook):
    assert codebook.question("policy_other_groups").asked_if.codes == [1, 4]
    ja_or_developing = [codebook.question("additional_policy").option(c).label for c in (1, 4)]
    assert ja_or_developing == ["Ja", "Is in ontwikkeling"]
    routed = {q.id for q in codebook.all_questions if q.asked_if is not None}
    assert routed == {
        "policy_other_groups",
        "policy_other_groups_which",
        "couples_which_partner",
        "municipal_paid_jobs_count",
    }


# --- the published figures --------------------------------------------------------------


@pytest.mark.parametrize("year", [2016, 2017, 2018])
def test_published_rows_are_well_formed(year):
    rows = read_published(year)
    assert rows, f"monitor_{year}.csv is empty"
    for row in rows:
        assert int(row["year"]) == year
        assert row["stat"] in STATS, row
        assert row["status"] in STATUSES, row
        float(row["value"])
        assert int(row["decimals"]) >= 0
        if row["n"]:
            assert int(row["n"]) > 0
        assert row["source"].startswith("Monitor 2018"), row
        if row["stat"] == "pct":
            assert 0 <= float(row["value"]) <= 100, row
        if row["decimals"] == "0":
            assert float(row["value"]).is_integer(), row


def test_published_2018_maps_to_codebook(codebook):
    rows = read_published(2018)
    for row in rows:
        if row["status"] != "check":
            continue
        q = codebook.question(row["question"]) if row["question"] in codebook else None
        assert q is not None, f"{row['report_ref']}: unknown question {row['question']!r}"
        assert row["report_ref"] in q.report_refs, f"{row['report_ref']} is not a report_ref of {q.id}"
        check_category(codebook, row)
    # every figure and table of the codebook has at least one published number
    refs = {(r["question"], r["report_ref"]) for r in rows}
    for q in codebook.all_questions:
        for ref in q.report_refs:
            if q.type != "count":
                assert (q.id, ref) in refs, f"{q.id}: no published number for {ref}"


def test_published_2018_report_errors_are_documented(codebook):
    errors = [r for r in read_published(2018) if r["status"] == "report_error"]
    assert {(r["question"], r["value"]) for r in errors} >= {
        ("start_moment", "75"),
        ("integration_routes", "30"),
        ("municipalities", "337"),
    }
    for row in errors:
        check_category(codebook, row)
        assert row["note"], "a report_error row says what is wrong"


@pytest.mark.parametrize("year", [2016, 2017])
def test_earlier_years_map_to_codebook(codebook, year):
    for row in read_published(year):
        check_category(codebook, row)


def test_no_duplicate_published_numbers():
    for year in (2016, 2017, 2018):
        keys = [(r["report_ref"], r["question"], r["category"], r["stat"], r["status"]) for r in read_published(year)]
        dupes = {k for k in keys if keys.count(k) > 1}
        assert not dupes, f"{year}: {dupes}"


# --- the schema rejects bad codebooks ---------------------------------------------------

MINIMAL = {
    "year": 2018,
    "title": "test",
    "freeze_date": "2018-04-10",
    "fieldwork": ["2018-03-05", "2018-04-09"],
    "frame_year": 2018,
    "population_size": 380,
    "scales": {
        "agree": {
            "options": [{"code": 1, "key": "k1", "label": "Oneens"}, {"code": 2, "key": "k2", "label": "Eens"}],
            "nets": [{"key": "net25", "label": "Eens", "codes": [2]}],
        }
    },
    "questions": [
        {
            "id": "municipalities",
            "chapter": 2,
            "text": "Gemeente?",
            "type": "municipality",
            "export_name": "Q1",
            "import_id": "QID1",
        },
        {
            "id": "policy",
            "chapter": 3,
            "text": "Beleid?",
            "type": "single",
            "export_name": "Q2",
            "import_id": "QID2",
            "options": [{"code": 1, "key": "k1", "label": "Ja"}, {"code": 2, "key": "k2", "label": "Nee"}],
        },
        {
            "id": "measures",
            "chapter": 3,
            "text": "Aanbod?",
            "type": "multi",
            "export_name": "Q3",
            "import_id": "QID3",
            "asked_if": {"question": "policy", "in": [1]},
            "options": [
                {"code": 1, "key": "k1", "label": "Taal"},
                {"code": 2, "key": "k2", "label": "Geen", "exclusive": True},
            ],
        },
        {
            "id": "statement",
            "chapter": 3,
            "text": "Stelling",
            "type": "single",
            "scale": "agree",
            "export_name": "Q4",
            "import_id": "QID4",
        },
    ],
}


def write(tmp_path, data) -> str:
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def broken(mutate) -> dict:
    data = copy.deepcopy(MINIMAL)
    mutate(data)
    return data


def test_minimal_codebook_is_valid(tmp_path):
    cb = load_codebook(write(tmp_path, MINIMAL))
    assert [q.id for q in cb.all_questions] == ["municipalities", "policy", "measures", "statement"]
    assert [o.label for o in cb.question("statement").options] == ["Oneens", "Eens"]


def _dup_id(d):
    d["questions"][2]["id"] = "policy"


def _later(d):
    d["questions"][1]["asked_if"] = {"question": "measures", "selected": 1}


def _unknown_dep(d):
    d["questions"][2]["asked_if"] = {"any": [{"question": "policy", "in": [1]}, {"question": "nosuch", "in": [1]}]}


def _unknown_scale(d):
    d["questions"][3]["scale"] = "agree7"


def _exclusive_single(d):
    d["questions"][1]["options"][1]["exclusive"] = True


def _net_unknown_code(d):
    d["questions"][1]["nets"] = [{"key": "net33", "label": "Ja of anders", "codes": [1, 9]}]


def _no_municipality(d):
    del d["questions"][0]


def _two_municipality(d):
    d["questions"].append({**d["questions"][0], "id": "municipalities_again", "export_name": "Q9", "import_id": "QID9"})


def _dup_export(d):
    d["questions"][3]["export_name"] = "Q2"


def _extra_key(d):
    d["questions"][1]["options"][0]["lable"] = "Ja"


def _bad_ref(d):
    d["questions"][1]["report_refs"] = ["Figure 3.1"]


def _bad_id(d):
    d["questions"][1]["id"] = "Policy-1"


def _max_on_single(d):
    d["questions"][1]["max_answers"] = 2


def _options_on_percent(d):
    d["questions"][3] = {
        "id": "share",
        "chapter": 8,
        "text": "%",
        "type": "percent",
        "export_name": "Q4",
        "import_id": "QID4",
        "options": [{"code": 1, "key": "k1", "label": "x"}],
    }


def _duplicate_code(d):
    d["questions"][1]["options"][1]["code"] = 1


def _numeric(kind: str, **fields):
    def mutate(d):
        d["questions"][3] = {"id": "share", "chapter": 8, "text": "%", "type": kind, "export_name": "Q4",
                             "import_id": "QID4", **fields}  # fmt: skip

    return mutate


def _huge_code(d):
    d["questions"][1]["options"][1]["code"] = 10**20


def _range_on_single(d):
    d["questions"][1]["range"] = {"max": 5}


def _fieldwork_reversed(d):
    d["fieldwork"] = ["2018-04-09", "2018-03-05"]


def _fieldwork_missing_day(d):
    d["fieldwork"] = ["2018-02-30", "2018-04-09"]


def _fieldwork_format(d):
    d["fieldwork"] = ["5-3-2018", "2018-04-09"]


def _freeze_date(d):
    d["freeze_date"] = "2018-13-01"


@pytest.mark.parametrize(
    ("mutate", "line", "message"),
    [
        (_dup_id, 43, "Vraag-id 'policy' komt twee keer voor (eerst op regel 30)"),
        (_later, 43, "De routing (asked_if) van vraag 'policy' verwijst naar vraag 'measures', die later in de"),
        (_unknown_dep, 49, "De routing (asked_if) van vraag 'measures' verwijst naar een onbekende vraag 'nosuch'"),
        (_unknown_scale, 65, "Vraag 'statement' gebruikt een onbekende schaal. Gevonden: 'agree7'"),
        (_exclusive_single, 30, "questions[1] (id=policy): exclusieve opties bestaan alleen bij multi-vragen"),
        (_net_unknown_code, 30, "net 'Ja of anders' noemt onbekende codes [9]"),
        (_no_municipality, 23, "precies één vraag van type 'municipality' (de gemeentekeuze); gevonden: 0"),
        (_two_municipality, 23, "precies één vraag van type 'municipality' (de gemeentekeuze); gevonden: 2"),
        (_dup_export, 66, "export_name 'Q2' komt twee keer voor (eerst op regel 34)"),
        (_extra_key, 40, "questions[1] (id=policy).options[0].lable: onbekend veld (spelling?)"),
        (_bad_ref, 43, "report_ref 'Figure 3.1' moet beginnen met 'Figuur', 'Tabel' of 'Tekst'"),
        (_bad_id, 30, "questions[1] (id=Policy-1).id: voldoet niet aan het patroon. Gevonden: 'Policy-1'"),
        (_max_on_single, 30, "questions[1] (id=policy): max_answers geldt alleen voor multi-vragen"),
        (_options_on_percent, 61, "questions[3] (id=share): een percent-vraag heeft geen options"),
        (_duplicate_code, 30, "questions[1] (id=policy): dubbele optiecodes [1, 1]"),
        (_huge_code, 40, "code: te groot. Gevonden: '100000000000000000000'. Verwacht: hoogstens 2147483647"),
        (_numeric("percent", scale="promille"), 61, "'fraction' (0.1 = 10%), niet 'promille'"),
        (_numeric("percent", range={"min": 50, "max": 10}), 67, "range: min (50) is groter dan max (10)"),
        (_numeric("count", range={"min": 20000}), 61, "de ondergrens (20000) ligt boven de bovengrens (10000)"),
        (_numeric("count", range={"max": 9}, min_value=1), 61, "gebruik range: {min, max} of min_value/max_value"),
        (_range_on_single, 30, "range, min_value en max_value gelden alleen voor percent/count-vragen"),
        (_fieldwork_reversed, 4, "de eerste veldwerkdag (2018-04-09) ligt na de laatste (2018-03-05)"),
        (_fieldwork_missing_day, 4, "fieldwork: datum '2018-02-30' bestaat niet. Gevonden: '2018-02-30, 2018-04-09'"),
        (_fieldwork_format, 4, "fieldwork: datum '5-3-2018' is niet geschreven als JJJJ-MM-DD"),
        (_freeze_date, 3, "freeze_date: datum '2018-13-01' bestaat niet. Gevonden: '2018-13-01'"),
    ],
)
def test_schema_rejects_bad_codebooks(tmp_path, mutate, line, message):
    path = write(tmp_path, broken(mutate))
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    text = str(info.value)
    assert re.search(rf"regel {line}: .*{re.escape(message)}", text), text
    assert text.startswith(str(path)), "the message names the file"
    assert "Traceback" not in text and "Value error" not in text


def test_schema_lists_every_problem(tmp_path):
    def two_problems(d):
        d["questions"][1]["options"][0]["lable"] = "Ja"
        d["questions"][2]["max_answers"] = "drie"

    with pytest.raises(CodebookError) as info:
        load_codebook(write(tmp_path, broken(two_problems)))
    text = str(info.value)
    assert "2 fouten op 2 regels" in text
    assert "options[0].lable: onbekend veld" in text and "max_answers: geen geheel getal. Gevonden: 'drie'" in text


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text("questions: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"regel 2, kolom teken 3: Geen geldige YAML"):
        load_codebook(path)


# --- plausibility fields: range, percent scale, count maximum --------------------------------------


def test_value_ranges_and_percent_scales(tmp_path):
    data = copy.deepcopy(MINIMAL)
    numeric = {"chapter": 8, "text": "?", "items": [{"code": 1, "key": "k1", "label": "a"}]}
    data["questions"] += [
        {"id": "share", "type": "percent", "export_name": "Q5", "import_id": "QID5", **numeric},
        {"id": "frac", "type": "percent", "scale": "fraction", "export_name": "Q6", "import_id": "QID6", **numeric},
        {"id": "jobs", "type": "count", "export_name": "Q7", "import_id": "QID7", **numeric},
        {"id": "many", "type": "count", "range": {"max": 50000}, "export_name": "Q8", "import_id": "QID8", **numeric},
        {"id": "old", "type": "count", "min_value": 1, "export_name": "Q9", "import_id": "QID9", **numeric},
    ]
    cb = load_codebook(write(tmp_path, data))
    ranges = {q.id: (q.value_range, q.bounded_by_default, q.fractions) for q in cb.all_questions[4:]}
    assert ranges == {
        "share": ((0.0, 100.0), True, False),
        "frac": ((0.0, 100.0), True, True),  # bounds in percentages, also for an export of fractions
        "jobs": ((0.0, float(COUNT_MAXIMUM)), True, False),
        "many": ((0.0, 50000.0), False, False),
        "old": ((1.0, float(COUNT_MAXIMUM)), True, False),
    }
    assert cb.question("frac").options == [] and not cb.is_ordered("frac")  # a unit, not a shared scale


@pytest.mark.parametrize(("folder", "year", "ok"), [("2019", 2019, True), ("2019", 2018, False), ("cb", 2018, True)])
def test_codebook_year_must_match_its_folder(tmp_path, folder, year, ok):
    (tmp_path / folder).mkdir()
    path = write(tmp_path / folder, {**MINIMAL, "year": year})
    if ok:
        assert load_codebook(path).year == year
        return
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    (p,) = info.value.problems
    assert (p.kind, p.line, p.column, p.value) == ("codebook_year", 1, "year", "2018")
    assert p.message == "Het codebook staat in de map 2019 maar zegt year: 2018." and "make new-year" in p.action


def test_shipped_codebooks_say_their_folder_year():
    for year in (2018, 2019, 2020):
        assert load_codebook(codebook_path(year)).year == year


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('title: "Monitor\\0"\n', 1, "Stuurteken U+0000 (NUL) in title."),
        ('questions:\n  - {label: "a\\x01b"}\n', 2, "Stuurteken U+0001 in questions.0.label."),
        ("title: Mon\x00itor\n", 1, "Stuurteken U+0000 in het bestand; YAML staat dat niet toe."),
    ],
)
def test_control_characters_in_yaml_are_located(tmp_path, text, line, message):
    path = tmp_path / "notes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as info:
        read_yaml(path)
    (p,) = info.value.problems
    assert (p.kind, p.line, p.message) == ("yaml_control_character", line, message)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: " + "[" * 20000 + "]" * 20000 + "\n", 1),
        ("".join(" " * i + "k:\n" for i in range(20000)), MAX_DEPTH + 1),
    ],
)
def test_runaway_nesting_is_refused_with_its_line(tmp_path, text, line):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as info:
        read_yaml(path)
    (p,) = info.value.problems
    assert (p.kind, p.line, p.expected) == ("yaml_too_deep", line, f"hoogstens {MAX_DEPTH} niveaus")


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("[" * (MAX_DEPTH) + "]" * (MAX_DEPTH) + "\n", encoding="utf-8")
    assert read_yaml(path) is not None


#: Longer than this, a question's text is too long for a caption or a chart label: the codebook gives ``short``.
CAPTION_LENGTH = 100


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_every_long_question_has_a_short_title_for_captions_and_charts(year):
    cb = load_codebook(codebook_path(year))
    long = [q.id for q in cb.all_questions if q.type != "municipality" and len(q.title) > CAPTION_LENGTH]
    assert long == [], f"{year}: geef deze vragen een 'short' in codebook.yaml"


def test_a_codebook_is_parsed_once_per_content_and_read_again_when_it_changes(tmp_path):
    path = tmp_path / "2018" / "codebook.yaml"
    path.parent.mkdir()
    source = codebook_path(2018).read_text(encoding="utf-8")
    path.write_text(source, encoding="utf-8")
    first = load_codebook(path)
    assert load_codebook(path) is first
    path.write_text(source.replace("freeze_date:", "# a comment\nfreeze_date:", 1), encoding="utf-8")
    assert load_codebook(path) is not first and load_codebook(path) == first
    path.write_text(source + "\nunknown_top_level_key: 1\n", encoding="utf-8")
    for _ in range(2):  # a bad file is refused every time, never served from memory
        with pytest.raises(CodebookError):
            load_codebook(path)
