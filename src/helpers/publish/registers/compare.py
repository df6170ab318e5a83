"""What changed since the previous edition, for readers: a CSV, a Markdown appendix, an HTML page;
and a diff of two builds' ``indicators.csv``.

The numbers come from ``analysis.edition_changes`` (the noise rule of ``analysis.comparisons``),
the words from ``report.phrases``, so the page says "steeg" exactly where the report's prose does.
``monitor compare --from-year 2018 --to-year 2019`` writes the CSV (``make compare``);
``monitor diff-indicators OUD.csv NIEUW.csv`` prints only the numbers that differ between two builds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.analysis.comparisons import MARGIN_DECIMALS, EditionChange
from helpers.analysis.edition_changes import ShareChange, edition_changes
from helpers.analysis.frame_change import frame_change
from helpers.publish.base.page_shell import banner, page, scroll_box
from helpers.report.phrases import change_verb
from helpers.survey.codebook import load_codebook
from helpers.survey.formatting import fmt_number, fmt_pct
from helpers.survey.text_escape import html_text, markdown_text

PAGE = "veranderingen.html"
#: The rules behind the verdicts are stated once, in the method appendix; here they are referred to.
RULE_POINTER = (
    "Wanneer een verschil groter is dan de ruis, en hoe alleen dezelfde groep gemeenten met elkaar wordt "
    "vergeleken, staat beschreven in de verantwoording (bijlage A, ‘Vergelijkingen’ en ‘Dezelfde vraag, dezelfde "
    "gemeenten’): dezelfde regels bepalen de woorden ‘steeg’, ‘daalde’ en ‘nagenoeg gelijk’ in de tekst."
)
TITLE = "Wat is er veranderd sinds de vorige editie"
NOT_COMPARABLE = "niet vergelijkbaar"
PANEL_HEAD = "Zelfde gemeenten"
CSV_COLUMNS = [
    "vraag", "hoofdstuk", "vraagtekst", "categorie", "jaar_voor", "waarde_voor", "n_voor", "basis_voor_aangenomen",
    "bron_voor", "jaar_na", "waarde_na", "n_na", "verschil", "marge", "ondergrens", "bovengrens", "richting", "oordeel",
    "verschil_onafgerond", "vergeleken_groep", "niet_vergelijkbaar", "panel_n", "panel_voor", "panel_na",
    "panel_verschil", "panel_marge", "panel_richting", "panel_oordeel", "andere_samenstelling",
]  # fmt: skip


def load_changes(year: int, since: int | None = None) -> list[ShareChange]:
    """The changes of ``year`` since the previous comparable edition (or since ``since``), from the raw inputs.

    Uses the codebooks of every year up to ``year``, each year's municipalities table (processed, or
    loaded like ``make data`` would) and the published values of earlier editions.
    """
    from helpers.analysis.trends import load_published
    from helpers.load.processed import edition_years, municipalities
    from helpers.survey.lineage import QuestionHistory

    years = [y for y in range(2000, year + 1) if paths.codebook_path(y).is_file()]
    history = QuestionHistory({y: load_codebook(paths.codebook_path(y)) for y in years})
    data = {y: municipalities(y) for y in edition_years(year) if since is None or y in (since, year)}
    return edition_changes(history, year, data, load_published(range(2000, year)), since)


def verdict(c: ShareChange) -> str:
    """The verdict word of one share: "steeg", …, or "niet vergelijkbaar"."""
    return NOT_COMPARABLE if c.not_comparable else change_verb(c.change)


def _panel_row(c: ShareChange) -> list[object]:
    if c.panel is None or c.not_comparable:
        return [None] * 7
    p = c.panel.change
    return [c.panel.n, p.before, p.after, p.shown_difference, p.margin, p.direction, change_verb(p)]


def changes_frame(changes: Sequence[ShareChange]) -> pd.DataFrame:
    """One row per share (``CSV_COLUMNS``): both editions, the printed difference, margin, printed interval and
    verdict; the group compared after a routing change; the same over the municipalities that answered both."""
    rows = []
    for c in changes:
        ch, skip = c.change, bool(c.not_comparable)
        rows.append(
            [
                c.question.id, c.question.chapter, c.question.text, c.category, ch.year_before, ch.before,
                ch.n_before, ch.assumed_base, c.source_before, ch.year_after, ch.after, ch.n_after,
                None if skip else ch.shown_difference, None if skip else ch.margin,
                None if skip else ch.shown_lower, None if skip else ch.shown_upper,
                "not_comparable" if skip else ch.direction, verdict(c), ch.difference, c.routing, c.not_comparable,
                *_panel_row(c), c.mix_effect,
            ]
        )  # fmt: skip
    return pd.DataFrame(rows, columns=CSV_COLUMNS)


def _pp(value: float, decimals: int = 0) -> str:
    """A difference in percentage points: "+12", "−3", "0", "+0,4"."""
    text = fmt_number(abs(value), decimals)
    return text if not any(ch in "123456789" for ch in text) else ("+" if value > 0 else "−") + text


def _difference(change: EditionChange) -> str:
    """The printed difference: of the printed shares ("−4")."""
    return _pp(change.shown_difference, change.decimals)


def _interval(change: EditionChange) -> str:
    """The printed interval: printed difference ± printed margin ("−7,6 tot −0,4")."""
    dec = max(change.decimals, MARGIN_DECIMALS)
    return f"{_pp(change.shown_lower, dec)} tot {_pp(change.shown_upper, dec)}"


def _value(change: EditionChange, before: bool, with_year: bool) -> str:
    text = (
        fmt_pct(change.before, change.before_decimals or 0) if before else fmt_pct(change.after, change.after_decimals)
    )
    return f"{text} ({change.year_before})" if with_year else text


def _groups(changes: Sequence[ShareChange]) -> list[list[ShareChange]]:
    out: dict[str, list[ShareChange]] = {}
    for c in changes:
        out.setdefault(c.question.id, []).append(c)
    return list(out.values())


def _years(changes: Sequence[ShareChange]) -> str:
    return ", ".join(str(y) for y in sorted({c.change.year_before for c in changes}))


def _before_head(group: Sequence[ShareChange]) -> tuple[str, bool]:
    """The column head of the earlier values and whether each value names its own year (years differ)."""
    years = {c.change.year_before for c in group}
    return (str(years.pop()), False) if len(years) == 1 else ("Eerder (jaar)", True)


def mix_sentence(c: ShareChange, year: int) -> str:
    """Where all respondents and the same municipalities disagree: why, in one sentence ('' when they agree)."""
    if not c.mix_effect or c.panel is None:
        return ""
    y0, whole, same = c.change.year_before, change_verb(c.change), change_verb(c.panel.change)
    return (
        f"‘{c.category}’: over alle respondenten {whole}, bij de {c.panel.n} gemeenten die in {y0} en {year} "
        f"antwoordden {same} ({_difference(c.panel.change)} procentpunt, {_interval(c.panel.change)}). Het verschil "
        "tussen die twee komt door een andere samenstelling van de gemeenten die de vragenlijst invulden."
    )


def _panel_cells(c: ShareChange) -> tuple[str, str]:
    """The same municipalities' printed difference with its interval ("+1 (−3,5 tot +5,5)") and verdict."""
    if c.panel is None or c.not_comparable:
        return "–", "–"
    p = c.panel.change
    return f"{_difference(p)} ({_interval(p)})", change_verb(p)


