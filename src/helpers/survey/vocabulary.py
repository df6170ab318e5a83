"""The monitor's fixed words and numbers, each defined once: size classes, answer
statuses, disclosure threshold, the indicator schema."""

from __future__ import annotations

#: Codes with a fixed meaning in every export.
SEEN_UNANSWERED = -99

#: Plausible answers unless the codebook says otherwise (``range: {min, max}`` on the question): a percentage
#: lies in 0–100, a count (people, jobs, fte) of one municipality or region in 0–COUNT_MAXIMUM.
PERCENT_RANGE = (0.0, 100.0)
COUNT_MAXIMUM = 10_000
#: ``scale:`` of a percent question: how the export writes 10% ("percent": 10, "fraction": 0.1).
PERCENT_SCALES = ("percent", "fraction")

SIZE_CLASSES = ["G4", "G40", "Middelgroot/klein"]
#: The large municipalities (shown together as ``MERGED_LARGE``), and the class of all others.
LARGE_CLASSES = ("G4", "G40")
SMALL_CLASS = "Middelgroot/klein"
#: The two groups a size comparison in prose names (``size_pct(q, key, klasse=GROOT)``): G4 and G40, and all others.
LARGE_GROUP, SMALL_GROUP = "groot", "klein"

ANSWERED = "beantwoord"
SKIPPED = "geen antwoord"
NOT_ASKED = "niet gevraagd"
STATUSES = [ANSWERED, SKIPPED, NOT_ASKED]

MIN_BASE = 5
SUPPRESSED = "–"
SUPPRESSION_NOTE = f"{SUPPRESSED} = niet getoond: minder dan {MIN_BASE} gemeenten."
MERGED_LARGE = "Grote gemeenten (G4/G40)"
TOTAL = "Totaal"
#: On the title page of the report and on every page of a feedback document when the codebook says ``synthetic``.
SYNTHETIC_NOTE = "Synthetische voorbeelddata — geen echte antwoorden van gemeenten"

#: The numbers of one view, long: what every ``Table.indicators`` and ``question_indicators`` hold.
NUMBER_COLUMNS = ["category", "stat", "value", "n"]
#: ``reports/<year>/indicators.csv``: every number shown, with where it was shown. ``report_ref`` is the
#: label in the 2018 report (for the backtest), ``build_ref`` the label printed in this build
#: ("Figuur 3.5"; "Hoofdstuk 3" for a number that only the text of chapter 3 shows).
INDICATOR_COLUMNS = ["year", "chapter", "question", "report_ref", "category", "stat", "value", "n", "build_ref", "id"]
#: ``ci_low``/``ci_high``: the bounds of a share's 95% interval (0–100); ``n``: a question's base printed as a number.
INTERVAL_STATS = ("ci_low", "ci_high")
BASE_STAT = "n"
STATS = ("pct", "mean", "median", "count", "answers_mean", "min", "max", "p", *INTERVAL_STATS, BASE_STAT)
#: Between the labels of ``report_ref`` when a number was printed in several places of the published edition
#: ("Tabel 8.1; Figuur 5.3", in the codebook's order of ``report_refs``).
REPORT_REF_SEPARATOR = "; "
#: ``<build_dir>/quotes/<notebook>.csv`` and ``reports/<year>/quotes.csv``: every open answer quoted in the report.
QUOTE_COLUMNS = ["chapter", "question", "quote_id", "size_class", "text", "redacted"]

#: Folders under a build (or ``.scratch/<year>``) where each notebook writes its parts.
INDICATORS_DIR = "indicators"
QUOTES_DIR = "quotes"
CLAIMS_DIR = "claims"
#: The anchor every notebook offers in ``notes.yaml`` remarks: placed under the chapter's opening warning.
CHAPTER_ANCHOR = "chapter"
#: Cell tag of text a new chapter's template left for its author (``monitor new-chapter``); the build refuses it.
TEMPLATE_TAG = "sjabloon"
FIGURES_DIR = "figures"
#: ``<build_dir>/executed/03_policy.ipynb``: each notebook as it ran, volatile metadata removed.
EXECUTED_DIR = "executed"
#: ``reports/<year>/site/``: the HTML pages, with every file they link copied beside them (served or zipped alone).
SITE_DIR = "site"
#: ``<build_dir>/data/<notebook>/figuur-3-1.csv`` (and ``.xlsx``): the numbers of each figure and table.
DATA_DIR = "data"
