"""Content hashes that decide which notebooks must run again, and the manifest that stores them.

The manifest also records the sha256 of every file a build produced, by owner: each notebook's
parts (executed notebook, indicator part, quotes part, figures, data files), the build's own files
(PDF, HTML, ``indicators.csv`` …) and the hidden render state (``.render/``). Before a part is reused it
is verified against that hash (:func:`damaged`) and copied only as verified (:func:`copy_verified`); a
missing or changed part is never published, the notebook runs again. The manifest carries its own
checksum: a truncated or edited manifest verifies nothing, so nothing is reused (:func:`read_manifest`).

A notebook's key hashes its own cells, the shared inputs (raw data of the year, codebook, reference
files, ``src/helpers`` sources except this build package), its parameters (``build_dir`` as the
executed notebook shows it, not the temporary directory) and the keys of the notebooks it depends on. So a change to one
chapter changes that chapter's key and the key of ``01`` only; a change to the data changes them all.
Only the standard library (and ``report.location``, for headings) is imported here, so a no-change rebuild stays fast.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from helpers.report.location import cell_source, headings
from helpers.survey.vocabulary import FIGURES_DIR, SITE_DIR

#: Bump when the key recipe, the executed-notebook format or the manifest changes; invalidates every cache entry.
CACHE_VERSION = 3
MANIFEST_NAME = "build-manifest.json"
#: Manifest field holding the sha256 of the rest of the manifest.
CHECKSUM = "checksum"


class CacheError(RuntimeError):
    """A verified part changed while it was copied: the build stops rather than publish it."""


_VOLATILE_CELL_METADATA = frozenset({"execution", "papermill", "collapsed", "scrolled", "ExecuteTime", "jupyter"})
_VOLATILE_NB_METADATA = frozenset({"kernelspec", "language_info", "papermill", "widgets"})
_SKIP_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache"})


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_digest(paths: Iterable[Path], suffixes: tuple[str, ...] = (), exclude: Iterable[Path] = ()) -> str:
    """Digest over files and directory trees: relative names and contents, in sorted order.

    Missing paths count as "absent" (so creating one changes the digest). ``suffixes`` filters files
    inside directories; ``exclude`` drops subtrees.
    """
    excluded = [Path(p).resolve() for p in exclude]
    entries: list[tuple[str, str]] = []
    for root in paths:
        root = Path(root)
        if root.is_file():
            entries.append((root.name, file_digest(root)))
            continue
        if not root.is_dir():
            entries.append((root.name, "absent"))
            continue
        for f in sorted(root.rglob("*")):
            rel = f.relative_to(root)
            if not f.is_file() or _SKIP_DIRS.intersection(rel.parts) or any(x.startswith(".") for x in rel.parts):
                continue
            if suffixes and f.suffix not in suffixes:
                continue
            if any(f.resolve().is_relative_to(e) for e in excluded):
                continue
            entries.append((f"{root.name}/{rel.as_posix()}", file_digest(f)))
    return _sha(_canonical(entries))


def notebook_digest(path: Path) -> str:
    """Digest of what a notebook *means*: cell types, sources and metadata, not outputs or timestamps.

    Re-saving an unchanged notebook (new execution counts, kernelspec, outputs) keeps the digest.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return _sha(_canonical({"cells": [_cell_entry(c) for c in nb.get("cells", [])], "metadata": _notebook_meta(nb)}))


def _cell_entry(cell: dict[str, Any]) -> list[Any]:
    """A cell as the digests see it: type, source and the metadata a run or a save does not change."""
    meta = {k: v for k, v in cell.get("metadata", {}).items() if k not in _VOLATILE_CELL_METADATA}
    return [cell.get("cell_type"), cell_source(cell), meta]


def _notebook_meta(nb: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in nb.get("metadata", {}).items() if k not in _VOLATILE_NB_METADATA}


