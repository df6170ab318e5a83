"""Chapter-facing tables: one ``Table`` per view, rendered as a Dutch pipe table.

Every builder takes its numbers from ``helpers.frequencies.question_indicators`` and
returns a ``Table`` that carries the display frame (unrounded numbers), the base, the
footnote and ``indicators`` — the long ``category, stat, value, n`` rows of exactly the
numbers shown, which the registry records. Rounding happens only in ``to_markdown``.

Disclosure: a share or mean whose base is fewer than ``MIN_BASE`` (5) municipalities is
shown as "–", explained in a footnote and not recorded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.codebook import Codebook, Question, describe_condition
from helpers.codebook_diff import label_map
from helpers.formatting import fmt_n, fmt_number, fmt_pct
from helpers.frequencies import answered_mask, base_n, question_indicators

MIN_BASE = 5
SUPPRESSED = "–"
SUPPRESSION_NOTE = f"{SUPPRESSED} = niet getoond: minder dan {MIN_BASE} gemeenten."
SIZE_CLASSES = ("G4", "G40", "Middelgroot/klein")
PUBLISHED = "gepubliceerd"
COMPUTED = "berekend"
INDICATOR_COLUMNS = ["category", "stat", "value", "n"]


@dataclass
class Table:
    """A table as shown in a chapter.

    ``data`` holds unrounded numbers (index = row labels, its name the first header);
    ``formats`` maps a column to ``pct``, ``pct1``, ``num0``, ``num1``, ``int``, ``p`` or
    ``text``; ``indicators`` are the numbers shown (``category, stat, value, n``).
    """

    data: pd.DataFrame
    question: str
    title: str
    n: int | None
    base: str
    kind: str
    stat: str
    report_ref: str = ""
    footnote: str = ""
    formats: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    indicators: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INDICATOR_COLUMNS))
    meta: dict[str, Any] = field(default_factory=dict)

    def caption(self, label: str | None = None) -> str:
        """``"Tabel 3.1 <title> (n=282)"`` (label and n only when given)."""
        head = f"{label} " if label else ""
        tail = f" ({fmt_n(self.n)})" if self.n is not None else ""
        return f"{head}{self.title}{tail}"

    def formatted(self) -> pd.DataFrame:
        """``data`` as Dutch display strings (half-up rounded; missing = "–")."""
        out = pd.DataFrame(index=self.data.index)
        for col in self.data.columns:
            kind = self.formats.get(col, "text")
            out[self.headers.get(col, col)] = [_fmt(v, kind) for v in self.data[col]]
        return out

    def to_markdown(self, caption: str | None = None, *, notes: bool = True) -> str:
        """Pipe table (pandoc longtable in the PDF); ``notes`` adds the n/base line and footnote under it.

        The registry shows the table and its notes as two outputs, so that the build's
        caption (a pandoc ``Table:`` line) stays attached to the table.
        """
        shown = self.formatted()
        first = self.data.index.name or ""
        header = [first, *shown.columns]
        body = [[str(i), *row] for i, row in zip(shown.index, shown.itertuples(index=False), strict=True)]
        numeric = [False] + [self.formats.get(c, "text") != "text" for c in self.data.columns]
        lines = []
        if caption:
            lines += [f"**{_md_escape(caption)}**", ""]
        lines.append(_md_row(header))
        # pandoc sizes wrapped columns by the dashes in this rule: numbers get room for their
        # values (headers may wrap), labels at most 40, so short columns never become unreadable
        widths = [
            max(10, 4 + max((len(r[i]) for r in body), default=0))
            if num
            else min(40, max(3, len(h), *(len(r[i]) for r in body)))
            for i, (h, num) in enumerate(zip(header, numeric, strict=True))
        ]
        rule = [("-" * (w - 1) + ":") if num else (":" + "-" * (w - 1)) for w, num in zip(widths, numeric, strict=True)]
        lines.append("|" + "|".join(rule) + "|")
        lines += [_md_row(r) for r in body]
        if notes and (text := self.notes_markdown()):
            lines += ["", text.rstrip("\n")]
        return "\n".join(lines) + "\n"

    def notes_markdown(self) -> str:
        """The line under the table: ``*n=282; basis: …. Footnote.*`` ('' when there is nothing to say)."""
        notes = []
        if self.n is not None or self.base:
            parts = [fmt_n(self.n)] if self.n is not None else []
            if self.base:
                parts.append(f"basis: {self.base}")
            notes.append("; ".join(parts) + ".")
        if self.footnote:
            notes.append(self.footnote)
        return "*" + _md_escape(" ".join(notes)) + "*\n" if notes else ""

    def _repr_markdown_(self) -> str:
        return self.to_markdown(caption=self.caption())


# --- formatting helpers -------------------------------------------------------------


def _fmt(value: Any, kind: str) -> str:
    if kind == "text":
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else str(value)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    v = float(value)
    if kind == "pct":
        return fmt_pct(v, 0)
    if kind == "pct1":
        return fmt_pct(v, 1)
    if kind == "num0":
        return fmt_number(v, 0)
    if kind == "num1":
        return fmt_number(v, 1)
    if kind == "int":
        return fmt_number(v, 0)
    if kind == "p":
        return "<\u00a00,001" if v < 0.001 else fmt_number(v, 3)
    raise ValueError(f"unknown format {kind!r}")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_md_escape(c).replace("\n", " ") for c in cells) + " |"


def describe_base(cb: Codebook, q: Question) -> str:
    """Dutch base description: who answered, and the routing filter if any."""
    unit = "respondenten" if q.level == "respondent" else "gemeenten"
    if q.asked_if is None:
        return f"alle {unit} die de vraag beantwoordden"
    return f"{unit} die de vraag beantwoordden en waarvoor geldt: {describe_condition(q.asked_if, cb)}"


def _ref(q: Question, report_ref: str | None) -> str:
    if report_ref is not None:
        return report_ref
    return q.report_refs[0] if q.report_refs else ""


def _lookup(ind: pd.DataFrame, category: str, stat: str) -> tuple[float, int]:
    hit = ind[(ind["category"] == category) & (ind["stat"] == stat)]
    if hit.empty:
        raise KeyError(f"no {stat!r} for category {category!r}")
    return float(hit["value"].iloc[0]), int(hit["n"].iloc[0])


def _indicators(rows: Iterable[tuple[str, str, float, int]]) -> pd.DataFrame:
    kept = [r for r in rows if not (isinstance(r[2], float) and math.isnan(r[2]))]
    return pd.DataFrame(kept, columns=INDICATOR_COLUMNS)


def collapsed_categories(q: Question) -> list[str]:
    """Nets plus the options no net covers, in scale order (a net sits at its first code)."""
    covered = {c for net in q.nets for c in net.codes}
    order = [o.code for o in q.options]
    keyed = [(order.index(min(net.codes, key=order.index)), net.label) for net in q.nets]
    keyed += [(order.index(o.code), o.label) for o in q.options if o.code not in covered]
    return [label for _, label in sorted(keyed)]


# --- builders -----------------------------------------------------------------------


def single_choice_table(
    df: pd.DataFrame,
    cb: Codebook,
    qid: str,
    collapse: bool = False,
    *,
    counts: bool = False,
    report_ref: str | None = None,
) -> Table:
    """Shares of a single-choice question: all options in codebook order, or nets (``collapse``)."""
    q = cb.question(qid)
    ind = question_indicators(df, q)
    n = base_n(df, q)
    labels = collapsed_categories(q) if (collapse and q.nets) else [o.label for o in q.options]
    small = n < MIN_BASE
    pct = [math.nan if small else _lookup(ind, lab, "pct")[0] for lab in labels]
    data = pd.DataFrame({"Percentage": pct}, index=pd.Index(labels, name="Antwoord"))
    formats = {"Percentage": "pct"}
    rows = [(lab, "pct", v, n) for lab, v in zip(labels, pct, strict=True)]
    if counts:
        cnt = [math.nan if small else _lookup(ind, lab, "count")[0] for lab in labels]
        data.insert(0, "Aantal", cnt)
        formats["Aantal"] = "int"
        rows += [(lab, "count", v, n) for lab, v in zip(labels, cnt, strict=True)]
    is_scale = q.scale is not None and cb.is_ordered(qid)
    return Table(
        data=data,
        question=qid,
        title=q.text,
        n=n,
        base=describe_base(cb, q),
        kind="likert" if is_scale else "single",
        stat="pct",
        report_ref=_ref(q, report_ref),
        footnote=SUPPRESSION_NOTE if small else "",
        formats=formats,
        indicators=_indicators(rows),
        meta={"collapsed": bool(collapse and q.nets), "options": [o.label for o in q.options]},
    )


def multi_order(q: Question, share: Callable[[str], float], sort: bool = True) -> list[str]:
    """Row order of a multi question: by ``share`` descending (ties in codebook order), then
    "anders, namelijk", then exclusive options, then nets; codebook order when not ``sort``."""
    main = [o for o in q.options if not (o.other_text or o.exclusive)]
    if sort:
        main = sorted(main, key=lambda o: -share(o.label))
    tail = [o for o in q.options if o.other_text and not o.exclusive] + [o for o in q.options if o.exclusive]
    # a net of one option is only another name for it: recorded, not drawn twice
    return [o.label for o in main + tail] + [net.label for net in q.nets if len(net.codes) > 1]


def multi_answer_table(
    df: pd.DataFrame, cb: Codebook, qid: str, sort: bool = True, *, report_ref: str | None = None
) -> Table:
    """Shares per option of a multi-answer question (base: municipalities that answered).

    With ``sort``, options are sorted by share (descending, ties in codebook order), then
    "anders, namelijk" options, then exclusive options ("geen van deze"), as in the report.
    """
    q = cb.question(qid)
    ind = question_indicators(df, q)
    n = base_n(df, q)
    small = n < MIN_BASE
    labels = multi_order(q, lambda label: _lookup(ind, label, "pct")[0], sort=sort)
    pct = [math.nan if small else _lookup(ind, lab, "pct")[0] for lab in labels]
    mean_answers = math.nan if small else _lookup(ind, "", "answers_mean")[0]
    data = pd.DataFrame({"Percentage": pct}, index=pd.Index(labels, name="Antwoord"))
    limit = f"Maximaal {q.max_answers} antwoorden mogelijk" if q.max_answers else "Meerdere antwoorden mogelijk"
    foot = f"{limit}; gemiddeld {fmt_number(mean_answers, 1)} antwoorden." if not small else f"{limit}."
    if small:
        foot += " " + SUPPRESSION_NOTE
    rows = [(lab, "pct", v, n) for lab, v in zip(labels, pct, strict=True)] + [("", "answers_mean", mean_answers, n)]
    rows += [
        (net.label, "pct", math.nan if small else _lookup(ind, net.label, "pct")[0], n)
        for net in q.nets
        if len(net.codes) == 1
    ]
    return Table(
        data=data,
        question=qid,
        title=q.text,
        n=n,
        base=describe_base(cb, q),
        kind="multi",
        stat="pct",
        report_ref=_ref(q, report_ref),
        footnote=foot,
        formats={"Percentage": "pct"},
        indicators=_indicators(rows),
        meta={"answers_mean": mean_answers, "max_answers": q.max_answers},
    )


def estimate_table(
    df: pd.DataFrame, cb: Codebook, qid: str, *, decimals: int | None = None, report_ref: str | None = None
) -> Table:
    """Mean and median per item (and per net) of a percent or count question, with n per item."""
    q = cb.question(qid)
    if q.type not in {"percent", "count"}:
        raise ValueError(f"{qid} is a {q.type} question; estimate_table needs percent or count")
    ind = question_indicators(df, q)
    labels = [it.label for it in q.items] + [net.label for net in q.nets] or [""]
    rows, means, medians, ns = [], [], [], []
    for lab in labels:
        mean, n_item = _lookup(ind, lab, "mean")
        median, _ = _lookup(ind, lab, "median")
        if n_item < MIN_BASE:
            mean = median = math.nan
        means.append(mean)
        medians.append(median)
        ns.append(n_item)
        rows += [(lab, "mean", mean, n_item), (lab, "median", median, n_item)]
    pct = q.type == "percent"
    if decimals is None:
        decimals = 0 if pct else 1
    kind = ("pct" if decimals == 0 else "pct1") if pct else f"num{min(decimals, 1)}"
    index = pd.Index([lab or q.text for lab in labels], name="Onderdeel")
    data = pd.DataFrame({"Gemiddelde": means, "Mediaan": medians, "n": ns}, index=index)
    what = "geschatte percentages" if pct else "opgegeven aantallen"
    foot = f"Gemiddelde en mediaan van de door gemeenten {what}."
    if any(x < MIN_BASE for x in ns):
        foot += " " + SUPPRESSION_NOTE
    return Table(
        data=data,
        question=qid,
        title=q.text,
        n=base_n(df, q),
        base=describe_base(cb, q),
        kind="estimate",
        stat="mean",
        report_ref=_ref(q, report_ref),
        footnote=foot,
        formats={"Gemiddelde": kind, "Mediaan": kind, "n": "int"},
        indicators=_indicators(rows),
        meta={"percent": pct},
    )


#: Lower bounds of the default bins of ``count_summary``: 0, 1–5, 6–10, 11–25, 26–50, 51 of meer.
DEFAULT_BINS = (0, 1, 6, 11, 26, 51)


def _bin_labels(bounds: Sequence[int]) -> list[str]:
    labels = []
    for lo, hi in zip(bounds, [*bounds[1:], None], strict=True):
        if hi is None:
            labels.append(f"{fmt_number(lo, 0)} of meer")
        elif hi - 1 == lo:
            labels.append(fmt_number(lo, 0))
        else:
            labels.append(f"{fmt_number(lo, 0)}–{fmt_number(hi - 1, 0)}")
    return labels


def count_summary(
    df: pd.DataFrame,
    cb: Codebook,
    qid: str,
    *,
    item: int | None = None,
    bins: Sequence[int] = DEFAULT_BINS,
    show_range: bool = False,
    report_ref: str | None = None,
) -> Table:
    """Distribution of a count question over ``bins`` (lower bounds), with n and median.

    ``show_range`` adds minimum–maximum to the footnote; off by default because a minimum
    or maximum is one municipality's answer (the largest count usually points at a G4 city).
    """
    q = cb.question(qid)
    col = f"{qid}__{item}" if item is not None else (f"{qid}__{q.items[0].code}" if q.items else qid)
    label = next((it.label for it in q.items if f"{qid}__{it.code}" == col), "")
    values = df.loc[answered_mask(df, q), col].dropna().astype(float)
    n = len(values)
    small = n < MIN_BASE
    edges = [*bins, math.inf]
    labels = _bin_labels(list(bins))
    cut = pd.cut(values, bins=edges, right=False, labels=labels)
    counts = cut.value_counts().reindex(labels, fill_value=0)
    pct = [math.nan if small else 100.0 * k / n for k in counts]
    data = pd.DataFrame({"Percentage": pct}, index=pd.Index(labels, name="Aantal"))
    median = math.nan if small else float(values.median())
    rows = [(lab, "pct", v, n) for lab, v in zip(labels, pct, strict=True)] + [(label, "median", median, n)]
    foot = f"Mediaan {fmt_number(median, 1 if median % 1 else 0)}." if not small else SUPPRESSION_NOTE
    if show_range and not small:
        lo, hi = float(values.min()), float(values.max())
        foot += f" Minimum–maximum: {fmt_number(lo, 0)}–{fmt_number(hi, 0)}."
        rows += [(label, "min", lo, n), (label, "max", hi, n)]
    return Table(
        data=data,
        question=qid,
        title=q.text,
        n=n,
        base=describe_base(cb, q),
        kind="count",
        stat="pct",
        report_ref=_ref(q, report_ref),
        footnote=foot,
        formats={"Percentage": "pct"},
        indicators=_indicators(rows),
        meta={"median": median},
    )


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
    qid: str,
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
        report_ref=_ref(q, None),
        footnote=foot,
        formats={"Antwoord": "text"},
        indicators=_indicators([("", "count", float(len(shown)), n_resp)]),
    )


# --- response -----------------------------------------------------------------------


def response_table(frame: pd.DataFrame, municipalities_df: pd.DataFrame, cb: Codebook | None = None) -> Table:
    """Tabel 1: represented municipalities vs all municipalities per size class, with totals and share.

    Indicators: per class (and "Totaal") a ``count`` (represented) and ``pct`` row with
    ``n`` = the number of municipalities in the frame, and the frame's own count as
    category "<klasse> (alle gemeenten)"; the number of respondents as category
    "Respondenten", stat ``count``, ``n`` = represented municipalities.
    """
    represented = municipalities_df.drop_duplicates("gemeentecode")
    in_frame = frame["grootteklasse"].astype(str).value_counts()
    in_sample = represented["grootteklasse"].astype(str).value_counts()
    classes = [c for c in SIZE_CLASSES if c in in_frame.index] + sorted(set(in_frame.index) - set(SIZE_CLASSES))
    got = [int(in_sample.get(c, 0)) for c in classes]
    tot = [int(in_frame[c]) for c in classes]
    got.append(sum(got))
    tot.append(sum(tot))
    labels = [*classes, "Totaal"]
    pct = [100.0 * g / t if t else math.nan for g, t in zip(got, tot, strict=True)]
    data = pd.DataFrame(
        {"Vertegenwoordigd in de monitor": got, "Aantal gemeenten in Nederland": tot, "Percentage": pct},
        index=pd.Index(labels, name="Gemeentegrootte"),
    )
    n_resp = int(represented["respondent_id"].nunique())
    rows = []
    for lab, g, t, p in zip(labels, got, tot, pct, strict=True):
        rows += [(lab, "count", float(g), t), (lab, "pct", p, t), (f"{lab} (alle gemeenten)", "count", float(t), None)]
    rows.append(("Respondenten", "count", float(n_resp), got[-1]))
    mq = cb.municipality_question if cb is not None else None
    return Table(
        data=data,
        question=mq.id if mq else "municipalities",
        title="Respons: gemeenten in de monitor vergeleken met alle Nederlandse gemeenten",
        n=got[-1],
        base="",
        kind="response",
        stat="count",
        report_ref=(mq.report_refs[0] if mq and mq.report_refs else ""),
        footnote=f"De {got[-1]} gemeenten zijn vertegenwoordigd door {n_resp} respondenten.",
        formats={"Vertegenwoordigd in de monitor": "int", "Aantal gemeenten in Nederland": "int", "Percentage": "pct"},
        indicators=_indicators(rows),
    )


# --- trends -------------------------------------------------------------------------

PUBLISHED_COLUMNS = ["year", "report_ref", "question", "category", "stat", "value", "n", "decimals", "status"]


def load_published(years: Iterable[int] = (2016, 2017), directory: str | Path | None = None) -> pd.DataFrame:
    """Concatenate ``monitor_<year>.csv`` of earlier editions (missing files are skipped)."""
    from helpers.paths import PUBLISHED_DIR

    folder = Path(directory) if directory is not None else PUBLISHED_DIR
    parts = [
        pd.read_csv(p, dtype={"category": "string"}, keep_default_na=False, na_values={"value": [""], "n": [""]})
        for y in years
        if (p := folder / f"monitor_{y}.csv").exists()
    ]
    if not parts:
        return pd.DataFrame(columns=PUBLISHED_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    out["n"] = pd.to_numeric(out["n"], errors="coerce")
    return out


def _links(q: Question, year: int, field: str = "comparable_with") -> set[str]:
    """Ids in ``comparable_with`` (or ``replaces``) that apply to ``year`` (``id`` or ``"<year>:id"``)."""
    out = set()
    for entry in getattr(q, field):
        head, sep, rest = entry.partition(":")
        if not sep:
            out.add(entry)
        elif head.strip() == str(year):
            out.add(rest.strip())
    return out


def _year_question(cb: Codebook, qid: str, latest: Question) -> Question | None:
    if qid in cb:
        return cb.question(qid)
    for cand in sorted(_links(latest, cb.year) | _links(latest, cb.year, "replaces")):
        if cand in cb:
            return cb.question(cand)
    return None


def _trend_labels(q: Question, latest: Question) -> dict[str, str]:
    """Labels of ``q`` renamed to ``latest``'s (same code = same answer); none across a ``replaces`` break."""
    if q is latest or (q.id != latest.id and q.id not in {e.partition(":")[2] or e for e in latest.comparable_with}):
        return {}
    return {old: new for old, new in label_map(q, latest).items() if old != new}


