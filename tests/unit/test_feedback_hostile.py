"""Text is data in the private feedback documents too: every text field of a document (open answers, labels,
municipality names, contact) filled with the hostile corpus, compiled with XeLaTeX, prints as text."""

from __future__ import annotations

import itertools
import shutil
import subprocess

import pytest
from analysis_fixtures import make_municipalities, make_respondents
from hostile_strings import PAYLOADS

from helpers import paths
from helpers.publish.feedback.batch import latex_source, render_pdf, template
from helpers.report.feedback import FeedbackSource

DISPLAY = {"name", "email", "contact_line", "text", "label", "own", "title", "group_header", "total_header"}
LEAK = "LEAKEDSECRETCONTENT"


def _hostile(value, payloads, secret: str):
    if isinstance(value, dict):
        return {
            k: (next(payloads).replace("SECRETFILE", secret) if k in DISPLAY and isinstance(v, str) and v
                else _hostile(v, payloads, secret))
            for k, v in value.items()
        }  # fmt: skip
    if isinstance(value, list):
        return [_hostile(v, payloads, secret) for v in value]
    return value


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xelatex") is None, reason="XeLaTeX is installed by make setup")
def test_a_feedback_document_of_hostile_text_prints_it_as_text(cb, tmp_path):
    secret = tmp_path / "geheim.tex"
    secret.write_text(LEAK, encoding="utf-8")
    source = FeedbackSource(cb, make_municipalities(), make_respondents(), {"name": "x", "email": "y"}, {3: "Beleid"})
    doc = next(iter(source.documents())).as_dict()
    payloads = itertools.cycle(PAYLOADS)
    hostile = _hostile(doc, payloads, str(secret.with_suffix("")))
    tex = latex_source(hostile, template(paths.TEMPLATES_DIR))
    assert "\\input{" not in tex
    pdf, _ = render_pdf(tex, tmp_path / "work")
    (tmp_path / "doc.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "doc.pdf"), "-"], capture_output=True, text=True).stdout
    assert LEAK not in text
    assert "HOSTILE" in text and "\\input{" in text
