"""Imports only go down the layers (docs/ARCHITECTURE.md): a newcomer can trust the file tree."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "helpers"

#: Rank of each top-level part of ``helpers``; a module may import its own part and lower ranks only.
LAYERS = {
    "paths": 0,
    "survey": 1,
    "load": 2,
    "year": 2,
    "synth": 2,
    "analysis": 3,
    "report": 4,
    "publish": 5,
    "cli": 6,
    "__main__": 7,
}


def _part(module: str) -> str:
    """``helpers.load.cells`` -> ``load``; ``helpers`` -> ``''``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_of(path: Path, package: Path = PACKAGE) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _tree(path: Path) -> ast.Module:
    """The parsed file, once per version of it (every check here reads every module)."""
    st = path.stat()
    return _parse(path, st.st_mtime_ns, st.st_size)


@functools.cache
def _parse(path: Path, mtime_ns: int, size: int) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path, package: Path = PACKAGE) -> list[tuple[int, str]]:
    """Every ``helpers`` module imported by ``path`` (top level, inside functions, TYPE_CHECKING)."""
    module = _module_of(path, package)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "helpers"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "helpers":
                continue
            if target == "helpers":  # from helpers import paths
                found += [(node.lineno, f"helpers.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, target))
    return found


def _violations(package: Path = PACKAGE) -> list[str]:
    bad = []
    for path in sorted(package.rglob("*.py")):
        module = _module_of(path, package)
        own = _part(module)
        if own not in LAYERS and own:
            bad.append(f"{module}: part {own!r} has no layer in LAYERS (add it, and to docs/ARCHITECTURE.md)")
            continue
        for line, target in _imports(path, package):
            other = _part(target)
            if not other or other == own:
                continue
            if other not in LAYERS:
                bad.append(f"{path.relative_to(package.parent)}:{line} imports unknown part {target}")
            elif LAYERS[other] >= LAYERS.get(own, 99):
                bad.append(
                    f"{path.relative_to(package.parent)}:{line}: {own} (layer {LAYERS[own]}) imports {target} "
                    f"(layer {LAYERS[other]})"
                )
    return bad


def test_imports_only_go_down_the_layers() -> None:
    assert _violations() == []


def test_every_part_has_a_layer() -> None:
    parts = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if not p.name.startswith(("_", ".")) or p.name == "__main__.py"
    }
    parts = {p for p in parts if p not in {"py", "__pycache__"} and not p.endswith(".typed")}
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from helpers.report.chapter import x\n", "helpers.report.chapter"),
        ("import helpers.publish\n", "helpers.publish"),
        ("def f():\n    from ..publish import core\n", "helpers.publish"),
    ],
)
def test_an_upward_import_is_caught(tmp_path: Path, source: str, expected: str) -> None:
    """The checker itself sees every form of import (it would pass vacuously otherwise)."""
    package = tmp_path / "helpers"
    (package / "survey").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "survey" / "__init__.py").write_text("")
    probe = package / "survey" / "probe.py"
    probe.write_text(source)
    assert [t for _, t in _imports(probe, package)] == [expected]
    assert len(_violations(package)) == 1


def _graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the ``helpers`` modules it imports (every form, ``from a import module`` resolved)."""
    files = {_module_of(p, package): p for p in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets: set[str] = set()
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("helpers"):
                subs = {f"{node.module}.{a.name}" for a in node.names} & files.keys()
                targets |= subs or {node.module or ""}
        targets |= {
            t for _, t in _imports(path, package) if t in files and not any(s.startswith(t + ".") for s in targets)
        }
        graph[module] = {t for t in targets if t in files and t != module}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle (``a -> b -> a``) or [] (depth-first search)."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


#: Parts checked for import cycles (every part of the package, publish included).
ACYCLIC = (
    "helpers.report",
    "helpers.survey",
    "helpers.analysis",
    "helpers.load",
    "helpers.year",
    "helpers.synth",
    "helpers.publish",
)


@pytest.mark.parametrize("part", ACYCLIC)
def test_no_import_cycle_not_even_for_type_checking(part: str) -> None:
    graph = {m: {t for t in ts if t.startswith(part + ".")} for m, ts in _graph().items() if m.startswith(part + ".")}
    assert _cycle(graph) == [], " -> ".join(_cycle(graph))


def test_a_cycle_through_type_checking_is_caught(tmp_path: Path) -> None:
    package = tmp_path / "helpers"
    (package / "report").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "report" / "__init__.py").write_text("")
    (package / "report" / "a.py").write_text("from helpers.report.b import B\n")
    (package / "report" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from helpers.report import a\n"
    )
    assert _cycle(_graph(package)) == ["helpers.report.a", "helpers.report.b", "helpers.report.a"]


#: The rooms of ``publish`` in the order of the build's stages: a room imports only rooms before it.
PUBLISH_ROOMS = ("base", "execute", "registers", "render", "feedback", "build")


def test_publish_rooms_import_only_earlier_stages() -> None:
    found = {p.name for p in (PACKAGE / "publish").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert found == set(PUBLISH_ROOMS), "a new room of publish belongs in PUBLISH_ROOMS, in stage order"
    loose = sorted(p.name for p in (PACKAGE / "publish").glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"modules of publish live in a room: {loose}"
    wrong = []
    for module, targets in _graph().items():
        if module.count(".") < 3 or not module.startswith("helpers.publish."):
            continue
        room = module.split(".")[2]
        for target in targets:
            if target.startswith("helpers.publish.") and target.count(".") >= 3:
                other = target.split(".")[2]
                if PUBLISH_ROOMS.index(other) > PUBLISH_ROOMS.index(room):
                    wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_two_modules_share_a_file_name() -> None:
    names: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name not in ("__init__.py", "__main__.py"):
            names.setdefault(path.name, []).append(str(path.relative_to(PACKAGE)))
    assert {n: ps for n, ps in names.items() if len(ps) > 1} == {}
