"""A new edition fails early and clearly: inputs that contradict each other are refused by ``make data``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import paths
from helpers.load.export import load_year
from helpers.survey.input_errors import InputError


@pytest.fixture
def raw(tmp_path) -> Path:
    """A copy of data/raw with the 2018 and 2019 editions and the reference files."""
    root = tmp_path / "raw"
    for part in ("2018", "2019", "reference"):
        shutil.copytree(paths.RAW_DIR / part, root / part)
    return root


def _kinds(raw: Path, year: int = 2019) -> dict[str, list]:
    with pytest.raises(InputError) as caught:
        load_year(year, raw_dir=raw)
    out: dict[str, list] = {}
    for p in caught.value.problems:
        out.setdefault(p.kind, []).append(p)
    return out


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_the_shipped_editions_pass(raw):
    assert len(load_year(2019, raw_dir=raw).municipalities) == 272


def test_population_size_must_be_the_frames(raw):
    _edit(raw / "2019" / "codebook.yaml", "population_size: 355", "population_size: 380")
    (problem,) = _kinds(raw)["population_size"]
    assert problem.line is not None and problem.value == "380" and problem.expected == "355"
    assert "Zet population_size op 355" in problem.action


def test_scaffold_placeholders_left_in_are_refused(raw):
    _edit(raw / "2019" / "codebook.yaml", 'freeze_date: "2019-04-09"',
          'freeze_date: "2019-04-09"  # TODO: placeholder from new-year; fill in the real date')  # fmt: skip
    (problem,) = _kinds(raw)["placeholder_left"]
    assert problem.line == 1 + next(
        i for i, line in enumerate((raw / "2019" / "codebook.yaml").read_text().splitlines()) if "TODO" in line
    )


def test_a_merger_table_must_map_every_vanished_code_with_shares_adding_up(raw):
    table = raw / "reference" / "herindelingen_2019.csv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    bedum = next(line for line in lines if line.startswith("GM0005"))
    winsum = [line for line in lines if line.startswith("GM0053")]
    text = "".join(line for line in lines if line is not bedum)
    text = text.replace(winsum[0], winsum[0].replace(winsum[0].rstrip().split(",")[-1], "0.5"))
    table.write_text(text, encoding="utf-8")
    kinds = _kinds(raw)
    assert "GM0005" in kinds["merger_missing"][0].message
    assert [p.message.split()[3] for p in kinds["merger_shares"]] == ["GM0053"]


def test_an_answer_scale_changed_under_the_old_id_is_refused(raw):
    _edit(raw / "2019" / "codebook.yaml", "      - {code: 4, key: in_development, label: Is in ontwikkeling}",
          "      - {code: 4, key: in_development, label: Is in ontwikkeling}\n"
          "      - {code: 5, key: dont_know, label: Weet niet}")  # fmt: skip
    (problem,) = _kinds(raw)["scale_changed"]
    assert "additional_policy" in problem.message and "replaces: [additional_policy]" in problem.message


def test_a_question_column_the_codebook_does_not_know_is_refused_and_a_renumbering_named(raw):
    # the survey tool renumbered QID3 (additional_policy) to QID77; the codebook still says QID3
    export = raw / "2019" / "export.csv"
    _edit(export, '{""ImportId"":""QID3""}', '{""ImportId"":""QID77""}')
    kinds = _kinds(raw)
    (unknown,) = kinds["unknown_question_column"]
    assert unknown.import_id == "QID77" and "vraag additional_policy" in unknown.message
    assert "hernummerd" in unknown.message and "ignored_columns" in unknown.action
    assert any(p.import_id == "QID3" for p in kinds["missing_column"])


def test_ignored_columns_are_read_past(raw):
    export = raw / "2019" / "export.csv"
    text = export.read_bytes().decode("utf-8-sig")
    header, labels, ids, *rows = text.split("\r\n")
    extra = ['"Q99"', '"Extra vraag voor een ander onderzoek"', '"{""ImportId"":""QID99""}"']
    lines = [header + "," + extra[0], labels + "," + extra[1], ids + "," + extra[2]]
    lines += [r + "," if r else r for r in rows]
    export.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    assert "unknown_question_column" in _kinds(raw)
    cb = raw / "2019" / "codebook.yaml"
    cb.write_text(cb.read_text(encoding="utf-8") + "\nignored_columns:\n  QID99: vraag voor een ander onderzoek\n")
    assert len(load_year(2019, raw_dir=raw).municipalities) == 272


def test_map_polygons_of_another_year_are_refused(raw):
    shutil.copy2(raw / "reference" / "gemeenten_2018.geojson", raw / "reference" / "gemeenten_2019.geojson")
    (problem,) = _kinds(raw)["polygons_frame"]
    assert problem.file.endswith("gemeenten_2019.geojson") and problem.value == "380 gebieden"
    assert problem.expected == "355 gemeenten van gemeenten_2019.csv" and "GM0005" in problem.message


def test_frame_change_names_mergers_divisions_and_counts():
    from helpers.analysis.frame_change import frame_change
    from helpers.report.phrases import frame_change_sentence

    change = frame_change(2018, 2019)
    assert (change.n_before, change.n_after, change.changed) == (380, 355, True)
    assert any(m.new == ("Het Hogeland",) and "Bedum" in m.old for m in change.merged)
    assert [m.old for m in change.divided] == [("Winsum",)]
    assert not frame_change(2019, 2019).changed
    text = frame_change_sentence(change, 2018, 2019)
    assert "telt 355 gemeenten, die van 2018 (1 januari 2018) 380" in text and "Winsum werd verdeeld" in text


def test_the_changes_page_says_when_the_frame_differs():
    from helpers.analysis.comparisons import share_change
    from helpers.analysis.edition_changes import ShareChange
    from helpers.publish.registers.compare import frame_notes
    from helpers.survey.codebook import load_codebook

    q = load_codebook(paths.codebook_path(2019)).question("additional_policy")

    def compared(y0: int, y1: int) -> ShareChange:
        return ShareChange(q, "Ja", "yes", share_change((y0, 70.0, 280, 380), (y1, 72.0, 272, 355)), "berekend")

    (note,) = frame_notes([compared(2018, 2019)], 2019)
    assert "(1 januari 2019, 355 gemeenten)" in note and "(1 januari 2018, 380 gemeenten)" in note
    assert frame_notes([compared(2019, 2020)], 2020) == []  # the same frame: nothing to say
    assert frame_notes([compared(2017, 2019)], 2019) == []  # 2017 is known from its publication only