def _notes(group: Sequence[ShareChange], year: int) -> list[str]:
    """Sentences under a question's table: routing, not comparable, different mix of respondents."""
    first = group[0]
    out = [first.routing] if first.routing else []
    reasons = sorted({c.not_comparable for c in group if c.not_comparable})
    out += [f"Niet vergelijkbaar: {r}." for r in reasons]
    out += [m for c in group if (m := mix_sentence(c, year))]
    return out


def _frame_year(year: int) -> int | None:
    path = paths.codebook_path(year)
    return load_codebook(path).frame_year if path.is_file() else None


def frame_notes(changes: Sequence[ShareChange], year: int) -> list[str]:
    """One sentence per earlier edition compared whose municipality frame differs from this year's: the
    percentages are of different sets of municipalities (the panel column compares the same ones)."""
    after = _frame_year(year)
    notes = []
    for y0 in sorted({c.change.year_before for c in changes}):
        before = _frame_year(y0)
        if after is None or before is None:
            continue  # an edition known only from its publication: its frame is not in data/raw
        change = frame_change(before, after)
        if change.changed:
            notes.append(
                f"De gemeentelijst van {year} (1 januari {after}, {change.n_after} gemeenten) is door herindelingen "
                f"een andere dan die van {y0} (1 januari {before}, {change.n_before} gemeenten): de percentages gaan "
                f"niet over precies dezelfde gemeenten. De kolom ‘{PANEL_HEAD}’ vergelijkt alleen de gemeenten die "
                "in beide edities antwoordden en niet zijn heringedeeld."
            )
    return notes


