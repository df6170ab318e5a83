"""Open answers for quotation: redacted, once per respondent, attributed by size class only.

:func:`redact` removes what could identify a municipality or a person before an open answer
reaches a report. First ``deduce`` (:mod:`helpers.analysis.deidentify`: persons, also bare surnames
and names in capitals, streets with house numbers, places, dates, phone numbers, e-mail addresses,
BSNs), then our own rules for what it misses: obfuscated e-mail ("j.jansen at gemeente punt nl") and
websites, phone numbers, bank accounts (IBAN), case and file numbers ("zaaknummer Z-2018-04512",
"U18.04512"), BSN-like and other long digit strings (also with spaces), postcodes, streets with a
house number, postbus, dates in figures or words ("3 maart", "drie april"), neighbourhoods and
villages after "wijk", "buurt", "dorp", "kern" or ending in -wijk/-buurt, municipality names of the
frame (any case, with or without accents, with Dutch inflections and inhabitants such as "Utrechtse",
"Groningers", "Almeerders", "Lelystedelingen", everyday names such as "Den Haag", and province
suffixes such as "Bergen (NH)" or "Bergen NH") and personal names (a title or initials before a
capitalised word, or a first name from ``first_names.txt``, with a surname or an initial). A
municipality name that is also an everyday word ("Best", "Buren") counts only when capitalised.
Overlapping findings become one placeholder. The redacted text is searched again: a quote in which a
name is still found is not usable, nor is one whose redaction removes more than
``MAX_REMOVED_SHARE`` of its characters or leaves fewer than ``MIN_WORDS`` words (an answer with
nothing to redact always is).

:func:`quotable_answers` gives every answer of a question as a :class:`Quote` with a stable id
(``sha256("year:question:respondent_id")[:10]``, not reversible to the respondent), so a year's
``notes.yaml`` can exclude one (``exclude_quotes``); :func:`text_answers` is the table of open
answers with the same redaction.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise

import pandas as pd

from helpers import paths
from helpers.analysis.deidentify import PARTICLES, TITLES, UNITS, deduce_spans, use_store
from helpers.analysis.frequencies import answered_mask
from helpers.analysis.table import Table, number_rows, report_ref_of
from helpers.survey.codebook import Codebook, Question

LARGE_LABEL = "G4/G40-gemeente"
SMALL_LABEL = "Middelgrote/kleine gemeente"
MIXED_LABEL = "Samenwerkende grote en kleinere gemeenten"
#: A quote loses its use when redaction removes more than this share of its characters ...
MAX_REMOVED_SHARE = 0.3
#: ... or leaves fewer words than this (placeholders not counted).
MIN_WORDS = 3

#: kind of redaction -> (placeholder in the text, Dutch name in quotes.csv)
KINDS = {
    "email": ("[e-mail]", "e-mailadres"),
    "website": ("[website]", "website"),
    "phone": ("[telefoonnummer]", "telefoonnummer"),
    "iban": ("[rekeningnummer]", "rekeningnummer (IBAN)"),
    "case": ("[zaaknummer]", "zaak- of dossiernummer"),
    "bsn": ("[nummer]", "BSN-achtig nummer"),
    "number": ("[nummer]", "lang nummer"),
    "postcode": ("[postcode]", "postcode"),
    "address": ("[adres]", "adres"),
    "date": ("[datum]", "datum"),
    "municipality": ("[gemeente]", "gemeentenaam"),
    "place": ("[plaats]", "plaats- of wijknaam"),
    "name": ("[naam]", "persoonsnaam"),
}
#: Overlapping findings become one span named by the longest; of equal length, the first kind of this order.
_PRIORITY = ("municipality", "email", "website", "iban", "case", "phone", "bsn", "postcode", "address", "date",
             "name", "place", "number")  # fmt: skip

#: Everyday and Frisian/Dutch names of municipalities whose CBS name differs.
NAME_ALIASES = {
    "'s-Gravenhage": ["Den Haag", "Haag", "Hagenaar", "Hagenaars", "Gravenhage"],
    "'s-Hertogenbosch": ["Den Bosch", "Bossche", "Hertogenbosch"],
    "Nijmegen": ["Nijmeegse", "Nijmeegs", "Nijmegenaar"],
    "Súdwest-Fryslân": ["Zuidwest-Friesland"],
    "Noardeast-Fryslân": ["Noordoost-Friesland"],
    "De Fryske Marren": ["De Friese Meren"],
    "Tytsjerksteradiel": ["Tietjerksteradeel"],
    "Dantumadiel": ["Dantumadeel"],
}
#: Municipality names that are everyday Dutch words: redacted only when capitalised, never inflected.
COMMON_WORDS = frozenset(
    ["beek", "bergen", "best", "brummen", "buren", "duiven", "goes", "haren", "hoorn", "houten", "huizen", "hulst",
     "kampen", "laren", "leek", "putten", "sluis", "voorst", "waterland", "weert", "westland"]
)  # fmt: skip
_SUFFIXES = ("s", "se", "sche", "e", "er", "ers", "erse", "enaar", "enaars", "enaren", "naar", "naars", "aar", "aars")
_PROVINCES = {
    "nh": ["noord-holland", "nh", "n.h"],
    "l": ["limburg", "l", "lb"],
    "gld": ["gelderland", "gld", "gelder"],
    "nb": ["noord-brabant", "nb", "n.b"],
}
_PARTICLES = PARTICLES
_TITLES = rf"(?:{'|'.join(TITLES)})"
_CAP = r"[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?"
_CAP_WORDS = rf"{_CAP}(?:\s{_CAP})?"
_TLD = r"(?:nl|com|org|net|eu|info|be|nu)"
_AT = r"(?:\s?@\s?|\s?[\[(]\s?(?:at|a|apenstaartje)\s?[\])]\s?|\s(?:at|apenstaartje)\s)"
_DOT = r"(?:\.|\s?[\[(]\s?(?:punt|dot)\s?[\])]\s?|\s(?:punt|dot)\s)"
_STREET = (r"(?:straat|weg|laan|plein|singel|gracht|kade|dijk|steeg|pad|hof|dreef|park|baan|markt|wal|ring|plantsoen"
           r"|boulevard|allee|erf|dam|haven|burg|kant|poort|weide|hoek|veld)")  # fmt: skip
_MONTHS = (r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
           r"|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)")  # fmt: skip
_DAY_WORDS = (r"(?:één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien"
              r"|zeventien|achttien|negentien|(?:(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)[eë]n)?twintig"
              r"|dertig|eenendertig)")  # fmt: skip
_ORDINALS = (r"(?:eerste|tweede|derde|vierde|vijfde|zesde|zevende|achtste|negende|tiende|elfde|twaalfde|\w{4,}tiende"
             r"|\w*twintigste|dertigste|eenendertigste)")  # fmt: skip
_WEEKDAYS = r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"
_CASE_WORDS = (r"(?:zaak|dossier|registratie|klant|cli[eë]nt|relatie|referentie|factuur|v-|vreemdelingen)(?:nummer|nr)"
               r"|kenmerk|referentie")  # fmt: skip
_AND = r"(?:,\s|\sen\s)"
_PLACE_WORDS = r"(?:wijk|wijken|buurt|buurten|stadsdeel|stadsdelen|dorp|dorpen|kern|kernen|woonkern|woonplaats)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(rf"\b[\w+-]+(?:{_DOT}[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}\b", re.I)),
    ("website", re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:nl|com|org|net|eu|info|be)\b(?:/\S*)?", re.I)),
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{4}(?:\s?\d){7,24}\b", re.I)),
    ("case", re.compile(rf"\b(?i:{_CASE_WORDS})[:.]?\s(?:(?i:is)\s)?(?P<n>[A-Z0-9][\w./-]*\d[\w./-]*\w)")),
    ("case", re.compile(r"\b[A-Z]{1,4}[-./]?\d{2,}(?:[-./]\d{2,})+\b|\b[A-Z]{1,3}-?\d{5,}\b")),
    ("postcode", re.compile(r"\b[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}\b|\b[1-9]\d{3}[a-z]{2}\b")),
    (
        "address",
        re.compile(
            rf"\b(?:[A-Z][\w'-]*\s(?:(?:van|de|der|den|het|'t)\s)*)*(?:[A-Z][\w'-]*{_STREET}|{_STREET.title()})"
            rf"\s\d{{1,5}}(?:-\d{{1,4}}|[a-zA-Z]{{1,2}}\b)?(?!\s?{UNITS}\b|[\d,.]\d)"
        ),
    ),
    ("address", re.compile(r"\b(?i:postbus)\s\d{1,6}\b")),
    ("date", re.compile(r"\b(?:[12]\d|3[01]|0?[1-9])([-/.])(?:1[0-2]|0?[1-9])\1(?:19|20)?\d{2}\b")),
    (
        "date",
        re.compile(
            rf"\b(?:{_WEEKDAYS}\s)?(?:[12]\d|3[01]|0?[1-9]|{_DAY_WORDS}|(?:de\s)?{_ORDINALS}(?:\svan)?)\s{_MONTHS}\b"
            r"(?:\s(?:19|20)\d{2}\b)?",
            re.I,
        ),
    ),
    ("place", re.compile(rf"\b(?i:{_PLACE_WORDS})\s(?P<n>{_CAP_WORDS})")),
    ("place", re.compile(rf"\b(?i:{_PLACE_WORDS})\s{_CAP_WORDS}(?:{_AND}{_CAP_WORDS})*{_AND}(?P<n>{_CAP_WORDS})")),
    ("place", re.compile(r"\b[A-Z][a-zà-ÿ]{2,}(?:wijk|buurt|kwartier)\b")),
    ("name", re.compile(rf"\b(?i:{_TITLES})\.?\s(?P<n>(?:(?i:{'|'.join(_PARTICLES)})\s)*{_CAP})")),
    ("name", re.compile(rf"\b(?i:{_TITLES})\.?\s(?P<n>(?:[A-Z]\.\s?){{1,3}}(?:(?:van|de|der|den|ter|ten)\s)*{_CAP})")),
    ("name", re.compile(rf"\b(?:[A-Z]\.\s?){{1,3}}(?:(?:van|de|der|den|ter|ten)\s)*{_CAP}")),
]
_PLACEHOLDER = re.compile("|".join(sorted({re.escape(p) for p, _ in KINDS.values()})))
_DIGITS = re.compile(r"(?<![\w€])\+?\(?\d(?:[\s./()-]{0,3}\d)+\)?(?![\w%])")


@dataclass(frozen=True)
class Redaction:
    """A redacted text, what kinds were removed, and how much of it."""

    text: str
    kinds: tuple[str, ...]
    removed_share: float
    spans: tuple[tuple[int, int, str], ...] = ()  #: (start, end, kind) in the text before redaction
    residual: tuple[str, ...] = ()  #: names still found in the redacted text

    @property
    def usable(self) -> bool:
        if self.residual:
            return False
        words = [w for w in re.findall(r"[^\W\d_]{2,}", _PLACEHOLDER.sub(" ", self.text))]
        return not self.kinds or (self.removed_share <= MAX_REMOVED_SHARE and len(words) >= MIN_WORDS)


@dataclass(frozen=True)
class Quote:
    """One open answer as it may be quoted: redacted, attributed by size class, with a stable id."""

    id: str
    question: str
    size_class: str
    text: str
    redactions: list[str] = field(default_factory=list)  #: Dutch names of the kinds removed
    usable: bool = True
    removed_share: float = 0.0


def quote_id(year: int, question: str, respondent_id: str) -> str:
    """First 10 hex digits of ``sha256("year:question:respondent_id")``: stable, not reversible."""
    return hashlib.sha256(f"{year}:{question}:{respondent_id}".encode()).hexdigest()[:10]


def size_label(classes: Iterable[str], merge_large: bool = True) -> str:
    """Attribution of an answer by size class only; G4 merged with G40 unless ``merge_large=False``."""
    cls = {str(c) for c in classes}
    large, small = cls & {"G4", "G40"}, "Middelgroot/klein" in cls
    if large and small:
        return MIXED_LABEL
    if large:
        if merge_large or len(large) > 1:
            return LARGE_LABEL
        return f"{next(iter(large))}-gemeente"
    return SMALL_LABEL


# --- redaction -------------------------------------------------------------------------------


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower case without accents, with the index in ``text`` of every folded character."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)) or ch
        for c in base.casefold():
            out.append(c)
            index.append(i)
    return "".join(out), index


@cache
def first_names() -> frozenset[str]:
    """The folded first names of ``first_names.txt``."""
    text = resources.files("helpers.analysis").joinpath("first_names.txt").read_text(encoding="utf-8")
    return frozenset(_fold(line.strip())[0] for line in text.splitlines() if line.strip() and line[0] != "#")


@cache
def _name_forms(names: tuple[str, ...]) -> dict[str, list[tuple[tuple[str, ...], bool, tuple[str, ...]]]]:
    """First token -> [(token sequence, capitalised only, province words)], longest sequences first."""
    forms: dict[tuple[str, ...], tuple[bool, tuple[str, ...]]] = {}
    for name in names:
        qualifier = re.search(r"\(([^)]*)\)\s*$", name)
        base = re.sub(r"\s*\(.*?\)\s*$", "", name)
        province = tuple(_PROVINCES.get(_fold(qualifier.group(1))[0].strip(". "), [])) if qualifier else ()
        for variant in [base, *NAME_ALIASES.get(name, []), *([base.split(",")[0]] if "," in base else [])]:
            tokens = tuple(re.findall(r"\w+", _fold(variant)[0]))
            if not tokens:
                continue
            common = len(tokens) == 1 and tokens[0] in COMMON_WORDS
            forms[tokens] = (common, province)
            if len(tokens) > 1:
                forms[("".join(tokens),)] = (False, province)
            if common:
                continue
            for stem, needs_suffix in _stems(tokens[-1]):
                for suffix in ("", *_SUFFIXES) if not needs_suffix else _SUFFIXES:
                    forms.setdefault((*tokens[:-1], stem + suffix), (False, province))
    out: dict[str, list] = {}
    for tokens, (common, province) in sorted(forms.items(), key=lambda kv: -len(kv[0])):
        out.setdefault(tokens[0], []).append((tokens, common, province))
    return out


def _stems(word: str) -> list[tuple[str, bool]]:
    """(stem, needs a suffix): Groningen -> Groning(er), Zwolle -> Zwol(se), Amsterdam -> Amsterdamm(er)."""
    stems = [(word, False)]
    if word.endswith("en") and len(word) > 5:
        stems.append((word[:-2], True))
    if word.endswith("e") and len(word) > 4:
        stem = word[:-1]
        stems.append((stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem, True))
    if len(word) > 3 and word[-1] not in "aeiou":
        stems.append((word + word[-1], True))
    if re.search(r"[^aeiou][aeiou]r$", word) or re.search(r"[aeiou]{2}r$", word):  # Zoetermeer -> Zoetermeerder
        stems.append((word + "d", True))
    if re.search(r"[^aeiou][aeiou]re$", word):  # Almere -> Almeerder
        stems.append((word[:-3] + word[-3] * 2 + "rd", True))
    if word.endswith("stad"):  # Lelystad -> Lelystedeling(en), Lelystedelijke
        stems += [(word[:-4] + f"stedeli{end}", False) for end in ("ng", "ngen", "jk", "jke")]
    return stems


def _municipality_spans(text: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    folded, index = _fold(text)
    tokens = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\w+", folded)]
    forms = _name_forms(names)
    spans = []
    i = 0
    while i < len(tokens):
        hit = None
        for seq, common, province in forms.get(tokens[i][0], []):
            window = tokens[i : i + len(seq)]
            if tuple(t[0] for t in window) != seq or any(
                not re.fullmatch(r"[\s'’,-]*", folded[a[2] : b[1]]) for a, b in pairwise(window)
            ):
                continue
            if common and not text[index[window[0][1]]].isupper():
                continue
            end = _qualifier_end(folded, window[-1][2], province)
            start = index[window[0][1]]
            start -= start > 0 and text[start - 1] in "'’"  # 's-Gravenhage
            hit = (start, index[end - 1] + 1, len(seq))
            break
        if hit:
            spans.append(hit[:2])
            i += hit[2]
        else:
            i += 1
    return spans


def _qualifier_end(folded: str, end: int, province: tuple[str, ...]) -> int:
    """Extend a match over "(NH)", " NH", "(Noord-Holland)" or any short parenthesis right after it."""
    words = "|".join(re.escape(p) for p in province) or r"(?!)"
    m = re.match(rf"\s*(?:\(\s*(?:{words})\.?\s*\)|(?:{words})\.?(?!\w)|\([^()]{{1,40}}\))", folded[end:])
    return end + m.end() if m else end


def _digit_kind(match: str) -> str | None:
    digits = re.sub(r"\D", "", match)
    groups = re.findall(r"\d+", match)
    if len(digits) < 7 or all(len(g) == 4 and g[:2] in {"19", "20"} for g in groups):  # years: 2017-2018
        return None
    if match.lstrip("(").startswith(("+", "00")) or (digits.startswith("0") and len(digits) == 10):
        return "phone"
    return "bsn" if len(digits) == 9 else "number"


def redact(text: str, names: Iterable[str]) -> Redaction:
    """``text`` with every identifying part replaced by a placeholder (see the module docstring).

    The redacted text is searched once more: a name still found there (``residual``) makes the quote
    unusable, so it is not printed.
    """
    clean = " ".join(str(text).split())
    key = tuple(sorted({str(n) for n in names if isinstance(n, str) and n}))
    red = _apply(clean, _find(clean, key))
    residual = tuple(red.text[a:b] for a, b, kind in _find(red.text, key) if kind == "name")
    return Redaction(red.text, red.kinds, red.removed_share, red.spans, residual)


def _find(text: str, names: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Every finding in ``text``: deduce's, then our rules, municipality names and first names."""
    spans = deduce_spans(text)
    for kind, pattern in _PATTERNS:
        group = "n" if "n" in pattern.groupindex else 0
        spans += [(*m.span(group), kind) for m in pattern.finditer(text)]
    for m in _DIGITS.finditer(text):
        digit_kind = _digit_kind(m.group())
        end = m.end() - (m.group().endswith(")") and "(" not in m.group())  # "(... 2018-04512)": not ours
        if digit_kind and not re.search(r"euro|€", text[max(0, m.start() - 2) : m.end() + 6], re.I):
            spans.append((m.start(), end, digit_kind))
    spans += [(a, b, "municipality") for a, b in _municipality_spans(text, names)]
    spans += _person_spans(text)
    return [(a, b, kind) for a, b, kind in spans if not _in_placeholder(text, a, b)]


