"""Benchmark the build against a naive baseline: ``python -m helpers.publish.build.benchmark --year 2018``.

Runs, on a temporary copy of the notebooks (tracked files are never edited) and into a temporary
reports directory:

1. baseline — every notebook one after another with the papermill CLI, then ``jupyter nbconvert
   --to pdf`` on the concatenated notebook (default template);
2. cold build — ``build_report(force=True)``;
3. no-change rebuild — a fresh Python process calling ``build_report`` with nothing changed;
4. one-chapter rebuild — after appending a visible sentence (a Markdown cell) to one chapter's copy (the
   target; only prose changed, so no kernel runs), then after appending a code cell that shows a sentence
   (printed for information: the chapter's kernel runs);
5. feedback (beside the cold build, same machine state) — every respondent's feedback PDF from
   scratch, a rerun with nothing changed, and reruns after one respondent's open answer and one
   respondent's closed answer changed (in a copy of the processed tables).

The cache inputs (``src/helpers``, the year's raw data, reference files) are copied at the start, so
edits made elsewhere during the benchmark do not turn the no-change rebuild into a full one.

Prints time per stage, where the cold build's time goes (per notebook: kernel start, imports, other cells,
writing; then the PDF, the HTML pages and the site), the peak resident memory of the cold build and of the
feedback batch (the build process and all its children, sampled), and the ratios against the targets, all
from the same run: cold ≤ 0.35× baseline and ≤ 40 s, no-change < 2% of cold, one-chapter ≤ 15% of cold, all
feedback documents ≤ 2× the cold build, each peak below 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.publish.base import plan
from helpers.publish.build.core import BuildError, BuildOptions, BuildResult, build_report
from helpers.publish.execute.kernels import PHASES
from helpers.publish.registers.indicators import assemble

COLD_TARGET, NOCHANGE_TARGET, ONE_CHAPTER_TARGET, FEEDBACK_TARGET = 0.35, 0.02, 0.15, 2.0
#: Seconds a cold build may take at most, whatever the baseline (issue #18: 2018 on two quiet cores).
COLD_SECONDS = 40.0
#: Peak resident memory (bytes, all processes of the build together) a cold build and the feedback batch stay under.
MEMORY_LIMIT = 2 * 1024**3
#: Seconds between two memory samples.
SAMPLE_EVERY = 0.1
#: A process this large has deduce loaded (~1.1 GB); the peak reports how many ran at once.
DEDUCE_SIZE = 800 * 1024**2
#: What the one-chapter rebuild adds: a visible sentence, so the PDF and the chapter's page really change.
EDIT = "De benchmark voegde deze zin toe aan het hoofdstuk."
#: The code edit of the second one-chapter rebuild: a cell that shows a sentence (the kernel must run).
CODE_EDIT = 'from IPython.display import Markdown\n\nMarkdown("De benchmark voegde deze zin toe met code.")'


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

    from helpers.paths import NOTEBOOK_ENV

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


def _touch_chapter(notebooks_dir: Path, chapter: str | None, code: bool = False) -> str:
    """Append a Markdown cell with a sentence (``code``: a code cell showing one) to one chapter notebook (of
    the temporary copy); return its name."""
    chapters = [nb for nb in plan.discover(notebooks_dir) if nb.role == plan.CHAPTER]
    nb = next((c for c in chapters if c.name == chapter), chapters[0]) if chapter else chapters[0]
    data = json.loads(nb.path.read_text(encoding="utf-8"))
    if code:
        cell: dict[str, Any] = {"cell_type": "code", "execution_count": None, "id": "bench-code", "outputs": []}
        data["cells"].append({**cell, "metadata": {}, "source": CODE_EDIT})
    else:
        data["cells"].append({"cell_type": "markdown", "id": "bench-edit", "metadata": {}, "source": EDIT})
    nb.path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return nb.name


def _freeze_inputs(year: int, dest: Path) -> dict[str, object]:
    """Copy the cache inputs (helpers sources, raw data, codebook) and return BuildOptions fields using them."""
    from helpers import paths
    from helpers.publish.build.core import default_inputs

    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(Path(__file__).resolve().parents[2], dest / "helpers", ignore=ignore)
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


@dataclass
class Peak:
    """The largest resident memory of this process and all its descendants together, as sampled."""

    bytes: int = 0
    #: Processes alive at that moment.
    processes: int = 0
    #: Most processes of at least DEDUCE_SIZE alive at one time.
    large: int = 0
    #: False where psutil is missing: nothing was measured.
    measured: bool = True


def _tree_sizes() -> list[int]:
    """Resident bytes of this process and of each of its descendants (kernels, XeLaTeX, pandoc)."""
    import psutil

    me = psutil.Process()
    sizes = []
    for proc in [me, *me.children(recursive=True)]:
        try:
            sizes.append(proc.memory_info().rss)
        except psutil.Error:  # ended between listing and asking
            continue
    return sizes


@contextmanager
def peak_memory(every: float = SAMPLE_EVERY) -> Iterator[Peak]:
    """Sample the memory of the process tree every ``every`` seconds while the block runs; yield the peak."""
    peak = Peak()
    try:
        import psutil  # noqa: F401 - a dependency of ipykernel, so normally present
    except ImportError:
        peak.measured = False
        yield peak
        return
    stop = threading.Event()

    def sample() -> None:
        while True:
            sizes = _tree_sizes()
            if sum(sizes) > peak.bytes:
                peak.bytes, peak.processes = sum(sizes), len(sizes)
            peak.large = max(peak.large, sum(size >= DEDUCE_SIZE for size in sizes))
            if stop.wait(every):
                return

    thread = threading.Thread(target=sample, name="bench-memory", daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


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
    from helpers.publish.feedback.batch import build_feedback

    cpu = cpu_seconds()
    with peak_memory() as peak:
        out: dict[str, Any] = {"cold": build_feedback(year, reports_dir=reports, jobs=jobs, force=True, log=print)}
    out["cold-cpu"], out["peak"] = cpu_seconds() - cpu, peak
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
    _verdict("feedback / cold", ratio, FEEDBACK_TARGET, "≤")
    # CPU seconds do not grow when other work shares the machine; wall-clock seconds do
    print(f"  CPU: feedback {fb['cold-cpu']:.1f} s / cold build {cold_cpu:.1f} s = {fb['cold-cpu'] / cold_cpu:.2f}")
    return ratio <= FEEDBACK_TARGET


def _parser() -> argparse.ArgumentParser:
    from helpers import paths

    p = argparse.ArgumentParser(prog="python -m helpers.publish.build.benchmark")
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
    cold_peak: Peak
    nochange: float
    one: BuildResult
    edited: str
    feedback: Any
    #: The rebuild after a code edit of the same chapter (for information; the target is on ``one``).
    one_code: BuildResult | None = None


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
    with peak_memory() as peak:
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
    _touch_chapter(copy, edited, code=True)
    one_code = build_report(args.year, copy, reports, BuildOptions(jobs=args.jobs, log=print, **kw))
    return _Runs(base, cold, cold_cpu, peak, nochange, one, edited, fb, one_code)


def _verdict(name: str, value: float, target: float, sign: str, unit: str = "×") -> bool:
    """Print one target line (``unit``: × a ratio, % a share, s seconds, GiB memory); True when it is met."""
    good = value <= target if sign == "≤" else value < target
    shown, limit = {
        "%": (f"{value:.1%}", f"{target:.0%}"),
        "s": (f"{value:.1f} s", f"{target:.0f} s"),
        "GiB": (f"{value / 1024**3:.2f} GiB", f"{target / 1024**3:.0f} GiB"),
    }.get(unit, (f"{value:.2f}", f"{target}"))
    print(f"{name:<23}= {shown:<9} (target {sign} {limit})  {'OK' if good else 'MISSED'}")
    return good


def _print_phases(cold: BuildResult) -> None:
    """Where the cold build's time went: each notebook's phases (wall seconds; notebooks run side by side),
    then the steps after the notebooks."""
    print(f"\n{'cold build, per notebook':<26}" + "".join(f"{p:>10}" for p in PHASES) + f"{'total':>10}")
    sums = dict.fromkeys(PHASES, 0.0)
    for name in cold.executed:
        phases = cold.phases.get(name)
        if not phases:
            print(f"  {name:<24}{'(reused or not timed)':>40}")
            continue
        for p in PHASES:
            sums[p] += phases.get(p, 0.0)
        cells = "".join(f"{phases.get(p, 0.0):>8.1f} s" for p in PHASES)
        print(f"  {name:<24}{cells}{sum(phases.values()):>8.1f} s")
    print(f"  {'sum':<24}" + "".join(f"{sums[p]:>8.1f} s" for p in PHASES) + f"{sum(sums.values()):>8.1f} s")
    t = cold.timings
    steps = [("notebooks (wall)", "execute"), ("PDF: merge + XeLaTeX", "latex"), ("HTML pages", "html"),
             ("PDF and HTML together", "render"), ("site", "site"), ("build total", "total")]  # fmt: skip
    for label, key in steps:
        if key in t:
            print(f"  {label:<24}{t[key]:>8.1f} s")


def _print_memory(label: str, peak: Peak) -> bool:
    """Print a peak memory line; True when it stays under MEMORY_LIMIT (or could not be measured)."""
    if not peak.measured:
        print(f"{label:<23}= not measured (psutil missing)")
        return True
    extra = f"; {peak.large} process(es) ≥ {DEDUCE_SIZE // 1024**2} MB at once" if peak.large else ""
    good = _verdict(label, peak.bytes, MEMORY_LIMIT, "<", "GiB")
    print(f"  {peak.processes} processes at the peak{extra}")
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
    print(f"CPU seconds of the cold build (build process and its children): {r.cold_cpu:.1f} s")
    _print_phases(r.cold)
    print(
        f"\none-chapter rebuild edited {r.edited}; executed: {', '.join(r.one.executed) or 'none'}; "
        f"prose only (outputs reused): {', '.join(r.one.prose_only) or 'none'}"
    )
    ok = True
    if r.base:
        ok &= _verdict("cold / baseline", cold["total"] / r.base["total"], COLD_TARGET, "≤")
    ok &= _verdict("cold build", cold["total"], COLD_SECONDS, "≤", "s")
    ok &= _verdict("no-change / cold", r.nochange / cold["total"], NOCHANGE_TARGET, "<", "%")
    ok &= _verdict("one chapter / cold", one["total"] / cold["total"], ONE_CHAPTER_TARGET, "≤", "%")
    if r.one_code is not None:
        code = r.one_code.timings["total"]
        print(
            f"  (for information: after a code edit of {r.edited}, {code:.1f} s = {code / cold['total']:.1%} of cold;"
            f" executed: {', '.join(r.one_code.executed) or 'none'})"
        )
    ok &= _print_memory("peak memory, cold", r.cold_peak)
    if r.feedback is not None:
        ok &= _print_feedback(r.feedback, cold["total"], r.cold_cpu)
        ok &= _print_memory("peak memory, feedback", r.feedback["peak"])
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