def changes_markdown(changes: Sequence[ShareChange], year: int) -> str:
    """The appendix for the PDF: the rule, then per question its shares in both editions and the verdicts."""
    head = [f"# {TITLE}", ""]
    if not changes:
        return "\n".join([*head, f"Geen vraag van {year} is eerder op vergelijkbare wijze gesteld.", ""])
    head += [
        f"Per vraag die ook in een eerdere editie ({_years(changes)}) op vergelijkbare wijze is gesteld: elk "
        f"percentage toen en in {year}, het verschil van de afgedrukte percentages in procentpunten met zijn "
        "95%-interval, en het oordeel; daarnaast hetzelfde bij alleen de gemeenten die beide edities antwoordden "
        f"(‘{PANEL_HEAD.lower()}’). **Vet**: het verschil is groter dan de ruis.",
        "",
        f"*{RULE_POINTER}*",
        "",
    ]
    head += [f"*{markdown_text(note)}*\n" for note in frame_notes(changes, year)]
    lines = list(head)
    for group in _groups(changes):
        q = group[0].question
        y0, per_row = _before_head(group)
        assumed = (
            " Basis van de eerdere editie niet gepubliceerd: gelijk aan die van dit jaar genomen."
            if any(c.change.assumed_base for c in group)
            else ""
        )
        panel_n = next((c.panel.n for c in group if c.panel is not None), None)
        lines += [
            "\\needspace{20\\baselineskip}",  # raw LaTeX: the question stays on the page of its table
            f"**{markdown_text(q.text)}** (hoofdstuk {q.chapter}; n={group[0].change.n_after} in {year}"
            + (f"; {panel_n} gemeenten antwoordden in beide edities" if panel_n else "")
            + f").{assumed}",
            "",
        ]
        lines.append("\\begingroup\\small")  # raw LaTeX: the size of the report's other tables
        lines.append(
            f"| Antwoord | {y0} | {year} | Verschil (95%-interval) | Oordeel | Verschil {PANEL_HEAD.lower()} | "
            f"Oordeel {PANEL_HEAD.lower()} |"
        )
        lines.append(
            "|:--------------------|------:|------:|:----------------|:----------|:----------------|:----------|"
        )
        for c in group:
            word = verdict(c)
            if c.change.direction in ("up", "down") and not c.not_comparable:
                word = f"**{word}**"
            diff = "–" if c.not_comparable else f"{_difference(c.change)} ({_interval(c.change)})"
            panel_diff, panel_word = _panel_cells(c)
            if c.panel is not None and c.panel.change.direction in ("up", "down") and not c.not_comparable:
                panel_word = f"**{panel_word}**"
            lines.append(
                f"| {markdown_text(c.category)} | {markdown_text(_value(c.change, True, per_row))} | "
                f"{markdown_text(_value(c.change, False, False))} | {markdown_text(diff)} | {word} | "
                f"{markdown_text(panel_diff)} | {panel_word} |"
            )
        lines += ["", "\\endgroup", ""]
        lines += [f"{markdown_text(n)}\n" for n in _notes(group, year)]
    return "\n".join(lines)


