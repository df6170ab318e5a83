"""Dutch de-identification with ``deduce``: the first pass of the redaction of open answers.

`deduce <https://github.com/vmenger/deduce>`_ (UMC Utrecht) finds persons, streets with house
numbers, places, dates, phone numbers, e-mail addresses, websites, BSNs and long numbers in Dutch
text with large lookup lists (first names, surnames, streets, places) and context rules. Its lookup
structures are built once by ``make setup`` (``scripts/setup.sh`` runs :func:`model`) and cached
inside ``.venv``; loading them takes seconds, so :func:`model` builds one instance per process.

:func:`deduce_spans` gives deduce's findings as ``(start, end, kind)`` with the kinds of
:mod:`helpers.analysis.quotes`; institutions and ages are not asked for (an institution such as UWV
or COA is not personal data; "27 jaar" rarely identifies anyone and is mostly a duration). Words in
``keep_words.txt`` (acronyms and institutions that deduce takes for a name or place) are never a
name or place. A word in capitals that is not such an acronym is shown to deduce in title case, so
that "JANSEN" is found like "Jansen"; the text keeps its length, so the spans fit the original.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deduce import Deduce

#: deduce's tag -> our kind (tags not listed, such as institutions, are left in the text)
TAG_KINDS = {
    "persoon": "name",
    "patient": "name",
    "locatie": "place",
    "datum": "date",
    "telefoonnummer": "phone",
    "emailadres": "email",
    "url": "website",
    "bsn": "bsn",
    "id": "number",
    "patientnummer": "number",
}
#: deduce's processor groups that are not run (see the module docstring)
SKIPPED_GROUPS = frozenset({"institutions", "ages"})
#: Words before a name that are not part of it (deduce's own list of titles is used too).
TITLES = ("dhr", "mevr", "mw", "mr", "dr", "drs", "ir", "ing", "prof", "meneer", "mevrouw", "de heer", "wethouder",
          "burgemeester", "collega", "klantmanager")  # fmt: skip
#: What follows a number that is not a house number ("Werkplein 2 dagen per week").
UNITS = r"(?:%|keer|dag|dagen|uur|week|weken|maand|maanden|jaar|euro|procent|mensen|deelnemers|personen|plekken)"
NOT_HOUSE_NUMBER = re.compile(rf"\s?{UNITS}\b")
#: Name particles (tussenvoegsels) that may stand between a first name or initials and a surname.
PARTICLES = ("van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "in", "op", "la", "le", "da")
#: Particles a surname may start with ("Van den Berg", "De Vries"); other function words before a name are cut.
_SURNAME_START = frozenset({"van", "de", "der", "den", "ter", "ten", "te", "het", "'t"})
_CAPS_WORD = re.compile(rf"\b[A-ZÀ-Ý]{{3,}}\b|\b(?:{'|'.join(p.upper() for p in PARTICLES)})\b(?=\s[A-ZÀ-Ý]{{2,}}\b)")
_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?")


@cache
def model() -> Deduce:
    """The one deduce instance of this process (lookup structures from the cache made by ``make setup``)."""
    import logging

    from deduce import Deduce

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    return Deduce()


@cache
def keep_words() -> frozenset[str]:
    """The words of ``keep_words.txt`` (case-folded): never a person or place."""
    text = resources.files("helpers.analysis").joinpath("keep_words.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#")


def title_case_capitals(text: str) -> str:
    """``text`` with every word in capitals (3+ letters, not a kept acronym) in title case; same length."""
    keep = keep_words()
    return _CAPS_WORD.sub(lambda m: m.group() if m.group().casefold() in keep else m.group().title(), text)


#: Name of the file, beside a year's processed tables, that keeps deduce's findings per text.
SPANS_FILE = "deduce_spans.json"
_known: dict[str, list[tuple[int, int, str]]] = {}
_store: list[Path] = []


@cache
def fingerprint() -> str:
    """What deduce's findings depend on besides the text: deduce's version, this module and the kept words.
    A stored finding counts only under the same fingerprint, so a new deduce or rule is never skipped."""
    own = Path(__file__).read_bytes() + resources.files("helpers.analysis").joinpath("keep_words.txt").read_bytes()
    return f"{metadata.version('deduce')}:{hashlib.sha256(own).hexdigest()[:16]}"


def _key(text: str) -> str:
    return hashlib.sha256(f"{fingerprint()}\0{text}".encode()).hexdigest()


def use_store(folder: Path) -> None:
    """Keep deduce's findings in ``folder/SPANS_FILE`` (``.cache/deduce/<year>/``, owner-only; offsets and kinds
    under a hash of each text, never the text): a process that quotes loads deduce (seconds, a gigabyte) only
    for texts no earlier process has seen."""
    path = Path(folder) / SPANS_FILE
    if _store and _store[0] == path:
        return
    _store[:] = [path]
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        found = raw["spans"] if raw.get("fingerprint") == fingerprint() else {}
        _known.update({k: [(int(a), int(b), str(kind)) for a, b, kind in v] for k, v in found.items()})
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no store yet, or a damaged one: compute again


def _save() -> None:
    if not _store:
        return
    path = _store[0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
    except OSError:
        return  # a read-only checkout: findings stay in memory
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    body = {"fingerprint": fingerprint(), "spans": dict(sorted(_known.items()))}
    tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


#: Set by the report build for its kernels: a lock file. A kernel takes it before it loads deduce and keeps it
#: until it ends, so at most one kernel of a build holds deduce's gigabyte at a time; the next one first reads
#: the store again (the texts they share are then found there).
DEDUCE_LOCK_ENV = "MONITOR_DEDUCE_LOCK"
_turn: list[int] = []


def _take_turn() -> None:
    """Wait for the build's deduce lock (see DEDUCE_LOCK_ENV), once per process, then read the store again."""
    lock = os.environ.get(DEDUCE_LOCK_ENV)
    if _turn or not lock:
        return
    import fcntl

    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # no place for the lock: load deduce without waiting
    fcntl.flock(fd, fcntl.LOCK_EX)  # released when this process ends
    _turn.append(fd)
    if _store:
        folder = _store[0].parent
        _store.clear()
        use_store(folder)


