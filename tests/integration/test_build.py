"""End-to-end build of the stub notebooks (tests/fixtures/notebooks): PDF, HTML, cache, failures."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_client.manager import AsyncKernelManager
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell
from process_helpers import pid_ended, wait_for, wait_for_exit, wait_for_file
from stub_project import FIXTURES, TEMPLATES, make_stub_project

from helpers.cli import main
from helpers.publish import BuildError, BuildOptions, build_report
from helpers.publish.base.repro import SYNTHETIC_NOTE
from helpers.publish.render.pdf import LatexError, render_pdf
from helpers.survey.vocabulary import INDICATOR_COLUMNS

pytestmark = pytest.mark.slow

YEAR = 2018
#: A cell that says (atomically) which kernel runs it, then never ends.
_RUNS_FOREVER = """\
import os, threading
from pathlib import Path
_tmp = Path({marker!r} + ".tmp")
_tmp.write_text(str(os.getpid()))
os.replace(_tmp, {marker!r})
threading.Event().wait()"""


def _hashes(report: Path) -> dict[str, str]:
    files = [report / f"monitor_{YEAR}.pdf", *sorted((report / "site").glob("*.html"))]
    return {f.relative_to(report).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def _every_file(report: Path) -> dict[str, str]:
    """sha256 of every file of a report but its manifest (which holds the seconds of each run)."""
    files = [f for f in sorted(report.rglob("*")) if f.is_file() and f.name != "build-manifest.json"]
    return {f.relative_to(report).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def _mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


def _add_cell(path: Path, source: str, index: int = 5) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].insert(index, {"cell_type": "code", "execution_count": None, "id": "added", "metadata": {},
                               "outputs": [], "source": source})  # fmt: skip
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of the stubs, fixed cache inputs and one cold build; later tests reuse the report."""
    root = tmp_path_factory.mktemp("build")
    make_stub_project(root)
    kw = {
        "codebook": root / "codebook.yaml",
        "inputs": [root / "raw"],
        "helpers_dir": root / "helpers",
        "templates_dir": TEMPLATES,
        "authors": ["Onderzoek & Statistiek"],
        "log": lambda line: None,
    }
    first = build_report(YEAR, root / "notebooks", root / "reports", BuildOptions(jobs=2, **kw))
    return {"root": root, "kw": kw, "first": first, "hashes": _hashes(first.report_dir)}


def test_cold_build_writes_pdf_html_executed_and_indicators(project: dict) -> None:
    res, report = project["first"], project["root"] / "reports" / str(YEAR)
    assert res.rendered and res.cached == [] and res.executed[0] == "00_data_preparation"
    assert res.executed[-1] == "01_conclusions"
    stubs = sorted(p.name for p in FIXTURES.glob("*.ipynb"))
    assert sorted(p.name for p in (report / "executed").glob("*.ipynb")) == stubs
    # six chapter pages, the index, the comparison with the previous edition and the claims register
    assert (report / "site" / "index.html").is_file() and len(list((report / "site").glob("*.html"))) == 9
    header = (report / "indicators.csv").read_text().splitlines()[0]
    assert header == ",".join(INDICATOR_COLUMNS)
    executed = (report / "executed" / "03_policy.ipynb").read_text()
    assert "start_time" not in executed and ".tmp-" not in executed and '"execution_count": null' in executed
    assert sorted(p.name for p in (project["root"] / "reports").iterdir()) == ["2018"]  # the lock went with the build


