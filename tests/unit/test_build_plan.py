"""Build plan: notebook discovery and order, dependency graph, parameter check, cache keys."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import paths
from helpers.publish.base import cache, plan
from helpers.publish.base.params import ParameterError, check_parameters, declared_parameters, notebook_parameters

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
NAMES = [
    "00_data_preparation", "01_conclusions", "02_introduction_response", "03_policy", "04_start_guidance",
    "05_education", "06_cooperation", "07_guidance_contexts", "08_results", "09_success_factors",
    "10_preconditions",
]  # fmt: skip


@pytest.fixture
def nbdir(tmp_path: Path) -> Path:
    """A notebooks dir with the eleven report notebooks (copies of one stub) plus noise."""
    stub = (FIXTURES / "04_start_guidance.ipynb").read_text(encoding="utf-8")
    for name in reversed(NAMES):
        (tmp_path / f"{name}.ipynb").write_text(stub, encoding="utf-8")
    (tmp_path / "scratch.ipynb").write_text(stub, encoding="utf-8")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    return tmp_path


def _names(nbs: list[plan.Notebook]) -> list[str]:
    return [nb.name for nb in nbs]


# ---- ordering and graph ---------------------------------------------------------------------------------


def test_discover_sorts_by_number_and_ignores_other_files(nbdir: Path) -> None:
    nbs = plan.discover(nbdir)
    assert _names(nbs) == NAMES
    assert [nb.role for nb in nbs[:3]] == [plan.PREP, plan.CONCLUSIONS, plan.CHAPTER]
    assert nbs[3].chapter_label == "3" and nbs[0].chapter_label == "A"


def test_discover_rejects_duplicate_numbers_and_empty_dirs(
    nbdir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shutil.copy(nbdir / "03_policy.ipynb", nbdir / "03_other.ipynb")
    with pytest.raises(plan.PlanError, match="two notebooks numbered 03"):
        plan.discover(nbdir)
    with pytest.raises(plan.PlanError, match="no NN_name"):
        plan.discover(tmp_path_factory.mktemp("empty"))


def test_dependency_graph(nbdir: Path) -> None:
    graph = plan.dependencies(plan.discover(nbdir))
    chapters = set(NAMES[2:])
    assert graph["00_data_preparation"] == frozenset()
    assert all(graph[c] == {"00_data_preparation"} for c in chapters)
    assert graph["01_conclusions"] == chapters | {"00_data_preparation"}


def test_stages_run_00_first_chapters_together_01_last(nbdir: Path) -> None:
    assert plan.stages(plan.discover(nbdir)) == [["00_data_preparation"], NAMES[2:], ["01_conclusions"]]


def test_report_order_prints_01_first_and_00_as_appendix(nbdir: Path) -> None:
    assert _names(plan.report_order(plan.discover(nbdir))) == [*NAMES[1:], "00_data_preparation"]


def test_without_data_preparation_chapters_have_no_dependencies(nbdir: Path) -> None:
    (nbdir / "00_data_preparation.ipynb").unlink()
    nbs = plan.discover(nbdir)
    assert plan.stages(nbs) == [NAMES[2:], ["01_conclusions"]]


# ---- parameters -----------------------------------------------------------------------------------------


def test_declared_parameters_of_a_stub() -> None:
    declared = declared_parameters(FIXTURES / "03_policy.ipynb")
    assert set(declared) == {"year", "build_dir"}
    assert declared["year"]["default"] == "2018"


def test_notebook_without_kernelspec_is_inspected_too() -> None:
    assert "kernelspec" not in json.loads((FIXTURES / "04_start_guidance.ipynb").read_text())["metadata"]
    assert set(declared_parameters(FIXTURES / "04_start_guidance.ipynb")) == {"year", "build_dir"}


def test_known_parameters_pass() -> None:
    check_parameters(FIXTURES / "03_policy.ipynb", notebook_parameters(2018, "/tmp/x"))


def test_unknown_parameter_is_an_error() -> None:
    params = notebook_parameters(2018, "/tmp/x", extra={"jaar": 2019})
    msg = r"03_policy.ipynb: unknown parameter\(s\) jaar; .*declares year, build_dir"
    with pytest.raises(ParameterError, match=msg):
        check_parameters(FIXTURES / "03_policy.ipynb", params)


def test_notebook_without_parameters_cell_is_an_error(tmp_path: Path) -> None:
    nb = json.loads((FIXTURES / "03_policy.ipynb").read_text())
    for cell in nb["cells"]:
        cell["metadata"].pop("tags", None)
    (tmp_path / "03_policy.ipynb").write_text(json.dumps(nb))
    with pytest.raises(ParameterError, match="no cell tagged 'parameters'"):
        check_parameters(tmp_path / "03_policy.ipynb", {"year": 2018})


def test_override_beats_extra_beats_standard() -> None:
    p = notebook_parameters(2018, "d", extra={"year": 2017, "x": 1}, override={"x": 2})
    assert p == {"year": 2017, "build_dir": "d", "x": 2}


# ---- cache keys -----------------------------------------------------------------------------------------


def _edit(path: Path, fn) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    fn(nb)
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_notebook_digest_ignores_outputs_counts_kernelspec_and_timing(tmp_path: Path) -> None:
    path = tmp_path / "03_policy.ipynb"
    shutil.copy(FIXTURES / "03_policy.ipynb", path)
    before = cache.notebook_digest(path)

    def rerun(nb: dict) -> None:
        nb["metadata"]["kernelspec"] = {"name": "conda-env-x-py"}
        nb["metadata"]["papermill"] = {"start_time": "2026-01-01"}
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                cell["execution_count"] = i
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi"}]
                cell["metadata"]["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00"}

    _edit(path, rerun)
    assert cache.notebook_digest(path) == before
    _edit(path, lambda nb: nb["cells"][4]["metadata"].update(caption="Andere titel"))
    assert cache.notebook_digest(path) != before


def test_tree_digest_follows_content_names_and_exclusions(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "build").mkdir(parents=True)
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("a = 1")
    (tmp_path / "pkg" / "build" / "b.py").write_text("b = 1")
    d0 = cache.tree_digest([tmp_path / "pkg"], (".py",), exclude=[tmp_path / "pkg" / "build"])
    (tmp_path / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"x")
    (tmp_path / "pkg" / "notes.txt").write_text("ignored by suffix")
    (tmp_path / "pkg" / "build" / "b.py").write_text("b = 2")
    assert cache.tree_digest([tmp_path / "pkg"], (".py",), exclude=[tmp_path / "pkg" / "build"]) == d0
    (tmp_path / "pkg" / "a.py").write_text("a = 2")
    d1 = cache.tree_digest([tmp_path / "pkg"], (".py",), exclude=[tmp_path / "pkg" / "build"])
    assert d1 != d0
    (tmp_path / "pkg" / "c.py").write_text("")
    assert cache.tree_digest([tmp_path / "pkg"], (".py",), exclude=[tmp_path / "pkg" / "build"]) != d1
    assert cache.tree_digest([tmp_path / "missing"]) != cache.tree_digest([])


def _keys(nbdir: Path, inputs: str = "in", params: dict | None = None) -> dict[str, str]:
    nbs = plan.discover(nbdir)
    graph = plan.dependencies(nbs)
    order = [n for stage in plan.stages(nbs) for n in stage]
    sources = {nb.name: cache.notebook_digest(nb.path) for nb in nbs}
    all_params = {nb.name: notebook_parameters(2018, "../reports/2018") for nb in nbs}
    all_params.update(params or {})
    return cache.compute_keys(order, graph, sources, inputs, all_params)


def _changed(a: dict[str, str], b: dict[str, str]) -> set[str]:
    return {n for n in a if a[n] != b[n]}


def test_keys_are_stable_without_changes(nbdir: Path) -> None:
    assert _keys(nbdir) == _keys(nbdir)


def test_chapter_edit_changes_that_chapter_and_01_only(nbdir: Path) -> None:
    before = _keys(nbdir)
    _edit(nbdir / "05_education.ipynb", lambda nb: nb["cells"].append(
        {"cell_type": "markdown", "id": "new", "metadata": {}, "source": "Nieuwe alinea."}
    ))  # fmt: skip
    assert _changed(before, _keys(nbdir)) == {"05_education", "01_conclusions"}


def test_conclusions_edit_changes_01_only(nbdir: Path) -> None:
    before = _keys(nbdir)
    _edit(nbdir / "01_conclusions.ipynb", lambda nb: nb["cells"][0].update(source="# Conclusies\n\nAnders."))
    assert _changed(before, _keys(nbdir)) == {"01_conclusions"}


def test_data_preparation_edit_changes_everything(nbdir: Path) -> None:
    before = _keys(nbdir)
    _edit(nbdir / "00_data_preparation.ipynb", lambda nb: nb["cells"][0].update(source="# Verantwoording 2"))
    assert _changed(before, _keys(nbdir)) == set(NAMES)


def test_input_change_changes_everything(nbdir: Path) -> None:
    assert _changed(_keys(nbdir), _keys(nbdir, inputs="other")) == set(NAMES)


def test_parameter_change_changes_that_notebook_and_01(nbdir: Path) -> None:
    params = {"03_policy": notebook_parameters(2018, "../reports/2018", override={"year": 2019})}
    assert _changed(_keys(nbdir), _keys(nbdir, params=params)) == {"03_policy", "01_conclusions"}


def test_keys_do_not_depend_on_where_the_notebooks_are(nbdir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("elsewhere")
    for f in nbdir.glob("*.ipynb"):
        shutil.copy(f, other / f.name)
    assert _keys(nbdir) == _keys(other)


def test_explain_names_the_reason() -> None:
    manifest = {
        "inputs": {"invoerdata": "d", "src/helpers": "h"},
        "notebooks": {"03_policy": {"key": "k", "source": "s"}},
    }
    inputs = {"invoerdata": "d", "src/helpers": "h"}
    assert cache.explain("05_education", "k5", "s5", inputs, [], manifest) == "nieuw"
    assert cache.explain("03_policy", "k", "s", inputs, [], manifest) == "uitgevoerde versie ontbreekt"
    assert cache.explain("03_policy", "k2", "s2", inputs, [], manifest) == "notebook gewijzigd"
    changed = {"invoerdata": "d", "src/helpers": "h2"}
    assert cache.explain("03_policy", "k2", "s", changed, [], manifest) == "src/helpers gewijzigd"
    assert cache.explain("03_policy", "k2", "s", inputs, ["00_data_preparation"], manifest) == (
        "hangt af van 00_data_preparation"
    )


@pytest.mark.parametrize("name", sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")))
def test_every_shipped_notebook_is_valid_nbformat(name: str) -> None:
    import nbformat

    nbformat.validate(
        nbformat.read(paths.NOTEBOOKS_DIR / name, as_version=4)
    )  # e.g. a kernelspec needs its display_name
