"""Benchmark the build against a naive baseline: ``python -m helpers.publish.bench --year 2018``.

Runs, on a temporary copy of the notebooks (tracked files are never edited) and into a temporary
reports directory:

1. baseline — every notebook one after another with the papermill CLI, then ``jupyter nbconvert
   --to pdf`` on the concatenated notebook (default template);
2. cold build — ``build_report(force=True)``;
3. no-change rebuild — a fresh Python process calling ``build_report`` with nothing changed;
4. one-chapter rebuild — after appending a visible sentence (a Markdown cell) to one chapter's copy;
5. feedback (beside the cold build, same machine state) — every respondent's feedback PDF from
   scratch, a rerun with nothing changed, and reruns after one respondent's open answer and one
   respondent's closed answer changed (in a copy of the processed tables).

The cache inputs (``src/helpers``, the year's raw data, reference files) are copied at the start, so
edits made elsewhere during the benchmark do not turn the no-change rebuild into a full one.

Prints time per stage and the ratios against the targets, all from the same run: cold ≤ 0.4× baseline,
no-change < 5% of cold, one-chapter ≤ 20% of cold, all feedback documents ≤ 3× the cold build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.publish import plan
from helpers.publish.core import BuildError, BuildOptions, BuildResult, build_report
from helpers.publish.indicators import assemble

COLD_TARGET, NOCHANGE_TARGET, ONE_CHAPTER_TARGET, FEEDBACK_TARGET = 0.4, 0.05, 0.2, 3.0
#: What the one-chapter rebuild adds: a visible sentence, so the PDF and the chapter's page really change.
EDIT = "De benchmark voegde deze zin toe aan het hoofdstuk."


def _run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if proc.returncode:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed:\n" + "\n".join(tail))
    return time.perf_counter() - t0


def baseline(year: int, notebooks_dir: Path, work: Path) -> dict[str, float]:
    """Naive sequential build: papermill CLI per notebook, then nbconvert --to pdf on the merged notebook."""
    import nbformat

    from helpers.report.notebook import NOTEBOOK_ENV

    notebooks = plan.discover(notebooks_dir)
    out_dir, build_dir = work / "executed", work / "report"
    out_dir.mkdir(parents=True)
    build_dir.mkdir()
    t = {"execute": 0.0}
    for name in [n for stage in plan.stages(notebooks) for n in stage]:
        nb = next(x for x in notebooks if x.name == name)
        if nb.role == plan.CONCLUSIONS:
            assemble(build_dir, [x.name for x in notebooks if x.name != name])
        t["execute"] += _run(
            [sys.executable, "-m", "papermill", str(nb.path), str(out_dir / nb.filename), "-k", "python3",
             "--cwd", str(notebooks_dir), "-p", "year", str(year), "-p", "build_dir", str(build_dir),
             "--no-progress-bar"],
            env={**os.environ, NOTEBOOK_ENV: nb.name},  # as the build tells each kernel its notebook
        )  # fmt: skip
    merged = nbformat.v4.new_notebook()
    for nb in plan.report_order(notebooks):
        part = nbformat.read(out_dir / nb.filename, as_version=4)
        for cell in part.cells:
            cell.pop("id", None)
        merged.cells.extend(part.cells)
    merged.nbformat_minor = 4
    nbformat.write(merged, work / "merged.ipynb")
    t["latex"] = _run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "pdf", str(work / "merged.ipynb")])
    t["total"] = t["execute"] + t["latex"]
    return t


def _touch_chapter(notebooks_dir: Path, chapter: str | None) -> str:
    """Append a Markdown cell with a sentence to one chapter notebook (of the temporary copy); return its name."""
    chapters = [nb for nb in plan.discover(notebooks_dir) if nb.role == plan.CHAPTER]
    nb = next((c for c in chapters if c.name == chapter), chapters[0]) if chapter else chapters[0]
    data = json.loads(nb.path.read_text(encoding="utf-8"))
    data["cells"].append({"cell_type": "markdown", "id": "bench-edit", "metadata": {}, "source": EDIT})
    nb.path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return nb.name


def _freeze_inputs(year: int, dest: Path) -> dict[str, object]:
    """Copy the cache inputs (helpers sources, raw data, codebook) and return BuildOptions fields using them."""
    from helpers import paths
    from helpers.publish.core import default_inputs

    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(Path(__file__).resolve().parents[1], dest / "helpers", ignore=ignore)
    inputs = []
    for i, src in enumerate(default_inputs(year)):
        target = dest / "inputs" / str(i) / src.name
        if src.is_dir():
            shutil.copytree(src, target, ignore=ignore)
        elif src.is_file():
            target.parent.mkdir(parents=True)
            shutil.copy2(src, target)
        inputs.append(str(target))
    codebook = dest / "codebook.yaml"
    if paths.codebook_path(year).is_file():
        shutil.copy2(paths.codebook_path(year), codebook)
    return {"helpers_dir": str(dest / "helpers"), "inputs": inputs, "codebook": str(codebook)}


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (kernels, XeLaTeX, pandoc) so far."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _changed_copy(year: int, dest: Path, kind: str) -> tuple[Path, str]:
    """Copy the processed tables and change one respondent's answer: ``open`` (its first open answer)
    or ``closed`` (a single-choice question nothing is routed on, to another option). Returns the
    copy and the changed respondent's file name."""
    import pandas as pd

    from helpers import paths
    from helpers.report.feedback import file_stem
    from helpers.survey.codebook import condition_questions, load_codebook

    cb = load_codebook(paths.codebook_path(year))
    src = paths.processed_year_dir(year)
    resp, muni = pd.read_parquet(src / "respondents.parquet"), pd.read_parquet(src / "municipalities.parquet")
    if kind == "open":
        q = next(q for q in cb.all_questions if q.type == "text")
        rows = resp.index[resp[q.id].notna()]
        rid = resp.loc[rows[0], "respondent_id"]
        for df in (resp, muni):
            df.loc[df["respondent_id"] == rid, q.id] = df.loc[df["respondent_id"] == rid, q.id] + " (gewijzigd)"
    else:
        routed_on = set().union(*(condition_questions(x.asked_if) for x in cb.all_questions))
        q = [q for q in cb.all_questions if q.type == "single" and q.id not in routed_on][-1]
        rid = resp.loc[resp[q.id].notna(), "respondent_id"].iloc[0]
        old = resp.loc[resp["respondent_id"] == rid, q.id].iloc[0]
        new = next(o.label for o in q.options if o.label != old)
        for df in (resp, muni):
            df.loc[df["respondent_id"] == rid, q.id] = new
    dest.mkdir(parents=True)
    resp.to_parquet(dest / "respondents.parquet")
    muni.to_parquet(dest / "municipalities.parquet")
    codes = sorted(muni.loc[muni["respondent_id"] == rid, "gemeentecode"].astype(str))
    return dest, file_stem(codes)


