"""``monitor new-chapter``: a chapter notebook that runs at once and that the build refuses until written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import paths
from helpers.publish.render.merge import MergeError, check_source
from helpers.report.chapter_template import ChapterTemplateError, chapter_path, new_chapter, template_leftovers
from helpers.survey.codebook import load_codebook
from helpers.survey.vocabulary import TEMPLATE_TAG

CODEBOOK = load_codebook(paths.codebook_path(2018))


def _sources(nb) -> list[str]:
    return ["".join(c.source) for c in nb.cells]


def test_every_question_of_the_chapter_gets_a_view_and_computed_text() -> None:
    nb = new_chapter(CODEBOOK, 3, "Beleid")
    sources = _sources(nb)
    for q in CODEBOOK.by_chapter(3):
        view = f'ch.quotes("{q.id}")' if q.type == "text" else f'ch.show("{q.id}")'
        assert view in sources, q.id
        if q.type != "text":
            assert any(s.startswith(f"%%tekst {q.id}\n") and f'n("{q.id}")' in s for s in sources), q.id
    assert sources[0].startswith("# Beleid") and sources[-1] == "ch.remaining()"
    assert nb.cells[1].metadata["tags"] == ["parameters"] and "year = 2018" in sources[1]


def test_a_hostile_title_stays_text_when_rendered() -> None:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    nb = new_chapter(CODEBOOK, 3, "Beleid <script>x</script> [a](javascript:b)")
    rendered = markdown2html_mistune(nb.cells[0].source)
    assert "<script" not in rendered and 'href="javascript' not in rendered and "[a](javascript:b)" in rendered


@pytest.mark.parametrize(
    ("number", "name", "says"),
    [(1, "x", "2 t/m 99"), (100, "x", "2 t/m 99"), (11, "Taal", "kleine letters"), (11, "../x", "kleine letters"),
     (3, "other_policy", "bestaat al")],
)  # fmt: skip
def test_a_number_or_name_outside_the_contract_is_refused(number: int, name: str, says: str) -> None:
    with pytest.raises(ChapterTemplateError, match=says):
        chapter_path(paths.NOTEBOOKS_DIR, number, name)


def test_the_build_refuses_template_text_until_every_tag_is_gone(tmp_path: Path) -> None:
    nb = new_chapter(CODEBOOK, 4, "Start")
    path = tmp_path / "04_start.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    tagged = sum(TEMPLATE_TAG in c.metadata.get("tags", []) for c in nb.cells)
    assert len(template_leftovers(path)) == tagged > len(CODEBOOK.by_chapter(4))
    with pytest.raises(MergeError) as err:
        check_source(path)
    assert f"{tagged} cel(len)" in str(err.value) and "04_start.ipynb (onder ‘Start’)" in str(err.value)
    for cell in nb.cells:
        cell.metadata.get("tags", []).clear() if TEMPLATE_TAG in cell.metadata.get("tags", []) else None
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert check_source(path) == "Start" and template_leftovers(path) == []


@pytest.mark.slow
def test_the_command_writes_a_notebook_that_runs_in_a_kernel(tmp_path: Path) -> None:
    """End to end in a project copy: ``monitor new-chapter`` for chapter 3, then the notebook runs as written."""
    import papermill

    from helpers.publish.execute.kernels import SocketKernelManager

    root = tmp_path / "project"
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    shutil.copytree(paths.NOTEBOOKS_DIR, root / "notebooks")
    (root / "notebooks" / "03_policy.ipynb").unlink()
    env = {**os.environ, "MONITOR_ROOT": str(root)}
    monitor = [sys.executable, "-m", "helpers"]
    subprocess.run([*monitor, "data", "--year", "2018"], env=env, check=True, capture_output=True)
    args = ["new-chapter", "--year", "2018", "--number", "3", "--name", "policy_new", "--title", "Beleid"]
    made = subprocess.run([*monitor, *args], env=env, capture_output=True, text=True)
    assert made.returncode == 0 and "notebooks/03_policy_new.ipynb" in made.stdout
    again = subprocess.run([*monitor, *args], env=env, capture_output=True, text=True)
    assert again.returncode != 0 and again.stderr.startswith("Geen hoofdstuk gemaakt: hoofdstuk 03 bestaat al")
    notebook = root / "notebooks" / "03_policy_new.ipynb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MONITOR_ROOT", str(root))
        mp.setenv("JPY_SESSION_NAME", str(notebook))  # what JupyterLab tells its kernel
        mp.delenv("MONITOR_NOTEBOOK", raising=False)
        papermill.execute_notebook(
            str(notebook), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
            cwd=str(notebook.parent), kernel_manager_class=SocketKernelManager,
        )  # fmt: skip
    out = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    shown = [o for c in out["cells"] for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
    assert not [o for c in out["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(shown) >= len(CODEBOOK.by_chapter(3))
