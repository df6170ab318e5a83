"""The questionnaire as data: a schema-validated codebook per survey year.

A codebook (``data/raw/<year>/codebook.yaml``) lists every question with its id,
chapter, wording, answer options, type, routing condition and the export columns
it maps to. Everything downstream (loader, generator, tables, notebooks) reads
the questionnaire from here, so a new year is a data task, not a code change.

Export column convention (Qualtrics "Data Table" CSV, numeric values):

============  ===========================  ===================================
type          export columns (name)        ImportId
============  ===========================  ===================================
single        ``Q5``                       ``QID5``
single+other  ``Q5`` + ``Q5_<c>_TEXT``     ``QID5`` + ``QID5_<c>_TEXT``
multi         ``Q6_<c>`` per option        ``QID6_<c>``
multi+other   + ``Q6_<c>_TEXT``            ``QID6_<c>_TEXT``
percent/count ``Q7_<i>`` per item          ``QID7_<i>`` (or ``Q7``/``QID7_TEXT``)
text          ``Q8``                       ``QID8_TEXT``
municipality  ``Q1_<cbs number>``          ``QID1_<cbs number>``
============  ===========================  ===================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from helpers.paths import display
from helpers.survey.input_errors import InputError, Problem
from helpers.survey.vocabulary import COUNT_MAXIMUM, PERCENT_RANGE, PERCENT_SCALES

QuestionType = Literal["single", "multi", "percent", "count", "text", "municipality"]


class CodebookError(InputError):
    """Raised when a codebook file cannot be read or does not match the schema; lists every problem."""

    what = "het codebook is niet ingelezen"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: Stable reference of an option, item, net or question: English snake_case, never reused.
KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
#: Option and item codes are 32-bit integers (Qualtrics recode values); anything longer is not a code.
MAX_CODE = 2**31 - 1
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: str) -> date:
    """A date written ``JJJJ-MM-DD`` that exists; ValueError (Dutch) otherwise."""
    if not _ISO_DATE.match(value):
        raise ValueError(f"datum {value!r} is niet geschreven als JJJJ-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"datum {value!r} bestaat niet") from None


class _Lineage(_Strict):
    """How a category relates to the previous edition's categories of the same question.

    Without these fields the same ``key`` means the same answer (a reworded label keeps the key).
    """

    #: This category is one part of an earlier category that was split (the parts together continue it).
    split_from: str | None = Field(default=None, pattern=KEY_PATTERN)
    #: This category combines earlier categories (it continues their sum).
    merged_from: list[str] = Field(default_factory=list)
    #: The earlier key of this same category (the key itself was renamed).
    renamed_from: str | None = Field(default=None, pattern=KEY_PATTERN)


class Option(_Lineage):
    """One answer option: the numeric export code, its stable key and the label as printed."""

    code: int = Field(ge=-MAX_CODE, le=MAX_CODE)
    key: str = Field(pattern=KEY_PATTERN)
    label: str
    #: A shorter wording for running text ("dedicated klantmanagers"), where the label is a sentence.
    short: str | None = None
    #: Selecting it excludes every other option (multi only); a breach is a warning.
    exclusive: bool = False
    #: "anders, namelijk": the export has a ``_<code>_TEXT`` column.
    other_text: bool = False
    #: Label reconstructed because the 2018 report lost the chart (documented, not printed).
    reconstructed: bool = False


class Item(_Lineage):
    """A sub-item of a percentage or count question (one export column each)."""

    code: int = Field(ge=-MAX_CODE, le=MAX_CODE)
    key: str = Field(pattern=KEY_PATTERN)
    label: str
    #: A shorter wording for running text.
    short: str | None = None


class Net(_Strict):
    """A derived category: the union of options, e.g. '(helemaal) eens'."""

    key: str = Field(pattern=KEY_PATTERN)
    label: str
    codes: list[int]


class ConstantSum(_Strict):
    """The items of a percent/count question add up to ``total`` (± ``tolerance``) on every answered row."""

    total: float = 100.0
    tolerance: float = Field(default=0.5, ge=0)


class ValueRange(_Strict):
    """The plausible answers of a percent or count question; a bound left out keeps its default.

    For a percent question the bounds are percentages, also when the export writes fractions (``scale: fraction``).
    """

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ValueRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"range: min ({self.min:g}) is groter dan max ({self.max:g})")
        return self


class Scale(_Strict):
    """A shared answer scale (e.g. a 5-point agreement scale) with its collapse."""

    options: list[Option]
    ordered: bool = True
    nets: list[Net] = Field(default_factory=list)
    #: The edition for which a year named in an option label was checked (``survey.wording``).
    text_checked: int | None = None


# --- routing conditions -------------------------------------------------------------


class AnswerIn(_Strict):
    """True when single-choice ``question`` has one of ``codes``."""

    question: str
    codes: list[int] = Field(alias="in")


class Selected(_Strict):
    """True when multi-answer ``question`` has option ``code`` ticked."""

    question: str
    selected: int


class AllOf(_Strict):
    all: list[Condition]


class AnyOf(_Strict):
    any: list[Condition]


Condition = Annotated[AnswerIn | Selected | AllOf | AnyOf, Field(union_mode="left_to_right")]
AllOf.model_rebuild()
AnyOf.model_rebuild()


def condition_questions(cond: Condition | None) -> set[str]:
    """The question ids a routing condition depends on."""
    if cond is None:
        return set()
    if isinstance(cond, (AnswerIn, Selected)):
        return {cond.question}
    parts = cond.all if isinstance(cond, AllOf) else cond.any
    return set().union(*(condition_questions(c) for c in parts))


# --- questions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """An answer category by key: an option (one code), an item (one code) or a net (several codes)."""

    key: str
    label: str
    codes: tuple[int, ...]
    kind: Literal["option", "item", "net"]
    #: The wording for running text: the option's ``short`` when it has one, else its label.
    prose: str = ""


class Column(_Strict):
    """One physical export column that a question maps to."""

    name: str
    import_id: str
    #: "answer" (code), "option" (0/1 tick), "text", "item" (number)
    role: Literal["answer", "option", "text", "item"]
    code: int | None = None


class Question(_Strict):
    """One question of the questionnaire."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    chapter: int
    #: Labels of the 2018 report's figures/tables built from this question.
    report_refs: list[str] = Field(default_factory=list)
    text: str
    #: A short title for captions and table rows ("Aanvullend beleid …"); the text when absent.
    short: str | None = None
    type: QuestionType
    #: Unit of analysis (the one field for it): ``municipality`` (default; every municipality a respondent
    #: answers for counts once) or ``respondent`` (one answer for the whole cooperating area, e.g. a count of
    #: jobs, the respondent's role): default views, breakdowns, intervals and feedback count respondents.
    level: Literal["municipality", "respondent"] = "municipality"
    #: The edition for which a year named in the question's texts was checked (``survey.wording``); a value
    #: copied forward by ``make new-year`` is an earlier year and does not confirm the new edition.
    text_checked: int | None = None
    options: list[Option] = Field(default_factory=list)
    #: single/multi: name of a shared scale in ``Codebook.scales`` (instead of ``options``). percent: how the
    #: export writes 10% — ``percent`` (10, the default) or ``fraction`` (0.1, read as 10).
    scale: str | None = None
    nets: list[Net] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    max_answers: int | None = None
    #: Plausible answers of a percent or count question (defaults: percent 0–100, count 0–COUNT_MAXIMUM).
    range: ValueRange | None = None
    #: The same bounds written the older way (``min_value: 1``); not together with ``range``.
    min_value: float | None = None
    max_value: float | None = None
    asked_if: Condition | None = None
    #: The items must add up to a total (e.g. 100%) within a tolerance; checked on every row.
    constant_sum: ConstantSum | None = None
    export_name: str
    import_id: str
    #: Earlier export names of this question's columns (a recorded rename): the header check accepts them.
    export_aliases: list[str] = Field(default_factory=list)
    #: Municipality question only: frame municipalities (GM code) without a column in the export, and why.
    not_offered: dict[str, str] = Field(default_factory=dict)
    #: Earlier questions (other ids) this one may be compared with in trends: ``"id"`` or ``"2017:id"``.
    #: The same id in two years is always the same, comparable question.
    comparable_with: list[str] = Field(default_factory=list)
    #: Earlier questions this one replaces but is NOT comparable with: trends show a break.
    replaces: list[str] = Field(default_factory=list)
    note: str | None = None

    @field_validator("report_refs")
    @classmethod
    def _refs_look_like_labels(cls, refs: list[str]) -> list[str]:
        for r in refs:
            head = r.split(" ", 1)[0]
            if head not in {"Figuur", "Tabel", "Tekst"}:
                raise ValueError(f"report_ref {r!r} moet beginnen met 'Figuur', 'Tabel' of 'Tekst'")
        return refs

    @model_validator(mode="after")
    def _type_rules(self) -> Question:
        t = self.type
        if t in {"single", "multi"} and not (self.options or self.scale):
            raise ValueError(f"{self.id}: een {t}-vraag heeft options of een scale nodig")
        if t not in {"single", "multi"} and (self.options or (self.scale and t != "percent")):
            raise ValueError(f"{self.id}: een {t}-vraag heeft geen options")
        if t == "percent" and self.scale is not None and self.scale not in PERCENT_SCALES:
            raise ValueError(
                f"{self.id}: scale van een percent-vraag is 'percent' (10 = 10%) of 'fraction' (0.1 = 10%), "
                f"niet {self.scale!r}"
            )
        bounds = self.range is not None or self.min_value is not None or self.max_value is not None
        if bounds and t not in {"percent", "count"}:
            raise ValueError(f"{self.id}: range, min_value en max_value gelden alleen voor percent/count-vragen")
        if self.range is not None and (self.min_value is not None or self.max_value is not None):
            raise ValueError(f"{self.id}: gebruik range: {{min, max}} of min_value/max_value, niet allebei")
        lo, hi = self.value_range
        if lo > hi:
            raise ValueError(f"{self.id}: de ondergrens ({lo:g}) ligt boven de bovengrens ({hi:g})")
        if self.max_answers is not None and t != "multi":
            raise ValueError(f"{self.id}: max_answers geldt alleen voor multi-vragen")
        if t not in {"percent", "count"} and self.items:
            raise ValueError(f"{self.id}: items gelden alleen voor percent/count-vragen")
        if self.constant_sum is not None and (t not in {"percent", "count"} or len(self.items) < 2):
            raise ValueError(f"{self.id}: constant_sum geldt alleen voor percent/count-vragen met items")
        if self.not_offered and t != "municipality":
            raise ValueError(f"{self.id}: not_offered geldt alleen voor de gemeentevraag")
        bad = [c for c in self.not_offered if not (len(c) == 6 and c.startswith("GM") and c[2:].isdigit())]
        if bad:
            raise ValueError(f"{self.id}: not_offered noemt gemeentecodes als GM0014, niet {bad}")
        codes = [o.code for o in self.options]
        if len(codes) != len(set(codes)):
            raise ValueError(f"{self.id}: dubbele optiecodes {codes}")
        categories: list[Option | Item | Net] = [*self.options, *self.items, *self.nets]
        keys = [c.key for c in categories]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.id}: dubbele keys {sorted({k for k in keys if keys.count(k) > 1})}")
        if any(o.exclusive for o in self.options) and t != "multi":
            raise ValueError(f"{self.id}: exclusieve opties bestaan alleen bij multi-vragen")
        valid = set(codes) if t in {"single", "multi"} else {it.code for it in self.items}
        for net in self.nets:
            missing = set(net.codes) - valid if (self.options or self.items) else set()
            if missing:
                raise ValueError(f"{self.id}: net {net.label!r} noemt onbekende codes {sorted(missing)}")
        return self

    # convenience -------------------------------------------------------------------
    @property
    def title(self) -> str:
        """The caption of the question's views: its ``short`` title, else its text."""
        return self.short or self.text

    @property
    def value_range(self) -> tuple[float, float]:
        """Plausible answers (percentages for a percent question): the codebook's bounds, else the defaults."""
        default = {"percent": PERCENT_RANGE, "count": (0.0, float(COUNT_MAXIMUM))}.get(self.type, (0.0, float("inf")))
        given = self.range or ValueRange(min=self.min_value, max=self.max_value)
        return (
            given.min if given.min is not None else default[0],
            given.max if given.max is not None else default[1],
        )

    @property
    def bounded_by_default(self) -> bool:
        """Is the upper bound the default one (the codebook may raise it)?"""
        return self.max_value is None and (self.range is None or self.range.max is None)

    @property
    def fractions(self) -> bool:
        """A percent question whose export writes fractions (``scale: fraction``: 0.1 means 10%)."""
        return self.type == "percent" and self.scale == "fraction"

    @property
    def categories(self) -> list[Category]:
        """Options, items and nets as keyed categories (what notebooks refer to by key)."""
        out = [Category(o.key, o.label, (o.code,), "option", o.short or o.label) for o in self.options]
        out += [Category(it.key, it.label, (it.code,), "item", it.short or it.label) for it in self.items]
        return out + [Category(n.key, n.label, tuple(n.codes), "net", n.label) for n in self.nets]

    def category(self, key: str) -> Category:
        """The option, item or net with ``key``; KeyError lists the keys there are."""
        for cat in self.categories:
            if cat.key == key:
                return cat
        known = ", ".join(c.key for c in self.categories) or "geen"
        raise KeyError(f"{self.id} heeft geen antwoordcategorie {key!r}; wel: {known}")

    def option(self, code: int | None) -> Option:
        """The option with export ``code`` (a column without a code has none: KeyError)."""
        for o in self.options:
            if o.code == code:
                return o
        raise KeyError(f"{self.id} has no option with code {code}")

    def export_columns(self, municipality_numbers: list[int] | None = None) -> list[Column]:
        """The export columns of this question, in export order."""
        n, i = self.export_name, self.import_id
        if self.type == "single":
            cols = [Column(name=n, import_id=i, role="answer")]
            cols += [
                Column(name=f"{n}_{o.code}_TEXT", import_id=f"{i}_{o.code}_TEXT", role="text", code=o.code)
                for o in self.options
                if o.other_text
            ]
            return cols
        if self.type == "multi":
            cols = []
            for o in self.options:
                cols.append(Column(name=f"{n}_{o.code}", import_id=f"{i}_{o.code}", role="option", code=o.code))
                if o.other_text:
                    cols.append(
                        Column(name=f"{n}_{o.code}_TEXT", import_id=f"{i}_{o.code}_TEXT", role="text", code=o.code)
                    )
            return cols
        if self.type in {"percent", "count"}:
            if not self.items:
                return [Column(name=n, import_id=f"{i}_TEXT", role="item")]
            return [
                Column(name=f"{n}_{it.code}", import_id=f"{i}_{it.code}", role="item", code=it.code)
                for it in self.items
            ]
        if self.type == "text":
            return [Column(name=n, import_id=f"{i}_TEXT", role="text")]
        if self.type == "municipality":
            nums = municipality_numbers or []
            return [Column(name=f"{n}_{k}", import_id=f"{i}_{k}", role="option", code=k) for k in nums]
        raise AssertionError(self.type)

    def processed_columns(self) -> list[str]:
        """Names of this question's columns in the processed tables."""
        q = self.id
        if self.type in {"single", "text"}:
            cols = [q]
            if self.type == "single":
                cols += [f"{q}__{o.code}__text" for o in self.options if o.other_text]
            return cols
        if self.type == "multi":
            cols = []
            for o in self.options:
                cols.append(f"{q}__{o.code}")
                if o.other_text:
                    cols.append(f"{q}__{o.code}__text")
            return cols
        if self.type in {"percent", "count"}:
            return [f"{q}__{it.code}" for it in self.items] if self.items else [q]
        return []


