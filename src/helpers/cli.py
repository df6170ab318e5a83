"""The ``monitor`` command (also ``python -m helpers``).

Subcommands live in :data:`COMMANDS`; add one with :func:`register`::

    def _add_args(p: argparse.ArgumentParser) -> None: ...
    def _run(args: argparse.Namespace) -> int: ...
    register("report", "Bouw het rapport", _add_args, _run)

``run`` returns the exit code. A :class:`~helpers.load.problems.RawDataError` is
printed (every problem) and gives exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.load.problems import RawDataError

if TYPE_CHECKING:
    from helpers.load.export import LoadReport


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


# --- monitor data ----------------------------------------------------------------------


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="surveyjaar, bv. 2018")
    p.add_argument("--encoding", default=None, help="tekencodering als het bestand geen UTF-8 is (bv. cp1252)")
    p.add_argument("--decimal", choices=[".", ","], default=".", metavar="{.|,}", help="decimaalteken van de getallen")


def _data_run(args: argparse.Namespace) -> int:
    from helpers import paths
    from helpers.load.export import build_processed

    result = build_processed(args.year, encoding=args.encoding, decimal=args.decimal)
    print(format_summary(result.report, paths.processed_year_dir(args.year)))
    return 0


def format_summary(report: LoadReport, out_dir: Path) -> str:
    """Short Dutch summary of a load: rows read, kept, dropped (with lines), municipalities, warnings."""
    lines = [
        f"{report.file}: {report.rows_read} rijen gelezen, {report.rows_kept} behouden, "
        f"{report.rows_dropped} uitgesloten",
    ]
    for entry in report.dropped:
        lines.append(f"  - regel {entry['line']} ({entry['response_id']}): {entry['reason']}")
    lines.append(f"Gemeenten: {report.municipalities} van {report.frame_size} in de gemeentelijst")
    lines.append(f"Waarschuwingen: {len(report.warnings)}")
    lines += [f"  - {w.render()}" for w in report.warnings]
    lines.append(f"Geschreven naar {out_dir}: respondents.parquet, municipalities.parquet, load_report.json")
    return "\n".join(lines)


register("data", "Lees de ruwe export in en schrijf data/processed/<jaar>/", _data_args, _data_run)


# --- monitor example-data ----------------------------------------------------------------


def _example_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="jaar waarvoor de synthetische export gemaakt wordt")


def _example_run(args: argparse.Namespace) -> int:
    from helpers.synth.generate import make_example_export

    out = make_example_export(args.year)
    print(f"Synthetische voorbeeldexport geschreven: {out}")
    return 0


register(
    "example-data",
    "Genereer de synthetische, gekalibreerde voorbeeldexport data/raw/<jaar>/export.csv",
    _example_args,
    _example_run,
)


# --- monitor report ------------------------------------------------------------------------


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="rapportjaar, bv. 2018")
    p.add_argument("--jobs", "-j", type=int, default=None, help="notebooks tegelijk (standaard: aantal cores)")
    p.add_argument("--force", action="store_true", help="voer alle notebooks opnieuw uit (negeer de cache)")


def _report_run(args: argparse.Namespace) -> int:
    from helpers.publish.cli import main as build_main

    argv = ["--year", str(args.year)] + (["--jobs", str(args.jobs)] if args.jobs else [])
    return build_main(argv + (["--force"] if args.force else []))


register("report", "Bouw reports/<jaar>/: notebooks, PDF, HTML en indicators.csv", _report_args, _report_run)


# --- monitor new-year ----------------------------------------------------------------------


def _new_year_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, help="het nieuwe jaar, bv. 2019")
    p.add_argument("--from-year", type=int, required=True, help="jaar waarvan de codebook gekopieerd wordt")


def _new_year_run(args: argparse.Namespace) -> int:
    from helpers.year.scaffold import next_steps, scaffold_year

    try:
        result = scaffold_year(args.year, args.from_year)
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(next_steps(result))
    return 0


register(
    "new-year",
    "Maak data/raw/<jaar>/ aan: codebook van het vorige jaar, README-checklist, controle gemeentelijst",
    _new_year_args,
    _new_year_run,
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
    """Parse ``argv`` and run the subcommand; returns the exit code."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except RawDataError as exc:
        print(exc, file=sys.stderr)
        return 2
