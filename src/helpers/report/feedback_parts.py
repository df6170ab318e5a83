"""The Dutch wording of a feedback document: table rows per question type, sentences, the reading
guide, and the Markdown shown in the notebook (the PDF gets the same content via the LaTeX template).

Every group number passes :func:`helpers.analysis.feedback_numbers.visible` first; a number that may not
be shown is printed as ``SUPPRESSED`` ("–").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from helpers.analysis.feedback_numbers import GroupNumbers, QuestionNumbers, RowNumbers, visible
from helpers.survey.codebook import AllOf, AnswerIn, Codebook, Condition, Question, Selected
from helpers.survey.formatting import fmt_n, fmt_number, fmt_pct
from helpers.survey.vocabulary import MERGED_LARGE, MIN_BASE, SUPPRESSED, TOTAL

MINE = "✓"
ANSWERS_ROW = "Gemiddeld aantal aangekruiste antwoorden"
CONFIDENTIAL = (
    "Vertrouwelijk: alleen bestemd voor de respondent van de genoemde gemeente(n). Niet doorsturen of publiceren."
)


@dataclass
class Row:
    """One table row: the respondent's own answer beside the group and the national number."""

    label: str
    own: str
    group: str
    total: str
    #: 0–100 for the bars of share tables (None: no bar).
    group_value: float | None = None
    total_value: float | None = None
    mine: bool = False


@dataclass
class Block:
    """One question: its own answer (``status``), a table (``kind``) and sentences under it."""

    number: str
    qid: str
    text: str
    kind: str  # "shares" | "estimates" | "text"
    status: str
    status_note: str = ""
    group_header: str = ""
    total_header: str = ""
    rows: list[Row] = field(default_factory=list)
    own_texts: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)


@dataclass
class Section:
    number: int
    title: str
    blocks: list[Block]


@dataclass
class Document:
    """Everything one feedback PDF shows, plus ``file`` and ``respondent_id`` for the private index only."""

    file: str
    respondent_id: str
    year: int
    title: str
    municipalities: list[dict[str, str]]
    size_class: str
    fieldwork: str
    freeze_date: str
    synthetic_warning: str
    contact: dict[str, str]
    sections: list[Section]
    intro: str = ""
    confidential: str = CONFIDENTIAL
    guide: list[tuple[str, str]] = field(default_factory=list)
    contact_line: str = ""

    def finish(self) -> Document:
        """Fill the texts that follow from the rest (intro, reading guide, contact line)."""
        self.intro = intro(self)
        self.guide = reading_guide(self)
        self.contact_line = contact_line(self.contact)
        return self

    def as_dict(self) -> dict:
        return asdict(self)


def dutch_list(items: list[str]) -> str:
    """``A``, ``A en B``, ``A, B en C``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def routing_text(cond: Condition | None, codebook: Codebook, numbers: Mapping[str, str]) -> str:
    """When a routed question was asked, in the document's own question numbers: "bij vraag 3.1 'Ja' gekozen is"."""
    if cond is None:
        return "altijd"
    if isinstance(cond, AnswerIn):
        q = codebook.question(cond.question)
        labels = " of ".join(f"‘{q.option(c).label}’" for c in cond.codes)
        return f"bij vraag {numbers[q.id]} {labels} gekozen is"
    if isinstance(cond, Selected):
        q = codebook.question(cond.question)
        return f"bij vraag {numbers[q.id]} ‘{q.option(cond.selected).label}’ aangekruist is"
    parts = cond.all if isinstance(cond, AllOf) else cond.any
    joiner = " en " if isinstance(cond, AllOf) else " of "
    return joiner.join(routing_text(c, codebook, numbers) for c in parts)


def _header(label: str, numbers: GroupNumbers | None, own: set[str]) -> str:
    if numbers is not None and visible(numbers, own):
        return f"{label} ({fmt_n(numbers.n)})"
    return label


def _share(numbers: GroupNumbers | None, own: set[str], stat: str) -> tuple[str, float | None]:
    """Display text and bar value (0–100, shares only) of one group number, or "–"."""
    if numbers is None or not visible(numbers, own) or math.isnan(numbers.values[stat]):
        return SUPPRESSED, None
    value = numbers.values[stat]
    if stat == "answers_mean":
        return fmt_number(value, 1), None
    return fmt_pct(value), round(value, 1)


def _ticked(value: object) -> bool:
    return value is not None and not pd.isna(value) and bool(value)


def _own_choice(q: Question, row: RowNumbers, answers: Mapping[str, Any] | None) -> str:
    """``MINE`` when the respondent chose this option (or an option of this net); the tick count for multi."""
    if answers is None:
        return ""
    if row.kind == "answers":
        return str(sum(_ticked(answers.get(f"{q.id}__{o.code}")) for o in q.options))
    if q.type == "single":
        chosen = answers[q.id]
        if pd.isna(chosen):
            return ""
        net = next((n for n in q.nets if n.label == row.category), None)
        labels = {q.option(c).label for c in net.codes} if net and row.kind == "net" else {row.category}
        return MINE if str(chosen) in labels else ""
    net = next((n for n in q.nets if n.label == row.category), None)
    codes = net.codes if net and row.kind == "net" else [o.code for o in q.options if o.label == row.category]
    return MINE if any(_ticked(answers.get(f"{q.id}__{c}")) for c in codes) else ""