class Codebook(_Strict):
    """A year's questionnaire."""

    year: int
    title: str
    #: Data freeze date (ISO), used for SOURCE_DATE_EPOCH of the rendered report.
    freeze_date: str
    #: First and last day of the fieldwork (ISO dates), printed in the method section.
    fieldwork: tuple[str, str]
    synthetic: bool = False
    #: Year of the municipality frame used (normally the survey year).
    frame_year: int
    population_size: int
    scales: dict[str, Scale] = Field(default_factory=dict)
    questions: list[Question]
    #: Export columns the report deliberately does not read (ImportId or export name) and why; any other
    #: column whose ImportId looks like a question (``QID…``) is an error, so no question vanishes unnoticed.
    ignored_columns: dict[str, str] = Field(default_factory=dict)
    #: The file it was read from (``load_codebook``), for messages that name a codebook line.
    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The YAML file this codebook was read from (None when built in memory)."""
        return self._source

    @field_validator("freeze_date")
    @classmethod
    def _existing_date(cls, value: str) -> str:
        iso_date(value)
        return value

    @field_validator("fieldwork")
    @classmethod
    def _fieldwork_period(cls, value: tuple[str, str]) -> tuple[str, str]:
        first, last = (iso_date(v) for v in value)
        if first > last:
            raise ValueError(f"de eerste veldwerkdag ({value[0]}) ligt na de laatste ({value[1]})")
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> Codebook:
        ids = [q.id for q in self.questions]
        dup = sorted({x for x in ids if ids.count(x) > 1})
        if dup:
            raise ValueError(f"dubbele vraag-id's: {dup}")
        names = [q.export_name for q in self.questions]
        dupn = sorted({x for x in names if names.count(x) > 1})
        if dupn:
            raise ValueError(f"dubbele export_names: {dupn}")
        known = set(ids)
        for q in self.questions:
            if q.scale is not None and q.type in {"single", "multi"} and q.scale not in self.scales:
                raise ValueError(f"{q.id}: onbekende schaal {q.scale!r}")
            for dep in condition_questions(q.asked_if):
                if dep not in known:
                    raise ValueError(f"{q.id}: routing verwijst naar onbekende vraag {dep!r}")
                if ids.index(dep) >= ids.index(q.id):
                    raise ValueError(f"{q.id}: routing verwijst naar {dep!r}, die later in de vragenlijst komt")
        if sum(q.type == "municipality" for q in self.questions) != 1:
            raise ValueError("een codebook heeft precies één gemeentevraag (type municipality)")
        return self

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: self._resolved(q) for q in self.questions}

    def _resolved(self, q: Question) -> Question:
        """A question with its shared scale expanded into options and nets."""
        if q.scale is None or q.type not in {"single", "multi"}:
            return q
        sc = self.scales[q.scale]
        return q.model_copy(update={"options": list(sc.options), "nets": list(q.nets or sc.nets)})

    def question(self, qid: str | Question) -> Question:
        """The question with id ``qid`` (scales resolved); a Question passes through, so a caller that
        already resolved it (a chapter view) hands the object down instead of looking it up again."""
        if isinstance(qid, Question):
            return qid
        try:
            return self._by_id[qid]
        except KeyError:
            raise KeyError(f"question {qid!r} is not in the {self.year} codebook") from None

    def __contains__(self, qid: object) -> bool:
        return qid in self._by_id

    @property
    def all_questions(self) -> list[Question]:
        """Every question with scales resolved, in questionnaire order."""
        return [self._by_id[q.id] for q in self.questions]

    @property
    def municipality_question(self) -> Question:
        return next(q for q in self.all_questions if q.type == "municipality")

    def by_chapter(self, chapter: int) -> list[Question]:
        return [q for q in self.all_questions if q.chapter == chapter]

    def is_ordered(self, qid: str | Question) -> bool:
        """Is the question on an ordered shared scale (an agreement scale, drawn as stacked bars)?"""
        q = self.question(qid)
        return bool(
            q.type in {"single", "multi"} and q.scale and q.scale in self.scales and self.scales[q.scale].ordered
        )


#: Codebooks already read in this process, by path and content (a codebook is frozen: sharing it is safe).
_LOADED: dict[tuple[str, str], Codebook] = {}
_LOADED_MAX = 16


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file; raise CodebookError listing every problem with its line.

    The same file with the same bytes is parsed once per process (the build reads each edition's codebook
    in several places); a changed file is read again."""
    import hashlib

    path = Path(path)
    try:
        key: tuple[str, str] | None = (str(path), hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError:
        key = None  # read_yaml_located names the problem
    if key in _LOADED:
        return _LOADED[key]
    codebook = _read_codebook(path)
    if key is not None:
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = codebook
    return codebook


def _read_codebook(path: Path) -> Codebook:
    from helpers.survey.codebook_check import precheck, schema_problems
    from helpers.survey.yaml_files import YamlError, read_yaml_located

    name = display(path)
    try:
        raw, locate = read_yaml_located(path)
    except YamlError as exc:
        raise CodebookError(name, exc.problems) from None
    problems = precheck(raw, locate, name)
    try:
        codebook = Codebook.model_validate(raw)
    except ValidationError as exc:
        problems += schema_problems(exc, raw, locate, name, skip_prechecked=bool(problems))
    else:
        problems += _folder_year(codebook, path, locate(("year",)), name)
        if not problems:
            codebook._source = path
            return codebook
    raise CodebookError(name, sorted(problems, key=lambda p: p.line or 0))


def _folder_year(codebook: Codebook, path: Path, line: int | None, file: str) -> list[Problem]:
    """A codebook in a year folder (``data/raw/2019/codebook.yaml``) must say that year."""
    folder = path.resolve().parent.name
    if not (len(folder) == 4 and folder.isdigit()) or int(folder) == codebook.year:
        return []
    return [
        Problem(
            "codebook_year",
            f"Het codebook staat in de map {folder} maar zegt year: {codebook.year}.",
            file,
            line=line,
            column="year",
            value=str(codebook.year),
            expected=f"year: {folder} (het jaar van de map)",
            action=f"Zet year: {folder} in dit codebook, of zet het bestand in de map {codebook.year}/ "
            f"(een nieuw jaar begint met make new-year YEAR={folder} FROM=<vorig jaar>).",
        )
    ]
