"""What changed in the questionnaire between two years' codebooks.

:func:`diff_codebooks` returns one :class:`Change` per difference: questions added,
dropped or linked to an earlier one (``comparable_with`` = the trend continues,
``replaces`` = the trend breaks), and for every question present in both years
(same id, or linked) a changed text, type, chapter, answer scale, answer option or item
(matched by key: added, dropped, renamed = same key with another label, split into parts,
merged, key renamed, new code), maximum number of answers or routing. A changed answer scale
under the same id (or ``comparable_with``) is reported as ``scale`` with the instruction to give
the question a new id (:func:`helpers.survey.lineage.scale_changes`, which the loader also uses).
:func:`render_markdown` writes them as Dutch Markdown for the report's method section
("Wijzigingen in de vragenlijst") and for ``monitor codebook-diff``.

How editions relate is :mod:`helpers.survey.lineage`'s: it pairs the questions
(:func:`~helpers.survey.lineage.question_pairs`), classifies options and items
(:func:`~helpers.survey.lineage.category_changes`) and defines every kind with its section and Dutch
wording (:class:`~helpers.survey.lineage.ChangeKind`). This module compares the rest and renders."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd

from helpers.survey.codebook import Codebook, Condition, Question
from helpers.survey.lineage import (
    LINK_KINDS,
    SCALE_PROBLEM_NOTE,
    ChangeGroup,
    ChangeKind,
    Link,
    category_changes,
    question_pairs,
    scale_change_reason,
)
from helpers.survey.routing import describe_routing
from helpers.survey.text_escape import markdown_text

__all__ = ["Change", "ChangeKind", "changes_frame", "diff_codebooks", "question_pairs", "render_markdown"]


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new codebook."""

    kind: ChangeKind
    #: Id in the new codebook ('' for a dropped question).
    question: str
    #: Id in the old codebook ('' for an added question).
    old_question: str
    chapter: int
    old: str = ""
    new: str = ""
    code: int | None = None
    #: For ``scale``: True when the codebook calls the two versions the same question (an error).
    problem: bool = False


def diff_codebooks(old: Codebook, new: Codebook) -> list[Change]:
    """Every difference between ``old`` and ``new``, in questionnaire order."""
    pairs = question_pairs(old, new)
    renamed = {o.id: n.id for o, n, link in pairs if o is not None and n is not None}
    changes: list[Change] = []
    for o, n, link in pairs:
        if o is None:
            assert n is not None  # a pair has at least one side
            changes.append(Change(ChangeKind.ADDED, n.id, "", n.chapter, new=n.text))
        elif n is None:
            changes.append(Change(ChangeKind.DROPPED, "", o.id, o.chapter, old=o.text))
        else:
            if link in LINK_KINDS:
                changes.append(Change(LINK_KINDS[link], n.id, o.id, n.chapter, old=o.text, new=n.text))
            changes += _pair_changes(o, n, old, new, renamed, link=link)
    return changes


def _pair_changes(
    o: Question, n: Question, old: Codebook, new: Codebook, renamed: dict[str, str], *, link: Link
) -> list[Change]:
    def change(kind: ChangeKind, before: Any = "", after: Any = "", code: int | None = None) -> Change:
        return Change(kind, n.id, o.id, n.chapter, str(before), str(after), code)

    out = []
    if link == "same" and " ".join(o.text.split()) != " ".join(n.text.split()):
        out.append(change(ChangeKind.TEXT, o.text, n.text))
    if o.type != n.type:
        out.append(change(ChangeKind.TYPE, o.type, n.type))
    if o.chapter != n.chapter:
        out.append(change(ChangeKind.CHAPTER, o.chapter, n.chapter))
    reason = scale_change_reason(o, n, ordered=new.is_ordered(n.id) or old.is_ordered(o.id))
    if reason:
        scale = (" / ".join(x.label for x in o.options), " / ".join(x.label for x in n.options))
        out.append(replace(change(ChangeKind.SCALE, *scale), problem=link != "replaces"))
    else:
        out += [change(*c) for c in category_changes("option", o.options, n.options)]
        out += [change(*c) for c in category_changes("item", o.items, n.items)]
    if o.max_answers != n.max_answers:
        out.append(change(ChangeKind.MAX_ANSWERS, o.max_answers or "", n.max_answers or ""))
    if _translated(o.asked_if, renamed) != _dump(n.asked_if):
        out.append(change(ChangeKind.ROUTING, describe_routing(o.asked_if, old), describe_routing(n.asked_if, new)))
    return out


def _dump(cond: Condition | None) -> Any:
    return None if cond is None else cond.model_dump(by_alias=True)


def _translated(cond: Condition | None, renamed: dict[str, str]) -> Any:
    """The old condition with its question ids replaced by their new ids (for comparison)."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: renamed.get(v, v) if k == "question" else walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node

    return walk(_dump(cond))


# --- Dutch rendering ------------------------------------------------------------------------


def short(text: str, width: int = 90) -> str:
    """One line of at most ``width`` characters (cut at a word, with an ellipsis)."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    return line[: width - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