def feedback_bench(year: int, reports: Path, work: Path, jobs: int | None) -> dict[str, Any]:
    """Feedback batch: cold (every document), no change, one open answer changed, one closed answer changed."""
    from helpers.publish.feedback import build_feedback

    cpu = cpu_seconds()
    out: dict[str, Any] = {"cold": build_feedback(year, reports_dir=reports, jobs=jobs, force=True, log=print)}
    out["cold-cpu"] = cpu_seconds() - cpu
    out["no-change"] = build_feedback(year, reports_dir=reports, jobs=jobs, log=print)
    for kind in ("open", "closed"):
        data, name = _changed_copy(year, work / f"processed-{kind}", kind)
        out[kind] = build_feedback(year, reports_dir=reports, jobs=jobs, data_dir=data, log=print)
        out[f"{kind}-file"] = name
        build_feedback(year, reports_dir=reports, jobs=jobs, log=lambda line: None)  # back to the real data
    return out


def _print_feedback(fb: dict[str, Any], cold_total: float, cold_cpu: float) -> bool:
    """Print the feedback rows; True when all documents took at most FEEDBACK_TARGET × the cold build."""
    print()
    print(f"{'feedback':<22}{'documents':>14}{'rendered':>14}{'content':>14}{'LaTeX':>14}{'total':>14}")
    for label in ("cold", "no-change", "open", "closed"):
        r = fb[label]
        name = {"open": "1 open answer", "closed": "1 closed answer"}.get(label, label)
        t = r.timings
        print(
            f"{name:<22}{len(r.documents):>14}{len(r.rendered):>14}{t['content']:>12.1f} s"
            f"{t['latex']:>12.1f} s{t['total']:>12.1f} s"
        )
    print(f"changed respondent: open answer {fb['open-file']} → rendered {', '.join(fb['open'].rendered) or '—'}")
    ratio = fb["cold"].timings["total"] / cold_total
    verdict = "OK" if ratio <= FEEDBACK_TARGET else "MISSED"
    print(f"feedback / cold      = {ratio:.2f}  (target ≤ {FEEDBACK_TARGET})  {verdict}")
    # CPU seconds do not grow when other work shares the machine; wall-clock seconds do
    print(f"  CPU: feedback {fb['cold-cpu']:.1f} s / cold build {cold_cpu:.1f} s = {fb['cold-cpu'] / cold_cpu:.2f}")
    return ratio <= FEEDBACK_TARGET


def _parser() -> argparse.ArgumentParser:
    from helpers import paths

    p = argparse.ArgumentParser(prog="python -m helpers.publish.bench")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--notebooks-dir", type=Path, default=paths.NOTEBOOKS_DIR)
    p.add_argument("--jobs", "-j", type=int, default=None)
    p.add_argument("--chapter", default=None, help="chapter to edit for the one-chapter rebuild (default: first)")
    p.add_argument("--freeze-date", default=None, help="needed when the year has no codebook (stub notebooks)")
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--skip-feedback", action="store_true", help="do not time the feedback documents")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return p


