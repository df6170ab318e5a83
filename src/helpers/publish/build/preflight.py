"""Before the notebooks run: check the data, and give the kernels the read options.

:func:`check_data_first` runs the same check as ``monitor data`` (``build_processed``); a bad
export, codebook or frame stops the build before any notebook runs, with the grouped problem
list on the progress output, the full list in ``reports/<year>-failed/problems.txt`` and one last
line ``BUILD FAILED: …`` naming that file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers.load.problems import PROBLEMS_NAME, write_problems
from helpers.paths import display
from helpers.publish.base.state import BuildError
from helpers.survey.input_errors import InputError


def check_data_first(
    check: Callable[[], object] | None, year: int, failed_dir: Path, log: Callable[[str], None], skip: bool = False
) -> None:
    """Run ``check``; on an InputError log its summary, write ``problems.txt`` and raise BuildError."""
    if check is None or skip:
        return
    log(f"build {year}: gegevens controleren (zoals monitor data)")
    try:
        check()
    except InputError as exc:
        path = write_problems(exc, Path(failed_dir) / PROBLEMS_NAME)
        for line in str(exc).splitlines():
            log(line)
        raise BuildError(
            f"de gegevens van {year} zijn niet in orde ({len(exc.problems)} fout(en)); geen notebook uitgevoerd. "
            f"Volledige lijst: {display(path)}"
        ) from None
