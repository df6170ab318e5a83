"""The synthetic 2019 example year: reproducible export, loads on the 2019 frame, labelled synthetic."""

from __future__ import annotations

import csv
import hashlib
import io

import pandas as pd
import pytest
from shipped import processed

from helpers import paths
from helpers.load.export import load_export
from helpers.load.problems import RawDataError
from helpers.survey.codebook import load_codebook
from helpers.survey.export_layout import BOM
from helpers.survey.frame import read_frame
from helpers.synth.generate import make_example_export, published_path, targets_for
from helpers.synth.spec import load_spec
from helpers.synth.targets import read_published


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow  # generates the export twice
def test_regenerated_2019_export_is_byte_identical(tmp_path):
    first = make_example_export(2019, tmp_path / "a.csv")
    second = make_example_export(2019, tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    assert _digest(first) == _digest(paths.export_path(2019)), (
        "shipped export differs: run `make example-data YEAR=2019`"
    )


@pytest.fixture(scope="module")
def loaded():
    return processed(2019)


def test_2019_export_loads_on_the_2019_frame(loaded):
    report = loaded.report
    assert (report.rows_read, report.rows_kept, report.rows_dropped) == (170, 165, 5)
    assert report.frame_size == 355 and report.municipalities == 272
    muni = loaded.municipalities
    frame = read_frame(paths.frame_path(2019))
    assert set(muni["gemeentecode"]) <= set(frame["gemeentecode"])
    assert muni["grootteklasse"].value_counts().to_dict() == {"G4": 4, "G40": 38, "Middelgroot/klein": 230}
    assert {"GM1966", "GM1969", "GM0014"} & set(muni["gemeentecode"])  # 2019 codes (merged municipalities)
    assert "funding_change__status" not in muni.columns
    assert {"integration_law_preparation", "regional_cooperation", "measures_offered__19"} <= set(muni.columns)


def test_2019_answers_follow_the_2018_targets(loaded):
    from helpers.analysis.frequencies import question_indicators

    cb = load_codebook(paths.codebook_path(2019))
    ind = question_indicators(loaded.municipalities, cb.question("additional_policy")).set_index(["category", "stat"])
    for label, printed in {"Ja": 60, "Nee": 25, "Is in ontwikkeling": 14}.items():  # Figuur 3.1 of 2018
        assert abs(ind.loc[(label, "pct"), "value"] - printed) <= 1.5
    renamed = "Matchingsevents waar werkgevers en statushouders elkaar ontmoeten"
    ind = question_indicators(loaded.municipalities, cb.question("measures_offered")).set_index(["category", "stat"])
    assert (renamed, "pct") in ind.index and ind.loc[("", "answers_mean"), "value"] > 0
    explained = loaded.municipalities["integral_approach_explanation__status"]
    not_asked = loaded.municipalities["integral_approach"].isin(["Neutraal", "Oneens", "Helemaal oneens"])
    assert (explained[not_asked] == "niet gevraagd").all()  # the 2019 routing


def test_carried_targets_follow_codes_and_drop_bases():
    cb19 = load_codebook(paths.codebook_path(2019))
    spec = load_spec(paths.raw_year_dir(2019) / "synthetic_spec.yaml")
    assert spec.targets_from == 2018
    targets = targets_for(cb19, spec)
    assert set(targets["year"]) == {2019} and targets["n"].isna().all()
    assert "funding_change" not in set(targets["question"]) and "municipalities" not in set(targets["question"])
    measures = targets[targets["question"] == "measures_offered"]
    assert "Matchingsevents waar werkgevers en statushouders elkaar ontmoeten" in set(measures["category"])
    assert "answers_mean" not in set(measures["stat"])  # an option was added
    assert "answers_mean" in set(targets.loc[targets["question"] == "employer_support", "stat"])
    assert len(targets) < len(read_published(published_path(2018), 2018))


def test_nothing_published_for_2019():
    assert not published_path(2019).exists(), "there is no published 2019 report"


def test_2019_data_is_labelled_synthetic():
    text = (paths.raw_year_dir(2019) / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text and "no published 2019" in text
    assert load_codebook(paths.codebook_path(2019)).synthetic


def test_a_2018_code_merged_away_is_explained(tmp_path):
    """A 2019 export that still has a column of a 2018 municipality (Winsum) is refused with the merger."""
    text = paths.export_path(2019).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    at = max(i for i, name in enumerate(rows[0]) if name.startswith("Q1_")) + 1
    extra = {0: "Q1_53", 1: "Voor welke gemeente(n) vult u deze vragenlijst in? - Winsum", 2: '{"ImportId":"QID1_53"}'}
    for i, row in enumerate(rows):
        row.insert(at, extra.get(i, "1" if i == 3 else "0"))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "export.csv"
    path.write_bytes(BOM + out.getvalue().encode("utf-8"))
    with pytest.raises(RawDataError) as err:
        load_export(
            path,
            paths.codebook_path(2019),
            paths.frame_path(2019),
            paths.REFERENCE_DIR / "herindelingen_2019.csv",
        )
    message = str(err.value)
    assert "GM0053 (Winsum) bestaat niet meer per 1-1-2019" in message
    assert "GM1966 Het Hogeland (88%), GM1969 Westerkwartier (12%)" in message


def test_processed_2019_is_readable_by_pandas(loaded):
    assert isinstance(loaded.respondents, pd.DataFrame) and len(loaded.respondents) == 165
