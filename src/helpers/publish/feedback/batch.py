"""Render every respondent's private feedback PDF: ``monitor feedback --year 2018`` (``make feedback``).

1. **One kernel.** papermill runs ``notebooks/feedback.ipynb`` once with ``build_dir``; the notebook
   writes every respondent's content to ``documents.json`` (``helpers.report.feedback``).
2. **One template per respondent.** ``templates/feedback_latex/feedback.tex.j2`` is filled with each
   document; the sha256 of that LaTeX source (plus the XeLaTeX version) is the document's key.
3. **Only what changed.** A document whose key equals the previous run's is copied from the previous
   output; the others get one XeLaTeX pass (a second only when the log asks for it), in parallel on
   the available cores. ``SOURCE_DATE_EPOCH`` is the codebook's freeze date, so the bytes repeat.
4. **Private output.** ``reports/<year>-feedback/``: ``<GMxxxx>.pdf`` (or ``GM0014+3.pdf``), the
   private ``index.csv`` (file, respondent, municipalities) and ``LEESMIJ.txt``. It is built in
   ``reports/.tmp-feedback-<year>-*`` and swapped in whole, beside (never inside) the public
   ``reports/<year>/``, which the report build swaps in its own turn.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.publish.base.cache import file_digest, load_manifest, write_manifest
from helpers.publish.render.pdf import LatexError, missing_characters
from helpers.survey.text_escape import latex_text, spreadsheet_cell

NOTEBOOK = "feedback.ipynb"
TEMPLATE = "feedback_latex"
TEMPLATE_FILE = "feedback.tex.j2"
INDEX = "index.csv"
README = "LEESMIJ.txt"
BAR_MM = 22.0
MAX_PASSES = 3
LATEX = ["xelatex", "-interaction=nonstopmode", "-halt-on-error"]
_RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed")
Log = Callable[[str], None]

README_TEXT = """Vertrouwelijke terugkoppeling per respondent (monitor {year})

Elk PDF-bestand is bestemd voor één respondent: de persoon die de vragenlijst invulde voor de
gemeente(n) in de bestandsnaam. Stuur elk bestand apart en persoonlijk naar die respondent
(index.csv: welk bestand bij welke respons hoort). Niet publiceren, niet doorsturen, niet als map
delen en niet in git zetten. index.csv zelf is intern en gaat nooit mee.
"""


def log_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class FeedbackBuildError(RuntimeError):
    """The batch stopped; ``str()`` is one line: ``FEEDBACK FAILED: <what>``."""

    def __str__(self) -> str:
        return f"FEEDBACK FAILED: {self.args[0]}"


@dataclass
class FeedbackResult:
    """What one batch wrote: every document, which were rendered and which reused, seconds per step."""

    year: int
    out_dir: Path
    documents: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


# --- step 1: content from the notebook (one kernel) ----------------------------------------------


def run_notebook(
    year: int, notebook: Path, work: Path, data_dir: Path | None, failed_dir: Path | None = None
) -> list[dict[str, Any]]:
    """Execute the feedback notebook once (papermill) and read the documents it wrote.

    On a failure the executed notebook and the kernel's log are kept in ``failed_dir`` (if given)."""
    from helpers.publish.base.params import KERNELSPEC, ParameterError, check_parameters
    from helpers.publish.execute.kernels import ExecutionFailure, Job
    from helpers.publish.execute.kernels import run_notebook as run_job
    from helpers.report.feedback import DOCUMENTS_NAME

    work.mkdir(parents=True, exist_ok=True)
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {}).setdefault("kernelspec", KERNELSPEC)
    src = work / notebook.name
    src.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    params = {"year": year, "build_dir": str(work)} | ({"data_dir": str(data_dir)} if data_dir else {})
    try:
        check_parameters(src, params, notebook.name)
        job = Job("feedback", src, work / f"executed-{notebook.name}", params, kernel_log=work / "kernel.log")
        run_job(job, src.parent)
    except ParameterError as exc:
        raise FeedbackBuildError(str(exc)) from exc
    except ExecutionFailure as exc:
        if failed_dir is not None:
            failed_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # holds a respondent's data
            for kept in (job.out, job.kernel_log):
                if kept is not None and kept.exists():
                    shutil.copyfile(kept, failed_dir / kept.name)
        raise FeedbackBuildError(str(exc) + (f" (bewaard in {failed_dir})" if failed_dir else "")) from exc
    body = json.loads((work / DOCUMENTS_NAME).read_text(encoding="utf-8"))
    return body["documents"]


# --- step 2: LaTeX source per document -----------------------------------------------------------


def _bar(value: float | None, full_mm: float) -> str:
    return "" if value is None else f"{value * full_mm / 100:.2f}"


