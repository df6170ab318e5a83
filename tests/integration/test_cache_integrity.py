"""A cache that cannot lie: every kind of cached part, damaged in every reuse path, never reaches the report.

The stub notebooks (tests/fixtures/notebooks) are built once; ``03_policy`` also writes a figure and a
quotes part, ``01_conclusions`` a figure, a table and their data files through the registry (as the
real conclusions do). Each case copies that report, makes the change of one reuse path (nothing,
a chapter whose numbers change, a chapter whose prose alone changes so that no kernel runs, a chapter whose
code changes but not its numbers so that ``01`` is taken over), damages one part the way a stray edit, a
crash or a full disk does, and rebuilds. The published report must
equal a clean build of the same notebooks, the progress output must name the damage, and the next
build must have nothing left to do.

The previous build and the clean build of each reuse path are made once per session and shared by the
xdist workers (tests/shared_builds.py); the cases of each reuse path are a scheduling unit of their own
(tests/scheduling_units.py), so that both workers share this file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from shared_builds import SharedBuild, shared_build
from stub_project import TEMPLATES, make_stub_project

from helpers.publish import BuildError, BuildOptions, BuildResult, build_report
from helpers.survey.vocabulary import QUOTE_COLUMNS

pytestmark = pytest.mark.slow

YEAR = 2018
MANIFEST = "build-manifest.json"
TAKEN_OVER = "uit het vorige rapport"

WRITE_PARTS = """\
import csv
(out / "quotes").mkdir(parents=True, exist_ok=True)
(out / "figures").mkdir(parents=True, exist_ok=True)
(out / "figures" / "figuur_3_9.png").write_bytes(b"\\x89PNG fake figure of chapter 3")
with open(out / "quotes" / "03_policy.csv", "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh, lineterminator="\\n")
    w.writerow({columns})
    w.writerow([3, "q3", "0123456789", "G4/G40-gemeente", "Wij werken samen met [gemeente].", "gemeentenaam"])
"""

CONCLUSION_VIEWS = """\
from helpers.analysis.table import Table
from helpers.report.plots import bar_chart
from helpers.report.registry import Registry

reg = Registry(1, year, out, "01_conclusions")
kinds = pd.Index(["Aanvullend beleid", "Geen aanvullend beleid"], name="Beleid")
data = pd.DataFrame({"Percentage": [pct, 100 - pct]}, index=kinds)
numbers = pd.DataFrame({"category": list(kinds), "stat": "pct", "value": data["Percentage"].tolist(), "n": 282})
summary = Table(data=data, question="additional_policy", title="Aanvullend beleid in het kort", n=282,
                base="alle gemeenten", kind="single", stat="pct", report_ref="", formats={"Percentage": "pct"},
                indicators=numbers)
reg.figure(bar_chart(summary), summary)
reg.table(summary, "Aanvullend beleid in het kort")"""


def _append_cell(path: Path, cell_id: str, source: str, cell_type: str = "code") -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell: dict[str, object] = {"cell_type": cell_type, "id": cell_id, "metadata": {}, "source": source}
    if cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    nb["cells"].append(cell)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the reuse paths: what changes in the notebooks between the two builds --------------------------


def _no_change(nbdir: Path) -> None:
    """Nothing changed: every notebook and the rendered report are candidates for reuse."""


def _numbers_of_one_chapter(nbdir: Path) -> None:
    """05's number changes: 05 and 01 run, the other chapters and unchanged pages are reused."""
    _replace(nbdir / "05_education.ipynb", "3.0, 80", "3.5, 80")


def _text_of_one_chapter(nbdir: Path) -> None:
    """05's prose changes (a Markdown cell), its code does not: nothing runs, 05 gets today's text."""
    _append_cell(nbdir / "05_education.ipynb", "extra-text", "Een alinea erbij, zonder cijfers.", "markdown")


def _code_of_one_chapter(nbdir: Path) -> None:
    """05's code changes, its numbers do not: 05 runs and 01 is taken over from the previous report."""
    _append_cell(nbdir / "05_education.ipynb", "extra-code", 'print("Een regel erbij, zonder cijfers.")')


PATHS: dict[str, Callable[[Path], None]] = {
    "geen-wijziging": _no_change,
    "cijfers-hoofdstuk": _numbers_of_one_chapter,
    "tekst-hoofdstuk": _text_of_one_chapter,
    "code-hoofdstuk": _code_of_one_chapter,
}


# --- the damage: one part of the previous report, changed or removed -------------------------------


def _edit(old: str, new: str) -> Callable[[Path], None]:
    return lambda p: _replace(p, old, new)


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _flip_last_byte(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[:-1] + bytes([data[-1] ^ 0x01]))


DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "notebook-01-getal": ("executed/01_conclusions.ipynb", _edit("60% van de gemeenten", "99% van de gemeenten")),
    "notebook-04-afgekapt": ("executed/04_start_guidance.ipynb", _truncate),
    "indicatordeel-04": ("indicators/04_start_guidance.csv", _edit("71.5", "17.5")),
    "indicatordeel-01": ("indicators/01_conclusions.csv", _edit("282", "283")),
    "citatendeel-weg": ("quotes/03_policy.csv", Path.unlink),
    "figuur-03": ("figures/figuur_3_9.png", _flip_last_byte),
    "figuur-01-weg": ("figures/figuur_1_1.png", Path.unlink),
    "datafile-01-weg": ("data/01_conclusions/figuur-1-1.xlsx", Path.unlink),
    "datafile-04-getal": ("data/04_start_guidance/figuur-4-1.csv", _edit("71", "17")),
    "pagina-03": ("site/03_policy.html", _edit("Figuur 3.1", "Figuur 9.9")),
    "pagina-01-weg": ("site/01_conclusions.html", Path.unlink),
    "pdf-afgekapt": (f"monitor_{YEAR}.pdf", _truncate),
    "indicators-csv": ("indicators.csv", _edit("60.2", "66.2")),
    "manifest-afgekapt": (MANIFEST, _truncate),
    "manifest-getal": (MANIFEST, _edit('"year": 2018', '"year": 2019')),
    "opmaakstatus-afgekapt": (".render/html-pages.json", _truncate),
    "conclusiestatus-weg": (".render/conclusions.json", Path.unlink),
}


