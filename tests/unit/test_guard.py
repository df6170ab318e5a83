"""Real survey data stays out of git: the content check behind the pre-commit hook, and the hook itself (offline).

Every hostile file is built in ``tmp_path`` from the shipped synthetic export or the processed tables of
2018, with one answer changed where needed so that its bytes are not those of a recorded synthetic export.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import shutil
import subprocess
import tarfile
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from helpers.load import content_scan
from helpers.load.content_scan import Table
from helpers.load.guard import (
    HASHES_FILE,
    MARKER,
    check_file,
    check_files,
    content_findings,
    hash_problems,
    record_export,
    recorded_hashes,
    sha256,
    table_finding,
)

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "data" / "raw" / "2018" / "export.csv"
REFERENCE = ROOT / "data" / "raw" / "reference"
EXPORT_FOUND = "kopregels van een survey-export (ImportId)"
WHAT_TO_DO = "$MONITOR_DATA_DIR"


def _real_export() -> bytes:
    """The synthetic export with one open answer changed: what a real export looks like to the guard."""
    data = EXPORT.read_bytes()
    return data.replace(MARKER.encode() + b" ", b"", 1)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _refused(path: Path, found: str) -> str:
    reasons = check_file(path)
    assert len(reasons) == 1, reasons
    assert reasons[0].startswith(str(path)) and found in reasons[0], reasons[0]
    assert WHAT_TO_DO in reasons[0] and f"git restore --staged {path}" in reasons[0]
    return reasons[0]


@pytest.fixture(scope="module")
def processed() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(municipalities, respondents) of 2018, loaded from the synthetic export as ``make data`` does."""
    from helpers.load.export import load_year

    os.environ.pop("MONITOR_DATA_DIR", None)
    result = load_year(2018)
    return result.municipalities, result.respondents


# --- the bypasses of the name-based guard ---------------------------------------------------------


def test_a_renamed_export_is_refused_by_its_header_rows(tmp_path):
    _refused(_write(tmp_path / "docs" / "aantekeningen.md", _real_export()), EXPORT_FOUND + " met 173 antwoordregel")


def test_a_tsv_saved_as_txt_is_refused(tmp_path):
    text = _real_export().decode("utf-8-sig")
    tsv = "\n".join("\t".join(row) for row in _rows(text))
    _refused(_write(tmp_path / "data" / "lijst.txt", tsv.encode()), EXPORT_FOUND)


def _rows(text: str) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("folder", ["data/raw/2018", "docs"])
def test_xlsx_and_parquet_with_answers_are_refused_anywhere(tmp_path, processed, folder):
    municipalities, _ = processed
    xlsx, parquet = io.BytesIO(), io.BytesIO()
    municipalities.head(40).to_excel(xlsx, index=False)  # a few rows: writing xlsx is slow
    municipalities.to_parquet(parquet, index=False)
    found = "gemeentecode(s) uit het kader met antwoorden"
    reason = _refused(_write(tmp_path / folder / "tabel.xlsx", xlsx.getvalue()), found)
    assert "(in het archief: blad Sheet1)" in reason
    _refused(_write(tmp_path / folder / "tabel.parquet", parquet.getvalue()), found)


def test_xlsx_and_parquet_without_answers_pass_under_data(tmp_path):
    frame = pd.read_csv(REFERENCE / "gemeenten_2018.csv")
    xlsx, parquet = io.BytesIO(), io.BytesIO()
    frame.to_excel(xlsx, index=False)
    frame.to_parquet(parquet, index=False)
    assert check_file(_write(tmp_path / "data" / "frame.xlsx", xlsx.getvalue())) == []
    assert check_file(_write(tmp_path / "data" / "frame.parquet", parquet.getvalue())) == []


def test_an_export_as_csv_gz_is_refused_naming_the_wrapper(tmp_path):
    reason = _refused(_write(tmp_path / "export.csv.gz", gzip.compress(_real_export())), EXPORT_FOUND)
    assert "(in het archief: (gzip-inhoud))" in reason


def test_an_export_inside_a_tar_is_refused_naming_the_member(tmp_path):
    reason = _refused(_write(tmp_path / "backup.tar", _tar({"oud/antwoorden.csv": _real_export()})), EXPORT_FOUND)
    assert "(in het archief: oud/antwoorden.csv)" in reason


