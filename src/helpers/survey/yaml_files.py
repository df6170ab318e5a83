"""Reading the project's YAML files strictly: a duplicate key is an error, never "the last one wins"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class YamlError(ValueError):
    """A YAML file that cannot be read as written: syntax error or duplicate key (with line)."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"sleutel {key!r} staat twee keer in dezelfde lijst (eerst regel {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml(path: str | Path) -> Any:
    """Parse ``path``; raise :class:`YamlError` naming file, line and column for bad syntax or a duplicate key."""
    path = Path(path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}, regel {mark.line + 1}, kolom {mark.column + 1}" if mark else str(path)
        raise YamlError(f"{where}: {exc.problem or exc}. Herstel het YAML-bestand en probeer opnieuw.") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{path}: geen geldig YAML: {exc}") from None