def share_rows(
    block: Block,
    q: Question,
    numbers: QuestionNumbers,
    answers: Mapping[str, Any] | None,
    group: str | None,
    own: set[str],
    codebook: Codebook,
) -> None:
    """Fill ``block`` for a single or multi question: one row per option (and net), own ticks, shares."""
    first = numbers.rows[0]
    block.group_header = _header(block.group_header, first.groups.get(group) if group else None, own)
    block.total_header = _header(block.total_header, first.groups[TOTAL], own)
    for row in numbers.rows:
        stat = "answers_mean" if row.kind == "answers" else "pct"
        g_text, g_value = _share(row.groups.get(group) if group else None, own, stat)
        t_text, t_value = _share(row.groups[TOTAL], own, stat)
        mark = _own_choice(q, row, answers)
        label = ANSWERS_ROW if row.kind == "answers" else row.category
        block.rows.append(Row(label, mark, g_text, t_text, g_value, t_value, mark == MINE))
    if answers is None:
        return
    for o in q.options:
        text = answers.get(f"{q.id}__{o.code}__text")
        if text is not None and not pd.isna(text) and str(text).strip():
            block.own_texts.append(f"Uw toelichting bij ‘{o.label}’: {str(text).strip()}")
    if q.type == "multi":
        ticked = sum(r.mine for r, n in zip(block.rows, numbers.rows, strict=True) if n.kind == "option")
        block.summary.append(f"U kruiste {ticked} van de {len(q.options)} antwoorden aan.")
    elif q.type == "single" and q.scale is not None and codebook.is_ordered(q.id):
        block.summary += _position(q, numbers, answers, group, own)


def _position(
    q: Question, numbers: QuestionNumbers, answers: Mapping[str, Any], group: str | None, own: set[str]
) -> list[str]:
    """Where the respondent's answer lies on an ordered scale: the shares of lower and higher answers."""
    chosen = answers[q.id]
    labels = [o.label for o in q.options]
    if pd.isna(chosen) or str(chosen) not in labels:
        return []
    at = labels.index(str(chosen))
    parts = []
    for g, name in ((group, "in uw grootteklasse"), (TOTAL, "van alle gemeenten")):
        cells = [numbers.row(lab, "option").groups[g] for lab in labels] if g else []
        if not cells or not visible(cells[0], own):
            continue
        below = sum(c.values["pct"] for c in cells[:at])
        above = sum(c.values["pct"] for c in cells[at + 1 :])
        parts.append(f"{name} koos {fmt_pct(below)} een lager en {fmt_pct(above)} een hoger antwoord")
    if not parts:
        return []
    head = f"Uw antwoord ‘{chosen}’ op de schaal van ‘{labels[0]}’ tot ‘{labels[-1]}’: "
    text = "; ".join(parts)
    return [head + text + "."]


def _value(v: float, percent: bool) -> str:
    decimals = 0 if float(v).is_integer() else 1
    return fmt_pct(v, decimals) if percent else fmt_number(v, decimals)


def _own_estimate(q: Question, row: RowNumbers, answers: Mapping[str, Any] | None) -> str:
    if answers is None:
        return ""
    if not q.items:
        v = answers[q.id]
    elif row.kind == "item":
        v = answers[f"{q.id}__{next(it.code for it in q.items if it.label == row.category)}"]
    else:
        net = next(n for n in q.nets if n.label == row.category)
        parts = [answers[f"{q.id}__{c}"] for c in net.codes]
        v = math.nan if any(pd.isna(p) for p in parts) else sum(float(p) for p in parts)
    return "" if pd.isna(v) else _value(float(v), q.type == "percent")


def _quartiles(numbers: GroupNumbers | None, own: set[str], percent: bool) -> str:
    if numbers is None or not visible(numbers, own):
        return SUPPRESSED
    v = numbers.values
    return f"{_value(v['median'], percent)} ({_value(v['q1'], percent)}–{_value(v['q3'], percent)}), {fmt_n(numbers.n)}"


def estimate_rows(
    block: Block,
    q: Question,
    numbers: QuestionNumbers,
    answers: Mapping[str, Any] | None,
    group: str | None,
    own: set[str],
) -> None:
    """Fill ``block`` for a percent or count question: own value, median (quartiles) per item and net."""
    percent = q.type == "percent"
    block.group_header += ": mediaan (kwartielen)"
    block.total_header += ": mediaan (kwartielen)"
    for row in numbers.rows:
        label = row.category or ("Percentage" if percent else "Aantal")
        g = _quartiles(row.groups.get(group) if group else None, own, percent)
        t = _quartiles(row.groups[TOTAL], own, percent)
        block.rows.append(Row(label, _own_estimate(q, row, answers), g, t))


# --- texts of every document ------------------------------------------------------------