def _tar(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_file_without_extension_is_refused(tmp_path):
    _refused(_write(tmp_path / "data" / "raw" / "2021" / "EXPORT", _real_export()), EXPORT_FOUND)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_a_copy_in_another_encoding_is_refused(tmp_path, encoding):
    # the synthetic export itself: in another encoding its bytes are not the recorded ones
    text = EXPORT.read_bytes().decode("utf-8-sig")
    data = text.encode(encoding, errors="replace")
    _refused(_write(tmp_path / "export_excel.csv", data), EXPORT_FOUND)


def test_an_export_whose_open_answers_are_empty_is_refused(tmp_path):
    rows = _rows(EXPORT.read_bytes().decode("utf-8-sig"))
    text_columns = [i for i, name in enumerate(rows[0]) if "_TEXT" in name]
    for row in rows[3:]:
        for i in text_columns:
            row[i] = ""
    out = io.StringIO()
    import csv

    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path = _write(tmp_path / "data" / "raw" / "2018" / "export.csv", out.getvalue().encode("utf-8-sig"))
    (path.parent / "codebook.yaml").write_text("synthetic: true\n")  # a flag no longer lets anything through
    _refused(path, EXPORT_FOUND + " met 173 antwoordregel")


def test_a_derived_per_municipality_csv_is_refused(tmp_path, processed):
    municipalities, _ = processed
    derived = municipalities[["gemeentecode", "gemeentenaam", "additional_policy"]].head(12)
    reason = _refused(
        _write(tmp_path / "figuren" / "kaart.csv", derived.to_csv(index=False).encode()),
        "12 gemeentecode(s) uit het kader met antwoorden: 1 kolom(men) die geen gegevens uit de gemeentelijst zijn, "
        "bv. 'additional_policy'",
    )
    assert "Amsterdam" not in reason and "Ja" not in reason  # a refusal never repeats the data


# --- every format, delimiter and wrapper ---------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_delimiter_of_a_derived_table(tmp_path, processed, delimiter):
    municipalities, _ = processed
    derived = municipalities[["gemeentecode", "measures_offered__1"]].head(5)
    path = _write(tmp_path / "x.dat", derived.to_csv(index=False, sep=delimiter).encode("cp1252"))
    _refused(path, "5 gemeentecode(s) uit het kader met antwoorden")


@pytest.mark.parametrize(
    ("wrap", "where"),
    [
        (gzip.compress, "(gzip-inhoud)"),
        (bz2.compress, "(bz2-inhoud)"),
        (lzma.compress, "(xz-inhoud)"),
        (lambda d: _zip({"a/export.csv": d}), "a/export.csv"),
        (lambda d: gzip.compress(_tar({"x/y.csv": d})), "(gzip-inhoud) → x/y.csv"),
        (lambda d: _zip({"in.tar.xz": lzma.compress(_tar({"deep/e": bz2.compress(d)}))}),
         "in.tar.xz → (xz-inhoud) → deep/e → (bz2-inhoud)"),
    ],
)  # fmt: skip
def test_wrappers_and_nested_archives_are_opened(tmp_path, wrap, where):
    reason = _refused(_write(tmp_path / "pakket.bin", wrap(_real_export())), EXPORT_FOUND)
    assert f"(in het archief: {where})" in reason


def test_processed_tables_in_every_format_are_refused(tmp_path, processed):
    municipalities, respondents = processed
    files = {
        "m.feather": _bytes(municipalities.reset_index(drop=True).to_feather),
        "m.json": municipalities.to_json(orient="records").encode(),
        "m.jsonl": municipalities.to_json(orient="records", lines=True).encode(),
        "m_split.json": municipalities.to_json(orient="split").encode(),
        "m_transposed.csv": municipalities.set_index("gemeentecode")[["additional_policy"]].T.to_csv().encode(),
        "m_printed.txt": municipalities[["gemeentecode", "additional_policy"]].head(9).to_string().encode(),
        "r.parquet": _bytes(lambda b: respondents.to_parquet(b, index=False)),
        "r_without_codes.csv": respondents.drop(columns=["gemeentecodes"]).to_csv(index=False).encode(),
        "no_keys.csv": municipalities.drop(columns=["gemeentecode", "respondent_id"]).to_csv(index=False).encode(),
    }
    expected = {
        "m_transposed.csv": "282 gemeentecode(s) uit het kader als kolomnamen met antwoorden",
        "r_without_codes.csv": "168 respondent(en) (ResponseId in 'respondent_id')",
        "no_keys.csv": "antwoordkolommen uit het codebook",
    }
    for name, data in files.items():
        _refused(_write(tmp_path / name, data), expected.get(name, "gemeentecode(s) uit het kader met antwoorden"))


def _bytes(write) -> bytes:
    out = io.BytesIO()
    write(out)
    return out.getvalue()


def _encrypted_zip(out: io.BytesIO) -> None:
    """A zip whose member is marked encrypted (bit 0 of the flags), as a password-protected zip is."""
    data = bytearray(_zip({"antwoorden.csv": b"versleuteld"}))
    data[6] |= 0x1  # local file header
    data[data.index(b"PK\x01\x02") + 8] |= 0x1  # central directory
    out.write(bytes(data))


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"$FL2@(#) IBM SPSS STATISTICS" + bytes(200), "een SPSS-databestand"),
        (b"<stata_dta><header>" + bytes(100), "een Stata-databestand"),
        (_bytes(_encrypted_zip), "een versleuteld bestand"),
    ],
)
def test_formats_that_cannot_be_inspected_are_refused(tmp_path, data, what):
    _refused(_write(tmp_path / "bestand.dat", data), what)


