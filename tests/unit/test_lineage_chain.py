"""Lineage across more than one edition: a 2021 edition scaffolded from 2020 (as ``make new-year`` does).

2020 split the 2019 option ``work_placements`` into two parts (``split_from``). In 2021 the parts are
ordinary keys: the 2020→2021 comparison and the 2018→2021 trend keep them, and the split option
continues as their sum in every year — also when the 2021 codebook still carries 2020's
``split_from`` (a codebook copied by hand), which names no key of 2020 and is ignored.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from shipped import processed

from helpers import paths
from helpers.analysis.edition_changes import question_changes
from helpers.analysis.frequencies import combined_value
from helpers.analysis.trends import load_published, series, trend_keys, trend_table
from helpers.survey.codebook import Codebook, load_codebook
from helpers.survey.lineage import QuestionHistory, continued_categories
from helpers.year.scaffold import scaffold_year

QID = "measures_offered"
PARTS = ["work_placements_municipal", "work_placements_employers"]
SUM = "work_placements"


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> dict[int, tuple[Codebook, pd.DataFrame]]:
    """2018–2020 processed from the shipped exports; 2021 = 2020's codebook scaffolded, 2020's answers changed."""
    root = tmp_path_factory.mktemp("chain")
    out = {y: (load_codebook(paths.codebook_path(y)), processed(y).municipalities) for y in (2018, 2019, 2020)}
    raw = root / "raw"
    (raw / "2020").mkdir(parents=True)
    shutil.copy(paths.codebook_path(2020), raw / "2020" / "codebook.yaml")
    (raw / "reference").mkdir()
    codebook21 = load_codebook(scaffold_year(2021, 2020, raw_dir=raw).codebook)
    df21 = out[2020][1].copy()
    employers = "measures_offered__21"  # fewer municipalities offer placements with other employers in 2021
    ticked = df21.index[df21[employers].fillna(False).astype(bool)][:40]
    df21.loc[ticked, employers] = False
    out[2021] = (codebook21, df21)
    return out


def _history(editions, codebook21: Codebook | None = None) -> QuestionHistory:
    books = {y: cb for y, (cb, _) in editions.items()}
    return QuestionHistory(books | ({2021: codebook21} if codebook21 is not None else {}))


def _hand_copied_2021() -> Codebook:
    """The 2020 codebook with only its year changed: it still says ``split_from: work_placements``."""
    raw = yaml.safe_load(paths.codebook_path(2020).read_text(encoding="utf-8"))
    raw.update(year=2021, frame_year=2021)
    return Codebook.model_validate(raw)


def _union(df: pd.DataFrame, cb: Codebook, keys: list[str]) -> float:
    q = cb.question(QID)
    return combined_value(df, q, {c for k in keys for c in q.category(k).codes}, "pct")[0]


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return load_published(range(2000, 2021))


@pytest.mark.parametrize("variant", ["scaffolded", "hand-copied"])
def test_the_trend_2018_2021_keeps_the_parts_and_the_continued_sum(editions, published, variant):
    history = _history(editions, None if variant == "scaffolded" else _hand_copied_2021())
    q = history.codebooks[2021].question(QID)
    assert [c.key for c in continued_categories(history, q, 2021)] == [SUM]
    assert trend_keys(history, q, 2021, [SUM]) == [SUM, *PARTS]
    assert trend_keys(history, q, 2021, [PARTS[1]]) == [SUM, *PARTS]
    data = {y: df for y, (_, df) in editions.items()}
    table = trend_table(history, q, 2021, data, published, [SUM])
    label, *parts = table.meta["categories"]
    assert label == "Werkervaringsplekken" and len(parts) == 2
    computed = table.data[table.data["Bron"] == "berekend"]
    assert computed.index.tolist() == ["2018", "2019", "2020", "2021"]
    for y in (2018, 2019):
        cb, df = editions[y]
        assert computed.loc[str(y), label] == pytest.approx(_union(df, cb, [SUM]))
        assert computed.loc[str(y), parts].isna().all()  # a part alone has no number before the split
    for y in (2020, 2021):
        cb, df = editions[y]
        assert computed.loc[str(y), label] == pytest.approx(_union(df, cb, PARTS))
        assert computed.loc[str(y), parts].tolist() == pytest.approx([_union(df, cb, [k]) for k in PARTS])
    assert computed.loc["2021", label] < computed.loc["2020", label]  # the changed 2021 answers are read
    assert (table.data["Breuk"] == "").all()


@pytest.mark.parametrize("variant", ["scaffolded", "hand-copied"])
def test_the_comparison_2020_2021_keeps_the_parts_and_the_continued_sum(editions, published, variant):
    history = _history(editions, None if variant == "scaffolded" else _hand_copied_2021())
    q = history.codebooks[2021].question(QID)
    data = {y: df for y, (_, df) in editions.items()}
    changes = {c.key: c.change for c in question_changes(history, q, 2021, data, published)}
    for key in PARTS:
        assert changes[key].year_before == 2020 and changes[key].year_after == 2021
    assert changes[PARTS[1]].after < changes[PARTS[1]].before
    rows = series(history, q, 2021, data, published, SUM).set_index("year")
    assert rows.loc[[2020, 2021], "value"].tolist() == pytest.approx(
        [_union(editions[y][1], editions[y][0], PARTS) for y in (2020, 2021)]
    )
    assert not rows["break"].any()


def test_2019_2020_the_split_option_continues_as_the_sum_of_its_parts(editions, published):
    history = _history({y: e for y, e in editions.items() if y < 2021})
    q = history.codebooks[2020].question(QID)
    (continued,) = continued_categories(history, q, 2020)
    assert (continued.key, continued.label, continued.parts, continued.last_year) == (
        SUM,
        "Werkervaringsplekken",
        tuple(PARTS),
        2019,
    )
    data = {y: df for y, (_, df) in editions.items() if y < 2021}
    rows = series(history, q, 2020, data, published, SUM).set_index("year")
    assert round(rows.loc[2019, "value"], 1) == round(rows.loc[2020, "value"], 1) == 79.0
