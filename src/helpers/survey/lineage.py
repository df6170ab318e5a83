"""How questions and answer categories of one edition relate to other editions'.

Notebooks name questions by id and answer categories by key, as the codebook of the year
they were written in had them. A later questionnaire may change either; the codebooks say
how (docs/CONVENTIONS.md §1):

* a question with the same id is the same, comparable question;
* a reworded question gets a new id with ``comparable_with: [old_id]`` (the series continues);
* a question whose answers are no longer comparable (e.g. a new answer scale) gets a new id with
  ``replaces: [old_id]`` (the series breaks);
* a category with the same key is the same answer, whatever its label or code;
* ``split_from: k`` on new categories: together they continue the earlier category ``k``;
* ``merged_from: [a, b]``: the new category continues the sum of ``a`` and ``b``;
* ``renamed_from: k``: the category had key ``k`` before.

A category's lineage describes the step from the edition before and applies only when it names a
key that edition has (:func:`applied_lineage`); an entry copied forward into a later codebook is
ignored. Keys are followed through every version in between, so any two editions compare
(:func:`current_keys`, :func:`category_keys` step by step); :func:`continued_categories` lists the
earlier categories a year continues as a sum of its keys (a split option and its parts).

:class:`QuestionHistory` answers "what is question X in year Y" and "which categories of that
year's question make up category K" for every year with a codebook.

What changed between two editions is named here too, once: :class:`ChangeKind` (every kind with its
section and Dutch wording), :func:`question_pairs` (which question continues which) and
:func:`category_changes` (options and items by key and lineage); ``year.codebook_diff`` reports them.
Adding a kind is one member of :class:`ChangeKind` plus its tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import partial
from typing import Literal

from helpers.survey.codebook import Codebook, Item, Option, Question

Status = Literal["asked", "comparable", "replaced", "dropped"]


class UnknownReference(KeyError):
    """A question id or category key that no codebook of any year has (a typo, never a dropped question)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "onbekende verwijzing"


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
    """Old label -> new label of every category that continues under the same key.

    The same key is the same answer, so a reworded option keeps its numbers (trends,
    carried-over targets); a category whose key is gone has no entry.
    """
    now = {c.key: c.label for c in new.categories}
    return {"": ""} | {c.label: now[c.key] for c in old.categories if c.key in now}


@dataclass(frozen=True)
class Resolution:
    """What a question id used by a notebook is in one year.

    ``status``: ``asked`` (same id), ``comparable`` (reworded under a new id that continues it),
    ``replaced`` (a new, not comparable question took its place), ``dropped`` (no longer asked).
    ``question`` is this year's question (the successor for comparable and replaced),
    ``previous`` the latest earlier version (for texts about what changed), ``changed_in`` the
    edition in which it was dropped or replaced (a reader is told in that edition's report).
    """

    requested: str
    year: int
    status: Status
    question: Question | None
    previous: Question | None
    changed_in: int | None = None

    @property
    def usable(self) -> bool:
        """Numbers of the requested question can be shown this year."""
        return self.status in ("asked", "comparable")