def test_pdf_has_title_page_toc_captions_dutch_glyphs_and_a_long_table(project: dict) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(project["first"].pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    first_page = " ".join(text.split("\f")[0].split())
    assert f"vluchtelingen Editie {YEAR}" in first_page and SYNTHETIC_NOTE in first_page  # the year once
    assert "Onderzoek & Statistiek" in first_page and "Datastand: 10 april 2018" in first_page
    assert "Inhoudsopgave" in text and "Hoofdstuk 3" in text and "Bijlage A" in text
    for caption in ["Figuur 3.1", "Figuur 3.2", "Tabel 2.1", "Tabel 5.1", "Tabel A.1"]:
        assert caption in text, caption
    for glyph in "ë€≥‘’“”":
        assert glyph in text, glyph
    long_table_pages = [p for p in text.split("\f") if "Gemeente 0" in p or "Gemeente 7" in p]
    assert len(long_table_pages) >= 2 and all("% met diploma" in p for p in long_table_pages)
    assert "build_dir" not in text and "import" not in text and "export gelezen" not in text
    info = subprocess.run(["pdfinfo", str(project["first"].pdf)], capture_output=True, text=True, check=True).stdout
    assert "Apr 10 00:00:00 2018" in info


def test_html_folds_code_and_has_navigation(project: dict) -> None:
    html_dir = project["first"].report_dir / "site"
    page = (html_dir / "03_policy.html").read_text(encoding="utf-8")
    assert '<details class="monitor-code"><summary>Code' in page and "<details open" not in page
    assert (
        '<figcaption><span class="monitor-ref">Figuur 3.1</span>' in page
        and 'href="index.html"' in page
        and "<script src=" not in page
    )
    index = (html_dir / "index.html").read_text(encoding="utf-8")
    assert index.index("01_conclusions.html") < index.index("02_introduction_response.html")
    assert index.index("05_education.html") < index.index("00_data_preparation.html")


def test_nothing_changed_executes_nothing(project: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """No kernel starts and no report file is written (the evidence; the time it takes is ``make bench``'s)."""
    launched: list[object] = []
    launch = AsyncKernelManager._async_launch_kernel

    async def counted(self, *args, **kwargs):
        launched.append(args)
        return await launch(self, *args, **kwargs)

    monkeypatch.setattr(AsyncKernelManager, "_async_launch_kernel", counted)
    report = project["root"] / "reports" / str(YEAR)
    before = _mtimes(report)
    again = build_report(
        YEAR, project["root"] / "notebooks", project["root"] / "reports", BuildOptions(**project["kw"])
    )
    assert again.executed == [] and not again.rendered
    assert launched == [], "a kernel was started although nothing changed"
    assert _mtimes(report) == before, "a report file was written although nothing changed"


def test_forced_rebuild_is_byte_identical(project: dict) -> None:
    forced = build_report(
        YEAR, project["root"] / "notebooks", project["root"] / "reports", BuildOptions(force=True, **project["kw"])
    )
    assert forced.rendered and len(forced.executed) == 6
    assert _hashes(forced.report_dir) == project["hashes"]


def test_one_chapter_edit_reexecutes_that_chapter_and_01(project: dict) -> None:
    nbdir = project["root"] / "notebooks"
    nb = json.loads((nbdir / "05_education.ipynb").read_text())
    nb["cells"].append(new_code_cell('print("Een extra regel.")', id="extra"))
    (nbdir / "05_education.ipynb").write_text(json.dumps(nb))
    res = build_report(YEAR, nbdir, project["root"] / "reports", BuildOptions(**project["kw"]))
    assert res.executed == ["05_education", "01_conclusions"] and res.rendered
    assert (res.report_dir / "indicators.csv").read_text().count("\n") == 8  # header + rows of 4 chapters
    assert _hashes(res.report_dir)["site/03_policy.html"] == project["hashes"]["site/03_policy.html"]


def test_a_prose_edit_runs_no_kernel_and_gives_what_a_run_gives(project: dict, tmp_path: Path) -> None:
    nbdir, lines = project["root"] / "notebooks", []
    original = (nbdir / "04_start_guidance.ipynb").read_text()
    nb = json.loads(original)
    nb["cells"].insert(2, new_markdown_cell("Een alinea erbij, midden in het hoofdstuk.", id="prose"))
    (nbdir / "04_start_guidance.ipynb").write_text(json.dumps(nb))
    res = build_report(YEAR, nbdir, project["root"] / "reports", BuildOptions(**dict(project["kw"], log=lines.append)))
    assert res.executed == [] and res.prose_only == ["04_start_guidance", "01_conclusions"] and res.rendered
    assert any("04_start_guidance: alleen de tekst gewijzigd" in line for line in lines), lines
    reused = _every_file(res.report_dir)
    assert "midden in het hoofdstuk" in (res.report_dir / "site" / "04_start_guidance.html").read_text()
    forced = build_report(YEAR, nbdir, project["root"] / "reports", BuildOptions(force=True, **project["kw"]))
    assert "04_start_guidance" in forced.executed
    assert _every_file(forced.report_dir) == reused  # byte for byte what running the notebook gives
    nb["cells"][2]["source"] = "## Een kop erbij\n\nEen kop verandert waar de cellen staan."
    (nbdir / "04_start_guidance.ipynb").write_text(json.dumps(nb))
    res = build_report(YEAR, nbdir, project["root"] / "reports", BuildOptions(**project["kw"]))
    assert "04_start_guidance" in res.executed and res.prose_only == []  # a heading is not prose alone
    (nbdir / "04_start_guidance.ipynb").write_text(original)


def test_failing_cell_keeps_previous_report_and_prints_one_line(
    project: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project["root"]
    shutil.copytree(root / "notebooks", tmp_path / "notebooks")
    _add_cell(tmp_path / "notebooks" / "04_start_guidance.ipynb", 'lookup = {}\nlookup["x"]')
    before = _hashes(root / "reports" / str(YEAR))
    code = main(["report", "--year", str(YEAR), "--notebooks-dir", str(tmp_path / "notebooks"),
                 "--reports-dir", str(root / "reports"), "--freeze-date", "2018-04-10"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "BUILD FAILED: 04_start_guidance.ipynb, cel 5 (onder ‘Moment van start’): KeyError: 'x'"
    assert _hashes(root / "reports" / str(YEAR)) == before
    kept = root / "reports" / f"{YEAR}-failed" / "04_start_guidance.ipynb"
    assert kept.is_file() and "KeyError" in kept.read_text()
    assert not list((root / "reports").glob(".tmp-*"))


def test_ctrl_c_kills_kernels_and_leaves_no_half_written_report(project: dict, tmp_path: Path, spawn) -> None:
    """Ctrl-C once 03's kernel runs a cell that never ends: the build stops, kills that kernel, keeps the report.

    Every wait is on an event (the kernel wrote its pid; the build ended) with a hang guard only; the
    build has its own reports folder, and ``spawn`` kills it and its kernels in teardown, pass or fail.
    """
    reports, started = tmp_path / "reports", tmp_path / "kernel-started"
    shutil.copytree(project["root"] / "reports", reports, ignore=shutil.ignore_patterns(".lock-*", ".tmp-*"))
    shutil.copytree(project["root"] / "notebooks", tmp_path / "notebooks")
    _add_cell(tmp_path / "notebooks" / "03_policy.ipynb", _RUNS_FOREVER.format(marker=str(started)))
    before = _hashes(reports / str(YEAR))
    cmd = [sys.executable, "-m", "helpers", "report", "--year", str(YEAR),
           "--notebooks-dir", str(tmp_path / "notebooks"), "--reports-dir", str(reports),
           "--freeze-date", "2018-04-10", "--jobs", "2"]  # fmt: skip
    proc = spawn(cmd, reports_dir=reports, stderr=subprocess.PIPE, text=True)
    kernel = int(wait_for_file(started, "03_policy's kernel runs the endless cell", alive=proc))
    proc.send_signal(signal.SIGINT)
    _, err = wait_for_exit(proc, "the build after Ctrl-C (a kernel left running keeps it waiting)")
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith(f"BUILD INTERRUPTED: {YEAR}")
    wait_for(lambda: pid_ended(kernel), "03_policy's kernel ended (the build returned without killing it)")
    assert not list(reports.glob(".tmp-*")) and not list(reports.glob(".old-*"))
    assert _hashes(reports / str(YEAR)) == before


def test_unknown_parameter_fails_before_running(project: dict) -> None:
    with pytest.raises(BuildError, match=r"unknown parameter\(s\) jaar"):
        options = BuildOptions(force=True, parameters={"jaar": 2019}, **project["kw"])
        build_report(YEAR, project["root"] / "notebooks", project["root"] / "reports", options)


def test_glyph_missing_from_the_font_fails_the_pdf(tmp_path: Path) -> None:
    nb = new_notebook(cells=[new_markdown_cell("# Test\n\nChinees: 漢字"), new_code_cell("")])
    nb.metadata.update(title="T", monitor={"year": YEAR, "synthetic": False, "freeze_date_nl": "1 april 2018"})
    with pytest.raises(LatexError, match="Missing character: There is no 漢"):
        render_pdf(nb, tmp_path / "x.pdf", TEMPLATES, keep_dir=tmp_path / "kept")
    assert (tmp_path / "kept" / "x.log").is_file() and (tmp_path / "kept" / "x.tex").is_file()
    assert not (tmp_path / "x.pdf").exists()


def test_latex_error_is_one_line_and_keeps_the_log(tmp_path: Path) -> None:
    nb = new_notebook(
        cells=[new_markdown_cell("# Test"), new_raw_cell("\\undefinedmacro", metadata={"raw_mimetype": "text/latex"})]
    )
    nb.metadata.update(title="T", monitor={"year": YEAR, "synthetic": False, "freeze_date_nl": "1 april 2018"})
    with pytest.raises(LatexError, match=r"^LaTeX: ! Undefined control sequence\. \(log: .*kept/y\.log\)$"):
        render_pdf(nb, tmp_path / "y.pdf", TEMPLATES, keep_dir=tmp_path / "kept")


def test_01_is_taken_over_when_what_it_reads_is_unchanged_and_rerun_when_numbers_change(project: dict) -> None:
    nbdir, lines = project["root"] / "notebooks", []
    kw = dict(project["kw"], log=lines.append)
    nb = json.loads((nbdir / "03_policy.ipynb").read_text())
    nb["cells"].append(new_code_cell('print("Code erbij, geen getal.")', id="code-only"))
    (nbdir / "03_policy.ipynb").write_text(json.dumps(nb))
    res = build_report(YEAR, nbdir, project["root"] / "reports", BuildOptions(**kw))
    assert "  01_conclusions: uit het vorige rapport (indicators.csv en het notebook ongewijzigd)" in lines
    conclusions = (res.report_dir / "executed" / "01_conclusions.ipynb").read_text()
    assert "60% van de gemeenten heeft aanvullend beleid" in conclusions
    assert (res.report_dir / "data" / "04_start_guidance" / "figuur-4-1.xlsx").is_file()  # kept with reused 04
    src = (nbdir / "03_policy.ipynb").read_text().replace("60.2, 282", "71.4, 282")
    (nbdir / "03_policy.ipynb").write_text(src)
    lines.clear()
    res = build_report(YEAR, nbdir, project["root"] / "reports", BuildOptions(**kw))
    assert not any("uit het vorige rapport" in line for line in lines)
    assert (
        "71% van de gemeenten heeft aanvullend beleid"
        in (res.report_dir / "executed" / "01_conclusions.ipynb").read_text()
    )