def deduce_spans(text: str) -> list[tuple[int, int, str]]:
    """What deduce finds in ``text``: ``(start, end, kind)`` spans, kinds as in ``quotes.KINDS`` (from the
    store of :func:`use_store` when this text was seen before)."""
    key = _key(text)
    if key not in _known:
        _take_turn()
    if key not in _known:
        _known[key] = _deduce_spans(text)
        _save()
    return list(_known[key])


def _deduce_spans(text: str) -> list[tuple[int, int, str]]:
    doc = model().deidentify(title_case_capitals(text), disabled=set(SKIPPED_GROUPS))
    spans = []
    for a in doc.annotations:
        kind = TAG_KINDS.get(a.tag.split("+")[0].split("_")[0])
        if kind is None:
            continue
        start, end = a.start_char, a.end_char
        if kind == "place" and any(ch.isdigit() for ch in a.text):
            if NOT_HOUSE_NUMBER.match(text, end):
                continue
            kind = "postcode" if re.fullmatch(r"\d{4}\s?[A-Za-z]{2}", a.text) else "address"
        elif kind in {"name", "place"}:
            trimmed = _trim(text, start, end)
            if trimmed is None:
                continue
            start, end = trimmed
        spans.append((start, end, kind))
    return spans


def _sentence_start(text: str, position: int) -> bool:
    """True when only punctuation or nothing stands between ``position`` and the previous sentence."""
    before = text[:position].rstrip(" “\"'(")
    return not before or before[-1] in ".!?:;"


@cache
def _word_sets() -> dict[str, frozenset[str]]:
    """deduce's word lists and ours, case-folded: titles, stop words, everyday words, particles, kept words."""
    lookup = model().lookup_structs
    folded = {k: frozenset(w.casefold() for w in lookup[k]) for k in ("prefix", "stop_word", "common_word", "interfix")}
    return {
        "title": frozenset(t.casefold() for t in TITLES) | folded["prefix"] | {t.rstrip(".") for t in folded["prefix"]},
        "stop": folded["stop_word"],
        "everyday": folded["common_word"] | folded["stop_word"],
        "particle": frozenset(PARTICLES) | folded["interfix"],
        "keep": keep_words(),
    }


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A name or place without the titles, kept words and particles around it; ``None`` if only such words.

    Leading titles ("mevr.", "wethouder"), capitalised function words ("In Den Haag"), an ordinary word
    that starts the sentence ("Volgens Bakker"), kept words ("Stichting", "Rijk") and trailing particles
    go; what is left only of Dutch everyday words ("Groen", "De Koning") is not a name.
    """
    sets = _word_sets()
    span = text[start:end]
    skip = next((len(t) + 1 for t in sets["title"] if " " in t and span.casefold().startswith(t + " ")), 0)
    words = [(m.start() + start, m.end() + start, m.group().casefold()) for m in _WORD.finditer(span, skip)]
    while words and _not_a_name_start(words[0][2], sets):
        words.pop(0)
    while words and words[-1][2] in sets["keep"] | sets["particle"] | sets["stop"]:
        words.pop()
    if len(words) > 1 and _sentence_start(text, words[0][0]) and words[0][2] not in sets["particle"]:
        word = text[words[0][0] : words[0][1]]
        if [word] not in model().lookup_structs["first_name"] and [word.title()] not in model().lookup_structs[
            "first_name"
        ]:
            words.pop(0)
    if not words or _everyday_words(text, words, sets):
        return None
    return words[0][0], words[-1][1]


def _not_a_name_start(word: str, sets: dict[str, frozenset[str]]) -> bool:
    """A title, kept word or function word (other than a surname particle) before a name."""
    return (
        word in sets["title"]
        or word.rstrip(".") in sets["title"] | sets["keep"]
        or (word in sets["stop"] and word not in _SURNAME_START)
    )


def _everyday_words(text: str, words: list[tuple[int, int, str]], sets: dict[str, frozenset[str]]) -> bool:
    """Only everyday words and no surname particle (a sentence-initial "De" is an article, not "De Vries")."""
    article_first = words[0][2] in {"de", "het"} and _sentence_start(text, words[0][0])
    if any(w[2] in sets["particle"] for w in (words[1:] if article_first else words)):
        return False
    return all(w[2] in sets["everyday"] | sets["particle"] | sets["keep"] for w in words)
