"""indicators.csv and quotes.csv are assembled only from parts that pass their schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.publish.base.cache import damaged, owner, produced_files
from helpers.publish.registers.indicators import QUOTES, IndicatorError, assemble

HEAD = "year,chapter,question,report_ref,category,stat,value,n,build_ref\n"


def _part(root: Path, sub: str, name: str, text: str) -> Path:
    (root / sub).mkdir(parents=True, exist_ok=True)
    path = root / sub / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2018,3,q,,Ja,pct,59.9,F", r"03_x\.csv, regel 2: 8 velden, verwacht 9 \(afgebroken\?\)"),
        ("2018,3,q,,Ja,pct,veel,282,F", r"regel 2, kolom value: 'veel'; verwacht een getal"),
        ("2018,3,q,,Ja,procent,59.9,282,F", r"regel 2, kolom stat: 'procent'; verwacht een van pct"),
        ("2018,drie,q,,Ja,pct,59.9,282,F", r"kolom chapter: 'drie'; verwacht een hoofdstuknummer"),
        ("2018,3,q,,Ja,pct,59.9,282.5,F", r"kolom n: '282.5'; verwacht een aantal of leeg"),
        ("2018,3,q,,Ja,pct,59.9,282,", r"kolom build_ref: ''; verwacht het label"),
        ('2018,3,q,,"Ja,pct,59.9,282,F', r"03_x\.csv: geen geldige CSV"),
    ],
)
def test_a_damaged_indicator_part_is_refused_with_file_and_line(tmp_path, body, message):
    _part(tmp_path, "indicators", "03_x", HEAD + body + "\n")
    with pytest.raises(IndicatorError, match=message):
        assemble(tmp_path, ["03_x"])
    assert not (tmp_path / "indicators.csv").exists()


def test_extra_columns_are_allowed_but_required_ones_are_not_optional(tmp_path):
    _part(
        tmp_path, "indicators", "03_x", HEAD.replace(",build_ref\n", ",build_ref,key\n") + "2018,3,q,,Ja,pct,1,2,F,ja\n"
    )
    assert assemble(tmp_path, ["03_x"]).read_text().endswith("2018,3,q,,Ja,pct,1,2,F,ja,q.ja.pct\n")  # + its id
    _part(tmp_path, "indicators", "04_y", HEAD.replace("stat,", "") + "2018,4,q,,Ja,1,2,F\n")
    with pytest.raises(IndicatorError, match=r"04_y\.csv, regel 1: kolom\(men\) stat ontbreken"):
        assemble(tmp_path, ["04_y"])


def test_quotes_parts_are_assembled_and_checked(tmp_path):
    head = "chapter,question,quote_id,size_class,text,redacted\n"
    _part(tmp_path, "quotes", "03_x", head + '3,q,0123456789,G4/G40-gemeente,"Tekst, met komma",gemeentenaam\n')
    _part(tmp_path, "quotes", "09_y", head + "9,r,abcdef0123,Middelgrote/kleine gemeente,Tekst,\n")
    out = assemble(tmp_path, ["03_x", "09_y"], QUOTES)
    assert out.name == "quotes.csv" and out.read_text().count("\n") == 3
    _part(tmp_path, "quotes", "10_z", head + "10,r,R_1oSwClUAOnj,Middelgrote/kleine gemeente,Tekst,\n")
    with pytest.raises(IndicatorError, match=r"kolom quote_id: 'R_1oSwClUAOnj'; verwacht 10 hexadecimale tekens"):
        assemble(tmp_path, ["10_z"], QUOTES)


def test_parts_are_attributed_to_their_notebook_and_verified(tmp_path):
    stems = ["00_data_preparation", "03_policy", "10_preconditions"]
    assert owner("executed/03_policy.ipynb", stems) == "03_policy"
    assert owner("figures/figuur_3_2.png", stems) == "03_policy"
    assert owner("figures/figuur_10_1.png", stems) == "10_preconditions"
    assert owner("figures/10_preconditions/kaart.png", stems) == "10_preconditions"
    assert owner("site/03_policy.html", stems) is None and owner("indicators.csv", stems) is None
    _part(tmp_path, "indicators", "03_policy", HEAD)
    files = produced_files(tmp_path, stems)
    assert list(files) == ["03_policy"] and damaged(tmp_path, files["03_policy"]) == []
    (tmp_path / "indicators" / "03_policy.csv").write_text("year\n")
    assert damaged(tmp_path, files["03_policy"]) == ["indicators/03_policy.csv"]
    assert damaged(tmp_path, None) == ["(geen controlegetallen in het manifest)"]
