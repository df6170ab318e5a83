"""A small synthetic processed dataset (CONVENTIONS §3) and its codebook, for the analysis helpers.

30 represented municipalities out of a frame of 40 (4 G4, 8 G40, 28 middelgroot/klein),
answered by 24 respondents: R10 answers for one G40 and two small municipalities, R11 for
four and R12 for two small ones. Answers are given per respondent and copied to each
municipality it answered for, as the loader does. Hand-computed expectations are in the
test modules; the counts per respondent are chosen so they can be checked on paper.
"""

from __future__ import annotations

import pandas as pd

from helpers.survey.codebook import Codebook

STATUS = ["beantwoord", "geen antwoord", "niet gevraagd"]
SIZE = ["G4", "G40", "Middelgroot/klein"]

CODEBOOK = {
    "year": 2018,
    "title": "Testmonitor",
    "freeze_date": "2018-04-10",
    "fieldwork": ["2018-03-05", "2018-04-09"],
    "synthetic": True,
    "frame_year": 2018,
    "population_size": 40,
    "scales": {
        "agree5": {
            "options": [
                {"code": 1, "key": "k1", "label": "Helemaal oneens"},
                {"code": 2, "key": "k2", "label": "Oneens"},
                {"code": 3, "key": "k3", "label": "Neutraal"},
                {"code": 4, "key": "k4", "label": "Eens"},
                {"code": 5, "key": "k5", "label": "Helemaal eens"},
            ],
            "nets": [
                {"key": "net38", "label": "(Helemaal) oneens", "codes": [1, 2]},
                {"key": "net36", "label": "(Helemaal) eens", "codes": [4, 5]},
            ],
        }
    },
    "questions": [
        {
            "id": "municipalities",
            "chapter": 2,
            "report_refs": ["Tabel 1"],
            "text": "Voor welke gemeente(n) vult u deze vragenlijst in?",
            "type": "municipality",
            "export_name": "Q1",
            "import_id": "QID1",
        },
        {
            "id": "additional_policy",
            "chapter": 3,
            "report_refs": ["Figuur 3.1"],
            "text": "Is er in uw gemeente aanvullend beleid voor de arbeidstoeleiding van statushouders?",
            "type": "single",
            "options": [
                {"code": 1, "key": "k1", "label": "Ja"},
                {"code": 2, "key": "k2", "label": "Nee"},
                {"code": 3, "key": "k3", "label": "In ontwikkeling"},
            ],
            "export_name": "Q2",
            "import_id": "QID2",
            "comparable_with": ["additional_policy"],
        },
        {
            "id": "policy_other_groups",
            "chapter": 3,
            "text": "Geldt dit beleid ook voor andere groepen?",
            "type": "single",
            "options": [{"code": 1, "key": "k1", "label": "Ja"}, {"code": 2, "key": "k2", "label": "Nee"}],
            "asked_if": {"question": "additional_policy", "in": [1, 3]},
            "export_name": "Q3",
            "import_id": "QID3",
        },
        {
            "id": "integrated_approach",
            "chapter": 3,
            "report_refs": ["Figuur 3.3"],
            "text": "Stelling: In onze gemeente voeren we een integrale aanpak.",
            "type": "single",
            "scale": "agree5",
            "export_name": "Q4",
            "import_id": "QID4",
        },
        {
            "id": "instruments",
            "chapter": 3,
            "report_refs": ["Figuur 3.2"],
            "text": "Welke instrumenten zet uw gemeente in?",
            "type": "multi",
            "options": [
                {"code": 1, "key": "k1", "label": "Taalcursus"},
                {"code": 2, "key": "k2", "label": "Werkervaringsplek"},
                {"code": 3, "key": "k3", "label": "Jobcoach"},
                {"code": 4, "key": "k4", "label": "Anders, namelijk", "other_text": True},
                {"code": 5, "key": "k5", "label": "Geen van deze", "exclusive": True},
            ],
            "export_name": "Q5",
            "import_id": "QID5",
        },
        {
            "id": "top_measures",
            "chapter": 9,
            "report_refs": ["Tabel 9.1"],
            "text": "Welke maatregelen werken het best?",
            "type": "multi",
            "max_answers": 3,
            "options": [
                {"code": 1, "key": "k1", "label": "Maatwerk"},
                {"code": 2, "key": "k2", "label": "Taal"},
                {"code": 3, "key": "k3", "label": "Werkgevers"},
                {"code": 4, "key": "k4", "label": "Begeleiding"},
            ],
            "export_name": "Q6",
            "import_id": "QID6",
        },
        {
            "id": "route_share",
            "chapter": 8,
            "report_refs": ["Tabel 8.1"],
            "text": "Welk percentage van de statushouders is via welke route bemiddeld?",
            "type": "percent",
            "items": [
                {"code": 1, "key": "k1", "label": "Directe bemiddeling"},
                {"code": 2, "key": "k2", "label": "Via onderwijs"},
            ],
            "nets": [{"key": "net30", "label": "Bemiddeld", "codes": [1, 2]}],
            "export_name": "Q7",
            "import_id": "QID7",
        },
        {
            "id": "n_statushouders",
            "chapter": 2,
            "text": "Hoeveel statushouders begeleidt uw gemeente?",
            "type": "count",
            "export_name": "Q8",
            "import_id": "QID8",
        },
        {
            "id": "remarks",
            "chapter": 11,
            "text": "Heeft u nog opmerkingen?",
            "type": "text",
            "level": "respondent",
            "export_name": "Q9",
            "import_id": "QID9",
        },
    ],
}