def _in_placeholder(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` lies inside one of our placeholders (redacted text searched again)."""
    return any(m.start() <= start and end <= m.end() for m in _PLACEHOLDER.finditer(text))


def _person_spans(text: str) -> list[tuple[int, int, str]]:
    """A known first name (capitalised) with what follows: a surname (particles, capitalised words) or an initial."""
    known = first_names()
    out = []
    for m in re.finditer(rf"\b{_CAP}\b", text):
        if _fold(m.group())[0] not in known:
            continue
        end = m.end()
        tail = re.match(rf"(?:\s(?:(?:{'|'.join(_PARTICLES)})\s)*{_CAP}|\s[A-Z]\.(?!\w))", text[end:])
        out.append((m.start(), end + (tail.end() if tail else 0), "name"))
    return out


def _apply(text: str, spans: list[tuple[int, int, str]]) -> Redaction:
    """Replace the spans by placeholders; overlapping spans become one, of the kind of the longest of them
    (of equal length: the first in ``_PRIORITY``)."""
    merged: list[tuple[int, int, str]] = []
    lead: list[tuple[int, int]] = []  # per merged span: (length, priority) of the finding that names it
    for a, b, kind in sorted(spans):
        rank = (-(b - a), _PRIORITY.index(kind))
        if merged and a < merged[-1][1]:
            pa, pb, pkind = merged[-1]
            merged[-1] = (pa, max(pb, b), kind if rank < lead[-1] else pkind)
            lead[-1] = min(lead[-1], rank)
        else:
            merged.append((a, b, kind))
            lead.append(rank)
    out, pos, removed = [], 0, 0
    for a, b, kind in merged:
        out += [text[pos:a], KINDS[kind][0]]
        removed += len(re.sub(r"\s", "", text[a:b]))
        pos = b
    out.append(text[pos:])
    total = max(1, len(re.sub(r"\s", "", text)))
    kinds = tuple(sorted({KINDS[k][1] for _, _, k in merged}))
    return Redaction("".join(out), kinds, removed / total, tuple(merged))


# --- quotes ----------------------------------------------------------------------------------


def _classes(rows: pd.DataFrame, df: pd.DataFrame, frame: pd.DataFrame | None) -> dict[str, set[str]]:
    """Size classes per respondent: from ``grootteklasse`` (municipalities table) or ``gemeentecodes`` + frame."""
    classes: dict[str, set[str]] = {}
    if "grootteklasse" in df.columns:
        for rid, cls in zip(rows["respondent_id"], rows["grootteklasse"], strict=True):
            classes.setdefault(str(rid), set()).add(str(cls))
    elif "gemeentecodes" in df.columns and frame is not None:
        lookup = dict(zip(frame["gemeentecode"], frame["grootteklasse"].astype(str), strict=True))
        for rid, codes in zip(rows["respondent_id"], rows["gemeentecodes"], strict=True):
            classes[str(rid)] = {lookup[c] for c in str(codes).split(",") if c in lookup}
    else:
        raise ValueError("quotes need 'grootteklasse' in df, or 'gemeentecodes' and a frame")
    return classes


def frame_names(df: pd.DataFrame, frame: pd.DataFrame | None) -> list[str]:
    """Municipality names of the frame and of ``df``: what redaction removes."""
    names: list[str] = []
    for source in (frame, df):
        if source is not None and "gemeentenaam" in source.columns:
            names += [str(x) for x in source["gemeentenaam"].dropna().unique()]
    return names


def quotable_answers(
    df: pd.DataFrame,
    question: Question,
    frame: pd.DataFrame | None,
    year: int,
    exclude_ids: Iterable[str] = (),
    *,
    merge_large: bool = True,
) -> list[Quote]:
    """Every answer of ``question``, once per respondent, redacted; excluded ids left out.

    Sorted by size class, then text. Use only quotes with ``usable`` (the redaction removed little).
    """
    use_store(paths.CACHE_DIR / "deduce" / str(year))
    rows = df.loc[answered_mask(df, question)]
    classes = _classes(rows, df, frame)
    names = frame_names(df, frame)
    excluded = set(exclude_ids)
    quotes: dict[str, Quote] = {}
    for rid, text in zip(rows["respondent_id"], rows[question.id], strict=True):
        rid = str(rid)
        if rid in quotes or text is pd.NA or text is None or not str(text).strip():
            continue
        qid = quote_id(year, question.id, rid)
        if qid in excluded:
            continue
        red = redact(str(text), names)
        label = size_label(classes.get(rid, set()), merge_large)
        quotes[rid] = Quote(qid, question.id, label, red.text, list(red.kinds), red.usable, round(red.removed_share, 3))
    return sorted(quotes.values(), key=lambda q: (q.size_class, q.text.casefold(), q.text))


def text_answers(
    df: pd.DataFrame,
    cb: Codebook,
    qid: str | Question,
    frame: pd.DataFrame | None = None,
    *,
    merge_large: bool = True,
    redact: bool = True,
    exclude_ids: Iterable[str] = (),
) -> Table:
    """Open answers, once per respondent, attributed by size class only (never names or ids).

    ``df`` is the municipalities table (uses ``grootteklasse``) or the respondents table
    (uses ``gemeentecodes`` looked up in ``frame``). With ``redact`` (the default) the answers are
    those of :func:`quotable_answers` that are usable; otherwise verbatim. Sorted by attribution, then text.
    """
    q = cb.question(qid)
    qid = q.id
    rows = df.loc[answered_mask(df, q)]
    if redact:
        quotes = quotable_answers(df, q, frame, cb.year, exclude_ids, merge_large=merge_large)
        shown = [(x.size_class, x.text) for x in quotes if x.usable]
        omitted = len(quotes) - len(shown)
    else:
        classes, seen = _classes(rows, df, frame), dict[str, str]()
        for rid, text in zip(rows["respondent_id"], rows[qid], strict=True):
            if text is not pd.NA and text is not None and str(text).strip():
                seen.setdefault(str(rid), " ".join(str(text).split()))
        shown = sorted(((size_label(classes.get(r, set()), merge_large), t) for r, t in seen.items()),
                       key=lambda t: (t[0], t[1].casefold(), t[1]))  # fmt: skip
        omitted = 0
    data = pd.DataFrame({"Antwoord": [t for _, t in shown]}, index=pd.Index([c for c, _ in shown], name="Gemeente"))
    n_resp = len({str(r) for r in rows["respondent_id"]})
    foot = "Letterlijke antwoorden, één keer per respondent, toegeschreven aan grootteklasse"
    if redact:
        foot += "; namen, adressen en nummers vervangen door [gemeente], [naam], [e-mail] enz."
        if omitted:
            foot += (
                f" {omitted} antwoord(en) weggelaten: na het weglaten van namen en nummers bleef te weinig over"
                " of bleef een naam herkenbaar."
            )
    else:
        foot += "."
    return Table(
        data=data,
        question=qid,
        title=q.text,
        n=len(shown),
        base="respondenten die een antwoord gaven",
        kind="text",
        stat="count",
        report_ref=report_ref_of(q, None),
        footnote=foot,
        formats={"Antwoord": "text"},
        indicators=number_rows([("", "count", float(len(shown)), n_resp)]),
    )
