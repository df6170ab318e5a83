"""Locations a person can find: the cell's prompt number as JupyterLab shows it, the heading above the cell,
the line counted from the ``%%tekst`` line; the kernel shows only the Dutch message; the build one location."""

from __future__ import annotations

import json

import pytest

from helpers.publish.execute.kernels import ExecutionFailure
from helpers.report.errors import LocatedError
from helpers.report.location import describe, heading_above, prompt_number, section_of, section_of_prompt


def _nb(tmp_path, cells):
    path = tmp_path / "03_policy.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), "utf-8")
    return path


CELLS = [
    {"cell_type": "markdown", "source": "# Beleid\n\nIntro"},
    {"cell_type": "code", "source": "ch = open_chapter(year, build_dir)", "execution_count": 1},
    {"cell_type": "markdown", "source": ["## Aanvullend beleid\n", "tekst"]},
    {"cell_type": "code", "source": "%%tekst additional_policy\n{{ pct('x') }}   \n", "execution_count": 2},
]


def test_the_heading_above_a_cell_is_found_by_its_source_or_its_prompt(tmp_path):
    path = _nb(tmp_path, CELLS)
    assert heading_above(CELLS, 3) == "Aanvullend beleid" and heading_above(CELLS, 1) == "Beleid"
    assert section_of(path, "%%tekst additional_policy\n{{ pct('x') }}") == "Aanvullend beleid"
    assert section_of(path, "een cel die niet is opgeslagen") == ""
    assert section_of_prompt(path, 2) == "Aanvullend beleid" and section_of_prompt(path, 9) == ""


def test_the_prompt_number_is_the_one_jupyterlab_shows():
    class Shell:
        execution_count = 26  # IPython has already counted the running cell, shown as In [25]

    assert prompt_number(Shell()) == 25
    assert prompt_number(object()) is None


def test_a_location_reads_like_a_place():
    assert describe("03_policy", 25, "Respons", 3) == "03_policy.ipynb, cel 25 (onder ‘Respons’), regel 3"
    assert describe("03_policy") == "03_policy.ipynb"


def test_the_kernel_shows_only_the_message():
    error = LocatedError("03_policy.ipynb, cel 25, regel 3: onbekende naam")
    assert error._render_traceback_() == ["03_policy.ipynb, cel 25, regel 3: onbekende naam"]


def test_the_build_line_has_one_location(tmp_path):
    located = ExecutionFailure("03_policy", "ProseError", "03_policy.ipynb, cel 2 (onder ‘X’), regel 2: fout", 2)
    assert str(located) == "03_policy.ipynb, cel 2 (onder ‘X’), regel 2: fout"
    plain = ExecutionFailure("03_policy", "KeyError", "'x'", 2, _nb(tmp_path, CELLS))
    assert str(plain) == "03_policy.ipynb, cel 2 (onder ‘Aanvullend beleid’): KeyError: 'x'"


@pytest.mark.slow
def test_in_a_kernel_a_prose_error_is_one_line_at_the_prompt_it_happened(tmp_path):
    """A real kernel: the error output's traceback is the one Dutch line, naming ``In [n]`` as the reply does."""
    from jupyter_client.manager import KernelManager

    from helpers.publish.execute.kernels import KERNEL_START_LIMIT, kernel_socket_prefix

    km = KernelManager(kernel_name="python3", transport="ipc", ip=kernel_socket_prefix())
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=KERNEL_START_LIMIT)
        code = (
            "from helpers.report.errors import LocatedError\n"
            "from helpers.report.location import prompt_number\n"
            "raise LocatedError(f'03_policy.ipynb, cel {prompt_number(get_ipython())}: fout')"
        )
        for _ in range(2):  # a second run: the prompt moves on, the message follows it
            outputs: list = []
            reply = kc.execute_interactive(code, timeout=600, output_hook=outputs.append)
            errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
            prompt = reply["content"]["execution_count"]
            assert errors and errors[0]["traceback"] == [f"03_policy.ipynb, cel {prompt}: fout"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_a_passage_about_the_view_above_it_takes_that_views_base(chapter):
    """ "Van deze gemeenten …" under a figure speaks of that figure's municipalities: a share on another base is
    an error naming both bases, unless the passage states its base with ``n(...)``."""
    from helpers.report.prose import Prose, ProseError

    prose = Prose(chapter)
    chapter.show("additional_policy")
    shown = chapter.registry.last_bases
    assert shown
    same = prose.render('Van deze gemeenten heeft {{ pct("additional_policy", "k1") }} aanvullend beleid.')
    assert same and "%" in same
    chapter.registry.last_bases = {max(shown) + 100}  # a figure of another base above the passage
    with pytest.raises(ProseError, match=r"‘Van deze’.*additional_policy rust op n=\d+ en de figuur of tabel erboven"):
        prose.render('Van deze gemeenten heeft {{ pct("additional_policy", "k1") }} aanvullend beleid.')
    named = prose.render('Van de {{ n("additional_policy") }} gemeenten heeft {{ pct("additional_policy", "k1") }} '
                         "aanvullend beleid; van hen werkt de helft samen.")  # fmt: skip
    assert named
    assert prose.render('Het gaat om {{ pct("additional_policy", "k1") }} van alle gemeenten.')