def changes_page(changes: Sequence[ShareChange], year: int, title: str, synthetic_note: str = "") -> str:
    """The HTML page: the rules, the changes beyond noise first, then every comparable question as a table."""
    esc = html_text
    moved = [c for c in changes if c.change.direction in ("up", "down") and not c.not_comparable]
    summary = "".join(
        f"<li>{esc(c.question.text)} — {esc(c.category)}: {esc(change_verb(c.change))} van "
        f"{esc(_value(c.change, True, False))} in {c.change.year_before} naar "
        f"{esc(_value(c.change, False, False))} in {year}"
        + (f" ({esc(c.change.among)})" if c.change.among else "")
        + "</li>\n"
        for c in moved
    )
    mixed = "".join(
        f"<li>{esc(c.question.text)} — {esc(mix_sentence(c, year))}</li>\n" for c in changes if c.mix_effect
    )
    sections = [_section(i, group, year) for i, group in enumerate(_groups(changes), start=1)]
    intro = (
        f"<p>Per vraag die ook in een eerdere editie ({esc(_years(changes))}) op vergelijkbare wijze is gesteld: elk "
        f"percentage toen en in {year}, het verschil van de afgedrukte percentages met zijn 95%-interval en het "
        f"oordeel; in de kolom ‘{esc(PANEL_HEAD)}’ hetzelfde bij alleen de gemeenten die beide edities antwoordden. "
        "Rijen in vet: het verschil is groter dan de ruis. De cijfers als CSV: <code>make compare</code>.</p>"
        if changes
        else f"<p>Geen vraag van {year} is eerder op vergelijkbare wijze gesteld.</p>"
    )
    moved_html = f"<h2>Veranderingen groter dan de ruis</h2>\n<ul>\n{summary}</ul>\n" if moved else ""
    mixed_html = f"<h2>Andere samenstelling van de respons</h2>\n<ul>\n{mixed}</ul>\n" if mixed else ""
    body = f"""<h1>{esc(TITLE)}</h1>
{banner(synthetic_note)}{intro}
<p><em>{esc(RULE_POINTER)}</em></p>
{"".join(f"<p>{esc(note)}</p>" for note in frame_notes(changes, year))}
{moved_html}{mixed_html}<h2>Alle vergelijkbare vragen</h2>
{chr(10).join(sections)}
"""
    return page(f"{TITLE} — {title}", body, css=_CSS)


def _section(i: int, group: Sequence[ShareChange], year: int) -> str:
    """One question's table on the HTML page, with its notes (routing, not comparable, mix)."""
    esc = html_text
    q = group[0].question
    y0, per_row = _before_head(group)
    body = "".join(
        f"<tr{' class=moved' if c.change.direction in ('up', 'down') and not c.not_comparable else ''}>"
        f'<th scope="row">{esc(c.category)}</th>'
        f"<td>{esc(_value(c.change, True, per_row))}</td><td>{esc(_value(c.change, False, False))}</td>"
        + (
            "<td>–</td><td>–</td>"
            if c.not_comparable
            else f"<td>{esc(_difference(c.change))}</td><td>{esc(_interval(c.change))}</td>"
        )
        + f"<td>{esc(verdict(c))}</td>"
        + "".join(f"<td>{esc(cell)}</td>" for cell in _panel_cells(c))
        + "</tr>\n"
        for c in group
    )
    assumed = " (basis van de eerdere editie niet gepubliceerd)" if any(c.change.assumed_base for c in group) else ""
    panel_n = next((c.panel.n for c in group if c.panel is not None), None)
    panel = f"; {panel_n} gemeenten antwoordden in beide edities" if panel_n else ""
    notes = "".join(f"<p>{esc(n)}</p>\n" for n in _notes(group, year))
    return (
        scroll_box(
            f'<table id="v{i}"><caption>{esc(q.text)} <small>(hoofdstuk {q.chapter}; '
            f"n={group[0].change.n_after} in {year}{panel}{assumed})</small></caption>\n"
            f'<thead><tr><th scope="col">Antwoord</th><th scope="col">{esc(y0)}</th>'
            f'<th scope="col">{year}</th><th scope="col">Verschil (procentpunt)</th>'
            f'<th scope="col">95%-interval van het verschil</th><th scope="col">Oordeel</th>'
            f'<th scope="col">{esc(PANEL_HEAD)}: verschil (95%-interval)</th>'
            f'<th scope="col">{esc(PANEL_HEAD)}: oordeel</th></tr></thead>\n'
            f"<tbody>\n{body}</tbody></table>"
        )
        + notes
    )


