"""Docs that cannot drift: every module, file, make target and ``monitor`` command the docs name exists."""

from __future__ import annotations

import importlib
import re

import pytest

from helpers import paths

ROOT = paths.PROJECT_ROOT
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "data" / "raw" / "reference" / "README.md"]
_CODE = re.compile(r"`([^`\n]+)`")
_PATH = re.compile(r"^(?:src|tests|notebooks|templates|scripts|docs|data/raw|\.ci)/[\w./*-]*$")
_MODULE = re.compile(r"^(helpers(?:\.\w+)+)")
_MAKE = re.compile(r"\bmake ([a-z][\w-]*)")
_MONITOR = re.compile(r"\bmonitor ([a-z][\w-]*)")


def _snippets() -> list[tuple[str, str]]:
    return [(doc.name, s) for doc in DOCS if doc.is_file() for s in _CODE.findall(doc.read_text(encoding="utf-8"))]


def _exists(ref: str) -> bool:
    if "<" in ref or "{" in ref or "NN" in ref:
        return True  # a pattern (`reports/<year>/`), not a path
    ref = ref.rstrip("/.,")
    return bool(list(ROOT.glob(ref))) if "*" in ref else (ROOT / ref).exists()


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-zA-Z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def _monitor_commands() -> set[str]:
    from helpers import cli

    return set(cli.COMMANDS)


def test_every_path_the_docs_name_exists():
    missing = [(doc, s) for doc, s in _snippets() if _PATH.match(s.split()[0]) and not _exists(s.split()[0])]
    assert missing == []


def test_every_module_the_docs_name_exists():
    refs = {(doc, m.group(1)) for doc, s in _snippets() if (m := _MODULE.match(s))}
    assert refs, "the docs name modules"
    assert sorted((doc, r) for doc, r in refs if not _resolves(r)) == []


@pytest.mark.parametrize("kind", ["make", "monitor"])
def test_every_command_the_docs_name_exists(kind):
    pattern, known = (_MAKE, _make_targets()) if kind == "make" else (_MONITOR, _monitor_commands())
    named = {m for _, s in _snippets() for m in pattern.findall(s)}
    assert named, f"the docs name {kind} commands"
    assert sorted(named - known) == []


def test_conventions_agree_with_the_code_on_interactive_runs():
    text = (ROOT / "docs" / "CONVENTIONS.md").read_text(encoding="utf-8")
    assert ".scratch/" in text
    assert not re.search(r"interactive run[^.]*means `reports/", text)