class QuestionHistory:
    """The codebooks of every edition, for resolving ids and keys across years."""

    def __init__(self, codebooks: Mapping[int, Codebook]):
        if not codebooks:
            raise ValueError("QuestionHistory needs at least one codebook")
        self.codebooks = dict(sorted(codebooks.items()))

    @property
    def years(self) -> list[int]:
        return list(self.codebooks)

    def _successor(self, qid: str, year: int) -> tuple[Question, str] | None:
        """The question of ``year`` that continues ``qid`` of an earlier year, and how."""
        cb = self.codebooks[year]
        for field, how in (("comparable_with", "comparable"), ("replaces", "replaced")):
            for q in cb.all_questions:
                if any(qid in linked_ids(q, y, field) for y in self.codebooks if y < year):
                    return q, how
        return None

    def _latest_before(self, qid: str, year: int) -> tuple[int, Question] | None:
        for y in reversed([y for y in self.codebooks if y < year]):
            if qid in self.codebooks[y]:
                return y, self.codebooks[y].question(qid)
        return None

    def resolve(self, qid: str, year: int) -> Resolution:
        """Follow ``qid`` forward to ``year``; raises :class:`UnknownReference` for an id no year has."""
        cb = self.codebooks[year]
        if qid in cb:
            return Resolution(qid, year, "asked", cb.question(qid), None)
        found = self._latest_before(qid, year)
        if found is None:
            raise UnknownReference(f"vraag {qid!r} staat in geen enkel codeboek ({', '.join(map(str, self.years))})")
        seen_year, current = found
        status: Status = "comparable"
        for y in [y for y in self.codebooks if seen_year < y <= year]:
            cby = self.codebooks[y]
            if current.id in cby:
                current = cby.question(current.id)
                continue
            nxt = self._successor(current.id, y)
            if nxt is None:
                return Resolution(qid, year, "dropped", None, current, changed_in=y)
            if nxt[1] == "replaced":
                return Resolution(qid, year, "replaced", nxt[0], current, changed_in=y)
            current = nxt[0]
        return Resolution(qid, year, status, current, found[1])

    def versions(self, question: Question, year: int) -> dict[int, tuple[Question, bool]]:
        """Earlier versions of ``question`` (this year's) by year, with True where the series breaks.

        Walks back through ``comparable_with`` (continues) and ``replaces`` (breaks) links; the
        flag marks the year whose version is NOT comparable with the next one.
        """
        out: dict[int, tuple[Question, bool]] = {year: (question, False)}
        current, broken = question, False
        for y in reversed([y for y in self.codebooks if y < year]):
            cby = self.codebooks[y]
            prev = self._predecessor(current, cby, y)
            if prev is None:
                break
            q_prev, how = prev
            broken = broken or how == "replaced"
            out[y] = (q_prev, broken)
            current = q_prev
        return dict(sorted(out.items()))

    def _predecessor(self, q: Question, cb: Codebook, year: int) -> tuple[Question, str] | None:
        if q.id in cb:
            return cb.question(q.id), "same"
        for field, how in (("comparable_with", "comparable"), ("replaces", "replaced")):
            for old in sorted(linked_ids(q, year, field)):
                if old in cb:
                    return cb.question(old), how
        return None

    def predecessor_ids(self, question: Question, year: int) -> dict[str, bool]:
        """Every earlier id of ``question`` (also those of years without a codebook), True = break."""
        out: dict[str, bool] = {question.id: False}
        broken = False
        for q, brk in reversed(list(self.versions(question, year).values())):
            broken = broken or brk
            out.setdefault(q.id, broken)
            for field in ("comparable_with", "replaces"):
                for entry in getattr(q, field):
                    out.setdefault(entry.partition(":")[2] or entry, broken or field == "replaces")
        return out


def _options_and_items(q: Question) -> list[Option | Item]:
    return [*q.options, *q.items]


def _sources(category: Option | Item) -> set[str]:
    """The earlier keys a category's lineage names (:data:`CATEGORY_LINEAGE_FIELDS`)."""
    named = [getattr(category, field) for field in CATEGORY_LINEAGE_FIELDS]
    return {k for value in named for k in ([value] if isinstance(value, str) else value or [])}


def applied_lineage(category: Option | Item, older_keys: set[str]) -> bool:
    """Does the category's lineage describe the step from the version with ``older_keys``?

    Lineage records a change once, relative to the edition before. A codebook copied forward
    (``make new-year``) keeps ``split_from: work_placements`` although the previous edition already
    has the parts and no ``work_placements``: such an entry names no key of ``older_keys`` and is
    ignored (the same key is then the same answer again).
    """
    return bool(_sources(category) & older_keys)


