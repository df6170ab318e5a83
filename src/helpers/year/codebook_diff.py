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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, get_args

import pandas as pd

from helpers.survey.codebook import Codebook, Condition, Question
from helpers.survey.lineage import linked_ids, scale_change_reason
from helpers.survey.routing import describe_routing
from helpers.survey.text_escape import markdown_text

ChangeKind = Literal[
    "added",
    "dropped",
    "comparable",
    "replaces",
    "text",
    "type",
    "chapter",
    "option_added",
    "option_dropped",
    "option_renamed",
    "option_split",
    "option_merged",
    "option_key_renamed",
    "option_recoded",
    "item_added",
    "item_dropped",
    "item_renamed",
    "item_split",
    "item_merged",
    "item_key_renamed",
    "item_recoded",
    "max_answers",
    "routing",
    "scale",
]


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


def question_pairs(old: Codebook, new: Codebook) -> list[tuple[Question | None, Question | None, str]]:
    """(old, new, link) in new-questionnaire order, then dropped questions; link is same/comparable/replaces."""
    pairs: list[tuple[Question | None, Question | None, str]] = []
    used: set[str] = set()
    for q in new.all_questions:
        if q.id in old:
            pairs.append((old.question(q.id), q, "same"))
            used.add(q.id)
            continue
        linked = False
        for link, field in (("comparable", "comparable_with"), ("replaces", "replaces")):
            for oid in sorted(linked_ids(q, old.year, field)):
                if oid in old:
                    pairs.append((old.question(oid), q, link))
                    used.add(oid)
                    linked = True
        if not linked:
            pairs.append((None, q, "added"))
    pairs += [(q, None, "dropped") for q in old.all_questions if q.id not in used]
    return pairs


def diff_codebooks(old: Codebook, new: Codebook) -> list[Change]:
    """Every difference between ``old`` and ``new``, in questionnaire order."""
    pairs = question_pairs(old, new)
    renamed = {o.id: n.id for o, n, link in pairs if o is not None and n is not None}
    changes: list[Change] = []
    for o, n, link in pairs:
        if o is None:
            assert n is not None  # a pair has at least one side
            changes.append(Change("added", n.id, "", n.chapter, new=n.text))
        elif n is None:
            changes.append(Change("dropped", "", o.id, o.chapter, old=o.text))
        else:
            if link != "same":
                changes.append(Change(link, n.id, o.id, n.chapter, old=o.text, new=n.text))  # type: ignore[arg-type]
            changes += _pair_changes(o, n, old, new, renamed, link=link)
    return changes


def _pair_changes(
    o: Question, n: Question, old: Codebook, new: Codebook, renamed: dict[str, str], *, link: str
) -> list[Change]:
    def change(kind: str, before: Any = "", after: Any = "", code: int | None = None) -> Change:
        return Change(kind, n.id, o.id, n.chapter, str(before), str(after), code)  # type: ignore[arg-type]

    out = []
    if link == "same" and " ".join(o.text.split()) != " ".join(n.text.split()):
        out.append(change("text", o.text, n.text))
    if o.type != n.type:
        out.append(change("type", o.type, n.type))
    if o.chapter != n.chapter:
        out.append(change("chapter", o.chapter, n.chapter))
    reason = scale_change_reason(o, n, ordered=new.is_ordered(n.id) or old.is_ordered(o.id))
    if reason:
        scale = (" / ".join(x.label for x in o.options), " / ".join(x.label for x in n.options))
        out.append(replace(change("scale", *scale), problem=link != "replaces"))
    else:
        for prefix, before, after in (("option", o.options, n.options), ("item", o.items, n.items)):
            out += [change(kind, b, a, code) for kind, b, a, code in category_changes(prefix, before, after)]
    if o.max_answers != n.max_answers:
        out.append(change("max_answers", o.max_answers or "", n.max_answers or ""))
    if _translated(o.asked_if, renamed) != _dump(n.asked_if):
        out.append(change("routing", describe_routing(o.asked_if, old), describe_routing(n.asked_if, new)))
    return out


def category_changes(prefix: str, before: list, after: list) -> list[tuple[str, str, str, int | None]]:
    """(kind, old, new, code) for options or items, matched by key with their lineage.

    The same key is the same answer (a new label is ``renamed``, a new code ``recoded``); parts with
    ``split_from`` are one ``split``, ``merged_from`` one ``merged``, ``renamed_from`` a
    ``key_renamed``; what is left is ``added`` or ``dropped``.
    """
    old_by_key = {x.key: x for x in before}
    new_keys = {x.key for x in after}
    used: set[str] = set()
    out: list[tuple[str, str, str, int | None]] = []
    for x in after:
        was = old_by_key.get(x.renamed_from or x.key)
        if x.split_from in old_by_key:
            if x.split_from not in used:
                parts = [y.label for y in after if y.split_from == x.split_from]
                out.append((f"{prefix}_split", old_by_key[x.split_from].label, " | ".join(parts), x.code))
                used.add(x.split_from)
        elif x.merged_from and set(x.merged_from) <= set(old_by_key):
            out.append((f"{prefix}_merged", " | ".join(old_by_key[k].label for k in x.merged_from), x.label, x.code))
            used |= set(x.merged_from)
        elif was is None:  # new; lineage to a category the previous edition did not have is an earlier change
            out.append((f"{prefix}_added", "", x.label, x.code))
        else:
            used.add(was.key)
            if x.renamed_from:
                out.append((f"{prefix}_key_renamed", was.key, x.key, x.code))
            if was.label != x.label:
                out.append((f"{prefix}_renamed", was.label, x.label, x.code))
            if was.code != x.code:
                out.append((f"{prefix}_recoded", str(was.code), str(x.code), x.code))
    gone = [x for x in before if x.key not in used and x.key not in new_keys]
    return out + [(f"{prefix}_dropped", x.label, "", x.code) for x in gone]


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


