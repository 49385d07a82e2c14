"""Two planned pages claiming one output file: an error naming both, never an overwrite.

Said at what a person can change (a redirect before a page, a file before sitegen's own
pages), naming the other in a stable order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from .errors import ContentError, Problem, display_path, shown
from .urls import STATIC_FOLDER


class OldAddress(Protocol):
    written: str
    line: int | None


class PlannedFile(Protocol):
    """What this check reads of a page that pages.py plans."""

    @property
    def path(self) -> str: ...
    url: str
    sources: tuple[Path, ...]
    old: OldAddress | None


def refuse_collisions(pages: list[PlannedFile]) -> None:
    """Two pages on one output path is an error naming both, never an overwrite."""
    claimed: dict[str, PlannedFile] = {}
    problems = [
        Problem(f"{shown(page.old.written)} is in {STATIC_FOLDER}, where the theme's files "
                "are copied", page.sources[0], page.old.line)
        for page in pages if page.old is not None and page.url.startswith(STATIC_FOLDER)
    ]
    for page in pages:
        first = claimed.setdefault(page.path, page)
        if first is not page:
            # Reported at what a person can change: a redirect before a page, and a
            # file before sitegen's own pages; the other named in a stable order.
            kept, moved = sorted((first, page), key=lambda p: (p.old is not None,
                                                               bool(p.sources), p.sources))
            problems.append(_collision(moved, kept))
    if problems:
        raise ContentError(*problems)


def _collision(moved: PlannedFile, kept: PlannedFile) -> Problem:
    """`moved` claims the output file of `kept`, said at `moved`'s source."""
    if not kept.sources:
        other = f"sitegen's own {kept.url} page"
    elif kept.old is not None:
        line = f":{kept.old.line}" if kept.old.line else ""
        other = f"the old address {shown(kept.old.written)} in {display_path(kept.sources[0])}"
        other += line
    else:
        itself = " itself" if kept.sources == moved.sources else ""
        other = f"{display_path(kept.sources[0])}{itself}"
    said = f"{moved.url} is also"
    if moved.old is not None and moved.old.written != moved.url:
        said = f"{shown(moved.old.written)} is {moved.url}, also"
    return Problem(f"{said} the address of {other}", moved.sources[0] if moved.sources else None,
                   moved.old.line if moved.old else None)
