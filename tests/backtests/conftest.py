"""Processed 2018 data built once per test session from the shipped raw files into a temp dir."""

from pathlib import Path

import pandas as pd
import pytest

from helpers import paths
from helpers.load.export import build_processed
from helpers.survey.codebook import load_codebook


@pytest.fixture(scope="session")
def processed_2018(tmp_path_factory) -> dict[str, pd.DataFrame]:
    out: Path = tmp_path_factory.mktemp("processed")
    build_processed(2018, processed_dir=out)
    return {
        "municipalities": pd.read_parquet(out / "2018" / "municipalities.parquet"),
        "respondents": pd.read_parquet(out / "2018" / "respondents.parquet"),
        "frame": pd.read_csv(paths.frame_path(2018), dtype={"inwoners": int}),
        "codebook": load_codebook(paths.codebook_path(2018)),
    }


def published_rows(status: str) -> list:
    """Rows of the published 2018 figures with the given status (collection time, no fixture)."""
    df = pd.read_csv(paths.PUBLISHED_DIR / "monitor_2018.csv", dtype={"category": str}, keep_default_na=False)
    df["value"] = df["value"].astype(float)
    df["n"] = pd.to_numeric(df["n"], errors="coerce")
    return list(df[df["status"] == status].itertuples(index=False))
