"""Located, Dutch error messages for ``codebook.yaml``.

:func:`precheck` runs on the parsed YAML before the schema and reports the cross-question
mistakes with the line of the question (duplicate id or export name, unknown type or scale,
routing to an unknown or later question, not exactly one municipality question).
:func:`schema_problems` turns the schema's (pydantic) errors into problems with the line of
the offending field and a Dutch message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pydantic import ValidationError

from helpers.survey.input_errors import Problem
from helpers.survey.yaml_files import Location

QUESTION_TYPES = ("single", "multi", "percent", "count", "text", "municipality")
_FIX = "Herstel codebook.yaml (schema: docs/CONVENTIONS.md §1) en probeer opnieuw."

Locate = Callable[[Location], int | None]


def precheck(raw: Any, locate: Locate, file: str) -> list[Problem]:
    """Cross-question checks on the raw YAML, each located on the line of the question concerned."""
    if not isinstance(raw, dict):
        return [Problem("codebook_schema", "Het codebook is geen YAML-mapping (sleutel: waarde).", file, line=1)]
    questions = raw.get("questions")
    if not isinstance(questions, list):
        return []  # the schema reports a missing or malformed list
    problems: list[Problem] = []

    def add(kind: str, i: int, key: str, message: str, **extra: Any) -> None:
        problems.append(Problem(kind, message, file, line=locate(("questions", i, key)), action=_FIX, **extra))

    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    found = raw.get("scales")
    scales: dict = found if isinstance(found, dict) else {}
    n_municipality = 0
    for i, q in enumerate(questions):
        if not isinstance(q, dict):
            continue
        qid = q.get("id")
        if isinstance(qid, str):
            if qid in seen_ids:
                first = locate(("questions", seen_ids[qid], "id"))
                add("codebook_duplicate_id", i, "id", f"Vraag-id {qid!r} komt twee keer voor (eerst op regel {first}).")
            else:
                seen_ids[qid] = i
        name = q.get("export_name")
        if isinstance(name, str):
            if name in seen_names:
                add(
                    "codebook_duplicate_id",
                    i,
                    "export_name",
                    f"export_name {name!r} komt twee keer voor (eerst op regel "
                    f"{locate(('questions', seen_names[name], 'export_name'))}).",
                )
            else:
                seen_names[name] = i
        qtype = q.get("type")
        if qtype not in QUESTION_TYPES:
            add(
                "codebook_unknown_type",
                i,
                "type",
                f"Vraag {qid!r} heeft een onbekend vraagtype.",
                value=str(qtype),
                expected=", ".join(QUESTION_TYPES),
            )
        n_municipality += qtype == "municipality"
        scale = q.get("scale")
        if isinstance(scale, str) and qtype != "percent" and scale not in scales:
            known = ", ".join(sorted(scales)) or "geen"
            add("codebook_schema", i, "scale", f"Vraag {qid!r} gebruikt een onbekende schaal.", value=scale,
                expected=f"een schaal uit 'scales' ({known})")  # fmt: skip
        for dep in _routing_questions(q.get("asked_if")):
            if dep not in {str(x.get("id")) for x in questions if isinstance(x, dict)}:
                add("codebook_routing", i, "asked_if", f"De routing (asked_if) van vraag {qid!r} verwijst naar een "
                    f"onbekende vraag {dep!r}.")  # fmt: skip
            elif dep not in seen_ids or seen_ids[dep] == i:
                add("codebook_routing", i, "asked_if", f"De routing (asked_if) van vraag {qid!r} verwijst naar vraag "
                    f"{dep!r}, die later in de vragenlijst komt.")  # fmt: skip
    if n_municipality != 1:
        problems.append(
            Problem(
                "codebook_schema",
                f"Een codebook heeft precies één vraag van type 'municipality' (de gemeentekeuze); "
                f"gevonden: {n_municipality}.",
                file,
                line=locate(("questions",)),
                action=_FIX,
            )
        )
    return problems


def _routing_questions(cond: Any) -> Iterator[str]:
    """Question ids named anywhere in a raw ``asked_if``."""
    if isinstance(cond, dict):
        if isinstance(cond.get("question"), str):
            yield cond["question"]
        for key in ("all", "any"):
            for part in cond.get(key) or []:
                yield from _routing_questions(part)


# --- schema errors -----------------------------------------------------------------------

_ROUTING = (
    "ongeldige routing: gebruik {question: id, in: [codes]}, {question: id, selected: code}, {all: […]} of {any: […]}"
)
_MESSAGES = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld (spelling?)",
    "int_parsing": "geen geheel getal",
    "int_type": "geen geheel getal",
    "int_from_float": "geen geheel getal",
    "float_parsing": "geen getal",
    "float_type": "geen getal",
    "bool_parsing": "geen true/false",
    "bool_type": "geen true/false",
    "string_type": "geen tekst",
    "list_type": "hier hoort een lijst (- …)",
    "dict_type": "hier hoort een mapping (sleutel: waarde)",
    "model_type": "hier hoort een mapping (sleutel: waarde)",
    "model_attributes_type": "hier hoort een mapping (sleutel: waarde)",
    "tuple_type": "hier hoort een lijst van twee waarden",
    "too_short": "te weinig waarden",
    "too_long": "te veel waarden",
    "string_pattern_mismatch": "voldoet niet aan het patroon",
    "literal_error": "onbekende waarde",
    "greater_than_equal": "te klein",
    "less_than_equal": "te groot",
}
#: Schema errors whose input is shown as the value found.
_SHOW_VALUE = {"literal_error", "string_pattern_mismatch", "int_parsing", "float_parsing", "bool_parsing",
               "greater_than_equal", "less_than_equal", "value_error"}  # fmt: skip


def schema_problems(
    exc: ValidationError, raw: Any, locate: Locate, file: str, skip_prechecked: bool = False
) -> list[Problem]:
    """One problem per schema error (routing errors collapsed to one per question), located by line.

    ``skip_prechecked`` drops what :func:`precheck` already reported (the codebook-level checks and
    unknown question types).
    """
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        if skip_prechecked and (not loc or (loc[-1:] == ("type",) and err["type"] == "literal_error")):
            continue
        if "asked_if" in loc:  # a union: every branch complains; one message is enough
            loc = loc[: loc.index("asked_if") + 1]
            key = ("asked_if", loc)
            message = _ROUTING
        else:
            key = (err["type"], loc)
            message = _message(err)
        if key in seen:
            continue
        seen.add(key)
        value = _shown_input(err) if err["type"] in _SHOW_VALUE else None
        expected = _expected(err)
        where = describe_loc(raw, loc)
        ident = _question_id(raw, loc)
        if ident and message.startswith(f"{ident}: "):
            message = message[len(ident) + 2 :]
        problems.append(
            Problem(
                "codebook_schema",
                f"{where}: {message}." if where else f"{message[0].upper()}{message[1:]}.",
                file,
                line=locate(loc),
                value=value,
                expected=expected,
                action=_FIX,
            )
        )
    return problems


def _shown_input(err: Any) -> str | None:
    """The offending input when it is a scalar or a short list of scalars (not a whole question)."""
    found = err.get("input")
    if isinstance(found, (str, int, float)):
        return str(found)
    if isinstance(found, (list, tuple)) and all(isinstance(x, (str, int, float)) for x in found):
        return ", ".join(map(str, found))
    return None


def _expected(err: Any) -> str | None:
    ctx = err.get("ctx", {})
    if err["type"] == "literal_error":
        return str(ctx.get("expected", ""))
    if err["type"] == "string_pattern_mismatch":
        return f"patroon {ctx.get('pattern', '')}"
    if err["type"] == "greater_than_equal":
        return f"minstens {ctx.get('ge')}"
    if err["type"] == "less_than_equal":
        return f"hoogstens {ctx.get('le')}"
    return None


def _message(err: Any) -> str:
    if err["type"] == "value_error":
        text = str(err.get("ctx", {}).get("error", err["msg"]))
        return text.removeprefix("Value error, ")
    return _MESSAGES.get(err["type"], err["msg"])


def _question_id(raw: Any, loc: tuple) -> str | None:
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int) and isinstance(raw, dict):
        questions = raw.get("questions")
        if isinstance(questions, list) and loc[1] < len(questions) and isinstance(questions[loc[1]], dict):
            return str(questions[loc[1]].get("id"))
    return None


def describe_loc(raw: Any, loc: tuple) -> str:
    """A pydantic location as the user knows it: ``questions[3] (id=foo).options[2].code``."""
    out: list[str] = []
    node = raw
    for part in loc:
        if isinstance(part, int):
            ident = node[part].get("id") if isinstance(node, list) and part < len(node) and isinstance(
                node[part], dict) else None  # fmt: skip
            last = out.pop() if out else ""
            out.append(f"{last}[{part}]" + (f" (id={ident})" if ident else ""))
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            out.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(out)