def category_keys(newer: Question, older: Question, keys: set[str]) -> set[str] | None:
    """Keys of ``older`` that together make up ``keys`` of ``newer`` (one step back); None if not derivable."""
    old_keys = {c.key for c in older.categories}
    cats = {c.key: c for c in _options_and_items(newer)}
    parts_of: dict[str, set[str]] = {}
    for part in cats.values():
        if part.split_from and applied_lineage(part, old_keys):
            parts_of.setdefault(part.split_from, set()).add(part.key)
    out: set[str] = set()
    for key in keys:
        opt = cats.get(key)
        lineage = opt is not None and applied_lineage(opt, old_keys)
        if opt is None or not lineage:
            if key not in old_keys:
                return None
            out.add(key)
        elif opt.renamed_from:
            out.add(opt.renamed_from)
        elif opt.merged_from:
            if not set(opt.merged_from) <= old_keys:
                return None
            out |= set(opt.merged_from)
        elif opt.split_from and parts_of[opt.split_from] <= keys:
            out.add(opt.split_from)
        else:
            return None
    return out


def forward_keys(older: Question, newer: Question, keys: set[str]) -> set[str] | None:
    """Keys of ``newer`` that together continue ``keys`` of ``older`` (one step forward); None if not derivable."""
    old_keys = {c.key for c in older.categories}
    new_keys = {c.key for c in newer.categories}
    cats = [c for c in _options_and_items(newer) if applied_lineage(c, old_keys)]
    out: set[str] = set()
    for key in keys:
        parts = {o.key for o in cats if o.split_from == key}
        renamed = [o.key for o in cats if o.renamed_from == key]
        merged = [o for o in cats if key in o.merged_from]
        if parts:
            out |= parts
        elif renamed:
            out.add(renamed[0])
        elif merged:
            if not set(merged[0].merged_from) <= keys:
                return None  # only part of a merged category: its own number no longer exists
            out.add(merged[0].key)
        elif key in new_keys:
            out.add(key)
        else:
            return None
    return out


def current_keys(history: QuestionHistory, question: Question, year: int, key: str) -> set[str] | None:
    """Keys of ``question`` (``year``'s) that continue category ``key`` of this or an earlier version.

    None when the category no longer has a number of its own (dropped, or merged into a larger one,
    or only across a break); :class:`UnknownReference` when no version of the question ever had it.
    """
    if key in {c.key for c in question.categories}:
        return {key}
    chain = list(history.versions(question, year).items())  # oldest first, ends with this year
    for i in range(len(chain) - 2, -1, -1):
        older, broken = chain[i][1]
        if key not in {c.key for c in older.categories}:
            continue
        if broken:  # a replaced question in between: its categories are not comparable
            return None
        keys = {key}
        for j in range(i, len(chain) - 1):
            step = forward_keys(chain[j][1][0], chain[j + 1][1][0], keys)
            if step is None:
                return None
            keys = step
        return keys
    known = ", ".join(c.key for c in question.categories)
    raise UnknownReference(f"{question.id} heeft in geen enkel jaar een antwoordcategorie {key!r}; nu: {known}")


@dataclass(frozen=True)
class Continued:
    """An earlier category that this year's question continues as the combination of several keys.

    ``key`` and ``label`` are the earlier category's (the label of the last edition that had it),
    ``parts`` this year's keys that together continue it (in questionnaire order), ``last_year``
    the last edition in which it had a number of its own.
    """

    key: str
    label: str
    parts: tuple[str, ...]
    last_year: int


def continued_categories(history: QuestionHistory, question: Question, year: int) -> list[Continued]:
    """Earlier categories of ``question`` (``year``'s) that continue as a sum of its keys: a split option.

    Follows the whole chain of versions (any number of editions back, through ``comparable_with``),
    so the 2019 option ``work_placements`` split in 2020 is listed for 2020, 2021 and later, with the
    parts as keys of ``year``. Renamed keys (one key continues one key) and categories that end
    (dropped, merged into a larger one, or across a break) are not listed. Comparisons and trends
    show such a sum beside its parts; ``analysis.trends.series`` computes it from the earlier key.
    """
    now = [c.key for c in question.categories]
    seen: dict[str, Continued] = {}
    for y, (version, _) in sorted(history.versions(question, year).items(), reverse=True):
        for cat in version.categories:
            if cat.key in now or cat.key in seen or cat.kind == "net":
                continue
            keys = current_keys(history, question, year, cat.key)
            if keys is not None and len(keys) > 1:
                seen[cat.key] = Continued(cat.key, cat.label, tuple(k for k in now if k in keys), y)
    return sorted(seen.values(), key=lambda c: (now.index(c.parts[0]), c.key))