def test_a_zip_bomb_ends_within_the_limits(tmp_path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(200_000_000))
    nested = _real_export()
    for _ in range(content_scan.MAX_DEPTH + 2):
        nested = gzip.compress(nested)
    many = _zip({f"f{i}.txt": b"a" for i in range(content_scan.MAX_MEMBERS + 5)})
    cases = {
        "bomb.zip": (bomb.getvalue(), "uitgepakt meer dan 8 MB"),
        "deep.gz": (nested, f"dieper dan {content_scan.MAX_DEPTH} lagen"),
        "many.zip": (many, f"meer dan {content_scan.MAX_MEMBERS} bestanden"),
    }
    for name, (data, what) in cases.items():
        path = _write(tmp_path / name, data)
        tracemalloc.start()  # the limit is on what is unpacked, not on the clock: measure memory, not time
        try:
            _refused(path, what)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < content_scan.MAX_UNPACKED, (name, peak)


# --- what passes, and why ---------------------------------------------------------------------------


def test_the_shipped_synthetic_exports_pass_by_their_recorded_hash(tmp_path):
    recorded = recorded_hashes()
    tracked = subprocess.run(["git", "ls-files", "data/raw/*/export*"], cwd=ROOT, capture_output=True, text=True)
    exports = tracked.stdout.split()
    assert exports and sorted(exports) == sorted(recorded.values())
    for path in exports:
        assert check_file(ROOT / path) == []
        assert content_findings((ROOT / path).read_bytes())  # by content they are exports: the hash lets them pass
    assert check_file(_write(tmp_path / "kopie" / "voorbeeld.csv", EXPORT.read_bytes())) == []


def test_the_recorded_hashes_match_the_shipped_files(tmp_path):
    assert hash_problems() == []
    changed = tmp_path / "data" / "raw" / "2018" / "export.csv"
    _write(changed, _real_export())
    listing = _write(
        tmp_path / "hashes.sha256", f"# comment\n{sha256(EXPORT.read_bytes())}  data/raw/2018/export.csv\n".encode()
    )
    assert "data/raw/2018/export.csv is veranderd" in hash_problems(listing, tmp_path)[0]
    assert HASHES_FILE.read_text().startswith("#")  # the file says how to update it


def test_recording_a_new_synthetic_export_and_refusing_a_real_one(tmp_path):
    year = tmp_path / "data" / "raw" / "2021"
    export = _write(year / "export.csv", EXPORT.read_bytes().replace(b"2018-03-05 17:34:21", b"2018-03-05 17:34:22"))
    (year / "codebook.yaml").write_text("year: 2021\nsynthetic: true\n")
    listing = tmp_path / "hashes.sha256"
    listing.write_text("# how to update\n")
    assert "vastgelegd" in record_export(export, listing)
    assert sha256(export.read_bytes()) in recorded_hashes(listing) and listing.read_text().startswith("# how")
    _write(export, _real_export())
    with pytest.raises(ValueError, match=r"1 open antwoord\(en\) beginnen niet met '\(synthetisch\)'"):
        record_export(export, listing)
    (year / "codebook.yaml").write_text("year: 2021\nsynthetic: false\n")
    with pytest.raises(ValueError, match="zegt niet synthetic: true"):
        record_export(export, listing)


@pytest.mark.parametrize(
    "name", ["gemeenten_2018.csv", "gemeenten_2019.csv", "herindelingen_2019.csv", "gemeenten_2018.geojson"]
)
def test_reference_files_pass_because_every_column_is_frame_data(tmp_path, name):
    data = (REFERENCE / name).read_bytes()
    assert content_findings(data) == []
    # the same file with one extra column of answers is refused: it passed for its content, not its name
    if name.endswith(".csv"):
        lines = data.decode("utf-8-sig").splitlines()
        extra = [lines[0] + ",beleid"] + [line + (",ja" if i % 2 else ",nee") for i, line in enumerate(lines[1:])]
        _refused(_write(tmp_path / name, "\n".join(extra).encode()), "gemeentecode(s) uit het kader met antwoorden")
    else:
        geo = json.loads(data)
        for i, feature in enumerate(geo["features"]):
            feature["properties"]["beleid"] = "ja" if i % 2 else "nee"
        _refused(_write(tmp_path / name, json.dumps(geo).encode()), "gemeentecode(s) uit het kader met antwoorden")


