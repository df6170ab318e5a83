"""Bad raw exports (survey-exports notes §5): each is rejected with a located message, or handled.

Every error test checks the problem kind and the message parts a researcher needs:
file, physical line, column, ImportId, the value found and what to do.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import stat
import zipfile

import pandas as pd
import pytest
from fixtures_export import (
    FULL,
    add_column,
    drop_column,
    make_codebook,
    make_frame,
    make_raw_tree,
    respondent,
    table,
    write_codebook,
    write_rows,
    write_table,
)

from helpers.load.export import load_export
from helpers.load.problems import Problem, RawDataError
from helpers.paths import REFERENCE_DIR
from helpers.survey.codebook import load_codebook
from helpers.survey.export_layout import BOM, format_csv
from helpers.survey.vocabulary import COUNT_MAXIMUM

R1, R2, R3 = "R_000000000000001", "R_000000000000002", "R_000000000000003"
NO_POLICY = {"Q2": "2", "Q4": "-99", "Q5_1": "-99", "Q5_2": "-99", "Q5_3": "-99", "Q7": "Geen", "Q8": "2"}


def two_rows() -> list[dict[str, str]]:
    """Line 4: R1 (full answers, GM0014 + GM0005); line 5: R2 (no policy, GM0363)."""
    return [respondent(R1, [14, 5]), respondent(R2, [363], NO_POLICY)]


def with_answers(**changes: str) -> dict[str, str]:
    return FULL | changes


def load_error(path, codebook, frame, **kwargs) -> RawDataError:
    with pytest.raises(RawDataError) as info:
        load_export(path, codebook, frame, **kwargs)
    return info.value


def only(err: RawDataError, kind: str) -> Problem:
    found = [p for p in err.problems if p.kind == kind]
    assert len(found) == 1, f"expected one {kind!r}, got {[p.kind for p in err.problems]}:\n{err}"
    return found[0]


def warning(result, kind: str) -> Problem:
    found = [w for w in result.report.warnings if w.kind == kind]
    assert len(found) == 1, [w.kind for w in result.report.warnings]
    return found[0]


# --- bytes and encoding ---------------------------------------------------------------------


@pytest.mark.parametrize("bom", [True, False])
def test_bom_present_or_absent_loads(tmp_path, codebook, frame, bom):
    path = write_table(tmp_path / "export.csv", table(codebook, frame, two_rows()), bom=bom)
    result = load_export(path, codebook, frame)
    assert result.report.bom is bom
    assert list(result.respondents["respondent_id"]) == [R1, R2]
    assert result.respondents["respondent_id"].iloc[0] == R1  # no '\ufeff' glued to the first header


def test_cp1252_is_rejected_with_line_and_column(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q3_4_TEXT="één groep")), respondent(R2, [363], NO_POLICY)]
    path = write_table(tmp_path / "export.csv", table(codebook, frame, rows), bom=False, encoding="cp1252")
    err = load_error(path, codebook, frame)
    line4 = path.read_bytes().split(b"\r\n")[3].decode("cp1252")
    col = line4.index("één") + 1
    problems = [p for p in err.problems if p.kind == "not_utf8"]
    assert len(problems) == 2  # é and é
    assert f"byte 0xE9 op regel 4, positie {col}" in problems[0].message
    assert problems[0].column == "Q3_4_TEXT"
    assert "make data YEAR=2018 ENCODING=cp1252" in problems[0].action
    # explicit override: loads
    result = load_export(path, codebook, frame, encoding="cp1252")
    assert result.respondents["target_groups__4__text"].iloc[0] == "één groep"


def test_semicolon_delimiter_is_read_with_warning(tmp_path, codebook, frame):
    path = write_table(tmp_path / "export.csv", table(codebook, frame, two_rows()), delimiter=";")
    result = load_export(path, codebook, frame)
    w = warning(result, "delimiter")
    assert "Scheidingsteken is ';' (verwacht ',')" in w.message and w.line == 1
    assert result.report.delimiter == ";"
    assert len(result.respondents) == 2


def test_xlsx_renamed_to_csv(tmp_path, codebook, frame):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    path = tmp_path / "export.csv"
    path.write_bytes(buffer.getvalue())
    err = load_error(path, codebook, frame)
    p = only(err, "not_csv")
    assert "Excel- of zip-bestand (begint met 'PK')" in p.message
    assert "export.csv" in str(err)


def test_empty_file(tmp_path, codebook, frame):
    path = tmp_path / "export.csv"
    path.write_bytes(BOM)
    assert "leeg" in only(load_error(path, codebook, frame), "empty_file").message


# --- header structure -----------------------------------------------------------------------


def test_only_one_header_row(tmp_path, codebook, frame):
    rows = table(codebook, frame, two_rows())
    path = write_table(tmp_path / "export.csv", [rows[0], *rows[3:]])
    p = only(load_error(path, codebook, frame), "header_rows")
    assert "Regel 3 bevat geen ImportId-JSON" in p.message and "gevonden: 1" in p.message


def test_legacy_two_header_rows(tmp_path, codebook, frame):
    rows = table(codebook, frame, two_rows())
    names = [f"V{i}" for i in range(1, len(rows[0]) + 1)]
    names[8] = "ResponseID"
    path = write_table(tmp_path / "export.csv", [names, rows[1], *rows[3:]])
    p = only(load_error(path, codebook, frame), "header_rows")
    assert "gevonden: 2" in p.message and "oude Qualtrics-exportformaat" in p.message


def test_header_repeated_mid_file(tmp_path, codebook, frame):
    first = table(codebook, frame, two_rows())
    second = table(codebook, frame, [respondent(R3, [344])])
    path = write_table(tmp_path / "export.csv", first + second)  # lines 6-8 are the second header
    err = load_error(path, codebook, frame)
    p = only(err, "header_repeated")
    assert p.line == 6 and "Regels 6–8 lijken kopregels" in p.message
    assert "exports samengevoegd" in p.message


def test_header_only_file(tmp_path, codebook, frame):
    path = write_table(tmp_path / "export.csv", table(codebook, frame, []))
    p = only(load_error(path, codebook, frame), "header_only")
    assert "alleen de 3 kopregels" in p.message


def test_wrong_field_count_on_a_line(tmp_path, codebook, frame):
    rows = table(codebook, frame, two_rows())
    n = len(rows[0])
    rows[4] = [*rows[4], "losse tekst"]
    err = load_error(write_table(tmp_path / "export.csv", rows), codebook, frame)
    p = only(err, "field_count")
    assert p.line == 5 and f"Regel 5 heeft {n + 1} velden, verwacht {n}" in p.message


# --- columns ------------------------------------------------------------------------------------


def test_missing_required_import_id(tmp_path, codebook, frame):
    rows = drop_column(table(codebook, frame, two_rows()), "Q4")
    rows = drop_column(rows, "ResponseId")
    err = load_error(write_table(tmp_path / "export.csv", rows), codebook, frame)
    kinds = [p for p in err.problems if p.kind == "missing_column"]
    assert {p.import_id for p in kinds} == {"_recordId", "QID4"}
    q4 = next(p for p in kinds if p.import_id == "QID4")
    assert "vraag cooperation ontbreken: Q4 (QID4)" in q4.message and "codebook.yaml" in q4.action


def test_import_id_changed_is_missing_with_hint(tmp_path, codebook, frame):
    rows = table(codebook, frame, two_rows())
    rows[2][rows[0].index("Q4")] = '{"ImportId":"QID9"}'
    p = only(load_error(write_table(tmp_path / "export.csv", rows), codebook, frame), "missing_column")
    assert "Er is wel een kolom 'Q4', maar met ImportId QID9" in p.message


def test_unsplit_multi_answer_column(tmp_path, codebook, frame):
    rows = table(codebook, frame, two_rows())
    for name in ["Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q3_5"]:
        rows = drop_column(rows, name)
    rows = add_column(rows, "Q3", "Op welke groepen?", '{"ImportId":"QID3"}', ["1,4", ""])
    p = only(load_error(write_table(tmp_path / "export.csv", rows), codebook, frame), "unsplit_multi")
    assert p.column == "Q3" and p.value == "1,4"
    assert "Split multi-value fields into columns" in p.action


# --- values ---------------------------------------------------------------------------------------


def test_text_labels_instead_of_codes(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q2="Ja", Q4="Eens")), respondent(R2, [363], NO_POLICY)]
    err = load_error(write_rows(tmp_path / "export.csv", codebook, frame, rows), codebook, frame)
    problems = [p for p in err.problems if p.kind == "labels_instead_of_codes"]
    assert [(p.line, p.column, p.import_id, p.value) for p in problems] == [
        (4, "Q2", "QID2", "Ja"),
        (4, "Q4", "QID4", "Eens"),
    ]
    assert "Use numeric values" in problems[0].action
    assert str(err).startswith(str(tmp_path / "export.csv"))
    assert "regel 4, kolom Q2 (QID2): Tekst waar een antwoordcode verwacht wordt" in str(err)


def test_decimal_comma_undeclared_is_an_error(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q5_2="12,5", Q5_3="57,5")), respondent(R2, [363], NO_POLICY)]
    path = write_rows(tmp_path / "export.csv", codebook, frame, rows)
    err = load_error(path, codebook, frame)
    problems = [p for p in err.problems if p.kind == "decimal_comma"]
    assert [(p.line, p.column, p.import_id, p.value) for p in problems] == [
        (4, "Q5_2", "QID5_2", "12,5"),
        (4, "Q5_3", "QID5_3", "57,5"),
    ]
    assert "make data YEAR=2018 DECIMAL=," in problems[0].action


def test_decimal_comma_declared_loads(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q5_2="12,5", Q5_3="57,5")), respondent(R2, [363], NO_POLICY)]
    result = load_export(write_rows(tmp_path / "export.csv", codebook, frame, rows), codebook, frame, decimal=",")
    assert result.respondents["outflow__2"].iloc[0] == 12.5


def test_decimal_point_mixed_into_declared_comma_file(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q5_2="12,5", Q5_3="57.5")), respondent(R2, [363], NO_POLICY)]
    path = write_rows(tmp_path / "export.csv", codebook, frame, rows)
    p = only(load_error(path, codebook, frame, decimal=","), "decimal_mixed")
    assert (p.line, p.column, p.value) == (4, "Q5_3", "57.5")


def test_percentage_out_of_range(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q5_1="140")), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "out_of_range")
    assert (p.line, p.column, p.import_id, p.value) == (4, "Q5_1", "QID5_1", "140")
    assert "0–100" in p.expected


def test_text_in_numeric_field(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q6="ca. 15")), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "not_a_number")
    assert (p.line, p.column, p.import_id, p.value) == (4, "Q6", "QID6_TEXT", "ca. 15")
    assert "geheel getal" in p.expected


def test_count_must_be_integer(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q6="2.5")), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "not_an_integer")
    assert (p.line, p.column, p.value) == (4, "Q6", "2.5")


def test_code_outside_scale(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q4="6")), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "code_outside_scale")
    assert (p.line, p.column, p.import_id, p.value) == (4, "Q4", "QID4", "6")
    assert "1–5" in p.expected and "-99" in p.expected


def test_minus_99_in_a_tick_column(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q3_2="-99")), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "not_a_tick")
    assert (p.line, p.column, p.value) == (4, "Q3_2", "-99")


def test_status_as_text(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], Status="IP Address"), respondent(R2, [363], NO_POLICY)]
    p = only(
        load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "labels_instead_of_codes"
    )
    assert (p.line, p.column, p.import_id, p.value) == (4, "Status", "status", "IP Address")


def test_dates_rewritten_by_excel(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], RecordedDate="10-3-2018 09:20"), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "bad_date")
    assert (p.line, p.column, p.value) == (4, "RecordedDate", "10-3-2018 09:20")


# --- routing and rules ----------------------------------------------------------------------------


def test_answer_where_routing_says_not_asked(tmp_path, codebook, frame):
    rows = [respondent(R1, [14]), respondent(R2, [363], NO_POLICY | {"Q3_1": "1"})]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "answer_not_asked")
    assert (p.line, p.column, p.import_id, p.value) == (5, "Q3_1", "QID3_1", "1")
    assert "Q2=2" in p.message and "niet gesteld" in p.message


def test_missing_answer_where_routing_says_asked(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q4="", Q6="")), respondent(R2, [363], NO_POLICY)]
    err = load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    problems = [p for p in err.problems if p.kind == "missing_answer"]
    assert [(p.line, p.column, p.import_id) for p in problems] == [(4, "Q4", "QID4"), (4, "Q6", "QID6_TEXT")]
    assert "Recode seen but unanswered questions as -99" in problems[0].action
    assert "(Q3_1 aangekruist ('Jongeren'))" in problems[1].message  # the routing condition, in words


def test_file_without_any_minus_99_warns_once(tmp_path, codebook, frame):
    rows = [respondent(R1, [14]), respondent(R2, [363])]
    result = load_export(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    assert "Geen enkele -99" in warning(result, "no_sentinel").message


def test_exclusive_option_combined_is_a_warning(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q3_5="1")), respondent(R2, [363], NO_POLICY)]
    result = load_export(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    w = warning(result, "exclusive_combined")
    assert "'Geen specifieke groep' (exclusief)" in w.message and "regel 4" in w.message
    assert (w.column, w.import_id) == ("Q3_5", "QID3_5")
    assert bool(result.respondents["target_groups__5"].iloc[0]) is True


def test_more_than_max_answers(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q3_2="1", Q3_3="1")), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "too_many_answers")
    assert p.line == 4 and "4 opties aangekruist" in p.message and "maximaal 3" in p.message
    assert p.value == "1,2,3,4"


def test_other_text_without_tick_and_tick_without_text_warn(tmp_path, codebook, frame):
    rows = [
        respondent(R1, [14], with_answers(Q3_4_TEXT="")),
        respondent(R2, [363], NO_POLICY | {"Q8": "1", "Q8_3_TEXT": "Teamleider"}),
    ]
    result = load_export(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    messages = [w.message for w in result.report.warnings if w.kind == "other_text_mismatch"]
    assert messages == [
        "Vraag target_groups: 'Anders, namelijk' gekozen maar de toelichting is leeg op regel 4.",
        "Vraag job_title: toelichting ingevuld maar 'Anders, namelijk' niet gekozen op regel 5.",
    ]


# --- respondents and municipalities -----------------------------------------------------------------


def test_duplicate_response_id(tmp_path, codebook, frame):
    rows = [respondent(R1, [14]), respondent(R1, [363], NO_POLICY)]
    p = only(
        load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "duplicate_response_id"
    )
    assert p.value == R1 and "regels 4, 5" in p.message


def test_municipality_claimed_by_two_respondents(tmp_path, codebook, frame):
    rows = [respondent(R1, [14, 5]), respondent(R2, [14], NO_POLICY)]
    err = load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    p = only(err, "municipality_claimed_twice")
    assert f"GM0014 Groningen is ingevuld door 2 responsen: {R1} (regel 4) en {R2} (regel 5)" in p.message
    assert (p.column, p.import_id) == ("Q1_14", "QID1_14")


def test_respondent_without_municipality(tmp_path, codebook, frame):
    rows = [respondent(R1, [14]), respondent(R2, [], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "no_municipality")
    assert p.line == 5 and f"Respons {R2} heeft geen gemeente gekozen" in p.message


def test_padded_municipality_codes_are_read(tmp_path, codebook, frame):
    rows = table(codebook, frame, two_rows())
    i = rows[0].index("Q1_14")
    rows[0][i], rows[2][i] = "Q1_0014", '{"ImportId":"QID1_0014"}'
    result = load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    assert result.respondents["gemeentecodes"].iloc[0] == "GM0005,GM0014"
    assert "'Q1_0014' (verwacht 'Q1_14')" in warning(result, "renamed_column").message


def _extra_municipality(frame: pd.DataFrame, code: str, name: str) -> pd.DataFrame:
    extra = frame.iloc[[0]].assign(gemeentecode=code, gemeentenaam=name)
    return pd.concat([frame, extra], ignore_index=True)


def test_unknown_municipality_code(tmp_path, codebook, frame):
    written = _extra_municipality(frame, "GM1014", "Typfout")
    rows = [respondent(R1, [14]), respondent(R2, [1014], NO_POLICY)]
    path = write_rows(tmp_path / "e.csv", codebook, written, rows)
    p = only(load_error(path, codebook, frame), "unknown_municipality")
    assert (p.line, p.column, p.import_id, p.value) == (5, "Q1_1014", "QID1_1014", "1")
    assert "Onbekende gemeentecode GM1014. Bedoelde u GM0014 (Groningen)" in p.message


def test_unticked_unknown_municipality_column_only_warns(tmp_path, codebook, frame):
    written = _extra_municipality(frame, "GM1014", "Typfout")
    path = write_rows(tmp_path / "e.csv", codebook, written, [respondent(R1, [14]), respondent(R2, [363], NO_POLICY)])
    result = load_export(path, codebook, frame)
    assert "Q1_1014 (GM1014)" in warning(result, "unknown_municipality_columns").message


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("GM0005", "Bedum", "GM0005 (Bedum) bestaat niet meer per 1-1-2019: opgegaan in GM1966 Het Hogeland"),
        ("GM0053", "Winsum", "verdeeld over GM1966 Het Hogeland (88%), GM1969 Westerkwartier (12%)"),
    ],
)
def test_merged_away_municipality_code(tmp_path, code, name, expected):
    codebook = make_codebook(tmp_path, frame_year=2019)
    frame = make_frame(year=2019)
    written = _extra_municipality(frame, code, name)
    number = int(code[2:])
    rows = [respondent(R1, [14]), respondent(R2, [number], NO_POLICY)]
    path = write_rows(tmp_path / "e.csv", codebook, written, rows)
    err = load_error(path, codebook, frame, merger_table=REFERENCE_DIR / "herindelingen_2019.csv")
    p = only(err, "merged_municipality")
    assert expected in p.message and "herindelingen_2019.csv" in p.message
    assert (p.line, p.column) == (5, f"Q1_{number}")


# --- all at once ------------------------------------------------------------------------------------


def test_several_problems_are_reported_in_one_error(tmp_path, codebook, frame):
    rows = [
        respondent(R1, [14], with_answers(Q4="6", Q5_1="140")),
        respondent(R2, [14], NO_POLICY | {"Q3_1": "1"}),
        respondent(R3, [], with_answers(Q6="ca. 15")),
    ]
    grid = drop_column(table(codebook, frame, rows), "Q8_3_TEXT")
    err = load_error(write_table(tmp_path / "export.csv", grid), codebook, frame)
    kinds = sorted(p.kind for p in err.problems)
    assert kinds == sorted(
        [
            "missing_column",
            "code_outside_scale",
            "out_of_range",
            "answer_not_asked",
            "not_a_number",
            "municipality_claimed_twice",
            "no_municipality",
        ]
    )
    text = str(err)
    assert text.startswith(
        f"{tmp_path / 'export.csv'}: 7 fouten op 4 regels, 7 soorten; het bestand is niet ingelezen."
    )
    for part in [
        "regel 4, kolom Q4 (QID4)",
        "regel 4, kolom Q5_1 (QID5_1)",
        "regel 5, kolom Q3_1 (QID3_1)",
        "regel 6, kolom Q6 (QID6_TEXT)",
        "Q8_3_TEXT (QID8_3_TEXT)",
    ]:
        assert part in text
    assert [p.line for p in err.problems] == sorted(p.line or 0 for p in err.problems)


# --- line endings, UTF-16, control characters, paths --------------------------------------------


def test_cr_only_line_endings_are_read_with_a_warning(tmp_path, codebook, frame):
    path = write_table(tmp_path / "export.csv", table(codebook, frame, two_rows()))
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r"))
    result = load_export(path, codebook, frame)
    assert list(result.respondents["respondent_id"]) == [R1, R2]
    assert list(result.respondents["line"]) == [4, 5]
    assert "CR alleen" in warning(result, "line_endings").message


@pytest.mark.parametrize(("encoding", "bom"), [("utf-16-le", b""), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"")])
def test_utf16_with_or_without_bom_is_read_with_a_warning(tmp_path, codebook, frame, encoding, bom):
    rows = [respondent(R1, [14, 5], with_answers(Q3_4_TEXT="één groep")), respondent(R2, [363], NO_POLICY)]
    text = format_csv(table(codebook, frame, rows))
    path = tmp_path / "export.csv"
    path.write_bytes(bom + text.encode(encoding))
    result = load_export(path, codebook, frame)
    assert result.respondents["target_groups__4__text"].iloc[0] == "één groep"
    assert result.report.encoding == encoding
    assert f"UTF-16 ({encoding.upper()})" in warning(result, "encoding").message


def test_nul_and_control_characters_in_an_open_answer(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q3_4_TEXT="Status\x00houders")), respondent(R2, [363], NO_POLICY)]
    err = load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    p = only(err, "control_character")
    assert (p.line, p.column, p.value) == (4, "Q3_4_TEXT", "Status\x00houders")
    assert p.message == "Stuurteken U+0000 (NUL) in de cel."
    assert "'Status\\x00houders'" in str(err)  # shown visibly, not as a raw NUL


def test_missing_export_and_a_directory(tmp_path, codebook, frame):
    p = only(load_error(tmp_path / "2018" / "export.csv", codebook, frame), "missing_file")
    assert (
        "De export bestaat niet" in p.message and "MONITOR_DATA_DIR" in p.action and "make data YEAR=2018" in p.action
    )
    (tmp_path / "dir.csv").mkdir()
    assert "Dit is een map" in only(load_error(tmp_path / "dir.csv", codebook, frame), "not_a_file").message


def test_every_bad_byte_is_reported_and_the_summary_stays_short(tmp_path, codebook, frame):
    rows = [respondent(f"R_{i:015d}", [n], with_answers(Q3_4_TEXT="café é"))
            for i, n in enumerate([3, 5, 9, 14, 344, 363, 772, 10], start=1)]  # fmt: skip
    path = write_table(tmp_path / "export.csv", table(codebook, frame, rows), bom=False, encoding="cp1252")
    err = load_error(path, codebook, frame)
    assert len([p for p in err.problems if p.kind == "not_utf8"]) == 16  # no cap at 20 (or any number)
    text = str(err)
    assert "Tekens die geen UTF-8 zijn (16×):" in text and "… en nog 13×: regels 5, 6, 7, 8, 9, 10, 11" in text
    assert text.count("byte 0xE9") == 3 and err.full_text().count("byte 0xE9") == 16


# --- dates, ResponseId ---------------------------------------------------------------------------


def test_impossible_date(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], RecordedDate="2018-02-30 09:20:01"), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "impossible_date")
    assert (p.line, p.column, p.import_id, p.value) == (4, "RecordedDate", "recordedDate", "2018-02-30 09:20:01")
    assert p.message == "Deze datum of tijd bestaat niet."


def test_end_before_start(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], EndDate="2018-03-10 08:00:00"), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "date_order")
    assert (p.line, p.column) == (4, "EndDate") and "vóór de startdatum" in p.message


def test_dates_outside_fieldwork_are_errors(tmp_path, codebook, frame):
    rows = [
        respondent(R1, [14], StartDate="2018-02-28 09:00:00"),
        respondent(R2, [363], NO_POLICY, RecordedDate="2018-04-10 00:00:01", EndDate="2018-04-10 00:00:00"),
        respondent(R3, [344], NO_POLICY, RecordedDate="2018-04-09 23:59:59", EndDate="2018-04-09 23:59:00"),
    ]
    err = load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    found = [(p.line, p.column, p.value) for p in err.problems if p.kind == "outside_fieldwork"]
    assert found == [(4, "StartDate", "2018-02-28 09:00:00"), (5, "RecordedDate", "2018-04-10 00:00:01")]
    p = err.problems[0]
    assert p.expected == "2018-03-05 t/m 2018-04-09 (fieldwork in codebook.yaml)" and "verlengd" in p.action


def test_dropped_rows_outside_fieldwork_are_not_checked(tmp_path, codebook, frame):
    rows = [respondent(R1, [14]), respondent(R2, [363], NO_POLICY),
            respondent(R3, [344], Status="1", StartDate="2018-01-01 10:00:00")]  # fmt: skip
    result = load_export(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    assert [d["reason"] for d in result.report.dropped] == ["preview"]


@pytest.mark.parametrize("rid", ["R_123", "12345", "R_0000000000000000001", "r_000000000000001", "R_00000000000000-1"])
def test_response_id_format(tmp_path, codebook, frame, rid):
    rows = [respondent(R1, [14]), respondent(rid, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "bad_response_id")
    assert (p.line, p.column, p.value) == (5, "ResponseId", rid)
    assert p.expected.startswith("R_ gevolgd door 15 letters of cijfers")


# --- header rows that disagree ------------------------------------------------------------------


def _swap_import_ids(rows: list[list[str]], a: str, b: str) -> list[list[str]]:
    i, j = rows[0].index(a), rows[0].index(b)
    rows[2][i], rows[2][j] = rows[2][j], rows[2][i]
    return rows


def test_swapped_municipality_import_ids_are_refused(tmp_path, codebook, frame):
    rows = _swap_import_ids(table(codebook, frame, two_rows()), "Q1_14", "Q1_5")
    err = load_error(write_table(tmp_path / "e.csv", rows), codebook, frame)
    found = sorted((p.column, p.import_id) for p in err.problems if p.kind == "header_mismatch")
    assert found == [("Q1_14", "QID1_5"), ("Q1_5", "QID1_14")]
    p = next(p for p in err.problems if p.column == "Q1_14")
    assert "volgens de ImportId (QID1_5) is dit gemeente GM0005 Bedum (Q1_5)" in p.message
    assert "de kolomnaam hoort bij gemeente GM0014 Groningen (Q1_14)" in p.message
    assert "De kolom met ImportId QID1_14 heet 'Q1_5'" in p.message and "verwisseld" in p.message


def test_swapped_question_import_ids_are_refused(tmp_path, codebook, frame):
    rows = _swap_import_ids(table(codebook, frame, two_rows()), "Q2", "Q8")
    err = load_error(write_table(tmp_path / "e.csv", rows), codebook, frame)
    p = next(p for p in err.problems if p.kind == "header_mismatch" and p.column == "Q2")
    assert "vraag job_title (Q8)" in p.message and "kolomnaam hoort bij vraag additional_policy (Q2)" in p.message
    assert "export_aliases" in p.action


def test_label_naming_another_municipality_is_refused(tmp_path, codebook, frame):
    rows = table(codebook, frame, two_rows())
    i = rows[0].index("Q1_14")
    rows[1][i] = rows[1][i].replace("Groningen", "Bedum")
    p = only(load_error(write_table(tmp_path / "e.csv", rows), codebook, frame), "header_mismatch")
    assert (p.line, p.column, p.import_id) == (2, "Q1_14", "QID1_14")
    assert "het label hoort bij gemeente GM0005 Bedum (Q1_5)" in p.message


def test_reworded_label_and_unknown_name_are_only_a_rename(tmp_path, codebook, frame):
    rows = table(codebook, frame, two_rows())
    i = rows[0].index("Q4")
    rows[0][i], rows[1][i] = "Q4_nieuw", "Hoe verloopt de samenwerking met het UWV?"
    result = load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    assert "'Q4_nieuw' (verwacht 'Q4')" in warning(result, "renamed_column").message


def test_a_rename_recorded_in_the_codebook(tmp_path, frame):
    path = write_codebook(tmp_path)
    path.write_text(path.read_text().replace("export_name: Q4\n", "export_name: Q4\n    export_aliases: [Q8]\n"))
    codebook = load_codebook(path)
    rows = table(codebook, frame, two_rows())
    i, j = rows[0].index("Q4"), rows[0].index("Q8")
    rows[0][i], rows[0][j] = "Q8", "Q8b"  # the old tag Q8 now on cooperation, recorded as its alias
    result = load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    assert result.respondents["cooperation"].iloc[0] == "Eens"
    assert [w.kind for w in result.report.warnings if w.column == "Q8"] == []


# --- municipality columns -----------------------------------------------------------------------


def test_missing_municipality_column_is_refused_and_the_respondent_not_blamed(tmp_path, codebook, frame):
    rows = drop_column(table(codebook, frame, [respondent(R1, [14, 5]), respondent(R2, [9], NO_POLICY)]), "Q1_9")
    err = load_error(write_table(tmp_path / "e.csv", rows), codebook, frame)
    p = only(err, "missing_municipality_column")
    assert p.message == "De kolom van gemeente GM0009 Ten Boer ontbreekt in vraag Q1 (municipalities)."
    assert (p.column, p.import_id) == ("Q1_9", "QID1_9") and "not_offered" in p.action
    q = only(err, "no_municipality")
    assert (
        q.line == 5
        and "de kolommen van 1 gemeente(n) ontbreken" in q.message
        and "heeft geen gemeente" not in q.message
    )


def test_municipality_not_offered_is_explained_in_the_codebook(tmp_path, frame):
    path = write_codebook(tmp_path)
    path.write_text(
        path.read_text().replace("import_id: QID1\n", "import_id: QID1\n    not_offered: {GM0009: niet in de lijst}\n")
    )
    codebook = load_codebook(path)
    rows = drop_column(table(codebook, frame, two_rows()), "Q1_9")
    result = load_export(write_table(tmp_path / "e.csv", rows), codebook, frame)
    assert result.report.municipalities == 3


@pytest.mark.parametrize(
    ("name", "import_json"),
    [("Q1_14", '{"ImportId":"GM0014"}'), ("Groningen", '{"ImportId":"QID1_Groningen"}'), ("Q1_GM0014", "")],
)
def test_municipality_column_named_by_code_or_name(tmp_path, codebook, frame, name, import_json):
    rows = table(codebook, frame, [respondent(R1, [14]), respondent(R2, [363], NO_POLICY)])
    i = rows[0].index("Q1_14")
    rows[0][i], rows[2][i] = name, import_json
    err = load_error(write_table(tmp_path / "e.csv", rows), codebook, frame)
    p = only(err, "missing_municipality_column")
    assert f"Kolom {name!r} (ImportId " in p.message and "lijkt deze gemeente" in p.message
    assert not [x for x in err.problems if x.kind == "no_municipality"]  # R1 ticked it: not blamed


# --- constant sums ------------------------------------------------------------------------------


def test_constant_sum_is_enforced_with_its_tolerance(tmp_path, codebook, frame):
    rows = [
        respondent(R1, [14], with_answers(Q5_1="60", Q5_2="12.5", Q5_3="57.5")),
        respondent(R2, [363], NO_POLICY | {"Q5_1": "30", "Q5_2": "30", "Q5_3": "40.4"}),
    ]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "constant_sum")
    assert p.line == 4 and p.message == "De onderdelen van vraag outflow tellen op tot 130, niet tot 100."
    assert p.value == "60 + 12.5 + 57.5" and p.expected == "samen 100 (± 0.5, constant_sum in codebook.yaml)"
    assert (p.column, p.import_id) == ("Q5_1 … Q5_3", "QID5_1 … QID5_3")


# --- a large file ---------------------------------------------------------------------------------


def test_a_multiplied_export_gives_a_short_grouped_summary(tmp_path, codebook, frame):
    from helpers.load.bench import multiplied_export

    source = write_rows(tmp_path / "one.csv", codebook, frame, two_rows())
    path = multiplied_export(source, 100, tmp_path / "export.csv")
    err = load_error(path, codebook, frame)
    assert len(err.problems) == 3 and {p.kind for p in err.problems} == {"municipality_claimed_twice"}
    text = str(err)
    assert "ingevuld door 100 responsen" in text and "en nog 97" in text
    assert len(text) < 2500, len(text)


# --- inputs that used to crash or load silently wrong -------------------------------------------


@pytest.mark.parametrize(
    ("compress", "what"),
    [(gzip.compress, "een gzip-bestand"), (bz2.compress, "een bzip2-bestand"), (lzma.compress, "een xz-bestand")],
)
def test_compressed_file_named_export_csv(tmp_path, codebook, frame, compress, what):
    source = write_rows(tmp_path / "plain.csv", codebook, frame, two_rows())
    path = tmp_path / "export.csv"
    path.write_bytes(compress(source.read_bytes()))
    p = only(load_error(path, codebook, frame), "compressed_file")
    assert p.message.startswith(f"Dit is {what} (herkend aan de eerste bytes), geen CSV")
    assert p.line == 1 and p.value.startswith("bytes ") and "Pak het uit" in p.action


@pytest.mark.parametrize("in_cell", ["\n", "\r"])
def test_cr_only_file_with_a_line_break_inside_a_cell(tmp_path, codebook, frame, in_cell):
    rows = [respondent(R1, [14], with_answers(Q3_4_TEXT="Statushouders\n50+")), respondent(R2, [363], NO_POLICY)]
    path = write_rows(tmp_path / "export.csv", codebook, frame, rows)  # the cell is quoted, its break an LF
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r").replace(b"\n", in_cell.encode()))
    result = load_export(path, codebook, frame)
    assert result.respondents["target_groups__4__text"].iloc[0] == "Statushouders\n50+"
    assert list(result.respondents["respondent_id"]) == [R1, R2]
    assert list(result.respondents["line"]) == [4, 6]  # the break inside the cell is a physical line too
    assert "CR alleen" in warning(result, "line_endings").message


def test_bad_bytes_in_a_cr_only_file_are_located(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q3_4_TEXT="één groep")), respondent(R2, [363], NO_POLICY)]
    path = write_table(tmp_path / "export.csv", table(codebook, frame, rows), bom=False, encoding="cp1252")
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r"))
    problems = [p for p in load_error(path, codebook, frame).problems if p.kind == "not_utf8"]
    assert [(p.line, p.column) for p in problems] == [(4, "Q3_4_TEXT"), (4, "Q3_4_TEXT")]


@pytest.mark.parametrize(
    ("column", "kind", "expected"),
    [("Q2", "code_outside_scale", "een antwoordcode (1–3) of -99"), ("Q3_2", "not_a_tick", "1 (aangevinkt)")],
)
def test_option_code_of_twenty_digits(tmp_path, codebook, frame, column, kind, expected):
    huge = "1" + "0" * 22
    rows = [respondent(R1, [14], with_answers(**{column: huge})), respondent(R2, [363], NO_POLICY)]
    err = load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    p = only(err, kind)
    assert (p.line, p.column, p.value) == (4, column, huge) and expected in p.expected
    assert "Getal van 23 cijfers" in p.message


def test_metadata_code_of_thousands_of_digits(tmp_path, codebook, frame):
    huge = "9" * 5000  # beyond Python's int() digit limit: must not be converted
    rows = [respondent(R1, [14], Status=huge), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "bad_metadata")
    assert (p.line, p.column, p.import_id) == (4, "Status", "status")


def test_recorded_date_before_start_date(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], RecordedDate="2018-03-10 08:59:59"), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "date_order")
    assert (p.line, p.column, p.import_id) == (4, "RecordedDate", "recordedDate")
    assert p.message == "De opnamedatum (RecordedDate) ligt vóór de startdatum."
    assert p.value == "2018-03-10 09:00:00 – 2018-03-10 08:59:59" and p.expected == "StartDate ≤ RecordedDate"


FRACTIONS = {"Q5_1": "0.3", "Q5_2": "0.125", "Q5_3": "0.575"}


def test_percentages_answered_as_fractions_are_refused(tmp_path, codebook, frame):
    rows = [
        respondent(R1, [14], with_answers(**FRACTIONS)),
        respondent(R2, [363], with_answers(Q5_1="0.5", Q5_2="0", Q5_3="0.5")),
    ]
    err = load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    assert sorted(p.kind for p in err.problems) == ["fractions_not_percent"] * 3  # no constant_sum noise
    p = next(p for p in err.problems if p.column == "Q5_2")
    assert (p.line, p.import_id, p.value) == (4, "QID5_2", "0.125, 0")  # the first non-integer answer
    assert p.message.startswith("De antwoorden lijken fracties (0.1 voor 10%), geen percentages: alle 2 antwoorden")
    assert p.expected == "percentages 0–100 (10 voor 10%)" and "scale: fraction" in p.action


def test_whole_percentages_between_0_and_1_are_not_fractions(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q5_1="1", Q5_2="0", Q5_3="99")), respondent(R2, [363], NO_POLICY)]
    result = load_export(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    assert list(result.respondents.loc[0, ["outflow__1", "outflow__2", "outflow__3"]]) == [1.0, 0.0, 99.0]


def _codebook_with(tmp_path, old: str, new: str):
    path = write_codebook(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_codebook(path)


def test_declared_fractions_are_read_as_percentages(tmp_path, frame):
    codebook = _codebook_with(tmp_path, "type: percent\n", "type: percent\n    scale: fraction\n")
    rows = [respondent(R1, [14], with_answers(**FRACTIONS)), respondent(R2, [363], NO_POLICY)]
    result = load_export(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    assert list(result.respondents.loc[0, ["outflow__1", "outflow__2", "outflow__3"]]) == [30.0, 12.5, 57.5]


def test_declared_fractions_answered_as_percentages_are_out_of_range(tmp_path, frame):
    codebook = _codebook_with(tmp_path, "type: percent\n", "type: percent\n    scale: fraction\n")
    rows = [respondent(R1, [14]), respondent(R2, [363], NO_POLICY)]
    err = load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    p = next(p for p in err.problems if p.kind == "out_of_range")
    assert (p.line, p.column, p.value) == (4, "Q5_1", "30")
    assert p.expected == "een fractie 0–1 (decimale punt; scale: fraction), of -99"


def test_count_of_a_billion_is_refused_with_the_default_maximum(tmp_path, codebook, frame):
    rows = [respondent(R1, [14], with_answers(Q6="1000000000")), respondent(R2, [363], NO_POLICY)]
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "above_count_maximum")
    assert (p.line, p.column, p.import_id, p.value) == (4, "Q6", "QID6_TEXT", "1000000000")
    assert p.message == f"Aantal boven het standaardmaximum van {COUNT_MAXIMUM} bij vraag youth_fte."
    assert p.expected == f"een geheel getal ≥ 0 en ≤ {COUNT_MAXIMUM}, of -99" and "range: {max: …}" in p.action


def test_the_codebook_can_raise_the_count_maximum(tmp_path, frame):
    codebook = _codebook_with(tmp_path, "type: count\n", "type: count\n    range: {max: 2000000000}\n")
    rows = [respondent(R1, [14], with_answers(Q6="1000000000")), respondent(R2, [363], NO_POLICY)]
    result = load_export(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame)
    assert result.respondents["youth_fte"].iloc[0] == 1e9
    codebook = _codebook_with(tmp_path, "type: count\n", "type: count\n    range: {max: 500}\n")
    p = only(load_error(write_rows(tmp_path / "e.csv", codebook, frame, rows), codebook, frame), "out_of_range")
    assert p.expected == "een geheel getal ≥ 0 en ≤ 500, of -99"  # a maximum the codebook set: plain range error


# --- the same cases through every entry point: monitor data and the report's preflight -------------

CODEBOOK = ("2018", "codebook.yaml")
EXPORT = ("2018", "export.csv")


def _edit_text(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _rows(*changes: dict[str, str]) -> list[dict[str, str]]:
    return [respondent(R1, [14, 5], **changes[0]), respondent(R2, [363], NO_POLICY)]


def _gzip(raw) -> None:
    path = raw / "2018" / "export.csv"
    path.write_bytes(gzip.compress(path.read_bytes()))


def _codebook_edit(old: str, new: str):
    return lambda raw: _edit_text(raw / "2018" / "codebook.yaml", old, new)


DEEP = "[" * 20000 + "8" + "]" * 20000

#: (damage to the raw tree, export rows, kind, expected text in the message, file the problem names)
ENTRY_CASES = {
    "gzip": (_gzip, None, "compressed_file", "Dit is een gzip-bestand", EXPORT),
    "fieldwork": (_codebook_edit('"2018-03-05"', '"2018-02-30"'), None, "codebook_schema",
                  "fieldwork: datum '2018-02-30' bestaat niet", CODEBOOK),
    "deep_yaml": (_codebook_edit("population_size: 8", f"population_size: {DEEP}"), None, "yaml_too_deep",
                  "Meer dan 64 niveaus genest", CODEBOOK),
    "year": (_codebook_edit("year: 2018", "year: 2019"), None, "codebook_year",
             "Het codebook staat in de map 2018 maar zegt year: 2019", CODEBOOK),
    "nul_label": (_codebook_edit("label: Jongeren", 'label: "Jong\\0eren"'), None, "yaml_control_character",
                  "Stuurteken U+0000 (NUL) in questions.2.options.0.label", CODEBOOK),
    "big_code": (None, _rows({"answers": with_answers(Q2="1" + "0" * 22)}), "code_outside_scale",
                 "Getal van 23 cijfers", EXPORT),
    "fractions": (None, _rows({"answers": with_answers(Q5_1="0.5", Q5_2="42", Q5_3="57.5")}),
                  "fractions_not_percent", "antwoorden lijken fracties", EXPORT),
    "count": (None, _rows({"answers": with_answers(Q6="1000000000")}), "above_count_maximum",
              "standaardmaximum van 10000", EXPORT),
    "recorded": (None, _rows({"RecordedDate": "2018-03-10 08:00:00"}), "date_order",
                 "De opnamedatum (RecordedDate) ligt vóór de startdatum", EXPORT),
}  # fmt: skip


@pytest.fixture
def monitor(tmp_path, monkeypatch):
    """Run ``monitor`` on a raw tree under ``tmp_path``; returns (exit code, stderr)."""
    from helpers import paths
    from helpers.cli import main

    monkeypatch.setattr(paths, "RAW_DIR", tmp_path / "raw")
    monkeypatch.setattr(paths, "PROCESSED_DIR", tmp_path / "processed")
    monkeypatch.setattr(paths, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)

    def run(capsys, *argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().err

    return run


def _stub_notebooks(root):
    nb = root / "notebooks"
    nb.mkdir()
    (nb / "00_data_preparation.ipynb").write_text(
        '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Data"}, {"cell_type": "code", '
        '"execution_count": null, "metadata": {"tags": ["parameters"]}, "outputs": [], "source": '
        '"year = 2018\\nbuild_dir = None"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    return nb


#: The case whose report run starts its kernels ahead as a build does (and shuts them down when the data check
#: refuses); the others stub the pool out: starting a kernel takes seconds and is not what they check.
REAL_KERNELS = "count"


class _NoKernels:
    """A KernelPool that starts nothing (``notebook_runs.early_kernels`` enters it while the data are checked)."""

    def __init__(self, cwd, **kwargs) -> None:
        pass

    def __enter__(self) -> _NoKernels:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.mark.parametrize("case", ENTRY_CASES)
def test_every_entry_point_gives_the_located_message(tmp_path, monitor, capsys, monkeypatch, case):
    damage, rows, kind, text, where = ENTRY_CASES[case]
    if case != REAL_KERNELS:
        from helpers.publish.execute import pool

        monkeypatch.setattr(pool, "KernelPool", _NoKernels)
    raw = make_raw_tree(tmp_path, rows)
    if damage is not None:
        damage(raw)
    err = load_problems_of(raw, tmp_path)
    p = only(err, kind)
    assert text in p.message and p.file.endswith("/".join(where)) and p.line is not None and p.action
    failed = tmp_path / "reports" / "2018-failed"
    code, stderr = monitor(capsys, "data", "--year", "2018")
    assert code == 2 and text in stderr and "Traceback" not in stderr and "Interne fout" not in stderr
    assert f"regel {p.line}" in stderr
    _assert_private(failed, text)
    code, stderr = monitor(capsys, "report", "--year", "2018", "--notebooks-dir", str(_stub_notebooks(tmp_path)),
                           "--reports-dir", str(tmp_path / "reports"))  # fmt: skip
    assert text in stderr and f"regel {p.line}" in stderr and "Traceback" not in stderr
    if where == CODEBOOK:  # the report reads the codebook (title, freeze date) before its preflight
        assert code == 2 and "het codebook is niet ingelezen" in stderr
    else:
        assert code == 1 and stderr.strip().splitlines()[-1].startswith("BUILD FAILED: de gegevens van 2018")
        assert not (tmp_path / "reports" / "2018").exists()
    _assert_private(failed, text)


def load_problems_of(raw, tmp_path) -> RawDataError:
    from helpers.load.export import build_processed

    with pytest.raises(RawDataError) as info:
        build_processed(2018, raw_dir=raw, processed_dir=tmp_path / "processed")
    return info.value


def _assert_private(failed, text: str) -> None:
    problems = failed / "problems.txt"
    assert text in problems.read_text(encoding="utf-8")
    assert stat.S_IMODE(failed.stat().st_mode) == 0o700 and stat.S_IMODE(problems.stat().st_mode) == 0o600
