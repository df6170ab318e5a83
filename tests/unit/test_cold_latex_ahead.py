"""XeLaTeX runs started ahead on a named pipe (render.latex_ahead): same bytes in, same output, no hang."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.publish.render import latex_ahead
from helpers.publish.render.latex_ahead import BOM, PassAhead, split_source

pytestmark = pytest.mark.skipif(not latex_ahead.supported(), reason="no named pipes")

#: A stand-in for xelatex: copies its main file (the pipe) to got.bin, writes notebook.aux, exits with $FAKE_RC.
FAKE_TEX = """import os, sys
data = open("notebook.tex", "rb").read(int(os.environ.get("FAKE_READ", "-1")))
open("got.bin", "wb").write(data)
open("notebook.aux", "w").write("aux " + str(os.path.exists("seen.png")))
sys.exit(int(os.environ.get("FAKE_RC", "0")))
"""


def fake_tex(tmp_path: Path) -> list[str]:
    script = tmp_path / "fake_tex.py"
    script.write_text(FAKE_TEX, encoding="utf-8")
    exe = tmp_path / "fake-xelatex"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}"\n', encoding="utf-8")
    exe.chmod(0o755)
    return [str(exe), "-no-pdf", "notebook.tex"]


def test_split_source_at_begin_document() -> None:
    src = b"\\documentclass{report}\n\\usepackage{x}\n\\begin{document}\nHallo\n\\end{document}\n"
    pre, rest = split_source(src) or (b"", b"")
    assert pre + rest == src
    assert rest.startswith(b"\\begin{document}") and pre.endswith(b"\n")
    assert split_source(b"\\documentclass{report}\n") is None


def test_run_gets_the_source_and_its_inputs(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "seen.png").write_bytes(b"png")
    (inputs / "notebook.toc").write_text("toc", encoding="utf-8")
    (inputs / "notebook.log").write_text("old log", encoding="utf-8")
    run = PassAhead(tmp_path / "run1", fake_tex(tmp_path), dict(os.environ), b"PRE\n")
    code, _ = run.finish(b"\\begin{document}" + b"x" * 300_000, inputs)  # more than a pipe holds
    assert code == 0
    assert (tmp_path / "run1" / "got.bin").read_bytes() == BOM + b"PRE\n\\begin{document}" + b"x" * 300_000
    assert (tmp_path / "run1" / "notebook.toc").read_text(encoding="utf-8") == "toc"
    assert not (tmp_path / "run1" / "notebook.log").exists()  # an earlier run's output is not an input
    run.collect(inputs)
    assert (inputs / "notebook.aux").read_text(encoding="utf-8") == "aux True"
    assert not (tmp_path / "run1" / "notebook.aux").exists()


def test_a_run_that_stops_early_does_not_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_RC", "1")
    monkeypatch.setenv("FAKE_READ", "10")  # reads a little, then exits: the rest cannot be written
    run = PassAhead(tmp_path / "run1", fake_tex(tmp_path), dict(os.environ), b"PRE\n")
    code, _ = run.finish(b"\\begin{document}" + b"x" * 1_000_000, tmp_path)
    assert code == 1


def test_cancel_stops_a_run_waiting_for_its_body(tmp_path: Path) -> None:
    run = PassAhead(tmp_path / "run1", fake_tex(tmp_path), dict(os.environ), b"PRE\n")
    run.cancel()
    assert run.proc.returncode is not None
    assert not run._feeder.is_alive()


def test_a_command_that_never_opens_the_pipe(tmp_path: Path) -> None:
    run = PassAhead(tmp_path / "run1", ["/bin/false", "x"], dict(os.environ), b"PRE\n")
    code, _ = run.finish(b"\\begin{document}", tmp_path)
    assert code != 0


@pytest.mark.slow  # two XeLaTeX runs
@pytest.mark.skipif(shutil.which("xelatex") is None, reason="no xelatex")
def test_xelatex_ahead_writes_the_same_xdv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1523318400")
    monkeypatch.setenv("FORCE_SOURCE_DATE", "1")
    source = b"% comment\n\\documentclass{article}\n\\begin{document}\nHallo \\LaTeX.\n\\end{document}\n"
    command = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-no-pdf", "notebook.tex"]
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notebook.tex").write_bytes(source)
    subprocess.run(command, cwd=plain, capture_output=True, check=True)
    pre, rest = split_source(source) or (b"", b"")
    run = PassAhead(tmp_path / "ahead", command, dict(os.environ), pre)
    code, out = run.finish(rest, plain)
    assert code == 0, out.decode(errors="replace")[-500:]
    assert (tmp_path / "ahead" / "notebook.xdv").read_bytes() == (plain / "notebook.xdv").read_bytes()
    assert (tmp_path / "ahead" / "notebook.aux").read_bytes() == (plain / "notebook.aux").read_bytes()


@pytest.mark.slow  # three small XeLaTeX builds
@pytest.mark.skipif(shutil.which("xelatex") is None, reason="no xelatex")
def test_render_pdf_ahead_is_byte_identical_and_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from helpers.paths import TEMPLATES_DIR
    from helpers.publish.render.pdf import render_pdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1523318400")
    monkeypatch.setenv("FORCE_SOURCE_DATE", "1")
    nb = new_notebook(cells=[new_markdown_cell("# Test\n\n## Deel\n\nTekst."), new_code_cell("")])
    nb.metadata.update(title="T", monitor={"year": 2018, "synthetic": False, "freeze_date_nl": "1 april 2018"})
    fed: list[int] = []
    finish = PassAhead.finish

    def counting(self: PassAhead, rest: bytes, inputs: Path) -> tuple[int, bytes]:
        fed.append(len(rest))
        return finish(self, rest, inputs)

    monkeypatch.setattr(PassAhead, "finish", counting)
    passes = render_pdf(nb, tmp_path / "ahead.pdf", TEMPLATES_DIR)
    assert passes >= 2 and len(fed) == passes  # every pass ran on a run started ahead
    monkeypatch.setattr(latex_ahead, "supported", lambda: False)
    assert render_pdf(nb, tmp_path / "plain.pdf", TEMPLATES_DIR) == passes
    assert (tmp_path / "ahead.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()
