"""Files the site puts at the output's root as they are: `<site>/root/CNAME`,
`favicon.ico`, `.well-known/...`, a host's `_redirects` or `_headers`.

They are copied like static files (only when their size or time changed), hidden ones
included, since `.well-known/` is one. A root file may not take the place of anything else
the build writes: that is an error naming both, never an overwrite.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ContentError, Problem, display_path
from .pages import PlannedFile


def root_files(folder: Path) -> dict[str, Path]:
    """Each file under `folder` by its path in the output ('/'-separated)."""
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path
            for path in sorted(folder.rglob("*")) if path.is_file()}


def check_root_files(root: dict[str, Path], static: dict[str, Path], pages: list[PlannedFile],
                     planned: tuple[str, ...]) -> None:
    """ContentError naming every root file whose path a page or a static file has too.
    `pages` are this build's planned pages, if it planned them, for their sources."""
    sources = {page.path: page.sources for page in pages}
    taken = set(planned)
    problems = []
    for relative, path in root.items():
        if relative in static:
            other = f"the static file {display_path(static[relative])}"
        elif relative in taken:
            source = sources.get(relative)
            other = f"the page {relative}" + (f" of {display_path(source[0])}" if source else
                                              " that sitegen writes" if relative in sources
                                              else "")
        else:
            continue
        problems.append(Problem(f"is also {other}, at the same place in the output; "
                                "remove or move one of them", path))
    if problems:
        raise ContentError(*problems)