#: Respondent -> municipality numbers (M01..M30).
RESPONDENT_MUNICIPALITIES: dict[str, list[int]] = {
    **{f"R{i:02d}": [i] for i in range(1, 10)},
    "R10": [10, 11, 12],
    "R11": [13, 14, 15, 16],
    "R12": [17, 18],
    **{f"R{i:02d}": [i + 6] for i in range(13, 25)},
}

# Answers per respondent (None = shown but unanswered, "NA" = not asked).
ADDITIONAL = dict(
    zip(
        [f"R{i:02d}" for i in range(1, 25)],
        ["Ja"] * 7
        + ["Nee", "In ontwikkeling", "Ja", "Nee", "Ja"]
        + ["Ja"] * 4
        + ["Nee"] * 5
        + ["In ontwikkeling"] * 2
        + [None],
        strict=True,
    )
)
OTHER_GROUPS = {
    "R01": "Ja", "R02": "Nee", "R03": "Ja", "R04": "Ja", "R05": "Ja", "R06": "Nee", "R07": "Nee",
    "R09": "Nee", "R10": "Ja", "R12": "Ja", "R13": "Ja", "R14": "Nee", "R15": None, "R16": "Ja",
    "R22": "Nee", "R23": "Ja",
}  # fmt: skip
AGREE = dict(
    zip(
        [f"R{i:02d}" for i in range(1, 25)],
        [5, 4, 4, 2, 4, 3, 4, 1, 5, 4, 2, 3, 5, 4, 4, 3, 2, 1, 4, 4, 3, 5, 4, 4],
        strict=True,
    )
)
INSTRUMENTS = {
    "R01": {1, 2, 3}, "R02": {1, 2}, "R03": {1, 2, 3, 4}, "R04": {2}, "R05": {1, 2}, "R06": {1},
    "R07": {2, 3}, "R08": {5}, "R09": {1, 2}, "R10": {1, 2, 3}, "R11": {1}, "R12": {2},
    "R13": {1, 2}, "R14": {1}, "R15": set(), "R16": {1, 3}, "R17": {5}, "R18": {1, 2}, "R19": {1},
    "R20": {2}, "R21": {1, 2}, "R22": {1, 2, 4}, "R23": {1}, "R24": None,
}  # fmt: skip
ROUTES = {
    **{f"R{i:02d}": (10.0, 20.0) for i in range(1, 5)},
    **{f"R{i:02d}": (20.0, 10.0) for i in range(5, 10)},
    "R10": (30.0, 0.0),
    "R11": (0.0, 40.0),
    "R12": None,
    **{f"R{i:02d}": (10.0, 10.0) for i in range(13, 25)},
}
COUNTS = {
    "R01": 500, "R02": 400, "R03": 300, "R04": 200, "R05": 50, "R06": 60, "R07": 70, "R08": 80,
    "R09": 90, "R10": 20, "R11": 5, "R12": 0,
    **{f"R{i:02d}": i - 13 for i in range(13, 24)}, "R24": None,
}  # fmt: skip
REMARKS = {
    "R01": "Wij werken samen met Stad A en de regio.",
    "R05": "Meer budget nodig.",
    "R11": "Samenwerking in de regio werkt goed.",
    "R13": "   ",
}


def make_codebook() -> Codebook:
    return Codebook.model_validate(CODEBOOK)


