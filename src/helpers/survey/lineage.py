"""How questions and options of one year relate to another year's: linked ids and renamed labels."""

from __future__ import annotations

from helpers.survey.codebook import Question


def linked_ids(q: Question, year: int, field: str = "comparable_with") -> set[str]:
    """Ids in ``comparable_with`` (or ``replaces``) that apply to ``year`` (``"id"`` or ``"<year>:id"``)."""
    out = set()
    for entry in getattr(q, field):
        head, sep, rest = entry.partition(":")
        if not sep:
            out.add(entry.strip())
        elif head.strip() == str(year):
            out.add(rest.strip())
    return out


def label_map(old: Question, new: Question) -> dict[str, str]:
    """Old label -> new label of every option, item and net whose code(s) both questions have.

    The same code is the same answer, so a renamed option keeps its numbers (trends,
    carried-over targets); an option whose code is gone has no entry.
    """
    out = {"": ""}
    for before, after in ((old.options, new.options), (old.items, new.items)):
        now = {x.code: x.label for x in after}
        out.update({x.label: now[x.code] for x in before if x.code in now})
    nets = {tuple(sorted(n.codes)): n.label for n in new.nets}
    for n in old.nets:
        key = tuple(sorted(n.codes))
        if key in nets:
            out.setdefault(n.label, nets[key])
    return out
