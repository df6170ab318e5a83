"""Happy path of the loader: dtypes, statuses, explode, dropped rows, read-only raw data."""

from __future__ import annotations

import hashlib
import json
import os
import stat

import pandas as pd
import pytest
from fixtures_export import make_codebook, make_frame, respondent, rows_frame, write_codebook, write_rows

from helpers.cli import main as cli_main
from helpers.load.export import build_processed, load_export
from helpers.load.problems import Problem, RawDataError, write_problems
from helpers.load.schema import municipalities_schema, respondents_schema
from helpers.survey.codebook import AllOf, AnswerIn, AnyOf, Selected
from helpers.survey.export_layout import BOM, METADATA_NAMES, header_cells, municipality_numbers, write_export
from helpers.survey.routing import evaluate_condition
from helpers.survey.vocabulary import STATUSES

SKIPPED_ALL = {
    "Q2": "1",
    "Q3_1": "0",
    "Q3_2": "0",
    "Q3_3": "0",
    "Q3_4": "0",
    "Q3_5": "0",
    "Q4": "2",
    "Q5_1": "40",
    "Q5_2": "-99",
    "Q5_3": "60",
    "Q8": "-99",
}
NO_POLICY = {
    "Q2": "2",
    "Q4": "-99",
    "Q5_1": "-99",
    "Q5_2": "-99",
    "Q5_3": "-99",
    "Q7": 'Geen beleid, "nog" niet;\nvolgend jaar wél',
    "Q8": "3",
    "Q8_3_TEXT": "Coördinator",
}


def sample_rows() -> list[dict[str, str]]:
    """Lines: 4 R1, 5–6 R2 (open answer with a newline), 7 preview, 8 incomplete, 9 R5."""
    return [
        respondent("R_000000000000001", [14, 5, 9]),
        respondent("R_000000000000002", [363], NO_POLICY),
        respondent("R_000000000000003", [344], Status="1", DistributionChannel="preview"),
        respondent("R_000000000000004", [772], {"Q2": "1"}, Finished="0", Progress="35"),
        respondent("R_000000000000005", [344, 3], SKIPPED_ALL),
    ]


@pytest.fixture
def loaded(tmp_path, codebook, frame):
    path = write_rows(tmp_path / "export.csv", codebook, frame, sample_rows())
    return load_export(path, codebook, frame)


# --- export format -----------------------------------------------------------------------


def test_export_layout(tmp_path, codebook, frame):
    path = write_rows(tmp_path / "export.csv", codebook, frame, sample_rows())
    data = path.read_bytes()
    assert data.startswith(BOM + b"StartDate,EndDate,Status,")
    assert data.count(b"\r\n") == 3 + 5  # LF inside the quoted open answer is not a record end
    lines = data[len(BOM) :].decode("utf-8").split("\r\n")
    assert lines[0].split(",")[:17] == list(METADATA_NAMES)
    assert '"{""ImportId"":""startDate"",""timeZone"":""Europe/Amsterdam""}"' in lines[2]
    assert '"{""ImportId"":""QID1_14""}"' in lines[2]
    assert "Voor welke gemeente(n) vult u deze vragenlijst in? - Groningen" in lines[1]
    assert "Op welke groepen richt het beleid zich? - Selected Choice - Jongeren" in lines[1]
    assert "Op welke groepen richt het beleid zich? - Anders, namelijk - Text" in lines[1]
    questions = header_cells(codebook, frame)[len(METADATA_NAMES) :]
    assert [c.name for c in questions][:3] == ["Q1_3", "Q1_5", "Q1_9"]
    assert [c.import_id for c in questions][-3:] == ["QID7_TEXT", "QID8", "QID8_3_TEXT"]


def test_write_is_deterministic(tmp_path, codebook, frame):
    a = write_rows(tmp_path / "a.csv", codebook, frame, sample_rows())
    b = write_rows(tmp_path / "b.csv", codebook, frame, sample_rows())
    assert a.read_bytes() == b.read_bytes()


def test_write_rejects_wrong_columns_and_non_strings(tmp_path, codebook, frame):
    rows = rows_frame(codebook, frame, sample_rows())
    with pytest.raises(ValueError, match="missing"):
        write_export(tmp_path / "x.csv", rows.drop(columns="Q2"), codebook, frame)
    rows["Q2"] = 1
    with pytest.raises(TypeError, match="Q2"):
        write_export(tmp_path / "x.csv", rows, codebook, frame)
    numbers = municipality_numbers(frame)
    columns = sum(len(q.export_columns(numbers)) for q in codebook.all_questions)
    assert len(header_cells(codebook, frame)) == 17 + columns