def make_frame() -> pd.DataFrame:
    """The municipality frame: 40 municipalities, of which M01..M30 responded."""
    classes = ["G4"] * 4 + ["G40"] * 6 + ["Middelgroot/klein"] * 20 + ["G40"] * 2 + ["Middelgroot/klein"] * 8
    names = ["Stad A", "Stad B", "Stad C", "Stad D"] + [f"Gemeente {i:02d}" for i in range(5, 41)]
    return pd.DataFrame(
        {
            "gemeentecode": [f"GM{9000 + i:04d}" for i in range(1, 41)],
            "gemeentenaam": names,
            "provincie": ["Utrecht"] * 40,
            "inwoners": [100_000 - 1000 * i for i in range(1, 41)],
            "grootteklasse": pd.Categorical(classes, categories=SIZE, ordered=True),
        }
    )


def _status(values: list[str]) -> pd.Categorical:
    return pd.Categorical(values, categories=STATUS)


def make_municipalities() -> pd.DataFrame:
    """``municipalities.parquet`` for the fixture: one row per represented municipality."""
    cb = make_codebook()
    frame = make_frame().iloc[:30]
    resp_of = {m: r for r, ms in RESPONDENT_MUNICIPALITIES.items() for m in ms}
    rows = [resp_of[m] for m in range(1, 31)]
    df = frame.reset_index(drop=True).copy()
    df["respondent_id"] = pd.array(rows, dtype="string")

    def single(qid: str, answers: dict[str, object], asked: set[str] | None = None) -> None:
        q = cb.question(qid)
        labels = [o.label for o in q.options]
        vals, stat = [], []
        for r in rows:
            if asked is not None and r not in asked:
                vals.append(None)
                stat.append("niet gevraagd")
                continue
            a = answers.get(r)
            if isinstance(a, int):
                a = labels[a - 1]
            vals.append(a)
            stat.append("beantwoord" if a is not None else "geen antwoord")
        df[qid] = pd.Categorical(vals, categories=labels, ordered=cb.is_ordered(qid))
        df[f"{qid}__status"] = _status(stat)

    single("additional_policy", ADDITIONAL)
    asked = {r for r, a in ADDITIONAL.items() if a in ("Ja", "In ontwikkeling")}
    single("policy_other_groups", OTHER_GROUPS, asked)
    single("integrated_approach", AGREE)

    def multi(qid: str, answers: dict[str, set[int] | None]) -> None:
        q = cb.question(qid)
        stat = []
        for o in q.options:
            col = []
            for r in rows:
                a = answers.get(r)
                col.append(None if not a else o.code in a)
            df[f"{qid}__{o.code}"] = pd.array(col, dtype="boolean")
            if o.other_text:
                df[f"{qid}__{o.code}__text"] = pd.array(
                    ["iets anders" if (answers.get(r) or set()) & {o.code} else None for r in rows], dtype="string"
                )
        for r in rows:
            a = answers.get(r)
            stat.append("beantwoord" if a else "geen antwoord")
        df[f"{qid}__status"] = _status(stat)

    multi("instruments", INSTRUMENTS)
    top = {f"R{i:02d}": ({1, 2} if i % 2 == 0 else {1, 3, 4}) for i in range(1, 25)}
    multi("top_measures", top)

    for code, idx in ((1, 0), (2, 1)):
        df[f"route_share__{code}"] = pd.array([ROUTES[r][idx] if ROUTES[r] else None for r in rows], dtype="Float64")
    df["route_share__status"] = _status(["beantwoord" if ROUTES[r] else "geen antwoord" for r in rows])
    df["n_statushouders"] = pd.array([COUNTS[r] for r in rows], dtype="Float64")
    df["n_statushouders__status"] = _status(["beantwoord" if COUNTS[r] is not None else "geen antwoord" for r in rows])
    texts = [REMARKS.get(r) for r in rows]
    df["remarks"] = pd.array(texts, dtype="string")
    df["remarks__status"] = _status(["beantwoord" if t else "geen antwoord" for t in texts])
    return df


def make_respondents() -> pd.DataFrame:
    """``respondents.parquet``-like: one row per respondent with comma-joined ``gemeentecodes``."""
    muni = make_municipalities()
    first = muni.drop_duplicates("respondent_id").reset_index(drop=True)
    codes = muni.groupby("respondent_id", sort=False)["gemeentecode"].agg(",".join)
    out = first.drop(columns=["gemeentecode", "gemeentenaam", "provincie", "inwoners", "grootteklasse"])
    out.insert(1, "gemeentecodes", out["respondent_id"].map(codes).astype("string"))
    out.insert(1, "n_municipalities", out["respondent_id"].map(muni["respondent_id"].value_counts()).astype(int))
    return out
