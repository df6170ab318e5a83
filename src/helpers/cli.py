"""The ``monitor`` command (also ``python -m helpers``): the one command line behind the Makefile.

Subcommands live in :data:`COMMANDS`; add one with :func:`register`::

    def _add_args(p: argparse.ArgumentParser) -> None: ...
    def _run(args: argparse.Namespace) -> int: ...
    register("report", "Bouw het rapport", _add_args, _run)

Options are English (``--year``), help texts and messages Dutch. Every failure ends in one clean
message: bad input (export, codebook, frame, YAML) prints the grouped problem list, writes the
full list to ``reports/<year>-failed/problems.txt`` and exits 2; a failed build prints one last
line ``BUILD FAILED: …`` and exits 1; Ctrl-C exits 130. Only a bug in the code shows a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.survey.input_errors import InputError

if TYPE_CHECKING:
    from helpers.load.export import LoadReport

EXIT_INPUT, EXIT_FAILED, EXIT_INTERRUPTED = 2, 1, 130


@dataclass(frozen=True)
class Command:
    help: str
    add_args: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def register(
    name: str,
    help: str,
    add_args: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
) -> None:
    """Add a subcommand (the order of registration is the order in ``--help``)."""
    COMMANDS[name] = Command(help, add_args, run)


def _year(p: argparse.ArgumentParser, help: str = "surveyjaar, bv. 2018") -> None:
    p.add_argument("--year", type=int, required=True, help=help)


def _read_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--encoding", default=None, help="tekencodering als de export geen UTF-8 is (bv. cp1252)")
    p.add_argument("--decimal", choices=[".", ","], default=None, metavar="{.|,}", help="decimaalteken in de export")


def problems_path(year: int) -> Path:
    """``reports/<year>-failed/problems.txt``: the full problem list of the last failed load."""
    from helpers import paths
    from helpers.load.problems import PROBLEMS_NAME

    return paths.REPORTS_DIR / f"{year}-failed" / PROBLEMS_NAME


# --- monitor data ----------------------------------------------------------------------


def _data_args(p: argparse.ArgumentParser) -> None:
    _year(p)
    _read_options(p)


def _data_run(args: argparse.Namespace) -> int:
    from helpers import paths
    from helpers.load.export import build_processed

    result = build_processed(args.year, encoding=args.encoding, decimal=args.decimal)
    problems_path(args.year).unlink(missing_ok=True)
    print(format_summary(result.report, paths.processed_year_dir(args.year)))
    return 0


def format_summary(report: LoadReport, out_dir: Path) -> str:
    """Short Dutch summary of a load: rows read, kept, dropped (with lines), municipalities, warnings."""
    from helpers.paths import display

    lines = [
        f"{report.file}: {report.rows_read} rijen gelezen, {report.rows_kept} behouden, "
        f"{report.rows_dropped} uitgesloten",
    ]
    for entry in report.dropped:
        lines.append(f"  - regel {entry['line']} ({entry['response_id']}): {entry['reason']}")
    lines.append(f"Gemeenten: {report.municipalities} van {report.frame_size} in de gemeentelijst")
    lines.append(f"Waarschuwingen: {len(report.warnings)}")
    lines += [f"  - {w.render()}" for w in report.warnings]
    lines.append(f"Geschreven naar {display(out_dir)}: respondents.parquet, municipalities.parquet, load_report.json")
    return "\n".join(lines)


register("data", "Lees de ruwe export in, controleer hem en schrijf data/processed/<jaar>/", _data_args, _data_run)


# --- monitor example-data ----------------------------------------------------------------


def _example_args(p: argparse.ArgumentParser) -> None:
    _year(p, "jaar waarvoor de synthetische export gemaakt wordt")


def _example_run(args: argparse.Namespace) -> int:
    from helpers import paths
    from helpers.synth.generate import make_example_export

    # always inside the repository: never over a real export in MONITOR_DATA_DIR
    out = make_example_export(args.year, paths.raw_year_dir(args.year) / "export.csv")
    print(f"Synthetische voorbeeldexport geschreven: {paths.display(out)}")
    return 0


register(
    "example-data",
    "Genereer de synthetische, gekalibreerde voorbeeldexport data/raw/<jaar>/export.csv",
    _example_args,
    _example_run,
)


# --- monitor report ------------------------------------------------------------------------


def _report_args(p: argparse.ArgumentParser) -> None:
    from helpers import paths

    _year(p, "rapportjaar, bv. 2018")
    p.add_argument("--jobs", "-j", type=int, default=None, help="notebooks tegelijk (standaard: aantal cores)")
    p.add_argument("--force", action="store_true", help="voer alle notebooks opnieuw uit en negeer de cache")
    p.add_argument(
        "--draft",
        action="store_true",
        help="concept: een bewering die niet klopt wordt gemarkeerd in plaats van te stoppen",
    )
    _read_options(p)
    p.add_argument("--freeze-date", default=None, help="datastand (JJJJ-MM-DD); vervangt freeze_date uit het codebook")
    p.add_argument("--author", action="append", default=[], help="auteursregel op de titelpagina (herhaalbaar)")
    p.add_argument("--timeout", type=int, default=None, help="seconden per cel voordat de bouw stopt")
    p.add_argument("--notebooks-dir", type=Path, default=paths.NOTEBOOKS_DIR, help="map met de notebooks")
    p.add_argument("--reports-dir", type=Path, default=paths.REPORTS_DIR, help="map waarin reports/<jaar>/ komt")


def _read_options_env(args: argparse.Namespace) -> dict[str, str]:
    """The kernels' environment for ``--encoding``/``--decimal`` (the load layer, pandas and pandera, is imported
    only when one is given: a build with nothing to do stays fast)."""
    if not (args.encoding or args.decimal):
        return {}
    from helpers.load.export import DECIMAL_ENV, ENCODING_ENV

    return {k: v for k, v in ((ENCODING_ENV, args.encoding), (DECIMAL_ENV, args.decimal)) if v}


def _check_data(args: argparse.Namespace) -> object:
    """``monitor data`` before a build runs ``00`` (imported when needed, see ``_read_options_env``)."""
    from helpers.load.export import build_processed

    return build_processed(args.year, encoding=args.encoding, decimal=args.decimal)


def _report_run(args: argparse.Namespace) -> int:
    from helpers import paths
    from helpers.publish.build.core import BuildError, BuildOptions, build_report
    from helpers.publish.registers.text_check import claim_problems
    from helpers.report.claims import DRAFT_ENV
    from helpers.survey.codebook import load_codebook

    env = _read_options_env(args)
    env[DRAFT_ENV] = "1" if args.draft else "0"  # part of every notebook's key: a draft never passes as final
    if paths.codebook_path(args.year).is_file():  # title and freeze date come from it: a bad one stops here
        load_codebook(paths.codebook_path(args.year))
    try:
        options = BuildOptions(
            jobs=args.jobs,
            force=args.force,
            freeze_date=args.freeze_date,
            authors=args.author,
            processed_dir=paths.processed_year_dir(args.year),
            timeout=args.timeout,
            kernel_env=env,
            check_data=lambda: _check_data(args),
        )
        build_report(args.year, args.notebooks_dir, args.reports_dir, options)
    except BuildError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"BUILD INTERRUPTED: {args.year}; het vorige rapport is ongewijzigd", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    if args.draft:
        failing = claim_problems(args.reports_dir / str(args.year) / "claims.csv")
        print(f"CONCEPT: {len(failing)} bewering(en) houden niet; niet publiceren.", *failing, sep="\n", flush=True)
    return 0


register(
    "report", "Bouw reports/<jaar>/: notebooks, PDF, HTML, indicators.csv en quotes.csv", _report_args, _report_run
)


# --- monitor site ------------------------------------------------------------------------


def _site_args(p: argparse.ArgumentParser) -> None:
    from helpers import paths

    p.add_argument("--reports-dir", type=Path, default=paths.REPORTS_DIR, help="map met de gebouwde edities")


def _site_run(args: argparse.Namespace) -> int:
    import os

    from helpers.publish.render.site import built_editions, package_sites

    if not args.reports_dir.is_dir() or not built_editions(args.reports_dir):
        where = f"{args.reports_dir}: geen gebouwde editie met site/"
        print(f"{where}; bouw eerst een editie (make report)", file=sys.stderr)
        return EXIT_FAILED
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)  # same sites and epoch: the same zip bytes
    for path in package_sites(args.reports_dir, epoch):
        print(path)
    return 0


register("site", "Zip de site/ van elke gebouwde editie; reports/index.html noemt alle edities", _site_args, _site_run)


# --- monitor new-year ----------------------------------------------------------------------


def _new_year_args(p: argparse.ArgumentParser) -> None:
    _year(p, "het nieuwe jaar, bv. 2019")
    p.add_argument("--from-year", type=int, required=True, help="jaar waarvan de codebook gekopieerd wordt")


def _new_year_run(args: argparse.Namespace) -> int:
    from helpers.year.scaffold import next_steps, scaffold_year

    try:
        result = scaffold_year(args.year, args.from_year)
    except (FileExistsError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    print(next_steps(result))
    return 0


register(
    "new-year",
    "Maak data/raw/<jaar>/ aan: codebook van het vorige jaar, README-checklist, controle gemeentelijst",
    _new_year_args,
    _new_year_run,
)


# --- monitor new-chapter ---------------------------------------------------------------------


def _new_chapter_args(p: argparse.ArgumentParser) -> None:
    _year(p, "het jaar waarvan de codebook de vragen van het hoofdstuk geeft")
    p.add_argument("--number", type=int, required=True, help="hoofdstuknummer, 2–99 (de vragen met dit 'chapter')")
    p.add_argument("--name", required=True, help="bestandsnaam na het nummer, bv. language_support")
    p.add_argument("--title", required=True, help="de titel boven het hoofdstuk, bv. 'Taal en participatie'")


def _new_chapter_run(args: argparse.Namespace) -> int:
    from helpers import paths
    from helpers.report.chapter_template import ChapterTemplateError, write_new_chapter
    from helpers.survey.codebook import load_codebook

    codebook = load_codebook(paths.codebook_path(args.year))
    try:
        path = write_new_chapter(paths.NOTEBOOKS_DIR, codebook, args.number, args.name, args.title)
    except (ChapterTemplateError, FileExistsError) as exc:
        print(f"Geen hoofdstuk gemaakt: {exc}", file=sys.stderr)
        return EXIT_FAILED
    shown = len(codebook.by_chapter(args.number))
    print(
        f"Gemaakt: {paths.display(path)} ({shown} vraag/vragen uit de codebook van {args.year}).\n"
        "Open het in JupyterLab: het draait meteen. Schrijf de cellen met het label ‘sjabloon’ (beginnend met ✎) "
        "zelf en haal het label weg; zolang er één staat, weigert `make report` het hoofdstuk."
    )
    return 0


register(
    "new-chapter",
    "Maak een nieuw hoofdstuknotebook uit het sjabloon, met een sectie per vraag van dat hoofdstuk in de codebook",
    _new_chapter_args,
    _new_chapter_run,
)


# --- monitor codebook-diff -------------------------------------------------------------------


def _diff_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from-year", type=int, required=True, help="oude vragenlijst, bv. 2018")
    p.add_argument("--to-year", type=int, required=True, help="nieuwe vragenlijst, bv. 2019")


def _diff_run(args: argparse.Namespace) -> int:
    from helpers import paths
    from helpers.survey.codebook import load_codebook
    from helpers.year.codebook_diff import diff_codebooks, render_markdown

    old = load_codebook(paths.codebook_path(args.from_year))
    new = load_codebook(paths.codebook_path(args.to_year))
    changes = diff_codebooks(old, new)
    print(render_markdown(changes, old.year, new.year, new, with_ids=True))
    return 0


register(
    "codebook-diff",
    "Toon de wijzigingen in de vragenlijst tussen twee jaren (vragen, antwoordopties, routing)",
    _diff_args,
    _diff_run,
)


# --- monitor bench / bench-load --------------------------------------------------------------


def _bench_args(p: argparse.ArgumentParser) -> None:
    _year(p, "rapportjaar")
    p.add_argument("--jobs", "-j", type=int, default=None, help="notebooks tegelijk")
    p.add_argument("--chapter", default=None, help="hoofdstuk dat voor de één-hoofdstuk-herbouw gewijzigd wordt")
    p.add_argument("--skip-baseline", action="store_true", help="sla de naïeve vergelijkingsbouw over")
    p.add_argument("--strict", action="store_true", help="exitcode 1 als een doel niet gehaald wordt")


def _bench_run(args: argparse.Namespace) -> int:
    from helpers.publish.build.benchmark import main as bench_main

    argv = ["--year", str(args.year)] + (["--jobs", str(args.jobs)] if args.jobs else [])
    argv += (["--chapter", args.chapter] if args.chapter else []) + ["--skip-baseline"] * args.skip_baseline
    return bench_main(argv + ["--strict"] * args.strict)


register("bench", "Meet koude bouw, herbouw zonder wijziging en één hoofdstuk tegen een naïeve bouw", _bench_args,
         _bench_run)  # fmt: skip


def _bench_load_args(p: argparse.ArgumentParser) -> None:
    _year(p, "jaar van de export die vermenigvuldigd wordt")
    p.add_argument("--factor", type=int, default=200, help="zoveel keer de respondenten (standaard 200)")


def _bench_load_run(args: argparse.Namespace) -> int:
    from helpers.load.bench import run_benchmark

    print(run_benchmark(args.year, args.factor))
    return 0


register("bench-load", "Meet inleestijd en geheugen van een gegenereerde export met N× de respondenten",
         _bench_load_args, _bench_load_run)  # fmt: skip


# --- monitor check-commit ----------------------------------------------------------------------


def _guard_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", type=Path, help="bestanden die gecommit worden (de pre-commit-hook geeft ze)")
    p.add_argument(
        "--record",
        action="store_true",
        help="leg de sha256 van deze synthetische exports vast (synthetic_exports.sha256)",
    )


def _guard_run(args: argparse.Namespace) -> int:
    from helpers.load.guard import check_files, record_export

    if args.record:
        try:
            print("\n".join(record_export(path) for path in args.files))
        except (ValueError, OSError) as exc:
            print(exc, file=sys.stderr)
            return EXIT_FAILED
        return 0
    refusals = check_files(args.files)
    for line in refusals:
        print(line, file=sys.stderr)
    return EXIT_FAILED if refusals else 0


register("check-commit", "Weiger het committen van bestanden met surveyantwoorden (op inhoud); voor de git-hook",
         _guard_args, _guard_run)  # fmt: skip


# --- monitor feedback (private feedback report per respondent) ------------------------------


def _feedback_args(p: argparse.ArgumentParser) -> None:
    _year(p)
    p.add_argument("--jobs", "-j", type=int, default=None, help="XeLaTeX-runs tegelijk (standaard: aantal cores)")
    p.add_argument("--force", action="store_true", help="maak elk document opnieuw (negeer de cache)")


def _feedback_run(args: argparse.Namespace) -> int:
    from helpers.publish.feedback.batch import FeedbackBuildError, build_feedback

    try:
        build_feedback(args.year, jobs=args.jobs, force=args.force)
    except FeedbackBuildError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"FEEDBACK INTERRUPTED: {args.year}; de vorige terugkoppeling is ongewijzigd", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


register(
    "feedback",
    "Maak de vertrouwelijke terugkoppeling per respondent in reports/<jaar>-feedback/ (nooit publiceren)",
    _feedback_args,
    _feedback_run,
)


# --- monitor compare / diff-indicators (what changed: between editions, between builds) -------------


def _compare_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from-year", type=int, required=True, help="de eerdere editie, bv. 2018")
    p.add_argument("--to-year", type=int, required=True, help="de latere editie, bv. 2019")
    p.add_argument(
        "--output", default=None, help="CSV-bestand (standaard reports/vergelijking_<van>_<tot>.csv; - = scherm)"
    )


def _compare_run(args: argparse.Namespace) -> int:
    from helpers import paths
    from helpers.publish.registers.compare import changes_frame, load_changes

    if args.from_year >= args.to_year:
        print(f"--from-year ({args.from_year}) moet vóór --to-year ({args.to_year}) liggen.", file=sys.stderr)
        return EXIT_FAILED
    for year in (args.from_year, args.to_year):
        if not paths.codebook_path(year).is_file():
            print(f"{paths.codebook_path(year)} ontbreekt: er is geen editie {year}.", file=sys.stderr)
            return EXIT_FAILED
    from helpers.survey.text_escape import spreadsheet_frame

    frame = spreadsheet_frame(changes_frame(load_changes(args.to_year, since=args.from_year)))
    if args.output == "-":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    out = Path(args.output) if args.output else paths.REPORTS_DIR / f"vergelijking_{args.from_year}_{args.to_year}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, encoding="utf-8", lineterminator="\n")
    moved = int(frame["richting"].isin(["up", "down"]).sum())
    print(
        f"{len(frame)} percentages van {frame['vraag'].nunique()} vergelijkbare vragen, {moved} veranderd "
        f"(groter dan de ruis); geschreven naar {out}"
    )
    return 0


register(
    "compare",
    "Vergelijk twee edities: elk percentage van elke vergelijkbare vraag, verschil, marge en oordeel (CSV)",
    _compare_args,
    _compare_run,
)


def _diff_ind_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", type=Path, help="indicators.csv van de eerdere build")
    p.add_argument("new", type=Path, help="indicators.csv van de nieuwe build")


def _diff_ind_run(args: argparse.Namespace) -> int:
    from helpers.publish.registers.compare import diff_indicators

    for f in (args.old, args.new):
        if not f.is_file():
            print(
                f"{f} bestaat niet: geef twee indicators.csv-bestanden (bv. reports/2018/indicators.csv).",
                file=sys.stderr,
            )
            return EXIT_FAILED
    diff = diff_indicators(args.old, args.new)
    if diff.empty:
        print("Geen verschillen.")
        return 0
    from helpers.survey.text_escape import spreadsheet_frame

    spreadsheet_frame(diff).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


register(
    "diff-indicators",
    "Toon alleen de cijfers die tussen twee builds verschillen (twee indicators.csv-bestanden)",
    _diff_ind_args,
    _diff_ind_run,
)


def _prose_help_args(p: argparse.ArgumentParser) -> None:
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="schrijf de lijst naar docs/PROSE.md")
    mode.add_argument("--check", action="store_true", help="meld (exit 1) als docs/PROSE.md niet meer klopt")


def _prose_help_run(args: argparse.Namespace) -> int:
    from helpers.paths import display
    from helpers.report.prose import PROSE_PAGE, reference_page

    page = reference_page()
    if args.write:
        PROSE_PAGE.write_text(page, encoding="utf-8")
        print(f"Geschreven: {display(PROSE_PAGE)}")
        return 0
    if args.check:
        current = PROSE_PAGE.read_text(encoding="utf-8") if PROSE_PAGE.exists() else ""
        if current != page:
            print(f"{display(PROSE_PAGE)} klopt niet meer met de code; maak het opnieuw: monitor prose-help --write")
            return EXIT_FAILED
        print(f"{display(PROSE_PAGE)} is bij.")
        return 0
    print(page, end="")
    return 0


register(
    "prose-help",
    "Toon alle woorden, getallen en voorwaarden die een %%tekst-cel kan gebruiken (met een voorbeeld elk)",
    _prose_help_args,
    _prose_help_run,
)


# --- entry point -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monitor", description="Monitor arbeidstoeleiding statushouders")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, cmd in COMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        cmd.add_args(p)
        p.set_defaults(_run=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the subcommand; returns the exit code (one clean message on any failure)."""
    from helpers.survey.notes import NotesError

    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        year = getattr(args, "year", None)
        if year is not None:
            from helpers.load.problems import write_problems
            from helpers.paths import display

            path = write_problems(exc, problems_path(year))
            print(f"\nVolledige lijst ({len(exc.problems)}): {display(path)}", file=sys.stderr)
        return EXIT_INPUT
    except NotesError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"Bestand of map niet te gebruiken:{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug, not bad input: show where, end with one line
        traceback.print_exc()
        print(f"Interne fout (meld dit): {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return EXIT_FAILED