def intro(doc: Document) -> str:
    names = dutch_list([m["name"] for m in doc.municipalities])
    which = "de gemeente" if len(doc.municipalities) == 1 else "de gemeenten"
    return (
        f"Dank u wel voor uw deelname aan de monitor {doc.year}. U vulde de vragenlijst in voor {which} {names}. "
        "In dit document staan uw eigen antwoorden naast de uitkomsten van gemeenten in dezelfde grootteklasse "
        "en van alle gemeenten die meededen. Achterin leest u hoe de tabellen zijn opgebouwd en bij wie u met "
        "vragen terechtkunt."
    )


def reading_guide(doc: Document) -> list[tuple[str, str]]:
    """(term, explanation) pairs of the last page."""
    return [
        ("Uw antwoord", f"{MINE} staat bij het antwoord dat u gaf; bij vragen waarop meer antwoorden mogelijk "
         "waren bij elk antwoord dat u aankruiste. Bij een percentage of aantal staat de waarde die u invulde."),
        ("Grootteklasse", f"uw gemeenten zijn vergeleken met de grootteklasse van de grootste gemeente waarvoor u "
         f"antwoordde ({doc.size_class}). Telt een grootteklasse bij een vraag minder dan {MIN_BASE} gemeenten, "
         f"dan worden de G4 en de G40 samengenomen als ‘{MERGED_LARGE}’, zoals in het landelijke rapport."),
        ("Alle gemeenten", "alle gemeenten die de vraag beantwoordden. Wie voor meer gemeenten antwoordde, telt "
         "voor elk van die gemeenten mee. Vragen over uw functie tellen per respondent."),
        ("n", "het aantal gemeenten (of respondenten) waarop het getal berekend is."),
        ("Percentages", "het aandeel gemeenten dat dit antwoord gaf. Bij vragen waarop meer antwoorden mogelijk "
         "waren, tellen de percentages op tot meer dan 100%. Door afronding kan een verdeling optellen tot 99% "
         "of 101%. De balkjes tonen de percentages van uw grootteklasse (blauw) en van alle gemeenten (grijs)."),
        ("Mediaan (kwartielen)", "de helft van de gemeenten vulde minder in dan de mediaan, de helft meer; "
         "tussen de kwartielen ligt de middelste helft van de antwoorden."),
        (SUPPRESSED, f"niet getoond: het getal zou berusten op minder dan {MIN_BASE} andere gemeenten dan de uwe, "
         "of het is in het landelijke rapport om die reden niet getoond. Zo is uit dit document nooit het "
         "antwoord van een andere gemeente af te leiden."),
        ("Niet gesteld", "door de routing van de vragenlijst kreeg u deze vraag niet; de cijfers gaan over de "
         "gemeenten die de vraag wel kregen."),
        ("Hoofdstukken", "de nummers en titels volgen het landelijke rapport van de monitor."),
    ]  # fmt: skip


def contact_line(contact: Mapping[str, str]) -> str:
    """ "Onderzoeksteam monitor (organisatie), e-mail …, telefoon …"."""
    head = contact["name"] + (f" ({contact['organisation']})" if contact.get("organisation") else "")
    parts = [head]
    if contact.get("email"):
        parts.append(f"e-mail {contact['email']}")
    if contact.get("phone"):
        parts.append(f"telefoon {contact['phone']}")
    return ", ".join(parts)


# --- Markdown (the notebook view) ----------------------------------------------------------


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def block_markdown(block: Block) -> str:
    lines = [f"**{block.number} {_md(block.text)}**", ""]
    if block.status_note:
        lines += [f"*{_md(block.status_note)}*", ""]
    if block.rows:
        first = "Onderdeel" if block.kind == "estimates" else "Antwoord"
        lines.append(f"| {first} | Uw antwoord | {_md(block.group_header)} | {_md(block.total_header)} |")
        lines.append("|:--|:-:|--:|--:|")
        lines += [f"| {_md(r.label)} | {r.own} | {r.group} | {r.total} |" for r in block.rows]
        lines.append("")
    lines += [f"> {_md(t)}\n" for t in block.own_texts]
    lines += [f"{_md(s)}\n" for s in block.summary]
    return "\n".join(lines)


def document_markdown(doc: Document) -> str:
    """The whole document as Markdown (for the notebook)."""
    names = "; ".join(f"{m['name']} ({m['code']}, {m['size_class']})" for m in doc.municipalities)
    out = [f"# Uw terugkoppeling: {doc.title}", ""]
    if doc.synthetic_warning:
        out += [f"> **{doc.synthetic_warning}**", ""]
    out += [
        f"**Voor:** {_md(names)}  ",
        f"**Veldwerk:** {doc.fieldwork}  ",
        f"**Datastand:** {doc.freeze_date}",
        "",
        f"*{doc.confidential}*",
        "",
        doc.intro,
        "",
    ]
    for section in doc.sections:
        out += [f"## {section.number} {_md(section.title)}", ""]
        out += [block_markdown(b) for b in section.blocks]
    out += ["## Zo leest u dit document", ""]
    out += [f"- **{_md(term)}**: {_md(text)}" for term, text in doc.guide]
    out += ["", "## Vragen?", "", f"Neem contact op met {_md(doc.contact_line)}."]
    return "\n".join(out)