# --- load ----------------------------------------------------------------------------------


def test_rows_kept_and_dropped_with_lines(loaded):
    report = loaded.report
    assert (report.rows_read, report.rows_kept, report.rows_dropped) == (5, 3, 2)
    assert [(d["line"], d["response_id"], d["reason"]) for d in report.dropped] == [
        (7, "R_000000000000003", "preview"),
        (8, "R_000000000000004", "onvolledig"),
    ]
    assert report.dropped[1]["progress"] == 35.0
    assert list(loaded.respondents["line"]) == [4, 5, 9]
    assert [w.kind for w in report.warnings] == ["incomplete_municipalities"]
    assert "GM0772" in report.warnings[0].message
    assert report.respondent_level_questions == ["job_title"]


def test_respondent_dtypes(loaded, codebook):
    df = loaded.respondents
    respondents_schema(codebook).validate(df)
    assert list(df.columns[:5]) == ["respondent_id", "line", "recorded_date", "n_municipalities", "gemeentecodes"]
    assert df["respondent_id"].dtype == "string"
    assert df["cooperation"].dtype == pd.CategoricalDtype(
        ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"], ordered=True
    )
    assert df["additional_policy"].dtype == pd.CategoricalDtype(["Ja", "Nee", "Weet niet"], ordered=False)
    assert df["target_groups__1"].dtype == "boolean"
    assert df["outflow__2"].dtype == "Float64"
    assert df["remarks"].dtype == "string"
    assert df["remarks__status"].dtype == pd.CategoricalDtype(STATUSES)
    assert pd.api.types.is_datetime64_any_dtype(df["recorded_date"])
    assert list(df["gemeentecodes"]) == ["GM0005,GM0009,GM0014", "GM0363", "GM0003,GM0344"]
    assert list(df["n_municipalities"]) == [3, 1, 2]


def test_statuses_and_sentinels(loaded):
    df = loaded.respondents.set_index("respondent_id")
    r1, r2, r5 = "R_000000000000001", "R_000000000000002", "R_000000000000005"
    assert df.loc[r1, "target_groups__status"] == "beantwoord"
    assert df.loc[r2, "target_groups__status"] == "niet gevraagd"
    assert df.loc[r5, "target_groups__status"] == "geen antwoord"  # all 0 = seen, unanswered
    assert bool(df.loc[r1, "target_groups__1"]) is True
    assert pd.isna(df.loc[r5, "target_groups__1"]) and pd.isna(df.loc[r2, "target_groups__1"])
    assert df.loc[r1, "target_groups__4__text"] == "Statushouders 50+"
    assert df.loc[r2, "cooperation__status"] == "geen antwoord" and pd.isna(df.loc[r2, "cooperation"])
    assert df.loc[r2, "outflow__status"] == "geen antwoord"
    assert df.loc[r5, "outflow__status"] == "beantwoord"
    assert pd.isna(df.loc[r5, "outflow__2"]) and df.loc[r5, "outflow__1"] == 40.0
    assert df.loc[r1, "youth_fte"] == 3.0
    assert df.loc[r5, "youth_fte__status"] == "niet gevraagd"  # Q3_1 not ticked
    assert df.loc[r2, "remarks"] == 'Geen beleid, "nog" niet;\nvolgend jaar wél'
    assert df.loc[r1, "remarks__status"] == "niet gevraagd"
    assert df.loc[r5, "remarks__status"] == "geen antwoord"  # asked (Oneens), text left empty
    assert df.loc[r2, "job_title"] == "Anders, namelijk" and df.loc[r2, "job_title__3__text"] == "Coördinator"