def test_a_column_that_only_looks_like_frame_data_is_still_an_answer():
    rows = [["gemeentecode", "x"], *[[code, "1"] for code in ("GM0003", "GM0005", "GM0009", "GM0010")]]
    assert "met antwoorden" in table_finding(Table((), rows))  # a constant 1 is not the merger share
    rows = [["gemeentecode", "aandeel"], *[[code, "1"] for code in ("GM0003", "GM0005", "GM0009", "GM0010")]]
    assert table_finding(Table((), rows)) == ""


def test_aggregated_tables_and_lists_of_municipalities_pass(tmp_path, processed):
    municipalities, _ = processed
    names = municipalities[["gemeentecode", "gemeentenaam", "provincie", "grootteklasse"]]
    assert check_file(_write(tmp_path / "respons.csv", names.to_csv(index=False).encode())) == []
    shares = municipalities.groupby("grootteklasse", observed=True)["additional_policy"].value_counts(normalize=True)
    assert check_file(_write(tmp_path / "figuur.csv", shares.reset_index().to_csv(index=False).encode())) == []
    other = _write(tmp_path / "gemeenten.csv", b"gemeentecode,gemeentenaam\nGM0014,Groningen\n")
    assert check_file(other) == []


def test_large_files_are_refused(tmp_path):
    big = _write(tmp_path / "notes.txt", b"x" * 2_100_000)
    assert "meer dan 2 MB" in check_file(big)[0]


def test_the_repository_itself_passes():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert check_files(ROOT / line for line in tracked.splitlines()) == []


# --- the hook ---------------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path):
    """A fresh git repository with this project's hook configuration, .venv and installer (no network)."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "install-hooks.sh", repo / "scripts")
    shutil.copy2(ROOT / ".pre-commit-config.yaml", repo)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    env = os.environ | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "t",
                        "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "http_proxy": "http://127.0.0.1:9",
                        "https_proxy": "http://127.0.0.1:9"}  # fmt: skip
    env.pop("MONITOR_DATA_DIR", None)

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env)

    git("init", "-q")
    (repo / ".gitignore").write_text(".venv\n")
    git("add", ".")
    assert git("commit", "-qm", "start").returncode == 0
    out = subprocess.run(["scripts/install-hooks.sh"], cwd=repo, capture_output=True, text=True, env=env)
    assert out.returncode == 0 and "git hook installed" in out.stdout, out.stdout + out.stderr
    return repo, git


def test_after_setup_a_commit_of_a_real_export_is_refused_offline(repo):
    root, git = repo
    _write(root / "backup" / "oud.csv.gz", gzip.compress(_real_export()))
    git("add", "-f", "backup")
    result = git("commit", "-m", "echte export")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "backup/oud.csv.gz (in het archief: (gzip-inhoud)): " + EXPORT_FOUND in output
    assert "git restore --staged backup/oud.csv.gz" in output
    assert git("log", "--oneline").stdout.count("\n") == 1  # nothing committed


def test_after_setup_a_synthetic_export_can_be_committed(repo):
    root, git = repo
    _write(root / "data" / "raw" / "2018" / "export.csv", EXPORT.read_bytes())
    git("add", "-f", "data")
    result = git("commit", "-m", "synthetische export")
    assert result.returncode == 0, result.stdout + result.stderr


def test_codebook_turned_non_synthetic_beside_a_tracked_export_is_refused(repo):
    root, git = repo
    _write(root / "data" / "raw" / "2018" / "export.csv", EXPORT.read_bytes())
    (root / "data" / "raw" / "2018" / "codebook.yaml").write_text("year: 2018\nsynthetic: true\n")
    git("add", "-f", "data")
    assert git("commit", "-qm", "synthetisch").returncode == 0
    codebook = root / "data" / "raw" / "2018" / "codebook.yaml"
    codebook.write_text(codebook.read_text().replace("synthetic: true", "synthetic: false"))
    git("add", "-f", "data")
    result = git("commit", "-m", "echt")
    assert result.returncode != 0 and "zegt synthetic: false, terwijl data/raw/2018/export.csv in git staat" in (
        result.stdout + result.stderr
    )


def test_the_command_line_records_and_checks(tmp_path):
    monitor = [str(ROOT / ".venv" / "bin" / "python"), "-m", "helpers", "check-commit"]
    path = _write(tmp_path / "export", _real_export())
    out = subprocess.run([*monitor, str(path)], capture_output=True, text=True)
    assert out.returncode != 0 and EXPORT_FOUND in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([*monitor, "--record", str(path)], capture_output=True, text=True)
    assert out.returncode != 0 and "niets vastgelegd" in out.stderr and "Traceback" not in out.stderr