@dataclass
class _Runs:
    """The timed runs of one benchmark."""

    base: dict[str, float] | None
    cold: BuildResult
    cold_cpu: float
    nochange: float
    one: BuildResult
    edited: str
    feedback: Any


def _measure(args: argparse.Namespace, copy: Path, work: Path) -> _Runs:
    """Baseline, cold build, feedback documents, no-change rebuild (a fresh process), one-chapter rebuild."""
    from helpers import paths

    src = args.notebooks_dir.resolve()
    for f in src.glob("*.ipynb"):
        shutil.copy2(f, copy / f.name)
    reports = work / "reports"
    kw = {
        "freeze_date": args.freeze_date,
        "processed_dir": str(paths.processed_year_dir(args.year)),
        **_freeze_inputs(args.year, work / "frozen"),
    }
    base = None
    if not args.skip_baseline:
        print("baseline: papermill CLI per notebook, then jupyter nbconvert --to pdf ...", flush=True)
        base = baseline(args.year, copy, work / "baseline")
        print(f"baseline: {base['total']:.1f} s", flush=True)
    cpu = cpu_seconds()
    cold = build_report(args.year, copy, reports, BuildOptions(jobs=args.jobs, force=True, log=print, **kw))
    cold_cpu = cpu_seconds() - cpu
    fb = None if args.skip_feedback else feedback_bench(args.year, reports, work, args.jobs)
    call = (
        "import json, sys; from helpers.publish import BuildOptions, build_report; "
        "build_report(int(sys.argv[1]), sys.argv[2], sys.argv[3], BuildOptions(**json.loads(sys.argv[4])))"
    )
    nochange = _run([sys.executable, "-c", call, str(args.year), str(copy), str(reports), json.dumps(kw)])
    edited = _touch_chapter(copy, args.chapter)
    one = build_report(args.year, copy, reports, BuildOptions(jobs=args.jobs, log=print, **kw))
    return _Runs(base, cold, cold_cpu, nochange, one, edited, fb)


def _verdict(name: str, value: float, target: float, sign: str, pct: bool) -> bool:
    good = value <= target if sign == "≤" else value < target
    shown, limit = (f"{value:.1%}", f"{target:.0%}") if pct else (f"{value:.2f}", f"{target}")
    print(f"{name:<21}= {shown:<6} (target {sign} {limit})  {'OK' if good else 'MISSED'}")
    return good


def _print_runs(r: _Runs) -> bool:
    """The timing table and the verdicts; True when every target is met."""

    def row(label: str, *vals: float | None) -> str:
        return f"{label:<22}" + "".join(f"{'—' if v is None else f'{v:.1f} s':>14}" for v in vals)

    b, cold, one = r.base or {}, r.cold.timings, r.one.timings
    print()
    print(f"{'':<22}{'baseline':>14}{'cold':>14}{'no-change':>14}{'1 chapter':>14}")
    print(row("execution", b.get("execute"), cold.get("execute"), None, one.get("execute")))
    print(row("LaTeX (PDF)", b.get("latex"), cold.get("latex"), None, one.get("latex")))
    print(row("HTML", None, cold.get("html"), None, one.get("html")))
    print(row("total", b.get("total"), cold["total"], r.nochange, one["total"]))
    print(f"\none-chapter rebuild edited {r.edited}; executed: {', '.join(r.one.executed)}")
    ok = True
    if r.base:
        ok &= _verdict("cold / baseline", cold["total"] / r.base["total"], COLD_TARGET, "≤", False)
    ok &= _verdict("no-change / cold", r.nochange / cold["total"], NOCHANGE_TARGET, "<", True)
    ok &= _verdict("one chapter / cold", one["total"] / cold["total"], ONE_CHAPTER_TARGET, "≤", True)
    if r.feedback is not None:
        ok &= _print_feedback(r.feedback, cold["total"], r.cold_cpu)
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 1 with ``--strict`` when a target is missed."""
    args = _parser().parse_args(argv)
    # The copy sits next to the original, so relative paths in the notebooks (../data) still resolve.
    copy = Path(tempfile.mkdtemp(prefix=".bench-notebooks-", dir=args.notebooks_dir.resolve().parent))
    work = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    try:
        runs = _measure(args, copy, work)
    except (BuildError, RuntimeError) as exc:  # FeedbackBuildError is a RuntimeError
        print(str(exc) if isinstance(exc, BuildError) else f"BENCH FAILED: {exc}", flush=True)
        return 1
    finally:
        shutil.rmtree(copy, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0 if _print_runs(runs) or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