# --- answer scales ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleChange:
    """A single-choice question whose answers mean something else than in the earlier edition.

    ``link`` is how the two versions are tied: ``same`` (same id), ``comparable``
    (``comparable_with``) or ``replaces``. Only ``replaces`` is allowed: a changed answer scale is
    never the old id and never comparable, because the old shares cannot be read on the new scale.
    """

    question: str
    old_question: str
    link: Literal["same", "comparable", "replaces"]
    old_year: int
    old_scale: tuple[str, ...]
    new_scale: tuple[str, ...]
    #: What changed: answers added/dropped, codes that now carry another answer, or another order.
    reason: str

    @property
    def allowed(self) -> bool:
        return self.link == "replaces"

    def message(self) -> str:
        """One Dutch line for ``make data`` and ``make codebook-diff`` (empty when the change is declared)."""
        if self.allowed:
            return ""
        how = (
            "houdt hetzelfde id" if self.link == "same" else f"is als vergelijkbaar met {self.old_question} aangemerkt"
        )
        return (
            f"Vraag {self.question}: de antwoordschaal is gewijzigd ten opzichte van {self.old_year} ({self.reason}: "
            f"‘{' / '.join(self.old_scale)}’ → ‘{' / '.join(self.new_scale)}’), maar de vraag {how}. Een gewijzigde "
            f"antwoordschaal is een nieuwe, niet vergelijkbare vraag: geef haar in codebook.yaml een nieuw id met "
            f"replaces: [{self.old_question}]."
        )


def _explained(new: Question) -> set[str]:
    """Earlier keys that ``new``'s options declare they continue (split, merged, renamed)."""
    out: set[str] = set()
    for o in new.options:
        out |= _sources(o)
    return out


def scale_change_reason(old: Question, new: Question, ordered: bool = True) -> str:
    """Why the answer scale of single question ``new`` differs from ``old`` ('' when it does not).

    Reworded labels under the same key and splits, merges and key renames that the codebook
    declares are not scale changes; an answer added or dropped without lineage, a code that now
    carries another answer, or (``ordered``) the same answers in another order are.
    """
    if old.type != "single" or new.type != "single":
        return ""
    old_keys = [o.key for o in old.options]
    new_keys = [o.key for o in new.options]
    lineage = {o.key for o in new.options if applied_lineage(o, set(old_keys))}
    added = [k for k in new_keys if k not in old_keys and k not in lineage]
    dropped = [k for k in old_keys if k not in new_keys and k not in _explained(new)]
    if added or dropped:
        return "antwoorden toegevoegd of vervallen"
    old_by_code = {o.code: o.key for o in old.options}
    renamed = {o.renamed_from: o.key for o in new.options if o.renamed_from}
    if any(
        o.code in old_by_code and renamed.get(old_by_code[o.code], old_by_code[o.code]) != o.key for o in new.options
    ):
        return "codes hebben een ander antwoord gekregen"
    common = [k for k in new_keys if k in old_keys]
    if ordered and common != [k for k in old_keys if k in new_keys]:
        return "antwoorden in een andere volgorde"
    return ""


def scale_changes(old: Codebook, new: Codebook) -> list[ScaleChange]:
    """Every single-choice question of ``new`` whose answer scale differs from its version in ``old``.

    Call it with the previous edition's codebook; a change whose ``allowed`` is False means the
    codebook says "same question" (same id or ``comparable_with``) for answers on another scale.
    """
    out = []
    for before, q, link in question_pairs(old, new):
        if before is None or q is None or link in ("added", "dropped"):
            continue
        reason = scale_change_reason(before, q, ordered=new.is_ordered(q.id) or old.is_ordered(before.id))
        if reason:
            labels = (tuple(o.label for o in before.options), tuple(o.label for o in q.options))
            out.append(ScaleChange(q.id, before.id, link, old.year, *labels, reason))  # type: ignore[arg-type]
    return out