def test_explode_to_municipalities(loaded, codebook, frame):
    m = loaded.municipalities
    municipalities_schema(codebook, frame).validate(m)
    assert list(m["gemeentecode"]) == ["GM0003", "GM0005", "GM0009", "GM0014", "GM0344", "GM0363"]
    assert list(m.columns[:6]) == [
        "gemeentecode",
        "gemeentenaam",
        "provincie",
        "inwoners",
        "grootteklasse",
        "respondent_id",
    ]
    assert m["grootteklasse"].dtype == pd.CategoricalDtype(["G4", "G40", "Middelgroot/klein"], ordered=True)
    groningen = m.set_index("gemeentecode").loc["GM0014"]
    assert groningen["respondent_id"] == "R_000000000000001" and groningen["cooperation"] == "Eens"
    # level: respondent questions are copied to every municipality of the respondent
    assert set(m.loc[m["respondent_id"] == "R_000000000000001", "job_title"]) == {"Beleidsmedewerker"}
    assert loaded.report.municipalities == 6


def test_bom_absent_loads_the_same(tmp_path, codebook, frame, loaded):
    path = write_rows(tmp_path / "export2.csv", codebook, frame, sample_rows())
    path.write_bytes(path.read_bytes()[len(BOM) :])
    result = load_export(path, codebook, frame)
    assert result.report.bom is False and loaded.report.bom is True
    pd.testing.assert_frame_equal(result.respondents, loaded.respondents)


def test_ignored_and_renamed_columns_warn(tmp_path, codebook, frame):
    from fixtures_export import add_column, table, write_table

    rows = table(codebook, frame, sample_rows())
    rows[0][rows[0].index("Q4")] = "Q4_samenwerking"  # renamed export tag, same ImportId
    rows = add_column(rows, "FL_6_DO_FL_7", "Display order", '{"ImportId":"FL_6_DO","choiceId":"FL_7"}', ["1"] * 5)
    rows = add_column(rows, "TWIN_ID", "TWIN_ID", "", ["x"] * 5)
    rows = add_column(rows, "", "", "", [""] * 5)
    result = load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    kinds = {w.kind: w for w in result.report.warnings}
    assert "'Q4_samenwerking' (verwacht 'Q4')" in kinds["renamed_column"].message
    assert "TWIN_ID (geen ImportId)" in kinds["unknown_columns"].message
    assert "FL_6_DO" not in kinds["unknown_columns"].message
    assert result.report.ignored_columns == ["FL_6_DO_FL_7", ""]
    assert result.respondents["cooperation"].iloc[0] == "Eens"


def test_identical_duplicate_is_dropped_with_warning(tmp_path, codebook, frame):
    rows = sample_rows()
    path = write_rows(tmp_path / "e.csv", codebook, frame, [*rows, rows[0]])
    result = load_export(path, codebook, frame)
    assert result.report.dropped[-1] == {
        "line": 10,
        "response_id": "R_000000000000001",
        "reason": "dubbel (identiek aan regel 4)",
        "progress": 100.0,
        "gemeentecodes": "GM0005,GM0009,GM0014",
    }
    assert any(w.kind == "duplicate_identical" and "regels 4, 10" in w.message for w in result.report.warnings)


# --- routing -------------------------------------------------------------------------------


def test_evaluate_condition_on_codes_and_labels(codebook):
    codes = pd.DataFrame(
        {
            "additional_policy": pd.array([1, 2, None], dtype="Int64"),
            "target_groups__1": pd.array([1, 0, None], dtype="Int64"),
            "cooperation": pd.array([4, 1, None], dtype="Int64"),
        }
    )
    a = AnswerIn.model_validate({"question": "additional_policy", "in": [1]})
    s = Selected(question="target_groups", selected=1)
    c = AnswerIn.model_validate({"question": "cooperation", "in": [1, 2]})
    assert list(evaluate_condition(a, codes)) == [True, False, False]
    assert list(evaluate_condition(s, codes)) == [True, False, False]
    assert list(evaluate_condition(AllOf(all=[a, s]), codes)) == [True, False, False]
    assert list(evaluate_condition(AnyOf(any=[a, c]), codes)) == [True, True, False]
    assert list(evaluate_condition(None, codes)) == [True, True, True]
    labels = pd.DataFrame(
        {
            "additional_policy": pd.Categorical(["Ja", "Nee", None], categories=["Ja", "Nee", "Weet niet"]),
            "target_groups__1": pd.array([True, False, None], dtype="boolean"),
        }
    )
    assert list(evaluate_condition(AllOf(all=[a, s]), labels, codebook)) == [True, False, False]
    with pytest.raises(ValueError, match="pass the codebook"):
        evaluate_condition(a, labels)


# --- build_processed and CLI ---------------------------------------------------------------


