"""Which municipalities respond, and which respondent answers for which of them.

One respondent may answer for several cooperating neighbouring municipalities
(a regional service, a shared social-services organisation). We draw the
represented municipalities per size class, then merge neighbours into respondent
clusters by geography until the wanted number of respondents is reached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import shape

from helpers.survey.vocabulary import SIZE_CLASSES, SMALL_CLASS


@dataclass(frozen=True)
class Cluster:
    """One respondent and the municipalities it answers for (lead first)."""

    codes: tuple[str, ...]
    lead_class: str

    @property
    def weight(self) -> int:
        return len(self.codes)


def centroids(geojson_path: Path) -> pd.DataFrame:
    """Representative points (lon, lat) of each municipality polygon."""
    features = json.loads(Path(geojson_path).read_text(encoding="utf-8"))["features"]
    rows = []
    for f in features:
        pt = shape(f["geometry"]).representative_point()
        rows.append((f["properties"]["gemeentecode"], pt.x, pt.y))
    return pd.DataFrame(rows, columns=["gemeentecode", "lon", "lat"]).set_index("gemeentecode")


def draw_respondents(
    frame: pd.DataFrame,
    points: pd.DataFrame,
    represented: dict[str, int],
    n_respondents: int,
    max_cluster: int,
    rng: np.random.Generator,
) -> list[Cluster]:
    """Draw represented municipalities and group them into ``n_respondents`` clusters.

    G4 municipalities always answer for themselves; G40 municipalities may lead a
    cluster with small neighbours; small municipalities merge with their nearest
    neighbour in the same province.
    """
    chosen = []
    for cls, k in represented.items():
        pool = frame.loc[frame["grootteklasse"] == cls, "gemeentecode"].to_numpy()
        if k > len(pool):
            raise ValueError(f"{k} {cls} municipalities wanted, the frame has {len(pool)}")
        chosen += sorted(rng.choice(pool, size=k, replace=False).tolist())
    info = frame.set_index("gemeentecode").loc[chosen, ["grootteklasse", "provincie"]]
    xy = points.loc[chosen, ["lon", "lat"]].to_numpy() * np.array([0.62, 1.0])  # ~equal-distance at 52°N

    groups: list[list[int]] = [[i] for i in range(len(chosen))]
    classes = info["grootteklasse"].to_numpy()
    provinces = info["provincie"].to_numpy()
    merges = len(chosen) - n_respondents
    if merges < 0:
        raise ValueError("more respondents than municipalities")
    for _ in range(merges):
        groups = _merge_once(groups, xy, classes, provinces, max_cluster, rng)

    clusters = []
    for g in groups:
        lead = min(g, key=lambda i: (SIZE_CLASSES.index(classes[i]), chosen[i]))
        members = [chosen[lead], *sorted(chosen[i] for i in g if i != lead)]
        clusters.append(Cluster(codes=tuple(members), lead_class=str(classes[lead])))
    clusters.sort(key=lambda c: c.codes[0])
    return clusters


def _merge_once(groups, xy, classes, provinces, max_cluster, rng) -> list[list[int]]:
    """Merge one small-municipality group into its nearest eligible neighbour group."""

    def mergeable(g):
        return all(classes[i] == SMALL_CLASS for i in g) and len(g) < max_cluster

    candidates = [k for k, g in enumerate(groups) if mergeable(g)]
    while candidates:
        k = int(rng.choice(candidates))
        src = groups[k]
        centre = xy[src].mean(axis=0)
        best, best_d = None, np.inf
        for j, g in enumerate(groups):
            if j == k or provinces[g[0]] != provinces[src[0]] or len(g) + len(src) > max_cluster:
                continue
            if any(classes[i] == "G4" for i in g):
                continue
            if sum(classes[i] == "G40" for i in g) and len(g) + len(src) > max_cluster // 2 + 1:
                continue
            d = float(np.min(np.linalg.norm(xy[g] - centre, axis=1)))
            if d < best_d:
                best, best_d = j, d
        if best is not None:
            merged = groups[best] + src
            return [g for j, g in enumerate(groups) if j not in (k, best)] + [merged]
        candidates.remove(k)
    raise ValueError("no more municipalities can be merged into clusters; raise max_cluster_size")
