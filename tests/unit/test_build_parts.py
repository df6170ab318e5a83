"""Build parts that need no kernel or LaTeX: captions, indicators, metadata, merge, scheduler, swap."""

from __future__ import annotations

import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.publish import BuildError
from helpers.publish.base import plan
from helpers.publish.base.repro import SYNTHETIC_NOTE, clean_executed, report_meta, reproducible_env
from helpers.publish.base.staging import new_staging, swap_in
from helpers.publish.execute.kernels import ExecutionFailure, Job, run_graph
from helpers.publish.registers.indicators import IndicatorError, assemble
from helpers.publish.render.captions import number_captions
from helpers.publish.render.merge import MergeError, chapter_title, merge
from helpers.publish.render.pdf import missing_characters, printable

PNG = "iVBORw0KGgo="


def _fig(meta: dict | None = None) -> dict:
    return new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}, metadata=meta or {})


def _table(meta: dict | None = None) -> dict:
    return new_output("display_data", data={"text/markdown": "|a|\n|-|\n|1|"}, metadata=meta or {})


def _caption(out: dict) -> tuple[str, str, str, str]:
    m = out["metadata"]["monitor"]
    return m["kind"], m["number"], m["text"], m["label"]


# ---- captions -------------------------------------------------------------------------------------------


def test_explicit_numbers_are_kept_and_others_numbered_around_them() -> None:
    outs = [
        _fig({"caption": "Figuur 3.2 Tweede", "label": "fig:tweede"}),
        _fig({"caption": "Zonder nummer"}),
        _table({"caption": "Tabel 3.1 Respons"}),
        _table({"caption": "Nog een tabel"}),
        _fig(),
    ]
    nb = new_notebook(cells=[new_code_cell("", outputs=[o]) for o in outs])
    assert number_captions(nb, "3") == 4
    got = [_caption(c.outputs[0]) for c in nb.cells[:4]]
    assert got == [
        ("figure", "3.2", "Tweede", "fig:tweede"),
        ("figure", "3.1", "Zonder nummer", "fig:3-1"),
        ("table", "3.1", "Respons", "tab:3-1"),
        ("table", "3.2", "Nog een tabel", "tab:3-2"),
    ]
    assert "monitor" not in nb.cells[4].outputs[0]["metadata"]


def test_cell_metadata_caption_applies_to_a_single_visual_output() -> None:
    stream = new_output("stream", name="stdout", text="log")
    one = new_code_cell("", outputs=[stream, _fig()], metadata={"caption": "Uit de cel", "label": "fig:x y"})
    two = new_code_cell("", outputs=[_fig(), _fig()], metadata={"caption": "Dubbel"})
    nb = new_notebook(cells=[one, two])
    assert number_captions(nb, "A") == 1
    assert _caption(one.outputs[1]) == ("figure", "A.1", "Uit de cel", "fig:x-y")


def test_caption_text_is_escaped_for_markdown() -> None:
    nb = new_notebook(cells=[new_code_cell("", outputs=[_table({"caption": "Tabel 2.1 Score *n_x* [%] <5"})])])
    number_captions(nb, "2")
    meta = nb.cells[0].outputs[0]["metadata"]["monitor"]
    assert meta["text"] == "Score *n_x* [%] <5"
    assert meta["text_md"] == "Score \\*n\\_x\\* \\[%\\] \\<5"


# ---- indicators -----------------------------------------------------------------------------------------


def test_assemble_concatenates_parts_in_the_given_order(tmp_path: Path) -> None:
    head = "year,chapter,question,report_ref,category,stat,value,n,build_ref\n"
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "03_policy.csv").write_text(head + "2018,3,q3,,Ja,pct,3.5,282,Figuur 3.1\n")
    (tmp_path / "indicators" / "02_intro.csv").write_text(head + "2018,2,q2,,Ja,pct,2,,Hoofdstuk 2")
    out = assemble(tmp_path, ["01_conclusions", "02_intro", "03_policy"])
    assert out is not None
    assert out.read_text() == head.replace("\n", ",id\n") + (
        "2018,2,q2,,Ja,pct,2,,Hoofdstuk 2,q2.ja.pct\n2018,3,q3,,Ja,pct,3.5,282,Figuur 3.1,q3.ja.pct\n"
    )  # the build gives every number its id
    extra = head.replace(",build_ref", ",build_ref,extra")
    (tmp_path / "indicators" / "04_x.csv").write_text(extra + "2018,4,q4,,Ja,pct,1,2,Tabel 4.1,x\n")
    with pytest.raises(IndicatorError, match=r"04_x\.csv"):
        assemble(tmp_path, ["02_intro", "04_x"])
    assert assemble(tmp_path / "nothing", ["02_intro"]) is None


# ---- metadata and volatile data -------------------------------------------------------------------------


