"""Checked claims: a sentence that states a finding in words is tied to a condition on the data.

In a ``%%tekst`` block::

    {% claim majority("additional_policy", "yes") %}Een meerderheid van de gemeenten heeft aanvullend
    beleid.{% endclaim %}

Every claim is evaluated on every build and written to the claims register (``claims/<notebook>.csv``,
assembled into ``reports/<year>/claims.csv``) with the numbers it rests on. A claim that does not
hold stops the build with one line naming notebook, claim and numbers; a draft build
(``MONITOR_DRAFT=1``, ``make report DRAFT=1``) prints it marked for review instead. Computed
comparisons ("steeg", "vaker dan") are registered too, as ``kind = vergelijking``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.report.errors import LocatedError
from helpers.report.part_files import write_part
from helpers.report.prose_names import condition
from helpers.survey.formatting import fmt_number, fmt_pct

if TYPE_CHECKING:
    from helpers.report.comparison_words import Comparisons
    from helpers.report.numbers import Numbers

DRAFT_ENV = "MONITOR_DRAFT"
#: A majority is more than this share (percent), a minority less.
HALF = 50
REGISTER_COLUMNS = ["notebook", "cell", "kind", "text", "condition", "holds", "numbers", "section"]


class ClaimError(LocatedError, AssertionError):
    """A claim that does not hold on this year's data (one line: notebook, cell, claim, numbers)."""


@dataclass(frozen=True)
class Check:
    """A condition on the data, evaluated: whether it holds, what it says, the numbers it rests on."""

    holds: bool
    condition: str
    numbers: str = ""

    def __and__(self, other: Check) -> Check:
        return Check(self.holds and other.holds, f"{self.condition} en {other.condition}", _join(self, other))

    def __or__(self, other: Check) -> Check:
        return Check(self.holds or other.holds, f"{self.condition} of {other.condition}", _join(self, other))

    def __invert__(self) -> Check:
        return Check(not self.holds, f"niet ({self.condition})", self.numbers)


def _join(a: Check, b: Check) -> str:
    return "; ".join(x for x in (a.numbers, b.numbers) if x)


def is_draft() -> bool:
    """A draft build prints failing claims for review instead of stopping."""
    return os.environ.get(DRAFT_ENV, "") not in ("", "0")


@dataclass
class Register:
    """The claims and comparisons of one notebook, rewritten whole at each entry (like the indicators)."""

    path: Path
    notebook: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: The heading above the cell being rendered (``report.location``), recorded with each entry.
    section: str = ""

    def __post_init__(self) -> None:
        # an empty part says "this notebook renders prose": its notes.yaml remarks must be placed
        write_part(self.path, REGISTER_COLUMNS, self.rows)

    def add(self, cell: int | None, kind: str, text: str, condition: str, holds: bool, numbers: str) -> int:
        """Register an entry (once); returns its number in this notebook's register, from 1 (``entry_anchor``)."""
        row = {"notebook": self.notebook, "cell": "" if cell is None else cell, "kind": kind,
               "text": " ".join(text.split()), "condition": condition, "holds": holds, "numbers": numbers,
               "section": self.section}  # fmt: skip
        if row not in self.rows:
            self.rows.append(row)
        write_part(self.path, REGISTER_COLUMNS, self.rows)
        return self.rows.index(row) + 1


def entry_anchor(number: int | str) -> str:
    """The anchor of register entry ``number`` of a notebook, on its chapter page and (after the notebook's
    name) on the claims page: ``bewering-4``."""
    return f"bewering-{number}"


def _ref(qid: str, key: str) -> str:
    """``question.option`` in a condition, or the question alone when the number is the question's own."""
    return f"{qid}.{key}" if key else qid