#: The damages of the path that takes 01 over: 01's own parts, and what 01 is made from (the other damages take
#: the same route as in "cijfers-hoofdstuk").
TAKEOVER_DAMAGE = (
    "notebook-01-getal", "indicatordeel-01", "indicatordeel-04", "figuur-01-weg", "datafile-01-weg",
    "pagina-01-weg", "conclusiestatus-weg", "manifest-getal",
)  # fmt: skip
CASES = [(p, d) for p in PATHS for d in sorted(DAMAGE) if p != "code-hoofdstuk" or d in TAKEOVER_DAMAGE]


def _published(report: Path) -> dict[str, str]:
    """sha256 of every published file (indicators, quotes, claims, executed notebooks, data, figures, HTML,
    PDF); the manifest without its timings (and the checksum over them). The hidden ``.render/`` state is
    the build's own."""
    out = {}
    for f in sorted(report.rglob("*")):
        rel = f.relative_to(report).as_posix()
        if f.is_file() and not rel.startswith(".") and rel != MANIFEST:
            out[rel] = hashlib.sha256(f.read_bytes()).hexdigest()
    manifest = json.loads((report / MANIFEST).read_text(encoding="utf-8"))
    for volatile in ("checksum", "state", "render_key"):  # timings; hidden state; keys on the build code
        manifest.pop(volatile)
    for entry in manifest["notebooks"].values():
        entry.pop("seconds")
        entry.pop("phases", None)  # seconds per phase of the run (make bench)
    out.update(_flat(manifest, MANIFEST))
    return out


def _flat(value: object, prefix: str) -> dict[str, str]:
    """A JSON value as ``prefix/key/key: leaf`` lines (a readable difference when one entry differs)."""
    if isinstance(value, dict):
        return {k: v for key in value for k, v in _flat(value[key], f"{prefix}/{key}").items()}
    return {prefix: json.dumps(value)}


