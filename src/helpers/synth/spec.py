"""The generator's assumptions where the published report is silent (``synthetic_spec.yaml``)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


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
    return SynthSpec.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