def trend_table(
    qid: str,
    processed: Mapping[int, tuple[pd.DataFrame, Codebook]],
    published: pd.DataFrame | None = None,
    categories: Sequence[str] | None = None,
    *,
    stat: str = "pct",
    report_ref: str = "",
) -> Table:
    """One question over the years: rows = years, columns = categories, plus n, source and break.

    Values of earlier editions come from ``published`` (``question`` = the current id,
    ``status`` ``report_error`` ignored; source "gepubliceerd"); every processed year is
    recomputed with ``question_indicators`` (source "berekend", preferred over a published
    value of the same year). Question ids are stable across years, so the same id means
    the same question (published rows of earlier editions use the current id); an option
    renamed under the same code keeps its series (earlier labels are shown under the
    current one, also in published rows of a question id some processed year has). A year is
    marked as a break ("Breuk" = "ja") when its question has a different id than the
    previous year's and no ``comparable_with`` entry links them: entries are question ids
    (``"policy_2017"``) or year-qualified (``"2017:policy_2017"``). A question that
    ``replaces`` an earlier, non-comparable one still shows the earlier years, with a break.
    """
    if not processed:
        raise ValueError("trend_table needs at least one processed year")
    years_proc = sorted(processed)
    latest_cb = processed[years_proc[-1]][1]
    latest = latest_cb.question(qid)
    long: list[dict[str, Any]] = []
    year_q: dict[int, Question] = {}
    for y in years_proc:
        df, cb = processed[y]
        q = latest if y == years_proc[-1] else _year_question(cb, qid, latest)
        if q is None:
            continue
        year_q[y] = q
        ind = question_indicators(df, q)
        ind = ind[ind["stat"] == stat]
        names = _trend_labels(q, latest)
        for cat, val, n in zip(ind["category"], ind["value"], ind["n"], strict=True):
            long.append({"year": y, "category": names.get(cat, cat), "value": float(val), "n": n, "source": COMPUTED})
    if published is not None and len(published):
        linked = {qid} | {e.partition(":")[2] or e for e in (*latest.comparable_with, *latest.replaces)}
        pub = published[published["question"].isin(linked) & (published["stat"] == stat)]
        if "status" in pub.columns:
            pub = pub[pub["status"] != "report_error"]
        pub_names = {q.id: _trend_labels(q, latest) for q in reversed(list(year_q.values()))}
        for y, pq, cat, val, n in zip(
            pub["year"], pub["question"], pub["category"], pub["value"], pub["n"], strict=True
        ):
            if int(y) in year_q:
                continue
            long.append(
                {
                    "year": int(y),
                    "category": pub_names.get(str(pq), {}).get(str(cat), str(cat)),
                    "value": float(val),
                    "n": None if pd.isna(n) else int(n),
                    "source": PUBLISHED,
                }
            )
    frame = pd.DataFrame(long, columns=["year", "category", "value", "n", "source"])
    pub_ids = {}
    if published is not None and len(published):
        for y, qq in zip(pub["year"], pub["question"], strict=True):
            pub_ids.setdefault(int(y), set()).add(str(qq))
    if categories is None:
        cats = list(dict.fromkeys(frame.loc[frame["year"] == years_proc[-1], "category"]))
    else:
        cats = list(categories)
    frame = frame[frame["category"].isin(cats)].drop_duplicates(["year", "category"])
    years = sorted(frame["year"].unique())
    breaks: dict[int, bool] = {}
    for prev, y in pairwise(years):
        q = year_q.get(y)
        if q is not None:
            prev_q = year_q.get(prev)
            prev_ids = {prev_q.id} if prev_q is not None else set(pub_ids.get(prev, {qid}))
            breaks[y] = q.id not in prev_ids and not prev_ids & _links(q, prev)
    frame["break"] = frame["year"].map(lambda y: breaks.get(y, False))
    wide = frame.pivot(index="year", columns="category", values="value").reindex(index=years, columns=cats)
    n_year = frame.groupby("year")["n"].max().reindex(years)
    src = frame.groupby("year")["source"].first().reindex(years)
    data = wide.copy()
    data.columns = list(cats)
    data["n"] = n_year.astype("Float64")
    data["Bron"] = src
    data["Breuk"] = ["ja" if breaks.get(y, False) else "" for y in years]
    data.index = pd.Index([str(y) for y in years], name="Jaar")
    fmt = "pct" if stat == "pct" or latest.type == "percent" else "num1"
    formats = {c: fmt for c in cats} | {"n": "int", "Bron": "text", "Breuk": "text"}
    rows = [
        (f"{y}: {c}", stat, v, None if pd.isna(n) else int(n))
        for y, c, v, n in zip(frame["year"], frame["category"], frame["value"], frame["n"], strict=True)
    ]
    foot = "Bron: gepubliceerd = waarde uit de eerdere monitor; berekend = opnieuw berekend uit de data."
    if any(breaks.values()):
        foot += " Breuk: de vraag is gewijzigd en niet vergelijkbaar met het jaar ervoor."
    ordered_rows = sorted(rows, key=lambda r: (int(r[0].split(":")[0]), cats.index(r[0].split(": ", 1)[1])))
    return Table(
        data=data,
        question=qid,
        title=latest.text,
        n=None,
        base="",
        kind="trend",
        stat=stat,
        report_ref=report_ref,
        footnote=foot,
        formats=formats,
        indicators=_indicators(ordered_rows),
        meta={"long": frame.reset_index(drop=True), "categories": cats, "breaks": breaks},
    )
