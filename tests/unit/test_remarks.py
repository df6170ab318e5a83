"""Edition remarks (``notes.yaml``) can be placed in every notebook, and one placed nowhere fails the build."""

from __future__ import annotations

from helpers import paths
from helpers.publish.registers.claims_register import assemble_claims, unplaced_remarks
from helpers.report.claims import Register
from helpers.survey.vocabulary import CHAPTER_ANCHOR, CLAIMS_DIR


def _notes(root, remarks: list[tuple[str, str]]) -> None:
    lines = ["remarks:"] + [f"  - {{notebook: {nb}, anchor: {a}, text: Alleen in deze editie.}}" for nb, a in remarks]
    (root / "2021").mkdir(parents=True)
    (root / "2021" / "notes.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_notebook_with_prose_but_no_claim_still_holds_its_remarks(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    _notes(raw, [("02_introduction_response", "frame"), ("03_policy", CHAPTER_ANCHOR)])
    monkeypatch.setattr(paths, "RAW_DIR", raw)
    build = tmp_path / "build"
    Register(build / CLAIMS_DIR / "02_introduction_response.csv", "02_introduction_response")  # prose, no claim
    placed = Register(build / CLAIMS_DIR / "03_policy.csv", "03_policy")
    placed.add(None, "opmerking", "Alleen in deze editie.", CHAPTER_ANCHOR, True, "")
    names = ["02_introduction_response", "03_policy"]
    rows = assemble_claims(build, names)
    assert unplaced_remarks(2021, build, names, rows) == ["02_introduction_response/frame"]
