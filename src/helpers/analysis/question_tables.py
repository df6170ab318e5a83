"""Chapter-facing tables: one ``Table`` per view, rendered as a Dutch pipe table.

Every builder takes its numbers from ``helpers.analysis.frequencies.question_indicators`` and
returns a ``Table`` that carries the display frame (unrounded numbers), the base, the
footnote and ``indicators`` — the long ``category, stat, value, n`` rows of exactly the
numbers shown, which the registry records. Rounding happens only in ``to_markdown``.

Disclosure: a share or mean whose base is fewer than ``MIN_BASE`` (5) municipalities is
shown as "–", explained in a footnote and not recorded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import pandas as pd

from helpers.analysis.frequencies import answered_mask, base_n, question_indicators
from helpers.analysis.quotes import text_answers
from helpers.analysis.response import response_table
from helpers.analysis.table import Table, lookup, number_rows, report_ref_of
from helpers.survey.codebook import Codebook, Question
from helpers.survey.formatting import fmt_number
from helpers.survey.routing import describe_routing
from helpers.survey.vocabulary import MIN_BASE, SUPPRESSION_NOTE


def describe_base(cb: Codebook, q: Question) -> str:
    """Dutch base description: who answered, and the routing filter if any."""
    unit = "respondenten" if q.level == "respondent" else "gemeenten"
    if q.asked_if is None:
        return f"alle {unit} die de vraag beantwoordden"
    return f"{unit} die de vraag beantwoordden; alleen gesteld aan {describe_routing(q.asked_if, cb, unit=unit)}"


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
    qid: str | Question,
    collapse: bool = False,
    *,
    counts: bool = False,
    report_ref: str | None = None,
) -> Table:
    """Shares of a single-choice question: all options in codebook order, or nets (``collapse``)."""
    q = cb.question(qid)
    qid = q.id
    ind = question_indicators(df, q)
    n = base_n(df, q)
    labels = collapsed_categories(q) if (collapse and q.nets) else [o.label for o in q.options]
    small = n < MIN_BASE
    pct = [math.nan if small else lookup(ind, lab, "pct")[0] for lab in labels]
    data = pd.DataFrame({"Percentage": pct}, index=pd.Index(labels, name="Antwoord"))
    formats = {"Percentage": "pct"}
    rows = [(lab, "pct", v, n) for lab, v in zip(labels, pct, strict=True)]
    if counts:
        cnt = [math.nan if small else lookup(ind, lab, "count")[0] for lab in labels]
        data.insert(0, "Aantal", cnt)
        formats["Aantal"] = "int"
        rows += [(lab, "count", v, n) for lab, v in zip(labels, cnt, strict=True)]
    is_scale = cb.is_ordered(q)
    return _question_table(
        qid,
        q,
        cb,
        report_ref,
        data,
        rows,
        n=n,
        kind="likert" if is_scale else "single",
        stat="pct",
        footnote=SUPPRESSION_NOTE if small else "",
        formats=formats,
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
    df: pd.DataFrame, cb: Codebook, qid: str | Question, sort: bool = True, *, report_ref: str | None = None
) -> Table:
    """Shares per option of a multi-answer question (base: municipalities that answered).

    With ``sort``, options are sorted by share (descending, ties in codebook order), then
    "anders, namelijk" options, then exclusive options ("geen van deze"), as in the report.
    """
    q = cb.question(qid)
    qid = q.id
    ind = question_indicators(df, q)
    n = base_n(df, q)
    small = n < MIN_BASE
    labels = multi_order(q, lambda label: lookup(ind, label, "pct")[0], sort=sort)
    pct = [math.nan if small else lookup(ind, lab, "pct")[0] for lab in labels]
    mean_answers = math.nan if small else lookup(ind, "", "answers_mean")[0]
    data = pd.DataFrame({"Percentage": pct}, index=pd.Index(labels, name="Antwoord"))
    limit = f"Maximaal {q.max_answers} antwoorden mogelijk" if q.max_answers else "Meerdere antwoorden mogelijk"
    foot = f"{limit}; gemiddeld {fmt_number(mean_answers, 1)} antwoorden." if not small else f"{limit}."
    if small:
        foot += " " + SUPPRESSION_NOTE
    rows = [(lab, "pct", v, n) for lab, v in zip(labels, pct, strict=True)] + [("", "answers_mean", mean_answers, n)]
    rows += [
        (net.label, "pct", math.nan if small else lookup(ind, net.label, "pct")[0], n)
        for net in q.nets
        if len(net.codes) == 1
    ]
    return _question_table(
        qid,
        q,
        cb,
        report_ref,
        data,
        rows,
        n=n,
        kind="multi",
        stat="pct",
        footnote=foot,
        formats={"Percentage": "pct"},
        meta={"answers_mean": mean_answers, "max_answers": q.max_answers},
    )


def estimate_table(
    df: pd.DataFrame, cb: Codebook, qid: str | Question, *, decimals: int | None = None, report_ref: str | None = None
) -> Table:
    """Mean and median per item (and per net) of a percent or count question, with n per item."""
    q = cb.question(qid)
    qid = q.id
    if q.type not in {"percent", "count"}:
        raise ValueError(f"{qid} is a {q.type} question; estimate_table needs percent or count")
    ind = question_indicators(df, q)
    labels = [it.label for it in q.items] + [net.label for net in q.nets] or [""]
    rows, means, medians, ns = [], [], [], []
    for lab in labels:
        mean, n_item = lookup(ind, lab, "mean")
        median, _ = lookup(ind, lab, "median")
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
    return _question_table(
        qid,
        q,
        cb,
        report_ref,
        data,
        rows,
        n=base_n(df, q),
        kind="estimate",
        stat="mean",
        footnote=foot,
        formats={"Gemiddelde": kind, "Mediaan": kind, "n": "int"},
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
    qid: str | Question,
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
    qid = q.id
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
    return _question_table(
        qid,
        q,
        cb,
        report_ref,
        data,
        rows,
        n=n,
        kind="count",
        stat="pct",
        footnote=foot,
        formats={"Percentage": "pct"},
        meta={"median": median},
    )


def default_table(df: pd.DataFrame, cb: Codebook, qid: str | Question, *, frame: pd.DataFrame | None = None) -> Table:
    """The default table of a question by its type (see ``Chapter.default_view``)."""
    q = cb.question(qid)
    qid = q.id
    if q.type == "single":
        return single_choice_table(df, cb, qid)
    if q.type == "multi":
        return multi_answer_table(df, cb, qid)
    if q.type == "percent":
        return estimate_table(df, cb, qid)
    if q.type == "count":
        return estimate_table(df, cb, qid) if q.items else count_summary(df, cb, qid)
    if q.type == "text":
        return text_answers(df, cb, qid, frame)
    if q.type == "municipality":
        if frame is None:
            raise ValueError("the response table needs the municipality frame (frame=...)")
        return response_table(frame, df, cb)
    raise ValueError(f"no default view for a {q.type} question")


def _question_table(
    qid: str,
    q: Question,
    cb: Codebook,
    report_ref: str | None,
    data: pd.DataFrame,
    rows: Iterable[tuple[str, str, float, int | None]],
    *,
    n: int,
    kind: str,
    stat: str,
    footnote: str,
    formats: dict[str, str],
    meta: dict,
) -> Table:
    """The table of one question: title, base, reference and indicators as every question table has them."""
    return Table(
        data=data,
        question=qid,
        title=q.text,
        n=n,
        base=describe_base(cb, q),
        kind=kind,
        stat=stat,
        report_ref=report_ref_of(q, report_ref),
        footnote=footnote,
        formats=formats,
        indicators=number_rows(rows),
        meta=meta,
    )
