"""Every entry point gives one clean, grouped message for bad inputs: export, codebook, frame, YAML, paths.

The loader (``build_processed``, used by ``monitor data``, by the build before any notebook runs and by
notebook 00) raises one RawDataError with every problem of every input file; the command line prints its
grouped summary, writes the full list to ``reports/<year>-failed/problems.txt`` and exits 2. No traceback,
no pointer to Python attributes.
"""

from __future__ import annotations

import pytest
from fixtures_export import make_raw_tree

from helpers import paths
from helpers.cli import main
from helpers.load.export import build_processed
from helpers.load.problems import RawDataError
from helpers.survey.input_errors import InputError, Problem, summary

R1, R2 = "R_000000000000001", "R_000000000000002"


@pytest.fixture
def raw(tmp_path):
    return make_raw_tree(tmp_path)


@pytest.fixture
def cli(tmp_path, raw, monkeypatch):
    """Run ``monitor`` against the temporary raw tree; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(paths, "RAW_DIR", raw)
    monkeypatch.setattr(paths, "PROCESSED_DIR", tmp_path / "processed")
    monkeypatch.setattr(paths, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)

    def run(capsys, *argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def load_problems(raw, tmp_path) -> RawDataError:
    with pytest.raises(RawDataError) as info:
        build_processed(2018, raw_dir=raw, processed_dir=tmp_path / "processed")
    return info.value


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- codebook ---------------------------------------------------------------------------------


def test_codebook_yaml_syntax(raw, tmp_path):
    edit(raw / "2018" / "codebook.yaml", "population_size: 8", "population_size: [8")
    err = load_problems(raw, tmp_path)
    p = err.problems[0]
    assert (p.kind, p.file) == ("yaml_syntax", str(raw / "2018" / "codebook.yaml"))
    assert p.line == 8 and p.message.startswith("Geen geldige YAML")


def test_codebook_duplicate_key_is_an_error(raw, tmp_path):
    edit(raw / "2018" / "codebook.yaml", "population_size: 8\n", "population_size: 8\npopulation_size: 9\n")
    p = load_problems(raw, tmp_path).problems[0]
    assert (p.kind, p.line) == ("duplicate_key", 8)
    assert "Sleutel 'population_size' staat twee keer in dezelfde lijst (eerst op regel 7)" in p.message


def test_codebook_duplicate_id_unknown_type_and_routing(raw, tmp_path):
    path = raw / "2018" / "codebook.yaml"
    edit(path, "id: cooperation", "id: additional_policy")
    edit(path, "type: count", "type: aantal")
    edit(path, "asked_if: {question: target_groups, selected: 1}", "asked_if: {question: target_group, selected: 1}")
    err = load_problems(raw, tmp_path)
    found = {p.kind: p for p in err.problems if "cooperation" not in p.message}  # its routing broke too
    assert set(found) == {"codebook_duplicate_id", "codebook_unknown_type", "codebook_routing"}
    assert "Vraag-id 'additional_policy' komt twee keer voor" in found["codebook_duplicate_id"].message
    assert found["codebook_unknown_type"].value == "aantal" and "single, multi, percent" in found[
        "codebook_unknown_type"].expected  # fmt: skip
    assert "verwijst naar een onbekende vraag 'target_group'" in found["codebook_routing"].message
    assert all(p.line for p in err.problems) and all(p.file.endswith("codebook.yaml") for p in err.problems)


def test_codebook_missing(raw, tmp_path):
    (raw / "2018" / "codebook.yaml").unlink()
    p = load_problems(raw, tmp_path).problems[0]
    assert (p.kind, p.message) == ("missing_file", "Het bestand bestaat niet.")


# --- frame -------------------------------------------------------------------------------------


def test_frame_missing(raw, tmp_path):
    (raw / "reference" / "gemeenten_2018.csv").unlink()
    p = load_problems(raw, tmp_path).problems[0]
    assert p.kind == "missing_file" and p.message == "De gemeentelijst bestaat niet."
    assert "frame_year" in p.action


def test_frame_missing_a_column(raw, tmp_path):
    path = raw / "reference" / "gemeenten_2018.csv"
    path.write_text(path.read_text().replace(",grootteklasse", ",klasse"))
    p = load_problems(raw, tmp_path).problems[0]
    assert (p.kind, p.line, p.message) == ("frame_column", 1, "Kolom 'grootteklasse' ontbreekt in de gemeentelijst.")


def test_frame_duplicate_row_and_bad_values(raw, tmp_path):
    path = raw / "reference" / "gemeenten_2018.csv"
    lines = path.read_text().splitlines()
    lines.append(lines[2])
    lines[3] = lines[3].replace("Middelgroot/klein", "Klein").replace(",G40", ",Groot")
    path.write_text("\n".join(lines) + "\n")
    err = load_problems(raw, tmp_path)
    dup = next(p for p in err.problems if p.kind == "frame_duplicate")
    assert dup.line == len(lines) and "(ook op regel 3)" in dup.message
    bad = next(p for p in err.problems if p.kind == "frame_value")
    assert (bad.line, bad.column) == (4, "grootteklasse")


# --- several inputs at once; the summary --------------------------------------------------------


def test_problems_of_several_files_come_together(raw, tmp_path):
    edit(raw / "2018" / "codebook.yaml", "population_size: 8\n", "population_size: 8\nmerger: x\n")
    err = load_problems(raw, tmp_path)
    assert err.problems[0].kind == "codebook_schema"
    assert "merger: onbekend veld" in err.problems[0].message


def test_summary_groups_and_counts_and_shows_examples():
    problems = [Problem("code_outside_scale", "Code buiten de schaal.", "e.csv", line=n, column="Q4", value="6",
                        action="Corrigeer.") for n in range(4, 204)]  # fmt: skip
    problems.append(Problem("missing_column", "Kolom ontbreekt.", "e.csv", line=3, column="Q9", action="Exporteer."))
    text = summary("e.csv", problems, "het bestand is niet ingelezen")
    assert text.splitlines()[0] == "e.csv: 201 fouten op 201 regels, 2 soorten; het bestand is niet ingelezen."
    assert "Code buiten de antwoordschaal (200×):" in text and "Verplichte kolom ontbreekt (1×):" in text
    assert text.count("Gevonden: '6'") == 3 and "… en nog 197×: regels 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, …" in text
    assert text.count("Oplossing: Corrigeer.") == 1 and len(text.splitlines()) < 15


def test_the_notebook_shows_the_summary_instead_of_a_traceback(raw, tmp_path):
    (raw / "2018" / "export.csv").unlink()
    err = load_problems(raw, tmp_path)
    lines = err._render_traceback_()  # what IPython prints (notebook 00 calls build_processed)
    assert lines[0] == "RawDataError:" and "De export bestaat niet." in "\n".join(lines)
    assert not any("Traceback" in line or "File " in line for line in lines)


# --- the command line ------------------------------------------------------------------------------


def test_cli_data_prints_the_grouped_list_and_writes_problems_txt(raw, cli, capsys, tmp_path):
    path = raw / "2018" / "export.csv"
    path.write_bytes(path.read_bytes().replace(b"R_000000000000002", b"R_000000000000001"))
    code, out, err = cli(capsys, "data", "--year", "2018")
    assert code == 2 and out == ""
    assert "Dubbele ResponseId (1×):" in err and "regel 4, kolom ResponseId (_recordId)" in err
    problems = tmp_path / "reports" / "2018-failed" / "problems.txt"
    assert f"Volledige lijst (1): {problems}" in err and "Dubbele ResponseId" in problems.read_text()
    assert "Traceback" not in err and ".problems" not in err


def test_cli_data_success_removes_a_stale_problem_list(raw, cli, capsys, tmp_path):
    stale = tmp_path / "reports" / "2018-failed" / "problems.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("oud")
    code, out, _ = cli(capsys, "data", "--year", "2018")
    assert code == 0 and "2 rijen gelezen, 2 behouden" in out and not stale.exists()


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda raw: (raw / "2018" / "codebook.yaml").write_text("year: [2018\n"), "Geen geldige YAML"),
        (lambda raw: (raw / "reference" / "gemeenten_2018.csv").unlink(), "De gemeentelijst bestaat niet."),
        (lambda raw: (raw / "2018" / "export.csv").unlink(), "De export bestaat niet."),
        (lambda raw: ((raw / "2018" / "export.csv").unlink(), (raw / "2018" / "export.csv").mkdir()), "Dit is een map"),
    ],
)
def test_cli_never_shows_a_traceback(raw, cli, capsys, damage, expected):
    damage(raw)
    code, _, err = cli(capsys, "data", "--year", "2018")
    assert code == 2 and expected in err and "Traceback" not in err


def test_cli_report_refuses_bad_data_before_running_notebooks(raw, cli, capsys, tmp_path):
    edit(raw / "2018" / "export.csv", "2018-03-10 09:20:01", "2018-02-30 09:20:01")
    nb = tmp_path / "notebooks"
    nb.mkdir()
    (nb / "00_data_preparation.ipynb").write_text(
        '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Data"}, {"cell_type": "code", '
        '"execution_count": null, "metadata": {"tags": ["parameters"]}, "outputs": [], "source": '
        '"year = 2018\\nbuild_dir = None"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    code, _, err = cli(capsys, "report", "--year", "2018", "--notebooks-dir", str(nb),
                       "--reports-dir", str(tmp_path / "reports"))  # fmt: skip
    lines = err.strip().splitlines()
    assert code == 1
    assert "Datum bestaat niet (1×):" in err and "regel 4, kolom RecordedDate (recordedDate)" in err
    problems = tmp_path / "reports" / "2018-failed" / "problems.txt"
    assert lines[-1] == (
        "BUILD FAILED: de gegevens van 2018 zijn niet in orde (1 fout(en)); geen notebook uitgevoerd. "
        f"Volledige lijst: {problems}"
    )
    assert problems.is_file() and not (tmp_path / "reports" / "2018").exists()
    assert "RawDataError" not in err and "Traceback" not in err


def test_input_error_is_a_value_error_with_every_problem():
    err = InputError("x.csv", [Problem("missing_file", "Het bestand bestaat niet.", "x.csv")])
    assert isinstance(err, ValueError) and str(err).startswith("x.csv: 1 fout;")


def test_cli_report_with_a_broken_codebook_gives_the_codebook_message(raw, cli, capsys, tmp_path):
    edit(raw / "2018" / "codebook.yaml", "freeze_date:", "freeze_date: [")
    code, _, err = cli(capsys, "report", "--year", "2018", "--notebooks-dir", str(tmp_path),
                       "--reports-dir", str(tmp_path / "reports"))  # fmt: skip
    assert code == 2 and "codebook.yaml: 1 fout op 1 regel; het codebook is niet ingelezen." in err
    assert "Ongeldige YAML (1×):" in err
    assert "Traceback" not in err and "Interne fout" not in err
