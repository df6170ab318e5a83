"""The build process leaves out an import nothing in it uses (``core.skip_unused_imports``)."""

from __future__ import annotations

import subprocess
import sys
from importlib.machinery import PathFinder

import pytest

from helpers.publish.build.core import UNUSED_IMPORT

#: Imports nbformat as a build does, validates a notebook, and says whether the grammar module was loaded.
PROBE = (
    "import sys{skip}; import nbformat; from nbformat.v4 import new_code_cell, new_notebook; "
    "nbformat.validate(new_notebook(cells=[new_code_cell('1')])); "
    f"print(sys.modules.get({UNUSED_IMPORT!r}) is not None)"
)
SKIP = "; from helpers.publish.build.core import skip_unused_imports; skip_unused_imports()"


def _loaded(skip: str) -> bool:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(skip=skip)], capture_output=True, text=True, check=True)
    return proc.stdout.strip() == "True"


# PathFinder: installed on sys.path, whatever this process put in sys.modules (tests/conftest.py skips it here)
@pytest.mark.skipif(PathFinder.find_spec(UNUSED_IMPORT) is None, reason=f"{UNUSED_IMPORT} not installed")
def test_nbformat_validates_without_compiling_the_iri_grammars() -> None:
    assert _loaded("")  # what jsonschema does on its own
    assert not _loaded(SKIP)


def test_the_render_modules_are_imported_while_the_block_runs_and_done_when_it_ends() -> None:
    """``importing_meanwhile`` (used while the kernels run), in a fresh process: after the block every render
    module is imported whole, and an empty list imports nothing, not even papermill."""
    probe = (
        "import sys; from helpers.publish.build.core import RENDER_MODULES, importing_meanwhile\n"
        "assert not any(m in sys.modules for m in RENDER_MODULES)\n"
        "with importing_meanwhile(RENDER_MODULES):\n"
        "    pass\n"
        "print(all(m in sys.modules and getattr(sys.modules[m], '__spec__', None) for m in RENDER_MODULES))\n"
        "with importing_meanwhile(()):\n    pass\n"
        "print('papermill' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True"]