def colours() -> dict[str, str]:
    """The house palette (``helpers.report.plots``) as LaTeX ``HTML`` colours."""
    from helpers.report.plots import OKABE_ITO, PRIMARY, TOTAL_GREY

    hexes = {"group": PRIMARY, "total": TOTAL_GREY, "own": OKABE_ITO[5], "warning": OKABE_ITO[5]}
    return {k: v.lstrip("#").upper() for k, v in hexes.items()}


def template(templates_dir: Path) -> Any:
    """The Jinja template (LaTeX-safe delimiters ``((* *))``, ``((( )))``; filters ``tex`` and ``bar``)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(templates_dir) / TEMPLATE)),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
        trim_blocks=True, lstrip_blocks=True, autoescape=False, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )  # fmt: skip
    env.filters["tex"] = latex_text
    env.filters["bar"] = _bar
    return env.get_template(TEMPLATE_FILE)


def latex_source(doc: dict[str, Any], tpl: Any) -> str:
    """The LaTeX of one document."""
    return tpl.render(doc=doc, colours=colours(), bar_mm=BAR_MM)


@cache
def latex_version() -> str:
    """First line of ``xelatex --version`` (part of every document key)."""
    proc = subprocess.run(["xelatex", "--version"], capture_output=True, text=True)
    return (proc.stdout.splitlines() or ["xelatex ?"])[0]


def document_key(tex: str, epoch: int) -> str:
    return hashlib.sha256(f"{latex_version()}\n{epoch}\n{tex}".encode()).hexdigest()


# --- step 3: XeLaTeX ------------------------------------------------------------------------------


def render_pdf(tex: str, workdir: Path) -> tuple[bytes, int]:
    """PDF bytes of ``tex`` and the number of XeLaTeX passes (one, unless the log asks for another)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "feedback.tex").write_text(tex, encoding="utf-8")
    passes, log = 0, ""
    while passes == 0 or (_RERUN.search(log) and passes < MAX_PASSES):
        passes += 1
        proc = subprocess.run([*LATEX, "feedback.tex"], cwd=workdir, capture_output=True)
        if not (workdir / "feedback.log").is_file():
            out = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
            raise LatexError(f"xelatex schreef geen log (status {proc.returncode}): {out[-1] if out else '-'}")
        log = (workdir / "feedback.log").read_text(encoding="utf-8", errors="replace")
        if proc.returncode:
            errors = [line for line in log.splitlines() if line.startswith("!")]
            raise LatexError(f"LaTeX: {errors[0] if errors else 'xelatex stopte met status ' + str(proc.returncode)}")
    missing = missing_characters(log)
    if missing:
        raise LatexError(f"LaTeX: {missing[0]} ({len(missing)} ontbrekende tekens)")
    return (workdir / "feedback.pdf").read_bytes(), passes


def _render_all(
    todo: dict[str, str], staging: Path, work: Path, workers: int, failed_dir: Path, log: Log
) -> dict[str, int]:
    """Render the documents of ``todo`` (file → tex) into ``staging`` in parallel; passes per file."""
    passes: dict[str, int] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="xelatex")
    try:
        futures = {pool.submit(render_pdf, tex, work / "tex" / name): name for name, tex in todo.items()}
        for done, future in enumerate(as_completed(futures), 1):
            name = futures[future]
            try:
                pdf, passes[name] = future.result()
            except LatexError as exc:
                failed_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # holds a respondent's data
                for ext in (".tex", ".log"):
                    source = work / "tex" / name / f"feedback{ext}"
                    if source.exists():
                        shutil.copyfile(source, failed_dir / f"{name}{ext}")
                raise FeedbackBuildError(f"{name}.pdf: {exc} (log: {failed_dir / (name + '.log')})") from exc
            (staging / f"{name}.pdf").write_bytes(pdf)
            if done % 20 == 0 or done == len(futures):
                log(f"  xelatex: {done}/{len(futures)}")
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return passes


# --- step 4: index, manifest, swap ------------------------------------------------------------------


def index_csv(docs: Sequence[dict[str, Any]]) -> str:
    """``file,respondent,municipalities`` (private: maps each file to its survey response)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["file", "respondent", "municipalities"])
    for d in sorted(docs, key=lambda d: d["file"]):
        names = "; ".join(f"{m['code']} {m['name']}" for m in d["municipalities"])
        writer.writerow([spreadsheet_cell(v) for v in (f"{d['file']}.pdf", d["respondent_id"], names)])
    return buf.getvalue()


def _failed_dir(final: Path) -> Path:
    """``reports/<year>-feedback-failed/``: the .tex/.log of a document LaTeX could not render."""
    return final.with_name(final.name + "-failed")


def _new_staging(reports_dir: Path, year: int) -> Path:
    """``reports/.tmp-feedback-<year>-XXXX``; mkdtemp's mode 0700 is kept: the folder is private."""
    prefix = f".tmp-feedback-{year}-"
    for stale in reports_dir.glob(prefix + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=reports_dir))


