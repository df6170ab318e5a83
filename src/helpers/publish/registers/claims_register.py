"""The claims register of a build: ``claims.csv`` from the notebooks' parts, and a check that every
remark of the edition's ``notes.yaml`` was placed by some ``%%tekst`` block.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from helpers import paths
from helpers.publish.base.page_shell import banner, page, scroll_box
from helpers.report.claims import REGISTER_COLUMNS, entry_anchor
from helpers.report.part_files import write_part
from helpers.survey.notes import load_notes
from helpers.survey.text_escape import html_text
from helpers.survey.vocabulary import CLAIMS_DIR

FILENAME = "claims.csv"
REMARK = "opmerking"


class ClaimsError(ValueError):
    """A claims part that cannot be read, or a remark that no notebook placed."""


def assemble_claims(build_dir: Path, names: Iterable[str]) -> list[dict[str, str]]:
    """Concatenate ``claims/<name>.csv`` in notebook order into ``claims.csv``; returns the rows."""
    rows: list[dict[str, str]] = []
    for name in names:
        part = Path(build_dir) / CLAIMS_DIR / f"{name}.csv"
        if not part.is_file():
            continue
        with part.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != REGISTER_COLUMNS:
                raise ClaimsError(f"{part}: kolommen {reader.fieldnames}, verwacht {REGISTER_COLUMNS}")
            rows += list(reader)
    write_part(Path(build_dir) / FILENAME, REGISTER_COLUMNS, rows)
    return rows


def unplaced_remarks(year: int, build_dir: Path, notebooks: Iterable[str], rows: list[dict[str, str]]) -> list[str]:
    """Remarks of ``data/raw/<year>/notes.yaml`` that no notebook placed (``notebook/anchor``).

    Held to their remarks are the notebooks that wrote a claims part (they render ``%%tekst`` prose);
    a remark for a notebook the build does not have at all is reported too when any notebook has prose.
    """
    with_prose = {p.stem for p in (Path(build_dir) / CLAIMS_DIR).glob("*.csv")}
    if not with_prose:
        return []
    placed = {(r["notebook"], r["condition"]) for r in rows if r["kind"] == REMARK}
    known = set(notebooks)
    return [
        f"{r.notebook}/{r.anchor}"
        for r in load_notes(paths.notes_path(year)).remarks
        if (r.notebook not in known or r.notebook in with_prose) and (r.notebook, r.anchor) not in placed
    ]


PAGE = "beweringen.html"
TITLE = "Beweringen en vergelijkingen in de tekst"
_KINDS = {"bewering": "Beweringen", "vergelijking": "Berekende vergelijkingen", REMARK: "Opmerkingen over deze editie"}


def _under(section: str) -> str:
    return f" (onder ‘{html_text(section)}’)" if section else ""


def row_anchor(notebook: str, number: int | str) -> str:
    """The anchor of a notebook's register entry ``number`` (from 1) on the claims page."""
    return f"{notebook}-{entry_anchor(number)}"


def _numbered(rows: list[dict[str, str]]) -> list[tuple[int, dict[str, str]]]:
    """Each row with its number in its notebook's register (the rows of a notebook are in register order)."""
    seen: dict[str, int] = {}
    out = []
    for r in rows:
        seen[r["notebook"]] = seen.get(r["notebook"], 0) + 1
        out.append((seen[r["notebook"]], r))
    return out


def claims_page(rows: list[dict[str, str]], title: str, synthetic_note: str = "") -> str:
    """The register for reviewers: every claim with its condition and numbers, every computed comparison,
    every placed edition remark; a claim that does not hold (a draft build) is marked. Each row has an
    anchor the chapter page links to, and links back to its passage there."""
    esc = html_text
    sections = []
    numbered = _numbered(rows)
    for kind, heading in _KINDS.items():
        mine = [(k, r) for k, r in numbered if r["kind"] == kind]
        if not mine:
            continue
        body = "".join(
            f'<tr id="{esc(row_anchor(r["notebook"], k))}"{"" if r["holds"] == "True" else " class=fails"}>'
            f'<th scope="row"><a href="{esc(r["notebook"])}.html#{entry_anchor(k)}">{esc(r["notebook"])}, cel '
            f"{esc(r['cell'])}</a>{_under(r.get('section', ''))}</th><td>{esc(r['text'])}</td>"
            f"<td><code>{esc(r['condition'])}</code></td>"
            f"<td><code>{esc(r['numbers'])}</code></td>"
            f"<td>{'ja' if r['holds'] == 'True' else '<strong>nee</strong>'}</td></tr>\n"
            for k, r in mine
        )
        sections.append(
            scroll_box(
                f'<table><caption>{esc(heading)} ({len(mine)})</caption>\n<thead><tr><th scope="col">Waar</th>'
                '<th scope="col">Tekst</th><th scope="col">Voorwaarde of berekening</th><th scope="col">Cijfers</th>'
                f'<th scope="col">Klopt</th></tr></thead>\n<tbody>\n{body}</tbody></table>'
            )
        )
    body = f"""<h1>{esc(TITLE)}</h1>
{banner(synthetic_note)}<p>Elke bewering in de tekst die een bevinding in woorden noemt, is gekoppeld aan een
voorwaarde op de gegevens; bij elke bouw wordt die opnieuw gecontroleerd. Richtingwoorden (‘steeg’, ‘vaker dan’)
zijn berekend. De eerste kolom linkt naar de passage in het hoofdstuk; daar linkt het woord of de bewering
hierheen. Hetzelfde register staat als <a href="claims.csv">claims.csv</a> bij het rapport.</p>
{chr(10).join(sections) if sections else "<p>Deze editie bevat geen beweringen of vergelijkingen.</p>"}
"""
    return page(f"{TITLE} — {title}", body, width_rem=64, css=_CSS)


_CSS = """  table { border-collapse: collapse; margin: 1.2rem 0; width: 100%; min-width: 40rem; }
  caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
  th, td { padding: .2rem .5rem; border-bottom: 1px solid #ccc; text-align: left; vertical-align: top;
           overflow-wrap: break-word; }
  thead th { white-space: nowrap; }
  code { overflow-wrap: anywhere; }
  tr.fails { background: #fde8e8; }
"""