def _pdf_text(pdf: Path) -> str:
    """The PDF's text without the provenance line naming the git commit (the checkout may move on)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return "\n".join(line for line in text.splitlines() if "commit" not in line)


def _options(root: Path, log: Callable[[str], None], **extra: object) -> BuildOptions:
    return BuildOptions(
        codebook=root / "codebook.yaml", inputs=[root / "raw"], helpers_dir=root / "helpers",
        templates_dir=TEMPLATES, log=log, jobs=2, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def _build(root: Path, lines: list[str] | None = None, **extra: object):
    sink = lines.append if lines is not None else (lambda line: None)
    return build_report(YEAR, root / "notebooks", root / "reports", _options(root, sink, **extra))


def _base_build(root: Path) -> tuple[BuildResult, Path, dict[str, Any]]:
    """The stubs with extra parts, built once: the previous build every case starts from."""
    make_stub_project(root)
    _append_cell(root / "notebooks" / "03_policy.ipynb", "parts", WRITE_PARTS.format(columns=QUOTE_COLUMNS))
    _append_cell(root / "notebooks" / "01_conclusions.ipynb", "views", CONCLUSION_VIEWS)
    return _build(root), root / "reports", {}


def _clean_build(base: Path, path: str) -> Callable[[Path], tuple[BuildResult, Path, dict[str, Any]]]:
    """A clean (forced, cache-free) build of the base's notebooks changed by ``path``; its published files."""

    def build(root: Path) -> tuple[BuildResult, Path, dict[str, Any]]:
        for part in ("notebooks", "helpers", "raw", "codebook.yaml"):
            (shutil.copytree if (base / part).is_dir() else shutil.copy2)(base / part, root / part)
        PATHS[path](root / "notebooks")
        res = _build(root, force=True)
        return res, root / "reports", {"published": _published(res.report_dir)}

    return build


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> SharedBuild:
    """The previous build every case starts from: built once per session, shared by the xdist workers."""
    shared = shared_build(tmp_path_factory, "cache-integrity-base", _base_build)
    for rel, _ in DAMAGE.values():  # every damaged part exists, so every case damages something real
        assert (shared.report_dir / rel).is_file(), rel
    return shared


@pytest.fixture(scope="module")
def clean(base: SharedBuild, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, str]]:
    """The published files of a clean (forced, cache-free) build of each path's notebooks, built once per
    session (shared by the xdist workers)."""

    def get(path: str) -> dict[str, str]:
        key = f"cache-integrity-clean-{path}"
        return shared_build(tmp_path_factory, key, _clean_build(base.root, path)).extra["published"]

    return get


def _copy(base: SharedBuild, dest: Path) -> Path:
    """The base project with its report and cache, to damage and rebuild (the shared build stays as it is)."""
    base.copy(dest)
    return dest


@pytest.mark.parametrize(("path", "damage"), CASES)
def test_damaged_part_is_rebuilt_from_source_in_every_reuse_path(
    base: SharedBuild, clean: Callable[[str], dict[str, str]], tmp_path: Path, path: str, damage: str
) -> None:
    root = _copy(base, tmp_path / "p")
    report = root / "reports" / str(YEAR)
    PATHS[path](root / "notebooks")
    rel, spoil = DAMAGE[damage]
    spoil(report / rel)
    lines: list[str] = []
    res = _build(root, lines)
    said = "\n".join(lines)
    assert res.rendered, said
    assert _published(report) == clean(path), said
    if path == "geen-wijziging":  # nothing else makes the build redo that part: the damage itself is named
        assert rel.split("/")[-1] in said or "manifest" in said, said
    if rel.startswith(("executed/01", "indicators/01", "figures/figuur_1", "data/01", ".render/conclusions")):
        assert f"01_conclusions: {TAKEN_OVER}" not in said, said  # a damaged 01 is never taken over
    if path == "tekst-hoofdstuk" and not rel.startswith((MANIFEST, "executed/05", "indicators/05")):
        assert "05_education" in res.prose_only and "05_education" not in res.executed, said
    lines.clear()
    again = _build(root, lines)
    assert again.executed == [] and not again.rendered, "\n".join(lines)


