"""Reading the project's YAML files strictly: a duplicate key is an error, never "the last one wins".

:func:`read_yaml` returns the data; :func:`read_yaml_located` also returns a function that
finds the line of any position in it (``("questions", 3, "type")`` -> line 57), so schema
errors can name the line of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from helpers.paths import display
from helpers.survey.input_errors import InputError, Problem

#: A position in a YAML document: mapping keys and sequence indices.
Location = Sequence[str | int]


class YamlError(InputError):
    """A YAML file that cannot be read as written: syntax error or duplicate key (with line and column)."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise _DuplicateKey(
                None,
                None,
                f"sleutel {key!r} staat twee keer in dezelfde lijst (eerst op regel {seen[key]}); "
                "de tweede zou de eerste stilzwijgend vervangen",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _read_text(path: Path) -> str:
    name = display(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Problem("missing_file", "Het bestand bestaat niet.", name, action="Controleer pad en jaar.")
    except IsADirectoryError:
        problem = Problem("not_a_file", "Dit is een map, geen bestand.", name, action="Geef het YAML-bestand op.")
    except UnicodeDecodeError as exc:
        problem = Problem(
            "unreadable_file",
            f"Het bestand is geen UTF-8 (byte 0x{exc.object[exc.start]:02X} op positie {exc.start}).",
            name,
            action="Sla het bestand op als UTF-8 (elke teksteditor kan dat).",
        )
    except OSError as exc:
        problem = Problem("unreadable_file", f"Het bestand is niet te lezen: {exc.strerror}.", name)
    raise YamlError(name, [problem])


def read_yaml(path: str | Path) -> Any:
    """Parse ``path``; raise :class:`YamlError` naming file, line and column for bad syntax or a duplicate key."""
    return read_yaml_located(path)[0]


def read_yaml_located(path: str | Path) -> tuple[Any, Callable[[Location], int | None]]:
    """Parse ``path`` strictly; return the data and a function giving the line of a location in it."""
    path = Path(path)
    text = _read_text(path)
    name = display(path)
    try:
        data = yaml.load(text, Loader=_StrictLoader)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        kind = "duplicate_key" if isinstance(exc, _DuplicateKey) else "yaml_syntax"
        message = exc.problem or str(exc)
        if kind == "yaml_syntax":
            message = f"geen geldige YAML: {message}"
            if exc.context:
                message += f" ({exc.context})"
        raise YamlError(
            name,
            [
                Problem(
                    kind,
                    message[0].upper() + message[1:] + ".",
                    name,
                    line=mark.line + 1 if mark else None,
                    column=f"teken {mark.column + 1}" if mark else None,
                    action="Herstel het YAML-bestand (inspringing, dubbele punt na elke sleutel, elke sleutel één "
                    "keer) en probeer opnieuw.",
                )
            ],
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(name, [Problem("yaml_syntax", f"Geen geldige YAML: {exc}.", name)]) from None
    return data, lambda loc: _line_of(root, loc)


def _line_of(node: yaml.Node | None, loc: Location) -> int | None:
    """Line (1-based) of the deepest node on ``loc`` that exists."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == str(part):
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
