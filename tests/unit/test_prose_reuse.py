"""An edit to a notebook's prose alone needs no kernel: when the cache may say so, and how the executed
notebook gets today's Markdown (``cache.code_digest``, ``cache.prose_reusable``, ``build.prose_reuse``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from helpers.publish.base import cache
from helpers.publish.build.prose_reuse import fits, merged_cells, rewrite_prose


def _md(cid: str, text: str, **meta: Any) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cid, "metadata": dict(meta), "source": text}


def _code(cid: str, text: str, tags: list[str] | None = None) -> dict[str, Any]:
    meta = {"tags": tags} if tags else {}
    return {"cell_type": "code", "execution_count": None, "id": cid, "metadata": meta, "outputs": [], "source": text}


def _source() -> dict[str, Any]:
    cells = [
        _md("title", "# Beleid\n\nInleiding zonder cijfers."),
        _code("params", "year = 2018", ["parameters"]),
        _code("open", "ch = open_chapter(year)"),
        _md("sec", "## Aanvullend beleid\n\nUitleg."),
        _code("show", 'ch.show("additional_policy")'),
        _md("end", "Slotzin."),
    ]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _executed(source: dict[str, Any]) -> dict[str, Any]:
    """The source as a cleaned run leaves it: injected parameters after the parameters cell, outputs."""
    nb = copy.deepcopy(source)
    cells = []
    for cell in nb["cells"]:
        cell["metadata"].setdefault("tags", [])  # as papermill does
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": f"uit {cell['id']}\n"}]
        cells.append(cell)
        if "parameters" in cell["metadata"].get("tags", []):
            injected = 'year = 2018\nbuild_dir = "../reports/2018"'
            cells.append(_code("injected-parameters", injected, ["injected-parameters"]))
    nb["cells"] = cells
    nb["metadata"] = {"papermill": {"parameters": {"year": 2018}}}
    return nb


def _write(path: Path, nb: dict[str, Any]) -> Path:
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def _node(nb: dict[str, Any]) -> Any:
    return nbformat.from_dict(nb)


def _digest(tmp_path: Path, nb: dict[str, Any]) -> str:
    return cache.code_digest(_write(tmp_path / "nb.ipynb", nb))


# --- the code digest -------------------------------------------------------------------------------------


def test_code_digest_ignores_prose_but_not_headings_code_or_metadata(tmp_path: Path) -> None:
    base = _source()
    before = _digest(tmp_path, base)
    prose = _source()
    prose["cells"][3]["source"] = "## Aanvullend beleid\n\nAndere uitleg, langer."
    prose["cells"].append(_md("new", "Een nieuwe alinea."))
    assert _digest(tmp_path, prose) == before
    heading = _source()
    heading["cells"][3]["source"] = "## Eigen beleid\n\nUitleg."
    assert _digest(tmp_path, heading) != before  # the kernel reads the heading above a cell
    new_heading = _source()
    new_heading["cells"].insert(4, _md("h", "### Een kop erbij"))
    assert _digest(tmp_path, new_heading) != before
    code = _source()
    code["cells"][4]["source"] = 'ch.show("additional_policy", as_table=True)'
    assert _digest(tmp_path, code) != before
    tagged = _source()
    tagged["cells"][4]["metadata"] = {"tags": ["remove-input"]}
    assert _digest(tmp_path, tagged) != before
    saved = _source()  # what JupyterLab adds on saving is no change
    saved["cells"][4]["metadata"] = {"collapsed": True, "ExecuteTime": {"end": "x"}}
    saved["metadata"] = {"kernelspec": {"name": "python3"}}
    assert _digest(tmp_path, saved) == before


# --- the executed notebook with today's Markdown --------------------------------------------------------


def test_merged_cells_put_todays_prose_between_the_executed_cells() -> None:
    old = _executed(_source())
    new = _source()
    new["cells"][3]["source"] = "## Aanvullend beleid\n\nNieuwe uitleg."
    new["cells"].insert(2, _md("between", "Tussen parameters en code."))
    merged = merged_cells(_node(old).cells, new["cells"])
    assert merged is not None
    ids = ["title", "params", "injected-parameters", "between", "open", "sec", "show", "end"]
    assert [c["id"] for c in merged] == ids
    assert merged[5]["source"] == "## Aanvullend beleid\n\nNieuwe uitleg."
    assert merged[6]["outputs"][0]["text"] == "uit show\n"  # outputs kept


def test_merged_cells_refuse_cells_that_do_not_line_up() -> None:
    old = _node(_executed(_source())).cells
    changed = _source()
    changed["cells"][4]["source"] = 'ch.show("other")'
    assert merged_cells(old, changed["cells"]) is None
    extra = _source()
    extra["cells"].append(_code("more", "1 + 1"))
    assert merged_cells(old, extra["cells"]) is None
    fewer = _source()
    del fewer["cells"][4]
    assert merged_cells(old, fewer["cells"]) is None
    moved = _source()
    moved["cells"][2], moved["cells"][4] = moved["cells"][4], moved["cells"][2]
    assert merged_cells(old, moved["cells"]) is None


def test_merged_cells_without_a_parameters_cell_keep_the_injected_cell_first() -> None:
    source = _source()
    source["cells"][1]["metadata"] = {}
    old = _executed(source)  # no parameters cell: papermill puts the injected one first
    old["cells"].insert(0, _code("injected-parameters", "year = 2018", ["injected-parameters"]))
    merged = merged_cells(_node(old).cells, source["cells"])
    assert merged is not None and merged[0]["id"] == "injected-parameters" and merged[1]["id"] == "title"


def test_prose_cells_lose_what_a_run_adds_to_their_metadata() -> None:
    source = _source()
    source["cells"][5] = _md("end", "Slotzin.", papermill={"duration": 1}, tags=["pdf-only"])
    merged = merged_cells(_node(_executed(_source())).cells, source["cells"])
    assert merged is not None and dict(merged[-1]["metadata"]) == {"tags": ["pdf-only"]}


def test_rewrite_prose_writes_what_a_run_would_and_refuses_without_cell_ids(tmp_path: Path) -> None:
    old = _write(tmp_path / "executed.ipynb", _executed(_source()))
    new = _source()
    new["cells"][-1]["source"] = "Een andere slotzin."
    src = _write(tmp_path / "source.ipynb", new)
    assert fits(old, src) and rewrite_prose(old, src)
    nb = nbformat.read(old, as_version=4)
    assert nb.cells[-1].source == "Een andere slotzin." and nb.metadata["papermill"] == {"parameters": {"year": 2018}}
    before = old.read_bytes()
    for cell in new["cells"]:
        cell.pop("id")
    no_ids = _write(tmp_path / "old-format.ipynb", {**new, "nbformat_minor": 4})
    assert not fits(old, no_ids) and not rewrite_prose(old, no_ids)
    assert old.read_bytes() == before
    (tmp_path / "broken.ipynb").write_text("{", encoding="utf-8")
    assert not fits(tmp_path / "broken.ipynb", src)


# --- when the cache may say so ---------------------------------------------------------------------------

GRAPH = {"00": frozenset(), "03": frozenset({"00"}), "05": frozenset({"00"}), "01": frozenset({"03", "05"})}
ORDER = ["00", "03", "05", "01"]


def _key(name: str, source: str, deps: dict[str, str]) -> str:
    return cache.notebook_key(name, source, "inputs", {"year": 2018}, deps)


def _manifest(root: Path) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for name in ORDER:
        part = root / "executed" / f"{name}.ipynb"
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(name, encoding="utf-8")
        deps = {d: entries[d]["key"] for d in GRAPH[name]}
        entries[name] = {
            "key": _key(name, f"src-{name}", deps),
            "source": f"src-{name}",
            "code": f"code-{name}",
            "parts": {f"executed/{name}.ipynb": cache.file_digest(part)},
        }
    return {"notebooks": entries}


def _reusable(root: Path, manifest: dict[str, Any], reused: set[str], code: dict[str, str] | None = None, **kw: Any):
    code = code or {n: f"code-{n}" for n in ORDER}
    return cache.prose_reusable(
        root, ORDER, GRAPH, reused, kw.get("blocked", set()), code, lambda n, s, d: _key(n, s, d), manifest
    )


def test_a_prose_edit_reuses_the_chapter_and_what_depends_on_it(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path)
    assert _reusable(tmp_path, manifest, {"00", "03"}) == {"05", "01"}


@pytest.mark.parametrize(
    "spoil",
    ["code", "inputs", "damaged", "no-code-recorded", "dependency-runs", "blocked"],
)
def test_anything_but_prose_makes_the_chapter_run(tmp_path: Path, spoil: str) -> None:
    manifest = _manifest(tmp_path)
    code = {n: f"code-{n}" for n in ORDER}
    reused = {"00", "03"}
    blocked: set[str] = set()
    if spoil == "code":
        code["05"] = "code-05-changed"
    elif spoil == "inputs":
        manifest["notebooks"]["05"]["key"] = "a key made from other inputs"
    elif spoil == "damaged":
        (tmp_path / "executed" / "05.ipynb").write_text("stray edit", encoding="utf-8")
    elif spoil == "no-code-recorded":
        del manifest["notebooks"]["05"]["code"]  # a manifest of an older build
    elif spoil == "dependency-runs":
        reused, blocked = {"03"}, {"00"}  # 00 runs: its outputs may differ
    else:
        blocked = {"05"}  # the cache found a reason to run it (e.g. processed data missing)
    got = _reusable(tmp_path, manifest, reused, code, blocked=blocked)
    assert "05" not in got and "01" not in got
