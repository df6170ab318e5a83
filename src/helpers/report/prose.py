"""Prose as Markdown: the ``%%tekst`` cell magic.

A chapter's narrative is written in code cells that start with ``%%tekst``; the rest of the cell is
Markdown with placeholders (Jinja2 syntax)::

    %%tekst additional_policy
    Een meerderheid van de gemeenten ({{ ci("additional_policy", "yes") }}) heeft aanvullend beleid.
    Grote gemeenten hebben dat {{ size_word("additional_policy", "yes") }} middelgrote en kleine gemeenten.
    {% claim majority("additional_policy", "yes") %}Dat is een meerderheid.{% endclaim %}

Running the cell (JupyterLab "Run all", or the build) shows the finished text as Markdown; the PDF
and HTML show only that text. Names after ``%%tekst`` are the questions the passage is about: when
one of them is not asked this year (dropped or replaced) the passage is left out silently — the
view of that question already says so in one line. A placeholder that needs a question that is
gone, a number on fewer than 5 municipalities or an edition that does not exist leaves the
passage out with one line saying why. Anything else that cannot be resolved is an error naming
notebook, cell, line and placeholder; the output never shows a dash, ``nan``, ``None`` or ``%%``.
The names a block can use register themselves where they are defined (``report.prose_names``);
``docs/PROSE.md`` lists them all (``python -m helpers prose-help``). The notebook's own variables
can be used too.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.display import Markdown
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.ext import Extension

from helpers import paths
from helpers.report.claims import Check, ClaimError, Predicates, Register, is_draft
from helpers.report.comparison_words import Comparisons
from helpers.report.errors import LocatedError, NoComparison, QuestionGone, Suppressed
from helpers.report.location import describe, prompt_number, section_of
from helpers.report.narrative import Filters, Narrative
from helpers.report.prose_names import entries, names, reference, reviewed
from helpers.survey.formatting import format_value
from helpers.survey.lineage import UnknownReference
from helpers.survey.text_escape import markdown_plain, markdown_text
from helpers.survey.vocabulary import CLAIMS_DIR

if TYPE_CHECKING:
    from helpers.report.chapter import Chapter

TEMPLATE_NAME = "<template>"  # what Jinja calls a template made from a string
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_LEFTOVERS = re.compile(r"\bnan\b|\bNone\b|%%|\{\{|\}\}", re.IGNORECASE)
#: Words that make a sentence about the municipalities of the view above it: its shares must rest on that base.
_SUBGROUP = re.compile(r"\b(?:van|onder|bij) (?:deze|die|hen|hun)\b(?! vraag)|\bdaarvan\b", re.IGNORECASE)
#: Output metadata key of a passage's printed numbers (``printed_numbers``), for the HTML's provenance links.
NUMBERS_KEY = "monitor_numbers"
#: Output metadata key of a passage's claims register entries, linked both ways with the claims page.
ENTRIES_KEY = "monitor_claims"
#: The reference page of the vocabulary, written from it (``monitor prose-help --write``).
PROSE_PAGE = paths.PROJECT_ROOT / "docs" / "PROSE.md"
#: Where the names of ``%%tekst`` blocks are defined (each registers itself there).
VOCABULARY: tuple[type, ...] = (Narrative, Comparisons, Predicates, Filters)


class ProseError(LocatedError):
    """A ``%%tekst`` block that cannot be rendered: one line naming notebook, cell, line and placeholder."""


class _ClaimTag(Extension):
    """``{% claim <check> %}sentence{% endclaim %}``: the sentence is printed only if the check holds."""

    tags = {"claim"}  # noqa: RUF012 (Jinja reads this class attribute)

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        check = parser.parse_expression()
        body = parser.parse_statements(("name:endclaim",), drop_needle=True)
        call = self.call_method("_claim", [check, nodes.Const(lineno)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _claim(self, check: Any, lineno: int, caller: Any) -> str:
        self.environment.prose.narrative.take_computed()  # type: ignore[attr-defined] # the check's, not printed
        return self.environment.prose.claim(check, caller(), lineno)  # type: ignore[attr-defined]


class Prose:
    """Renders ``%%tekst`` blocks for one chapter and keeps its claims register."""

    def __init__(self, chapter: Chapter, user_ns: dict[str, Any] | None = None):
        self.ch = chapter
        self.user_ns = user_ns if user_ns is not None else {}
        self.register = Register(chapter.out_dir / CLAIMS_DIR / f"{chapter.name}.csv", chapter.name)
        self.narrative = Narrative(chapter, self.record)
        self.cell: int | None = None  #: the ``In [n]`` of the cell being rendered
        self.section = ""  #: the heading above it
        # every placeholder's value is text, escaped for Markdown here (SafeMarkdown: composed from escaped parts)
        self.env = Environment(
            undefined=StrictUndefined, extensions=[_ClaimTag], keep_trailing_newline=False, finalize=self._finalize
        )
        #: The numbers the block being rendered printed, in the order of the text (``printed_numbers``).
        self.printed: list[dict[str, Any]] = []
        #: The claims register entries the block being rendered made (number in the register, kind, text).
        self.entries: list[dict[str, Any]] = []
        self.env.prose = self  # type: ignore[attr-defined]
        self.env.filters.update(names(Filters()))
        comparisons = self.narrative.comparisons
        predicates = Predicates(self.narrative, comparisons)
        self.functions = names(self.narrative) | names(comparisons) | names(predicates)
        for name in reviewed(comparisons):
            self.functions[name] = self._registered(name, self.functions[name])

    def _finalize(self, value: Any) -> str:
        """A placeholder's value as Markdown; the numbers computed for it that its text shows are noted."""
        text = markdown_text(value)
        self.printed += printed_numbers(str(value), self.narrative.take_computed())
        return text

    def record(self, kind: str, text: str, condition: str, holds: bool, numbers: str) -> None:
        """The one route into the claims register: an entry of the cell being rendered."""
        number = self.register.add(self.cell, kind, text, condition, holds, numbers)
        self.entries.append({"entry": number, "kind": kind, "text": " ".join(text.split())})

    def _where(self, line: int | None = None) -> str:
        """Notebook, cell (``In [n]``), heading above it and the line as the author sees it: the template's
        line ``line`` is the cell's line ``line + 1`` (the ``%%tekst`` line is line 1)."""
        return describe(self.ch.name, self.cell, self.section, line + 1 if line else None)

    def at_cell(self, prompt: int | None, source: str = "") -> None:
        """The cell about to be rendered: its prompt number and (from the notebook file) the heading above it."""
        self.cell = prompt
        self.section = section_of(self.ch.name, source) if source else ""
        self.register.section = self.section

    def _registered(self, name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> str:
            text = fn(*args, **kwargs)
            call = f"{name}({', '.join(map(repr, args))})"
            self.record("vergelijking", text, call, True, "")
            return text

        return wrapper

    def claim(self, check: Any, text: str, line: int) -> str:
        if not isinstance(check, Check):
            raise ProseError(
                f"{self._where(line)}: een bewering heeft een voorwaarde nodig, zoals majority(...) of check(...)"
            )
        self.record("bewering", markdown_plain(text), check.condition, check.holds, check.numbers)
        if check.holds:
            return text
        if is_draft():
            why = markdown_text(f"{check.condition} ({check.numbers})")
            return f"**[Te controleren — houdt niet: {why}]** {text}"
        sentence = " ".join(text.split())
        raise ClaimError(
            f"{self._where(line)}: bewering houdt niet: “{sentence}” — {check.condition} ({check.numbers})"
        )

    def render(self, source: str, about: list[str] | None = None) -> str | None:
        """The finished Markdown of a block; None when the block is left out silently."""
        for qid in about or []:
            try:
                if not self.ch.asked(qid):
                    return None
            except UnknownReference as exc:
                raise ProseError(f"{self._where()}: %%tekst {qid}: {exc}") from None
        self.narrative.reset_bases()
        self.narrative.take_computed()
        self.printed, self.entries = [], []
        try:
            template = self.env.from_string(source)
            text = template.render({**self.user_ns, **self.functions})
        except TemplateSyntaxError as exc:
            raise ProseError(f"{self._where(exc.lineno)}: {exc.message}") from None
        except (Suppressed, NoComparison) as exc:
            return f"*Een passage vervalt: {markdown_text(exc)}.*"
        except QuestionGone as exc:  # told once, in the edition that dropped or replaced it
            gone = markdown_text(exc)
            return f"*Een passage vervalt. {gone}*" if exc.resolution.changed_in == self.ch.year else None
        except (ClaimError, ProseError):
            raise
        except Exception as exc:
            raise self._error(exc, source) from None
        self._check_bases(text)
        leftover = _LEFTOVERS.search(text)
        if leftover:
            raise ProseError(f"{self._where()}: de tekst bevat {leftover.group(0)!r}: {text[:120]!r}")
        return text.strip()

    def tekst(self, line: str, cell: str) -> None:
        """The ``%%tekst`` cell magic: render the cell's Markdown with this chapter and show it."""
        self.at_cell(_execution_count(), f"%%tekst {line}".rstrip() + "\n" + cell)
        text = self.render(cell, line.split())
        if text:
            self.ch.display(Markdown(text), metadata=self.provenance() or None)

    def provenance(self) -> dict[str, Any]:
        """The output metadata of the block just rendered: its printed numbers and register entries (HTML only)."""
        out: dict[str, Any] = {}
        if self.printed:
            out[NUMBERS_KEY] = self.printed
        if self.entries:
            out[ENTRIES_KEY] = self.entries
        return out

    def _check_bases(self, text: str) -> None:
        """A passage that says "van deze gemeenten" speaks of the view above it: each share it prints rests on
        that view's base, or the passage states its base itself (``{{ n(...) }}``)."""
        said = _SUBGROUP.search(text)
        shown = self.ch.registry.last_bases | self.narrative.named_bases
        wrong = [(qid, n) for qid, n in self.narrative.bases if n not in shown]
        if said and shown and wrong:
            qid, n = wrong[0]
            above = ", ".join(f"n={b}" for b in sorted(self.ch.registry.last_bases)) or "geen"
            raise ProseError(
                f"{self._where()}: de tekst zegt ‘{said.group(0)}’, maar het percentage van {qid} rust op n={n} en "
                f'de figuur of tabel erboven op {above}; noem de basis met {{{{ n("{qid}") }}}} of bereken het '
                "percentage op de gemeenten van die figuur (pct_among)"
            )

    def _error(self, exc: BaseException, source: str) -> ProseError:
        line = _template_line(exc)
        found = _PLACEHOLDER.findall(source.splitlines()[line - 1]) if line else []
        where = " ".join(found) or "(tekst)"
        reason = f"onbekende naam: {exc.message}" if isinstance(exc, UndefinedError) else str(exc).strip("'\"")
        return ProseError(f"{self._where(line)}: {where}: {reason}")


def _number_texts(number: dict[str, Any]) -> list[str]:
    """How a computed number can be printed: the default precision first, then 0–2 decimals."""
    stat, value, percent = str(number["stat"]), float(number["value"]), bool(number.get("percent"))
    forms = [format_value(value, stat, percent=percent)]
    forms += [format_value(value, stat, decimals=d, percent=percent) for d in (0, 1, 2)]
    return list(dict.fromkeys(forms))


def whole_number_at(text: str, found: str, offset: int = 0, taken: Sequence[tuple[int, int]] = ()) -> int:
    """Where ``found`` first stands in ``text`` from ``offset`` on as a whole number ("60%" not inside "160%"),
    not overlapping a span of ``taken``; -1 if nowhere."""
    if not found:
        return -1
    for m in re.finditer(re.escape(found), text[offset:]):
        start, end = m.start() + offset, m.end() + offset
        if _whole(text, start, end) and all(end <= a or start >= b for a, b in taken):
            return start
    return -1


def _whole(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` a whole number, not a part of a longer one ("60%" in "160%", "6" in "6,5") or of a
    name ("4" in "G4")?"""
    before, after = text[max(start - 1, 0) : start], text[end : end + 1]
    if before.isalnum() or after.isdigit():
        return False
    if before in (",", ".") and text[max(start - 2, 0) : start - 1].isdigit():
        return False
    return not (after in (",", ".") and text[end + 1 : end + 2].isdigit())


def printed_numbers(text: str, computed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The numbers of ``computed`` that ``text`` prints, in the order of the text: each with ``text`` (as
    printed) and its indicator identity (question, category, stat, value, n). Numbers are matched in the
    order they were computed, each to the first free place that prints it; one place per number."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, dict[str, Any]]] = []
    for number in computed:
        for form in _number_texts(number):
            start = whole_number_at(text, form, 0, taken)
            if start >= 0:
                taken.append((start, start + len(form)))
                entry = {k: number[k] for k in ("question", "category", "stat", "value", "n")}
                found.append((start, {"text": form, **entry}))
                break
    return [entry for _, entry in sorted(found, key=lambda f: f[0])]


def _template_line(exc: BaseException) -> int | None:
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == TEMPLATE_NAME:
            return lineno
    return None


def _execution_count() -> int | None:
    from IPython import get_ipython

    return prompt_number(get_ipython())


def _cell_file(filename: str) -> bool:
    """Is this the code of a notebook cell (IPython's ``<ipython-input-…>`` or ipykernel's ``…/ipykernel_<pid>/…``)?"""
    return filename.startswith("<ipython-input") or Path(filename).parent.name.startswith("ipykernel_")


def _located_only(
    shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None, *, name: str = "notebook"
) -> list[str]:
    """Show a view's unknown key (a typo in a question or category key) in notebook ``name`` as one located Dutch
    line."""
    source = (shell.user_ns.get("In") or [""])[-1] if shell is not None else ""
    line = next((ln for frame, ln in traceback.walk_tb(tb) if _cell_file(frame.f_code.co_filename)), None)
    located = describe(name, prompt_number(shell), section_of(name, source), line)
    message = str(value).strip("'\"")
    stb = [f"{located}: {message}"]
    shell._showtraceback(etype, value, stb)
    return stb


def activate(chapter: Chapter) -> Prose:
    """The ``%%tekst`` context of ``chapter``; in a running kernel its magic is registered (the kernel holds it)."""
    from IPython import get_ipython

    shell = get_ipython()
    prose = Prose(chapter, getattr(shell, "user_ns", None))
    if shell is not None:
        shell.register_magic_function(prose.tekst, magic_kind="cell", magic_name="tekst")
        shell.set_custom_exc((UnknownReference,), partial(_located_only, name=chapter.name))
    return prose


PAGE_INTRO = """# Woorden en getallen in `%%tekst`-cellen

Dit bestand is gemaakt uit de code (`python -m helpers prose-help --write`); bewerk het niet met de hand.
Een test faalt als het niet meer klopt.

Een `%%tekst`-cel is Markdown met plaatshouders: `{{ pct("additional_policy", "yes") }}` voor een getal,
`{% claim majority("additional_policy", "yes") %}…{% endclaim %}` voor een gecontroleerde bewering,
`{% if asked("aftercare") %}…{% endif %}` voor een voorwaardelijke zin. Vragen en antwoordcategorieën
heten naar hun sleutel in het codeboek (`id`, `key`). Ook de eigen variabelen van het notebook zijn bruikbaar.
Een grootteklasse, drempel of bereik wordt met naam meegegeven: `size_pct(q, key, klasse=GROOT)`,
`pct_range(q, minimum=6)`, `mean_below(q, threshold=50)`.
"""


def reference_page() -> str:
    """``docs/PROSE.md``: every name a ``%%tekst`` block can use, from the registry, with one example each."""
    return reference(entries(VOCABULARY), PAGE_INTRO)
