"""The names a ``%%tekst`` block can use, registered where they are defined.

A function of the prose vocabulary carries its own entry: a decorator gives it its kind, a Dutch
one-line description and one example::

    @placeholder(NUMBER, "Aandeel gemeenten dat ‘key’ koos", 'pct("additional_policy", "yes")')
    def pct(self, qid: str, key: str) -> str: ...

:func:`names` collects the decorated members of an object (what a block can call);
:func:`reference` writes the reference page ``docs/PROSE.md`` from the same entries, so the page
cannot drift from the code.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "__prose_entry__"


class Kind(Enum):
    """What a name gives: the heading it is listed under in ``docs/PROSE.md``."""

    NUMBER = "Getallen"
    WORDS = "Woorden en zinnen"
    TEST = "Vragen voor {% if … %}"
    CONDITION = "Voorwaarden voor beweringen ({% claim … %})"
    VALUE = "Vaste waarden van de editie"
    FILTER = "Filters (achter |)"


NUMBER, WORDS, TEST, CONDITION = Kind.NUMBER, Kind.WORDS, Kind.TEST, Kind.CONDITION
VALUE, FILTER = Kind.VALUE, Kind.FILTER


@dataclass(frozen=True)
class Spec:
    """What a decorator attaches to a function."""

    kind: Kind
    description: str
    example: str
    #: Its words state a comparison: each use goes into the claims register (``kind = vergelijking``).
    reviewed: bool = False


@dataclass(frozen=True)
class Entry:
    """One name of the vocabulary, as documented."""

    name: str
    kind: Kind
    description: str
    example: str
    signature: str


def placeholder(kind: Kind, description: str, example: str, *, reviewed: bool = False) -> Callable[[F], F]:
    """Register a method as a ``%%tekst`` name of ``kind`` (a number, words, a test, a fixed value, a filter);
    ``reviewed``: what it prints is a comparison, registered for reviewers."""

    def mark(fn: F) -> F:
        setattr(fn, _ATTRIBUTE, Spec(kind, description, example, reviewed))
        return fn

    return mark


def condition(description: str, example: str) -> Callable[[F], F]:
    """Register a method as a condition a ``{% claim … %}`` can rest on."""
    return placeholder(CONDITION, description, example)


def _specs(cls: type) -> Iterable[tuple[str, Spec, Callable[..., Any]]]:
    for name in sorted(dir(cls)):
        member = inspect.getattr_static(cls, name)
        fn = member.__func__ if isinstance(member, staticmethod | classmethod) else member
        spec = getattr(fn, _ATTRIBUTE, None)
        if isinstance(spec, Spec):
            yield name, spec, fn


def names(obj: object) -> dict[str, Any]:
    """The registered names of ``obj``, bound to it; a fixed value (:data:`VALUE`) is evaluated."""
    found: dict[str, Any] = {}
    for name, spec, _ in _specs(type(obj)):
        member = getattr(obj, name)
        found[name] = member() if spec.kind is VALUE else member
    return found


def reviewed(obj: object) -> set[str]:
    """The names of ``obj`` whose every use is registered as a comparison."""
    return {name for name, spec, _ in _specs(type(obj)) if spec.reviewed}


def entries(classes: Iterable[type]) -> list[Entry]:
    """The documented entries of ``classes``; a name defined twice is an error."""
    found: dict[tuple[bool, str], Entry] = {}  # a filter has a namespace of its own
    for cls in classes:
        for name, spec, fn in _specs(cls):
            key = (spec.kind is FILTER, name)
            if key in found:
                raise ValueError(f"{cls.__name__}.{name}: de naam {name!r} staat al in de woordenschat van %%tekst")
            found[key] = Entry(name, spec.kind, spec.description, spec.example, _signature(name, spec.kind, fn))
    return list(found.values())


def _signature(name: str, kind: Kind, fn: Callable[..., Any]) -> str:
    """``pct(qid: str, key: str) -> str`` without ``self``; a fixed value is ``year: int``."""
    sig = inspect.signature(fn)
    returns = "" if sig.return_annotation is inspect.Signature.empty else str(sig.return_annotation)
    if kind is VALUE:
        return f"{name}: {returns}"
    params: list[str] = []
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        if p.kind is p.KEYWORD_ONLY and "*" not in params:
            params.append("*")
        typed = f"{p.name}: {p.annotation}" if p.annotation is not p.empty else p.name
        params.append(typed if p.default is p.empty else f"{typed} = {p.default!r}")
    return f"{name}({', '.join(params)}) -> {returns}"


def reference(found: list[Entry], intro: str) -> str:
    """``docs/PROSE.md``: ``intro``, then every entry by kind, alphabetically, with its example."""
    lines = [intro.strip(), ""]
    for kind in Kind:
        listed = sorted((e for e in found if e.kind is kind), key=lambda e: e.name)
        if not listed:
            continue
        lines += [f"## {kind.value}", ""]
        for e in listed:
            example = f"{{% claim {e.example} %}}…{{% endclaim %}}" if kind is CONDITION else f"{{{{ {e.example} }}}}"
            text = e.description.replace("``", "`")
            lines += [f"### `{e.name}`", "", f"`{e.signature}`", "", text, "", f"Voorbeeld: `{example}`", ""]
    return "\n".join(lines).rstrip() + "\n"
