"""Check a derived year's transformation steps against the old and the new codebook before running them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.survey.codebook import Codebook, Question
from helpers.synth.spec import (
    AnswerNewlyAsked,
    CarryOver,
    DerivedSpec,
    MoveAnswers,
    Rescale,
    SplitOption,
    TickMore,
)


def _keys(q: Question) -> set[str]:
    return {o.key for o in q.options}


def _unknown(q: Question, keys, what: str = "option") -> list[str]:
    return [
        f"{q.id}: unknown {what} key {k!r} (known: {', '.join(sorted(_keys(q)))})" for k in keys if k not in _keys(q)
    ]


def _split(step: SplitOption, q: Question, old: Codebook) -> list[str]:
    if q.type != "multi" or q.id not in old or old.question(q.id).type != "multi":
        return [f"{q.id}: split_option needs a multi question with the same id in both years"]
    problems = _unknown(old.question(q.id), [step.option])
    parts = {o.key for o in q.options if o.split_from == step.option}
    if not parts:
        problems.append(f"{q.id}: no option has split_from: {step.option}")
    named = {p for c in step.combinations for p in c.parts}
    problems += [f"{q.id}: combination names {k!r}, which is not split from {step.option}" for k in named - parts]
    problems += [f"{q.id}: part {k!r} is in no combination" for k in parts - named]
    return problems


def _carry(step: CarryOver, q: Question, src: Question) -> list[str]:
    if q.type != src.type:
        return [f"{q.id}: carry_over from a {src.type} question to a {q.type} question"]
    missing = sorted((_keys(q) - _keys(src)) | ({i.key for i in q.items} - {i.key for i in src.items}))
    return [f"{q.id}: key {k!r} is not in {src.id}, so its answers cannot be carried over" for k in missing]


def _rescale(step: Rescale, q: Question, src: Question) -> list[str]:
    if q.type != "single" or src.type != "single":
        return [f"{q.id}: rescale needs single questions"]
    problems = _unknown(src, step.map)
    problems += [f"{q.id}: old answer {k!r} has no mapping" for k in sorted(_keys(src) - set(step.map))]
    for shares in step.map.values():
        problems += _unknown(q, shares)
    problems += [f"{q.id}: rescale cannot write 'anders' texts" for o in q.options if o.other_text]
    return problems


def _answer(step: AnswerNewlyAsked, q: Question) -> list[str]:
    if q.type not in ("single", "multi"):
        return [f"{q.id}: answer_newly_asked supports single and multi questions"]
    weights = step.shares if q.type == "single" else step.ticks
    if not weights or (step.ticks if q.type == "single" else step.shares):
        return [f"{q.id}: a {q.type} question needs {'shares' if q.type == 'single' else 'ticks'} (and only those)"]
    problems = _unknown(q, weights)
    wants_text = [o.key for o in q.options if o.other_text and weights.get(o.key, 0) > 0]
    if wants_text and not step.texts:
        problems.append(f"{q.id}: option {wants_text[0]!r} asks for a text; give texts")
    return problems


def _move(step: MoveAnswers, q: Question) -> list[str]:
    problems = [f"{q.id}: move_answers needs a single question"] if q.type != "single" else []
    problems += _unknown(q, [step.source, step.to])
    return problems + [
        f"{q.id}: cannot move to an 'anders' answer" for o in q.options if o.key == step.to and o.other_text
    ]


def _tick(step: TickMore, q: Question) -> list[str]:
    problems = [f"{q.id}: tick_more needs a multi question"] if q.type != "multi" else []
    problems += _unknown(q, [step.option])
    return problems + [
        f"{q.id}: {step.option!r} is exclusive" for o in q.options if o.key == step.option and o.exclusive
    ]


#: Steps whose ``source`` is a question of the old codebook (their answers are read from it).
QUESTION_SOURCE_STEPS: tuple[type[CarryOver | Rescale], ...] = (CarryOver, Rescale)

#: One check per step type, the same keys as :data:`helpers.synth.transform.STEPS` (a test holds them equal):
#: ``check(step, new question, old codebook)``; a ``source`` question is looked up first.
CHECKS: dict[type, Callable[[Any, Question, Codebook], list[str]]] = {
    SplitOption: _split,
    CarryOver: lambda step, q, old: _carry(step, q, old.question(step.source)),
    Rescale: lambda step, q, old: _rescale(step, q, old.question(step.source)),
    AnswerNewlyAsked: lambda step, q, old: _answer(step, q),
    MoveAnswers: lambda step, q, old: _move(step, q),
    TickMore: lambda step, q, old: _tick(step, q),
}


def check_steps(spec: DerivedSpec, new: Codebook, old: Codebook) -> None:
    """Raise ValueError listing every step that does not fit the codebooks."""
    problems: list[str] = []
    for k, step in enumerate(spec.steps, 1):
        if step.question not in new:
            problems.append(f"step {k}: question {step.question!r} is not in the {new.year} codebook")
        elif isinstance(step, QUESTION_SOURCE_STEPS) and step.source not in old:
            problems.append(f"step {k}: question {step.source!r} is not in the {old.year} codebook")
        else:
            problems += CHECKS[type(step)](step, new.question(step.question), old)
    if problems:
        raise ValueError(f"synthetic spec of {new.year} does not fit the codebooks:\n  " + "\n  ".join(problems))