def test_report_meta_from_codebook_with_overrides(tmp_path: Path) -> None:
    cb = tmp_path / "codebook.yaml"
    cb.write_text('year: 2018\ntitle: "Monitor X 2018"\nfreeze_date: 2018-04-10\nsynthetic: true\nquestions: []\n')
    meta = report_meta(2018, cb)
    assert (meta.title, meta.freeze_date, meta.synthetic) == ("Monitor X 2018", "2018-04-10", True)
    assert meta.epoch == 1523318400 and meta.freeze_date_nl == "10 april 2018"
    assert meta.as_dict()["synthetic_note"] == SYNTHETIC_NOTE
    assert report_meta(2018, cb, synthetic=False, freeze_date="2018-05-01").epoch == 1525132800
    plain = report_meta(2019, tmp_path / "absent.yaml", freeze_date="2019-04-01")
    assert plain.title.endswith("vluchtelingen 2019") and not plain.synthetic
    with pytest.raises(ValueError, match="freeze_date"):
        report_meta(2019, tmp_path / "absent.yaml")


def test_reproducible_env_is_restored() -> None:
    import os

    before = os.environ.get("SOURCE_DATE_EPOCH")
    with reproducible_env(1523318400):
        assert os.environ["SOURCE_DATE_EPOCH"] == "1523318400" and os.environ["FORCE_SOURCE_DATE"] == "1"
    assert os.environ.get("SOURCE_DATE_EPOCH") == before


def test_clean_executed_strips_timestamps_counts_and_the_staging_path() -> None:
    injected = new_code_cell('build_dir = "/r/.tmp-2018-abc"', metadata={"tags": ["injected-parameters"]})
    injected["id"] = "random-uuid"
    cell = new_code_cell("1", execution_count=3, outputs=[new_output("execute_result", data={"text/plain": "1"},
                                                                     execution_count=3)])  # fmt: skip
    cell.metadata.update(papermill={"duration": 1.2}, execution={"iopub.status.idle": "now"})
    nb = new_notebook(cells=[injected, cell])
    nb.metadata["papermill"] = {"start_time": "t", "parameters": {"build_dir": "/r/.tmp-2018-abc"}}
    out = clean_executed(nb, {"/r/.tmp-2018-abc": "../reports/2018"})
    assert out.metadata.papermill == {"parameters": {"build_dir": "../reports/2018"}}
    assert out.cells[0].id == "injected-parameters" and "../reports/2018" in out.cells[0].source
    assert out.cells[1].execution_count is None and out.cells[1].outputs[0].execution_count is None
    assert "papermill" not in out.cells[1].metadata and "execution" not in out.cells[1].metadata
    assert ".tmp-2018" not in nbformat.writes(out)


# ---- messages -------------------------------------------------------------------------------------------


def test_failure_line() -> None:
    failure = ExecutionFailure("05_education", "KeyError", "'x'", 7)
    assert str(BuildError(str(failure))) == "BUILD FAILED: 05_education.ipynb, cel 7: KeyError: 'x'"
    assert str(ExecutionFailure("05_education", "DeadKernelError", "Kernel died\nmore")) == (
        "05_education.ipynb: DeadKernelError: Kernel died"
    )


def test_missing_characters_in_a_latex_log() -> None:
    log = (
        "Overfull \\hbox\nMissing character: There is no ≥ (U+2265) in font [lmroman12-regular]:mapping=tex-text;!\n"
        "Missing character: There is no ≥ (U+2265) in font [lmroman12-regular]:mapping=tex-text;!\n"
    )
    assert missing_characters(log) == [
        "Missing character: There is no ≥ (U+2265) in font [lmroman12-regular]:mapping=tex-text;!"
    ]
    assert missing_characters("all fine") == []


def test_pdf_keeps_only_figures_markdown_and_latex() -> None:
    outs = [
        new_output("stream", name="stdout", text="log"),
        new_output("execute_result", data={"text/plain": "df"}),
        _fig(),
        _table(),
    ]
    nb = printable(new_notebook(cells=[new_code_cell("", outputs=outs)]))
    assert [o.output_type for o in nb.cells[0].outputs] == ["display_data", "display_data"]


# ---- merge ----------------------------------------------------------------------------------------------


def _nbfile(tmp_path: Path, name: str) -> plan.Notebook:
    path = tmp_path / f"{name}.ipynb"
    path.write_text("{}")
    return plan.Notebook(path, int(name[:2]))


def test_merge_puts_chapters_in_order_and_00_in_the_appendix(tmp_path: Path) -> None:
    meta = report_meta(2018, None, freeze_date="2018-04-10", authors=("O & S",))
    items = []
    for name, title in [("01_conclusions", "Conclusies"), ("03_policy", "Beleid"), ("00_prep", "Verantwoording")]:
        nb = new_notebook(cells=[new_markdown_cell(f"# {title}")])
        nb.cells[0]["id"] = "same-id"
        items.append((_nbfile(tmp_path, name), nb))
    merged = merge(items, meta)
    raw = [c.source for c in merged.cells if c.cell_type == "raw"]
    assert raw == ["\\setcounter{chapter}{0}", "\\setcounter{chapter}{2}", "\\appendix"]
    markdown = [c.source for c in merged.cells if c.cell_type == "markdown"]
    assert markdown == ["# Conclusies", "# Beleid", "# Verantwoording"]
    assert len({c.id for c in merged.cells}) == len(merged.cells)
    assert merged.metadata.authors == [{"name": "O & S"}] and merged.metadata.monitor["year"] == 2018
    nbformat.validate(merged)


