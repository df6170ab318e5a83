"""The feedback batch without XeLaTeX: LaTeX source, keys, private index, where the output lives."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from analysis_fixtures import make_municipalities, make_respondents

from helpers import paths
from helpers.publish.base import plan
from helpers.publish.base.params import declared_parameters
from helpers.publish.base.staging import new_staging, swap_in
from helpers.publish.feedback.batch import document_key, index_csv, latex_source, template
from helpers.report.feedback import FeedbackSource

CONTACT = {"name": "Team & co_2", "email": "monitor@example.org"}


@pytest.fixture(scope="module")
def docs(cb):
    source = FeedbackSource(cb, make_municipalities(), make_respondents(), CONTACT, {3: "Beleid"})
    return {d.respondent_id: d.as_dict() for d in source.documents()}


@pytest.fixture(scope="module")
def tpl():
    return template(paths.TEMPLATES_DIR)


def test_latex_escapes_text_and_draws_bars(docs, tpl):
    tex = latex_source(docs["R10"], tpl)
    assert r"Team \& co\_2" in tex  # the contact line, escaped
    assert r"\fbshare{80\%}{17.60}{fbgroup}" in tex  # 80% of the 22 mm bar
    assert r"\fbshare{–}{}" not in tex
    assert "R10" not in tex and "Stad A" not in tex


def test_synthetic_warning_on_cover_and_every_page_footer(docs, tpl):
    tex = latex_source(docs["R10"], tpl)
    footer = next(line for line in tex.splitlines() if line.startswith(r"\fancyfoot[L]"))
    assert "Synthetische voorbeelddata" in footer
    cover = tex.split(r"\end{titlepage}")[0]
    assert "Synthetische voorbeelddata" in cover
    real = dict(docs["R10"], synthetic_warning="")
    assert "Synthetische" not in latex_source(real, tpl)


def test_no_table_of_contents_or_references_so_one_pass_suffices(docs, tpl):
    tex = latex_source(docs["R11"], tpl)
    for command in (r"\tableofcontents", r"\ref{", r"\pageref", r"\label{", "lastpage"):
        assert command not in tex


def test_document_key_follows_source_and_date(docs, tpl):
    tex = latex_source(docs["R10"], tpl)
    assert document_key(tex, 1) == document_key(tex, 1)
    assert document_key(tex, 1) != document_key(tex + "%", 1) != document_key(tex, 2)


def test_private_index_maps_files_to_responses(docs):
    text = index_csv(list(docs.values()))
    lines = text.splitlines()
    assert lines[0] == "file,respondent,municipalities"
    assert "GM9010+2.pdf,R10,GM9010 Gemeente 10; GM9011 Gemeente 11; GM9012 Gemeente 12" in lines
    assert len(lines) == 25 and lines[1:] == sorted(lines[1:])


def test_the_feedback_notebook_is_no_chapter_and_declares_its_parameters():
    assert "feedback" not in {nb.name for nb in plan.discover(paths.NOTEBOOKS_DIR)}
    nb = paths.NOTEBOOKS_DIR / "feedback.ipynb"
    assert set(declared_parameters(nb)) == {"year", "respondent", "build_dir", "data_dir"}
    assert declared_parameters(nb)["build_dir"]["default"] == "None"


def test_feedback_lives_beside_the_report_and_survives_its_swap(tmp_path):
    feedback = paths.feedback_dir(2018, tmp_path)
    assert feedback == tmp_path / "2018-feedback" and not feedback.is_relative_to(tmp_path / "2018")
    feedback.mkdir()
    (feedback / "GM0363.pdf").write_bytes(b"%PDF private")
    (tmp_path / "2018").mkdir()
    staging = new_staging(tmp_path, 2018)  # removes stale report staging dirs only
    (staging / "monitor_2018.pdf").write_bytes(b"%PDF public")
    swap_in(staging, tmp_path / "2018")
    assert (feedback / "GM0363.pdf").read_bytes() == b"%PDF private"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2018", "2018-feedback"]
    assert not any("feedback" in p.name for p in (tmp_path / "2018").rglob("*"))


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_feedback_files_are_never_committed():
    probe = ["reports/2018-feedback/GM0363.pdf", "reports/2019-feedback/index.csv", "reports/2018-feedback-failed/a"]
    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", *probe], cwd=paths.PROJECT_ROOT, capture_output=True, text=True
    )
    assert proc.stdout.split() == probe