def build_feedback(
    year: int,
    *,
    reports_dir: Path = paths.REPORTS_DIR,
    notebook: Path | None = None,
    templates_dir: Path = paths.TEMPLATES_DIR,
    data_dir: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    only: Sequence[str] | None = None,
    log: Log = log_stderr,
) -> FeedbackResult:
    """Write ``reports/<year>-feedback/`` (see the module docstring); ``only`` keeps just those files
    (a preview or a test); ``force`` renders every document again. Raises :class:`FeedbackBuildError`."""
    from helpers.publish.base.repro import report_meta, reproducible_env
    from helpers.publish.base.staging import BuildLocked, swap_in, year_lock
    from helpers.report.feedback import FeedbackError, check_inputs
    from helpers.survey.notes import NotesError

    t0 = time.perf_counter()
    reports_dir = Path(reports_dir).resolve()
    final = paths.feedback_dir(year, reports_dir)
    result = FeedbackResult(year, final)
    try:
        check_inputs(year, data_dir)
        meta = report_meta(year, paths.codebook_path(year))
    except (FeedbackError, NotesError, ValueError) as exc:
        raise FeedbackBuildError(str(exc)) from exc
    try:
        with year_lock(reports_dir, f"{year}{paths.FEEDBACK_SUFFIX}"):
            staging = _new_staging(reports_dir, year)
            try:
                with reproducible_env(meta.epoch):
                    _build(result, staging, meta.epoch, notebook, templates_dir, data_dir, jobs, force, only, log)
                swap_in(staging, final)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except BuildLocked as exc:
        raise FeedbackBuildError(str(exc)) from exc
    shutil.rmtree(_failed_dir(final), ignore_errors=True)
    result.timings["total"] = time.perf_counter() - t0
    log(
        f"FEEDBACK OK: {final}: {len(result.documents)} documenten, {len(result.rendered)} gemaakt, "
        f"{len(result.reused)} ongewijzigd ({result.timings['total']:.1f} s)"
    )
    return result


def _build(
    result: FeedbackResult,
    staging: Path,
    epoch: int,
    notebook: Path | None,
    templates_dir: Path,
    data_dir: Path | None,
    jobs: int | None,
    force: bool,
    only: Sequence[str] | None,
    log: Log,
) -> None:
    work = staging / ".work"
    t = time.perf_counter()
    nb_path = Path(notebook or paths.NOTEBOOKS_DIR / NOTEBOOK)
    docs = run_notebook(result.year, nb_path, work / "nb", data_dir, _failed_dir(result.out_dir))
    if only is not None:
        wanted = {str(x).removesuffix(".pdf") for x in only}
        docs = [d for d in docs if d["file"] in wanted or {m["code"] for m in d["municipalities"]} & wanted]
        found = {d["file"] for d in docs} | {m["code"] for d in docs for m in d["municipalities"]}
        if wanted - found:
            raise FeedbackBuildError(f"geen respondent voor: {', '.join(sorted(wanted - found))}")
    result.timings["content"] = time.perf_counter() - t
    log(f"feedback {result.year}: inhoud van {len(docs)} documenten ({result.timings['content']:.1f} s)")
    tpl = template(templates_dir)
    previous = load_manifest(result.out_dir).get("documents", {})
    keys, todo = {}, {}
    for d in docs:
        tex = latex_source(d, tpl)
        name, keys[d["file"]] = d["file"], document_key(tex, epoch)
        old = result.out_dir / f"{name}.pdf"
        entry = previous.get(name, {})
        if not force and entry.get("key") == keys[name] and old.is_file() and file_digest(old) == entry.get("sha256"):
            shutil.copy2(old, staging / old.name)
            result.reused.append(name)
        else:
            todo[name] = tex
    workers = max(1, jobs or os.cpu_count() or 1)
    log(f"  {len(todo)} document(en) opmaken met XeLaTeX ({workers} tegelijk), {len(result.reused)} ongewijzigd")
    t = time.perf_counter()
    _render_all(todo, staging, work, workers, _failed_dir(result.out_dir), log)
    result.timings["latex"] = time.perf_counter() - t
    result.rendered = sorted(todo)
    result.documents = sorted(keys)
    shutil.rmtree(work)
    (staging / INDEX).write_text(index_csv(docs), encoding="utf-8")
    (staging / README).write_text(README_TEXT.format(year=result.year), encoding="utf-8")
    documents = {n: {"key": keys[n], "sha256": file_digest(staging / f"{n}.pdf")} for n in sorted(keys)}
    write_manifest(staging, {"year": result.year, "documents": documents})
