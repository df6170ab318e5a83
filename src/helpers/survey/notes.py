"""Remarks about one edition only: ``data/raw/<year>/notes.yaml`` (optional).

Chapters are written to be true in every year. What is true of one edition only lives here
and appears only in that year's report: remarks placed at a named anchor of a notebook
(e.g. what the published report of that year left out), open answers a reviewer excluded
from quotation, and the contact for respondents' feedback reports.

```yaml
edition: "Tweede, herziene druk"            # optional; under "Editie <year>" on the title page
publisher: ["KIS", "Divosa"]                # optional; who publishes this report (title page, colophon)
authors: ["Onderzoeksteam monitor"]         # optional; the title page names them
publication: "Monitor gemeentelijk beleid arbeidstoeleiding vluchtelingen 2018 (KIS en Divosa, september 2018)"
contact: {name: Onderzoeksteam monitor, email: monitor@example.org}
remarks:
  - {notebook: 08_results, anchor: job_matches_level, text: "Markdown ..."}
exclude_quotes: [a1b2c3d4e5]
```
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers.survey.yaml_files import YamlError, read_yaml

NOTES_NAME = "notes.yaml"


class NotesError(ValueError):
    """``notes.yaml`` does not match its schema; lists every problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    """Whom respondents contact about the monitor (last page of the feedback report)."""

    name: str
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None


class Remark(_Strict):
    """A paragraph (Markdown) about this edition, shown at ``anchor`` of ``notebook``."""

    notebook: str = Field(pattern=r"^\d{2}_[A-Za-z0-9_]+$")
    anchor: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str


class EditionNotes(_Strict):
    """Everything in ``notes.yaml``; an absent file means no remarks."""

    #: The published report of this edition, when there is one (named in the method section).
    publication: str | None = None
    #: Which issue of this year's edition, under "Editie <year>" on the title page ("Tweede, herziene druk").
    edition: str | None = None
    #: Who publishes this report (title page and colophon), in the order named.
    publisher: list[str] = Field(default_factory=list)
    #: Authors named on the title page.
    authors: list[str] = Field(default_factory=list)
    contact: Contact | None = None
    remarks: list[Remark] = Field(default_factory=list)
    #: Ids of open answers (``quotes.csv``) that may not be quoted.
    exclude_quotes: list[str] = Field(default_factory=list)

    def remarks_at(self, notebook: str, anchor: str) -> list[str]:
        """Texts of the remarks for ``anchor`` in ``notebook``, in file order."""
        return [r.text for r in self.remarks if r.notebook == notebook and r.anchor == anchor]


def load_notes(path: str | Path) -> EditionNotes:
    """Read ``notes.yaml``; a missing file gives empty notes. Raises :class:`NotesError` listing every problem."""
    path = Path(path)
    if not path.exists():
        return EditionNotes()
    try:
        raw = read_yaml(path) or {}
        return EditionNotes.model_validate(raw)
    except YamlError as exc:
        raise NotesError(str(exc)) from None
    except ValidationError as exc:
        lines = [f"{path}: {exc.error_count()} probleem/problemen:"]
        lines += [f"  - {'.'.join(map(str, e['loc'])) or '<bestand>'}: {e['msg']}" for e in exc.errors()]
        raise NotesError("\n".join(lines)) from None
