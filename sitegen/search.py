"""Full-text search with Pagefind: an index of the built site in `<output>/pagefind/`, made
after a build that changed pages, which the /search/ page and the header's field query in
the reader's browser, with no server.

Pagefind reads the built HTML: a page is indexed only where it says `data-pagefind-body`
(posts with their comments, and pages), so listings, drafts and redirect pages are not; the
comment form and the related posts say `data-pagefind-ignore`. The index is made beside the
output and swapped in whole, so a reader never queries half of one. Pagefind is an optional
extra (`pip install 'sitegen[search]'`): its binary comes in the `pagefind_bin` package.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import Problem

FOLDER = "pagefind"
INSTALL = "pip install 'sitegen[search]'"


def installed() -> bool:
    """Whether Pagefind's binary package is there (found without importing it)."""
    return importlib.util.find_spec("pagefind_bin") is not None


def needs_index(output: Path, changed: tuple[str, ...]) -> bool:
    """Whether the index must be made again: the build wrote or removed a page, or there is
    no index (a new output folder)."""
    return any(path.endswith(".html") for path in changed) or not (
        output / FOLDER / "pagefind.js").is_file()


def index(output: Path) -> Problem | None:
    """Index the site in `output` into `output/pagefind/`, replacing the old index whole. If
    Pagefind fails, the site stays as built, without an index (so the next build makes one
    again), and the problem is returned for a warning."""
    from pagefind_bin import get_executable

    fresh = Path(tempfile.mkdtemp(prefix=f".{output.name}.pagefind-", dir=output.parent))
    try:
        result = subprocess.run(
            [str(get_executable()), "--site", str(output), "--output-path", str(fresh / FOLDER),
             "--silent"], capture_output=True, text=True, check=False)
        if result.returncode == 0:
            _swap(fresh / FOLDER, output / FOLDER, fresh)
            return None
        shutil.rmtree(output / FOLDER, ignore_errors=True)
        said = (result.stderr or result.stdout).strip().splitlines()
        return Problem(f"Pagefind could not index the site, so search finds nothing: "
                       f"{said[-1] if said else f'exit code {result.returncode}'}")
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _swap(new: Path, current: Path, spare: Path) -> None:
    """`new` in place of `current`: the old index is moved aside first, so the folder is
    renamed in one step, then removed."""
    if current.exists():
        current.rename(spare / "old")
    new.rename(current)