# --- change kinds: what a codebook diff reports -------------------------------------------------


class ChangeGroup(Enum):
    """The sections of a questionnaire-change listing, in order, with their Dutch headings.

    ``per_question``: the lines are grouped under the question they change (otherwise one line per change).
    """

    title: str
    per_question: bool

    def __init__(self, title: str, per_question: bool) -> None:
        self.title = title
        self.per_question = per_question

    ADDED = "Nieuwe vragen", False
    DROPPED = "Vervallen vragen", False
    LINKED = "Vervangen vragen", False
    QUESTION = "Gewijzigde vragen", True
    ANSWERS = "Antwoordmogelijkheden", True
    ROUTING = "Routing", True


class CategoryChange(Enum):
    """How one answer category (option or item) differs from the previous edition's, by key and lineage."""

    ADDED = "added"
    DROPPED = "dropped"
    #: Same key, another label.
    RELABELLED = "renamed"
    SPLIT = "split"
    MERGED = "merged"
    KEY_RENAMED = "key_renamed"
    RECODED = "recoded"


Subject = Literal["option", "item"]

#: Appended to a ``scale`` line when the codebook calls the two versions the same question.
SCALE_PROBLEM_NOTE = " (LET OP: een gewijzigde schaal hoort een nieuw id met replaces te krijgen)"