#: The kinds listed under "Antwoordmogelijkheden": every option and item change, a scale, max_answers.
_OPTION_KINDS = ("scale", *(k for k in get_args(ChangeKind) if k.startswith(("option_", "item_"))), "max_answers")
#: Changes that only the codebook sees (keys, codes): listed by ``monitor codebook-diff``, not in the report.
INTERNAL_KINDS = frozenset({"option_key_renamed", "option_recoded", "item_key_renamed", "item_recoded"})
_SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("Nieuwe vragen", ("added",)),
    ("Vervallen vragen", ("dropped",)),
    ("Vervangen vragen", ("comparable", "replaces")),
    ("Gewijzigde vragen", ("text", "type", "chapter")),
    ("Antwoordmogelijkheden", _OPTION_KINDS),
    ("Routing", ("routing",)),
]


def _md(text: str) -> str:
    return markdown_text(text)


def _full(text: str) -> str:
    return " ".join(text.split())


def _quoted(joined: str) -> str:
    """``a | b | c`` as ‘a’, ‘b’ en ‘c’."""
    parts = [f"‘{_md(p)}’" for p in joined.split(" | ")]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def _line(c: Change, with_ids: bool) -> str:
    ids = ""
    if with_ids and c.old_question and c.question and c.old_question != c.question:
        ids = f" [`{c.old_question}` → `{c.question}`]"
    elif with_ids:
        ids = f" [`{c.question or c.old_question}`]"
    what = {
        "added": lambda: f"*{_md(_full(c.new))}*",
        "dropped": lambda: f"*{_md(_full(c.old))}*",
        "comparable": lambda: (
            f"*{_md(_full(c.new))}* vervangt *{_md(_full(c.old))}*; vergelijkbaar, de tijdreeks loopt door"
        ),
        "replaces": lambda: (
            f"*{_md(_full(c.new))}* vervangt *{_md(_full(c.old))}*; niet vergelijkbaar, breuk in de tijdreeks"
        ),
        "text": lambda: f"was *{_md(_full(c.old))}*, nu *{_md(_full(c.new))}*",
        "type": lambda: f"vraagsoort was {c.old}, nu {c.new}",
        "chapter": lambda: f"stond in hoofdstuk {c.old}, nu in hoofdstuk {c.new}",
        "option_added": lambda: f"nieuwe antwoordmogelijkheid ‘{_md(c.new)}’",
        "option_dropped": lambda: f"antwoordmogelijkheid ‘{_md(c.old)}’ vervallen",
        "option_renamed": lambda: f"‘{_md(c.old)}’ heet nu ‘{_md(c.new)}’",
        "option_split": lambda: f"‘{_md(c.old)}’ is gesplitst in {_quoted(c.new)}; samen zetten zij de reeks voort",
        "option_merged": lambda: f"{_quoted(c.old)} zijn samengevoegd tot ‘{_md(c.new)}’",
        "option_key_renamed": lambda: f"sleutel `{c.old}` heet nu `{c.new}`",
        "option_recoded": lambda: f"code {c.old} is nu {c.new}",
        "item_split": lambda: f"onderdeel ‘{_md(c.old)}’ is gesplitst in {_quoted(c.new)}",
        "item_merged": lambda: f"onderdelen {_quoted(c.old)} zijn samengevoegd tot ‘{_md(c.new)}’",
        "item_key_renamed": lambda: f"sleutel van een onderdeel `{c.old}` heet nu `{c.new}`",
        "item_recoded": lambda: f"code van een onderdeel {c.old} is nu {c.new}",
        "scale": lambda: (
            f"antwoordschaal was ‘{_md(c.old)}’, nu ‘{_md(c.new)}’; de antwoorden zijn niet vergelijkbaar"
            + (" (LET OP: een gewijzigde schaal hoort een nieuw id met replaces te krijgen)" if c.problem else "")
        ),
        "item_added": lambda: f"nieuw onderdeel ‘{_md(c.new)}’",
        "item_dropped": lambda: f"onderdeel ‘{_md(c.old)}’ vervallen",
        "item_renamed": lambda: f"onderdeel ‘{_md(c.old)}’ heet nu ‘{_md(c.new)}’",
        "max_answers": lambda: f"maximaal aantal antwoorden was {c.old or 'onbeperkt'}, nu {c.new or 'onbeperkt'}",
        "routing": lambda: f"was gesteld aan {_md(c.old)}, nu aan {_md(c.new)}",
    }[c.kind]()
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
    for title, kinds in _SECTIONS:
        rows = [c for c in changes if c.kind in kinds]
        if not rows:
            continue
        out += ["", f"**{title}**", ""]
        if kinds[0] in {"added", "dropped", "comparable"}:
            out += [f"- {_line(c, with_ids)}" for c in rows]
            continue
        for qid in dict.fromkeys(c.question for c in rows):
            mine = [c for c in rows if c.question == qid]
            head = _md(short(texts.get(qid, mine[0].new if mine[0].kind == "text" else qid)))
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
    added = [new.question(c.question) for c in changes if c.kind == "added"]
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
    """The changes as a table (columns of :class:`Change`)."""
    columns = list(Change.__dataclass_fields__)
    return pd.DataFrame([asdict(c) for c in changes], columns=columns)