def test_chapter_title_requires_an_h1() -> None:
    assert chapter_title(new_notebook(cells=[new_markdown_cell("# Beleid ##\n\ntekst")])) == "Beleid"
    with pytest.raises(MergeError, match="hoofdstuktitel"):
        chapter_title(new_notebook(cells=[new_markdown_cell("## Beleid")]), "03_policy.ipynb")
    with pytest.raises(MergeError, match="hoofdstuktitel"):
        chapter_title(new_notebook(cells=[new_code_cell("x = 1")]))


# ---- scheduler ------------------------------------------------------------------------------------------


def _jobs(names: list[str], tmp_path: Path) -> dict[str, Job]:
    return {n: Job(n, tmp_path / n, tmp_path / n, {}) for n in names}


def test_run_graph_respects_dependencies_and_prepares_01(tmp_path: Path) -> None:
    names = ["00_p", "02_a", "03_b", "04_c", "01_c"]
    graph = {"00_p": frozenset(), "01_c": frozenset(names[:4])} | {n: frozenset({"00_p"}) for n in names[1:4]}
    events: list[str] = []
    lock = threading.Lock()

    def runner(job: Job, cwd: Path) -> None:
        with lock:
            events.append(f"run {job.name}")

    seconds = run_graph(
        _jobs(names, tmp_path), graph, cwd=tmp_path, workers=3, log=lambda s: None, runner=runner,
        before_start=lambda n: events.append(f"before {n}"),
    )  # fmt: skip
    assert set(seconds) == set(names)
    runs = [e.split()[1] for e in events if e.startswith("run")]
    assert runs[0] == "00_p" and runs[-1] == "01_c"
    assert events.index("before 01_c") > max(events.index(f"run {n}") for n in names[:4])


def test_run_graph_skips_done_and_stops_after_a_failure(tmp_path: Path) -> None:
    names = ["00_p", "02_a", "03_b", "01_c"]
    graph = {"00_p": frozenset(), "01_c": frozenset(names[:3])} | {n: frozenset({"00_p"}) for n in names[1:3]}
    ran: list[str] = []

    def runner(job: Job, cwd: Path) -> None:
        ran.append(job.name)
        if job.name == "02_a":
            raise ExecutionFailure("02_a", "KeyError", "'x'", 4)

    with pytest.raises(ExecutionFailure, match="cel 4"):
        run_graph(_jobs(names, tmp_path), graph, cwd=tmp_path, workers=1, done={"00_p"}, log=lambda s: None,
                  runner=runner)  # fmt: skip
    assert ran == ["02_a"]


# ---- staging --------------------------------------------------------------------------------------------


def test_swap_in_replaces_the_report_and_cleans_up(tmp_path: Path) -> None:
    final = tmp_path / "2018"
    first = new_staging(tmp_path, 2018)
    (first / "a.txt").write_text("1")
    swap_in(first, final)
    assert (final / "a.txt").read_text() == "1" and not first.exists()
    second = new_staging(tmp_path, 2018)
    (second / "b.txt").write_text("2")
    swap_in(second, final)
    assert sorted(p.name for p in final.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2018"]
    stale = new_staging(tmp_path, 2018)
    assert new_staging(tmp_path, 2018) != stale and not stale.exists()


# ---- Markdown → LaTeX in one pandoc run ------------------------------------------------------------------


def test_convert_many_splits_back_per_snippet() -> None:
    from helpers.publish.render.latexmd import convert_many

    tex = convert_many(["# Beleid\n\nTekst met ≥ en €.", "## Respons", "| a | b |\n|---|--:|\n| 1 | 2 |"], cells=True)
    assert len(tex) == 3
    assert tex[0].startswith("\\hypertarget{beleid}") and "\\chapter{Beleid}" in tex[0] and "≥" in tex[0]
    assert "\\section{Respons}" in tex[1] and "MONITOR-SPLIT" not in "".join(tex)
    assert "\\begin{longtable}" in tex[2]
    # headings in outputs (%%tekst prose) sit at the same levels as in Markdown cells
    assert "\\section{Kop}" in convert_many(["## Kop"], cells=False)[0]


def test_convert_many_falls_back_when_a_snippet_swallows_the_markers() -> None:
    from helpers.publish.render.latexmd import convert_many

    tex = convert_many(["```\nopen fence", "Tweede *cel*"], cells=False)
    assert len(tex) == 2 and "\\emph{cel}" in tex[1]


def test_table_caption_becomes_a_pandoc_caption_with_label() -> None:
    from helpers.publish.render.latexmd import convert_many, table_markdown

    md = table_markdown("| a |\n|---|\n| 1 |", {"kind": "table", "text_md": "Respons \\(n=5\\)", "label": "tab:2-1"})
    tex = convert_many([md], cells=False)[0]
    assert "\\caption{Respons (n=5) \\label{tab:2-1}}" in tex