class ChangeKind(StrEnum):
    """Every kind of difference between two editions' codebooks: the one list (``year.codebook_diff`` reports them).

    The value is what ``Change.kind`` writes (CSV, tests). Each kind carries its section
    (:class:`ChangeGroup`), its Dutch Markdown wording, whether only the codebook sees it
    (``internal``: keys and codes, listed by ``monitor codebook-diff`` and not in the report) and, for an
    option or item change, which :class:`CategoryChange` of which subject it is. The wording is a
    ``str.format`` template; ``year.codebook_diff`` fills it with Markdown-escaped values:
    ``{old}``/``{new}`` (a label or text), ``{old_text}``/``{new_text}`` (whitespace collapsed),
    ``{old_list}``/``{new_list}`` (``a | b`` as ‘a’ en ‘b’), ``{old_raw}``/``{new_raw}`` (not escaped:
    keys, codes, types), ``{old_limit}``/``{new_limit}`` (empty as "onbeperkt") and ``{problem}``
    (:data:`SCALE_PROBLEM_NOTE` or nothing). Adding a kind is adding a member here plus its tests.
    """

    group: ChangeGroup
    wording: str
    internal: bool
    category: tuple[Subject, CategoryChange] | None

    def __new__(
        cls,
        value: str,
        group: ChangeGroup,
        wording: str,
        internal: bool = False,
        category: tuple[Subject, CategoryChange] | None = None,
    ) -> ChangeKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.group, member.wording, member.internal, member.category = group, wording, internal, category
        return member

    ADDED = "added", ChangeGroup.ADDED, "*{new_text}*"
    DROPPED = "dropped", ChangeGroup.DROPPED, "*{old_text}*"
    COMPARABLE = (
        "comparable",
        ChangeGroup.LINKED,
        "*{new_text}* vervangt *{old_text}*; vergelijkbaar, de tijdreeks loopt door",
    )
    REPLACES = (
        "replaces",
        ChangeGroup.LINKED,
        "*{new_text}* vervangt *{old_text}*; niet vergelijkbaar, breuk in de tijdreeks",
    )
    TEXT = "text", ChangeGroup.QUESTION, "was *{old_text}*, nu *{new_text}*"
    TYPE = "type", ChangeGroup.QUESTION, "vraagsoort was {old_raw}, nu {new_raw}"
    CHAPTER = "chapter", ChangeGroup.QUESTION, "stond in hoofdstuk {old_raw}, nu in hoofdstuk {new_raw}"
    OPTION_ADDED = (
        "option_added",
        ChangeGroup.ANSWERS,
        "nieuwe antwoordmogelijkheid ‘{new}’",
        False,
        ("option", CategoryChange.ADDED),
    )
    OPTION_DROPPED = (
        "option_dropped",
        ChangeGroup.ANSWERS,
        "antwoordmogelijkheid ‘{old}’ vervallen",
        False,
        ("option", CategoryChange.DROPPED),
    )
    OPTION_RENAMED = (
        "option_renamed",
        ChangeGroup.ANSWERS,
        "‘{old}’ heet nu ‘{new}’",
        False,
        ("option", CategoryChange.RELABELLED),
    )
    OPTION_SPLIT = (
        "option_split",
        ChangeGroup.ANSWERS,
        "‘{old}’ is gesplitst in {new_list}; samen zetten zij de reeks voort",
        False,
        ("option", CategoryChange.SPLIT),
    )
    OPTION_MERGED = (
        "option_merged",
        ChangeGroup.ANSWERS,
        "{old_list} zijn samengevoegd tot ‘{new}’",
        False,
        ("option", CategoryChange.MERGED),
    )
    OPTION_KEY_RENAMED = (
        "option_key_renamed",
        ChangeGroup.ANSWERS,
        "sleutel `{old_raw}` heet nu `{new_raw}`",
        True,
        ("option", CategoryChange.KEY_RENAMED),
    )
    OPTION_RECODED = (
        "option_recoded",
        ChangeGroup.ANSWERS,
        "code {old_raw} is nu {new_raw}",
        True,
        ("option", CategoryChange.RECODED),
    )
    ITEM_ADDED = (
        "item_added",
        ChangeGroup.ANSWERS,
        "nieuw onderdeel ‘{new}’",
        False,
        ("item", CategoryChange.ADDED),
    )
    ITEM_DROPPED = (
        "item_dropped",
        ChangeGroup.ANSWERS,
        "onderdeel ‘{old}’ vervallen",
        False,
        ("item", CategoryChange.DROPPED),
    )
    ITEM_RENAMED = (
        "item_renamed",
        ChangeGroup.ANSWERS,
        "onderdeel ‘{old}’ heet nu ‘{new}’",
        False,
        ("item", CategoryChange.RELABELLED),
    )
    ITEM_SPLIT = (
        "item_split",
        ChangeGroup.ANSWERS,
        "onderdeel ‘{old}’ is gesplitst in {new_list}",
        False,
        ("item", CategoryChange.SPLIT),
    )
    ITEM_MERGED = (
        "item_merged",
        ChangeGroup.ANSWERS,
        "onderdelen {old_list} zijn samengevoegd tot ‘{new}’",
        False,
        ("item", CategoryChange.MERGED),
    )
    ITEM_KEY_RENAMED = (
        "item_key_renamed",
        ChangeGroup.ANSWERS,
        "sleutel van een onderdeel `{old_raw}` heet nu `{new_raw}`",
        True,
        ("item", CategoryChange.KEY_RENAMED),
    )
    ITEM_RECODED = (
        "item_recoded",
        ChangeGroup.ANSWERS,
        "code van een onderdeel {old_raw} is nu {new_raw}",
        True,
        ("item", CategoryChange.RECODED),
    )
    MAX_ANSWERS = (
        "max_answers",
        ChangeGroup.ANSWERS,
        "maximaal aantal antwoorden was {old_limit}, nu {new_limit}",
    )
    ROUTING = "routing", ChangeGroup.ROUTING, "was gesteld aan {old}, nu aan {new}"
    SCALE = (
        "scale",
        ChangeGroup.ANSWERS,
        "antwoordschaal was ‘{old}’, nu ‘{new}’; de antwoorden zijn niet vergelijkbaar{problem}",
    )

    @classmethod
    def of_category(cls, subject: Subject, change: CategoryChange) -> ChangeKind:
        """The kind of an option or item change (``("option", SPLIT)`` is ``option_split``)."""
        return next(k for k in cls if k.category == (subject, change))