#: Changes that only the codebook sees (keys, codes): listed by ``monitor codebook-diff``, not in the report.
INTERNAL_KINDS = frozenset(k for k in ChangeKind if k.internal)


def _md(text: str) -> str:
    return markdown_text(text)


def _full(text: str) -> str:
    return " ".join(text.split())


def _quoted(joined: str) -> str:
    """``a | b | c`` as ‘a’, ‘b’ en ‘c’."""
    parts = [f"‘{_md(p)}’" for p in joined.split(" | ")]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def _wording_fields(c: Change) -> dict[str, str]:
    """The values a :attr:`ChangeKind.wording` template may name, escaped for Markdown."""
    return {
        "old": _md(c.old),
        "new": _md(c.new),
        "old_text": _md(_full(c.old)),
        "new_text": _md(_full(c.new)),
        "old_list": _quoted(c.old),
        "new_list": _quoted(c.new),
        "old_raw": c.old,
        "new_raw": c.new,
        "old_limit": c.old or "onbeperkt",
        "new_limit": c.new or "onbeperkt",
        "problem": SCALE_PROBLEM_NOTE if c.problem else "",
    }


def _line(c: Change, with_ids: bool) -> str:
    ids = ""
    if with_ids and c.old_question and c.question and c.old_question != c.question:
        ids = f" [`{c.old_question}` → `{c.question}`]"
    elif with_ids:
        ids = f" [`{c.question or c.old_question}`]"
    what = c.kind.wording.format(**_wording_fields(c))
    return f"{what} (hoofdstuk {c.chapter}){ids}"


def render_markdown(
    changes: list[Change], old_year: int, new_year: int, new: Codebook | None = None, *, with_ids: bool = False
) -> str:
    """Dutch Markdown listing of the changes, grouped by kind; one sentence when nothing changed.

    Key renames and new codes (:data:`INTERNAL_KINDS`) are listed only ``with_ids``, and so is the request for
    the unit of analysis of new count and percentage questions (:func:`unit_questions`).
    """
    todo = unit_request(unit_questions(changes, new)) if with_ids and new is not None else ""
    changes = [c for c in changes if with_ids or c.kind not in INTERNAL_KINDS]
    if not changes:
        return f"De vragenlijst van {new_year} is gelijk aan die van {old_year}."
    texts = {q.id: q.title for q in new.all_questions} if new is not None else {}
    out = [
        f"Ten opzichte van {old_year} is de vragenlijst van {new_year} op de volgende punten gewijzigd. Een vraag "
        "met dezelfde formulering houdt haar code en is vergelijkbaar over de jaren; een anders geformuleerde vraag "
        "krijgt een nieuwe code en telt alleen in de tijdreeks mee als zij vergelijkbaar is verklaard."
    ]
    for group in ChangeGroup:
        rows = [c for c in changes if c.kind.group is group]
        if not rows:
            continue
        out += ["", f"**{group.title}**", ""]
        if not group.per_question:
            out += [f"- {_line(c, with_ids)}" for c in rows]
            continue
        for qid in dict.fromkeys(c.question for c in rows):
            mine = [c for c in rows if c.question == qid]
            head = _md(short(texts.get(qid, mine[0].new if mine[0].kind == ChangeKind.TEXT else qid)))
            ids = f" [`{qid}`]" if with_ids else ""
            details = "; ".join(_line(c, False).rsplit(" (hoofdstuk", 1)[0] for c in mine)
            out.append(f"- *{head}* (hoofdstuk {mine[0].chapter}){ids}: {details}.")
    return "\n".join(out) + todo


#: Question types whose numbers depend on the unit of analysis (averaged or summed over municipalities).
UNIT_TYPES = ("count", "percent")


def unit_questions(changes: list[Change], new: Codebook) -> list[Question]:
    """Added count and percentage questions whose codebook entry does not state ``level`` (the unit of analysis).

    A number a respondent gives once for its whole cooperating area (jobs found, a budget) must be counted
    per respondent (``level: respondent``); the default, per municipality, would average it over every
    municipality of that respondent. ``monitor codebook-diff`` asks for it.
    """
    added = [new.question(c.question) for c in changes if c.kind == ChangeKind.ADDED]
    return [q for q in added if q.type in UNIT_TYPES and "level" not in q.model_fields_set]


def unit_request(questions: list[Question]) -> str:
    """Dutch Markdown asking for the unit of analysis of ``questions`` ('' when there are none)."""
    if not questions:
        return ""
    lines = ["", "**Te doen: eenheid van analyse**", ""]
    lines += [
        f"- `{q.id}` ({q.type}, *{_md(short(q.title))}*): zet `level: municipality` (één antwoord per gemeente) of "
        "`level: respondent` (één antwoord voor alle gemeenten van de respondent samen, zoals een aantal banen)."
        for q in questions
    ]
    return "\n".join(lines)


def changes_frame(changes: list[Change]) -> pd.DataFrame:
    """The changes as a table (columns of :class:`Change`; ``kind`` as its plain value)."""
    columns = list(Change.__dataclass_fields__)
    return pd.DataFrame([asdict(c) | {"kind": c.kind.value} for c in changes], columns=columns)