class Predicates:
    """Conditions a claim can rest on, computed with the chapter's numbers (``value`` records them)."""

    def __init__(self, numbers: Numbers, comparisons: Comparisons):
        self.nv = numbers
        self.comparisons = comparisons

    def _share(self, qid: str, key: str) -> tuple[float, str]:
        v = self.nv.value(qid, key)
        return v, f"{_ref(qid, key)} = {fmt_pct(v, 1)}"

    @condition(
        "Het aandeel ``key`` is groter dan ``threshold`` procent.",
        'share_above("additional_policy", "yes", threshold=40)',
    )
    def share_above(self, qid: str, key: str, *, threshold: float) -> Check:
        v, num = self._share(qid, key)
        return Check(v > threshold, f"{_ref(qid, key)} > {fmt_number(threshold, 0)}%", num)

    @condition(
        "Het aandeel ``key`` is kleiner dan ``threshold`` procent.",
        'share_below("aftercare", "yes", threshold=30)',
    )
    def share_below(self, qid: str, key: str, *, threshold: float) -> Check:
        v, num = self._share(qid, key)
        return Check(v < threshold, f"{_ref(qid, key)} < {fmt_number(threshold, 0)}%", num)

    @condition(
        "Het aandeel ``key`` ligt van ``minimum`` tot en met ``maximum`` procent.",
        'share_between("additional_policy", "yes", minimum=40, maximum=60)',
    )
    def share_between(self, qid: str, key: str, *, minimum: float, maximum: float) -> Check:
        v, num = self._share(qid, key)
        condition = f"{fmt_number(minimum, 0)}% ≤ {_ref(qid, key)} ≤ {fmt_number(maximum, 0)}%"
        return Check(minimum <= v <= maximum, condition, num)

    @condition(
        "Meer dan de helft koos ``key``.",
        'majority("additional_policy", "yes")',
    )
    def majority(self, qid: str, key: str) -> Check:
        """More than half."""
        return self.share_above(qid, key, threshold=HALF)

    @condition(
        "Minder dan de helft koos ``key``.",
        'minority("aftercare", "yes")',
    )
    def minority(self, qid: str, key: str) -> Check:
        """Less than half."""
        return self.share_below(qid, key, threshold=HALF)

    @condition(
        "Het ene aandeel is (afgerond) groter dan het andere, ook van een andere vraag.",
        'more_than("measures_offered", "work_placements", "measures_offered", "dedicated_case_managers")',
    )
    def more_than(self, qid: str, key: str, other_qid: str, other_key: str) -> Check:
        """One share exceeds another (also of another question), by at least one rounded point."""
        a, na = self._share(qid, key)
        b, nb = self._share(other_qid, other_key)
        return Check(round(a) > round(b), f"{_ref(qid, key)} > {_ref(other_qid, other_key)}", f"{na}; {nb}")

    def _ranks(self, qid: str) -> list[tuple[str, float]]:
        return self.nv._ranked(qid)

    @condition(
        "``key`` is het vaakst gekozen (gedeeld mag).",
        'most_chosen("measures_offered", "work_placements")',
    )
    def most_chosen(self, qid: str, key: str) -> Check:
        ranked = self._ranks(qid)
        best = ranked[0][1] if ranked else float("nan")
        mine = dict(ranked).get(key, float("nan"))
        self.nv.value(qid, key)
        ref = _ref(qid, key)
        numbers = f"{ref} = {fmt_pct(mine, 1)}, hoogste = {fmt_pct(best, 1)}"
        return Check(mine == best, f"{ref} het vaakst gekozen", numbers)

    @condition(
        "``key`` staat bij de ``k`` vaakst gekozen categorieën.",
        'in_top("measures_offered", "work_placements", k=3)',
    )
    def in_top(self, qid: str, key: str, *, k: int) -> Check:
        ranked = self._ranks(qid)
        keys = [x for x, _ in ranked]
        place = keys.index(key) + 1 if key in keys else None
        self.nv.value(qid, key)
        return Check(place is not None and place <= k, f"{_ref(qid, key)} bij de {k} vaakst gekozen",
                     f"plaats {place} van {len(keys)}")  # fmt: skip

    def _groups(self, qid: str, key: str):
        cmp = self.comparisons._groups(qid, key)
        return cmp, (
            f"groot {fmt_pct(cmp.large, 1)} (n={cmp.n_large}), klein {fmt_pct(cmp.small, 1)} (n={cmp.n_small}), "
            f"p = {fmt_number(cmp.p_value, 3)} ({cmp.method})"
        )

    @condition(
        "G4/G40 kozen ``key`` significant vaker dan middelgrote en kleine gemeenten.",
        'larger_more_often("additional_policy", "yes")',
    )
    def larger_more_often(self, qid: str, key: str) -> Check:
        cmp, num = self._groups(qid, key)
        return Check(cmp.direction == "more", f"G4/G40 vaker {_ref(qid, key)} dan middelgroot/klein (p < 0,05)", num)

    @condition(
        "G4/G40 kozen ``key`` significant minder vaak dan middelgrote en kleine gemeenten.",
        'larger_less_often("aftercare", "yes")',
    )
    def larger_less_often(self, qid: str, key: str) -> Check:
        cmp, num = self._groups(qid, key)
        return Check(
            cmp.direction == "less", f"G4/G40 minder vaak {_ref(qid, key)} dan middelgroot/klein (p < 0,05)", num
        )

    @condition(
        "Geen significant verschil naar grootteklasse in ``key``.",
        'no_size_difference("aftercare", "yes")',
    )
    def no_size_difference(self, qid: str, key: str) -> Check:
        cmp, num = self._groups(qid, key)
        return Check(cmp.direction == "same", f"geen verschil naar grootteklasse in {_ref(qid, key)}", num)

    def _edition(self, qid: str, key: str, stat: str):
        ch = self.comparisons._change(qid, key, stat)
        return ch, f"{ch.year_before}: {fmt_number(ch.before, 1)}, {ch.year_after}: {fmt_number(ch.after, 1)}, marge " \
                   f"{fmt_number(ch.margin, 1)}"  # fmt: skip

    @condition(
        'Het aandeel (of ``stat="mean"``) steeg sinds de vorige vergelijkbare editie, buiten de ruis.',
        'rose("measures_offered", "dedicated_case_managers")',
    )
    def rose(self, qid: str, key: str = "", stat: str = "pct") -> Check:
        ch, num = self._edition(qid, key, stat)
        return Check(ch.direction == "up", f"{_ref(qid, key)} gestegen sinds {ch.year_before}", num)

    @condition(
        'Het aandeel (of ``stat="mean"``) daalde sinds de vorige vergelijkbare editie, buiten de ruis.',
        'fell("start_moment", "in_reception_centre")',
    )
    def fell(self, qid: str, key: str = "", stat: str = "pct") -> Check:
        ch, num = self._edition(qid, key, stat)
        return Check(ch.direction == "down", f"{_ref(qid, key)} gedaald sinds {ch.year_before}", num)

    @condition(
        'Het aandeel (of ``stat="mean"``) bleef (nagenoeg) gelijk sinds de vorige vergelijkbare editie.',
        'steady("policy_embedding", "structural")',
    )
    def steady(self, qid: str, key: str = "", stat: str = "pct") -> Check:
        ch, num = self._edition(qid, key, stat)
        return Check(
            ch.direction in ("same", "noise"), f"{_ref(qid, key)} (nagenoeg) gelijk sinds {ch.year_before}", num
        )

    @condition(
        "Het gemiddelde (van ``item``, of van de vraag zelf) is groter dan ``threshold``.",
        'mean_above("job_matches_level", threshold=25)',
    )
    def mean_above(self, qid: str, item: str = "", *, threshold: float) -> Check:
        v = self.nv.value(qid, item, "mean")
        return Check(v > threshold, f"gemiddelde {_ref(qid, item)} > {fmt_number(threshold, 1)}", fmt_number(v, 2))

    @condition(
        "Het gemiddelde (van ``item``, of van de vraag zelf) is kleiner dan ``threshold``.",
        'mean_below("job_matches_level", threshold=50)',
    )
    def mean_below(self, qid: str, item: str = "", *, threshold: float) -> Check:
        v = self.nv.value(qid, item, "mean")
        return Check(v < threshold, f"gemiddelde {_ref(qid, item)} < {fmt_number(threshold, 1)}", fmt_number(v, 2))

    @condition(
        "Het ene gemiddelde is groter dan het andere (``item``/``other_item`` voor onderdelen).",
        'mean_more_than("education_good_route", "integration_routes", other_item="via_education")',
    )
    def mean_more_than(self, qid: str, other_qid: str, *, item: str = "", other_item: str = "") -> Check:
        a, b = self.nv.value(qid, item, "mean"), self.nv.value(other_qid, other_item, "mean")
        return Check(a > b, f"gemiddelde {_ref(qid, item)} > {_ref(other_qid, other_item)}",
                     f"{fmt_number(a, 2)} tegen {fmt_number(b, 2)}")  # fmt: skip

    @condition(
        "Een voorwaarde in de tekst zelf: of ze geldt, wat ze zegt en de getallen.",
        'check(value("additional_policy", "yes") > value("aftercare", "yes"), "meer beleid dan nazorg")',
    )
    def check(self, holds: bool, condition: str, numbers: str = "") -> Check:
        """A condition written in the block itself, e.g. ``check(value("a", "x") > value("a", "y"), "x > y")``."""
        return Check(bool(holds), condition, numbers)