#: How a question of the new edition is tied to one of the old (``added``/``dropped``: to none).
Link = Literal["same", "comparable", "replaces", "added", "dropped"]
#: The question fields that tie a new id to an old one, with the link they make.
QUESTION_LINKS: tuple[tuple[Link, str], ...] = (("comparable", "comparable_with"), ("replaces", "replaces"))
#: The kind a linked question pair is reported as (the same id is no change of its own).
LINK_KINDS: dict[Link, ChangeKind] = {"comparable": ChangeKind.COMPARABLE, "replaces": ChangeKind.REPLACES}
#: The category fields that tie a key to the previous edition's keys (:func:`applied_lineage`).
CATEGORY_LINEAGE_FIELDS = ("split_from", "merged_from", "renamed_from")


def question_pairs(old: Codebook, new: Codebook) -> list[tuple[Question | None, Question | None, Link]]:
    """(old, new, link) in new-questionnaire order, then dropped questions (old, None, ``dropped``)."""
    pairs: list[tuple[Question | None, Question | None, Link]] = []
    used: set[str] = set()
    for q in new.all_questions:
        if q.id in old:
            pairs.append((old.question(q.id), q, "same"))
            used.add(q.id)
            continue
        linked = [(oid, link) for link, field in QUESTION_LINKS for oid in sorted(linked_ids(q, old.year, field))]
        linked = [(oid, link) for oid, link in linked if oid in old]
        pairs += [(old.question(oid), q, link) for oid, link in linked]
        used |= {oid for oid, _ in linked}
        if not linked:
            pairs.append((None, q, "added"))
    pairs += [(q, None, "dropped") for q in old.all_questions if q.id not in used]
    return pairs


def category_changes(subject: Subject, before: list, after: list) -> list[tuple[ChangeKind, str, str, int | None]]:
    """(kind, old, new, code) for the options or items (``subject``) of two versions, by key and lineage.

    The same key is the same answer (a new label is ``renamed``, a new code ``recoded``); parts with
    ``split_from`` are one ``split``, ``merged_from`` (every source in ``before``) one ``merged``,
    ``renamed_from`` a ``key_renamed``; what is left is ``added`` or ``dropped``. Lineage that names no
    key of ``before`` is ignored (:func:`applied_lineage`): the same key is then the same answer again.
    """
    kind = partial(ChangeKind.of_category, subject)
    old_by_key = {x.key: x for x in before}
    used: set[str] = set()
    out: list[tuple[ChangeKind, str, str, int | None]] = []
    for x in after:
        if x.split_from in old_by_key:
            if x.split_from not in used:
                parts = " | ".join(y.label for y in after if y.split_from == x.split_from)
                out.append((kind(CategoryChange.SPLIT), old_by_key[x.split_from].label, parts, x.code))
                used.add(x.split_from)
            continue
        if x.merged_from and set(x.merged_from) <= set(old_by_key):
            labels = " | ".join(old_by_key[k].label for k in x.merged_from)
            out.append((kind(CategoryChange.MERGED), labels, x.label, x.code))
            used |= set(x.merged_from)
            continue
        was = old_by_key.get(x.renamed_from) if x.renamed_from in old_by_key else old_by_key.get(x.key)
        if was is None:  # new; lineage to a category the previous edition did not have is an earlier change
            out.append((kind(CategoryChange.ADDED), "", x.label, x.code))
            continue
        used.add(was.key)
        if was.key != x.key:
            out.append((kind(CategoryChange.KEY_RENAMED), was.key, x.key, x.code))
        if was.label != x.label:
            out.append((kind(CategoryChange.RELABELLED), was.label, x.label, x.code))
        if was.code != x.code:
            out.append((kind(CategoryChange.RECODED), str(was.code), str(x.code), x.code))
    new_keys = {x.key for x in after}
    gone = [x for x in before if x.key not in used and x.key not in new_keys]
    return out + [(kind(CategoryChange.DROPPED), x.label, "", x.code) for x in gone]
