"""Reading the project's YAML files strictly: a duplicate key is an error, never "the last one wins".

Also refused, each with its line: nesting deeper than :data:`MAX_DEPTH` (a runaway ``[[[…`` would
exhaust the parser's recursion) and control characters (NUL, …) in a key or value, whether written
raw or as an escape such as ``"\\0"``.

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
from helpers.survey.input_errors import CONTROL_CHARACTERS, InputError, Problem

#: A position in a YAML document: mapping keys and sequence indices.
Location = Sequence[str | int]

#: Deepest nesting of mappings and lists a project YAML file may have (a codebook needs about 8).
MAX_DEPTH = 64
_FIX = "Herstel het YAML-bestand (inspringing, dubbele punt na elke sleutel, elke sleutel één keer) en probeer opnieuw."


class YamlError(InputError):
    """A YAML file that cannot be read as written: syntax error or duplicate key (with line and column)."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _TooDeep(yaml.MarkedYAMLError):
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
        _check_depth(text)
        data = yaml.load(text, Loader=_StrictLoader)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(name, [_marked_problem(exc, name)]) from None
    except yaml.reader.ReaderError as exc:
        raise YamlError(name, [_reader_problem(exc, text, name)]) from None
    except yaml.YAMLError as exc:
        raise YamlError(name, [Problem("yaml_syntax", f"Geen geldige YAML: {exc}.", name, action=_FIX)]) from None
    except RecursionError:  # a structure the depth check does not see; never a traceback
        raise YamlError(name, [Problem("yaml_too_deep", "Het bestand is te diep genest.", name, action=_FIX)]) from None
    located = lambda loc: _line_of(root, loc)  # noqa: E731
    problems = [_control_problem(loc, value, located(loc), name) for loc, value in _control_strings(data)]
    if problems:
        raise YamlError(name, sorted(problems, key=lambda p: p.line or 0))
    return data, located


def _check_depth(text: str) -> None:
    """Raise :class:`_TooDeep` at the first mapping or list nested deeper than MAX_DEPTH (the parser is iterative)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep(None, None, f"meer dan {MAX_DEPTH} niveaus genest", event.start_mark)  # type: ignore[arg-type]
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _marked_problem(exc: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark
    kind = {_DuplicateKey: "duplicate_key", _TooDeep: "yaml_too_deep"}.get(type(exc), "yaml_syntax")
    message = exc.problem or str(exc)
    if kind == "yaml_syntax":
        message = f"geen geldige YAML: {message}"
        if exc.context:
            message += f" ({exc.context})"
    return Problem(
        kind,
        message[0].upper() + message[1:] + ".",
        name,
        line=mark.line + 1 if mark else None,
        column=f"teken {mark.column + 1}" if mark else None,
        expected=f"hoogstens {MAX_DEPTH} niveaus" if kind == "yaml_too_deep" else None,
        action=_FIX,
    )


def _reader_problem(exc: yaml.reader.ReaderError, text: str, name: str) -> Problem:
    """A character YAML does not allow (NUL, …), with its line and position."""
    pos = min(exc.position, len(text))
    line_start = text.rfind("\n", 0, pos) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return Problem(
        "yaml_control_character",
        f"Stuurteken U+{code:04X} in het bestand; YAML staat dat niet toe.",
        name,
        line=text.count("\n", 0, pos) + 1,
        column=f"teken {pos - line_start + 1}",
        value=text[max(line_start, pos - 30) : pos + 30].split("\n", 1)[0],
        expected="tekst zonder stuurtekens",
        action="Verwijder het teken (meestal een kopieer- of opslagfout) en sla het bestand op als UTF-8.",
    )


def _control_strings(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, string) of every key or value holding a control character (written as an escape such as \\0)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and CONTROL_CHARACTERS.search(key):
                    found.append(((*loc, key), key))
                stack.append(((*loc, key), value))
        elif isinstance(node, list):
            stack.extend(((*loc, i), value) for i, value in enumerate(node))
        elif isinstance(node, str) and CONTROL_CHARACTERS.search(node):
            found.append((loc, node))
    return found


def _control_problem(loc: tuple[str | int, ...], value: str, line: int | None, name: str) -> Problem:
    char = CONTROL_CHARACTERS.search(value)
    assert char is not None
    code = ord(char.group())
    return Problem(
        "yaml_control_character",
        f"Stuurteken U+{code:04X}{' (NUL)' if code == 0 else ''} in {'.'.join(map(str, loc)) or 'de waarde'}.",
        name,
        line=line,
        value=value,
        expected="tekst zonder stuurtekens",
        action="Verwijder het teken (ook een escape als \\0 of \\x01 tussen aanhalingstekens) en probeer opnieuw.",
    )


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