def test_reused_conclusions_keep_every_file_they_produced(base: SharedBuild, tmp_path: Path) -> None:
    root = _copy(base, tmp_path / "p")
    report = root / "reports" / str(YEAR)
    before = {p.relative_to(report).as_posix() for p in report.rglob("*") if "01_conclusions" in p.as_posix()}
    _code_of_one_chapter(root / "notebooks")
    lines: list[str] = []
    res = _build(root, lines)
    assert res.rendered and any(TAKEN_OVER in line for line in lines), "\n".join(lines)
    after = {p.relative_to(report).as_posix() for p in report.rglob("*") if "01_conclusions" in p.as_posix()}
    assert {"data/01_conclusions/figuur-1-1.csv", "data/01_conclusions/figuur-1-1.xlsx"} <= after
    assert before == after
    page = (report / "site" / "01_conclusions.html").read_text(encoding="utf-8")
    assert "data/01_conclusions/figuur-1-1.xlsx" in page


def test_damaged_pdf_keeps_the_text_of_a_clean_build(base: SharedBuild, tmp_path: Path) -> None:
    root = _copy(base, tmp_path / "p")
    pdf = root / "reports" / str(YEAR) / f"monitor_{YEAR}.pdf"
    good = _pdf_text(pdf)
    _truncate(pdf)
    _build(root)
    assert _pdf_text(pdf) == good


def _kill_during_build(root: Path) -> None:
    """Start a build whose 03 waits forever, SIGKILL it once its staging folder exists (an event)."""
    _append_cell(root / "notebooks" / "03_policy.ipynb", "wait", "import time\ntime.sleep(600)")
    reports = root / "reports"
    cmd = [sys.executable, "-m", "helpers", "report", "--year", str(YEAR), "--notebooks-dir", str(root / "notebooks"),
           "--reports-dir", str(reports), "--freeze-date", "2018-04-10", "--jobs", "2"]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while not list(reports.glob(f".tmp-{YEAR}-*/.work/logs/03_policy.log")):
            assert proc.poll() is None, "the build stopped before 03_policy started"
            time.sleep(0.1)  # polling for the event, not a fixed wait
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its kernels, as the OOM killer would
        proc.wait()


def test_leftovers_of_a_killed_build_are_removed_by_the_next_build(base: SharedBuild, tmp_path: Path) -> None:
    root = _copy(base, tmp_path / "p")
    reports = root / "reports"
    original = (root / "notebooks" / "03_policy.ipynb").read_bytes()
    _kill_during_build(root)
    assert list(reports.glob(f".tmp-{YEAR}-*")), "the killed build left no staging folder"
    (reports / f"{YEAR}-failed").mkdir(exist_ok=True)  # the killed build made it (empty, owner-only)
    (reports / f"{YEAR}-failed" / "problems.txt").write_text("oud\n")
    (reports / ".tmp-2017-abcd").mkdir()  # another year's dead build: its lock is free
    (root / "notebooks" / "03_policy.ipynb").write_bytes(original)
    lines: list[str] = []
    res = _build(root, lines)
    assert res.executed == []  # no notebook changed: the cleaning needs no run
    assert sorted(p.name for p in reports.iterdir()) == [str(YEAR)], "\n".join(lines)


def test_leftovers_of_a_running_build_are_kept(base: SharedBuild, tmp_path: Path) -> None:
    from helpers.publish.base.staging import year_lock

    root = _copy(base, tmp_path / "p")
    reports = root / "reports"
    running = reports / ".tmp-2019-live"
    running.mkdir()
    with year_lock(reports, 2019):  # a 2019 build is running
        _build(root)
        assert running.is_dir()


def test_failed_build_folder_is_private(base: SharedBuild, tmp_path: Path) -> None:
    root = _copy(base, tmp_path / "p")
    _append_cell(root / "notebooks" / "04_start_guidance.ipynb", "boom", 'raise ValueError("kapot")')
    with pytest.raises(BuildError, match="04_start_guidance"):
        _build(root)
    failed = root / "reports" / f"{YEAR}-failed"
    assert stat.S_IMODE(failed.stat().st_mode) == 0o700
    kept = list(failed.rglob("*"))
    assert kept and all(stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600) for p in kept)
    assert not list((root / "reports").glob(".tmp-*"))
