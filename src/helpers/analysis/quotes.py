"""Open answers for quotation: redacted, once per respondent, attributed by size class only."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from helpers.analysis.frequencies import answered_mask
from helpers.analysis.table import Table, number_rows, report_ref_of
from helpers.survey.codebook import Codebook, Question

# --- open answers -------------------------------------------------------------------

LARGE_LABEL = "G4/G40-gemeente"
SMALL_LABEL = "Middelgrote/kleine gemeente"
MIXED_LABEL = "Samenwerkende grote en kleinere gemeenten"
REDACTED = "[gemeente]"
#: Everyday names of municipalities whose CBS name differs.
NAME_ALIASES = {"'s-Gravenhage": ["Den Haag"], "'s-Hertogenbosch": ["Den Bosch"]}


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


def redact_names(text: str, names: Iterable[str]) -> str:
    """Replace whole-word, case-sensitive municipality names by "[gemeente]" (a human still reviews)."""
    variants: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name:
            continue
        variants.add(name)
        variants.add(re.sub(r"\s*\(.*?\)\s*$", "", name))
        variants.update(NAME_ALIASES.get(name, []))
    if not variants:
        return text
    pattern = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True) if v)
    return re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", REDACTED, text)


def text_answers(
    df: pd.DataFrame,
    cb: Codebook,
    qid: str | Question,
    frame: pd.DataFrame | None = None,
    *,
    merge_large: bool = True,
    redact: bool = True,
) -> Table:
    """Open answers, once per respondent, attributed by size class only (never names or ids).

    ``df`` is the municipalities table (uses ``grootteklasse``) or the respondents table
    (uses ``gemeentecodes`` looked up in ``frame``). Names of municipalities in the frame
    and in ``df`` are replaced by "[gemeente]". Rows are sorted by attribution, then text.
    """
    q = cb.question(qid)
    qid = q.id
    mask = answered_mask(df, q)
    rows = df.loc[mask]
    classes: dict[str, set[str]] = {}
    if "grootteklasse" in df.columns:
        for rid, cls in zip(rows["respondent_id"], rows["grootteklasse"], strict=True):
            classes.setdefault(str(rid), set()).add(str(cls))
    elif "gemeentecodes" in df.columns and frame is not None:
        lookup = dict(zip(frame["gemeentecode"], frame["grootteklasse"].astype(str), strict=True))
        for rid, codes in zip(rows["respondent_id"], rows["gemeentecodes"], strict=True):
            classes[str(rid)] = {lookup[c] for c in str(codes).split(",") if c in lookup}
    else:
        raise ValueError("text_answers needs 'grootteklasse' in df, or 'gemeentecodes' and a frame")
    names: list[str] = []
    for source in (frame, df):
        if source is not None and "gemeentenaam" in source.columns:
            names += [str(x) for x in source["gemeentenaam"].dropna().unique()]
    answers: dict[str, str] = {}
    for rid, text in zip(rows["respondent_id"], rows[qid], strict=True):
        if text is pd.NA or text is None or not str(text).strip():
            continue
        clean = " ".join(str(text).split())
        answers.setdefault(str(rid), redact_names(clean, names) if redact else clean)
    shown = sorted(
        ((size_label(classes.get(rid, set()), merge_large), txt) for rid, txt in answers.items()),
        key=lambda t: (t[0], t[1].casefold(), t[1]),
    )
    data = pd.DataFrame({"Antwoord": [t for _, t in shown]}, index=pd.Index([c for c, _ in shown], name="Gemeente"))
    n_resp = len({str(r) for r in rows["respondent_id"]})
    foot = "Letterlijke antwoorden, één keer per respondent, toegeschreven aan grootteklasse"
    foot += "; namen van gemeenten vervangen door [gemeente]." if redact else "."
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
