"""Put right what a killed sitegen left behind: the first thing every command does.

A build killed while moving its files into the output folder leaves a journal, and its old
files are put back (journal.py); a build killed at any point leaves its staging folder
beside the output (as large as the site); a writer killed before renaming leaves a hidden
temporary file (atomic.py), in content/ or in the state folder. Whatever a live process is
still using is left to it: the output folder of a build that holds its lock, the temporary
file of a writer that is still running.
"""

from __future__ import annotations

from pathlib import Path

from .atomic import sweep
from .cache import CACHE_DIR, state_folder
from .config import SitePaths
from .errors import Problem
from .journal import read_journal
from .manifest import JOURNAL_PREFIX
from .output import leftovers, output_lock, repair_output


def repair(paths: SitePaths) -> list[Problem]:
    """Undo interrupted builds into any output folder of the site at `paths`, remove the
    leftovers of killed builds into `paths.output` and of killed writers in content/; a
    warning for each build undone."""
    state = paths.root / CACHE_DIR
    journals = sorted(state.glob(f"{JOURNAL_PREFIX}*.json")) if state.is_dir() else []
    outputs = {changes.output for journal in journals
               if (changes := read_journal(journal)) is not None}
    if leftovers(paths.output):
        outputs.add(paths.output)
    notes = []
    for output in sorted(outputs):
        with output_lock(state_folder(paths.root), output, wait=False) as held:
            if held and repair_output(paths.root, output):
                notes.append(Problem(f"a build into {output} was stopped while it moved its "
                                     "files in; the output folder was put back as it was"))
    for folder in (*_content_folders(paths), state):
        if folder.is_dir():
            sweep(folder)
    return notes


def _content_folders(paths: SitePaths) -> tuple[Path, ...]:
    """Where sitegen writes content files (the importer, moderation, `sitegen new`)."""
    return (paths.redirects.parent, paths.posts, paths.pages, paths.comments,
            paths.comments / "pending", paths.comments / "rejected")
