"""The generator's assumptions where the published report is silent (``synthetic_spec.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers import paths
from helpers.survey.yaml_files import read_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NumericSpec(_Strict):
    """Assumed mean and spread of a percentage item or count that the report does not print."""

    mean: float | None = None
    concentration: float = 4.0
    step: int = 5


class QuestionSpec(_Strict):
    """Assumptions for one question; every field is optional."""

    #: Municipalities that saw the question and skipped it (-99) when no n is printed.
    skipped: int = 0
    #: Weights of options/nets whose share is not printed (relative, any scale).
    shares: dict[str, float] = Field(default_factory=dict)
    #: How a printed net splits over its options, e.g. (Helemaal) eens -> Helemaal eens / Eens.
    split: dict[str, dict[str, float]] = Field(default_factory=dict)
    #: Preference for an option by the respondent's size class (log-odds-like, 0 = none).
    tilt: dict[str, dict[str, float]] = Field(default_factory=dict)
    #: Multi: tendency of a size class to tick more options.
    answers_tilt: dict[str, float] = Field(default_factory=dict)
    #: Multi: the exclusive option may be combined with others (as in the 2018 data, Tabel 6.1).
    exclusive_overlap: bool = False
    #: Percent: items add up to this per respondent (the last item takes the remainder).
    constant_sum: float | None = None
    items: dict[str, NumericSpec] = Field(default_factory=dict)
    #: Count: values and weights for the ordinary answers, and one outlier.
    values: dict[int, float] = Field(default_factory=dict)
    outlier: int | None = None
    outlier_cluster_size: int | None = None
    #: Open answers (text and "anders, namelijk"), invented, marked synthetic in the README.
    texts: list[str] = Field(default_factory=list)
    #: Text questions: share of asked respondents who write something.
    answer_rate: float = 0.6


class ExtraRows(_Strict):
    incomplete: int = 3
    preview: int = 2


class SynthSpec(_Strict):
    """Everything the generator assumes, besides the codebook and the published figures."""

    seed: int
    #: A year without published figures: calibrate to this year's published numbers instead, for the
    #: questions with the same id (see ``helpers.synth.targets.carry_targets``).
    targets_from: int | None = None
    respondents: int
    represented: dict[str, int]
    max_cluster_size: int = 8
    extra_rows: ExtraRows = ExtraRows()
    duration_median_s: float = 1500
    questions: dict[str, QuestionSpec] = Field(default_factory=dict)

    def for_question(self, qid: str) -> QuestionSpec:
        return self.questions.get(qid, QuestionSpec())


def load_spec(path: str | Path) -> SynthSpec:
    return SynthSpec.model_validate(read_yaml(path))


# --- derived example years (``derive_from``) ------------------------------------------------------


class _Step(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    #: The question (id in the new codebook) the step writes.
    question: str


class Combination(_Strict):
    """Which parts of a split option a municipality ticks, and how often."""

    parts: list[str] = Field(min_length=1)
    share: float = Field(gt=0)


class SplitOption(_Step):
    """An option asked as two or more options: who ticked the old one ticks one or more parts."""

    step: Literal["split_option"]
    #: Key of the old option (the new options carry ``split_from: <option>``).
    option: str
    combinations: list[Combination] = Field(min_length=1)


class CarryOver(_Step):
    """A reworded question under a new id and ImportId: every answer carried over by option key."""

    step: Literal["carry_over"]
    source: str = Field(alias="from")


class Rescale(_Step):
    """A new answer scale: each old answer becomes one of the new answers, drawn with these shares."""

    step: Literal["rescale"]
    source: str = Field(alias="from")
    #: old option key -> {new option key: relative share}
    map: dict[str, dict[str, float]]


class AnswerNewlyAsked(_Step):
    """Answers for municipalities that the new routing asks and that have none (a new question, a routing removed)."""

    step: Literal["answer_newly_asked"]
    #: Single: relative shares by option key.
    shares: dict[str, float] = Field(default_factory=dict)
    #: Multi: probability that an option is ticked, by option key.
    ticks: dict[str, float] = Field(default_factory=dict)
    #: Share that sees the question and skips it (-99, or all 0 for multi).
    skipped: float = Field(default=0.0, ge=0, lt=1)
    #: Open answers for an "anders, namelijk" option, invented and marked synthetic.
    texts: list[str] = Field(default_factory=list)


class MoveAnswers(_Step):
    """A share of the municipalities that gave one answer now give another (same question, same id)."""

    step: Literal["move_answers"]
    source: str = Field(alias="from")
    to: str
    share: float = Field(gt=0, le=1)


class TickMore(_Step):
    """A share of the municipalities that answered a multi question without this option now tick it."""

    step: Literal["tick_more"]
    option: str
    share: float = Field(gt=0, le=1)


Step = Annotated[
    SplitOption | CarryOver | Rescale | AnswerNewlyAsked | MoveAnswers | TickMore, Field(discriminator="step")
]


class DerivedSpec(_Strict):
    """An example year made by transforming an earlier year's export the way a survey tool would."""

    seed: int
    #: The year whose export is transformed (same respondents and municipalities).
    derive_from: int
    steps: list[Step] = Field(default_factory=list)


def is_derived(path: str | Path) -> bool:
    """Does the spec at ``path`` describe a derived year (``derive_from``)?"""
    data = read_yaml(path)
    return isinstance(data, dict) and "derive_from" in data


def load_derived_spec(path: str | Path) -> DerivedSpec:
    """Read a derived-year spec; ValueError naming the file and every problem."""
    try:
        return DerivedSpec.model_validate(read_yaml(path))
    except ValidationError as exc:
        problems = "\n".join(f"  - {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{path}: {exc.error_count()} problem(s) in the synthetic spec:\n{problems}") from None


def derived_from(year: int) -> int | None:
    """The year whose export ``year``'s synthetic example transforms (None: generated, or no spec)."""
    path = paths.raw_year_dir(year) / "synthetic_spec.yaml"
    if not path.exists() or not is_derived(path):
        return None
    return load_derived_spec(path).derive_from