def code_digest(path: Path) -> str:
    """Digest of what a notebook *computes*: its code (and raw) cells with their metadata, the Markdown headings
    between them (a kernel reads the heading above a cell, ``report.location``) and the notebook metadata.

    Prose in Markdown cells is left out: two notebooks with the same code digest give the same outputs, so
    an edit to the prose alone needs no kernel (:func:`prose_reusable`).
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells: list[Any] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            cells.append(_cell_entry(cell))
        elif headings(cell):
            cells.append(["headings", headings(cell)])
    return _sha(_canonical({"cells": cells, "metadata": _notebook_meta(nb)}))


def notebook_key(
    name: str,
    source_digest: str,
    inputs_digest: str,
    params: Mapping[str, Any],
    dep_keys: Mapping[str, str],
) -> str:
    """Cache key of one notebook execution."""
    return _sha(
        _canonical(
            {
                "v": CACHE_VERSION,
                "name": name,
                "source": source_digest,
                "inputs": inputs_digest,
                "params": dict(params),
                "deps": dict(sorted(dep_keys.items())),
            }
        )
    )


def compute_keys(
    order: list[str],
    graph: Mapping[str, frozenset[str]],
    source_digests: Mapping[str, str],
    inputs_digest: str,
    params: Mapping[str, Mapping[str, Any]],
) -> dict[str, str]:
    """Keys for every notebook; ``order`` must list dependencies before dependents."""
    keys: dict[str, str] = {}
    for name in order:
        deps = {d: keys[d] for d in graph[name]}
        keys[name] = notebook_key(name, source_digests[name], inputs_digest, params[name], deps)
    return keys


def render_key(exec_keys: Iterable[str], templates_digest: str, code_digest: str, meta: Mapping[str, Any]) -> str:
    """Key of the rendered PDF and HTML: executed notebooks (in report order), templates, build code, metadata."""
    return _sha(
        _canonical(
            {"v": CACHE_VERSION, "exec": list(exec_keys), "tpl": templates_digest, "code": code_digest, "meta": meta}
        )
    )


def explain(
    name: str, key: str, source: str, inputs: Mapping[str, str], reran_deps: Iterable[str], manifest: Mapping[str, Any]
) -> str:
    """Why ``name`` is not taken from the cache, in words (for the progress output)."""
    prev = manifest.get("notebooks", {}).get(name)
    if not prev:
        return "nieuw"
    if prev.get("key") == key:
        return "uitgevoerde versie ontbreekt"
    if prev.get("source") != source:
        return "notebook gewijzigd"
    old = manifest.get("inputs", {})
    changed = [k for k in inputs if old.get(k) != inputs[k]]
    if changed:
        return " en ".join(changed) + " gewijzigd"
    deps = sorted(reran_deps)
    if deps:
        return "hangt af van " + ", ".join(deps)
    return "parameters gewijzigd"


def read_manifest(report_dir: Path) -> tuple[dict[str, Any], str | None]:
    """The manifest of the previous successful build and, when it cannot be trusted, why (Dutch).

    No report yet (a first build) is not a problem; a report without its manifest, or with an
    unreadable, truncated or edited one (its checksum does not match), or one of another cache version,
    is: then the empty manifest is returned and nothing of that report may be reused.
    """
    path = Path(report_dir) / MANIFEST_NAME
    empty: dict[str, Any] = {"notebooks": {}}
    if not path.is_file():
        return empty, f"{MANIFEST_NAME} ontbreekt" if Path(report_dir).exists() else None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return empty, f"{MANIFEST_NAME} onleesbaar ({type(exc).__name__})"
    if not isinstance(data, dict) or data.get("cache_version") != CACHE_VERSION:
        return empty, f"{MANIFEST_NAME} van een andere cacheversie"
    if data.get(CHECKSUM) != _checksum(data):
        return empty, f"{MANIFEST_NAME} beschadigd (controlegetal klopt niet)"
    return data, None


def load_manifest(report_dir: Path) -> dict[str, Any]:
    """The manifest of the previous successful build, or an empty one when there is none to trust."""
    return read_manifest(report_dir)[0]


def _checksum(manifest: Mapping[str, Any]) -> str:
    return _sha(_canonical({k: v for k, v in manifest.items() if k != CHECKSUM}))


def write_manifest(report_dir: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest with its checksum (sorted keys, trailing newline; no timestamps: reproducible)."""
    body = dict(manifest, cache_version=CACHE_VERSION)
    body[CHECKSUM] = _checksum(body)
    (Path(report_dir) / MANIFEST_NAME).write_text(
        json.dumps(body, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


# --- produced files ------------------------------------------------------------------------

_FIGURE = re.compile(r"^figuur_(\d+)_")


def owner(rel: str, stems: Iterable[str]) -> str | None:
    """The notebook that produced build file ``rel`` (``executed/03_policy.ipynb``, ``indicators/03_policy.csv``,
    ``figures/03_policy/…``, ``figures/figuur_3_2.png``), or None for a file of the build itself."""
    parts = rel.split("/")
    stems = list(stems)
    if parts[0] == SITE_DIR or len(parts) == 1:  # the site (pages and copies) and the build's own files
        return None
    for stem in stems:
        if stem in parts[:-1] or parts[-1].startswith(f"{stem}."):
            return stem
    figure = _FIGURE.match(parts[-1]) if parts[0] == FIGURES_DIR else None
    if figure:
        return next((s for s in stems if s[:2].isdigit() and int(s[:2]) == int(figure.group(1))), None)
    return None


def produced_files(root: Path, stems: Iterable[str], skip: Iterable[str] = ()) -> dict[str, dict[str, str]]:
    """sha256 of every file under ``root`` by owner (notebook stem, or ``""`` for the build's own files).

    Hidden files and folders (``.render/``) are left out: see :func:`hidden_files`.
    """
    root, skipped = Path(root), set(skip)
    out: dict[str, dict[str, str]] = {}
    for f in sorted(root.rglob("*")):
        rel = f.relative_to(root).as_posix()
        if f.is_file() and rel not in skipped and not rel.startswith("."):
            out.setdefault(owner(rel, stems) or "", {})[rel] = file_digest(f)
    return out


def hidden_files(root: Path, folder: str) -> dict[str, str]:
    """sha256 of every file under ``root/folder`` (the render state the next build reuses)."""
    base = Path(root) / folder
    return {f.relative_to(root).as_posix(): file_digest(f) for f in sorted(base.rglob("*")) if f.is_file()}


def damaged(root: Path, files: Mapping[str, str] | None) -> list[str]:
    """Files of ``files`` (relative path -> sha256) missing under ``root`` or with other content.

    ``None`` (a manifest without hashes) counts as damaged: what cannot be verified is not reused.
    """
    if files is None:
        return ["(geen controlegetallen in het manifest)"]
    out = []
    for rel, digest in sorted(files.items()):
        path = Path(root) / rel
        try:
            ok = path.is_file() and file_digest(path) == digest
        except OSError:
            ok = False
        if not ok:
            out.append(rel)
    return out


def listed(files: list[str], k: int = 3) -> str:
    """``a, b, c en nog 4``: files named in a progress line."""
    return ", ".join(files[:k]) + (f" en nog {len(files) - k}" if len(files) > k else "")


def reusable(
    final: Path,
    order: list[str],
    graph: Mapping[str, frozenset[str]],
    prep: set[str],
    keys: Mapping[str, str],
    manifest: Mapping[str, Any],
    processed_dir: Path | None,
) -> tuple[set[str], dict[str, str]]:
    """Notebooks whose key matches the last build and whose parts all match their recorded hashes.

    Returns the reusable names and, for notebooks that run although their key matches, the reason: a
    damaged or missing part (then the notebooks that depend on it run too), or missing processed data.
    """
    out: set[str] = set()
    reasons: dict[str, str] = {}
    rebuilt: set[str] = set()
    entries = manifest.get("notebooks", {})
    for name in order:
        entry = entries.get(name, {})
        if entry.get("key") != keys[name]:
            continue
        bad = damaged(final, entry.get("parts"))
        deps = sorted(set(graph[name]) & rebuilt)
        if bad:
            reasons[name] = f"uitvoer beschadigd of verdwenen ({listed(bad)}); opnieuw uitvoeren"
            rebuilt.add(name)
        elif deps:
            reasons[name] = "hangt af van " + ", ".join(deps)
            rebuilt.add(name)
        elif name in prep and processed_dir is not None and not any(Path(processed_dir).glob("*")):
            reasons[name] = "verwerkte gegevens ontbreken"
        else:
            out.add(name)
    return out, reasons


def prose_reusable(
    final: Path,
    order: list[str],
    graph: Mapping[str, frozenset[str]],
    reused: set[str],
    blocked: set[str],
    code: Mapping[str, str],
    key_of: Any,
    manifest: Mapping[str, Any],
) -> set[str]:
    """Notebooks (not in ``reused`` nor ``blocked``) whose outputs the last build already made: only their
    prose changed.

    A notebook qualifies when its code digest (``code``) equals the one recorded, its recorded key comes out
    again from its recorded source with today's inputs, parameters and the recorded keys of its dependencies
    (``key_of(name, source, dep_keys)``), each dependency's outputs are reused too, and every recorded part
    still has its hash. Its executed notebook then only needs today's Markdown (``prose_reuse``).
    """
    entries = manifest.get("notebooks", {})
    out: set[str] = set()
    for name in order:
        entry = entries.get(name) or {}
        deps = graph[name]
        if name in reused | blocked or not entry.get("code") or entry.get("code") != code[name]:
            continue
        if any(d not in reused | out for d in deps):
            continue
        dep_keys = {d: entries.get(d, {}).get("key", "") for d in deps}
        same_key = key_of(name, entry.get("source", ""), dep_keys) == entry.get("key")
        if same_key and not damaged(final, entry.get("parts")):
            out.add(name)
    return out


def copy_verified(final: Path, staging: Path, files: Mapping[str, str]) -> None:
    """Copy ``files`` (relative path -> sha256) from ``final`` to ``staging``, each checked as copied.

    Raises CacheError when a copy does not have its recorded hash (the part changed after it was verified).
    """
    for rel, digest in sorted(files.items()):
        target = Path(staging) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(final) / rel, target)
        if file_digest(target) != digest:
            target.unlink()
            raise CacheError(f"{rel} veranderde tijdens de build; start de build opnieuw")


def carry_over(final: Path, staging: Path, keep: set[str], manifest: Mapping[str, Any]) -> None:
    """Start the staging dir with the verified parts of the reused notebooks (nothing else of the old report)."""
    entries = manifest.get("notebooks", {})
    for name in sorted(keep):
        copy_verified(final, staging, entries.get(name, {}).get("parts") or {})