_CSS = """  table { border-collapse: collapse; margin: 1.2rem 0; width: 100%; }
  caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
  th, td { padding: .15rem .6rem; border-bottom: 1px solid #ccc; text-align: right; }
  th[scope="row"] { text-align: left; font-weight: normal; overflow-wrap: anywhere; }
  th[scope="col"] { overflow-wrap: normal; hyphens: manual; }  /* a head word stays whole; the box scrolls */
  tr.moved th, tr.moved td { font-weight: bold; }
"""


@dataclass(frozen=True)
class EditionSection:
    """The comparison of one build: the appendix (Markdown) and the HTML page."""

    markdown: str
    page: str
    count: int


def _inputs_digest(year: int) -> str:
    """Everything the comparison reads: codebooks, processed tables, published values, the analysis code."""
    files = [p for y in range(2000, year + 1) for p in (paths.codebook_path(y), paths.export_path(y)) if p.is_file()]
    files += sorted(paths.PUBLISHED_DIR.glob("*.csv")) + sorted(paths.REFERENCE_DIR.glob("*.csv"))
    code = Path(__file__).parents[2]  # src/helpers
    files += sorted((code / "analysis").glob("*.py")) + sorted((code / "survey").glob("*.py"))
    files += [code / "report" / "phrases.py", Path(__file__)]
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def edition_section(year: int, title: str, synthetic_note: str, state_dirs: Sequence[Path]) -> EditionSection | None:
    """The comparison for the build of ``year`` (None when the year has no valid codebook or data).

    The result is cached in ``<report>/.render/changes.json`` under a digest of its inputs: looked up
    in ``state_dirs`` (previous report first), written to the first.
    """
    from helpers import paths

    if not paths.codebook_path(year).is_file():
        return None
    key = _inputs_digest(year)
    for folder in reversed(state_dirs):
        try:
            cached = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if cached.get("key") == key:
            section = EditionSection(cached["markdown"], cached["page"], cached["count"])
            break
    else:
        try:
            changes = load_changes(year)
        except (OSError, ValueError, KeyError):
            return None
        section = EditionSection(changes_markdown(changes, year), changes_page(changes, year, title, synthetic_note),
                                 len(changes))  # fmt: skip
    state_dirs[0].mkdir(parents=True, exist_ok=True)
    payload = {"key": key, "markdown": section.markdown, "page": section.page, "count": section.count}
    (state_dirs[0] / "changes.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return section


# --- two builds ------------------------------------------------------------------------------

IDENTITY = ["year", "chapter", "question", "category", "stat"]


def diff_indicators(old: Path, new: Path) -> pd.DataFrame:
    """Rows of two ``indicators.csv`` that differ: value or n changed, added (only new) or removed (only old).

    Rows are matched on year, chapter, question, category and stat; columns ``wijziging`` (gewijzigd,
    nieuw, vervallen, or "ander label" when only the figure or table that shows it changed), the
    identity, ``value_oud``/``value_nieuw``, ``n_oud``/``n_nieuw``, ``build_ref_oud``/``build_ref_nieuw``.
    Values equal to 1e-9 count as equal.
    """
    from helpers.report.registry import read_indicators

    a, b = read_indicators(old), read_indicators(new)
    a = a.drop_duplicates(IDENTITY)
    b = b.drop_duplicates(IDENTITY)
    m = a.merge(b, on=IDENTITY, how="outer", suffixes=("_oud", "_nieuw"), indicator=True)
    same_value = (m["value_oud"] - m["value_nieuw"]).abs().le(1e-9) | (m["value_oud"].isna() & m["value_nieuw"].isna())
    same_n = m["n_oud"].astype("Float64").fillna(-1).eq(m["n_nieuw"].astype("Float64").fillna(-1))
    kind = pd.Series("", index=m.index)
    kind[m["_merge"] == "right_only"] = "nieuw"
    kind[m["_merge"] == "left_only"] = "vervallen"
    both = m["_merge"] == "both"
    kind[both & (m["build_ref_oud"].fillna("") != m["build_ref_nieuw"].fillna(""))] = "ander label"
    kind[both & ~(same_value & same_n.astype(bool))] = "gewijzigd"
    m.insert(0, "wijziging", kind)
    cols = ["wijziging", *IDENTITY, "value_oud", "value_nieuw", "n_oud", "n_nieuw", "build_ref_oud", "build_ref_nieuw"]
    return m.loc[kind != "", cols].reset_index(drop=True)
