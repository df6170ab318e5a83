"""A cache that cannot publish damage: every reused part is verified by its hash; parts are validated.

Stub notebooks (tests/fixtures/notebooks) are built once; ``03_policy`` also writes a figure and a
quotes part, as the chapters do. Then the cache is damaged in the ways a crash, a full disk or a
stray edit damage it, and each rebuild must notice, say so and rebuild, so the published report
equals the undamaged one.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from stub_project import TEMPLATES, make_stub_project

from helpers.publish import BuildError, BuildOptions, build_report
from helpers.survey.vocabulary import INDICATOR_COLUMNS, QUOTE_COLUMNS

pytestmark = pytest.mark.slow

YEAR = 2018
WRITE_PARTS = """\
import csv
from pathlib import Path
base = Path(build_dir) if build_dir else Path("..", "reports", str(year))
(base / "quotes").mkdir(parents=True, exist_ok=True)
(base / "figures").mkdir(parents=True, exist_ok=True)
(base / "figures" / "figuur_{n}_1.png").write_bytes(b"\\x89PNG fake figure of chapter {n}")
with open(base / "quotes" / "{stem}.csv", "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh, lineterminator="\\n")
    w.writerow({columns})
    w.writerow([{n}, "q{n}", "{qid}", "G4/G40-gemeente", "Wij werken samen met [gemeente].", "gemeentenaam"])
"""


def _add_parts(nbdir: Path, stem: str, qid: str) -> None:
    path = nbdir / f"{stem}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    source = WRITE_PARTS.format(n=int(stem[:2]), stem=stem, qid=qid, columns=QUOTE_COLUMNS)
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": f"parts-{stem}", "metadata": {},
                        "outputs": [], "source": source})  # fmt: skip
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("faults")
    make_stub_project(root)
    _add_parts(root / "notebooks", "03_policy", "0123456789")
    _add_parts(root / "notebooks", "05_education", "abcdef0123")
    lines: list[str] = []
    kw = {"codebook": root / "codebook.yaml", "inputs": [root / "raw"], "helpers_dir": root / "helpers",
          "templates_dir": TEMPLATES, "log": lines.append, "jobs": 2}  # fmt: skip
    first = build_report(YEAR, root / "notebooks", root / "reports", BuildOptions(**kw))
    report = first.report_dir
    return {
        "root": root,
        "kw": kw,
        "lines": lines,
        "report": report,
        "indicators": (report / "indicators.csv").read_bytes(),
    }


def _rebuild(project: dict):
    project["lines"].clear()
    return build_report(YEAR, project["root"] / "notebooks", project["root"] / "reports", BuildOptions(**project["kw"]))


def test_quotes_parts_are_assembled_into_quotes_csv(project: dict) -> None:
    rows = list(csv.reader((project["report"] / "quotes.csv").open(encoding="utf-8")))
    assert rows[0] == QUOTE_COLUMNS
    assert [r[:3] for r in rows[1:]] == [["3", "q3", "0123456789"], ["5", "q5", "abcdef0123"]]
    manifest = json.loads((project["report"] / "build-manifest.json").read_text())
    parts = manifest["notebooks"]["03_policy"]["parts"]
    assert set(parts) == {"executed/03_policy.ipynb", "indicators/03_policy.csv", "quotes/03_policy.csv",
                          "figures/figuur_3_1.png"}  # fmt: skip
    assert "monitor_2018.pdf" in manifest["rendered"] and "site/index.html" in manifest["rendered"]


@pytest.mark.parametrize(
    ("part", "damage"),
    [
        ("indicators/03_policy.csv", lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])),
        ("executed/03_policy.ipynb", lambda p: p.write_bytes(p.read_bytes()[:200])),
        ("figures/figuur_3_1.png", lambda p: p.write_bytes(b"")),
        ("quotes/03_policy.csv", lambda p: p.unlink()),
    ],
)
def test_a_damaged_cached_part_is_rebuilt_and_reported(project: dict, part: str, damage) -> None:
    damage(project["report"] / part)
    res = _rebuild(project)
    assert res.executed == ["03_policy", "01_conclusions"] and res.rendered
    said = "\n".join(project["lines"])
    assert f"03_policy: uitvoer beschadigd of verdwenen ({part}); opnieuw uitvoeren" in said
    assert "01_conclusions: hangt af van 03_policy" in said
    assert (project["report"] / "indicators.csv").read_bytes() == project["indicators"]
    assert _rebuild(project).executed == []


def test_a_damaged_pdf_or_html_page_is_rendered_again(project: dict) -> None:
    pdf = project["report"] / "monitor_2018.pdf"
    good = pdf.read_bytes()
    pdf.write_bytes(good[:1000])
    res = _rebuild(project)
    assert res.executed == [] and res.rendered and pdf.read_bytes() == good
    assert "opmaak beschadigd of verdwenen (monitor_2018.pdf)" in "\n".join(project["lines"])


def test_force_rebuilds_everything(project: dict) -> None:
    options = BuildOptions(force=True, **project["kw"])
    res = build_report(YEAR, project["root"] / "notebooks", project["root"] / "reports", options)
    assert len(res.executed) == 6 and res.cached == []
    assert "  03_policy: --force" in project["lines"]


def test_a_malformed_part_written_by_a_notebook_fails_the_build_and_names_it(project: dict, tmp_path: Path) -> None:
    nbdir = tmp_path / "notebooks"
    shutil.copytree(project["root"] / "notebooks", nbdir)
    path = nbdir / "04_start_guidance.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    fields = {"year": "2018", "chapter": "4", "question": "q", "category": "x", "stat": "pct", "value": "veel",
              "n": "3", "build_ref": "Figuur 4.1"}  # fmt: skip
    line = ",".join(fields.get(c, "") for c in INDICATOR_COLUMNS)  # a well-formed row with a bad value
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "bad", "metadata": {}, "outputs": [],
                        "source": 'open(Path(build_dir) / "indicators" / "04_start_guidance.csv", "a").write('
                                  f'"{line}\\n")'})  # fmt: skip
    path.write_text(json.dumps(nb), encoding="utf-8")
    before = (project["report"] / "indicators.csv").read_bytes()
    with pytest.raises(BuildError, match=r"04_start_guidance\.csv, regel \d+, kolom value: 'veel'; verwacht"):
        build_report(YEAR, nbdir, project["root"] / "reports", BuildOptions(**project["kw"]))
    assert (project["report"] / "indicators.csv").read_bytes() == before  # the previous report is untouched
