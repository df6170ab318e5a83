"""Problems in input files, and how they are shown: grouped by kind, counted, with examples.

Every input the monitor reads (the export, the codebook, the municipality frame, the YAML
files beside them) reports what is wrong as :class:`Problem` s: file, physical line, column,
the value found, what was expected and what to do. An :class:`InputError` carries all of
them at once; its ``str()`` is the grouped summary (a few examples per kind, so a file with
thousands of problems still gives a short message) and :meth:`InputError.full_text` lists
every problem (written to ``problems.txt`` by the command line and the build).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

#: Examples shown per kind in the summary; with at most FULL_LIMIT problems every one is shown.
EXAMPLES_PER_KIND = 3
FULL_LIMIT = 15
#: Line numbers listed after the examples ("… en nog 120×: regels 40, 41, …").
LINES_LISTED = 10

#: Characters no input file may hold in a value: C0 controls except tab, LF and CR, DEL and the C1 controls
#: (the latter appear when a Windows-1252 file is read as Latin-1).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: Dutch title per kind of problem (the heading of its group); unknown kinds use their first message.
KIND_TITLES: dict[str, str] = {
    "empty_file": "Leeg bestand",
    "not_csv": "Geen CSV-bestand",
    "compressed_file": "Gecomprimeerd of binair bestand in plaats van CSV",
    "not_utf8": "Tekens die geen UTF-8 zijn",
    "not_decodable": "Bestand niet te lezen met de opgegeven tekencodering",
    "csv_syntax": "Ongeldige CSV",
    "delimiter": "Scheidingsteken niet herkend",
    "header_rows": "Kopregels ontbreken",
    "header_only": "Geen responsen",
    "header_repeated": "Kopregels midden in het bestand",
    "field_count": "Verkeerd aantal velden op een regel",
    "missing_column": "Verplichte kolom ontbreekt",
    "missing_municipality_column": "Kolom van een gemeente uit de gemeentelijst ontbreekt",
    "duplicate_import_id": "Dubbele ImportId",
    "header_mismatch": "Naam, label en ImportId van een kolom spreken elkaar tegen",
    "unsplit_multi": "Meerkeuzevraag in één kolom",
    "labels_instead_of_codes": "Tekst waar een code verwacht wordt",
    "multiple_codes": "Meerdere codes in één cel",
    "not_a_code": "Geen antwoordcode",
    "bad_metadata": "Ongeldige metadata",
    "bad_date": "Datum niet in het exportformaat",
    "impossible_date": "Datum bestaat niet",
    "date_order": "Einddatum of opnamedatum vóór startdatum",
    "outside_fieldwork": "Respons buiten de veldwerkperiode",
    "missing_response_id": "Respons zonder ResponseId",
    "bad_response_id": "ResponseId heeft niet de vorm van Qualtrics",
    "control_character": "Stuurteken in een cel",
    "decimal_comma": "Decimale komma",
    "decimal_mixed": "Gemengde decimaaltekens",
    "not_a_number": "Geen getal",
    "code_outside_scale": "Code buiten de antwoordschaal",
    "not_a_tick": "Geen geldig vinkje",
    "out_of_range": "Waarde buiten het toegestane bereik",
    "not_an_integer": "Geen geheel getal",
    "above_count_maximum": "Aantal boven het maximum",
    "fractions_not_percent": "Antwoorden lijken fracties in plaats van percentages",
    "constant_sum": "Onderdelen tellen niet op tot het totaal",
    "answer_not_asked": "Antwoord terwijl de vraag niet gesteld is",
    "missing_answer": "Leeg terwijl de vraag gesteld is",
    "too_many_answers": "Te veel opties aangekruist",
    "duplicate_response_id": "Dubbele ResponseId",
    "no_rows_kept": "Geen bruikbare responsen",
    "no_municipality": "Respons zonder gemeente",
    "municipality_claimed_twice": "Gemeente door meer dan één respons ingevuld",
    "unknown_municipality": "Onbekende gemeentecode",
    "merged_municipality": "Gemeente bestaat niet meer (herindeling)",
    "missing_file": "Bestand ontbreekt",
    "not_a_file": "Geen bestand",
    "unreadable_file": "Bestand niet te lezen",
    "yaml_syntax": "Ongeldige YAML",
    "duplicate_key": "Dubbele sleutel in YAML",
    "yaml_too_deep": "YAML te diep genest",
    "yaml_control_character": "Stuurteken in een YAML-waarde",
    "codebook_schema": "Codebook volgt het schema niet",
    "codebook_duplicate_id": "Dubbele vraag-id of exportnaam in het codebook",
    "codebook_unknown_type": "Onbekend vraagtype in het codebook",
    "codebook_routing": "Routing verwijst naar een onbekende of latere vraag",
    "codebook_year": "Jaar in het codebook past niet bij zijn map",
    "codebook_date": "Ongeldige datum in het codebook",
    "frame_column": "Kolom ontbreekt in de gemeentelijst",
    "frame_duplicate": "Dubbele gemeente in de gemeentelijst",
    "frame_value": "Ongeldige waarde in de gemeentelijst",
}


@dataclass(frozen=True)
class Problem:
    """One finding, located as precisely as the file allows."""

    kind: str  #: stable identifier, e.g. ``code_outside_scale`` (tests and tools key on it)
    message: str  #: what is wrong, in Dutch
    file: str
    line: int | None = None  #: physical line in the file (1 = first line)
    column: str | None = None  #: column name as written in the file (or a position in a YAML file)
    import_id: str | None = None
    value: str | None = None  #: the value found, verbatim
    expected: str | None = None
    action: str | None = None  #: what the researcher should do
    severity: Severity = "error"

    def where(self, with_file: bool = True) -> str:
        parts = [self.file] if with_file else []
        if self.line is not None:
            parts.append(f"regel {self.line}")
        if self.column is not None:
            col = f"kolom {self.column or repr('')}"
            parts.append(col + (f" ({self.import_id})" if self.import_id else ""))
        elif self.import_id:
            parts.append(f"ImportId {self.import_id}")
        return ", ".join(parts)

    def render(self, with_file: bool = True, with_action: bool = True) -> str:
        where = self.where(with_file)
        text = f"{where}: {self.message}" if where else self.message
        if self.value is not None:
            text += f" Gevonden: {_shown(self.value)}."
        if self.expected:
            text += f" Verwacht: {self.expected}."
        if self.action and with_action:
            text += f" Oplossing: {self.action}"
        return text

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None} | {"text": self.render()}


def _shown(value: str) -> str:
    """The value as the user should see it: quoted, control characters made visible, long values cut."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…'"