def _snapshot(root):
    return {
        p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture
def raw_tree(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2018").mkdir(parents=True)
    (raw / "reference").mkdir()
    write_codebook(raw / "2018")
    codebook = make_codebook(raw / "2018")
    frame = make_frame()
    out = frame.astype({"inwoners": "int64", "grootteklasse": str})
    out.to_csv(raw / "reference" / "gemeenten_2018.csv", index=False)
    write_rows(raw / "2018" / "export.csv", codebook, frame, sample_rows())
    return raw


def test_build_processed_writes_only_processed(tmp_path, raw_tree):
    before = _snapshot(raw_tree)
    result = build_processed(2018, raw_dir=raw_tree, processed_dir=tmp_path / "processed")
    assert _snapshot(raw_tree) == before
    out = tmp_path / "processed" / "2018"
    assert sorted(p.name for p in out.iterdir()) == [
        "load_report.json",
        "municipalities.parquet",
        "respondents.parquet",
    ]
    back = pd.read_parquet(out / "respondents.parquet")
    pd.testing.assert_frame_equal(back, result.respondents)
    muni = pd.read_parquet(out / "municipalities.parquet")
    assert muni["grootteklasse"].dtype == pd.CategoricalDtype(["G4", "G40", "Middelgroot/klein"], ordered=True)
    report = json.loads((out / "load_report.json").read_text(encoding="utf-8"))
    assert report["rows_kept"] == 3 and [d["line"] for d in report["dropped"]] == [7, 8]


def test_processed_data_is_readable_by_its_owner_only(tmp_path, raw_tree):
    out = tmp_path / "processed" / "2018"
    out.mkdir(parents=True, mode=0o755)
    (out / "respondents.parquet").write_bytes(b"old")
    os.chmod(out / "respondents.parquet", 0o644)  # an earlier, world-readable run
    old_umask = os.umask(0o022)
    try:
        build_processed(2018, raw_dir=raw_tree, processed_dir=tmp_path / "processed")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {
        "load_report.json": 0o600,
        "municipalities.parquet": 0o600,
        "respondents.parquet": 0o600,
    }
    assert len(pd.read_parquet(out / "respondents.parquet")) == 3  # the owner (and the notebooks) still read it


def test_problem_list_is_readable_by_its_owner_only(tmp_path):
    err = RawDataError("e.csv", [Problem("not_a_code", "Geen code.", "e.csv", line=4, value="geheim antwoord")])
    path = write_problems(err, tmp_path / "reports" / "2018-failed" / "problems.txt")
    assert "geheim antwoord" in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_build_processed_refuses_raw_dir(raw_tree):
    with pytest.raises(ValueError, match="raw directory"):
        build_processed(2018, raw_dir=raw_tree, processed_dir=raw_tree / "processed")


def test_cli_data(tmp_path, raw_tree, monkeypatch, capsys):
    from helpers import paths

    monkeypatch.setattr(paths, "RAW_DIR", raw_tree)
    monkeypatch.setattr(paths, "PROCESSED_DIR", tmp_path / "processed")
    monkeypatch.setattr(paths, "REPORTS_DIR", tmp_path / "reports")
    assert cli_main(["data", "--year", "2018"]) == 0
    out = capsys.readouterr().out
    assert "5 rijen gelezen, 3 behouden, 2 uitgesloten" in out
    assert "regel 7 (R_000000000000003): preview" in out
    assert "Gemeenten: 6 van 8" in out


def test_cli_reports_raw_data_error(tmp_path, raw_tree, monkeypatch, capsys):
    from helpers import paths

    export = raw_tree / "2018" / "export.csv"
    export.write_bytes(export.read_bytes().replace(b"R_000000000000002", b"R_000000000000001"))
    monkeypatch.setattr(paths, "RAW_DIR", raw_tree)
    monkeypatch.setattr(paths, "PROCESSED_DIR", tmp_path / "processed")
    monkeypatch.setattr(paths, "REPORTS_DIR", tmp_path / "reports")  # never the repository's own reports/
    assert cli_main(["data", "--year", "2018"]) == 2
    assert "ResponseId R_000000000000001 komt 2× voor" in capsys.readouterr().err
    assert "R_000000000000001" in (tmp_path / "reports" / "2018-failed" / "problems.txt").read_text(encoding="utf-8")
