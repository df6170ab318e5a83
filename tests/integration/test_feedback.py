"""The feedback batch end to end: every 2018 respondent's PDF (and a sample of 2019 with no code change).

Processed tables are built into a temporary directory from the shipped (synthetic) raw data, the batch
renders into a temporary reports directory, and every document's text (pdftotext) is checked:
disclosure (no other municipality's name, no ResponseId, no other respondent's open answer, no number
on fewer than 5 municipalities, G4 never on its own), the synthetic warning on every page, and for
three respondents (several municipalities, G4, many routed-away questions) the content against the
processed data, recomputed here independently of the feedback code.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from helpers import paths
from helpers.load.export import build_processed
from helpers.publish import BuildOptions, build_report
from helpers.publish.execute.kernels import SocketKernelManager
from helpers.publish.feedback.batch import FeedbackBuildError, build_feedback
from helpers.survey.codebook import load_codebook
from helpers.survey.formatting import fmt_number, fmt_pct
from helpers.survey.vocabulary import MERGED_LARGE, MIN_BASE, NOT_ASKED, SIZE_CLASSES, SKIPPED

pytestmark = pytest.mark.slow
STUBS = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
WARNING = "Synthetische voorbeelddata"
_HEADING = re.compile(r"^\f?(\d+\.\d+) ", re.M)


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    return " ".join(text.split())


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _batch(year: int, tmp_path_factory: pytest.TempPathFactory, select=None) -> dict:
    """Processed tables in a temp dir, then the batch (``select(respondents)`` → the files to render)."""
    processed = tmp_path_factory.mktemp(f"processed{year}")
    build_processed(year, processed_dir=processed)
    data = processed / str(year)
    only = select(pd.read_parquet(data / "respondents.parquet")) if select else None
    reports = tmp_path_factory.mktemp(f"reports{year}")
    result = build_feedback(year, reports_dir=reports, data_dir=data, jobs=2, only=only, log=lambda line: None)
    return {
        "year": year,
        "result": result,
        "reports": reports,
        "data": data,
        "muni": pd.read_parquet(data / "municipalities.parquet"),
        "resp": pd.read_parquet(data / "respondents.parquet"),
        "cb": load_codebook(paths.codebook_path(year)),
        "index": pd.read_csv(result.out_dir / "index.csv", dtype=str),
        "texts": {p.stem: _text(p) for p in sorted(result.out_dir.glob("*.pdf"))},
    }


@pytest.fixture(scope="module")
def b2018(tmp_path_factory):
    return _batch(2018, tmp_path_factory)


def _pick(b: dict) -> dict[str, str]:
    """File names of: the respondent with most municipalities, Amsterdam (G4), most routed-away questions."""
    resp, index = b["resp"], b["index"]
    by_rid = dict(zip(index["respondent"], index["file"].str.removesuffix(".pdf"), strict=True))
    status = resp[[c for c in resp.columns if c.endswith("__status")]]
    routed = resp.assign(k=(status == NOT_ASKED).sum(axis=1))
    routed = routed.sort_values(["k", "respondent_id"], ascending=[False, True])
    several = resp.sort_values(["n_municipalities", "respondent_id"], ascending=[False, True])
    g4 = b["muni"].loc[b["muni"]["grootteklasse"] == "G4", "gemeentecode"].sort_values().iloc[0]
    return {
        "several": by_rid[several["respondent_id"].iloc[0]],
        "g4": next(f for f in by_rid.values() if f.startswith(g4)),
        "routed": by_rid[routed["respondent_id"].iloc[0]],
    }


# --- every document ---------------------------------------------------------------------------------


def test_one_pdf_per_respondent_and_the_private_index(b2018):
    resp, index, texts = b2018["resp"], b2018["index"], b2018["texts"]
    assert len(texts) == len(resp) == 168 and len(b2018["result"].rendered) == 168
    assert sorted(index["respondent"]) == sorted(resp["respondent_id"])
    assert list(index.columns) == ["file", "respondent", "municipalities"]
    for row in index.itertuples():
        codes = sorted(resp.set_index("respondent_id").loc[row.respondent, "gemeentecodes"].split(","))
        assert row.file == codes[0] + (f"+{len(codes) - 1}" if len(codes) > 1 else "") + ".pdf"
        assert [m.split(" ", 1)[0] for m in row.municipalities.split("; ")] == codes
    out = b2018["result"].out_dir
    assert out == b2018["reports"] / "2018-feedback"
    others = sorted(p.name for p in out.iterdir() if p.suffix != ".pdf")
    assert others == ["LEESMIJ.txt", "build-manifest.json", "index.csv"]


def test_synthetic_warning_on_every_page_of_every_document(b2018):
    for name, text in b2018["texts"].items():
        pages = [p for p in text.split("\f") if p.strip()]
        assert len(pages) >= 5, name
        assert all(WARNING in _flat(p) for p in pages), name


def test_no_document_names_another_municipality(b2018):
    frame = pd.read_csv(paths.frame_path(b2018["cb"].frame_year), dtype=str)
    names = dict(zip(frame["gemeentecode"], frame["gemeentenaam"], strict=True))
    patterns = {c: re.compile(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])") for c, n in names.items()}
    for row in b2018["index"].itertuples():
        own = {m.split(" ", 1)[0] for m in row.municipalities.split("; ")}
        text = _flat(b2018["texts"][row.file.removesuffix(".pdf")])
        for code in own:
            assert names[code] in text, row.file
        # the plain substring test first: the word-bounded pattern can only match where the name occurs
        leaked = [names[c] for c, p in patterns.items() if c not in own and names[c] in text and p.search(text)]
        leaked = [n for n in leaked if not any(n in names[c] for c in own)]  # e.g. "Bergen" in "Bergen (L.)"
        assert leaked == [], row.file


def _open_answers(resp: pd.DataFrame) -> dict[str, set[str]]:
    cols = [c for c in resp.columns if c.endswith("__text")] + [
        c for c in resp.columns if resp[c].dtype == "string" and f"{c}__status" in resp.columns
    ]
    out: dict[str, set[str]] = {}
    for rid, row in resp.set_index("respondent_id")[cols].iterrows():
        out[rid] = {_flat(str(v)) for v in row if not pd.isna(v) and len(str(v).strip()) > 12}
    return out


def test_no_identifier_and_no_other_respondents_open_answer(b2018):
    answers = _open_answers(b2018["resp"])
    assert sum(len(v) for v in answers.values()) > 100
    for row in b2018["index"].itertuples():
        text = _flat(b2018["texts"][row.file.removesuffix(".pdf")])
        assert not re.search(r"\bR_[A-Za-z0-9]{15}\b", text), row.file
        own = answers[row.respondent]
        others = set().union(*(v for rid, v in answers.items() if rid != row.respondent)) - own
        assert not [t for t in others if t in text], row.file
        assert all(t in text for t in own), row.file  # its own open answers are there


def test_no_number_on_fewer_than_five_and_g4_never_alone(b2018):
    for name, text in b2018["texts"].items():
        bases = [int(n) for n in re.findall(r"n=(\d+)", text)]
        assert bases and min(bases) >= MIN_BASE, name
        assert not re.search(r"\bG4 \(n=", text), name


# --- three respondents against the processed data ----------------------------------------------------


def _largest_class(muni: pd.DataFrame, rid: str) -> str:
    classes = set(muni.loc[muni["respondent_id"] == rid, "grootteklasse"].astype(str))
    return next(c for c in SIZE_CLASSES if c in classes)


def _blocks(text: str) -> dict[str, str]:
    """Question number -> its text in the document (heading to next heading)."""
    marks = list(_HEADING.finditer(text))
    return {m.group(1): text[m.start() : (marks[i + 1].start() if i + 1 < len(marks) else len(text))]
            for i, m in enumerate(marks)}  # fmt: skip


def _numbers(cb) -> dict[str, str]:
    seen: dict[int, int] = {}
    out = {}
    for q in cb.all_questions:
        if q.type != "municipality":
            seen[q.chapter] = seen.get(q.chapter, 0) + 1
            out[q.id] = f"{q.chapter}.{seen[q.chapter]}"
    return out


def _expected_shares(muni: pd.DataFrame, qid: str, label: str, own_class: str) -> tuple[str, str]:
    answered = muni[muni[f"{qid}__status"] == "beantwoord"]
    classes = answered["grootteklasse"].astype(str)
    counts = classes.value_counts()
    merged = any(0 < counts.get(c, 0) < MIN_BASE for c in SIZE_CLASSES)
    big = SIZE_CLASSES[:2]
    groups = classes.map(lambda c: MERGED_LARGE if merged and c in big else c)
    mine = MERGED_LARGE if merged and own_class in big else own_class
    in_group = answered[groups == mine]
    share = 100 * (in_group[qid].astype(str) == label).mean()
    return fmt_pct(share), fmt_pct(100 * (answered[qid].astype(str) == label).mean())


def _check_respondent(b: dict, name: str) -> int:
    """Check one document against the processed data; return the number of checked answers."""
    cb, muni, index = b["cb"], b["muni"], b["index"]
    rid = index.set_index("file").loc[f"{name}.pdf", "respondent"]
    row = b["resp"].set_index("respondent_id").loc[rid]
    text, flat, numbers = b["texts"][name], _flat(b["texts"][name]), _numbers(cb)
    blocks, own_class, checked = _blocks(text), _largest_class(muni, rid), 0
    statuses = [str(row[f"{q.id}__status"]) for q in cb.all_questions if q.type != "municipality"]
    assert flat.count("Deze vraag is u niet gesteld") == statuses.count(NOT_ASKED)
    assert flat.count("U heeft deze vraag niet beantwoord.") == statuses.count(SKIPPED)
    for q in cb.all_questions:
        if q.type == "municipality" or row[f"{q.id}__status"] != "beantwoord":
            continue
        block = blocks[numbers[q.id]]
        if q.type == "single" and q.level == "municipality" and len(str(row[q.id])) <= 30:
            g, t = _expected_shares(muni, q.id, str(row[q.id]), own_class)
            line = rf"^\s*{re.escape(str(row[q.id]))}\s+✓\s+{re.escape(g)}\s+{re.escape(t)}\s*$"
            assert re.search(line, block, re.M), (name, q.id, g, t)
        elif q.type == "multi":
            ticks = sum(bool(row[f"{q.id}__{o.code}"]) for o in q.options if not pd.isna(row[f"{q.id}__{o.code}"]))
            assert f"U kruiste {ticks} van de {len(q.options)} antwoorden aan." in _flat(block), (name, q.id)
        elif q.type in ("percent", "count") and not q.items and not pd.isna(row[q.id]):
            v = float(row[q.id])
            own = fmt_number(v, 0 if v.is_integer() else 1) + ("%" if q.type == "percent" else "")
            word = "Percentage" if q.type == "percent" else "Aantal"
            assert re.search(rf"^\s*{word}\s+{re.escape(own)}\s", block, re.M), (name, q.id, own)
        elif q.type == "text":
            assert _flat(str(row[q.id])) in _flat(block), (name, q.id)
        else:
            continue
        checked += 1
    return checked


def test_three_respondents_against_the_processed_data(b2018):
    picked = _pick(b2018)
    index = b2018["index"].set_index("file")
    several = index.loc[f"{picked['several']}.pdf", "municipalities"].split("; ")
    assert len(several) == 5 and picked["several"].endswith("+4")
    assert picked["g4"] == "GM0344"  # Utrecht, the first G4 code
    assert re.search(r"antwoord \(G4/G40\) \(n=\d+\)", b2018["texts"][picked["g4"]])  # the merged group's header
    routed = b2018["texts"][picked["routed"]]
    assert _flat(routed).count("Deze vraag is u niet gesteld") == 4
    for name in picked.values():
        assert _check_respondent(b2018, name) >= 25, name


# --- determinism, cache, and the public report --------------------------------------------------------


def test_a_second_run_gives_byte_identical_documents(b2018, tmp_path):
    picked = list(_pick(b2018).values())
    again = build_feedback(2018, reports_dir=tmp_path, data_dir=b2018["data"], jobs=2, only=picked, log=lambda x: None)
    assert sorted(again.rendered) == sorted(picked)
    for name in picked:
        assert _sha(again.out_dir / f"{name}.pdf") == _sha(b2018["result"].out_dir / f"{name}.pdf"), name


def test_rerun_renders_only_what_changed(b2018, tmp_path):
    out, silent = b2018["result"].out_dir, (lambda line: None)
    before = {p.name: _sha(p) for p in out.glob("*.pdf")}
    same = build_feedback(2018, reports_dir=b2018["reports"], data_dir=b2018["data"], jobs=2, log=silent)
    assert same.rendered == [] and len(same.reused) == 168
    # one respondent corrects its open answer: only its own document changes
    changed = tmp_path / "processed"
    shutil.copytree(b2018["data"], changed)
    resp, muni = (pd.read_parquet(changed / f"{t}.parquet") for t in ("respondents", "municipalities"))
    qid = next(q.id for q in b2018["cb"].all_questions if q.type == "text")
    rid = resp.loc[resp[qid].notna(), "respondent_id"].iloc[0]
    for df, table in ((resp, "respondents"), (muni, "municipalities")):
        df.loc[df["respondent_id"] == rid, qid] = "(synthetisch) Een verbeterde toelichting."
        df.to_parquet(changed / f"{table}.parquet")
    one = build_feedback(2018, reports_dir=b2018["reports"], data_dir=changed, jobs=2, log=silent)
    name = b2018["index"].set_index("respondent").loc[rid, "file"].removesuffix(".pdf")
    assert one.rendered == [name]
    after = {p.name: _sha(p) for p in out.glob("*.pdf")}
    assert [f for f in before if before[f] != after[f]] == [f"{name}.pdf"]
    assert "Een verbeterde toelichting." in _flat(_text(out / f"{name}.pdf"))
    back = build_feedback(2018, reports_dir=b2018["reports"], data_dir=b2018["data"], jobs=2, log=silent)
    assert back.rendered == [name] and {p.name: _sha(p) for p in out.glob("*.pdf")} == before


def test_the_report_build_neither_includes_nor_removes_the_feedback(b2018, tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(STUBS, notebooks)
    shutil.copy2(paths.NOTEBOOKS_DIR / "feedback.ipynb", notebooks / "feedback.ipynb")
    reports = b2018["reports"]
    before = {p.name: _sha(p) for p in b2018["result"].out_dir.iterdir()}
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text('year: 2018\ntitle: "Monitor 2018"\nfreeze_date: "2018-04-10"\nsynthetic: true\n')
    (tmp_path / "raw").mkdir()
    result = build_report(
        2018,
        notebooks,
        reports,
        BuildOptions(jobs=2, codebook=codebook, inputs=[tmp_path / "raw"], log=lambda line: None),
    )
    assert "feedback" not in result.executed
    assert {p.name: _sha(p) for p in b2018["result"].out_dir.iterdir()} == before
    public = result.report_dir
    files = [p for p in public.rglob("*") if p.is_file()]
    assert not [p for p in files if "feedback" in p.name or re.match(r"GM\d{4}", p.name)]
    html = "".join(p.read_text(encoding="utf-8") for p in (public / "site").glob("*.html"))
    assert "feedback" not in html and "terugkoppeling" not in html.lower()


def test_notebook_interactively_shows_the_default_respondent_and_writes_nothing(b2018, tmp_path):
    import papermill

    def snapshot() -> dict[str, int]:
        root = paths.REPORTS_DIR
        return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*")} if root.exists() else {}

    before = snapshot()
    out = tmp_path / "feedback.ipynb"
    papermill.execute_notebook(
        str(paths.NOTEBOOKS_DIR / "feedback.ipynb"), str(out), parameters={"data_dir": str(b2018["data"])},
        kernel_name="python3", kernel_manager_class=SocketKernelManager, cwd=str(paths.NOTEBOOKS_DIR),
        progress_bar=False,
    )  # fmt: skip
    shown = ["".join(o["data"]["text/markdown"]) for c in json.loads(out.read_text())["cells"]
             for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]  # fmt: skip
    first = b2018["index"]["file"].iloc[0].removesuffix(".pdf")
    assert len(shown) == 1 and shown[0].startswith("# Uw terugkoppeling: Monitor gemeentelijk beleid")
    assert f"({first.split('+')[0]}, " in shown[0] and "## Zo leest u dit document" in shown[0]
    assert snapshot() == before
    assert not (paths.NOTEBOOKS_DIR / "documents.json").exists()


def test_a_year_without_contact_stops_with_one_clean_message(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "notes_path", lambda year: tmp_path / "absent.yaml")
    with pytest.raises(FeedbackBuildError) as err:
        build_feedback(2018, reports_dir=tmp_path, log=lambda line: None)
    assert str(err.value).startswith(f"FEEDBACK FAILED: {tmp_path / 'absent.yaml'}: geen contactpersoon")
    assert not any(tmp_path.glob("2018-feedback*"))


def test_a_latex_error_names_the_document_and_keeps_its_log(b2018, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES_DIR / "feedback_latex", templates / "feedback_latex")
    tex = templates / "feedback_latex" / "feedback.tex.j2"
    tex.write_text(tex.read_text().replace("\\begin{document}", "\\begin{document}\\nosuchcommand"))
    reports = tmp_path / "reports"
    with pytest.raises(FeedbackBuildError) as err:
        build_feedback(
            2018, reports_dir=reports, templates_dir=templates, data_dir=b2018["data"], only=["GM0363"],
            log=lambda line: None,
        )  # fmt: skip
    failed = reports / "2018-feedback-failed"
    assert str(err.value) == (
        f"FEEDBACK FAILED: GM0363.pdf: LaTeX: ! Undefined control sequence. (log: {failed / 'GM0363.log'})"
    )
    assert sorted(p.name for p in failed.iterdir()) == ["GM0363.log", "GM0363.tex"]
    assert sorted(p.name for p in reports.iterdir()) == [".lock-2018-feedback", "2018-feedback-failed"]


def test_a_preview_of_an_unknown_municipality_is_an_error(b2018, tmp_path):
    with pytest.raises(FeedbackBuildError, match=r"^FEEDBACK FAILED: geen respondent voor: GM9999$"):
        build_feedback(2018, reports_dir=tmp_path, data_dir=b2018["data"], only=["GM0363", "GM9999"], log=print)
    assert not (tmp_path / "2018-feedback").exists()


def test_an_undeclared_notebook_parameter_is_an_error(b2018, tmp_path):
    nb = json.loads((paths.NOTEBOOKS_DIR / "feedback.ipynb").read_text())
    for cell in nb["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = "year = 2018\nbuild_dir = None\n"
    (tmp_path / "feedback.ipynb").write_text(json.dumps(nb))
    with pytest.raises(FeedbackBuildError, match=r"feedback.ipynb: unknown parameter\(s\) data_dir"):
        build_feedback(
            2018, reports_dir=tmp_path, notebook=tmp_path / "feedback.ipynb", data_dir=b2018["data"],
            log=lambda line: None,
        )  # fmt: skip


# --- 2019: the same code on next year's example ------------------------------------------------------


def _sample(resp: pd.DataFrame) -> list[str]:
    """Two respondents with the most municipalities, the first four, and Amsterdam (G4)."""
    several = resp.sort_values(["n_municipalities", "respondent_id"], ascending=[False, True])["gemeentecodes"]
    return sorted({min(c.split(",")) for c in [*several.iloc[:2], *resp["gemeentecodes"].iloc[:4]]} | {"GM0363"})


@pytest.fixture(scope="module")
def b2019(tmp_path_factory):
    return _batch(2019, tmp_path_factory, select=_sample)


def test_2019_sample_works_the_same_way(b2019):
    texts, index = b2019["texts"], b2019["index"]
    assert 5 <= len(texts) == len(index) <= 7
    for name, text in texts.items():
        pages = [p for p in text.split("\f") if p.strip()]
        assert all(WARNING in _flat(p) for p in pages), name
        assert "Monitor gemeentelijk beleid arbeidstoeleiding vluchtelingen 2019" in _flat(text)
        assert min(int(n) for n in re.findall(r"n=(\d+)", text)) >= MIN_BASE
    assert "GM0363" in {f.removesuffix(".pdf") for f in index["file"]}
    for name in texts:
        assert _check_respondent(b2019, name) >= 25, name
    manifest = json.loads((b2019["result"].out_dir / "build-manifest.json").read_text())
    assert sorted(manifest["documents"]) == sorted(texts)