class InputError(ValueError):
    """An input cannot be used; ``problems`` holds every error found, ``str()`` is the grouped summary.

    In a notebook the summary replaces the traceback (IPython calls ``_render_traceback_``).
    """

    what = "het bestand is niet ingelezen"

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__(file)

    def __str__(self) -> str:
        return summary(self.file, self.problems, self.what)

    def full_text(self) -> str:
        """Every problem, grouped by kind (for ``problems.txt``)."""
        return summary(self.file, self.problems, self.what, examples=None)

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}:", *str(self).splitlines()]


def count_text(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(file: str, problems: list[Problem], what: str, examples: int | None = EXAMPLES_PER_KIND) -> str:
    """Grouped listing: a head line, then per kind a title with its count and examples.

    ``examples=None`` lists every problem; otherwise at most ``examples`` per kind (all of them
    when there are no more than FULL_LIMIT problems in total).
    """
    files = sorted({p.file for p in problems})
    lines = {(p.file, p.line) for p in problems if p.line is not None}
    groups = group_by_kind(problems)
    head = f"{file}: {count_text(len(problems), 'fout', 'fouten')}"
    if lines:
        head += f" op {count_text(len(lines), 'regel', 'regels')}"
    if len(groups) > 1:
        head += f", {len(groups)} soorten"
    if len(files) > 1 or (files and files[0] != file):
        head += f" in {', '.join(files)}"
    out = [f"{head}; {what}."]
    limit = None if examples is None or len(problems) <= FULL_LIMIT else examples
    for kind, items in groups.items():
        out.append("")
        out.extend(_group(kind, items, limit, with_file=len(files) > 1 or files[0] != file))
    return "\n".join(out)


def group_by_kind(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    """Problems per kind, kinds in order of first appearance, problems in file order."""
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.kind, []).append(p)
    return groups


def _group(kind: str, items: list[Problem], limit: int | None, with_file: bool) -> list[str]:
    title = KIND_TITLES.get(kind, items[0].message.rstrip("."))
    actions = {p.action for p in items}
    shared = len(actions) == 1 and None not in actions
    out = [f"{title} ({len(items)}×):"]
    shown = items if limit is None else items[:limit]
    out += [f"  - {p.render(with_file=with_file, with_action=not shared)}" for p in shown]
    rest = items[len(shown) :]
    if rest:
        more = sorted({p.line for p in rest if p.line is not None})
        where = ""
        if more:
            listed = ", ".join(map(str, more[:LINES_LISTED])) + (", …" if len(more) > LINES_LISTED else "")
            where = f": {'regel' if len(more) == 1 else 'regels'} {listed}"
        out.append(f"  … en nog {len(rest)}×{where}")
    if shared:
        out.append(f"  Oplossing: {items[0].action}")
    return out
